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

package importer

import (
	"os"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/crdschema"
)

// TestImportZeroMaxUnavailable: a DaemonSet whose rolling update lets no
// pod be unavailable could never roll (it has no surge pod); the CRD
// refuses that value, so the import drops it with the reason instead of
// writing a gateway the API server refuses.
func TestImportZeroMaxUnavailable(t *testing.T) {
	b, err := os.ReadFile("../cli/testdata/import/helm-daemonset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := strings.Replace(string(b), "rollingUpdate: {maxUnavailable: 2}", "rollingUpdate: {maxUnavailable: 0}", 1)
	if in == string(b) {
		t.Fatal("the fixture no longer sets maxUnavailable: 2")
	}
	var objs []*unstructured.Unstructured
	for _, doc := range strings.Split(in, "\n---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
	res, err := Import(objs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Gateway.Spec.Workload.MaxUnavailable != nil {
		t.Errorf("maxUnavailable %s was carried over", res.Gateway.Spec.Workload.MaxUnavailable.String())
	}
	found := false
	for _, d := range res.Report.Dropped {
		if d.What == "maxUnavailable 0" && strings.Contains(d.Why, "no surge pod") {
			found = true
		}
	}
	if !found {
		t.Errorf("the report does not say why maxUnavailable 0 was dropped: %+v", res.Report.Dropped)
	}
	out, err := yaml.Marshal(res.Gateway)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crdschema.Decode(out); err != nil {
		t.Errorf("the imported gateway fails the CRD: %v", err)
	}
}
