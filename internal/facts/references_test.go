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
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// TestReferencesDefaultTheNamespace: every reference without a namespace
// is in the gateway's, and each key function agrees with References.
func TestReferencesDefaultTheNamespace(t *testing.T) {
	gw := &v1alpha1.IngressGateway{}
	gw.Namespace, gw.Name = "edge", "public"
	gw.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "wildcard"}}
	gw.Spec.DefaultBackend = &v1alpha1.ServiceReference{Namespace: "errors", Name: "fallback"}
	gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "redis", Port: intstr.FromInt32(6379)}}}
	gw.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Namespace: "kube-system", Name: "dns", Port: intstr.FromInt32(53)}}}
	gw.Spec.Controller.Config = map[string]string{"ssl-dh-param": "certs/dhparam"}

	var got []string
	for _, r := range facts.References(gw) {
		got = append(got, fmt.Sprintf("%s %s %s/%s %d%s", r.Field, r.Kind, r.Namespace, r.Name, r.Port, r.Protocol))
	}
	want := []string{
		"spec.defaultCertificate.secretRef Secret edge/wildcard 0",
		"spec.defaultBackend Service errors/fallback 0",
		"spec.tcp[0].backend Service edge/redis 9000TCP",
		"spec.udp[0].backend Service kube-system/dns 53UDP",
		"spec.controller.config[ssl-dh-param] Secret certs/dhparam 0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("References (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"errors", "kube-system", "certs"}, facts.ReferencedNamespaces(gw)); diff != "" {
		t.Errorf("ReferencedNamespaces (-want +got):\n%s", diff)
	}

	if key, ok := facts.DefaultCertificateKey(gw); !ok || key.String() != "edge/wildcard" {
		t.Errorf("DefaultCertificateKey = %s, %v", key, ok)
	}
	if key, ok := facts.DefaultBackendKey(gw); !ok || key.String() != "errors/fallback" {
		t.Errorf("DefaultBackendKey = %s, %v", key, ok)
	}
	if key := facts.BackendKey(gw, gw.Spec.TCP[0].Backend); key.String() != "edge/redis" {
		t.Errorf("BackendKey = %s", key)
	}

	none := &v1alpha1.IngressGateway{}
	if _, ok := facts.DefaultCertificateKey(none); ok {
		t.Error("DefaultCertificateKey: ok without spec.defaultCertificate")
	}
	if _, ok := facts.DefaultBackendKey(none); ok {
		t.Error("DefaultBackendKey: ok without spec.defaultBackend")
	}
}
