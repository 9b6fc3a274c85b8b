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

package fleetrules_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/fleetrules"
	"github.com/portico-dev/portico/internal/render"
)

// These tests need no API server: they cover the rules themselves. The
// webhook's envtest suite checks they are wired into admission.

// gateway returns a gateway with the CRD's defaults, as the webhook sees it.
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

func nodes(kv ...string) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.Workload.NodeSelector = map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			gw.Spec.Workload.NodeSelector[kv[i]] = kv[i+1]
		}
	}
}

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

func class(name string) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) { gw.Spec.IngressClass.Name = name }
}

func aliases(names ...string) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) { gw.Spec.IngressClass.Aliases = names }
}

func deleting(gw *v1alpha1.IngressGateway) {
	gw.DeletionTimestamp = ptr.To(metav1.Now())
	gw.Finalizers = []string{"ingress.portico.dev/cleanup"}
}

func TestNodesMayOverlap(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b map[string]string
		want bool
	}{
		{name: "no selectors", want: true},
		{name: "one selector", a: map[string]string{"zone": "a"}, want: true},
		{name: "same value", a: map[string]string{"zone": "a"}, b: map[string]string{"zone": "a"}, want: true},
		{name: "different keys may match one node", a: map[string]string{"zone": "a"}, b: map[string]string{"role": "edge"}, want: true},
		{name: "same key, different values", a: map[string]string{"zone": "a"}, b: map[string]string{"zone": "b"}, want: false},
		{
			name: "one differing key is enough",
			a:    map[string]string{"zone": "a", "role": "edge"}, b: map[string]string{"zone": "a", "role": "core"}, want: false,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fleetrules.NodesMayOverlap(tc.a, tc.b); got != tc.want {
				t.Errorf("NodesMayOverlap(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := fleetrules.NodesMayOverlap(tc.b, tc.a); got != tc.want {
				t.Errorf("NodesMayOverlap is not symmetric for %v, %v", tc.a, tc.b)
			}
		})
	}
}

func errorStrings(cs []fleetrules.Conflict) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Err.Error())
	}
	return out
}

func TestHostPortConflicts(t *testing.T) {
	const hint = "; pick another port or give the two gateways disjoint spec.workload.nodeSelector values"
	for _, tc := range []struct {
		name   string
		gw     v1alpha1.IngressGateway
		others []v1alpha1.IngressGateway
		want   []string
	}{
		{
			name:   "two host-network gateways with the default ports",
			gw:     gateway(t, "ns", "b", hostNetwork, func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Enabled = ptr.To(false) }),
			others: []v1alpha1.IngressGateway{gateway(t, "other", "a", hostNetwork)},
			want: []string{
				"spec.ports.http: Invalid value: 80: port 80/TCP is already bound on the same nodes by IngressGateway other/a (spec.ports.http)" + hint,
				"spec.ports.https: Invalid value: 443: port 443/TCP is already bound on the same nodes by IngressGateway other/a (spec.ports.https)" + hint,
				"spec.ports.healthz: Invalid value: 10254: port 10254/TCP is already bound on the same nodes by IngressGateway other/a (spec.ports.healthz)" + hint,
				"spec.ports.defaultServer: Invalid value: 8181: port 8181/TCP is already bound on the same nodes by IngressGateway other/a (spec.ports.defaultServer)" + hint,
				"spec.ports.status: Invalid value: 10246: port 10246/TCP is already bound on the same nodes by IngressGateway other/a (spec.ports.status)" + hint,
				"spec.ports.stream: Invalid value: 10247: port 10247/TCP is already bound on the same nodes by IngressGateway other/a (spec.ports.stream)" + hint,
				"spec.ports.profiler: Invalid value: 10245: port 10245/TCP is already bound on the same nodes by IngressGateway other/a (spec.ports.profiler)" + hint,
				"spec.ports.sslPassthroughProxy: Invalid value: 442: port 442/TCP is already bound on the same nodes by IngressGateway other/a (spec.ports.sslPassthroughProxy)" + hint,
			},
		},
		{
			name:   "disjoint node selectors",
			gw:     gateway(t, "ns", "b", hostNetwork, nodes("zone", "b")),
			others: []v1alpha1.IngressGateway{gateway(t, "ns", "a", hostNetwork, nodes("zone", "a"))},
		},
		{
			name:   "selectors on different keys may share nodes",
			gw:     gateway(t, "ns", "b", hostPorts, nodes("zone", "b"), func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTPS = 8443 }),
			others: []v1alpha1.IngressGateway{gateway(t, "ns", "a", hostPorts, nodes("role", "edge"), func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTPS = 9443 })},
			want:   []string{"spec.ports.http: Invalid value: 80: port 80/TCP is already bound on the same nodes by IngressGateway ns/a (spec.ports.http)" + hint},
		},
		{
			name: "a tcp entry and a udp entry share a number, not a protocol",
			gw:   gateway(t, "ns", "b", hostPorts, tcp(8888), func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTP, gw.Spec.Ports.HTTPS = 8080, 8443 }),
			others: []v1alpha1.IngressGateway{
				gateway(t, "ns", "a", hostPorts, udp(8888)),
			},
		},
		{
			name: "a tcp entry on another host-network gateway's healthz port",
			gw: gateway(t, "ns", "b", hostPorts, tcp(10254), func(gw *v1alpha1.IngressGateway) {
				gw.Spec.Ports.HTTP, gw.Spec.Ports.HTTPS, gw.Spec.Ports.Healthz = 8080, 8443, 11254
			}),
			others: []v1alpha1.IngressGateway{gateway(t, "ns", "a", hostNetwork)},
			want: []string{
				"spec.ports.https: Invalid value: 8443: port 8443/TCP is already bound on the same nodes by IngressGateway ns/a (spec.admissionWebhook.port)" + hint,
				"spec.tcp[0].port: Invalid value: 10254: port 10254/TCP is already bound on the same nodes by IngressGateway ns/a (spec.ports.healthz)" + hint,
			},
		},
		{
			name:   "host ports do not bind healthz on the node",
			gw:     gateway(t, "ns", "b", hostNetwork, tcp(9000), func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTP, gw.Spec.Ports.HTTPS = 8080, 8444 }),
			others: []v1alpha1.IngressGateway{gateway(t, "ns", "a", hostPorts)},
		},
		{
			name:   "a tcp entry on another gateway's tcp entry",
			gw:     gateway(t, "ns", "b", hostNetwork, tcp(8888), nodes("zone", "a"), func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTP, gw.Spec.Ports.HTTPS = 8080, 8444 }),
			others: []v1alpha1.IngressGateway{gateway(t, "ns", "a", hostPorts, tcp(9999), tcp(8888), nodes("zone", "a"))},
			want:   []string{"spec.tcp[0].port: Invalid value: 8888: port 8888/TCP is already bound on the same nodes by IngressGateway ns/a (spec.tcp[1].port)" + hint},
		},
		{
			name:   "gateways without host ports never conflict",
			gw:     gateway(t, "ns", "b", hostNetwork),
			others: []v1alpha1.IngressGateway{gateway(t, "ns", "a"), gateway(t, "ns", "c", tcp(80))},
		},
		{
			name:   "the gateway itself and gateways being deleted are skipped",
			gw:     gateway(t, "ns", "b", hostNetwork),
			others: []v1alpha1.IngressGateway{gateway(t, "ns", "b", hostNetwork), gateway(t, "ns", "a", hostNetwork, deleting)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := errorStrings(fleetrules.HostPortConflicts(&tc.gw, tc.others))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("HostPortConflicts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIngressClassConflicts(t *testing.T) {
	ic := func(name string, labels map[string]string) *networkingv1.IngressClass {
		return &networkingv1.IngressClass{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Spec:       networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"},
		}
	}
	for _, tc := range []struct {
		name     string
		gw       v1alpha1.IngressGateway
		others   []v1alpha1.IngressGateway
		existing *networkingv1.IngressClass
		want     []string
	}{
		{
			name:   "an alias another gateway serves as its class",
			gw:     gateway(t, "ns", "public", aliases("nginx")),
			others: []v1alpha1.IngressGateway{gateway(t, "other", "nginx")},
			want: []string{`spec.ingressClass.aliases[0]: Invalid value: "nginx": IngressClass "nginx" is already served by IngressGateway other/nginx; ` +
				`remove or rename this alias`},
		},
		{
			name:   "a class another gateway serves as an alias",
			gw:     gateway(t, "ns", "nginx"),
			others: []v1alpha1.IngressGateway{gateway(t, "other", "public", aliases("internal", "nginx"))},
			want: []string{`spec.ingressClass.name: Invalid value: "nginx": IngressClass "nginx" is already served by IngressGateway other/public; ` +
				`set another spec.ingressClass.name (it defaults to metadata.name)`},
		},
		{
			name:     "an alias on a class Portico does not manage",
			gw:       gateway(t, "ns", "public", aliases("internal", "nginx")),
			existing: ic("nginx", nil),
			want: []string{`spec.ingressClass.aliases[1]: Invalid value: "nginx": IngressClass "nginx" already exists with controller "k8s.io/ingress-nginx" ` +
				`and is not managed by Portico; remove or rename this alias, or move its Ingresses and delete it first`},
		},
		{
			name:   "the class defaults to the gateway's name",
			gw:     gateway(t, "ns", "public"),
			others: []v1alpha1.IngressGateway{gateway(t, "other", "a", class("public")), gateway(t, "other", "b", class("internal"))},
			want: []string{`spec.ingressClass.name: Invalid value: "public": IngressClass "public" is already served by IngressGateway other/a; ` +
				`set another spec.ingressClass.name (it defaults to metadata.name)`},
		},
		{
			name:   "a named class",
			gw:     gateway(t, "ns", "b", class("public")),
			others: []v1alpha1.IngressGateway{gateway(t, "other", "public")},
			want: []string{`spec.ingressClass.name: Invalid value: "public": IngressClass "public" is already served by IngressGateway other/public; ` +
				`set another spec.ingressClass.name`},
		},
		{
			name:     "a gateway being deleted no longer counts, its class still does",
			gw:       gateway(t, "ns", "b", class("public")),
			others:   []v1alpha1.IngressGateway{gateway(t, "other", "public", deleting)},
			existing: ic("public", render.OwnerLabels("other", "public")),
			want: []string{`spec.ingressClass.name: Invalid value: "public": IngressClass "public" already exists with controller "k8s.io/ingress-nginx" ` +
				`for IngressGateway other/public, which is being deleted or gone; wait until its deletion removes the IngressClass (or delete the IngressClass), ` +
				`or set another spec.ingressClass.name`},
		},
		{
			name:     "a class Portico does not manage",
			gw:       gateway(t, "ns", "nginx"),
			existing: ic("nginx", map[string]string{"app.kubernetes.io/name": "ingress-nginx"}),
			want: []string{`spec.ingressClass.name: Invalid value: "nginx": IngressClass "nginx" already exists with controller "k8s.io/ingress-nginx" ` +
				`and is not managed by Portico; set another spec.ingressClass.name (it defaults to metadata.name), or move its Ingresses and delete it first`},
		},
		{
			name:     "the gateway's own class",
			gw:       gateway(t, "ns", "public"),
			existing: ic("public", render.OwnerLabels("ns", "public")),
		},
		{
			name:     "a class of a live gateway is reported once, against the gateway",
			gw:       gateway(t, "ns", "b", class("public")),
			others:   []v1alpha1.IngressGateway{gateway(t, "other", "public")},
			existing: ic("public", render.OwnerLabels("other", "public")),
			want: []string{`spec.ingressClass.name: Invalid value: "public": IngressClass "public" is already served by IngressGateway other/public; ` +
				`set another spec.ingressClass.name`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			existing := map[string]*networkingv1.IngressClass{}
			if tc.existing != nil {
				existing[tc.existing.Name] = tc.existing
			}
			got := errorStrings(fleetrules.IngressClassConflicts(&tc.gw, tc.others, existing))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("IngressClassConflicts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIntroduced: an update is refused only for conflicts it adds, even
// when an edit moves an old conflict to another list index.
func TestIntroduced(t *testing.T) {
	a := gateway(t, "ns", "a", hostNetwork, tcp(8888), nodes("zone", "a"))
	before := gateway(t, "ns", "b", hostPorts, tcp(8888), nodes("zone", "a"))
	moved := gateway(t, "ns", "b", hostPorts, tcp(7777), tcp(8888), nodes("zone", "a"))
	worse := gateway(t, "ns", "b", hostPorts, tcp(8888), tcp(10254), nodes("zone", "a"))
	others := []v1alpha1.IngressGateway{a}
	old := fleetrules.HostPortConflicts(&before, others)
	if len(old) == 0 {
		t.Fatal("the old gateway should conflict")
	}
	if got := fleetrules.Introduced(fleetrules.HostPortConflicts(&moved, others), old); len(got) != 0 {
		t.Errorf("moving an existing conflict introduced %v", got)
	}
	got := fleetrules.Introduced(fleetrules.HostPortConflicts(&worse, others), old)
	if len(got) != 1 || got[0].Field != "spec.tcp[1].port" || !strings.Contains(got[0].Detail, "spec.ports.healthz") {
		t.Errorf("Introduced = %v, want only spec.tcp[1].port against spec.ports.healthz", got)
	}
}

func TestRouterIDConflicts(t *testing.T) {
	vip := func(ns, name string, explicit, allocated int32) v1alpha1.IngressGateway {
		gw := v1alpha1.IngressGateway{}
		gw.Namespace, gw.Name = ns, name
		gw.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"10.0.0.1/24"}}
		if explicit != 0 {
			gw.Spec.VIP.VirtualRouterID = &explicit
		}
		if allocated != 0 {
			gw.Status.VIP = &v1alpha1.VIPStatus{RouterID: allocated}
		}
		return gw
	}
	all := []v1alpha1.IngressGateway{vip("a", "explicit", 7, 7), vip("b", "allocated", 0, 9), vip("c", "other", 0, 0)}
	cases := []struct {
		name string
		gw   v1alpha1.IngressGateway
		want string
	}{
		{"collides with an explicit ID", vip("d", "new", 7, 0), "VRRP router ID 7 is already used by IngressGateway a/explicit"},
		{"collides with an allocated ID", vip("d", "new", 9, 0), "already used by IngressGateway b/allocated"},
		{"a free ID", vip("d", "new", 8, 0), ""},
		{"no explicit ID: the operator allocates", vip("d", "new", 0, 0), ""},
		{"its own ID on update", vip("a", "explicit", 7, 7), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fleetrules.RouterIDConflicts(&tc.gw, all)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected conflicts: %v", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Err.Error(), tc.want) || !strings.Contains(got[0].Err.Error(), "spec.vip.virtualRouterID") {
				t.Fatalf("got %v, want one conflict with %q", got, tc.want)
			}
		})
	}
}
