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

// Command demo runs Portico on a private control plane: it starts its own
// etcd and kube-apiserver on loopback (never the user's cluster), installs the
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
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/portico-dev/portico/api/v1alpha1"
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

	step("Starting a private etcd and kube-apiserver on 127.0.0.1")
	env, err := testenv.Start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		step("Stopping the control plane")
		_ = env.Stop()
	}()

	dir, err := os.MkdirTemp("", "portico-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	kubeconfig, err := writeKubeconfig(env.Environment, dir)
	if err != nil {
		return err
	}

	step("Applying config/samples")
	objs, err := testenv.Kustomize(filepath.Join(testenv.RepoRoot(), "config", "samples"))
	if err != nil {
		return err
	}
	if err := testenv.Apply(ctx, env.Client, "default", objs); err != nil {
		return err
	}

	step("Running the operator")
	opts := manager.Options{MetricsAddr: "0", ProbeAddr: "0", Render: render.DefaultConfig()}
	if img := os.Getenv(manager.ImageEnv); img != "" {
		opts.Render.ControllerImage = img
	}
	opErr := make(chan error, 1)
	go func() { opErr <- manager.Run(ctx, env.Config, opts) }()

	if err := waitForStatus(ctx, env.Client); err != nil {
		return err
	}
	report(kubeconfig, env.Environment)
	fmt.Println()
	fmt.Println("This control plane runs no nodes or workload controllers, so no controller pod")
	fmt.Println("starts: the gateways honestly report Ready=False (WorkloadPending).")
	if once {
		return nil
	}
	fmt.Printf("\nTry it:  export KUBECONFIG=%s\n", kubeconfig)
	fmt.Println("         kubectl get igw -A -o wide; kubectl explain ingressgateway.spec")
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

// writeKubeconfig writes an admin kubeconfig for the private control plane.
func writeKubeconfig(env *envtest.Environment, dir string) (string, error) {
	user, err := env.AddUser(envtest.User{Name: "demo-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return "", err
	}
	b, err := user.KubeConfig()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "kubeconfig")
	return path, os.WriteFile(path, b, 0o600)
}

// waitForStatus waits until every gateway has a status for its generation.
func waitForStatus(ctx context.Context, c client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		list := &v1alpha1.IngressGatewayList{}
		if err := c.List(ctx, list); err == nil && len(list.Items) > 0 {
			done := true
			for _, gw := range list.Items {
				if gw.Status.ObservedGeneration != gw.Generation || len(gw.Status.Conditions) == 0 {
					done = false
				}
			}
			if done {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gateways did not report status: %w", ctx.Err())
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
	run("kubectl get igw -A -o wide", "get", "igw", "-A", "-o", "wide")
	run("Children (everything labelled app.kubernetes.io/managed-by=portico)", "get",
		"serviceaccounts,roles,rolebindings,clusterrolebindings,configmaps,services,daemonsets,deployments,ingressclasses",
		"-A", "-l", render.ManagedByLabel+"="+render.ManagedByValue)
	run("Conditions of ingress/public", "get", "igw", "-n", "ingress", "public", "-o",
		`jsonpath={range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}`)
}
