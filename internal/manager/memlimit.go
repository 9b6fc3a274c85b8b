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

package manager

import (
	"fmt"
	"runtime/debug"
	"strconv"
)

// MemoryLimitEnv carries the container's memory limit in bytes (the
// Deployment sets it from the downward API, limits.memory).
const MemoryLimitEnv = "MEMORY_LIMIT"

// memoryLimitShare is the part of the container limit the Go heap may use
// before the collector works harder; the rest covers stacks and runtime
// memory outside the heap.
const memoryLimitShare = 0.85

// SoftMemoryLimit returns the Go soft memory limit for the container limit
// in getenv(MemoryLimitEnv): without it the collector lets the heap grow to
// twice the live data, and a burst of reconciles can push a 1,000-gateway
// operator past a limit it fits in. An explicit GOMEMLIMIT wins; ok is
// false when there is nothing to set.
func SoftMemoryLimit(getenv func(string) string) (limit int64, ok bool, err error) {
	if getenv("GOMEMLIMIT") != "" {
		return 0, false, nil
	}
	v := getenv(MemoryLimitEnv)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, false, fmt.Errorf("%s=%q: want the memory limit in bytes", MemoryLimitEnv, v)
	}
	return int64(float64(n) * memoryLimitShare), true, nil
}

// ApplySoftMemoryLimit sets the limit SoftMemoryLimit returns.
func ApplySoftMemoryLimit(getenv func(string) string) (int64, error) {
	limit, ok, err := SoftMemoryLimit(getenv)
	if !ok || err != nil {
		return 0, err
	}
	debug.SetMemoryLimit(limit)
	return limit, nil
}

// DefaultGCPercent is the collector's target (GOGC) when nothing bounds the
// operator's memory: the heap may grow by half its live data between
// collections, not by all of it (Go's default, 100). Proportional, so it
// never thrashes however many gateways there are; the price is about
// twice the collector's CPU, a few percent of a reconcile's.
const DefaultGCPercent = 50

// GCPercent returns the GOGC to set: DefaultGCPercent, unless GOGC is set
// or a memory limit is known (GOMEMLIMIT, or MEMORY_LIMIT for
// SoftMemoryLimit), which bounds the heap with less collection while
// there is room. ok is false when there is nothing to set.
func GCPercent(getenv func(string) string) (percent int, ok bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" || getenv(MemoryLimitEnv) != "" {
		return 0, false
	}
	return DefaultGCPercent, true
}

// ApplyGCPercent sets the GOGC GCPercent returns; 0 when it sets nothing.
func ApplyGCPercent(getenv func(string) string) int {
	percent, ok := GCPercent(getenv)
	if !ok {
		return 0
	}
	debug.SetGCPercent(percent)
	return percent
}
