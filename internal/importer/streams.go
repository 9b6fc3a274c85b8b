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
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// StreamEntry is one tcp-services/udp-services entry as ingress-nginx reads it.
type StreamEntry struct {
	Port      int32
	Namespace string
	Service   string
	// ServicePort is the Service port number or name.
	ServicePort intstr.IntOrString
	Decode      bool
	Encode      bool
}

// StreamIssue is an entry ingress-nginx ignores (or only partly honours),
// with the reason and, where it can be guessed, the value probably meant.
type StreamIssue struct {
	Key, Value string
	Reason     string
	Suggestion string
}

// ParseStreamEntries parses a tcp (udp=false) or udp ConfigMap's data with
// the rules of ingress-nginx's getStreamServices: entries it would skip are
// returned as issues, never silently dropped or "fixed". reserved holds the
// ports the controller binds itself. services maps a Service name to the
// namespaces holding a Service of that name, to suggest a namespace for
// entries that lack one.
func ParseStreamEntries(data map[string]string, udp bool, reserved []int32, services map[string][]string) ([]StreamEntry, []StreamIssue) {
	var entries []StreamEntry
	var issues []StreamIssue
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := data[k]
		issue := func(reason, suggestion string) {
			issues = append(issues, StreamIssue{Key: k, Value: v, Reason: reason, Suggestion: suggestion})
		}
		port, err := strconv.Atoi(k)
		if err != nil {
			issue("the key is not a port number; ingress-nginx skips the entry", "")
			continue
		}
		if port < 1 || port > 65535 {
			issue(fmt.Sprintf("port %d is outside 1-65535; ingress-nginx renders it and every later nginx reload fails", port), "")
			continue
		}
		if slices.Contains(reserved, int32(port)) {
			issue(fmt.Sprintf("port %d is reserved for the controller itself; ingress-nginx skips the entry", port), "")
			continue
		}
		fields := strings.Split(v, ":")
		if len(fields) < 2 {
			issue("the value is not <namespace>/<service>:<port>; ingress-nginx skips the entry (\"Invalid Service reference\")", "")
			continue
		}
		ref := strings.Split(fields[0], "/")
		if len(ref) > 2 {
			issue("the Service reference is not <namespace>/<service>; ingress-nginx skips the entry", "")
			continue
		}
		if len(ref) != 2 {
			suggestion := "<namespace>/" + v
			if nss := services[fields[0]]; len(nss) == 1 {
				suggestion = nss[0] + "/" + v
			}
			issue("the Service reference has no namespace; ingress-nginx skips the entry", suggestion)
			continue
		}
		e := StreamEntry{Port: int32(port), Namespace: ref[0], Service: ref[1]}
		if n, err := strconv.Atoi(fields[1]); err == nil {
			e.ServicePort = intstr.FromInt32(int32(n))
		} else {
			e.ServicePort = intstr.FromString(fields[1])
		}
		if !udp {
			for i, f := range fields[2:] {
				if f != "" && !strings.EqualFold(f, "PROXY") && i < 2 {
					issue(fmt.Sprintf("field %q is not PROXY; ingress-nginx ignores it", f), "")
				}
			}
			e.Decode = len(fields) >= 3 && strings.EqualFold(fields[2], "PROXY")
			e.Encode = len(fields) == 4 && strings.EqualFold(fields[3], "PROXY")
			if len(fields) >= 5 {
				issue("more than four fields: ingress-nginx decodes PROXY but ignores the encode field; imported without encode", "")
			}
		} else if len(fields) > 2 {
			issue("PROXY fields have no effect on UDP entries; imported without them", "")
		}
		entries = append(entries, e)
	}
	return entries, issues
}
