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

package classrules

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/portico-dev/portico/api/v1alpha1"
)

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

// References lists every Secret and Service gw references by namespace
// and name, namespaces defaulted to the gateway's. spec.vip.authSecretRef
// is always in the gateway's namespace and is left out.
func References(gw *v1alpha1.IngressGateway) []Reference {
	ns := func(s string) string {
		if s == "" {
			return gw.Namespace
		}
		return s
	}
	var out []Reference
	if dc := gw.Spec.DefaultCertificate; dc != nil {
		out = append(out, Reference{Field: spec.Child("defaultCertificate", "secretRef"), Kind: "Secret", Namespace: ns(dc.SecretRef.Namespace), Name: dc.SecretRef.Name})
	}
	if db := gw.Spec.DefaultBackend; db != nil {
		out = append(out, Reference{Field: spec.Child("defaultBackend"), Kind: "Service", Namespace: ns(db.Namespace), Name: db.Name})
	}
	for i, e := range gw.Spec.TCP {
		out = append(out, Reference{Field: spec.Child("tcp").Index(i).Child("backend"), Kind: "Service", Namespace: ns(e.Backend.Namespace), Name: e.Backend.Name, Port: e.Port, Protocol: "TCP"})
	}
	for i, e := range gw.Spec.UDP {
		out = append(out, Reference{Field: spec.Child("udp").Index(i).Child("backend"), Kind: "Service", Namespace: ns(e.Backend.Namespace), Name: e.Backend.Name, Port: e.Port, Protocol: "UDP"})
	}
	// The main ConfigMap's ssl-dh-param names a Secret the controller
	// reads, as <namespace>/<name>.
	if v := gw.Spec.Controller.Config["ssl-dh-param"]; strings.Contains(v, "/") {
		n, name, _ := strings.Cut(v, "/")
		out = append(out, Reference{Field: spec.Child("controller", "config").Key("ssl-dh-param"), Kind: "Secret", Namespace: ns(n), Name: name})
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

// Granted reports whether a grant in r's namespace lets gateways of
// namespace from reference r.
func Granted(r Reference, from string, grants []v1alpha1.IngressGatewayGrant) bool {
	for _, g := range grants {
		if g.Namespace != r.Namespace {
			continue
		}
		fromOK := false
		for _, f := range g.Spec.From {
			if f.Namespace == from {
				fromOK = true
			}
		}
		if !fromOK {
			continue
		}
		for _, t := range g.Spec.To {
			if t.Kind == r.Kind && (t.Name == "" || t.Name == r.Name) {
				return true
			}
		}
	}
	return false
}

// Permitted reports whether the gateway may use reference r under class:
// the operator reads a referenced object only when this holds, so status
// never reveals anything about an object the gateway may not reference.
func Permitted(r Reference, gw *v1alpha1.IngressGateway, class *v1alpha1.IngressGatewayClass, grants []v1alpha1.IngressGatewayGrant) bool {
	if r.Namespace == gw.Namespace {
		return true
	}
	if class == nil || !class.Spec.References.CrossNamespace || class.Spec.DataPlane.Scope == v1alpha1.ScopeGatewayNamespace {
		return false
	}
	return Granted(r, gw.Namespace, grants)
}
