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

package controllers

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestPortProblem pins backend port resolution to ingress-nginx's
// (getStreamServices): a value that parses as an integer is a port number,
// even quoted; anything else is a port name; either way the Service port
// must have the entry's protocol.
func TestPortProblem(t *testing.T) {
	redis := []corev1.ServicePort{{Name: "redis", Port: 6379, Protocol: corev1.ProtocolTCP}}
	dns := []corev1.ServicePort{
		{Name: "dns-tcp", Port: 53, Protocol: corev1.ProtocolTCP},
		{Name: "metrics", Port: 9153}, // protocol left to the API server's default, TCP
	}
	for _, tc := range []struct {
		name  string
		ports []corev1.ServicePort
		want  intstr.IntOrString
		proto corev1.Protocol
		// problem is "" when the port resolves.
		problem string
	}{
		{name: "number", ports: redis, want: intstr.FromInt32(6379), proto: corev1.ProtocolTCP},
		{name: "quoted number is a number, not a name", ports: redis, want: intstr.FromString("6379"), proto: corev1.ProtocolTCP},
		{name: "leading zeros parse as the number, as Atoi does", ports: redis, want: intstr.FromString("06379"), proto: corev1.ProtocolTCP},
		{name: "name", ports: redis, want: intstr.FromString("redis"), proto: corev1.ProtocolTCP},
		{name: "unset protocol is TCP", ports: dns, want: intstr.FromInt32(9153), proto: corev1.ProtocolTCP},
		{name: "quoted number matches no port name", ports: []corev1.ServicePort{{Name: "6379", Port: 7000}}, want: intstr.FromString("6379"), proto: corev1.ProtocolTCP,
			problem: `has no port 6379/TCP (its ports: 6379 7000/TCP)`},
		{name: "udp entry on a TCP-only port number", ports: dns, want: intstr.FromInt32(53), proto: corev1.ProtocolUDP,
			problem: `has no port 53/UDP (its ports: dns-tcp 53/TCP, metrics 9153/TCP); ingress-nginx forwards a udp entry only to a UDP Service port`},
		{name: "udp entry naming a TCP port", ports: dns, want: intstr.FromString("dns-tcp"), proto: corev1.ProtocolUDP,
			problem: `has no port named "dns-tcp" with protocol UDP (its ports: dns-tcp 53/TCP, metrics 9153/TCP); ingress-nginx forwards a udp entry only to a UDP Service port`},
		{name: "tcp entry on a UDP port", ports: []corev1.ServicePort{{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP}}, want: intstr.FromInt32(53), proto: corev1.ProtocolTCP,
			problem: `has no port 53/TCP (its ports: dns 53/UDP); ingress-nginx forwards a tcp entry only to a TCP Service port`},
		{name: "missing name", ports: redis, want: intstr.FromString("cache"), proto: corev1.ProtocolTCP,
			problem: `has no port named "cache" with protocol TCP (its ports: redis 6379/TCP)`},
		{name: "no ports", want: intstr.FromInt32(80), proto: corev1.ProtocolTCP, problem: `has no port 80/TCP (it has no ports)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := portProblem(tc.ports, tc.want, tc.proto); got != tc.problem {
				t.Errorf("portProblem(%s/%s) = %q, want %q", tc.want.String(), tc.proto, got, tc.problem)
			}
		})
	}
}
