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
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/portico-dev/portico/internal/golden"
	"github.com/portico-dev/portico/internal/migrate"
	"github.com/portico-dev/portico/internal/testenv"
)

// migrateSamples are the dumps under testdata/migrate, the gateway each
// is checked for, and the exit status the check must end with.
var migrateSamples = []struct {
	file, gateway string
	code          int
}{
	{"microk8s", "public", 1},
	{"clean", "edge", 0},
}

// TestGoldenMigrateCheck checks the text and JSON reports of the sample
// dumps (go test -update rewrites them) and their exit statuses.
func TestGoldenMigrateCheck(t *testing.T) {
	for _, s := range migrateSamples {
		t.Run(s.file, func(t *testing.T) {
			dump := filepath.Join("testdata", "migrate", s.file+".yaml")
			code, out, errOut := run(t, "migrate-check", "-f", dump, s.gateway)
			if code != s.code || errOut != "" {
				t.Errorf("exit %d, want %d; stderr: %s", code, s.code, errOut)
			}
			golden.Check(t, filepath.Join("testdata", "migrate", s.file+".txt.golden"), []byte(out))
			code, j, _ := run(t, "migrate-check", "-o", "json", "-f", dump, s.gateway)
			if code != s.code {
				t.Errorf("-o json: exit %d, want %d", code, s.code)
			}
			var r migrate.Report
			if err := json.Unmarshal([]byte(j), &r); err != nil || r.Name != s.gateway {
				t.Errorf("-o json does not print the report: %v\n%s", err, j)
			}
			golden.Check(t, filepath.Join("testdata", "migrate", s.file+".json.golden"), []byte(j))
		})
	}
}

// TestGoldenMigrateCheckREADME writes the README example the lead pastes:
// the MicroK8s dump as migrate-dump.yaml (readme_test's readmeFiles maps
// it), the report up to its first Ingress.
func TestGoldenMigrateCheckREADME(t *testing.T) {
	dump := filepath.Join("testdata", "migrate", "microk8s.yaml")
	_, out, _ := run(t, "migrate-check", "-f", dump, "public")
	lines := strings.SplitAfter(out, "\n")
	end := len(lines)
	first := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Ingress ") })
	if first < 0 {
		t.Fatalf("no Ingress in the report:\n%s", out)
	}
	if i := slices.Index(lines[first:], "\n"); i >= 0 {
		end = first + i
	}
	example := "```console\n$ portico migrate-check -f migrate-dump.yaml public\n" + strings.Join(lines[:end], "") + "…\n```\n"
	golden.Check(t, filepath.Join("testdata", "migrate", "README-example.txt"), []byte(example))
}

func TestMigrateCheckUsage(t *testing.T) {
	dump := filepath.Join("testdata", "migrate", "microk8s.yaml")
	twice := filepath.Join(t.TempDir(), "twice.yaml")
	b, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.ReplaceAll(string(b), "namespace: ingress\n", "namespace: edge\n")
	if err := os.WriteFile(twice, []byte(string(b)+"---\n"+other), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no gateway", []string{"-f", dump}, "name one IngressGateway, got 0"},
		{"two gateways", []string{"-f", dump, "public", "edge"}, "name one IngressGateway, got 2"},
		{"bad output", []string{"-f", dump, "-o", "yaml", "public"}, `--output "yaml"`},
		{"dump and cluster", []string{"-f", dump, "--kubeconfig", "kc", "public"}, "give one or the other"},
		{"missing file", []string{"-f", "nope.yaml", "public"}, "nope.yaml"},
		{"not in the dump", []string{"-f", dump, "private"}, `no IngressGateway "private"`},
		{"wrong namespace", []string{"-f", dump, "-n", "default", "public"}, "(it does in ingress: use -n)"},
		{"ambiguous", []string{"-f", twice, "public"}, "in namespaces edge, ingress: give one with -n"},
		{"unknown flag", []string{"--bogus", "public"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, append([]string{"migrate-check"}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want 2 with %q: %s", code, tc.want, errOut)
			}
		})
	}
	// -n picks one of two, flags may follow the name, and - reads stdin.
	if code, out, errOut := run(t, "migrate-check", "-f", twice, "public", "-n", "edge"); code != 1 || !strings.Contains(out, "IngressGateway edge/public") {
		t.Errorf("-n edge: exit %d: %s%s", code, errOut, out)
	}
	var stdout, stderr strings.Builder
	if code := Main([]string{"migrate-check", "-f", "-", "public"}, strings.NewReader(string(b)), &stdout, &stderr); code != 1 || !strings.Contains(stdout.String(), "Verdict: breaks") {
		t.Errorf("stdin: exit %d: %s%s", code, stderr.String(), stdout.String())
	}
	if code, out, _ := run(t, "migrate-check", "-h"); code != 0 || out != "" {
		t.Errorf("-h: exit %d", code)
	}
}

// TestMigrateCheckFromCluster creates the MicroK8s sample's objects in a
// real API server and checks the gateway from there: the report must be
// the dump's.
func TestMigrateCheckFromCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	ctx := context.Background()
	env, err := testenv.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	for _, ns := range []string{"ingress", "apps", "legacy", "monitoring"} {
		if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	dump := filepath.Join("testdata", "migrate", "microk8s.yaml")
	objs := fixtureObjects(t, dump)
	// The gateway-class admission policy refuses gateways until the API
	// server has synced its IngressGatewayClass parameters: retry
	// (server-side apply repeats harmlessly).
	deadline := time.Now().Add(time.Minute)
	for {
		err := testenv.Apply(ctx, env.Client, "default", objs)
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "not yet synced") || time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	user, err := env.AddUser(envtest.User{Name: "migrator", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, _ := user.KubeConfig()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}

	_, fromFile, _ := run(t, "migrate-check", "-f", dump, "public")
	code, fromCluster, errOut := run(t, "migrate-check", "--kubeconfig", kubeconfig, "-n", "ingress", "public")
	if code != 1 || errOut != "" {
		t.Errorf("exit %d, want 1: %s", code, errOut)
	}
	if fromCluster != fromFile {
		t.Errorf("cluster and dump reports differ:\n--- cluster\n%s\n--- dump\n%s", fromCluster, fromFile)
	}
	if code, _, errOut := run(t, "migrate-check", "--kubeconfig", kubeconfig, "-n", "apps", "public"); code != 2 || !strings.Contains(errOut, "(it exists in namespace ingress: use -n)") {
		t.Errorf("wrong namespace: exit %d: %s", code, errOut)
	}
}
