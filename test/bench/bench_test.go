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

package main

import (
	"testing"
	"time"
)

// TestBenchQuick runs the whole `make bench` harness at small sizes so it
// keeps working; its figures are printed, not asserted (timing asserts
// flake), except that an idle operator must not write.
func TestBenchQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane and the operator")
	}
	// Tiny sizes: the floor and the curve run, their ratios are not asserted.
	c := config{oneByOne: 5, scale: 10, namespaces: 2, noise: 50, noiseSize: 1024, idle: 5 * time.Second,
		idleGWs: 5, syncPeriod: 2 * time.Second, edits: 2, scaleRuns: 1, curve: []int{5, 10}, floorWriters: []int{8, 16}}
	rows, err := measure(c)
	if err != nil {
		t.Fatal(err)
	}
	printTable(rows)
	for _, r := range rows {
		if r.goal == "0" && r.value[:2] != "0 " {
			t.Errorf("%s: %s", r.figure, r.value)
		}
	}
}
