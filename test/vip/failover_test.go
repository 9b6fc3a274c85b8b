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
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/keepalived"
)

const (
	// failoverBudget is the promise: a failed holder's VIP is elsewhere
	// within 3 s, whether the controller or keepalived itself died.
	failoverBudget = 3 * time.Second
	leaseBudget    = 2 * time.Second
)

func baseConfig() keepalived.Config {
	return keepalived.Config{
		Instance:   "portico_portico_system_gw",
		RouterID:   51,
		Addresses:  []string{"10.123.0.100/24"},
		Unicast:    true,
		Peers:      []string{"10.123.0.11", "10.123.0.12", "10.123.0.13"},
		HealthzURL: "http://" + healthAddr + "/healthz",
		LeaseName:  leaseName,
		// Short so the test sees a refresh; production uses 60 s.
		GARPRefreshSeconds: 2,
	}
}

func advert(cfg keepalived.Config) time.Duration {
	ms := cfg.AdvertIntervalMilliseconds
	if ms == 0 {
		ms = keepalived.DefaultAdvertIntervalMilliseconds
	}
	return time.Duration(ms) * time.Millisecond
}

// TestFailover drives one IPv4 unicast fleet through the failures the VIP
// must survive: the holder's controller turning unhealthy, the holder's
// keepalived being SIGKILLed, and both nodes coming back, which must not
// move the VIP again.
func TestFailover(t *testing.T) {
	requireTools(t)
	cfg := baseConfig()
	c := newCluster(t, cfg, options{sampleEvery: 50 * time.Millisecond})
	vip := c.vips[0]

	a, err := c.steadyHolder(20*time.Second, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("initial holder %s", c.nodes[a].name)
	if d, ok := c.leaseFollows(a, leaseBudget); !ok {
		t.Fatalf("Lease holder %q, want %s", c.api.holder(leaseNS, leaseName), c.nodes[a].name)
	} else {
		t.Logf("Lease named %s after %v", c.nodes[a].name, d.Round(time.Millisecond))
	}
	c.observe(vip)
	if got := c.cachedMAC(vip); got != c.nodes[a].mac {
		t.Fatalf("observer resolved the VIP to %q, want holder's %s", got, c.nodes[a].mac)
	}

	// 1. The holder's controller fails its health check.
	t0 := time.Now()
	c.nodes[a].healthy.Store(false)
	b, at, ok := c.soleHolder(t0, failoverBudget, a)
	if !ok {
		t.Fatalf("VIP did not leave unhealthy %s within %v", c.nodes[a].name, failoverBudget)
	}
	t.Logf("health failure: VIP moved %s -> %s in %v", c.nodes[a].name, c.nodes[b].name, at.Sub(t0).Round(time.Millisecond))
	if got, ok := c.waitMAC(vip, c.nodes[b].mac, time.Second); !ok {
		t.Errorf("observer still maps the VIP to %q a second after the move; gratuitous ARP missing", got)
	}
	if _, ok := c.leaseFollows(b, leaseBudget); !ok {
		t.Errorf("Lease holder %q 2 s after the move, want %s", c.api.holder(leaseNS, leaseName), c.nodes[b].name)
	}

	// 2. The new holder's keepalived crashes.
	t0 = time.Now()
	c.killKeepalived(c.nodes[b])
	cc, at, ok := c.soleHolder(t0, failoverBudget, b)
	if !ok {
		t.Fatalf("VIP did not leave %s (keepalived killed) within %v", c.nodes[b].name, failoverBudget)
	}
	t.Logf("SIGKILL: VIP moved %s -> %s in %v", c.nodes[b].name, c.nodes[cc].name, at.Sub(t0).Round(time.Millisecond))
	if cc == a {
		t.Fatalf("VIP went to %s, whose controller is unhealthy", c.nodes[a].name)
	}
	if _, ok := c.leaseFollows(cc, leaseBudget); !ok {
		t.Errorf("Lease holder %q 2 s after the move, want %s", c.api.holder(leaseNS, leaseName), c.nodes[cc].name)
	}
	// The sidecar exits with keepalived, and has removed the VIP a dead
	// keepalived could not.
	if err := c.waitExited(c.nodes[b], 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if held, _ := c.holding(c.nodes[b]); held != 0 {
		t.Fatalf("%s still carries the VIP after its keepalived died", c.nodes[b].name)
	}

	// 3. Both come back: the kubelet restarts the sidecar, the controller
	// recovers. Neither may take the VIP back (nopreempt, equal priority).
	offA, offB := c.nodes[a].log.Len(), c.nodes[b].log.Len()
	c.start(c.nodes[b])
	c.nodes[a].healthy.Store(true)
	from := time.Now()
	c.api.mu.Lock()
	writesBefore := len(c.api.events)
	c.api.mu.Unlock()
	const stable = 10 * time.Second
	refreshChecked, peersChanged := false, false
	for time.Since(from) < stable {
		// A node joins: the ConfigMap's peers change, every entrypoint
		// re-renders and reloads keepalived, and the VIP stays put.
		if !peersChanged && time.Since(from) > time.Second {
			peersChanged = true
			c.writePeers(append(slices.Clone(cfg.Peers), "10.123.0.14")...)
		}
		// Past the takeover bursts only the periodic refresh sends GARP:
		// an observer that accepts unsolicited ARP relearns the VIP.
		if !refreshChecked && time.Since(from) > 5*time.Second {
			refreshChecked = true
			mustRun(t, "ip", "netns", "exec", c.apiNS, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/conf/eth0/arp_accept")
			_, _ = run("ip", "-n", c.apiNS, "neigh", "flush", "to", vip)
			wait := time.Duration(cfg.GARPRefreshSeconds)*time.Second + 1500*time.Millisecond
			if got, ok := c.waitMAC(vip, c.nodes[cc].mac, wait); !ok {
				t.Errorf("no periodic GARP within %v (observer cache %q)", wait, got)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, w := range []struct {
		n   *vipNode
		off int
	}{{c.nodes[a], offA}, {c.nodes[b], offB}} {
		if err := c.becameBackup(w.n, w.off, 0); err != nil {
			t.Error(err)
		}
	}
	for i, n := range c.nodes {
		conf, err := os.ReadFile(n.runDir + "/keepalived.conf")
		if err != nil || !strings.Contains(string(conf), "        10.123.0.14\n") {
			t.Errorf("%s: rendered config lacks the new peer (%v)", n.name, err)
		}
		if i != b && !strings.Contains(n.log.String(), "configuration changed: keepalived reloaded") {
			t.Errorf("%s: keepalived was not reloaded after the peers changed", n.name)
		}
	}
	samples := c.samplesBetween(from, time.Now())
	if len(samples) < int(stable/(200*time.Millisecond)) {
		t.Fatalf("only %d samples in %v", len(samples), stable)
	}
	for _, s := range samples {
		if len(s.holders) != 1 || s.holders[0] != cc {
			t.Fatalf("VIP moved after recovery at %s: holders %v, want only %s", s.at.Format("15:04:05.000"), s.holders, c.nodes[cc].name)
		}
	}
	if h := c.api.holder(leaseNS, leaseName); h != c.nodes[cc].name {
		t.Errorf("Lease holder %q after recovery, want %s", h, c.nodes[cc].name)
	}
	c.api.mu.Lock()
	for _, e := range c.api.events[writesBefore:] {
		if e.holder != c.nodes[cc].name {
			t.Errorf("Lease written with holder %q during the stable phase", e.holder)
		}
	}
	c.api.mu.Unlock()

	if d, when := c.longestOverlap(); d > advert(cfg) {
		t.Errorf("two holders for %v from %s, longer than one advert interval (%v)", d, when.Format("15:04:05.000"), advert(cfg))
	}
	if _, errs := c.api.history(); len(errs) > 0 {
		t.Errorf("the fake API rejected requests: %v", errs)
	}
}

// TestFailoverDualStack runs an IPv4+IPv6 VIP, over multicast and over
// unicast: both families must move together (one VRRP instance) on every
// kind of failure.
func TestFailoverDualStack(t *testing.T) {
	requireTools(t)
	for _, unicast := range []bool{false, true} {
		name := "multicast"
		if unicast {
			name = "unicast"
		}
		t.Run(name, func(t *testing.T) { dualStack(t, unicast) })
	}
}

// dualStackConfig is an IPv4+IPv6 VIP with production's GARP refresh.
func dualStackConfig(unicast bool) keepalived.Config {
	cfg := baseConfig()
	cfg.Addresses = []string{"10.123.0.100/24", "fd00:123::100/64"}
	cfg.Unicast = unicast
	cfg.Peers = nil
	if unicast {
		cfg.Peers = []string{"10.123.0.11", "10.123.0.12", "10.123.0.13", "fd00:123::11", "fd00:123::12", "fd00:123::13"}
	}
	cfg.GARPRefreshSeconds = keepalived.DefaultGARPRefreshSeconds
	return cfg
}

func dualStack(t *testing.T, unicast bool) {
	cfg := dualStackConfig(unicast)
	c := newCluster(t, cfg, options{
		sampleEvery:    50 * time.Millisecond,
		precreateLease: true,
		env:            []string{"LEASE_SYNC_SECONDS=2"},
	})

	a, err := c.steadyHolder(20*time.Second, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.leaseFollows(a, leaseBudget); !ok {
		t.Fatalf("Lease holder %q, want %s", c.api.holder(leaseNS, leaseName), c.nodes[a].name)
	}
	c.observe(c.vips[1])
	if got := c.cachedMAC(c.vips[1]); got != c.nodes[a].mac {
		t.Fatalf("observer resolved the IPv6 VIP to %q, want %s", got, c.nodes[a].mac)
	}

	t0 := time.Now()
	c.nodes[a].healthy.Store(false)
	b, at, ok := c.soleHolder(t0, failoverBudget, a)
	if !ok {
		t.Fatalf("VIPs did not leave unhealthy %s within %v", c.nodes[a].name, failoverBudget)
	}
	t.Logf("health failure: VIPs moved %s -> %s in %v", c.nodes[a].name, c.nodes[b].name, at.Sub(t0).Round(time.Millisecond))
	if got, ok := c.waitMAC(c.vips[1], c.nodes[b].mac, time.Second); !ok {
		t.Errorf("observer maps the IPv6 VIP to %q a second after the move; unsolicited NA missing", got)
	}
	if _, ok := c.leaseFollows(b, leaseBudget); !ok {
		t.Errorf("Lease holder %q, want %s", c.api.holder(leaseNS, leaseName), c.nodes[b].name)
	}

	t0 = time.Now()
	c.killKeepalived(c.nodes[b])
	cc, at, ok := c.soleHolder(t0, failoverBudget, b)
	if !ok || cc == a {
		t.Fatalf("VIPs did not move from %s to the healthy node within %v", c.nodes[b].name, failoverBudget)
	}
	t.Logf("SIGKILL: VIPs moved %s -> %s in %v", c.nodes[b].name, c.nodes[cc].name, at.Sub(t0).Round(time.Millisecond))
	if _, ok := c.leaseFollows(cc, leaseBudget); !ok {
		t.Errorf("Lease holder %q, want %s", c.api.holder(leaseNS, leaseName), c.nodes[cc].name)
	}

	// A graceful stop (pod deletion) hands over without the master-down wait.
	offA, offB := c.nodes[a].log.Len(), c.nodes[b].log.Len()
	c.nodes[a].healthy.Store(true)
	if err := c.waitExited(c.nodes[b], 5*time.Second); err != nil {
		t.Fatal(err)
	}
	c.start(c.nodes[b])
	for _, err := range []error{c.becameBackup(c.nodes[a], offA, 10*time.Second), c.becameBackup(c.nodes[b], offB, 10*time.Second)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	t0 = time.Now()
	if err := c.stopEntrypoint(c.nodes[cc], 10*time.Second); err != nil {
		t.Fatal(err)
	}
	d, at, ok := c.soleHolder(t0, failoverBudget, cc)
	if !ok {
		t.Fatalf("VIPs did not leave stopped %s within %v", c.nodes[cc].name, failoverBudget)
	}
	t.Logf("SIGTERM: VIPs moved %s -> %s in %v", c.nodes[cc].name, c.nodes[d].name, at.Sub(t0).Round(time.Millisecond))

	if d, when := c.longestOverlap(); d > advert(cfg) {
		t.Errorf("two holders for %v from %s, longer than one advert interval (%v)", d, when.Format("15:04:05.000"), advert(cfg))
	}
	// A lost notification or a stray writer: the periodic re-assert puts
	// the holder back (LEASE_SYNC_SECONDS=2 here, 30 s by default).
	if _, ok := c.leaseFollows(d, leaseBudget); !ok {
		t.Fatalf("Lease holder %q, want %s", c.api.holder(leaseNS, leaseName), c.nodes[d].name)
	}
	other := c.nodes[(d+1)%len(c.nodes)].name
	c.api.tamper(leaseNS, leaseName, other)
	if took, ok := c.leaseFollows(d, 5*time.Second); !ok {
		t.Errorf("Lease still names %q 5 s after it was set to %s", c.api.holder(leaseNS, leaseName), other)
	} else {
		t.Logf("Lease repaired %v after it was set to %s", took.Round(time.Millisecond), other)
	}

	// One instance moves both families together: a node holding only one
	// family is a transition, never a state.
	if d, when := c.longestSplit(); d > advert(cfg) {
		t.Errorf("a node held only some VIPs for %v from %s", d, when.Format("15:04:05.000"))
	} else {
		t.Logf("longest partial hold (a transition in progress): %v", d)
	}
}

// TestDualStackTie fails the holder of an IPv4+IPv6 VIP over multicast
// again and again. Every node has the same priority, so each failover is
// an election the two backups may enter at the same instant, and the
// link-local addresses (see newCluster) order the nodes the other way
// round from the IPv4 ones. Rendered as two instances in a sync group,
// such a tie went to different nodes per family and both yielded, leaving
// no holder for another master-down interval; one instance has one
// election.
func TestDualStackTie(t *testing.T) {
	requireTools(t)
	cfg := dualStackConfig(false)
	c := newCluster(t, cfg, options{sampleEvery: 50 * time.Millisecond, precreateLease: true})
	h, err := c.steadyHolder(20*time.Second, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 6; round++ {
		n := c.nodes[h]
		t0 := time.Now()
		n.healthy.Store(false)
		next, at, ok := c.soleHolder(t0, failoverBudget, h)
		if !ok {
			t.Fatalf("round %d: VIPs did not leave unhealthy %s for one other node within %v", round, n.name, failoverBudget)
		}
		t.Logf("round %d: VIPs moved %s -> %s in %v", round, n.name, c.nodes[next].name, at.Sub(t0).Round(time.Millisecond))
		off := n.log.Len()
		n.healthy.Store(true)
		if err := c.becameBackup(n, off, 10*time.Second); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		h = next
	}
	if d, when := c.longestOverlap(); d > advert(cfg) {
		t.Errorf("two holders for %v from %s, longer than one advert interval (%v)", d, when.Format("15:04:05.000"), advert(cfg))
	}
}

// TestFailoverTimes measures many failovers of each kind and prints a
// table; run it with PORTICO_VIP_BENCH=1 go test ./test/vip -run
// TestFailoverTimes -v (PORTICO_VIP_BENCH_ROUNDS sets rounds per kind).
func TestFailoverTimes(t *testing.T) {
	if os.Getenv("PORTICO_VIP_BENCH") != "1" {
		t.Skip("set PORTICO_VIP_BENCH=1 to measure failover times")
	}
	requireTools(t)
	rounds := 10
	if s := os.Getenv("PORTICO_VIP_BENCH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("PORTICO_VIP_BENCH_ROUNDS=%q", s)
		}
		rounds = n
	}
	cfg := baseConfig()
	cfg.GARPRefreshSeconds = keepalived.DefaultGARPRefreshSeconds
	if s := os.Getenv("PORTICO_VIP_BENCH_ADVERT_MS"); s != "" {
		cfg.AdvertIntervalMilliseconds, _ = strconv.Atoi(s)
	}
	c := newCluster(t, cfg, options{sampleEvery: 20 * time.Millisecond, precreateLease: true})
	h, err := c.steadyHolder(20*time.Second, time.Second)
	if err != nil {
		t.Fatal(err)
	}

	kinds := []string{"health", "sigkill", "sigterm"}
	times := map[string][]time.Duration{}
	for i := 0; i < rounds*len(kinds); i++ {
		kind := kinds[i%len(kinds)]
		n := c.nodes[h]
		t0 := time.Now()
		switch kind {
		case "health":
			n.healthy.Store(false)
		case "sigkill":
			c.killKeepalived(n)
		case "sigterm":
			_ = c.stopEntrypoint(n, 10*time.Second)
		}
		next, at, ok := c.soleHolder(t0, 10*time.Second, h)
		if !ok {
			t.Fatalf("round %d (%s): VIP did not leave %s", i, kind, n.name)
		}
		times[kind] = append(times[kind], at.Sub(t0))
		// Heal the failed node and wait until it is a backup again.
		off := n.log.Len()
		switch kind {
		case "health":
			n.healthy.Store(true)
		default:
			if err := c.waitExited(n, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			c.start(n)
		}
		if err := c.becameBackup(n, off, 10*time.Second); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if cur, _, ok := c.soleHolder(time.Now(), time.Second, -1); !ok || cur != next {
			t.Fatalf("round %d: holder not stable after healing %s", i, n.name)
		}
		h = next
	}

	var b strings.Builder
	fmt.Fprintf(&b, "advert interval %v, VRRPv%d, health check interval 1 s fall 2 rise 2, sampling every 20 ms\n",
		advert(cfg), keepalived.Version(cfg))
	fmt.Fprintf(&b, "%-8s %6s %10s %10s %10s\n", "kind", "count", "min", "median", "max")
	for _, k := range kinds {
		d := slices.Clone(times[k])
		slices.Sort(d)
		fmt.Fprintf(&b, "%-8s %6d %10v %10v %10v\n", k, len(d),
			d[0].Round(time.Millisecond), d[len(d)/2].Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond))
	}
	t.Log("\n" + b.String())
	fmt.Print(b.String())
	if d, _ := c.longestOverlap(); d > advert(cfg) {
		t.Errorf("two holders for %v, longer than one advert interval", d)
	}
}

// TestUpgradeToOneInstance starts a dual-stack fleet on the configuration
// Portico rendered before one instance carried both families (two
// instances in a sync group, testdata/two-instances.conf.tmpl), then
// delivers today's, as an operator upgrade does: every sidecar reloads
// keepalived. keepalived starts the new instance in BACKUP (also under
// the old name: leaving a sync group resets it), so the VIPs are
// re-elected once; the gap must stay within a failover.
func TestUpgradeToOneInstance(t *testing.T) {
	requireTools(t)
	old, err := os.ReadFile("testdata/two-instances.conf.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	// The configuration the fixture was rendered from.
	cfg := dualStackConfig(false)
	files, err := keepalived.Files(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, cfg, options{
		sampleEvery:    50 * time.Millisecond,
		precreateLease: true,
		files:          map[string]string{keepalived.TemplateFile: string(old)},
	})
	if _, err := c.steadyHolder(20*time.Second, time.Second); err != nil {
		t.Fatal(err)
	}
	offsets := make([]int, len(c.nodes))
	for i, n := range c.nodes {
		offsets[i] = n.log.Len()
	}
	from := time.Now()
	c.writeFile(keepalived.TemplateFile, files[keepalived.TemplateFile])
	deadline := time.Now().Add(10 * time.Second)
	for i, n := range c.nodes {
		for !strings.Contains(n.log.String()[offsets[i]:], "configuration changed: keepalived reloaded") {
			if time.Now().After(deadline) {
				t.Fatalf("%s: keepalived not reloaded with the new configuration", n.name)
			}
			time.Sleep(50 * time.Millisecond)
		}
		conf, err := os.ReadFile(n.runDir + "/keepalived.conf")
		if err != nil || strings.Contains(string(conf), "vrrp_sync_group") {
			t.Fatalf("%s: still on the two-instance configuration (%v)", n.name, err)
		}
	}
	h, err := c.steadyHolder(10*time.Second, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	longest, _ := longestRun(c.samplesBetween(from, time.Now()), func(s sample) bool {
		return len(s.holders) != 1 || len(s.partial) > 0
	})
	if longest > failoverBudget {
		t.Errorf("the VIPs were not held by one node for %v after the new configuration arrived, more than a failover (%v)", longest, failoverBudget)
	}
	t.Logf("upgrade: %s holds every VIP; the longest gap was %v", c.nodes[h].name, longest.Round(time.Millisecond))
}
