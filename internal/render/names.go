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
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"k8s.io/apimachinery/pkg/types"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// This file is the one place child names come from. Every name but the
// IngressClasses' is derived from the gateway's namespace and name only, so
// a spec change never renames those children (and never orphans one). The
// IngressClass names are spec.ingressClass.name (immutable) and its
// aliases; a dropped alias is pruned through the gateway-UID annotation.

// maxNameLength keeps namespaced child names valid as DNS labels: Service
// names must be, and the others follow suit for predictability.
const maxNameLength = 63

// childName returns "<gateway>-<suffix>", shortened with a hash suffix when
// it would exceed 63 characters so that long gateway names still work.
func childName(gw *v1alpha1.IngressGateway, suffix string) string {
	name := gw.Name + "-" + suffix
	if len(name) <= maxNameLength {
		return name
	}
	sum := sha256.Sum256([]byte(gw.Namespace + "/" + name))
	hash := hex.EncodeToString(sum[:])[:8]
	keep := maxNameLength - len(suffix) - len(hash) - 2
	return fmt.Sprintf("%s-%s-%s", gw.Name[:keep], hash, suffix)
}

// ServiceAccountName returns the controller pods' ServiceAccount.
func ServiceAccountName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "controller")}
}

// WorkloadName returns the DaemonSet or Deployment running the controller.
func WorkloadName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "controller")}
}

// PodDisruptionBudgetName names the Deployment fleet's budget (the
// workload's name).
func PodDisruptionBudgetName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return WorkloadName(gw)
}

// ServiceName returns the Service in front of the controller pods.
func ServiceName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "controller")}
}

// MainConfigMapName returns the controller's main ConfigMap (--configmap).
func MainConfigMapName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "controller")}
}

// TCPConfigMapName returns the tcp-services ConfigMap.
func TCPConfigMapName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "tcp")}
}

// UDPConfigMapName returns the udp-services ConfigMap.
func UDPConfigMapName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "udp")}
}

// RoleBindingName returns the RoleBinding that grants the controller its
// namespaced permissions.
func RoleBindingName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "controller")}
}

// LeaderElectionRoleName returns the Role (and its RoleBinding) that lets the
// controller renew its own leader-election Lease and no other.
func LeaderElectionRoleName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "leader-election")}
}

// WebhookServiceName returns the Service the API server reaches the
// admission webhook through.
func WebhookServiceName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "admission")}
}

// WebhookCertSecretName returns the Secret with the webhook's serving
// certificate, mounted into the controller pods.
func WebhookCertSecretName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "admission")}
}

// WebhookCASecretName returns the Secret with the webhook's CA; it is never
// mounted into pods.
func WebhookCASecretName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "admission-ca")}
}

// ValidatingWebhookConfigurationName returns the cluster-scoped webhook
// registration. Namespaces contain no dots, so "<namespace>.<name>" is
// unambiguous.
func ValidatingWebhookConfigurationName(gw *v1alpha1.IngressGateway) string {
	return "portico." + gw.Namespace + "." + gw.Name
}

// KeepalivedConfigMapName returns the VIP sidecar's ConfigMap.
func KeepalivedConfigMapName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "keepalived")}
}

// VIPLeaseName returns the Lease that names the node holding the VIP.
func VIPLeaseName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "vip")}
}

// ElectionID returns the name of the controller's leader-election Lease
// (--election-id). Unique per gateway within its namespace.
func ElectionID(gw *v1alpha1.IngressGateway) string {
	return childName(gw, "leader")
}

// ClusterRoleBindingName returns the cluster-scoped binding of the
// controller's ClusterRole. Cluster-scoped, so it carries the namespace.
func ClusterRoleBindingName(gw *v1alpha1.IngressGateway) string {
	return "portico:" + gw.Namespace + ":" + gw.Name
}

// IngressClassName returns the IngressClass name: spec.ingressClass.name, or
// the gateway's name.
func IngressClassName(gw *v1alpha1.IngressGateway) string {
	if gw.Spec.IngressClass.Name != "" {
		return gw.Spec.IngressClass.Name
	}
	return gw.Name
}

// IngressClassNames returns the gateway's IngressClass name followed by
// its aliases.
func IngressClassNames(gw *v1alpha1.IngressGateway) []string {
	return append([]string{IngressClassName(gw)}, gw.Spec.IngressClass.Aliases...)
}

// ControllerClass returns the IngressClass spec.controller value that only
// this gateway's controller claims (--controller-class).
func ControllerClass(gw *v1alpha1.IngressGateway) string {
	return ControllerClassPrefix + gw.Namespace + "." + gw.Name
}

// ControllerClassPrefix starts every controller class Portico hands out.
const ControllerClassPrefix = "portico.dev/"

// ChildNames returns, by kind, every name the renderer can give a child of
// gw, whatever its spec, except IngressClass aliases, which the spec names.
// Prune and deletion touch nothing else: an object carrying the gateway's
// labels under another name is not the gateway's (a dropped alias is
// recognised by its gateway-UID annotation instead).
func ChildNames(gw *v1alpha1.IngressGateway) map[string][]string {
	return map[string][]string{
		"ServiceAccount":                 {ServiceAccountName(gw).Name},
		"Role":                           {LeaderElectionRoleName(gw).Name},
		"RoleBinding":                    {RoleBindingName(gw).Name, LeaderElectionRoleName(gw).Name},
		"ClusterRoleBinding":             {ClusterRoleBindingName(gw)},
		"ConfigMap":                      {MainConfigMapName(gw).Name, TCPConfigMapName(gw).Name, UDPConfigMapName(gw).Name, KeepalivedConfigMapName(gw).Name, TraefikConfigMapName(gw).Name},
		"Service":                        {ServiceName(gw).Name, WebhookServiceName(gw).Name},
		"DaemonSet":                      {WorkloadName(gw).Name},
		"Deployment":                     {WorkloadName(gw).Name},
		"IngressClass":                   IngressClassNames(gw),
		"Secret":                         {WebhookCertSecretName(gw).Name, WebhookCASecretName(gw).Name},
		"ValidatingWebhookConfiguration": {ValidatingWebhookConfigurationName(gw)},
		"Lease":                          {VIPLeaseName(gw).Name},
		"PodDisruptionBudget":            {PodDisruptionBudgetName(gw).Name},
	}
}

// TraefikConfigMapName returns the traefik driver's dynamic configuration.
func TraefikConfigMapName(gw *v1alpha1.IngressGateway) types.NamespacedName {
	return types.NamespacedName{Namespace: gw.Namespace, Name: childName(gw, "traefik")}
}
