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

package facts

import (
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// Every reference a gateway makes to an object outside itself names a
// namespace that defaults to the gateway's. The defaulting happens here and
// nowhere else.

// Reference is one object a gateway names outside itself.
type Reference struct {
	// Field is the gateway field that names it.
	Field *field.Path
	// Kind is Secret or Service.
	Kind v1alpha1.GrantKind
	// Namespace (defaulted to the gateway's) and Name of the object.
	Namespace, Name string
	// Port and Protocol are the gateway port of a tcp/udp entry's backend.
	Port     int32
	Protocol string
}

// namespace returns ns, or gw's namespace when ns is empty.
func namespace(gw *v1alpha1.IngressGateway, ns string) string {
	if ns == "" {
		return gw.Namespace
	}
	return ns
}

// References lists every Secret and Service gw references by namespace
// and name, namespaces defaulted to the gateway's. spec.vip.authSecretRef
// is always in the gateway's namespace and is left out.
func References(gw *v1alpha1.IngressGateway) []Reference {
	spec := field.NewPath("spec")
	var out []Reference
	if key, ok := DefaultCertificateKey(gw); ok {
		out = append(out, Reference{Field: spec.Child("defaultCertificate", "secretRef"), Kind: "Secret", Namespace: key.Namespace, Name: key.Name})
	}
	if key, ok := DefaultBackendKey(gw); ok {
		out = append(out, Reference{Field: spec.Child("defaultBackend"), Kind: "Service", Namespace: key.Namespace, Name: key.Name})
	}
	for i, e := range gw.Spec.TCP {
		key := BackendKey(gw, e.Backend)
		out = append(out, Reference{Field: spec.Child("tcp").Index(i).Child("backend"), Kind: "Service", Namespace: key.Namespace, Name: key.Name, Port: e.Port, Protocol: "TCP"})
	}
	for i, e := range gw.Spec.UDP {
		key := BackendKey(gw, e.Backend)
		out = append(out, Reference{Field: spec.Child("udp").Index(i).Child("backend"), Kind: "Service", Namespace: key.Namespace, Name: key.Name, Port: e.Port, Protocol: "UDP"})
	}
	// The main ConfigMap's ssl-dh-param names a Secret the controller
	// reads, as <namespace>/<name>.
	if v := gw.Spec.Controller.Config["ssl-dh-param"]; strings.Contains(v, "/") {
		n, name, _ := strings.Cut(v, "/")
		out = append(out, Reference{Field: spec.Child("controller", "config").Key("ssl-dh-param"), Kind: "Secret", Namespace: namespace(gw, n), Name: name})
	}
	return out
}

// ReferencedNamespaces are the namespaces other than the gateway's that
// its references point into: where to look for grants.
func ReferencedNamespaces(gw *v1alpha1.IngressGateway) []string {
	var out []string
	seen := map[string]bool{gw.Namespace: true}
	for _, r := range References(gw) {
		if !seen[r.Namespace] {
			seen[r.Namespace] = true
			out = append(out, r.Namespace)
		}
	}
	return out
}

// DefaultCertificateKey returns the Secret in spec.defaultCertificate, the
// namespace defaulting to the gateway's; ok is false without one.
func DefaultCertificateKey(gw *v1alpha1.IngressGateway) (types.NamespacedName, bool) {
	dc := gw.Spec.DefaultCertificate
	if dc == nil {
		return types.NamespacedName{}, false
	}
	return types.NamespacedName{Namespace: namespace(gw, dc.SecretRef.Namespace), Name: dc.SecretRef.Name}, true
}

// DefaultBackendKey returns the Service in spec.defaultBackend, the
// namespace defaulting to the gateway's; ok is false without one.
func DefaultBackendKey(gw *v1alpha1.IngressGateway) (types.NamespacedName, bool) {
	db := gw.Spec.DefaultBackend
	if db == nil {
		return types.NamespacedName{}, false
	}
	return types.NamespacedName{Namespace: namespace(gw, db.Namespace), Name: db.Name}, true
}

// BackendKey returns the Service of a tcp or udp entry's backend b, the
// namespace defaulting to the gateway's.
func BackendKey(gw *v1alpha1.IngressGateway, b v1alpha1.Backend) types.NamespacedName {
	return types.NamespacedName{Namespace: namespace(gw, b.Namespace), Name: b.Name}
}
