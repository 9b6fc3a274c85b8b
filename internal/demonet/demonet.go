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

// Package demonet gives the simulated cluster of `make demo` addresses that
// behave like a node network without ever leaving this machine: a network
// namespace the demo creates, joined to the host by one veth pair, in which
// every address of 198.18.0.0/17 (RFC 2544's benchmarking range; 198.19.0.0/17
// when another demo holds that one) is local.
// The host routes that range into the namespace only, so the API server can
// call a webhook endpoint on a simulated node or pod, and the answer comes
// from a listener the demo opens inside the namespace. Simulated nodes and
// pods need non-loopback addresses: the EndpointSlice controller refuses
// loopback ones, which left every webhook Service without endpoints.
//
// It needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN); without it, New fails
// and the demo falls back to loopback addresses, and says so.
package demonet

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// Network is the namespace and its link to the host.
type Network struct {
	// Name of the network namespace (ip netns).
	Name string
	// Range is routed from the host into the namespace, and is local
	// there: 198.18.0.0/17 (or 198.19.0.0/17).
	Range netip.Prefix
	// PodCIDR is where kwok allocates pod addresses, inside Range.
	PodCIDR netip.Prefix
	veth    string
	second  byte // 18 or 19
}

// New creates the namespace, the veth pair and the routes, in the first
// of 198.18/16 and 198.19/16 no other demo holds. name must be unique on
// the machine (the demo adds its pid).
func New(name string) (*Network, error) {
	var errs []string
	for _, second := range []byte{18, 19} {
		n, err := newIn(name, second)
		if err == nil {
			return n, nil
		}
		errs = append(errs, err.Error())
	}
	return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
}

func newIn(name string, second byte) (_ *Network, err error) {
	n := &Network{Name: name, second: second, veth: fmt.Sprintf("ptc%d", os.Getpid()%100000),
		Range:   netip.MustParsePrefix(fmt.Sprintf("198.%d.0.0/17", second)),
		PodCIDR: netip.MustParsePrefix(fmt.Sprintf("198.%d.64.0/18", second))}
	// The veth link between host and namespace, outside Range.
	hostAddr := netip.MustParsePrefix(fmt.Sprintf("198.%d.255.254/30", second))
	nsAddr := netip.MustParsePrefix(fmt.Sprintf("198.%d.255.253/30", second))
	if err := run("ip", "netns", "add", name); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	for _, args := range [][]string{
		{"link", "add", n.veth, "type", "veth", "peer", "name", "eth0", "netns", name},
		{"addr", "add", hostAddr.String(), "dev", n.veth},
		{"link", "set", n.veth, "up"},
		{"route", "add", n.Range.String(), "via", nsAddr.Addr().String(), "dev", n.veth},
		{"-n", name, "link", "set", "lo", "up"},
		{"-n", name, "addr", "add", nsAddr.String(), "dev", "eth0"},
		{"-n", name, "link", "set", "eth0", "up"},
		// Every address of Range is this namespace's own (AnyIP): a
		// listener on 0.0.0.0 answers for any simulated node or pod.
		{"-n", name, "route", "add", "local", n.Range.String(), "dev", "lo"},
	} {
		if err := run("ip", args...); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// NodeIP returns the address of the i-th simulated node (from 1):
// 198.18.0.1, .2, ...
func (n *Network) NodeIP(i int) string {
	return fmt.Sprintf("198.%d.%d.%d", n.second, i/250, i%250)
}

// Listen opens a TCP listener inside the namespace.
func (n *Network) Listen(addr string) (net.Listener, error) { return ListenIn(n.Name, addr) }

// ListenIn opens a TCP listener inside network namespace ns (ip netns). A
// socket stays in the namespace it was created in, so the caller's own
// goroutines serve inside it without helper processes.
func ListenIn(ns, addr string) (net.Listener, error) {
	type result struct {
		l   net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: err}
			return
		}
		defer func() { _ = orig.Close() }() // read only
		target, err := os.Open("/run/netns/" + ns)
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: err}
			return
		}
		defer func() { _ = target.Close() }() // read only
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: fmt.Errorf("enter network namespace %s: %w", ns, err)}
			return
		}
		l, lerr := net.Listen("tcp", addr)
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// The thread stays locked and dies with this goroutine rather
			// than run other goroutines in the wrong namespace.
			ch <- result{l: l, err: lerr}
			return
		}
		runtime.UnlockOSThread()
		ch <- result{l: l, err: lerr}
	}()
	r := <-ch
	return r.l, r.err
}

// Close removes the namespace; the veth pair and the host route go with it.
func (n *Network) Close() {
	_ = run("ip", "netns", "del", n.Name)
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
