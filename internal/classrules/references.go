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
	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// ReferencedNamespaces are the namespaces whose IngressGatewayGrants Check
// needs for gw: those other than the gateway's that its references point
// into (facts.ReferencedNamespaces).
func ReferencedNamespaces(gw *v1alpha1.IngressGateway) []string {
	return facts.ReferencedNamespaces(gw)
}

// Granted reports whether a grant in r's namespace lets gateways of
// namespace from reference r.
func Granted(r facts.Reference, from string, grants []v1alpha1.IngressGatewayGrant) bool {
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
func Permitted(r facts.Reference, gw *v1alpha1.IngressGateway, class *v1alpha1.IngressGatewayClass, grants []v1alpha1.IngressGatewayGrant) bool {
	if r.Namespace == gw.Namespace {
		return true
	}
	if class == nil || !class.Spec.References.CrossNamespace || class.Spec.DataPlane.Scope == v1alpha1.ScopeGatewayNamespace {
		return false
	}
	return Granted(r, gw.Namespace, grants)
}
