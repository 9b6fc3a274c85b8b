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
// three simulated nodes (never the user's cluster), runs the operator with
// its webhook, applies config/class, config/policy and config/samples, shows
// what it built, and shows admission at work: an Ingress accepted, one
// refused, a conflicting gateway refused. As root the nodes and pods get
// addresses in a network namespace of their own (internal/demonet), where
// a stand-in for ingress-nginx's admission webhook answers; otherwise they
// get loopback addresses and the webhook Services have no endpoints.
// Ctrl-C stops everything; --once exits after the first report.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
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
	"github.com/portico-dev/portico/internal/demonet"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/servingcert"
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

	copts := testenv.ClusterOptions{Nodes: 3, Options: testenv.Options{Webhook: envtest.WebhookInstallOptions{
		Paths: []string{filepath.Join(testenv.RepoRoot(), "config", "webhook", "manifests.yaml")},
	}}}
	var netns *demonet.Network
	netErr := errors.New("PORTICO_DEMO_LOOPBACK=1 asks for the loopback fallback")
	if os.Getenv("PORTICO_DEMO_LOOPBACK") != "1" {
		netns, netErr = demonet.New(fmt.Sprintf("portico-demo-%d", os.Getpid()))
	}
	if netErr == nil {
		defer netns.Close()
		copts.NodeIP, copts.PodCIDR = netns.NodeIP, netns.PodCIDR.String()
		step(fmt.Sprintf("Network: simulated nodes and pods get addresses in %s, which exist only in network namespace %s (routed there from this host, nowhere else)",
			netns.Range, netns.Name))
	} else {
		step("Network: FALLBACK to loopback addresses (" + netErr.Error() + "; run as root for the simulated node network). " +
			"The EndpointSlice controller refuses loopback addresses, so the gateways' webhook Services get no endpoints: " +
			"Ingresses of the samples' classes are refused and WebhookReady says WebhookNoEndpoints")
	}
	step("Starting a private simulated cluster: etcd and kube-apiserver on 127.0.0.1, kube-controller-manager, kube-scheduler, kwok with 3 nodes")
	cluster, err := testenv.StartCluster(ctx, copts)
	if err != nil {
		return err
	}
	defer func() {
		step("Stopping the cluster")
		_ = cluster.Stop()
	}()
	env, kubeconfig := cluster.Env, cluster.Kubeconfig

	step("Running the operator, with its webhook (the cluster's ValidatingWebhookConfiguration points at this process)")
	w := env.WebhookInstallOptions
	opts := manager.Options{MetricsAddr: "0", ProbeAddr: "0", Render: render.DefaultConfig(),
		Webhook: manager.WebhookOptions{Enabled: true, CertMode: servingcert.CertModeExternal,
			Host: w.LocalServingHost, Port: w.LocalServingPort, CertDir: w.LocalServingCertDir}}
	if img := os.Getenv(manager.ImageEnv); img != "" {
		opts.Render.ControllerImage = img
	}
	opDone := make(chan struct{})
	var opErr error
	opCtx, stopOp := context.WithCancel(ctx)
	go func() {
		opErr = manager.Run(opCtx, env.Config, opts)
		close(opDone)
	}()
	// Deferred after the cluster's stop, so it runs first: the operator
	// goes before the API server and its webhook certificates do.
	defer func() {
		stopOp()
		select {
		case <-opDone:
		case <-time.After(30 * time.Second):
		}
	}()
	if err := waitServing(ctx, env, opDone, &opErr); err != nil {
		return err
	}

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

	if netErr == nil {
		sim := &simAdmission{c: env.Client, net: netns}
		go sim.run(ctx)
	}

	readyErr := waitForReady(ctx, env.Client, netErr == nil)
	kubectl := report(kubeconfig, env.Environment)
	if readyErr != nil {
		return readyErr
	}
	fmt.Println()
	fmt.Println("kwok plays the kubelets: the pods are scheduled onto the simulated nodes and")
	fmt.Println("reported running, but no ingress-nginx process runs and no traffic flows.")
	if netErr == nil {
		fmt.Println("What answers the gateways' admission webhooks at the pods' addresses is the demo's")
		fmt.Println("SIMULATION of ingress-nginx's webhook: it uses the certificates the operator issued,")
		fmt.Println("refuses snippet annotations as ingress-nginx does, and admits everything else with a warning.")
	}
	if err := demonstrate(kubectl, kubeconfig, netErr == nil); err != nil {
		return err
	}
	if once {
		return nil
	}
	fmt.Printf("\nTry it:  export KUBECONFIG=%s\n", kubeconfig)
	fmt.Printf("         alias kubectl=%s   # v%s, built for this demo (an older kubectl works too)\n", kubectl, testenv.K8sVersion)
	fmt.Println("         kubectl get igwc; kubectl get igw -A -o wide; kubectl explain ingressgatewayclass.spec")
	fmt.Println("         kubectl -n ingress create ingress hello --class=public --rule='hello.example/*=hello:80'")
	fmt.Println("Press Ctrl-C to stop.")
	select {
	case <-ctx.Done():
		return nil
	case <-opDone:
		return opErr
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
			ns := facts.BackendKey(&gw, b).Namespace
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

// waitServing waits until the operator's webhook answers, so the class
// and gateways applied next are judged by it.
func waitServing(ctx context.Context, env *testenv.Env, opDone <-chan struct{}, opErr *error) error {
	deadline := time.Now().Add(time.Minute)
	for env.WebhookServing() != nil {
		if time.Now().After(deadline) {
			return fmt.Errorf("the operator's webhook did not start within a minute")
		}
		select {
		case <-opDone:
			return fmt.Errorf("operator stopped: %w", *opErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// waitForReady waits until every gateway is Ready at its generation and,
// with the simulated network, its data-plane webhook is served.
func waitForReady(ctx context.Context, c client.Client, network bool) error {
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
					continue
				}
				if wh := meta.FindStatusCondition(gw.Status.Conditions, v1alpha1.ConditionWebhookReady); network && wh != nil && wh.Status != metav1.ConditionTrue {
					waiting = append(waiting, gw.Namespace+"/"+gw.Name+" (webhook: "+wh.Reason+")")
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
// to the control-plane binaries, and returns that kubectl.
func report(kubeconfig string, env *envtest.Environment) string {
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
	run("Endpoints of the webhook Services (what the API server calls)", "get", "endpointslices", "-A", "-l", render.ManagedByLabel+"="+render.ManagedByValue)
	return kubectl
}

// demonstrate runs what a newcomer tries first, with the real kubectl, and
// fails when the outcome is not what the demo promises.
func demonstrate(kubectl, kubeconfig string, network bool) error {
	try := func(title string, want string, args ...string) error {
		step(title)
		fmt.Printf("$ kubectl %s\n", strings.Join(args, " "))
		out, _ := exec.Command(kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
		fmt.Print(string(out))
		if !strings.Contains(string(out), want) {
			return fmt.Errorf("%s: expected %q in the output", title, want)
		}
		return nil
	}
	hello := []string{"-n", "ingress", "create", "ingress", "hello", "--class=public", "--rule=hello.example/*=hello:80"}
	if network {
		if err := try("An Ingress of class public: the gateway's webhook (simulated data plane) admits it", "ingress.networking.k8s.io/hello created", hello...); err != nil {
			return err
		}
		if err := try("An Ingress with a snippet annotation: refused, as ingress-nginx refuses it with allow-snippet-annotations \"false\"",
			"snippet annotations are disabled for IngressGateway ingress/public",
			"-n", "ingress", "create", "ingress", "snippet", "--class=public", "--rule=snippet.example/*=hello:80",
			"--annotation=nginx.ingress.kubernetes.io/configuration-snippet=more_set_headers \"X-Demo: 1\";"); err != nil {
			return err
		}
	} else if err := try("An Ingress of class public: refused, because its webhook Service has no endpoints (loopback fallback)", "no endpoints available", hello...); err != nil {
		return err
	}
	return try("A second host-network gateway on the same nodes (config/samples/vip-failover.yaml): the operator's webhook refuses it",
		"is already bound on the same nodes by IngressGateway ingress/public",
		"apply", "--server-side", "-f", filepath.Join(testenv.RepoRoot(), "config", "samples", "vip-failover.yaml"))
}
