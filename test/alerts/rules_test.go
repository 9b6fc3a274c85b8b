/*
Copyright 2026 The Portico Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package alerts_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/testenv"
	"github.com/portico-dev/portico/test/alerts"
)

func repo(rel string) string { return filepath.Join(testenv.RepoRoot(), rel) }

func groups(t *testing.T) []alerts.Group {
	t.Helper()
	gs, err := alerts.Groups(repo(alerts.AlertsFile))
	if err != nil {
		t.Fatal(err)
	}
	return gs
}

// promtoolTests are the alert_rule_test cases of the promtool test files:
// how many expect each alert to fire, and how many expect silence.
type promtoolTests struct{ firing, quiet map[string]int }

func readPromtoolTests(t *testing.T) promtoolTests {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(repo(alerts.PromtoolTests), "*.test.yaml"))
	if len(files) == 0 {
		t.Fatalf("no promtool tests in %s", alerts.PromtoolTests)
	}
	out := promtoolTests{firing: map[string]int{}, quiet: map[string]int{}}
	for _, f := range files {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			RuleFiles []string `json:"rule_files"`
			Tests     []struct {
				AlertRuleTest []struct {
					Alertname string           `json:"alertname"`
					ExpAlerts []map[string]any `json:"exp_alerts"`
				} `json:"alert_rule_test"`
			} `json:"tests"`
		}
		if err := yaml.Unmarshal(doc, &file); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !slices.Equal(file.RuleFiles, []string{alerts.RuleFileName}) {
			t.Errorf("%s: rule_files %v, want [%s] (what hack/promtool.sh extracts)", f, file.RuleFiles, alerts.RuleFileName)
		}
		for _, tc := range file.Tests {
			for _, a := range tc.AlertRuleTest {
				if len(a.ExpAlerts) > 0 {
					out.firing[a.Alertname]++
				} else {
					out.quiet[a.Alertname]++
				}
			}
		}
	}
	return out
}

// TestEveryAlertIsRunbookedAndUnitTested: each alert has a severity, a
// summary and description, a runbook_url pointing at its section of
// docs/operations.md (which exists), and promtool tests that see it fire
// and stay quiet. promtool itself runs in hack/promtool.sh.
func TestEveryAlertIsRunbookedAndUnitTested(t *testing.T) {
	runbook, err := os.ReadFile(repo(alerts.RunbookFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := readPromtoolTests(t)
	names := map[string]bool{}
	for _, g := range groups(t) {
		for _, r := range g.Rules {
			if r.Alert == "" {
				t.Errorf("group %s: a recording rule (%s); this file holds alerts only", g.Name, r.Record)
				continue
			}
			names[r.Alert] = true
			if s := r.Labels["severity"]; s != "warning" && s != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", r.Alert, s)
			}
			for _, a := range []string{"summary", "description"} {
				if strings.TrimSpace(r.Annotations[a]) == "" {
					t.Errorf("%s: no %s annotation", r.Alert, a)
				}
			}
			if want := alerts.RunbookURL + "#" + strings.ToLower(r.Alert); r.Annotations["runbook_url"] != want {
				t.Errorf("%s: runbook_url %q, want %q", r.Alert, r.Annotations["runbook_url"], want)
			}
			if !regexp.MustCompile(`(?m)^#{2,3} ` + r.Alert + `$`).Match(runbook) {
				t.Errorf("%s: %s has no section headed %q", r.Alert, alerts.RunbookFile, r.Alert)
			}
			if tests.firing[r.Alert] == 0 || tests.quiet[r.Alert] == 0 {
				t.Errorf("%s: %d promtool cases expect it to fire and %d expect silence; want at least one of each",
					r.Alert, tests.firing[r.Alert], tests.quiet[r.Alert])
			}
		}
	}
	for name := range tests.firing {
		if !names[name] {
			t.Errorf("promtool tests name alert %s, which does not exist", name)
		}
	}
	if len(names) < 10 {
		t.Errorf("%d alerts, want the 11 of issue #20: the PrometheusRule was not read", len(names))
	}
}

// TestRuleFileIsTheSpec: the rule file promtool checks is the
// PrometheusRule's spec, field for field.
func TestRuleFileIsTheSpec(t *testing.T) {
	file, err := alerts.RuleFile(repo(alerts.AlertsFile))
	if err != nil {
		t.Fatal(err)
	}
	var fromFile, fromObject map[string]any
	if err := yaml.Unmarshal(file, &fromFile); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(repo(alerts.AlertsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(doc, &fromObject); err != nil {
		t.Fatal(err)
	}
	if !equalYAML(t, fromFile, fromObject["spec"]) {
		t.Fatal("the extracted rule file differs from the PrometheusRule's spec")
	}
	meta := fromObject["metadata"].(map[string]any)
	if meta["name"] != "portico-alerts" {
		t.Errorf("PrometheusRule %v, want portico-alerts", meta["name"])
	}
}

func equalYAML(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := yaml.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := yaml.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

// TestDashboardQueries: every panel target has a query, Grafana variables
// become parseable values, and every panel uses the datasource variable.
func TestDashboardQueries(t *testing.T) {
	qs, err := alerts.DashboardQueries(repo(alerts.DashboardFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 20 {
		t.Fatalf("%d dashboard queries, want the 26 panel targets and variables", len(qs))
	}
	for _, q := range qs {
		if strings.Contains(q.Expr, "$__") || regexp.MustCompile(`\$[A-Za-z{]`).MatchString(q.Expr) {
			t.Errorf("%s: a Grafana variable is left in %q", q.Where, q.Expr)
		}
	}
	doc, err := os.ReadFile(repo(alerts.DashboardFile))
	if err != nil {
		t.Fatal(err)
	}
	if n, want := strings.Count(string(doc), `"uid": "${datasource}"`), strings.Count(string(doc), `"datasource": {`); n != want {
		t.Errorf("%d of %d datasource references use ${datasource}", n, want)
	}
}

// TestSelectors: the tokenizer finds every metric name and equality
// matcher, and nothing else, in the PromQL shapes the rules and dashboard use.
func TestSelectors(t *testing.T) {
	type sel = alerts.Selector
	none := map[string]string{}
	for _, tc := range []struct {
		expr string
		want []sel
	}{
		{`up`, []sel{{"up", none}}},
		{`max by (gateway_namespace, gateway) (portico_gateway_condition{type="Ready",status!="True"}) == 1`,
			[]sel{{"portico_gateway_condition", map[string]string{"type": "Ready"}}}},
		{`sum by (reason) (rate(a_total[15m])) / ignoring (reason) group_left sum(rate(b_total {c="d", e=~"f"}[15m])) > 0.1`,
			[]sel{{"a_total", none}, {"b_total", map[string]string{"c": "d"}}}},
		{`histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le))`, []sel{{"x_bucket", none}}},
		{`0 < min(cert_seconds) - time() < 14 * 86400`, []sel{{"cert_seconds", none}}},
		{`absent(up{job="x"} == 1) or vector(0)`, []sel{{"up", map[string]string{"job": "x"}}}},
		{`label_replace(m{a=~"b|c}", d="e\"}"}, "dst", "$1", "src", "(.*)") offset 1h30m`,
			[]sel{{"m", map[string]string{"d": `e\"}`}}}},
		{`{__name__="by_name", x="y"} unless on (x) group_right (z) other:recorded`,
			[]sel{{"by_name", map[string]string{"x": "y"}}, {"other:recorded", none}}},
		{`count(x) without (a) + 1e-3 * topk(5, y) and bool NaN # a comment with metric_name`, []sel{{"x", none}, {"y", none}}},
		{`sum_over_time(m[5m:1m]) @ end()`, []sel{{"m", none}}},
		{`m{a="` + alerts.Variable + `", b="c"}`, []sel{{"m", map[string]string{"b": "c"}}}},
	} {
		if got := alerts.Selectors(tc.expr); !cmp.Equal(got, tc.want) {
			t.Errorf("Selectors(%q):\n%s", tc.expr, cmp.Diff(tc.want, got))
		}
	}
}
