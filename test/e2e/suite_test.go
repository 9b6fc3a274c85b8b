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

// Package e2e runs the operator binary against a simulated cluster
// (internal/testenv.StartCluster): real workload controllers, scheduler and
// garbage collector, with kwok standing in for kubelets. It proves what
// envtest cannot: pods land on nodes, children are collected, host ports
// clash, the process survives kills.
package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/internal/testenv"
)

const keepalivedImage = "example.org/keepalived@sha256:3333333333333333333333333333333333333333333333333333333333333333"

var (
	cluster   *testenv.Cluster
	k8sClient client.Client
	// managerBin is the operator binary built from cmd/manager.
	managerBin string
	// operator is the operator process most specs share.
	operator *operatorProcess
)

func TestE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated cluster")
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "Portico on a simulated cluster (e2e)")
}

var _ = BeforeSuite(func() {
	SetDefaultEventuallyTimeout(60 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	ctx := context.Background()

	By("building the operator binary")
	dir := GinkgoT().TempDir()
	managerBin = filepath.Join(dir, "manager")
	build := exec.Command("go", "build", "-o", managerBin, "./cmd/manager")
	build.Dir = testenv.RepoRoot()
	out, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))

	By("starting a simulated cluster with 3 nodes")
	start := time.Now()
	cluster, err = testenv.StartCluster(ctx, testenv.ClusterOptions{Nodes: 3})
	Expect(err).NotTo(HaveOccurred())
	k8sClient = cluster.Client
	Expect(testenv.CreatePermissiveClass(ctx, k8sClient)).To(Succeed())
	GinkgoWriter.Printf("cluster up in %s\n", time.Since(start).Round(time.Millisecond))

	operator = startOperator("main")
})

var _ = AfterSuite(func() {
	if operator != nil {
		operator.stop()
	}
	if cluster != nil {
		Expect(cluster.Stop()).To(Succeed())
	}
})

var _ = ReportAfterEach(func(r SpecReport) {
	if r.Failed() && cluster != nil {
		AddReportEntry("cluster logs", cluster.Logs())
		if operator != nil {
			AddReportEntry("operator log", operator.tail(60))
		}
	}
})

// operatorProcess is one run of the operator binary.
type operatorProcess struct {
	name string
	// metrics is the address of its /metrics endpoint.
	metrics string
	cmd     *exec.Cmd
	log     string
	done    chan struct{}
}

// startOperator runs the operator binary against the cluster: no webhook
// (the API server could not reach it without a Service network), the
// keepalived image set, extra flags appended.
func startOperator(name string, extra ...string) *operatorProcess {
	logPath := filepath.Join(cluster.Dir, fmt.Sprintf("operator-%s-%s.log", name, rand.String(4)))
	f, err := os.Create(logPath)
	Expect(err).NotTo(HaveOccurred())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	metricsAddr := l.Addr().String()
	Expect(l.Close()).To(Succeed())
	args := append([]string{
		"--kubeconfig=" + cluster.Kubeconfig,
		"--enable-webhook=false", "--health-probe-bind-address=0", "--metrics-bind-address=" + metricsAddr, "--metrics-secure=false",
		"--default-keepalived-image=" + keepalivedImage,
		"--leader-election-namespace=default",
	}, extra...)
	cmd := exec.Command(managerBin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	Expect(cmd.Start()).To(Succeed())
	p := &operatorProcess{name: name, metrics: metricsAddr, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	return p
}

// kill ends the process at once, as an OOM kill or node loss would.
func (p *operatorProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop ends the process gracefully.
func (p *operatorProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

func (p *operatorProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *operatorProcess) tail(n int) string {
	data, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func newNamespace(ctx context.Context) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "e2e-" + rand.String(6)}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}
