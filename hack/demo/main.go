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

// Command demo runs Portico on a private simulated cluster: it starts its own
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok with
// three simulated nodes on loopback (never the user's cluster), installs the
// CRD, applies config/samples, runs the operator and shows what it built.
// Ctrl-C stops everything; --once exits after the first report.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

func main() {
	once := flag.Bool("once", false, "exit after the first report instead of waiting for Ctrl-C")
	verbose := flag.Bool("v", false, "show the operator's logs")
	flag.Parse()
	if err := run(*once, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(once, verbose bool) error {
	ctrllog.SetLogger(zap.New(zap.UseDevMode(verbose), zap.Level(zapcore.Level(levelFor(verbose)))))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// `make demo | head` must not kill the demo before it stops its
	// control plane: a closed stdout only fails writes.
	signal.Ignore(syscall.SIGPIPE)

	step("Starting a private simulated cluster on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok with 3 nodes")
	cluster, err := testenv.StartCluster(ctx, testenv.ClusterOptions{Nodes: 3})
	if err != nil {
		return err
	}
	defer func() {
		step("Stopping the cluster")
		_ = cluster.Stop()
	}()
	env, kubeconfig := cluster.Env, cluster.Kubeconfig

	step("Applying config/class and config/policy: the default IngressGatewayClass (gateways only in namespace \"ingress\") and the API server's enforcement of it")
	for _, dir := range []string{"class", "policy"} {
		objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", dir))
		if err != nil {
			return err
		}
		if err := testenv.Apply(ctx, env.Client, "", objs); err != nil {
			return err
		}
	}

	step("Applying config/samples into namespace ingress (with a self-signed default certificate, as `kubectl create secret tls` would make)")
	objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "samples"))
	if err != nil {
		return err
	}
	if err := testenv.ApplySamples(ctx, env.Client, "ingress", objs); err != nil {
		return err
	}
	if err := standInBackends(ctx, env.Client); err != nil {
		return err
	}

	step("Running the operator")
	opts := manager.Options{MetricsAddr: "0", ProbeAddr: "0", Render: render.DefaultConfig()}
	if img := os.Getenv(manager.ImageEnv); img != "" {
		opts.Render.ControllerImage = img
	}
	opErr := make(chan error, 1)
	go func() { opErr <- manager.Run(ctx, env.Config, opts) }()

	readyErr := waitForReady(ctx, env.Client)
	report(kubeconfig, env.Environment)
	if readyErr != nil {
		return readyErr
	}
	fmt.Println()
	fmt.Println("kwok plays the kubelets: the pods are scheduled onto the simulated nodes and")
	fmt.Println("reported running, but no ingress-nginx process runs and no traffic flows.")
	fmt.Println("The VIP sample (ingress/edge-vip, class edge-vip) targets nodes labelled node-role.kubernetes.io/ingress")
	fmt.Println("and needs keepalived on real nodes: here it honestly reports NoMatchingNodes.")
	if once {
		return nil
	}
	fmt.Printf("\nTry it:  export KUBECONFIG=%s\n", kubeconfig)
	fmt.Println("         kubectl get igwc; kubectl get igw -A -o wide; kubectl explain ingressgatewayclass.spec")
	fmt.Println("Press Ctrl-C to stop.")
	select {
	case <-ctx.Done():
		return nil
	case err := <-opErr:
		return err
	}
}

func levelFor(verbose bool) int8 {
	if verbose {
		return -1
	}
	return 2 // errors only
}

func step(msg string) { fmt.Printf("==> %s\n", msg) }

// standInBackends creates the tcp/udp backend Services the samples point
// at (your applications in a real cluster), so BackendsResolved is True.
func standInBackends(ctx context.Context, c client.Client) error {
	list := &v1alpha1.IngressGatewayList{}
	if err := c.List(ctx, list); err != nil {
		return err
	}
	for _, gw := range list.Items {
		var backends []v1alpha1.Backend
		for _, e := range gw.Spec.TCP {
			backends = append(backends, e.Backend)
		}
		for _, e := range gw.Spec.UDP {
			backends = append(backends, e.Backend)
		}
		for _, b := range backends {
			ns := b.Namespace
			if ns == "" {
				ns = gw.Namespace
			}
			if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil && !apierrors.IsAlreadyExists(err) {
				return err
			}
			port := corev1.ServicePort{Name: "main", Port: b.Port.IntVal}
			if b.Port.Type == intstr.String {
				port = corev1.ServicePort{Name: b.Port.StrVal, Port: 80}
			}
			svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: b.Name},
				Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{port}, Selector: map[string]string{"app": b.Name}}}
			if err := c.Create(ctx, svc); err != nil && !apierrors.IsAlreadyExists(err) {
				return err
			}
		}
	}
	return nil
}

// waitForReady waits until every gateway is Ready at its generation.
func waitForReady(ctx context.Context, c client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var waiting []string
	for {
		list := &v1alpha1.IngressGatewayList{}
		if err := c.List(ctx, list); err == nil && len(list.Items) > 0 {
			waiting = waiting[:0]
			for _, gw := range list.Items {
				if gw.Spec.VIP != nil {
					continue // see vipNote
				}
				ready := meta.FindStatusCondition(gw.Status.Conditions, v1alpha1.ConditionReady)
				if gw.Status.ObservedGeneration != gw.Generation || ready == nil || ready.Status != metav1.ConditionTrue {
					waiting = append(waiting, gw.Namespace+"/"+gw.Name)
				}
			}
			if len(waiting) == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gateways not Ready after 2 minutes: %v", waiting)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// report shows the gateways and their children with the kubectl built next
// to the control-plane binaries.
func report(kubeconfig string, env *envtest.Environment) {
	kubectl := filepath.Join(env.BinaryAssetsDirectory, "kubectl")
	if _, err := os.Stat(kubectl); err != nil {
		kubectl = "kubectl"
	}
	run := func(title string, args ...string) {
		step(title)
		cmd := exec.Command(kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		_ = cmd.Run()
	}
	run("kubectl get nodes -o wide", "get", "nodes", "-o", "wide")
	run("kubectl get ingressgatewayclasses (who may run a fleet, where, with what)", "get", "igwc")
	run("kubectl get igw -A -o wide", "get", "igw", "-A", "-o", "wide")
	run("Children (everything labelled app.kubernetes.io/managed-by=portico)", "get",
		"serviceaccounts,roles,rolebindings,clusterrolebindings,configmaps,services,daemonsets,deployments,ingressclasses",
		"-A", "-l", render.ManagedByLabel+"="+render.ManagedByValue)
	run("Controller pods on the simulated nodes", "get", "pods", "-A", "-o", "wide")
	run("Addresses of ingress/public (its nodes' InternalIPs: hostNetwork)", "get", "igw", "-n", "ingress", "public", "-o",
		`jsonpath={.status.addresses}{"\n"}`)
	run("Conditions of ingress/public", "get", "igw", "-n", "ingress", "public", "-o",
		`jsonpath={range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}`)
}
