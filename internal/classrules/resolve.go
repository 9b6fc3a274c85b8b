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
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// ErrClassNotFound says why a gateway has no class; Msg is about the field
// spec.gatewayClassName.
type ErrClassNotFound struct{ Msg string }

func (e *ErrClassNotFound) Error() string { return "spec.gatewayClassName: " + e.Msg }

// Resolve picks gw's class from classes: the one spec.gatewayClassName
// names, or the single default class.
func Resolve(gw *v1alpha1.IngressGateway, classes []v1alpha1.IngressGatewayClass) (*v1alpha1.IngressGatewayClass, error) {
	if name := gw.Spec.GatewayClassName; name != "" {
		for i := range classes {
			if classes[i].Name == name {
				return &classes[i], nil
			}
		}
		return nil, &ErrClassNotFound{Msg: fmt.Sprintf("IngressGatewayClass %q does not exist; name an existing class (kubectl get ingressgatewayclasses) or ask a cluster admin to create it", name)}
	}
	var defaults []string
	var found *v1alpha1.IngressGatewayClass
	for i := range classes {
		if classes[i].Spec.Default {
			defaults = append(defaults, classes[i].Name)
			found = &classes[i]
		}
	}
	switch len(defaults) {
	case 1:
		return found, nil
	case 0:
		return nil, &ErrClassNotFound{Msg: "no IngressGatewayClass is marked default; set spec.gatewayClassName to a class (kubectl get ingressgatewayclasses) or ask a cluster admin to mark one default"}
	default:
		slices.Sort(defaults)
		return nil, &ErrClassNotFound{Msg: fmt.Sprintf("several IngressGatewayClasses are marked default (%v); set spec.gatewayClassName, or ask a cluster admin to leave one default", defaults)}
	}
}

// ClassFor returns the narrowest IngressGatewayClass named name that admits
// gw (its namespace, and each capability, image and reference it uses), and
// the IngressGatewayGrants its cross-namespace references need. The
// importer writes them, so an imported install keeps running under the
// trust model; a cluster admin reviews them like any class.
func ClassFor(gw *v1alpha1.IngressGateway, name string) (*v1alpha1.IngressGatewayClass, []*v1alpha1.IngressGatewayGrant) {
	c := &v1alpha1.IngressGatewayClass{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "IngressGatewayClass"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.IngressGatewayClassSpec{
			AllowedNamespaces: v1alpha1.AllowedNamespaces{Names: []string{gw.Namespace}},
			DataPlane:         v1alpha1.DataPlaneSpec{Driver: v1alpha1.DriverIngressNGINX, Scope: v1alpha1.ScopeCluster},
		},
	}
	s, caps := gw.Spec, &c.Spec.Capabilities
	caps.HostNetwork, caps.HostPorts = s.Workload.HostNetwork, s.Workload.HostPorts
	caps.DefaultIngressClass = s.IngressClass.Default
	caps.IngressClassAliases = len(s.IngressClass.Aliases) > 0
	caps.Snippets = s.Controller.AllowSnippetAnnotations
	for k, v := range s.Controller.Config {
		caps.Snippets = caps.Snippets || IsSnippetKey(k, v)
	}
	caps.ExtraArgs = slicesSorted(s.Controller.ExtraArgs)
	caps.Tolerations = slices.Clone(s.Workload.Tolerations)
	if p := s.Workload.PriorityClassName; p != "" {
		caps.PriorityClassNames = []string{p}
	}
	if s.VIP != nil {
		caps.VIP = &v1alpha1.VIPCapability{AddressPools: slices.Clone(s.VIP.Addresses)}
	}
	for _, img := range []string{s.Controller.Image, vipImage(gw)} {
		if img != "" && !slices.Contains(c.Spec.DataPlane.AllowedImages, img) {
			c.Spec.DataPlane.AllowedImages = append(c.Spec.DataPlane.AllowedImages, img)
		}
	}
	grants := map[string]*v1alpha1.IngressGatewayGrant{}
	var order []string
	for _, r := range facts.References(gw) {
		if r.Namespace == gw.Namespace {
			continue
		}
		c.Spec.References.CrossNamespace = true
		g, ok := grants[r.Namespace]
		if !ok {
			g = &v1alpha1.IngressGatewayGrant{
				TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "IngressGatewayGrant"},
				ObjectMeta: metav1.ObjectMeta{Namespace: r.Namespace, Name: name},
				Spec:       v1alpha1.IngressGatewayGrantSpec{From: []v1alpha1.GrantFrom{{Namespace: gw.Namespace}}},
			}
			grants[r.Namespace] = g
			order = append(order, r.Namespace)
		}
		to := v1alpha1.GrantTo{Kind: r.Kind, Name: r.Name}
		if !slices.Contains(g.Spec.To, to) {
			g.Spec.To = append(g.Spec.To, to)
		}
	}
	out := make([]*v1alpha1.IngressGatewayGrant, 0, len(order))
	for _, ns := range order {
		out = append(out, grants[ns])
	}
	return c, out
}

func vipImage(gw *v1alpha1.IngressGateway) string {
	if gw.Spec.VIP == nil {
		return ""
	}
	return gw.Spec.VIP.Image
}
