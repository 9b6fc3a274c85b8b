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
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// TestStatusOnSimulatedCluster runs the operator in-process against three
// simulated nodes, waits for a host-network fleet to be Ready, and reads it
// back with `portico status` as an admin and as users RBAC limits.
func TestStatusOnSimulatedCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated cluster")
	}
	ctrllog.SetLogger(logr.Discard())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cluster, err := testenv.StartCluster(ctx, testenv.ClusterOptions{Nodes: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cluster.Stop() }()
	c := cluster.Client
	if err := testenv.CreatePermissiveClass(ctx, c); err != nil {
		t.Fatal(err)
	}

	mgr, _, err := manager.Build(cluster.Config, manager.Options{MetricsAddr: "0", ProbeAddr: "0",
		Render: render.DefaultConfig(), SkipNameValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	opCtx, stopOp := context.WithCancel(ctx)
	opDone := make(chan error, 1)
	go func() { opDone <- mgr.Start(opCtx) }()
	// Registered after the cluster's stop, so it runs first.
	defer func() {
		stopOp()
		if err := <-opDone; err != nil {
			t.Logf("operator stopped: %v", err)
		}
	}()

	// As config/samples/microk8s-hostnetwork.yaml, without the tcp entry
	// (its backend does not exist here).
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ingress"}}); err != nil {
		t.Fatal(err)
	}
	cert, err := testenv.SelfSignedTLSSecret("ingress", "default-tls", "*.example.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, cert); err != nil {
		t.Fatal(err)
	}
	gw := &v1alpha1.IngressGateway{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ingress", Name: "public"},
		Spec: v1alpha1.IngressGatewaySpec{
			IngressClass:       v1alpha1.IngressClassSpec{Name: "public", Default: true, Aliases: []string{"nginx"}},
			Workload:           v1alpha1.WorkloadSpec{Kind: v1alpha1.WorkloadDaemonSet, HostNetwork: true},
			DefaultCertificate: &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: "ingress", Name: "default-tls"}},
		},
	}
	if err := c.Create(ctx, gw); err != nil {
		t.Fatal(err)
	}
	waitFleet(ctx, t, cluster, gw)

	kc := cluster.Kubeconfig
	code, out, errOut := run(t, "status", "--kubeconfig", kc, "-n", "ingress")
	if code != 0 {
		t.Fatalf("portico status: exit %d: %s", code, errOut)
	}
	t.Logf("$ portico status -n ingress\n%s", out)
	for _, want := range []string{
		"IngressGateway ingress/public",
		"Class: " + testenv.TestClassName + " (driver ingress-nginx)",
		"Workload: DaemonSet, host network, 3/3 pods ready",
		"Addresses: 127.0.1.1, 127.0.1.2, 127.0.1.3",
		"Service: <none> (host network: the addresses are the nodes')",
		"NODE POD READY STATUS RESTARTS IMAGE",
		"node-1 public-controller-", "node-2 public-controller-", "node-3 public-controller-",
		"Ready True Available 3/3 pods available and up to date",
		"DefaultCertificateReady True Valid",
		"Normal ChildrenCreated Created 15: ServiceAccount ingress/public-controller",
	} {
		if !hasStatusLine(out, want) {
			t.Errorf("status lacks a line with %q", want)
		}
	}

	// -o json, the gateway named, flags after the name, as in kubectl.
	code, out, errOut = run(t, "status", "public", "--kubeconfig", kc, "--namespace", "ingress", "-o", "json")
	if code != 0 {
		t.Fatalf("portico status -o json: exit %d: %s", code, errOut)
	}
	var report StatusReport
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(report.Gateways) != 1 {
		t.Fatalf("want 1 gateway, got %d:\n%s", len(report.Gateways), out)
	}
	g := report.Gateways[0]
	var nodes []string
	for _, p := range g.Pods {
		nodes = append(nodes, p.Node)
		if p.Ready != "1/1" || p.Status != "Running" || p.Image != render.DefaultConfig().ControllerImage {
			t.Errorf("pod %+v: want 1/1 Running %s", p, render.DefaultConfig().ControllerImage)
		}
	}
	if !slices.Equal(nodes, []string{"node-1", "node-2", "node-3"}) {
		t.Errorf("pods on %v, want node-1..3", nodes)
	}
	if g.Class != testenv.TestClassName || g.Driver != "ingress-nginx" || g.Service != nil || len(g.Problems) > 0 {
		t.Errorf("class %q driver %q service %+v problems %v", g.Class, g.Driver, g.Service, g.Problems)
	}
	if !slices.ContainsFunc(g.Conditions, func(c ConditionReport) bool { return c.Type == "Ready" && c.Status == "True" }) {
		t.Errorf("no Ready=True condition: %+v", g.Conditions)
	}
	if !slices.ContainsFunc(g.Events, func(e EventReport) bool { return e.Reason == "ChildrenCreated" && !e.LastSeen.IsZero() }) {
		t.Errorf("no ChildrenCreated event: %+v", g.Events)
	}

	// -A, and $KUBECONFIG with its context's namespace (default: none there).
	if code, out, _ := run(t, "status", "--kubeconfig", kc, "-A"); code != 0 || !strings.Contains(out, "IngressGateway ingress/public\n") {
		t.Errorf("status -A: exit %d:\n%s", code, out)
	}
	t.Setenv("KUBECONFIG", kc)
	if code, out, errOut := run(t, "status"); code != 0 || out != "" || errOut != "No IngressGateways found in namespace default.\n" {
		t.Errorf("status in the context's namespace: exit %d: %q %q", code, out, errOut)
	}
	if code, _, errOut := run(t, "status", "public"); code != 1 ||
		errOut != "error: IngressGateway \"public\" not found in namespace default (it exists in namespace ingress: use -n)\n" {
		t.Errorf("gateway in another namespace: exit %d: %s", code, errOut)
	}
	if code, _, errOut := run(t, "status", "--context", "nope"); code != 1 || !strings.Contains(errOut, `context "nope" does not exist`) {
		t.Errorf("unknown context: exit %d: %s", code, errOut)
	}

	// RBAC: no rights at all, then gateways and pods but not the class or
	// events: the refusal names the resource, the rest is still shown.
	nobody := userKubeconfig(t, cluster, "nobody")
	if code, _, errOut := run(t, "status", "--kubeconfig", nobody, "-n", "ingress"); code != 1 ||
		!strings.HasPrefix(errOut, "error: not allowed to list IngressGateways in namespace ingress: ") {
		t.Errorf("no rights: exit %d: %s", code, errOut)
	}
	viewer := userKubeconfig(t, cluster, "viewer")
	if err := c.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: "ingress", Name: "viewer"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{v1alpha1.GroupVersion.Group}, Resources: []string{"ingressgateways"}, Verbs: []string{"get", "list"}},
			{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}},
		}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "ingress", Name: "viewer"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "viewer"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "viewer"}}}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, "status", "--kubeconfig", viewer, "-n", "ingress")
	if code != 0 {
		t.Fatalf("viewer: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Class: " + testenv.TestClassName,
		"Problem: not allowed to read IngressGatewayClass " + testenv.TestClassName,
		"Problem: not allowed to read events in namespace ingress",
		"node-3 public-controller-",
	} {
		if !hasStatusLine(out, want) {
			t.Errorf("viewer's status lacks %q:\n%s", want, out)
		}
	}
}

// hasStatusLine reports whether a line of out contains part once runs of
// spaces are one: tables are checked without their column widths.
func hasStatusLine(out, part string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(strings.Join(strings.Fields(l), " "), part) {
			return true
		}
	}
	return false
}

// waitFleet waits until gw is Ready at its generation with a pod on each
// node and its creation event recorded (the recorder writes events in the
// background).
func waitFleet(ctx context.Context, t *testing.T, cluster *testenv.Cluster, gw *v1alpha1.IngressGateway) {
	t.Helper()
	last := "nothing read yet"
	for ctx.Err() == nil {
		r, err := gatherStatus(ctx, cluster.Client, gw.Namespace, gw.Name, 5)
		if err == nil {
			g := r.Gateways[0]
			cur := &v1alpha1.IngressGateway{}
			_ = cluster.Client.Get(ctx, client.ObjectKeyFromObject(gw), cur)
			ready := meta.FindStatusCondition(cur.Status.Conditions, v1alpha1.ConditionReady)
			switch {
			case ready == nil || ready.Status != metav1.ConditionTrue || cur.Status.ObservedGeneration != cur.Generation:
				last = fmt.Sprintf("not Ready: %+v", ready)
			case g.Ready != "3/3" || len(g.Addresses) != 3:
				last = fmt.Sprintf("ready %s, addresses %v", g.Ready, g.Addresses)
			case len(g.Events) == 0:
				last = "no event yet"
			default:
				return
			}
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("fleet not up: %s\n%s", last, cluster.Logs())
}

// userKubeconfig writes a kubeconfig for a user with no groups: only what
// RBAC grants it by name.
func userKubeconfig(t *testing.T, cluster *testenv.Cluster, name string) string {
	t.Helper()
	u, err := cluster.AddUser(envtest.User{Name: name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
