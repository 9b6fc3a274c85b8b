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

package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// KwokNodeAnnotation marks the nodes kwok simulates; nodes without it are
// left alone (a test can add a node no kubelet will ever serve).
const KwokNodeAnnotation = "kwok.x-k8s.io/node"

// clusterControllers are the kube-controller-manager loops a simulated
// cluster runs: workloads, garbage collection, namespace deletion, node
// readiness (it lifts the not-ready taint every new Node starts with) and
// endpoints. Everything else (tokens, volumes, cloud) has nothing to do here.
var clusterControllers = []string{
	"daemonset-controller", "deployment-controller", "replicaset-controller",
	"garbage-collector-controller", "namespace-controller", "serviceaccount-controller",
	"node-lifecycle-controller", "endpointslice-controller", "disruption-controller",
	"pod-garbage-collector-controller", "taint-eviction-controller",
}

// ClusterOptions configure StartCluster.
type ClusterOptions struct {
	Options
	// Nodes is how many simulated nodes to create (named node-1, node-2…).
	Nodes int
	// NodeLabels are added to every initial node.
	NodeLabels map[string]string
	// NodeIP gives the i-th node's InternalIP (from 1); nil means
	// 127.0.1.i, an address only ever used as data.
	NodeIP func(i int) string
	// PodCIDR is where kwok allocates pod addresses; "" means
	// 127.244.0.0/16. Loopback keeps every dial on this machine, but the
	// EndpointSlice controller refuses loopback addresses, so Services get
	// no endpoints (internal/demonet gives routable ones).
	PodCIDR string
}

// Cluster is a control plane plus kube-controller-manager, kube-scheduler
// and kwok, which simulates kubelets: the workload controllers create pods,
// the scheduler binds them (host-port clashes included) and kwok marks them
// running and ready. Everything listens on loopback and lives in Dir.
type Cluster struct {
	*Env
	// Dir holds the kubeconfig and the components' logs.
	Dir string
	// Kubeconfig is an admin kubeconfig for the cluster.
	Kubeconfig string

	mu     sync.Mutex
	procs  []*component
	nodes  int
	nodeIP func(i int) string
}

type component struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// StartCluster starts the simulated cluster and waits until its nodes are
// Ready and schedulable.
func StartCluster(ctx context.Context, o ClusterOptions) (_ *Cluster, err error) {
	bin, err := BinaryDir()
	if err != nil {
		return nil, err
	}
	for _, b := range []string{"kube-controller-manager", "kube-scheduler", "kwok", "kwok-stages.yaml"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			return nil, fmt.Errorf("no %s in %s: run `hack/build-k8s-binaries.sh kube-controller-manager kube-scheduler kwok`", b, bin)
		}
	}
	env, err := StartWithOptions(ctx, o.Options)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Env: env, nodeIP: o.NodeIP}
	if c.nodeIP == nil {
		c.nodeIP = func(i int) string { return fmt.Sprintf("127.0.1.%d", i) }
	}
	podCIDR := o.PodCIDR
	if podCIDR == "" {
		podCIDR = "127.244.0.0/16"
	}
	defer func() {
		if err != nil {
			_ = c.Stop()
		}
	}()
	if c.Dir, err = os.MkdirTemp("", "portico-cluster-"); err != nil {
		return nil, err
	}
	user, err := env.AddUser(envtest.User{Name: "portico-cluster-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return nil, err
	}
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	if err := os.WriteFile(c.Kubeconfig, kc, 0o600); err != nil {
		return nil, err
	}

	// Port 0 turns off the components' own HTTPS servers: nothing here
	// scrapes them, and they would need delegated authentication.
	if err := c.spawn(filepath.Join(bin, "kube-controller-manager"),
		"--kubeconfig="+c.Kubeconfig, "--leader-elect=false", "--secure-port=0",
		"--controllers="+strings.Join(clusterControllers, ","),
		"--use-service-account-credentials=false",
		"--concurrent-daemonset-syncs=5", "--concurrent-gc-syncs=20",
		// kwok's heartbeat stage reports every 20-45 s.
		"--node-monitor-grace-period=90s", "--node-startup-grace-period=90s",
		"--kube-api-qps=200", "--kube-api-burst=400",
	); err != nil {
		return nil, err
	}
	if err := c.spawn(filepath.Join(bin, "kube-scheduler"),
		"--kubeconfig="+c.Kubeconfig, "--leader-elect=false", "--secure-port=0",
		"--kube-api-qps=200", "--kube-api-burst=400",
	); err != nil {
		return nil, err
	}
	// kwok makes managed nodes Ready and pods Running and Ready.
	// The stages (what kwok simulates) come from kwok's module source; the
	// build script puts them next to the binary.
	if err := c.spawn(filepath.Join(bin, "kwok"),
		"--kubeconfig="+c.Kubeconfig, "--config="+filepath.Join(bin, "kwok-stages.yaml"),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector="+KwokNodeAnnotation+"=fake",
		// The API server dials a webhook Service's endpoints: pod addresses
		// must never lead off this machine (see ClusterOptions.PodCIDR).
		"--cidr="+podCIDR,
	); err != nil {
		return nil, err
	}
	for i := 1; i <= o.Nodes; i++ {
		if err := c.AddNode(ctx, fmt.Sprintf("node-%d", i), o.NodeLabels); err != nil {
			return nil, err
		}
	}
	for i := 1; i <= o.Nodes; i++ {
		if err := c.WaitNodeReady(ctx, fmt.Sprintf("node-%d", i)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// spawn starts a component that dies with this process (Pdeathsig), logging
// to a file in Dir.
func (c *Cluster) spawn(path string, args ...string) error {
	name := filepath.Base(path)
	logPath := filepath.Join(c.Dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	p := &component{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return nil
}

// AddNode creates a simulated node; kwok makes it Ready. Its InternalIP
// comes from ClusterOptions.NodeIP (by default a fresh loopback address,
// 127.0.1.x, only data in the Node's status and host-network pods' IPs).
func (c *Cluster) AddNode(ctx context.Context, name string, labels map[string]string) error {
	l := map[string]string{
		corev1.LabelHostname: name,
		corev1.LabelOSStable: "linux",
		"type":               "kwok",
	}
	for k, v := range labels {
		l[k] = v
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l},
	}
	if err := c.Client.Create(ctx, node); err != nil {
		return fmt.Errorf("create node %s: %w", name, err)
	}
	c.mu.Lock()
	c.nodes++
	ip := c.nodeIP(c.nodes)
	c.mu.Unlock()
	// kwok keeps an InternalIP it finds, so the address goes in before
	// the annotation hands the node to kwok (status is only writable after
	// create).
	patch := fmt.Sprintf(`{"status":{"addresses":[{"type":"InternalIP","address":%q},{"type":"Hostname","address":%q}]}}`, ip, name)
	if err := c.Client.Status().Patch(ctx, node, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		return fmt.Errorf("set addresses of node %s: %w", name, err)
	}
	patch = fmt.Sprintf(`{"metadata":{"annotations":{%q:"fake"}}}`, KwokNodeAnnotation)
	if err := c.Client.Patch(ctx, node, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		return fmt.Errorf("hand node %s to kwok: %w", name, err)
	}
	return nil
}

// WaitNodeReady waits until kwok reports the node Ready and the node
// lifecycle controller has lifted its not-ready taint.
func (c *Cluster) WaitNodeReady(ctx context.Context, name string) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		node := &corev1.Node{}
		if err := c.Client.Get(ctx, client.ObjectKey{Name: name}, node); err != nil {
			last = err.Error()
			return false, nil
		}
		ready := false
		for _, cond := range node.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				ready = true
			}
		}
		if !ready {
			last = "not Ready"
			return false, nil
		}
		for _, t := range node.Spec.Taints {
			if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
				last = "tainted " + t.Key
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("node %s did not become Ready (%s): %w\n%s", name, last, err, c.Logs())
	}
	return nil
}

// DeleteNode deletes a node (its pods are then removed by the pod garbage
// collector).
func (c *Cluster) DeleteNode(ctx context.Context, name string) error {
	err := c.Client.Delete(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// Logs returns the tail of every component's log, for failure messages.
func (c *Cluster) Logs() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, p := range c.procs {
		data, _ := os.ReadFile(p.log)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) > 20 {
			lines = lines[len(lines)-20:]
		}
		state := "running"
		select {
		case <-p.done:
			state = "exited: " + p.cmd.ProcessState.String()
		default:
		}
		fmt.Fprintf(&b, "--- %s (%s), last lines of %s:\n%s\n", p.name, state, p.log, strings.Join(lines, "\n"))
	}
	return b.String()
}

// Stop stops the components, then the control plane, and removes Dir.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	procs := c.procs
	c.procs = nil
	c.mu.Unlock()
	for _, p := range procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range procs {
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	var errs []error
	if c.Env != nil {
		errs = append(errs, c.Env.Stop())
	}
	if c.Dir != "" {
		errs = append(errs, os.RemoveAll(c.Dir))
	}
	return errors.Join(errs...)
}
