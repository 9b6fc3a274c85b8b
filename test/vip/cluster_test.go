//go:build linux

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

package vip_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/keepalived"
)

// Addresses live only inside the test's namespaces.
const (
	apiAddr    = "10.123.0.200:6443"
	leaseNS    = "portico-system"
	leaseName  = "gw-vip"
	healthAddr = "127.0.0.1:10254"
	// podCapabilities are all the sidecar may have (setpriv syntax):
	// addresses and ARP (net_admin), VRRP's raw socket (net_raw), and
	// setgid because keepalived 2.2.7 calls setgroups before every script,
	// even as root.
	podCapabilities = "+net_admin,+net_raw,+net_broadcast,+setgid"
)

// syncBuffer collects a process's output for the failure log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// vipNode is one "node": a namespace with a health endpoint standing in for
// the ingress controller and entrypoint.sh running keepalived.
type vipNode struct {
	name    string // NODE_NAME
	ns      string
	ip4     string
	ip6     string
	mac     string
	runDir  string
	healthy atomic.Bool
	log     syncBuffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// sample is who held a VIP at one instant.
type sample struct {
	at      time.Time
	holders []int // indices of nodes holding any VIP
	partial []int // indices holding some but not all VIPs
}

type cluster struct {
	t         testing.TB
	net       *network
	api       *fakeAPI
	apiNS     string
	cfg       keepalived.Config
	configDir string
	saDir     string
	nodes     []*vipNode
	vips      []string // VIP addresses without prefix length
	env       []string

	mu      sync.Mutex
	samples []sample
	stop    chan struct{}
	stopped chan struct{}
}

// newCluster builds the network, the fake API server and three nodes, and
// starts keepalived on each. Everything is torn down by t.Cleanup.
// options tune a cluster for one test.
type options struct {
	sampleEvery    time.Duration
	precreateLease bool              // as the operator would; else notify.sh creates it
	env            []string          // extra entrypoint environment
	unhealthy      []string          // nodes whose controller starts unhealthy
	files          map[string]string // ConfigMap files to start with instead of cfg's
}

func newCluster(t testing.TB, cfg keepalived.Config, o options) *cluster {
	t.Helper()
	c := &cluster{t: t, cfg: cfg, env: o.env, stop: make(chan struct{}), stopped: make(chan struct{})}
	for _, a := range cfg.Addresses {
		c.vips = append(c.vips, strings.SplitN(a, "/", 2)[0])
	}
	dir := t.TempDir()
	c.configDir = filepath.Join(dir, "config")
	c.saDir = filepath.Join(dir, "serviceaccount")
	c.net = newNetwork(t)
	c.apiNS = c.net.member("api", "", "10.123.0.200/24", "fd00:123::200/64")
	c.api = startFakeAPI(t, c.apiNS, apiAddr, c.saDir)
	if o.precreateLease {
		c.api.put(leaseNS, leaseName)
	}

	files, err := keepalived.Files(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(c.configDir, 0o755); err != nil {
		t.Fatal(err)
	}
	maps.Copy(files, o.files)
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(c.configDir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for i := 1; i <= 3; i++ {
		n := &vipNode{
			name:   fmt.Sprintf("node-%d", i),
			ip4:    fmt.Sprintf("10.123.0.1%d", i),
			ip6:    fmt.Sprintf("fd00:123::1%d", i),
			runDir: filepath.Join(dir, fmt.Sprintf("run-%d", i)),
		}
		// Link-local addresses (fe80::ff:fe00:3, :2, :1) in the opposite
		// order to the IPv4 ones: over multicast, VRRP breaks a priority tie
		// by the higher source address, so the two families would pick
		// different nodes in every tie if they had elections of their own.
		hw := fmt.Sprintf("02:00:00:00:00:%02x", 4-i)
		n.ns = c.net.member(fmt.Sprintf("n%d", i), hw, n.ip4+"/24", n.ip6+"/64")
		n.mac = mac(t, n.ns, "eth0")
		n.healthy.Store(!slices.Contains(o.unhealthy, n.name))
		l, err := listenIn(n.ns, healthAddr)
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if !n.healthy.Load() {
				http.Error(w, "unhealthy", http.StatusInternalServerError)
				return
			}
			_, _ = w.Write([]byte("ok"))
		}), ReadHeaderTimeout: time.Second}
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { _ = srv.Close() })
		c.nodes = append(c.nodes, n)
	}
	// Registered after the network's cleanup, so it runs before it: stop
	// keepalived gracefully, then the namespaces go.
	t.Cleanup(c.shutdown)
	for _, n := range c.nodes {
		c.start(n)
	}
	go c.sampleLoop(o.sampleEvery)
	return c
}

// start runs entrypoint.sh in the node's namespace, as the kubelet would
// start the sidecar container.
func (c *cluster) start(n *vipNode) {
	c.t.Helper()
	args := []string{"netns", "exec", n.ns}
	if _, err := exec.LookPath("setpriv"); err == nil {
		// Only the capabilities the pod grants the sidecar, so a missing
		// one fails here rather than in a cluster.
		args = append(args, "setpriv", "--bounding-set", "-all,"+podCapabilities, "--")
	}
	args = append(args, "sh", filepath.Join(c.configDir, keepalived.EntrypointFile))
	cmd := exec.Command("ip", args...)
	env := []string{
		"NODE_IP=" + n.ip4,
		"NODE_NAME=" + n.name,
		"POD_NAMESPACE=" + leaseNS,
		"SA_DIR=" + c.saDir,
		"KUBE_API_URL=https://" + apiAddr,
		"RUN_DIR=" + n.runDir,
		"VRRP_PASSWORD=s3cret",
	}
	env = append(env, c.env...)
	for _, kv := range os.Environ() {
		// No proxy may see the test's traffic, and no stray Kubernetes
		// settings may redirect it.
		k := strings.ToUpper(strings.SplitN(kv, "=", 2)[0])
		if strings.HasSuffix(k, "_PROXY") || strings.HasPrefix(k, "KUBERNETES_") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = env
	fmt.Fprintf(&n.log, "--- %s start entrypoint\n", time.Now().Format("15:04:05.000"))
	cmd.Stdout, cmd.Stderr = &n.log, &n.log
	// Own process group: cleanup can kill keepalived and its scripts too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	n.mu.Lock()
	n.cmd, n.exited = cmd, exited
	n.mu.Unlock()
}

// stopEntrypoint sends SIGTERM (a pod deletion) and waits for the exit.
func (c *cluster) stopEntrypoint(n *vipNode, timeout time.Duration) error {
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return nil
	case <-time.After(timeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		return fmt.Errorf("%s: entrypoint ignored SIGTERM for %v", n.name, timeout)
	}
}

// waitExited waits for the node's entrypoint to exit on its own.
func (c *cluster) waitExited(n *vipNode, timeout time.Duration) error {
	n.mu.Lock()
	exited := n.exited
	n.mu.Unlock()
	select {
	case <-exited:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("%s: entrypoint still running %v after keepalived died", n.name, timeout)
	}
}

// becameBackup waits until the node's log past offset shows keepalived
// entering BACKUP (a healed node is ready to take over again) while its
// entrypoint keeps running.
func (c *cluster) becameBackup(n *vipNode, offset int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		n.mu.Lock()
		exited := n.exited
		n.mu.Unlock()
		select {
		case <-exited:
			return fmt.Errorf("%s: entrypoint exited while recovering", n.name)
		default:
		}
		if log := n.log.String(); len(log) >= offset && strings.Contains(log[offset:], "Entering BACKUP STATE") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not BACKUP within %v of recovering", n.name, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// killKeepalived SIGKILLs both keepalived processes, like a crash: nothing
// is released and no priority-0 advert goes out. The parent is stopped
// first so it cannot respawn the VRRP child, and the child dies before the
// parent so it gets no parent-death signal to shut down gracefully on.
func (c *cluster) killKeepalived(n *vipNode) {
	c.t.Helper()
	pid := func(file string) int {
		b, err := os.ReadFile(filepath.Join(n.runDir, file))
		if err != nil {
			c.t.Fatalf("%s: %v", n.name, err)
		}
		p, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			c.t.Fatalf("%s: %s: %v", n.name, file, err)
		}
		return p
	}
	parent, child := pid("keepalived.pid"), pid("vrrp.pid")
	_ = syscall.Kill(parent, syscall.SIGSTOP)
	_ = syscall.Kill(child, syscall.SIGKILL)
	_ = syscall.Kill(parent, syscall.SIGKILL)
}

func (c *cluster) shutdown() {
	close(c.stop)
	<-c.stopped
	var wg sync.WaitGroup
	for _, n := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.stopEntrypoint(n, 10*time.Second); err != nil {
				c.t.Log(err)
			}
		}()
	}
	wg.Wait()
	if c.t.Failed() {
		for _, n := range c.nodes {
			c.t.Logf("==== %s (%s) log:\n%s", n.name, n.ns, n.log.String())
		}
		events, errs := c.api.history()
		for _, e := range events {
			c.t.Logf("lease %s %s holder=%q", e.at.Format("15:04:05.000"), e.method, e.holder)
		}
		for _, e := range errs {
			c.t.Logf("fake API error: %s", e)
		}
	}
}

// holding reports which of the VIPs the node's eth0 carries.
func (c *cluster) holding(n *vipNode) (int, error) {
	out, err := run("ip", "-n", n.ns, "-o", "addr", "show", "dev", "eth0")
	if err != nil {
		return 0, err
	}
	held := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && slices.Contains(c.vips, strings.SplitN(f[3], "/", 2)[0]) {
			held++
		}
	}
	return held, nil
}

func (c *cluster) sampleLoop(every time.Duration) {
	defer close(c.stopped)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		s := sample{}
		for i, n := range c.nodes {
			held, err := c.holding(n)
			if err != nil {
				continue
			}
			if held > 0 {
				s.holders = append(s.holders, i)
			}
			if held > 0 && held < len(c.vips) {
				s.partial = append(s.partial, i)
			}
		}
		s.at = time.Now()
		c.mu.Lock()
		c.samples = append(c.samples, s)
		c.mu.Unlock()
	}
}

// waitFor returns the first sample after since that satisfies ok.
func (c *cluster) waitFor(since time.Time, timeout time.Duration, ok func(sample) bool) (sample, bool) {
	deadline := time.Now().Add(timeout)
	seen := 0
	for time.Now().Before(deadline) {
		c.mu.Lock()
		batch := c.samples[seen:]
		seen = len(c.samples)
		c.mu.Unlock()
		for _, s := range batch {
			if !s.at.Before(since) && ok(s) {
				return s, true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return sample{}, false
}

// soleHolder waits until exactly one node holds every VIP.
func (c *cluster) soleHolder(since time.Time, timeout time.Duration, not int) (int, time.Time, bool) {
	s, ok := c.waitFor(since, timeout, func(s sample) bool {
		return len(s.holders) == 1 && len(s.partial) == 0 && s.holders[0] != not
	})
	if !ok {
		return -1, time.Time{}, false
	}
	return s.holders[0], s.at, true
}

// steadyHolder waits for one holder that then stays alone for hold.
func (c *cluster) steadyHolder(timeout, hold time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		h, at, ok := c.soleHolder(time.Now(), time.Until(deadline), -1)
		if !ok {
			break
		}
		if _, moved := c.waitFor(at, hold, func(s sample) bool {
			return len(s.holders) != 1 || s.holders[0] != h || len(s.partial) > 0
		}); !moved {
			return h, nil
		}
	}
	return -1, fmt.Errorf("no steady VIP holder within %v", timeout)
}

// samplesBetween returns the samples taken in [from, to].
func (c *cluster) samplesBetween(from, to time.Time) []sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []sample
	for _, s := range c.samples {
		if !s.at.Before(from) && !s.at.After(to) {
			out = append(out, s)
		}
	}
	return out
}

// longestOverlap is the longest run of consecutive samples with two or
// more holders, measured from its first to its last such sample.
func (c *cluster) longestOverlap() (time.Duration, time.Time) {
	return longestRun(c.allSamples(), func(s sample) bool { return len(s.holders) >= 2 })
}

// longestSplit is the longest run in which some node held only some of the
// VIPs (keepalived adds and removes them one by one, so a short run at a
// transition is expected).
func (c *cluster) longestSplit() (time.Duration, time.Time) {
	return longestRun(c.allSamples(), func(s sample) bool { return len(s.partial) > 0 })
}

func (c *cluster) allSamples() []sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.samples)
}

// longestRun is the longest run of consecutive samples that match,
// measured from its first to its last sample, and when it started.
func longestRun(samples []sample, match func(sample) bool) (time.Duration, time.Time) {
	var longest time.Duration
	var when, start time.Time
	in := false
	for _, s := range samples {
		if match(s) {
			if !in {
				in, start = true, s.at
			}
			if d := s.at.Sub(start); d > longest {
				longest, when = d, start
			}
		} else {
			in = false
		}
	}
	return longest, when
}

// leaseFollows waits until the fake API's Lease names node h.
func (c *cluster) leaseFollows(h int, timeout time.Duration) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < timeout {
		if c.api.holder(leaseNS, leaseName) == c.nodes[h].name {
			return time.Since(start), true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return timeout, false
}

// observe makes the observer namespace (the API's) resolve the VIP, as a
// router or client would, and returns the MAC it cached.
func (c *cluster) observe(vip string) {
	host := vip
	if strings.Contains(vip, ":") {
		host = "[" + vip + "]"
	}
	// Port 9 (discard) is closed: the refused connection is enough to
	// resolve the address.
	_, _ = run("ip", "netns", "exec", c.apiNS, "curl", "-s", "-g", "--noproxy", "*", "--max-time", "1", "http://"+host+":9/")
}

// cachedMAC is the observer's neighbour entry for vip ("" if none).
func (c *cluster) cachedMAC(vip string) string {
	out, err := run("ip", "-n", c.apiNS, "neigh", "show", "to", vip, "dev", "eth0")
	if err != nil {
		return ""
	}
	f := strings.Fields(out)
	for i, w := range f {
		if w == "lladdr" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

// waitMAC waits until the observer's cache for vip holds want, without the
// observer sending anything: only GARP / unsolicited NA can change it.
func (c *cluster) waitMAC(vip, want string, timeout time.Duration) (string, bool) {
	deadline := time.Now().Add(timeout)
	got := ""
	for time.Now().Before(deadline) {
		if got = c.cachedMAC(vip); got == want {
			return got, true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return got, false
}

// writePeers replaces the peers file the way the kubelet updates a mounted
// ConfigMap: the new content appears atomically.
func (c *cluster) writePeers(peers ...string) {
	c.t.Helper()
	c.writeFile(keepalived.PeersFile, strings.Join(peers, "\n")+"\n")
}

// writeFile replaces one ConfigMap file at once, as the kubelet does.
func (c *cluster) writeFile(name, data string) {
	c.t.Helper()
	tmp := filepath.Join(c.configDir, "."+name+".new")
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		c.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(c.configDir, name)); err != nil {
		c.t.Fatal(err)
	}
}
