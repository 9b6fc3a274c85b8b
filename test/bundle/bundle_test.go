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

// Package bundle validates the checked-in OLM bundle (../../bundle) with
// the operator-framework validators, as `operator-sdk bundle validate
// --select-optional suite=operatorframework` does, without the binary. It is
// its own module so that github.com/operator-framework/api and its
// Kubernetes libraries never change the operator's dependencies; `make test`
// runs it.
package bundle

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/validation"
	"github.com/operator-framework/api/pkg/validation/errors"
	validator "github.com/operator-framework/api/pkg/validation/interfaces"
	"sigs.k8s.io/yaml"
)

const bundleDir = "../../bundle"

// allowed are validator warnings the bundle keeps on purpose, each with
// the reason. Every entry must still occur (a stale entry fails the test),
// so the list only shrinks by being edited.
var allowed = []struct{ contains, reason string }{}

// validators are the default bundle validators plus the operatorframework
// suite (operator-sdk's --select-optional suite=operatorframework) and the
// object validator.
func validators() validator.Validators {
	return validation.DefaultBundleValidators.WithValidators(
		validation.GoodPracticesValidator,
		validation.OperatorHubV2Validator,
		validation.StandardCapabilitiesValidator,
		validation.StandardCategoriesValidator,
		validation.AlphaDeprecatedAPIsValidator,
		validation.ObjectValidator,
	)
}

// validate loads the bundle in dir and runs every validator, with
// k8s-version set to the CSV's minKubeVersion (major.minor): deprecated or
// removed APIs are judged against the oldest cluster the bundle installs on.
func validate(t *testing.T, dir string) (errs, warns []errors.Error) {
	t.Helper()
	b, err := manifests.GetBundleFromDir(dir)
	if err != nil {
		t.Fatalf("load bundle %s: %v", dir, err)
	}
	if b.CSV == nil {
		t.Fatalf("bundle %s: no ClusterServiceVersion", dir)
	}
	parts := strings.Split(b.CSV.Spec.MinKubeVersion, ".")
	if len(parts) < 2 {
		t.Fatalf("CSV minKubeVersion %q: want major.minor.patch", b.CSV.Spec.MinKubeVersion)
	}
	objs := append(b.ObjectsToValidate(), map[string]string{"k8s-version": parts[0] + "." + parts[1]})
	for _, r := range validators().Validate(objs...) {
		errs = append(errs, r.Errors...)
		warns = append(warns, r.Warnings...)
	}
	return errs, warns
}

func TestBundlePassesValidators(t *testing.T) {
	errs, warns := validate(t, bundleDir)
	for _, e := range errs {
		t.Errorf("validator error: %v", e)
	}
	used := make([]bool, len(allowed))
	unexpected := 0
	for _, w := range warns {
		ok := false
		for i, a := range allowed {
			if strings.Contains(w.Error(), a.contains) {
				used[i], ok = true, true
				t.Logf("allowed warning (%s): %v", a.reason, w)
			}
		}
		if !ok {
			unexpected++
			t.Errorf("validator warning: %v", w)
		}
	}
	for i, a := range allowed {
		if !used[i] {
			t.Errorf("allow-list entry %q matched no warning: remove it", a.contains)
		}
	}
	t.Logf("validators: %d errors, %d warnings (%d allow-listed)", len(errs), len(warns), len(warns)-unexpected)
}

// TestBrokenBundleFails proves the validators see what they should: a copy
// of the bundle with known defects must fail with each of them.
func TestBrokenBundleFails(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, bundleDir, dir)
	csvPath := filepath.Join(dir, "manifests", "portico.clusterserviceversion.yaml")
	csv := map[string]any{}
	readYAML(t, csvPath, &csv)
	spec := csv["spec"].(map[string]any)
	meta := csv["metadata"].(map[string]any)
	ann := meta["annotations"].(map[string]any)
	// An example of a kind the CSV does not own, a category outside the standard list and a capability level that does
	// not exist.
	ann["alm-examples"] = `[{"apiVersion":"example.com/v1","kind":"Unowned","metadata":{"name":"x"}}]`
	ann["categories"] = "Ingress Magic"
	ann["capabilities"] = "Self Driving"
	install := spec["install"].(map[string]any)["spec"].(map[string]any)
	// RBAC that manages CRDs (a good-practices warning).
	install["clusterPermissions"] = append(install["clusterPermissions"].([]any), map[string]any{
		"serviceAccountName": "portico-controller-manager",
		"rules":              []any{map[string]any{"apiGroups": []any{"apiextensions.k8s.io"}, "resources": []any{"customresourcedefinitions"}, "verbs": []any{"create"}}},
	})
	writeYAML(t, csvPath, csv)
	// An API removed before our minimum Kubernetes version.
	pdb := "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: old\nspec:\n  maxUnavailable: 1\n"
	if err := os.WriteFile(filepath.Join(dir, "manifests", "old_pdb.yaml"), []byte(pdb), 0o644); err != nil {
		t.Fatal(err)
	}

	errs, warns := validate(t, dir)
	all := slices.Concat(errs, warns)
	for _, want := range []string{"Unowned", "Ingress Magic", "Self Driving", "permissions to create CRD", "removed in v1.25", "should have an example"} {
		found := false
		for _, e := range all {
			if strings.Contains(e.Error(), want) {
				found = true
			}
		}
		if !found {
			t.Errorf("no validator result mentions %q; results: %v", want, all)
		}
	}
	if len(errs) == 0 {
		t.Errorf("a bundle with a foreign example and a removed API passed without errors")
	}
}

// TestAnnotationsMatchDockerfile checks what operator-registry's format
// check would (annotations.yaml keys) and that bundle.Dockerfile carries
// the same labels, since both are what OLM reads depending on how the
// bundle is served.
func TestAnnotationsMatchDockerfile(t *testing.T) {
	var f struct {
		Annotations map[string]string `json:"annotations"`
	}
	readYAML(t, filepath.Join(bundleDir, "metadata", "annotations.yaml"), &f)
	for _, k := range []string{
		"operators.operatorframework.io.bundle.mediatype.v1",
		"operators.operatorframework.io.bundle.manifests.v1",
		"operators.operatorframework.io.bundle.metadata.v1",
		"operators.operatorframework.io.bundle.package.v1",
		"operators.operatorframework.io.bundle.channels.v1",
	} {
		if f.Annotations[k] == "" {
			t.Errorf("annotations.yaml: %s missing", k)
		}
	}
	if def := f.Annotations["operators.operatorframework.io.bundle.channel.default.v1"]; def != "" &&
		!contains(strings.Split(f.Annotations["operators.operatorframework.io.bundle.channels.v1"], ","), def) {
		t.Errorf("default channel %q is not one of the channels", def)
	}
	docker, err := os.ReadFile(filepath.Join(bundleDir, "..", "bundle.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range f.Annotations {
		if !strings.Contains(string(docker), "LABEL "+k+"="+v+"\n") {
			t.Errorf("bundle.Dockerfile lacks LABEL %s=%s", k, v)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func writeYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
