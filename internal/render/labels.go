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
	// ShardLabel carries the first hex digit of the owning gateway's UID on
	// the gateway and on its namespaced children. The API server's
	// containment policy binds one parameter selector per shard, so a
	// child's write is checked against the few gateways of its shard in its
	// namespace, not against all of them (see internal/containment).
	ShardLabel = "ingress.portico.dev/shard"

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

// Shard is gw's shard: the first character of its UID, "" while it has
// none (offline rendering).
func Shard(gw *v1alpha1.IngressGateway) string {
	if gw.UID == "" {
		return ""
	}
	return strings.ToLower(string(gw.UID)[:1])
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
