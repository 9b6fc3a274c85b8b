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

// Package undeploy_test runs `make undeploy` against a simulated cluster
// with gateways and the operator running: it must finish with nothing
// stuck (gateways gone through their finalizers, then the operator and the
// CRDs, and the gateways' namespace deletable).
package undeploy_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/containment"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

func TestUndeployFinishesWithGateways(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cluster, err := testenv.StartCluster(ctx, testenv.ClusterOptions{Nodes: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cluster.Stop() }()
	c := cluster.Client
	if err := testenv.CreatePermissiveClass(ctx, c); err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(t.TempDir(), "manager")
	build := exec.Command("go", "build", "-o", bin, "github.com/portico-dev/portico/cmd/manager")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	op := exec.Command(bin, "--kubeconfig="+cluster.Kubeconfig, "--enable-webhook=false", "--health-probe-bind-address=0", "--metrics-bind-address=0")
	op.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := op.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = op.Process.Kill(); _ = op.Wait() }()

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "edge"}}
	if err := c.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	var gws []*v1alpha1.IngressGateway
	for _, name := range []string{"a", "b"} {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: name}}
		gw.Spec.Ports.HTTP, gw.Spec.Ports.HTTPS = 80, 443
		if err := c.Create(ctx, gw); err != nil {
			t.Fatal(err)
		}
		gws = append(gws, gw)
	}
	wait := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			if ctx.Err() != nil {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for _, gw := range gws {
		wait("the fleet's ClusterRoleBinding", func() bool {
			return c.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, &rbacv1.ClusterRoleBinding{}) == nil
		})
	}

	dir, err := testenv.BinaryDir()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	undeploy := exec.CommandContext(ctx, "make", "undeploy")
	undeploy.Dir = testenv.RepoRoot()
	undeploy.Env = append(os.Environ(), "KUBECONFIG="+cluster.Kubeconfig, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := undeploy.CombinedOutput()
	if err != nil {
		t.Fatalf("make undeploy: %v\n%s", err, out)
	}
	t.Logf("make undeploy finished in %s:\n%s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(string(out)))

	for _, gw := range gws {
		if err := c.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, &rbacv1.ClusterRoleBinding{}); !apierrors.IsNotFound(err) {
			t.Errorf("ClusterRoleBinding of %s left behind: %v", gw.Name, err)
		}
	}
	// The optional policy of config/gateway-defaults goes too.
	if err := c.Get(ctx, client.ObjectKey{Name: containment.DefaultsPolicyName}, &admissionregistrationv1.MutatingAdmissionPolicy{}); !apierrors.IsNotFound(err) {
		t.Errorf("MutatingAdmissionPolicy %s left behind: %v", containment.DefaultsPolicyName, err)
	}
	crd := &metav1.PartialObjectMetadata{}
	crd.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
	wait("the CRD to go", func() bool {
		return apierrors.IsNotFound(c.Get(ctx, client.ObjectKey{Name: "ingressgateways.ingress.portico.dev"}, crd))
	})
	if err := c.Delete(ctx, ns); err != nil {
		t.Fatal(err)
	}
	wait("the gateways' namespace to be deleted", func() bool {
		return apierrors.IsNotFound(c.Get(ctx, client.ObjectKeyFromObject(ns), &corev1.Namespace{}))
	})
}
