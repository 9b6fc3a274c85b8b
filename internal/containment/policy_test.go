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

package containment_test

import (
	"path/filepath"
	"testing"

	"github.com/portico-dev/portico/internal/containment"
	"github.com/portico-dev/portico/internal/golden"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// TestPolicyManifest keeps config/policy in step with the rules.
func TestPolicyManifest(t *testing.T) {
	y, err := containment.PolicyYAML()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join(testenv.RepoRoot(), "config", "policy", "operator_policy.yaml"), y)
}

// TestEveryRenderedKindHasARule: a kind the operator writes without a
// policy rule would be an unconfined write.
func TestEveryRenderedKindHasARule(t *testing.T) {
	rules := map[string]containment.Rule{}
	for _, r := range containment.Rules {
		rules[r.Kind] = r
		if (r.CEL == "") == (r.Why == "") {
			t.Errorf("%s: exactly one of CEL and Why", r.Kind)
		}
	}
	for _, k := range render.ManagedKinds {
		r, ok := rules[k.GVK.Kind]
		switch {
		case !ok:
			t.Errorf("the operator writes %s, which no containment rule covers", k.GVK.Kind)
		case r.Group != k.GVK.Group || r.Namespaced != k.Namespaced:
			t.Errorf("%s: rule says group %q namespaced %v, the renderer %q %v", k.GVK.Kind, r.Group, r.Namespaced, k.GVK.Group, k.Namespaced)
		}
	}
}
