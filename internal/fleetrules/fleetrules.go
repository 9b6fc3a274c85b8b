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

// Package fleetrules holds the rules across gateways: host ports two fleets
// bind on shared nodes, IngressClass names, VRRP router IDs and floating
// addresses. Each rule is pure: given the gateway under review and what the
// cluster holds (the other gateways, existing IngressClasses), it returns
// the conflicts; nothing here talks to the API server. The operator's
// admission webhook (internal/webhook) refuses a gateway for what they
// find. A new rule across gateways goes here, with a case in
// fleetrules_test.go and its wiring in the webhook's conflicts.
package fleetrules

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// NodesMayOverlap reports whether pods with node selectors a and b may land
// on the same node. It is deliberately conservative: the webhook cannot know
// the nodes of tomorrow, nor reason about affinities, taints and
// tolerations, so two selectors are only provably disjoint when they require
// different values for the same label key. Anything else may overlap.
func NodesMayOverlap(a, b map[string]string) bool {
	for k, va := range a {
		if vb, ok := b[k]; ok && va != vb {
			return false
		}
	}
	return true
}

// Conflict is one rule the reviewed gateway breaks.
type Conflict struct {
	// Err is the field error reported to the user.
	Err *field.Error
	// Key identifies the conflict independently of list indexes and message
	// wording, so an update is only refused for conflicts it introduces.
	Key string
}

// gatewayRef returns "namespace/name".
func gatewayRef(gw *v1alpha1.IngressGateway) string { return gw.Namespace + "/" + gw.Name }

// sortedOthers returns the gateways other than gw that are not being
// deleted, by namespace and name, so messages are deterministic.
func sortedOthers(gw *v1alpha1.IngressGateway, all []v1alpha1.IngressGateway) []*v1alpha1.IngressGateway {
	var out []*v1alpha1.IngressGateway
	for i := range all {
		o := &all[i]
		if (o.Namespace == gw.Namespace && o.Name == gw.Name) || o.DeletionTimestamp != nil {
			continue
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *v1alpha1.IngressGateway) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// HostPortConflicts returns the ports gw binds on nodes that another gateway
// in all (gw itself and gateways being deleted are skipped) binds on nodes
// gw's pods may share, one Conflict per colliding field and gateway.
func HostPortConflicts(gw *v1alpha1.IngressGateway, all []v1alpha1.IngressGateway) []Conflict {
	mine := facts.BoundPorts(gw)
	if len(mine) == 0 {
		return nil
	}
	var out []Conflict
	for _, o := range sortedOthers(gw, all) {
		if !facts.UsesHostPorts(o) || !NodesMayOverlap(gw.Spec.Workload.NodeSelector, o.Spec.Workload.NodeSelector) {
			continue
		}
		theirs := map[facts.BoundPort]*field.Path{}
		for _, p := range facts.BoundPorts(o) {
			k := facts.BoundPort{Protocol: p.Protocol, Port: p.Port}
			if _, dup := theirs[k]; !dup {
				theirs[k] = p.Field
			}
		}
		for _, p := range mine {
			f, ok := theirs[facts.BoundPort{Protocol: p.Protocol, Port: p.Port}]
			if !ok {
				continue
			}
			msg := fmt.Sprintf("port %d/%s is already bound on the same nodes by IngressGateway %s (%s); "+
				"pick another port or give the two gateways disjoint spec.workload.nodeSelector values",
				p.Port, p.Protocol, gatewayRef(o), f)
			out = append(out, Conflict{
				Err: field.Invalid(p.Field, p.Port, msg),
				Key: fmt.Sprintf("hostport/%s/%d/%s", p.Protocol, p.Port, gatewayRef(o)),
			})
		}
	}
	return out
}

// classField returns where a class conflict is reported: the effective
// class name is spec.ingressClass.name (defaulting to metadata.name), an
// alias is spec.ingressClass.aliases[i].
func classField(i int) *field.Path {
	if i == 0 {
		return field.NewPath("spec", "ingressClass", "name")
	}
	return field.NewPath("spec", "ingressClass", "aliases").Index(i - 1)
}

// IngressClassConflicts returns the conflicts of gw's IngressClass names
// (its class and its aliases) with the names other gateways in all serve
// and with existing, the IngressClasses of those names that exist.
func IngressClassConflicts(gw *v1alpha1.IngressGateway, all []v1alpha1.IngressGateway, existing map[string]*networkingv1.IngressClass) []Conflict {
	var out []Conflict
	others := sortedOthers(gw, all)
	for i, class := range render.IngressClassNames(gw) {
		fld := classField(i)
		fix := "set another spec.ingressClass.name"
		if gw.Spec.IngressClass.Name == "" && i == 0 {
			fix += " (it defaults to metadata.name)"
		}
		if i > 0 {
			fix = "remove or rename this alias"
		}
		claimedBy := map[string]bool{}
		for _, o := range others {
			if !slices.Contains(render.IngressClassNames(o), class) {
				continue
			}
			claimedBy[gatewayRef(o)] = true
			out = append(out, Conflict{
				Err: field.Invalid(fld, class, fmt.Sprintf("IngressClass %q is already served by IngressGateway %s; %s", class, gatewayRef(o), fix)),
				Key: "class/" + class + "/gateway/" + gatewayRef(o),
			})
		}
		ic := existing[class]
		if ic == nil {
			continue
		}
		l := ic.Labels
		switch {
		case l[render.ManagedByLabel] != render.ManagedByValue:
			out = append(out, Conflict{
				Err: field.Invalid(fld, class, fmt.Sprintf("IngressClass %q already exists with controller %q and is not managed by Portico; "+
					"%s, or move its Ingresses and delete it first", class, ic.Spec.Controller, fix)),
				Key: "class/" + class + "/foreign",
			})
		case l[render.GatewayNamespaceLabel] == gw.Namespace && l[render.GatewayNameLabel] == gw.Name:
			// This gateway's own class (an update, or a re-created gateway
			// whose class outlived it): the controller adopts it.
		case claimedBy[l[render.GatewayNamespaceLabel]+"/"+l[render.GatewayNameLabel]]:
			// Already reported against that gateway.
		default:
			owner := l[render.GatewayNamespaceLabel] + "/" + l[render.GatewayNameLabel]
			out = append(out, Conflict{
				Err: field.Invalid(fld, class, fmt.Sprintf("IngressClass %q already exists with controller %q for IngressGateway %s, which is being deleted or gone; "+
					"wait until its deletion removes the IngressClass (or delete the IngressClass), or %s", class, ic.Spec.Controller, owner, fix)),
				Key: "class/" + class + "/ingressclass/" + owner,
			})
		}
	}
	return out
}

// routerIDField is spec.vip.virtualRouterID.
var routerIDField = field.NewPath("spec", "vip", "virtualRouterID")

// RouterIDConflicts reports an explicit VRRP router ID that another gateway
// already uses, explicitly or as allocated by the operator (status.vip).
// Two VRRP instances with one ID on a segment fight over their addresses.
func RouterIDConflicts(gw *v1alpha1.IngressGateway, all []v1alpha1.IngressGateway) []Conflict {
	if gw.Spec.VIP == nil || gw.Spec.VIP.VirtualRouterID == nil {
		return nil
	}
	id := *gw.Spec.VIP.VirtualRouterID
	var out []Conflict
	for _, o := range sortedOthers(gw, all) {
		if o.Spec.VIP == nil {
			continue
		}
		theirs := int32(0)
		switch {
		case o.Spec.VIP.VirtualRouterID != nil:
			theirs = *o.Spec.VIP.VirtualRouterID
		case o.Status.VIP != nil:
			theirs = o.Status.VIP.RouterID
		}
		if theirs == id {
			out = append(out, Conflict{
				Err: field.Invalid(routerIDField, id, fmt.Sprintf("VRRP router ID %d is already used by IngressGateway %s; "+
					"pick another, or leave virtualRouterID unset and the operator allocates a free one", id, gatewayRef(o))),
				Key: fmt.Sprintf("routerid/%d/%s", id, gatewayRef(o)),
			})
		}
	}
	return out
}

// Introduced returns the conflicts of now whose keys are not in before: an
// update is refused only for what it breaks, so gateways that conflicted
// before the webhook was installed can still be edited (and finalized).
func Introduced(now, before []Conflict) field.ErrorList {
	old := map[string]bool{}
	for _, c := range before {
		old[c.Key] = true
	}
	var out field.ErrorList
	for _, c := range now {
		if !old[c.Key] {
			out = append(out, c.Err)
		}
	}
	return out
}

// ErrorList returns the field errors of cs.
func ErrorList(cs []Conflict) field.ErrorList {
	out := make(field.ErrorList, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Err)
	}
	return out
}

// VIPConflicts reports a floating address another gateway already floats:
// two VRRP groups announcing one address fight over it.
func VIPConflicts(gw *v1alpha1.IngressGateway, all []v1alpha1.IngressGateway) []Conflict {
	if gw.Spec.VIP == nil {
		return nil
	}
	var out []Conflict
	for i, a := range gw.Spec.VIP.Addresses {
		pa, err := netip.ParsePrefix(a)
		if err != nil {
			continue
		}
		for _, o := range sortedOthers(gw, all) {
			if o.Spec.VIP == nil {
				continue
			}
			for _, b := range o.Spec.VIP.Addresses {
				if pb, err := netip.ParsePrefix(b); err == nil && pa.Addr() == pb.Addr() {
					out = append(out, Conflict{
						Err: field.Invalid(field.NewPath("spec", "vip", "addresses").Index(i), a, fmt.Sprintf(
							"address %s is already a floating address of IngressGateway %s; pick another address", pa.Addr(), gatewayRef(o))),
						Key: fmt.Sprintf("vip/%s/%s", pa.Addr(), gatewayRef(o)),
					})
				}
			}
		}
	}
	return out
}
