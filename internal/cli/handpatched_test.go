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

package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHandPatchedDocRenders renders every YAML block of
// docs/hand-patched.md with portico render, class and grants included, so
// the replacements it shows are what the operator accepts, and checks the
// objects that replace each hand patch.
func TestHandPatchedDocRenders(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "hand-patched.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(doc, -1)
	want := [][]string{
		{"# IngressGateway ingress/public", "hostNetwork: true", "--default-ssl-certificate=certs/wildcard",
			"name: nginx\nspec:\n  controller: portico.dev/ingress.public", "ingressclass.kubernetes.io/is-default-class: \"true\""},
		{"# IngressGateway kube-system/nginx", "kind: Deployment", "--default-backend-service=kube-system/default-http-backend",
			`"9000": default/example-go:8080`, "port: 9000", "kind: PodDisruptionBudget"},
		{"# IngressGateway ingress/edge", "priorities: |\n    node1 110\n    * 100", "priority @PRIORITY@", "advert_int 1\n",
			"auth_type PASS", "name: VRRP_PASSWORD"},
	}
	if len(blocks) != len(want) {
		t.Fatalf("%d yaml blocks in docs/hand-patched.md, the test checks %d", len(blocks), len(want))
	}
	dir := t.TempDir()
	for i, b := range blocks {
		f := filepath.Join(dir, "block.yaml")
		if err := os.WriteFile(f, b[1], 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := run(t, "render", "-f", f)
		if code != 0 {
			t.Errorf("block %d: exit %d: %s", i+1, code, errOut)
			continue
		}
		for _, w := range want[i] {
			if !strings.Contains(out, w) {
				t.Errorf("block %d: output lacks %q", i+1, w)
			}
		}
	}
}
