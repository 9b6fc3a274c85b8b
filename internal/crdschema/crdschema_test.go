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

package crdschema

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// These tests run the CRD's CEL rules in process, as the API server does
// (the envtest suites check the API server agrees).

func gateway(mutate ...func(*v1alpha1.IngressGateway)) *v1alpha1.IngressGateway {
	gw := &v1alpha1.IngressGateway{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "IngressGateway"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw"},
	}
	for _, m := range mutate {
		m(gw)
	}
	return gw
}

func tcp(port int32) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.TCP = append(gw.Spec.TCP, v1alpha1.TCPService{Port: port, Backend: v1alpha1.Backend{Name: "svc", Port: intstr.FromInt32(1)}})
	}
}

func udp(port int32) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.UDP = append(gw.Spec.UDP, v1alpha1.UDPService{Port: port, Backend: v1alpha1.Backend{Name: "svc", Port: intstr.FromInt32(1)}})
	}
}

func decode(t *testing.T, gw *v1alpha1.IngressGateway) (*v1alpha1.IngressGateway, error) {
	t.Helper()
	doc, err := yaml.Marshal(gw)
	if err != nil {
		t.Fatal(err)
	}
	return Decode(doc)
}

// TestStreamPortRulesAgreeWithRender holds the CRD's create-time port
// rules to internal/facts: a tcp or udp entry is rejected exactly when
// facts.StreamPortCollision names a controller port, and the message
// names the entry, its port and protocol and that port's field. It tries
// every controller port and a free one, for both protocols, on gateways
// with default, moved and disabled webhooks and custom ports.
func TestStreamPortRulesAgreeWithRender(t *testing.T) {
	for _, v := range []struct {
		name    string
		variant func(*v1alpha1.IngressGateway)
	}{
		{"defaults", func(*v1alpha1.IngressGateway) {}},
		{"webhook moved", func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = 9443 }},
		{"webhook disabled", func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Enabled = ptr.To(false) }},
		{"custom ports", func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Ports = v1alpha1.PortsSpec{HTTP: 8080, HTTPS: 8444, Healthz: 11254, DefaultServer: 9181,
				Status: 11246, Stream: 11247, Profiler: 11245, SSLPassthroughProxy: 1442}
		}},
	} {
		name, variant := v.name, v.variant
		// The facts are read off the defaulted gateway, as the operator sees it.
		base, err := decode(t, gateway(variant))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		candidates := []int32{53, facts.DefaultWebhookPort, 9443}
		for _, cp := range facts.ControllerPorts(base) {
			candidates = append(candidates, cp.Port)
		}
		slices.Sort(candidates)
		candidates = slices.Compact(candidates)
		for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP} {
			for _, port := range candidates {
				entry, list := tcp(port), "tcp"
				if proto == corev1.ProtocolUDP {
					entry, list = udp(port), "udp"
				}
				t.Run(fmt.Sprintf("%s/%d-%s", name, port, proto), func(t *testing.T) {
					_, err := decode(t, gateway(variant, entry))
					cp, collides := facts.StreamPortCollision(base, proto, port)
					if !collides {
						if err != nil {
							t.Fatalf("facts sees no collision, the CRD rejects: %v", err)
						}
						return
					}
					if err == nil {
						t.Fatalf("facts says %d/%s collides with %s, the CRD accepts it", port, proto, cp.Field)
					}
					want := fmt.Sprintf("spec.%s: Invalid value: spec.%s[0].port: %d/%s is also %s", list, list, port, proto, cp.Field)
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error lacks %q:\n%v", want, err)
					}
				})
			}
		}
		// The webhook port may not be any of spec.ports.
		for _, cp := range facts.ControllerPorts(base) {
			if cp.Flag == "" || !base.Spec.AdmissionWebhook.IsEnabled() {
				continue
			}
			_, err := decode(t, gateway(variant, func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = cp.Port }))
			want := fmt.Sprintf("spec.admissionWebhook.port: Invalid value: spec.admissionWebhook.port: %d/TCP is also %s", cp.Port, cp.Field)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: webhook on %s: want %q, got %v", name, cp.Field, want, err)
			}
		}
	}
}

// validateUpdate runs the CEL rules on an update from old to gw, both
// defaulted first, and returns the errors.
func validateUpdate(t *testing.T, old, gw *v1alpha1.IngressGateway) field.ErrorList {
	t.Helper()
	s, err := load()
	if err != nil {
		t.Fatal(err)
	}
	obj := func(gw *v1alpha1.IngressGateway) map[string]any {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(gw)
		if err != nil {
			t.Fatal(err)
		}
		structuraldefaulting.Default(m, s)
		return m
	}
	errs, _ := cel.NewValidator(s, true, celconfig.PerCallLimit).
		Validate(context.Background(), nil, s, obj(gw), obj(old), celconfig.RuntimeCELCostBudget)
	return errs
}

// TestPortCollisionBlamesTheChangedField: on update a collision is
// reported once, on the field that moved onto the other.
func TestPortCollisionBlamesTheChangedField(t *testing.T) {
	webhookOff := func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Enabled = ptr.To(false) }
	for _, tc := range []struct {
		name     string
		old, now *v1alpha1.IngressGateway
		// want is "field: message substring"; "" means the update passes.
		want string
	}{
		{name: "ports.https moved onto the webhook port",
			old: gateway(), now: gateway(func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTPS = 8443 }),
			want: "spec.ports: spec.ports.https: changed to 8443, which spec.admissionWebhook.port already uses; pick another port for it"},
		{name: "webhook port moved onto ports.https",
			old: gateway(), now: gateway(func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = 443 }),
			want: "spec.admissionWebhook.port: spec.admissionWebhook.port: 443/TCP is also spec.ports.https"},
		{name: "ports.https moved onto a tcp entry",
			old: gateway(tcp(9000)), now: gateway(tcp(9000), func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTPS = 9000 }),
			want: "spec.ports: spec.ports.https: changed to 9000, which spec.tcp[0].port already uses"},
		{name: "ports.http moved onto a udp entry",
			old: gateway(udp(53)), now: gateway(udp(53), func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTP = 53 }),
			want: "spec.ports: spec.ports.http: changed to 53, which spec.udp[0].port (ingress-nginx skips tcp/udp-services entries on the ports in spec.ports, UDP ones too) already uses"},
		{name: "a tcp entry added on ports.https",
			old: gateway(tcp(9000)), now: gateway(tcp(9000), tcp(443)),
			want: "spec.tcp: spec.tcp[1].port: 443/TCP is also spec.ports.https"},
		{name: "webhook port moved onto a tcp entry",
			old: gateway(tcp(9000)), now: gateway(tcp(9000), func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = 9000 }),
			want: "spec.admissionWebhook.port: spec.admissionWebhook.port: 9000/TCP is also spec.tcp[0].port"},
		{name: "webhook enabled over a tcp entry on its port",
			old: gateway(tcp(8443), webhookOff), now: gateway(tcp(8443)),
			want: "spec.admissionWebhook.port: spec.admissionWebhook.port: 8443/TCP is also spec.tcp[0].port"},
		{name: "webhook port moved onto a udp entry",
			old: gateway(udp(9000)), now: gateway(udp(9000), func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = 9000 })},
		{name: "a udp entry added on the webhook port",
			old: gateway(), now: gateway(udp(8443))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := validateUpdate(t, tc.old, tc.now)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field+": "+e.Detail)
			}
			if tc.want == "" {
				if len(errs) > 0 {
					t.Fatalf("want no error, got %q", got)
				}
				return
			}
			if len(errs) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Fatalf("want one error starting %q, got %q", tc.want, got)
			}
		})
	}
}

// TestRejectionsHaveFieldPaths: a name too long for its children is
// reported on metadata, not on a nil path.
func TestRejectionsHaveFieldPaths(t *testing.T) {
	_, err := decode(t, gateway(func(gw *v1alpha1.IngressGateway) { gw.Name = strings.Repeat("a", 64) }))
	want := "metadata: Invalid value: metadata.name must be at most 63 characters, not 64"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %v", want, err)
	}
}
