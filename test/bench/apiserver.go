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
	"bufio"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"k8s.io/client-go/rest"
)

// apiMetrics reads kube-apiserver's own metrics: where a phase's API
// server time went (requests by verb and resource, admission, watch
// events sent), at no cost to the phase (the scrapes are taken outside
// the timed windows).
type apiMetrics struct {
	hc   *http.Client
	host string
}

func newAPIMetrics(cfg *rest.Config) (*apiMetrics, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return &apiMetrics{hc: hc, host: strings.TrimSuffix(cfg.Host, "/")}, nil
}

// apiSample is a scrape, summed by the labels each figure groups by.
type apiSample map[string]float64

// families maps a metric to the labels it is grouped by.
var families = map[string][]string{
	"apiserver_request_total":                                          {"verb", "resource", "subresource"},
	"apiserver_request_duration_seconds_sum":                           {"verb", "resource", "subresource"},
	"apiserver_watch_events_total":                                     {"kind", "resource"},
	"apiserver_watch_events_sizes_sum":                                 {"kind", "resource"},
	"apiserver_admission_step_admission_duration_seconds_sum":          {"type"},
	"apiserver_admission_controller_admission_duration_seconds_sum":    {"name"},
	"apiserver_validating_admission_policy_check_duration_seconds_sum": {"policy"},
	"etcd_request_duration_seconds_sum":                                {"operation"},
}

func (m *apiMetrics) scrape() apiSample {
	out := apiSample{}
	if m == nil {
		return out
	}
	resp, err := m.hc.Get(m.host + "/metrics")
	if err != nil {
		return out
	}
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		brace := strings.IndexByte(l, '{')
		if brace < 0 {
			continue
		}
		keys, ok := families[l[:brace]]
		if !ok {
			continue
		}
		end := strings.LastIndexByte(l, '}')
		labels := parseLabels(l[brace+1 : end])
		v, err := strconv.ParseFloat(strings.TrimSpace(l[end+1:]), 64)
		if err != nil {
			continue
		}
		parts := []string{l[:brace]}
		for _, k := range keys {
			parts = append(parts, labels[k])
		}
		out[strings.Join(parts, "\x00")] += v
	}
	return out
}

func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq < 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			break
		}
		k := s[:eq]
		rest := s[eq+2:]
		end := strings.IndexByte(rest, '"')
		for end > 0 && rest[end-1] == '\\' {
			next := strings.IndexByte(rest[end+1:], '"')
			if next < 0 {
				end = -1
				break
			}
			end += next + 1
		}
		if end < 0 {
			break
		}
		out[k] = rest[:end]
		s = strings.TrimPrefix(rest[end+1:], ",")
	}
	return out
}

// apiDiff is what the API server did between two scrapes.
type apiDiff map[string]float64

func (s apiSample) diff(before apiSample) apiDiff {
	out := apiDiff{}
	for k, v := range s {
		if d := v - before[k]; d > 1e-9 {
			out[k] = d
		}
	}
	return out
}

// top returns the n largest entries of a family as "label/label value".
func (d apiDiff) top(family string, n int, format func(float64) string) string {
	type kv struct {
		k string
		v float64
	}
	var kvs []kv
	var total float64
	for k, v := range d {
		parts := strings.Split(k, "\x00")
		if parts[0] != family {
			continue
		}
		name := strings.Join(slices.DeleteFunc(parts[1:], func(s string) bool { return s == "" }), "/")
		kvs = append(kvs, kv{name, v})
		total += v
	}
	if len(kvs) == 0 {
		return "none"
	}
	slices.SortFunc(kvs, func(a, b kv) int { return cmp.Compare(b.v, a.v) })
	var parts []string
	for i, e := range kvs {
		if i == n {
			parts = append(parts, fmt.Sprintf("%d more", len(kvs)-n))
			break
		}
		parts = append(parts, e.k+" "+format(e.v))
	}
	return fmt.Sprintf("%s (total %s)", strings.Join(parts, ", "), format(total))
}

func count(v float64) string   { return strconv.Itoa(int(v + 0.5)) }
func seconds(v float64) string { return fmt.Sprintf("%.1f s", v) }
func mib(v float64) string     { return fmt.Sprintf("%.1f MiB", v/(1<<20)) }

// sum totals a family.
func (d apiDiff) sum(family string) float64 {
	var t float64
	for k, v := range d {
		if strings.HasPrefix(k, family+"\x00") {
			t += v
		}
	}
	return t
}

// brief is the API server's side of a phase in one line.
func (d apiDiff) brief() string {
	return fmt.Sprintf("%d requests (%s), %.1f s of request latency (admission %.1f s, etcd %.1f s), %d watch events sent (%.1f MiB)",
		int(d.sum("apiserver_request_total")), d.top("apiserver_request_total", 4, count), d.sum("apiserver_request_duration_seconds_sum"),
		d.sum("apiserver_admission_step_admission_duration_seconds_sum"), d.sum("etcd_request_duration_seconds_sum"),
		int(d.sum("apiserver_watch_events_total")), d.sum("apiserver_watch_events_sizes_sum")/(1<<20))
}

// String is the API server's side of a phase, in a few lines.
func (d apiDiff) String() string {
	return strings.Join([]string{
		"requests: " + d.top("apiserver_request_total", 8, count),
		"request time (sum of latencies): " + d.top("apiserver_request_duration_seconds_sum", 6, seconds),
		"admission time: " + d.top("apiserver_admission_step_admission_duration_seconds_sum", 3, seconds) +
			"; by plugin: " + d.top("apiserver_admission_controller_admission_duration_seconds_sum", 4, seconds) +
			"; admission policies: " + d.top("apiserver_validating_admission_policy_check_duration_seconds_sum", 4, seconds),
		"watch events sent: " + d.top("apiserver_watch_events_total", 6, count) + "; bytes: " + d.top("apiserver_watch_events_sizes_sum", 4, mib),
		"etcd time: " + d.top("etcd_request_duration_seconds_sum", 4, seconds),
	}, "\n      ")
}
