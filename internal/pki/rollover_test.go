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

package pki_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/pki"
)

// simulations run Ensure over years of a fake clock. The short one uses a
// leaf lifetime close to the CA's, so leaves get capped at the CA's NotAfter,
// and a grace longer than its step, so steps fall inside the grace.
var simulations = []struct {
	name     string
	o        pki.Options
	duration time.Duration
	step     time.Duration
	// Minimum counts of Changes starting with each prefix.
	want map[string]int
}{
	{
		name:     "defaults, 6 years every 6 hours",
		duration: 6 * 365 * day,
		step:     6 * time.Hour,
		want: map[string]int{
			"rolled over the CA":              1,
			"finished the CA rollover":        1,
			"renewed the serving certificate": 5,
			"removed the CA":                  1,
		},
	},
	{
		name:     "short lifetimes, 100 days every hour",
		o:        pki.Options{CALifetime: 30 * day, ServingLifetime: 20 * day, RolloverGrace: 3 * time.Hour},
		duration: 100 * day,
		step:     time.Hour,
		want: map[string]int{
			"rolled over the CA":              4,
			"finished the CA rollover":        4,
			"renewed the serving certificate": 4,
			"removed the CA":                  3,
		},
	},
}

// TestRolloverSimulation steps the clock and feeds each Result back. At
// every step the served leaf must verify against the bundle of this Result
// and of the previous one (the API server and the pods pick up changes at
// different times), and the previous leaf against this bundle.
func TestRolloverSimulation(t *testing.T) {
	for _, sim := range simulations {
		t.Run(sim.name, func(t *testing.T) {
			t.Parallel()
			counts := map[string]int{}
			var s pki.State
			var prev pki.Result
			for now := t0; now.Before(t0.Add(sim.duration)); now = now.Add(sim.step) {
				r, err := pki.Ensure(s, hosts, now, sim.o)
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, s, r, hosts, now, sim.o)
				checkAgainstPrevious(t, prev, r, now)
				countChanges(counts, r.Changes)
				if t.Failed() {
					t.Fatalf("stopped at %s after Changes %q", now, r.Changes)
				}
				s, prev = stateOf(r), r
			}
			checkCounts(t, counts, sim.want)
		})
	}
}

// TestNextCheckIsExact jumps from NextCheck to NextCheck: nothing changes
// one nanosecond before, something changes at it.
func TestNextCheckIsExact(t *testing.T) {
	for _, sim := range simulations {
		t.Run(sim.name, func(t *testing.T) {
			t.Parallel()
			counts := map[string]int{}
			prev := ensure(t, pki.State{}, t0, sim.o)
			for prev.NextCheck.Before(t0.Add(sim.duration)) {
				s, now := stateOf(prev), prev.NextCheck
				before, err := pki.Ensure(s, hosts, now.Add(-time.Nanosecond), sim.o)
				if err != nil {
					t.Fatal(err)
				}
				if len(before.Changes) != 0 {
					t.Fatalf("at NextCheck-1ns %s: Changes %q", now.Add(-time.Nanosecond), before.Changes)
				}
				r, err := pki.Ensure(s, hosts, now, sim.o)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Changes) == 0 {
					t.Fatalf("at NextCheck %s: no Changes", now)
				}
				checkResult(t, s, r, hosts, now, sim.o)
				checkAgainstPrevious(t, prev, r, now)
				countChanges(counts, r.Changes)
				if t.Failed() {
					t.Fatalf("stopped at %s after Changes %q", now, r.Changes)
				}
				prev = r
			}
			checkCounts(t, counts, sim.want)
		})
	}
}

func checkAgainstPrevious(t *testing.T, prev, r pki.Result, now time.Time) {
	t.Helper()
	if prev.Serving == nil {
		return
	}
	// Where nothing changed, checkResult has already verified the pair.
	if !bytes.Equal(r.CABundle, prev.CABundle) {
		if err := verifyServed(r.Serving, prev.CABundle, hosts[0], now); err != nil {
			t.Errorf("at %s the new leaf does not verify against the previous bundle: %v", now, err)
		}
	}
	if !dataEqual(r.Serving, prev.Serving) {
		if err := verifyServed(prev.Serving, r.CABundle, hosts[0], now); err != nil {
			t.Errorf("at %s the previous leaf does not verify against the new bundle: %v", now, err)
		}
	}
}

func countChanges(counts map[string]int, changes []string) {
	for _, c := range changes {
		for _, p := range []string{"rolled over the CA", "finished the CA rollover", "renewed the serving certificate", "removed the CA"} {
			if hasChange([]string{c}, p) {
				counts[p]++
			}
		}
	}
}

func checkCounts(t *testing.T, counts, want map[string]int) {
	t.Helper()
	for p, n := range want {
		if counts[p] < n {
			t.Errorf("%d Changes start with %q, want at least %d (all: %v)", counts[p], p, n, counts)
		}
	}
	t.Logf("changes: %v", counts)
}
