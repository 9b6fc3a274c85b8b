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
	"testing"
	"time"
)

// preferred is the ranked node in these tests: the middle one, so neither
// start order nor interface index can make it win by accident.
const preferred = 1 // node-2

// soleHolderIs waits until exactly node h holds every VIP.
func (c *cluster) soleHolderIs(since time.Time, timeout time.Duration, h int) (time.Time, bool) {
	s, ok := c.waitFor(since, timeout, func(s sample) bool {
		return len(s.holders) == 1 && len(s.partial) == 0 && s.holders[0] == h
	})
	return s.at, ok
}

// TestPreferredNodePreempt is the classic two-priority keepalived set-up:
// the preferred node holds the VIP, loses it when its controller fails,
// and takes it back once healthy again.
func TestPreferredNodePreempt(t *testing.T) {
	requireTools(t)
	cfg := baseConfig()
	cfg.PreferredNodes = []string{"node-2"}
	cfg.Preempt = true
	c := newCluster(t, cfg, options{sampleEvery: 50 * time.Millisecond})
	p := c.nodes[preferred]

	// Whoever wins the first election, the preferred node ends up holding.
	if _, ok := c.soleHolderIs(time.Now(), 20*time.Second, preferred); !ok {
		t.Fatalf("%s never held the VIP", p.name)
	}
	if h, err := c.steadyHolder(10*time.Second, 2*time.Second); err != nil || h != preferred {
		t.Fatalf("steady holder %d (%v), want %s", h, err, p.name)
	}

	t0 := time.Now()
	p.healthy.Store(false)
	other, at, ok := c.soleHolder(t0, failoverBudget, preferred)
	if !ok {
		t.Fatalf("VIP did not leave unhealthy %s within %v", p.name, failoverBudget)
	}
	t.Logf("health failure: VIP moved %s -> %s in %v", p.name, c.nodes[other].name, at.Sub(t0).Round(time.Millisecond))

	// Back to health: rise (2 checks of 1 s) and one advert of the lower
	// priority master, then the take-over.
	t0 = time.Now()
	p.healthy.Store(true)
	at, ok = c.soleHolderIs(t0, 8*time.Second, preferred)
	if !ok {
		t.Fatalf("recovered %s did not take the VIP back within 8 s (preempt on)", p.name)
	}
	t.Logf("recovery: %s took the VIP back in %v", p.name, at.Sub(t0).Round(time.Millisecond))
	if d, when := c.longestOverlap(); d > advert(cfg) {
		t.Errorf("two holders for %v from %s, longer than one advert interval (%v)", d, when.Format("15:04:05.000"), advert(cfg))
	}
}

// TestPreferredNodeNoPreempt: without preempt a recovered preferred node
// stays a backup, so the VIP moves once, not twice.
func TestPreferredNodeNoPreempt(t *testing.T) {
	requireTools(t)
	cfg := baseConfig()
	cfg.PreferredNodes = []string{"node-2"}
	// Only the preferred node is eligible at first, so it is the holder
	// whatever the election timing.
	c := newCluster(t, cfg, options{sampleEvery: 50 * time.Millisecond, unhealthy: []string{"node-1", "node-3"}})
	p := c.nodes[preferred]
	if h, err := c.steadyHolder(20*time.Second, time.Second); err != nil || h != preferred {
		t.Fatalf("steady holder %d (%v), want %s", h, err, p.name)
	}
	off := map[int]int{}
	for i, n := range c.nodes {
		if i != preferred {
			off[i] = n.log.Len()
			n.healthy.Store(true)
		}
	}
	for i := range off {
		if err := c.becameBackup(c.nodes[i], off[i], 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}

	t0 := time.Now()
	p.healthy.Store(false)
	other, at, ok := c.soleHolder(t0, failoverBudget, preferred)
	if !ok {
		t.Fatalf("VIP did not leave unhealthy %s within %v", p.name, failoverBudget)
	}
	t.Logf("health failure: VIP moved %s -> %s in %v", p.name, c.nodes[other].name, at.Sub(t0).Round(time.Millisecond))

	offP := p.log.Len()
	p.healthy.Store(true)
	if err := c.becameBackup(p, offP, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	from := time.Now()
	time.Sleep(5 * time.Second)
	for _, s := range c.samplesBetween(from, time.Now()) {
		if len(s.holders) != 1 || s.holders[0] != other {
			t.Fatalf("VIP moved after %s recovered at %s: holders %v (preempt off)", p.name, s.at.Format("15:04:05.000"), s.holders)
		}
	}
}
