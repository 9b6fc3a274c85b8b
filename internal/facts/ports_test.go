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

package facts_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/facts"
)

// gateway returns a gateway with the CRD's defaults, as the operator sees it.
func gateway(t *testing.T, ns, name string, mutate ...func(*v1alpha1.IngressGateway)) v1alpha1.IngressGateway {
	t.Helper()
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for _, m := range mutate {
		m(gw)
	}
	out, err := crdschema.Default(gw)
	if err != nil {
		t.Fatal(err)
	}
	return *out
}

func hostNetwork(gw *v1alpha1.IngressGateway) { gw.Spec.Workload.HostNetwork = true }
func hostPorts(gw *v1alpha1.IngressGateway)   { gw.Spec.Workload.HostPorts = true }

func tcp(port int32) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.TCP = append(gw.Spec.TCP, v1alpha1.TCPService{Port: port, Backend: v1alpha1.Backend{Name: "svc", Port: intstr.FromInt32(port)}})
	}
}

func udp(port int32) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.UDP = append(gw.Spec.UDP, v1alpha1.UDPService{Port: port, Backend: v1alpha1.Backend{Name: "svc", Port: intstr.FromInt32(port)}})
	}
}

func TestBoundPorts(t *testing.T) {
	for _, tc := range []struct {
		name string
		gw   v1alpha1.IngressGateway
		want []string
	}{
		{name: "no host ports", gw: gateway(t, "ns", "a", tcp(9000))},
		{
			name: "host network binds every port, the webhook's too",
			gw:   gateway(t, "ns", "a", hostNetwork, tcp(9000), udp(9001)),
			want: []string{
				"spec.ports.http 80/TCP", "spec.ports.https 443/TCP", "spec.ports.healthz 10254/TCP",
				"spec.ports.defaultServer 8181/TCP", "spec.ports.status 10246/TCP", "spec.ports.stream 10247/TCP",
				"spec.ports.profiler 10245/TCP", "spec.ports.sslPassthroughProxy 442/TCP",
				"spec.admissionWebhook.port 8443/TCP", "spec.tcp[0].port 9000/TCP", "spec.udp[0].port 9001/UDP",
			},
		},
		{
			name: "host network without the admission webhook",
			gw: gateway(t, "ns", "a", hostNetwork, func(gw *v1alpha1.IngressGateway) {
				gw.Spec.AdmissionWebhook.Enabled = ptr.To(false)
			}),
			want: []string{
				"spec.ports.http 80/TCP", "spec.ports.https 443/TCP", "spec.ports.healthz 10254/TCP",
				"spec.ports.defaultServer 8181/TCP", "spec.ports.status 10246/TCP", "spec.ports.stream 10247/TCP",
				"spec.ports.profiler 10245/TCP", "spec.ports.sslPassthroughProxy 442/TCP",
			},
		},
		{
			name: "host ports map only http, https and the tcp/udp entries",
			gw:   gateway(t, "ns", "a", hostPorts, tcp(9000), udp(9000)),
			want: []string{"spec.ports.http 80/TCP", "spec.ports.https 443/TCP", "spec.tcp[0].port 9000/TCP", "spec.udp[0].port 9000/UDP"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range facts.BoundPorts(&tc.gw) {
				got = append(got, fmt.Sprintf("%s %d/%s", p.Field, p.Port, p.Protocol))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("BoundPorts (-want +got):\n%s", diff)
			}
		})
	}
}
