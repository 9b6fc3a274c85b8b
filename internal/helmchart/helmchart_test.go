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

package helmchart_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/helmchart"
	"github.com/portico-dev/portico/internal/kustomize"
)

const root = "../.."

// TestChartIsCurrent: charts/portico is what the generator makes of
// config/ today (run make helm-chart after changing config/).
func TestChartIsCurrent(t *testing.T) {
	files, err := helmchart.Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range files {
		got, err := os.ReadFile(filepath.Join(root, helmchart.Dir, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/%s is stale or missing: run make helm-chart", helmchart.Dir, rel)
		}
	}
}

// helm returns the Helm binary make test builds (hack/helm.sh); without
// PORTICO_HELM the tests that run Helm skip.
func helm(t *testing.T) string {
	t.Helper()
	h := os.Getenv("PORTICO_HELM")
	if h == "" {
		t.Skip("PORTICO_HELM is not set (make test builds Helm with hack/helm.sh and sets it)")
	}
	if _, err := os.Stat(h); err != nil {
		t.Fatalf("PORTICO_HELM=%s: %v", h, err)
	}
	return h
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	// Helm keeps nothing of its own here: no repositories, no cache.
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

func objects(t *testing.T, text string) map[string]*unstructured.Unstructured {
	t.Helper()
	out := map[string]*unstructured.Unstructured{}
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(text), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			break
		}
		if len(u.Object) == 0 {
			continue
		}
		out[u.GetKind()+"/"+u.GetNamespace()+"/"+u.GetName()] = u
	}
	return out
}

// TestLintAndTemplate: helm lint passes with every option on and off, and
// with default values the chart renders exactly config/default (less its
// Namespace, which helm install --create-namespace makes).
func TestLintAndTemplate(t *testing.T) {
	h := helm(t)
	chart := filepath.Join(root, helmchart.Dir)
	run(t, h, "lint", "--strict", chart)
	run(t, h, "lint", "--strict", chart, "--set", "webhook.certManager.enabled=true,serviceMonitor.enabled=true,alerts.enabled=true,grafanaDashboard.enabled=true,dataPlane.keepalivedImage=example.org/keepalived@sha256:"+strings.Repeat("1", 64))

	rendered := objects(t, run(t, h, "template", "portico", chart, "--namespace", "portico-system", "--include-crds"))
	built, err := kustomize.Build(filepath.Join(root, "config", "default"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*unstructured.Unstructured{}
	for _, o := range built {
		if o.GetKind() != "Namespace" {
			want[o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName()] = o
		}
	}
	if len(rendered) != len(want) {
		t.Errorf("helm template: %d objects, config/default: %d", len(rendered), len(want))
	}
	for k, w := range want {
		g, ok := rendered[k]
		if !ok {
			t.Errorf("helm template lacks %s", k)
			continue
		}
		// The default class is a post-install hook (see Generate): the
		// hook annotations are the one difference.
		if g.GetKind() == "IngressGatewayClass" && g.GetName() == "default" {
			g = g.DeepCopy()
			ann := g.GetAnnotations()
			if ann["helm.sh/hook"] != "post-install,post-upgrade" {
				t.Errorf("the default class is not a post-install hook: %v", ann)
			}
			delete(ann, "helm.sh/hook")
			delete(ann, "helm.sh/hook-delete-policy")
			if len(ann) == 0 {
				ann = nil
			}
			g.SetAnnotations(ann)
		}
		// Compare as JSON values: YAML numbers decode as int64 or float64.
		if diff := cmp.Diff(normalize(t, w.Object), normalize(t, g.Object)); diff != "" {
			t.Errorf("%s differs from config/default (-config +chart):\n%s", k, diff)
		}
	}
	ns := run(t, h, "template", "portico", chart, "--namespace", "edge-system")
	if strings.Contains(ns, "portico-system") {
		t.Error("a release in edge-system still names portico-system")
	}
}

func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := yaml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestValues: each value reaches the object it configures.
func TestValues(t *testing.T) {
	h := helm(t)
	chart := filepath.Join(root, helmchart.Dir)
	keep := "example.org/keepalived@sha256:" + strings.Repeat("1", 64)
	out := run(t, h, "template", "portico", chart, "--namespace", "ops",
		"--set", "image.repository=mirror.example/portico,image.digest=sha256:"+strings.Repeat("2", 64),
		"--set", "dataPlane.keepalivedImage="+keep+",webhook.certManager.enabled=true",
		"--set", "serviceMonitor.enabled=true,alerts.enabled=true,defaultClass.enabled=false")
	objs := objects(t, out)
	for _, want := range []string{
		`image: "mirror.example/portico@sha256:` + strings.Repeat("2", 64) + `"`,
		"name: RELATED_IMAGE_KEEPALIVED\n          value: \"" + keep + "\"",
		"- --webhook-cert-mode=external",
		"cert-manager.io/inject-ca-from: ops/portico-webhook-server-cert",
		"secretName: portico-webhook-server-cert",
		"- portico-webhook-service.ops.svc",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered chart lacks %q", want)
		}
	}
	// The alerts' own {{ $labels… }} templates survive Helm's templating.
	prom, err := kustomize.Build(filepath.Join(root, "config", "prometheus"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range prom {
		g := objs[o.GetKind()+"/ops/"+o.GetName()]
		if g == nil {
			t.Errorf("alerts.enabled and serviceMonitor.enabled render no %s %s", o.GetKind(), o.GetName())
			continue
		}
		if diff := cmp.Diff(normalize(t, o.Object["spec"]), normalize(t, g.Object["spec"])); diff != "" {
			t.Errorf("%s %s spec differs from config/prometheus (-config +chart):\n%s", o.GetKind(), o.GetName(), diff)
		}
	}
	for _, k := range []string{"Certificate/ops/portico-webhook-server-cert", "Issuer/ops/portico-selfsigned", "ServiceMonitor/ops/portico-controller-manager-metrics"} {
		if objs[k] == nil {
			t.Errorf("rendered chart lacks %s", k)
		}
	}
	for _, o := range objs {
		if o.GetKind() == "IngressGatewayClass" {
			t.Error("defaultClass.enabled=false still renders the class")
		}
	}
	if !strings.Contains(run(t, h, "template", "portico", chart), "kind: IngressGatewayClass") {
		t.Error("the default values render no IngressGatewayClass")
	}
}

// TestDashboard: grafanaDashboard.enabled ships config/grafana's dashboard
// unchanged, for Grafana's sidecar.
func TestDashboard(t *testing.T) {
	h := helm(t)
	want, err := os.ReadFile(filepath.Join(root, "config", "grafana", "portico-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	objs := objects(t, run(t, h, "template", "portico", filepath.Join(root, helmchart.Dir), "--namespace", "ops", "--set", "grafanaDashboard.enabled=true"))
	cm := objs["ConfigMap/ops/portico-dashboard"]
	if cm == nil {
		t.Fatal("no ConfigMap portico-dashboard")
	}
	if cm.GetLabels()["grafana_dashboard"] != "1" {
		t.Error("the dashboard ConfigMap lacks grafana_dashboard: \"1\"")
	}
	got, _, _ := unstructured.NestedString(cm.Object, "data", "portico-dashboard.json")
	if strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Error("the dashboard in the chart differs from config/grafana/portico-dashboard.json")
	}
}

// TestGatewayDefaultsPolicy: the MutatingAdmissionPolicy of
// config/gateway-defaults is rendered only where the API server serves the
// kind (Kubernetes 1.36+) and the value leaves it on, as config has it.
func TestGatewayDefaultsPolicy(t *testing.T) {
	h := helm(t)
	chart := filepath.Join(root, helmchart.Dir)
	built, err := kustomize.Build(filepath.Join(root, "config", "gateway-defaults"))
	if err != nil {
		t.Fatal(err)
	}
	served := []string{"--api-versions", "admissionregistration.k8s.io/v1/MutatingAdmissionPolicy",
		"--api-versions", "admissionregistration.k8s.io/v1/MutatingAdmissionPolicyBinding"}
	objs := objects(t, run(t, h, append([]string{"template", "portico", chart, "--namespace", "ops"}, served...)...))
	for _, o := range built {
		g := objs[o.GetKind()+"//"+o.GetName()]
		if g == nil {
			t.Errorf("a 1.36 API server: the chart renders no %s %s", o.GetKind(), o.GetName())
			continue
		}
		if diff := cmp.Diff(normalize(t, o.Object), normalize(t, g.Object)); diff != "" {
			t.Errorf("%s differs from config/gateway-defaults (-config +chart):\n%s", o.GetKind(), diff)
		}
	}
	off := objects(t, run(t, h, append([]string{"template", "portico", chart, "--set", "gatewayDefaultsPolicy.enabled=false"}, served...)...))
	for k := range off {
		if strings.HasPrefix(k, "MutatingAdmissionPolicy") {
			t.Errorf("gatewayDefaultsPolicy.enabled=false still renders %s", k)
		}
	}
}
