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

// Package alerts reads the operator's alerting rules (a PrometheusRule) and
// Grafana dashboard for hack/promrules, which hands them to promtool, and
// for the tests that check both against a running operator.
package alerts

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// Paths relative to the repository root.
const (
	AlertsFile    = "config/prometheus/alerts.yaml"
	DashboardFile = "config/grafana/portico-dashboard.json"
	RunbookFile   = "docs/operations.md"
	// PromtoolTests holds promtool's unit tests of the alerts.
	PromtoolTests = "test/alerts/promtool"
	// RuleFileName is the name the promtool tests load the extracted rules by.
	RuleFileName = "portico-alerts.rules.yaml"
	// RunbookURL is where each alert's runbook_url points, followed by
	// "#" and the alert's name in lower case (GitHub's heading anchor).
	RunbookURL = "https://github.com/portico-dev/portico/blob/main/" + RunbookFile
)

// Rule is one alerting or recording rule.
type Rule struct {
	Alert       string            `json:"alert,omitempty"`
	Record      string            `json:"record,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Group is a rule group.
type Group struct {
	Name  string `json:"name"`
	Rules []Rule `json:"rules"`
}

// RuleFile returns the spec of the PrometheusRule at path, unchanged, as a
// Prometheus rule file: the PrometheusRule is the only copy of the rules,
// so the file promtool checks cannot drift from it.
func RuleFile(path string) ([]byte, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var obj struct {
		APIVersion string         `json:"apiVersion"`
		Kind       string         `json:"kind"`
		Spec       map[string]any `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &obj); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if obj.APIVersion != "monitoring.coreos.com/v1" || obj.Kind != "PrometheusRule" {
		return nil, fmt.Errorf("%s: %s %s, want a monitoring.coreos.com/v1 PrometheusRule", path, obj.APIVersion, obj.Kind)
	}
	if len(obj.Spec) == 0 {
		return nil, fmt.Errorf("%s: empty spec", path)
	}
	return yaml.Marshal(obj.Spec)
}

// Groups returns the rule groups of the PrometheusRule at path.
func Groups(path string) ([]Group, error) {
	file, err := RuleFile(path)
	if err != nil {
		return nil, err
	}
	var spec struct {
		Groups []Group `json:"groups"`
	}
	if err := yaml.UnmarshalStrict(file, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return spec.Groups, nil
}

// Query is a PromQL expression of the dashboard, with Grafana's variables
// replaced by values PromQL parses.
type Query struct {
	// Where names the panel and target, or the variable.
	Where string
	Expr  string
}

// DashboardQueries returns every PromQL expression of the dashboard at
// path: panel targets (rows' nested panels included) and the queries of
// query variables (label_values(<expr>, label) gives <expr>).
func DashboardQueries(path string) ([]Query, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	type panel struct {
		ID      int    `json:"id"`
		Title   string `json:"title"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
		Panels []json.RawMessage `json:"panels"`
	}
	var dash struct {
		Panels     []json.RawMessage `json:"panels"`
		Templating struct {
			List []struct {
				Name  string          `json:"name"`
				Type  string          `json:"type"`
				Query json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(doc, &dash); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []Query
	var walk func([]json.RawMessage) error
	walk = func(raw []json.RawMessage) error {
		for _, r := range raw {
			var p panel
			if err := json.Unmarshal(r, &p); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			for _, t := range p.Targets {
				if t.Expr == "" {
					return fmt.Errorf("%s: panel %d (%s) target %s has no expr", path, p.ID, p.Title, t.RefID)
				}
				out = append(out, Query{Where: fmt.Sprintf("panel %d (%s) target %s", p.ID, p.Title, t.RefID), Expr: substitute(t.Expr)})
			}
			if err := walk(p.Panels); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(dash.Panels); err != nil {
		return nil, err
	}
	for _, v := range dash.Templating.List {
		if v.Type != "query" {
			continue
		}
		// Grafana stores a variable's query as a string or as an object.
		var q string
		if err := json.Unmarshal(v.Query, &q); err != nil {
			var obj struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &obj); err != nil {
				return nil, fmt.Errorf("%s: variable %s: %w", path, v.Name, err)
			}
			q = obj.Query
		}
		if expr, ok := variableExpr(q); ok {
			out = append(out, Query{Where: "variable " + v.Name, Expr: substitute(expr)})
		}
	}
	return out, nil
}

var (
	labelValues = regexp.MustCompile(`^\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$`)
	queryResult = regexp.MustCompile(`^\s*query_result\((.*)\)\s*$`)
	// Grafana variables: $name, ${name} and ${name:format}; $1 in a
	// label_replace replacement is PromQL's and stays.
	variable = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+)?\}|([A-Za-z_][A-Za-z0-9_]*))`)
)

// variableExpr returns the PromQL inside a Grafana variable query.
func variableExpr(q string) (string, bool) {
	for _, re := range []*regexp.Regexp{labelValues, queryResult} {
		if m := re.FindStringSubmatch(q); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// Variable stands for a value only known when the query runs (a Grafana
// variable, an alert template's %s): valid in a label matcher's string or
// regular expression, where those are used, and never a real label value.
const Variable = "PORTICO_VARIABLE"

// substitute replaces Grafana's interval variables by a duration and every
// other variable by Variable.
func substitute(expr string) string {
	return variable.ReplaceAllStringFunc(expr, func(v string) string {
		if strings.HasPrefix(strings.TrimLeft(v, "${"), "__") {
			return "5m"
		}
		return Variable
	})
}

// DashboardRuleFile returns a rule file with one recording rule per query,
// so promtool parses the dashboard's expressions with Prometheus's own
// parser (the rules are checked, never loaded).
func DashboardRuleFile(queries []Query) ([]byte, error) {
	g := Group{Name: "portico-dashboard"}
	for i, q := range queries {
		g.Rules = append(g.Rules, Rule{Record: fmt.Sprintf("portico_dashboard:query_%d", i+1), Expr: q.Expr})
	}
	return yaml.Marshal(map[string][]Group{"groups": {g}})
}

// PromQL words that are not metric names. Functions are recognised by the
// "(" after them; aggregations also take "by" or "without" first.
var (
	keywords = set("and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
		"bool", "offset", "inf", "nan")
	labelLists   = set("by", "without", "on", "ignoring", "group_left", "group_right")
	aggregations = set("sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk",
		"count_values", "quantile", "limitk", "limit_ratio")
	matcher = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"`)
)

func set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[w] = true
	}
	return m
}

// Selector is a vector selector of an expression: the metric name and its
// equality matchers (label → value; Variable values left out).
type Selector struct {
	Name  string
	Equal map[string]string
}

// Selectors returns the vector selectors of expr in order. It is a
// tokenizer, not a parser: expr is assumed valid (promtool checks that),
// so only strings, label matchers, ranges, label lists and function names
// need telling apart.
func Selectors(expr string) []Selector {
	var out []Selector
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isIdent := func(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
	skipString := func(i int) int { // i at the opening quote; returns the index after the closing one
		q := expr[i]
		for i++; i < len(expr) && expr[i] != q; i++ {
			if expr[i] == '\\' && q != '`' {
				i++
			}
		}
		return i + 1
	}
	// skipTo returns the index after the bracket closing the one at i,
	// stepping over strings.
	skipTo := func(i int, closing byte) int {
		for i++; i < len(expr) && expr[i] != closing; {
			if c := expr[i]; c == '"' || c == '\'' || c == '`' {
				i = skipString(i)
			} else {
				i++
			}
		}
		return min(i+1, len(expr))
	}
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	next := func(i int) byte { // the next non-space byte at or after i
		for i < len(expr) && space(expr[i]) {
			i++
		}
		if i < len(expr) {
			return expr[i]
		}
		return 0
	}
	// attached is the selector a "{" right after a metric name belongs to.
	attached := -1
	for i := 0; i < len(expr); {
		c := expr[i]
		if !space(c) && c != '{' {
			attached = -1
		}
		switch {
		case space(c):
			i++
		case c == '#':
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			i = skipString(i)
		case c == '{':
			end := skipTo(i, '}')
			sel := Selector{Equal: map[string]string{}}
			for _, m := range matcher.FindAllStringSubmatch(expr[i:end], -1) {
				switch {
				case m[1] == "__name__" && m[2] == "=":
					sel.Name = m[3]
				case m[2] == "=" && !strings.Contains(m[3], Variable):
					sel.Equal[m[1]] = m[3]
				}
			}
			if attached >= 0 {
				maps.Copy(out[attached].Equal, sel.Equal)
			} else if sel.Name != "" {
				out = append(out, sel)
			}
			attached = -1
			i = end
		case c == '[':
			i = skipTo(i, ']')
		case c >= '0' && c <= '9' || c == '.':
			// Numbers and durations: 1e-3, 0x1f, 1h30m.
			i++
			for i < len(expr) && (isIdent(expr[i]) || expr[i] == '.' ||
				(expr[i] == '-' || expr[i] == '+') && (expr[i-1] == 'e' || expr[i-1] == 'E')) {
				i++
			}
		case isIdentStart(c):
			start := i
			for i < len(expr) && isIdent(expr[i]) {
				i++
			}
			word := expr[start:i]
			lower := strings.ToLower(word)
			switch {
			case labelLists[lower] && next(i) == '(':
				for expr[i] != '(' {
					i++
				}
				i = skipTo(i, ')')
			case keywords[lower] || aggregations[lower] || next(i) == '(':
			default:
				out = append(out, Selector{Name: word, Equal: map[string]string{}})
				attached = len(out) - 1
			}
		default:
			i++
		}
	}
	return out
}
