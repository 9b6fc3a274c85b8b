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

package render

import (
	"maps"
	"strings"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// Label keys. Every child carries all of them; the operator's caches and its
// pruning select on ManagedByLabel and the two gateway labels.
const (
	// ManagedByLabel marks objects Portico created. Objects without it are
	// never modified or deleted by the operator.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedByValue is ManagedByLabel's value.
	ManagedByValue = "portico"
	// GatewayNameLabel names the owning IngressGateway.
	GatewayNameLabel = "ingress.portico.dev/gateway"
	// GatewayNamespaceLabel names the owning IngressGateway's namespace. It
	// is what ties cluster-scoped children (which cannot carry an owner
	// reference to a namespaced object) to their gateway.
	GatewayNamespaceLabel = "ingress.portico.dev/gateway-namespace"
	// GatewayUIDAnnotation carries the owning gateway's UID on cluster-scoped
	// children, which cannot have an owner reference: labels can be copied,
	// a UID identifies the one gateway that created the object.
	GatewayUIDAnnotation = "ingress.portico.dev/gateway-uid"
	// ShardLabel carries the shard of the owning gateway's name (ShardOf)
	// on the gateway and on its namespaced children. The API server's
	// containment policy binds one parameter selector per shard, so a
	// child's write is checked against the few gateways of its shard in its
	// namespace, not against all of them (see internal/containment). A
	// MutatingAdmissionPolicy sets it on the gateway at creation, before
	// any UID exists: so it is computed from the name.
	ShardLabel = "ingress.portico.dev/shard"

	// Finalizer lets the operator remove the cluster-scoped children
	// (which cannot carry an owner reference to a namespaced gateway) on
	// deletion.
	Finalizer = "ingress.portico.dev/cleanup"

	appNameLabel      = "app.kubernetes.io/name"
	appInstanceLabel  = "app.kubernetes.io/instance"
	appComponentLabel = "app.kubernetes.io/component"
	appPartOfLabel    = "app.kubernetes.io/part-of"

	// dataPlaneName is the app.kubernetes.io/name of the data plane.
	dataPlaneName = "ingress-nginx"
	component     = "controller"
)

// Labels returns the labels every child of gw carries.
func Labels(gw *v1alpha1.IngressGateway) map[string]string {
	return map[string]string{
		appNameLabel:          dataPlaneName,
		appInstanceLabel:      gw.Name,
		appComponentLabel:     component,
		appPartOfLabel:        "portico",
		ManagedByLabel:        ManagedByValue,
		GatewayNameLabel:      gw.Name,
		GatewayNamespaceLabel: gw.Namespace,
	}
}

// Shard is gw's shard (ShardOf its name).
func Shard(gw *v1alpha1.IngressGateway) string { return ShardOf(gw.Name) }

// ShardAlphabet numbers the characters of a name (a DNS subdomain), and
// ShardWeights weigh its last characters; internal/containment states the
// same function in CEL (its tests hold the two together).
const ShardAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz-."

// ShardDigits are the shards, one hex digit each.
const ShardDigits = "0123456789abcdef"

// ShardWeights weigh a name's last, second-last, ... characters.
var ShardWeights = [...]int{1, 3, 9, 27}

// ShardOf is the shard of a gateway name: one hex digit, the weighted sum
// of its last four characters' places in ShardAlphabet, modulo 16. Only
// the end of the name, so CEL computes it at a bounded cost; it spreads
// numbered names ("edge-1", "edge-2") as well as others.
func ShardOf(name string) string {
	sum := 0
	for i, w := range ShardWeights {
		if i >= len(name) {
			break
		}
		sum += w * max(strings.IndexByte(ShardAlphabet, name[len(name)-1-i]), 0)
	}
	return string(ShardDigits[sum%len(ShardDigits)])
}

// OwnerLabels returns the labels that identify gw's children, for listing
// and pruning them.
func OwnerLabels(namespace, name string) map[string]string {
	return map[string]string{
		ManagedByLabel:        ManagedByValue,
		GatewayNameLabel:      name,
		GatewayNamespaceLabel: namespace,
	}
}

// SelectorLabels returns the controller pods' selector. It depends only on
// the gateway's name: workload selectors are immutable, so user-supplied pod
// labels must never leak into it.
func SelectorLabels(gw *v1alpha1.IngressGateway) map[string]string {
	return map[string]string{
		GatewayNameLabel:  gw.Name,
		appComponentLabel: component,
	}
}

// podLabels returns the pod template labels: the user's podLabels overlaid
// with every label the operator relies on.
func podLabels(gw *v1alpha1.IngressGateway) map[string]string {
	out := map[string]string{}
	maps.Copy(out, gw.Spec.Workload.PodLabels)
	maps.Copy(out, Labels(gw))
	return out
}
