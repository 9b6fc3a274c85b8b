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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/testenv"
)

// TestImportFromCluster reads the MicroK8s install from a real API server
// and must produce the same gateway as the file dump does.
func TestImportFromCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	ctx := context.Background()
	env, err := testenv.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()

	for _, ns := range []string{"ingress", "service-foo"} {
		if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	fixture := filepath.Join("testdata", "import", "microk8s.yaml")
	objs := fixtureObjects(t, fixture)
	// An Ingress of no class, which only a live import can find. Created
	// before the default IngressClass, which the API server would assign.
	noClass := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "no-class"},
		Spec: networkingv1.IngressSpec{DefaultBackend: &networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}},
		}},
	}
	if err := env.Client.Create(ctx, noClass); err != nil {
		t.Fatal(err)
	}
	if err := testenv.Apply(ctx, env.Client, "ingress", objs); err != nil {
		t.Fatal(err)
	}
	user, err := env.AddUser(envtest.User{Name: "importer", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, _ := user.KubeConfig()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}

	code, fromCluster, errOut := run(t, "import", "--kubeconfig", kubeconfig, "--namespace", "ingress")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, fromFile, _ := run(t, "import", "-f", fixture)
	if fromCluster != fromFile {
		t.Errorf("cluster and file imports differ:\n--- cluster\n%s\n--- file\n%s", fromCluster, fromFile)
	}
	for _, want := range []string{`"tcp 8888": "tcp-service:8888": the Service reference has no namespace`,
		"1 Ingress has neither spec.ingressClassName nor the kubernetes.io/ingress.class annotation: default/no-class",
		"IngressClass nginx → spec.ingressClass.aliases"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("report lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "could not be read") {
		t.Errorf("a live import read the IngressClasses:\n%s", errOut)
	}

	// As a kubectl plugin: no --kubeconfig, the current context of
	// $KUBECONFIG.
	t.Setenv("KUBECONFIG", kubeconfig)
	code, viaEnv, errEnv := run(t, "import", "--namespace", "ingress")
	if code != 0 || viaEnv != fromCluster {
		t.Errorf("import with $KUBECONFIG's current context: exit %d, same output %v: %s", code, viaEnv == fromCluster, errEnv)
	}
	if code, _, errOut := run(t, "import", "--namespace", "ingress", "--context", "nope"); code != 1 || !strings.Contains(errOut, `context "nope" does not exist`) {
		t.Errorf("unknown context: exit %d: %s", code, errOut)
	}
}

// TestKubectlPlugin builds the CLI as kubectl-portico and runs it through
// kubectl's plugin mechanism.
func TestKubectlPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	kubectl, err := exec.LookPath("kubectl")
	if dir, derr := testenv.BinaryDir(); derr == nil {
		if _, serr := os.Stat(filepath.Join(dir, "kubectl")); serr == nil {
			kubectl, err = filepath.Join(dir, "kubectl"), nil
		}
	}
	if err != nil {
		t.Skip("no kubectl")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "kubectl-portico"), "github.com/portico-dev/portico/cmd/portico")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(kubectl, "portico", "render", "-f", filepath.Join("..", "..", "config", "samples", "redis-tcp.yaml"))
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl portico render: %v", err)
	}
	if !strings.Contains(string(out), "# IngressGateway ingress/redis-edge: 15 objects") {
		t.Errorf("unexpected output:\n%s", out)
	}
}

// fixtureObjects reads a dump's objects for creating them in a test API
// server: without what the API server sets itself (UID, resourceVersion,
// creation time, generation, status).
func fixtureObjects(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	docs, err := readDocuments(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var objs []*unstructured.Unstructured
	for _, d := range docs {
		u := &unstructured.Unstructured{}
		j, _ := yaml.YAMLToJSON(d)
		if err := u.UnmarshalJSON(j); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"uid", "resourceVersion", "creationTimestamp", "generation"} {
			unstructured.RemoveNestedField(u.Object, "metadata", f)
		}
		unstructured.RemoveNestedField(u.Object, "status")
		objs = append(objs, u)
	}
	return objs
}
