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
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// DataPlaneClusterRoles returns the ClusterRoles shipped with the operator
// (config/dataplane-rbac), three per driver. For ingress-nginx, exactly
// upstream's permissions: the ClusterRole ingress-nginx, and the Role
// ingress-nginx without its named-Lease rule (LeaderElectionRole carries
// that per gateway).
func DataPlaneClusterRoles(cfg Config) []*rbacv1.ClusterRole {
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Labels: map[string]string{
			appNameLabel: dataPlaneName, appPartOfLabel: "portico", ManagedByLabel: ManagedByValue,
		}}
	}
	tm := metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"}
	core, coord, netw, disc := "", "coordination.k8s.io", "networking.k8s.io", "discovery.k8s.io"
	rule := func(group string, resources []string, verbs ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{APIGroups: []string{group}, Resources: resources, Verbs: verbs}
	}
	cluster := &rbacv1.ClusterRole{TypeMeta: tm, ObjectMeta: meta(cfg.ClusterRole), Rules: []rbacv1.PolicyRule{
		rule(core, []string{"configmaps", "endpoints", "nodes", "pods", "secrets", "namespaces"}, "list", "watch"),
		rule(coord, []string{"leases"}, "list", "watch"),
		rule(core, []string{"nodes"}, "get"),
		rule(core, []string{"services"}, "get", "list", "watch"),
		rule(netw, []string{"ingresses"}, "get", "list", "watch"),
		rule(core, []string{"events"}, "create", "patch"),
		rule(netw, []string{"ingresses/status"}, "update"),
		rule(netw, []string{"ingressclasses"}, "get", "list", "watch"),
		rule(disc, []string{"endpointslices"}, "list", "watch", "get"),
	}}
	namespaced := &rbacv1.ClusterRole{TypeMeta: tm, ObjectMeta: meta(cfg.NamespacedClusterRole), Rules: []rbacv1.PolicyRule{
		rule(core, []string{"namespaces"}, "get"),
		rule(core, []string{"configmaps", "pods", "secrets", "endpoints"}, "get", "list", "watch"),
		rule(core, []string{"services"}, "get", "list", "watch"),
		rule(netw, []string{"ingresses"}, "get", "list", "watch"),
		rule(netw, []string{"ingresses/status"}, "update"),
		rule(netw, []string{"ingressclasses"}, "get", "list", "watch"),
		rule(coord, []string{"leases"}, "create"),
		rule(core, []string{"events"}, "create", "patch"),
		rule(disc, []string{"endpointslices"}, "list", "watch", "get"),
	}}
	// A fleet that watches only its namespace (--watch-namespace) reads
	// Secrets, Services, Ingresses and EndpointSlices there through the
	// RoleBinding above; cluster-wide it needs IngressClasses (without list
	// rights ingress-nginx turns IngressClass support off) and Nodes (its
	// own node at start, node addresses for status).
	scoped := &rbacv1.ClusterRole{TypeMeta: tm, ObjectMeta: meta(cfg.ScopedClusterRole), Rules: []rbacv1.PolicyRule{
		rule(core, []string{"nodes"}, "get", "list", "watch"),
		rule(netw, []string{"ingressclasses"}, "get", "list", "watch"),
	}}
	// Traefik's documented RBAC for the kubernetesIngressNGINX provider
	// (docs/content/reference/dynamic-configuration/
	// kubernetes-ingress-nginx-rbac.yml in its module), less two rules it
	// marks as conditional: namespaces (only for watchNamespaceSelector,
	// which Portico does not set) and pods get (only for OpenTelemetry
	// attributes, which Portico does not enable).
	traefikRules := []rbacv1.PolicyRule{
		rule(core, []string{"services", "secrets", "configmaps"}, "list", "watch"),
		rule(disc, []string{"endpointslices"}, "list", "watch"),
		rule(netw, []string{"ingresses", "ingressclasses"}, "list", "watch"),
		rule(netw, []string{"ingresses/status"}, "update"),
	}
	traefikMeta := func(name string) metav1.ObjectMeta {
		m := meta(name)
		m.Labels[appNameLabel] = string(v1alpha1.DriverTraefik)
		return m
	}
	traefikCluster := &rbacv1.ClusterRole{TypeMeta: tm, ObjectMeta: traefikMeta(cfg.TraefikClusterRole), Rules: traefikRules}
	// Bound with a RoleBinding in the gateway's namespace when the class's
	// scope is GatewayNamespace (watchNamespace): the same rules but
	// IngressClasses, which are cluster-scoped.
	traefikNamespaced := &rbacv1.ClusterRole{TypeMeta: tm, ObjectMeta: traefikMeta(cfg.TraefikNamespacedClusterRole), Rules: []rbacv1.PolicyRule{
		rule(core, []string{"services", "secrets", "configmaps"}, "list", "watch"),
		rule(disc, []string{"endpointslices"}, "list", "watch"),
		rule(netw, []string{"ingresses"}, "list", "watch"),
		rule(netw, []string{"ingresses/status"}, "update"),
	}}
	traefikScoped := &rbacv1.ClusterRole{TypeMeta: tm, ObjectMeta: traefikMeta(cfg.TraefikScopedClusterRole), Rules: []rbacv1.PolicyRule{
		rule(netw, []string{"ingressclasses"}, "list", "watch"),
	}}
	return []*rbacv1.ClusterRole{cluster, namespaced, scoped, traefikCluster, traefikNamespaced, traefikScoped}
}
