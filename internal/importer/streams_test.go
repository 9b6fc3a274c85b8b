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

package importer

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"
)

var reserved = []int32{80, 443, 10254, 8181, 10246, 10247, 10245, 442}

// TestParseStreamEntries follows ingress-nginx's getStreamServices rules,
// entry by entry.
func TestParseStreamEntries(t *testing.T) {
	cases := []struct {
		key, value string
		udp        bool
		want       *StreamEntry // nil: ignored
		issue      string       // fragment of the reported reason ("" for none)
		suggestion string
	}{
		{key: "9000", value: "default/redis:6379", want: &StreamEntry{Port: 9000, Namespace: "default", Service: "redis", ServicePort: intstr.FromInt32(6379)}},
		{key: "9001", value: "db/pg:postgres", want: &StreamEntry{Port: 9001, Namespace: "db", Service: "pg", ServicePort: intstr.FromString("postgres")}},
		{key: "9002", value: "a/b:1:PROXY", want: &StreamEntry{Port: 9002, Namespace: "a", Service: "b", ServicePort: intstr.FromInt32(1), Decode: true}},
		{key: "9003", value: "a/b:1:proxy:PROXY", want: &StreamEntry{Port: 9003, Namespace: "a", Service: "b", ServicePort: intstr.FromInt32(1), Decode: true, Encode: true}},
		{key: "9004", value: "a/b:1::PROXY", want: &StreamEntry{Port: 9004, Namespace: "a", Service: "b", ServicePort: intstr.FromInt32(1), Encode: true}},
		{key: "9005", value: "a/b:1:PROXY:PROXY:x", want: &StreamEntry{Port: 9005, Namespace: "a", Service: "b", ServicePort: intstr.FromInt32(1), Decode: true},
			issue: "more than four fields"},
		{key: "9006", value: "a/b:1:yes", want: &StreamEntry{Port: 9006, Namespace: "a", Service: "b", ServicePort: intstr.FromInt32(1)},
			issue: `field "yes" is not PROXY`},
		{key: "53", value: "kube-system/kube-dns:53:PROXY", udp: true, want: &StreamEntry{Port: 53, Namespace: "kube-system", Service: "kube-dns", ServicePort: intstr.FromInt32(53)},
			issue: "no effect on UDP"},
		{key: "dns", value: "a/b:1", issue: "not a port number"},
		{key: "0", value: "a/b:1", issue: "outside 1-65535"},
		{key: "70000", value: "a/b:1", issue: "outside 1-65535"},
		{key: "443", value: "a/b:1", issue: "reserved for the controller"},
		{key: "10254", value: "a/b:1", udp: true, issue: "reserved for the controller"},
		{key: "9100", value: "a/b", issue: "Invalid Service reference"},
		{key: "8888", value: "tcp-service:8888", issue: "has no namespace", suggestion: "service-foo/tcp-service:8888"},
		{key: "8889", value: "other:1", issue: "has no namespace", suggestion: "<namespace>/other:1"},
		{key: "9101", value: "a/b/c:1", issue: "is not <namespace>/<service>"},
	}
	services := map[string][]string{"tcp-service": {"service-foo"}}
	for _, tc := range cases {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			entries, issues := ParseStreamEntries(map[string]string{tc.key: tc.value}, tc.udp, reserved, services)
			switch {
			case tc.want == nil && len(entries) > 0:
				t.Errorf("imported %+v; ingress-nginx ignores this entry", entries[0])
			case tc.want != nil && (len(entries) != 1 || entries[0] != *tc.want):
				t.Errorf("entries %+v, want %+v", entries, *tc.want)
			}
			if tc.issue == "" {
				if len(issues) > 0 {
					t.Errorf("unexpected issue %+v", issues)
				}
				return
			}
			if len(issues) != 1 || !strings.Contains(issues[0].Reason, tc.issue) {
				t.Fatalf("issues %+v, want one containing %q", issues, tc.issue)
			}
			if issues[0].Suggestion != tc.suggestion {
				t.Errorf("suggestion %q, want %q", issues[0].Suggestion, tc.suggestion)
			}
		})
	}
}
