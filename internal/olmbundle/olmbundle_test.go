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

package olmbundle

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/manager"
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// TestCheckedInBundleIsCurrent fails when bundle/ or catalog/ drifted from
// what make bundle generates.
func TestCheckedInBundleIsCurrent(t *testing.T) {
	files, err := Generate(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	if stale := files.Diff(repoRoot()); len(stale) > 0 {
		t.Errorf("bundle and catalog are stale (run make bundle and commit): %v", stale)
	}
}

// csvOf generates the bundle and returns its CSV.
func csvOf(t *testing.T) map[string]any {
	t.Helper()
	files, err := Generate(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	csv := map[string]any{}
	if err := yaml.Unmarshal(files["bundle/manifests/portico.clusterserviceversion.yaml"], &csv); err != nil {
		t.Fatal(err)
	}
	return csv
}

func get(t *testing.T, m any, path ...string) any {
	t.Helper()
	for _, p := range path {
		mm, ok := m.(map[string]any)
		if !ok {
			t.Fatalf("%v: not an object at %s", path, p)
		}
		m = mm[p]
	}
	return m
}

func TestCSV(t *testing.T) {
	csv := csvOf(t)
	rel, err := LoadRelease(filepath.Join(repoRoot(), ReleaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, csv, "metadata", "name"); got != "portico.v"+rel.Version {
		t.Errorf("name %v", got)
	}
	modes := map[string]bool{}
	for _, m := range get(t, csv, "spec", "installModes").([]any) {
		modes[m.(map[string]any)["type"].(string)] = m.(map[string]any)["supported"].(bool)
	}
	if !modes["AllNamespaces"] {
		t.Errorf("installModes %v: AllNamespaces must be supported", modes)
	}

	By := func(s string) { t.Log(s) }
	By("alm-examples: every sample IngressGateway")
	var examples []map[string]any
	if err := json.Unmarshal([]byte(get(t, csv, "metadata", "annotations", "alm-examples").(string)), &examples); err != nil {
		t.Fatal(err)
	}
	sampleFiles, _ := filepath.Glob(filepath.Join(repoRoot(), "config", "samples", "*.yaml"))
	var want []string
	for _, f := range sampleFiles {
		b, _ := os.ReadFile(f)
		for _, doc := range strings.Split(string(b), "\n---\n") {
			var o map[string]any
			_ = yaml.Unmarshal([]byte(doc), &o)
			if k, ok := o["kind"].(string); ok && strings.HasPrefix(k, "IngressGateway") {
				want = append(want, k+"/"+o["metadata"].(map[string]any)["name"].(string))
			}
		}
	}
	var got []string
	for _, e := range examples {
		got = append(got, e["kind"].(string)+"/"+e["metadata"].(map[string]any)["name"].(string))
	}
	// The install's default class (config/class) and the grant example are
	// examples too.
	want = append(want, "IngressGatewayClass/default", "IngressGatewayGrant/ingress-gateways")
	slices.Sort(want)
	slices.Sort(got)
	if len(want) < 5 || !slices.Equal(got, want) {
		t.Errorf("alm-examples %v, samples %v", got, want)
	}

	By("relatedImages pinned by digest, and the manager's RELATED_IMAGE_* env")
	images := map[string]string{}
	for _, r := range get(t, csv, "spec", "relatedImages").([]any) {
		r := r.(map[string]any)
		images[r["name"].(string)] = r["image"].(string)
		if !digestRE.MatchString(r["image"].(string)) {
			t.Errorf("relatedImage %v not pinned by digest", r)
		}
	}
	if images["portico"] != rel.Images.Operator || images["ingress-nginx"] != rel.Images.IngressNginx || images["keepalived"] != rel.Images.Keepalived {
		t.Errorf("relatedImages %v", images)
	}
	deps := get(t, csv, "spec", "install", "spec", "deployments").([]any)
	if len(deps) != 1 {
		t.Fatalf("deployments %d", len(deps))
	}
	pod := get(t, deps[0], "spec", "template", "spec").(map[string]any)
	c := pod["containers"].([]any)[0].(map[string]any)
	env := map[string]string{}
	for _, e := range c["env"].([]any) {
		e := e.(map[string]any)
		if v, ok := e["value"].(string); ok {
			env[e["name"].(string)] = v
		}
	}
	if env[manager.ImageEnv] != rel.Images.IngressNginx || env[manager.KeepalivedImageEnv] != rel.Images.Keepalived {
		t.Errorf("manager env %v: want %s and %s from the release", env, manager.ImageEnv, manager.KeepalivedImageEnv)
	}
	if c["image"] != rel.Images.Operator {
		t.Errorf("manager image %v", c["image"])
	}

	By("OLM provides the webhook certificate: external mode, no certificate volume")
	args := c["args"].([]any)
	if !slices.Contains(args, any("--webhook-cert-mode=external")) {
		t.Errorf("manager args %v: want --webhook-cert-mode=external", args)
	}
	for _, m := range c["volumeMounts"].([]any) {
		if p := m.(map[string]any)["mountPath"].(string); strings.HasPrefix(p, manager.DefaultWebhookCertDir) || strings.Contains(p, "serving-certs") {
			t.Errorf("manager mounts %s, where OLM mounts its certificate", p)
		}
	}
	hooks := get(t, csv, "spec", "webhookdefinitions").([]any)
	if len(hooks) != 2 {
		t.Fatalf("webhookdefinitions %v", hooks)
	}
	for i, path := range []string{"/validate-ingress-portico-dev-v1alpha1-ingressgateway", "/validate-ingress-portico-dev-v1alpha1-ingressgatewayclass"} {
		h := hooks[i].(map[string]any)
		if h["deploymentName"] != "portico-controller-manager" || h["type"] != "ValidatingAdmissionWebhook" ||
			h["webhookPath"] != path || h["targetPort"] != float64(manager.DefaultWebhookPort) {
			t.Errorf("webhookdefinition %v", h)
		}
	}

	By("a spec or status descriptor for every field of the CRD")
	all := get(t, csv, "spec", "customresourcedefinitions", "owned").([]any)
	if len(all) != 3 {
		t.Fatalf("owned: %d CRDs, want IngressGateway, IngressGatewayClass and IngressGatewayGrant", len(all))
	}
	// The gateway's entry is checked in full below.
	owned := slices.DeleteFunc(slices.Clone(all), func(o any) bool { return o.(map[string]any)["kind"] != "IngressGateway" })
	paths := func(key string) map[string]bool {
		out := map[string]bool{}
		for _, d := range owned[0].(map[string]any)[key].([]any) {
			d := d.(map[string]any)
			out[d["path"].(string)] = true
			if d["description"] == "" || d["displayName"] == "" {
				t.Errorf("descriptor %v lacks description or displayName", d)
			}
		}
		return out
	}
	specPaths, statusPaths := paths("specDescriptors"), paths("statusDescriptors")
	crd := &apiextensionsv1.CustomResourceDefinition{}
	b, err := os.ReadFile(filepath.Join(repoRoot(), "config", "crd", "bases", "ingress.portico.dev_ingressgateways.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, crd); err != nil {
		t.Fatal(err)
	}
	schema := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties
	for _, p := range []string{"vip.advertIntervalMilliseconds", "tcp[0].backend.port", "workload.hostNetwork", "defaultCertificate.secretRef.name", "ports.sslPassthroughProxy"} {
		if !specPaths[p] {
			t.Errorf("no spec descriptor for %s", p)
		}
	}
	for _, p := range []string{"conditions", "vip.holder", "replicas.ready", "defaultCertificate.notAfter"} {
		if !statusPaths[p] {
			t.Errorf("no status descriptor for %s", p)
		}
	}
	for name := range schema["spec"].Properties {
		if !specPaths[name] {
			t.Errorf("no spec descriptor for top-level field %s", name)
		}
	}
	for name := range schema["status"].Properties {
		if !statusPaths[name] {
			t.Errorf("no status descriptor for top-level field %s", name)
		}
	}
	if res := owned[0].(map[string]any)["resources"].([]any); len(res) < 10 {
		t.Errorf("owned resources %v", res)
	}
	if get(t, csv, "spec", "minKubeVersion") != rel.MinKubeVersion {
		t.Errorf("minKubeVersion")
	}
}

func TestReleaseRejectsBadInput(t *testing.T) {
	rel, err := LoadRelease(filepath.Join(repoRoot(), ReleaseFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*Release){
		"images.keepalived": func(r *Release) { r.Images.Keepalived = "ghcr.io/portico-dev/keepalived:2.2.7" },
		"images.operator":   func(r *Release) { r.Images.Operator = "portico:latest" },
		"version":           func(r *Release) { r.Version = "v1.0" },
		"channel":           func(r *Release) { r.Channels = []string{"alpha"}; r.DefaultChannel = "alpha" },
		"defaultChannel":    func(r *Release) { r.DefaultChannel = "fast" },
		"replaces":          func(r *Release) { r.Replaces = "other.v0.0.1" },
		"minKubeVersion":    func(r *Release) { r.MinKubeVersion = "1.31" },
	} {
		r := rel
		r.Channels = slices.Clone(rel.Channels)
		mutate(&r)
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v, want an error naming it", name, err)
		}
		if _, err := GenerateRelease(repoRoot(), r); err == nil {
			t.Errorf("%s: GenerateRelease accepted a bad release", name)
		}
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"advertIntervalMilliseconds": "Advert Interval Milliseconds",
		"virtualRouterID":            "Virtual Router ID",
		"vip":                        "VIP",
		"sslPassthroughProxy":        "SSL Passthrough Proxy",
		"tcp":                        "TCP",
		"garpRefreshSeconds":         "Garp Refresh Seconds",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSamplesSayWhatTheyReplace: every sample opens with a comment naming
// the hand-made setup it replaces (the tutorials' scenarios).
func TestSamplesSayWhatTheyReplace(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repoRoot(), "config", "samples", "*.yaml"))
	n := 0
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		n++
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "# Replaces ") {
			t.Errorf("%s: start with a comment saying what it replaces (# Replaces …)", filepath.Base(f))
		}
	}
	if n < 5 {
		t.Errorf("found %d samples, want one per tutorial scenario (5)", n)
	}
}

// TestShippedImagesArePinned: the kustomize install runs the release's
// operator image by digest, and nothing shipped or documented points at a
// moving tag or branch.
func TestShippedImagesArePinned(t *testing.T) {
	root := repoRoot()
	var kust struct {
		Images []struct{ Name, NewName, NewTag, Digest string } `json:"images"`
	}
	b, err := os.ReadFile(filepath.Join(root, "config", "manager", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &kust); err != nil {
		t.Fatal(err)
	}
	var rel struct {
		Images struct{ Operator string } `json:"images"`
	}
	b, err = os.ReadFile(filepath.Join(root, "config", "manifests", "release.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &rel); err != nil {
		t.Fatal(err)
	}
	if len(kust.Images) != 1 || kust.Images[0].NewTag != "" || kust.Images[0].Digest == "" ||
		!strings.HasPrefix(rel.Images.Operator, kust.Images[0].NewName+":") || !strings.HasSuffix(rel.Images.Operator, "@"+kust.Images[0].Digest) {
		t.Errorf("config/manager images %+v must pin the release's operator image %s by digest", kust.Images, rel.Images.Operator)
	}
	var files []string
	for _, dir := range []string{"config", "docs", "bundle", "catalog"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".md")) {
				files = append(files, p)
			}
			return nil
		})
	}
	files = append(files, filepath.Join(root, "README.md"), filepath.Join(root, "Makefile"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{":latest", "ref=main"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s mentions %q: pin a release (tag and digest) instead", f, bad)
			}
		}
	}
}
