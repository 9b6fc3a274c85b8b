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

import "testing"

func TestSoftMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    int64
		ok, err bool
	}{
		{name: "no limit", env: nil},
		{name: "256Mi limit", env: map[string]string{MemoryLimitEnv: "268435456"}, want: 228170137, ok: true},
		{name: "explicit GOMEMLIMIT wins", env: map[string]string{MemoryLimitEnv: "268435456", "GOMEMLIMIT": "100MiB"}},
		{name: "not a number", env: map[string]string{MemoryLimitEnv: "256Mi"}, err: true},
		{name: "zero", env: map[string]string{MemoryLimitEnv: "0"}, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := SoftMemoryLimit(func(k string) string { return tc.env[k] })
			if (err != nil) != tc.err || ok != tc.ok || got != tc.want {
				t.Fatalf("SoftMemoryLimit = %d, %v, %v; want %d, %v, error %v", got, ok, err, tc.want, tc.ok, tc.err)
			}
		})
	}
}

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
		ok   bool
	}{
		{name: "nothing set", want: DefaultGCPercent, ok: true},
		{name: "explicit GOGC wins", env: map[string]string{"GOGC": "200"}},
		{name: "a container limit bounds the heap", env: map[string]string{MemoryLimitEnv: "268435456"}},
		{name: "so does GOMEMLIMIT", env: map[string]string{"GOMEMLIMIT": "100MiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := GCPercent(func(k string) string { return tc.env[k] })
			if got != tc.want || ok != tc.ok {
				t.Fatalf("GCPercent = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
