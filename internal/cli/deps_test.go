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
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderAdviceNamesItsOwnFlags: a gateway with spec.vip, no keepalived
// image and a class without one fails to render with advice naming
// --default-keepalived-image, and `portico render` has that flag (bound by
// render.BindFlags, as the operator's), so following the advice works.
func TestRenderAdviceNamesItsOwnFlags(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", "vip-failover.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, "keepalivedImage:") {
			kept = append(kept, l)
		}
	}
	f := filepath.Join(t.TempDir(), "vip.yaml")
	if err := os.WriteFile(f, []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RELATED_IMAGE_KEEPALIVED", "")
	code, _, errOut := run(t, "render", "-f", f)
	if code == 0 || !strings.Contains(errOut, "--default-keepalived-image") {
		t.Fatalf("exit %d, want a failure naming --default-keepalived-image: %s", code, errOut)
	}
	code, out, errOut := run(t, "render", "-f", f, "--default-keepalived-image", "example.org/keepalived:2@sha256:"+strings.Repeat("0", 64))
	if code != 0 || !strings.Contains(out, "example.org/keepalived:2@sha256:") {
		t.Fatalf("following the advice: exit %d: %s", code, errOut)
	}
}

// TestCLILinksNoControllerCode: the CLI (and kubectl plugin) is a small
// offline tool; it must not link the reconciler, the admission webhook, the
// operator's serving certificate or controller-runtime's manager.
func TestCLILinksNoControllerCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/portico-dev/portico/cmd/portico").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch pkg {
		case "github.com/portico-dev/portico/controllers", "github.com/portico-dev/portico/internal/manager",
			"github.com/portico-dev/portico/internal/webhook", "github.com/portico-dev/portico/internal/servingcert",
			"sigs.k8s.io/controller-runtime/pkg/manager":
			t.Errorf("cmd/portico links %s", pkg)
		}
	}
}
