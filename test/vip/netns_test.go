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
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/demonet"
)

// run runs a command and returns its trimmed stdout, failing with stderr.
func run(name string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

func mustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := run(name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// randomPrefix names this run's namespaces; ip netns names are global, so
// parallel runs must not collide.
func randomPrefix() string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "ptc-vip-" + hex.EncodeToString(b)
}

// requireTools skips (or, under CI, fails) when the binaries the test drives
// are missing, and skips when namespaces cannot be created.
func requireTools(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts keepalived in network namespaces; skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("network namespaces are Linux-only")
	}
	for _, bin := range []string{"keepalived", "ip", "curl"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; CI must run hack/install-test-deps.sh", bin)
			}
			t.Skipf("%s is not installed (run hack/install-test-deps.sh); skipping the VIP test", bin)
		}
	}
	probe := randomPrefix() + "-probe"
	if _, err := run("ip", "netns", "add", probe); err != nil {
		t.Skipf("cannot create a network namespace (needs root or CAP_NET_ADMIN+CAP_SYS_ADMIN): %v", err)
	}
	defer func() { _, _ = run("ip", "netns", "del", probe) }()
	l, err := listenIn(probe, ":0")
	if err != nil {
		t.Skipf("cannot open a socket inside a network namespace: %v", err)
	}
	_ = l.Close()
}

// listenIn opens a TCP listener inside namespace ns.
func listenIn(ns, addr string) (net.Listener, error) { return demonet.ListenIn(ns, addr) }

// network is the namespaces of one test: a bridge namespace and one
// namespace per member, each attached to the bridge by a veth pair.
type network struct {
	t      testing.TB
	prefix string
	bridge string
	spaces []string
}

func newNetwork(t testing.TB) *network {
	n := &network{t: t, prefix: randomPrefix()}
	n.bridge = n.prefix + "-br"
	t.Cleanup(n.destroy)
	n.addNS(n.bridge)
	mustRun(t, "ip", "-n", n.bridge, "link", "add", "br0", "type", "bridge")
	// Snooping would drop VRRP's multicast until a querier shows up.
	mustRun(t, "ip", "-n", n.bridge, "link", "set", "br0", "type", "bridge", "mcast_snooping", "0")
	mustRun(t, "ip", "-n", n.bridge, "link", "set", "br0", "up")
	return n
}

func (n *network) addNS(name string) {
	mustRun(n.t, "ip", "netns", "add", name)
	n.spaces = append(n.spaces, name)
	mustRun(n.t, "ip", "-n", name, "link", "set", "lo", "up")
	// No DAD: addresses, link-local ones included, are usable at once.
	for _, k := range []string{"all", "default"} {
		mustRun(n.t, "ip", "netns", "exec", name, "sh", "-c",
			"echo 0 > /proc/sys/net/ipv6/conf/"+k+"/accept_dad")
	}
}

// member adds namespace <prefix>-<suffix> on the bridge with the given
// hardware address ("" for a random one) and addresses on its eth0 and
// returns the namespace name.
func (n *network) member(suffix, hw string, addrs ...string) string {
	ns := n.prefix + "-" + suffix
	n.addNS(ns)
	port := "v" + suffix
	mustRun(n.t, "ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", n.bridge)
	mustRun(n.t, "ip", "-n", n.bridge, "link", "set", port, "master", "br0", "up")
	if hw != "" {
		// Before the link is up: its IPv6 link-local address derives from it.
		mustRun(n.t, "ip", "-n", ns, "link", "set", "eth0", "address", hw)
	}
	for _, a := range addrs {
		args := []string{"-n", ns, "addr", "add", a, "dev", "eth0"}
		if strings.Contains(a, ":") {
			args = append(args, "nodad")
		}
		mustRun(n.t, "ip", args...)
	}
	mustRun(n.t, "ip", "-n", ns, "link", "set", "eth0", "up")
	return ns
}

// destroy kills whatever still runs in the namespaces (all started by this
// test) and deletes them.
func (n *network) destroy() {
	for i := len(n.spaces) - 1; i >= 0; i-- {
		ns := n.spaces[i]
		if pids, err := run("ip", "netns", "pids", ns); err == nil {
			for _, f := range strings.Fields(pids) {
				var pid int
				if _, err := fmt.Sscan(f, &pid); err == nil && pid > 1 {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, err := run("ip", "netns", "del", ns)
			if err == nil || time.Now().After(deadline) {
				if err != nil {
					n.t.Logf("cleanup: %v", err)
				}
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// mac returns the hardware address of dev in ns.
func mac(t testing.TB, ns, dev string) string {
	out := mustRun(t, "ip", "-n", ns, "-o", "link", "show", "dev", dev)
	f := strings.Fields(out)
	for i, w := range f {
		if w == "link/ether" && i+1 < len(f) {
			return f[i+1]
		}
	}
	t.Fatalf("no MAC in %q", out)
	return ""
}
