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
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// ServiceAccount returns the controller pods' ServiceAccount.
func ServiceAccount(gw *v1alpha1.IngressGateway) *corev1.ServiceAccount {
	n := ServiceAccountName(gw)
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   objectMeta(gw, n.Name),
		AutomountServiceAccountToken: ptr.To(true),
	}
}

// subjects returns the controller's ServiceAccount as an RBAC subject.
func subjects(gw *v1alpha1.IngressGateway) []rbacv1.Subject {
	sa := ServiceAccountName(gw)
	return []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: sa.Namespace}}
}

// RoleBinding returns the binding of the shared namespaced ClusterRole to the
// controller's ServiceAccount in the gateway's namespace (upstream's Role
// ingress-nginx, minus the Lease rule that names a Lease).
func RoleBinding(gw *v1alpha1.IngressGateway, cfg Config) *rbacv1.RoleBinding {
	n := RoleBindingName(gw)
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: objectMeta(gw, n.Name),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: cfg.NamespacedClusterRole},
		Subjects:   subjects(gw),
	}
}

// LeaderElectionRole returns the Role that lets the controller read and renew
// its own leader-election Lease. It is per gateway because the Lease name is:
// a shared role would let one fleet steal another's leadership.
func LeaderElectionRole(gw *v1alpha1.IngressGateway) *rbacv1.Role {
	n := LeaderElectionRoleName(gw)
	rules := []rbacv1.PolicyRule{{
		APIGroups:     []string{"coordination.k8s.io"},
		Resources:     []string{"leases"},
		ResourceNames: []string{ElectionID(gw)},
		Verbs:         []string{"get", "update"},
	}}
	if gw.Spec.VIP != nil {
		// The VIP holder's keepalived reports itself in this one Lease.
		rules = append(rules, rbacv1.PolicyRule{
			APIGroups:     []string{"coordination.k8s.io"},
			Resources:     []string{"leases"},
			ResourceNames: []string{VIPLeaseName(gw).Name},
			Verbs:         []string{"get", "patch"},
		})
	}
	return &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: objectMeta(gw, n.Name),
		Rules:      rules,
	}
}

// LeaderElectionRoleBinding binds LeaderElectionRole to the controller.
func LeaderElectionRoleBinding(gw *v1alpha1.IngressGateway) *rbacv1.RoleBinding {
	n := LeaderElectionRoleName(gw)
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: objectMeta(gw, n.Name),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: n.Name},
		Subjects:   subjects(gw),
	}
}

// ClusterRoleBinding returns the binding of the shared cluster-wide
// ClusterRole (upstream's ClusterRole ingress-nginx) to the controller.
func ClusterRoleBinding(gw *v1alpha1.IngressGateway, cfg Config) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: clusterObjectMeta(gw, ClusterRoleBindingName(gw)),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRoleFor(cfg)},
		Subjects:   subjects(gw),
	}
}

// clusterRoleFor is the ClusterRole a fleet gets cluster-wide: upstream's,
// or for a namespace-scoped fleet only IngressClasses and Nodes.
func clusterRoleFor(cfg Config) string {
	if cfg.namespaceScoped() {
		return cfg.ScopedClusterRole
	}
	return cfg.ClusterRole
}

// DataPlaneClusterRoles returns the three ClusterRoles shipped with the
// operator (config/dataplane-rbac), with exactly upstream's permissions:
// the ClusterRole ingress-nginx, and the Role ingress-nginx without its
// named-Lease rule (LeaderElectionRole carries that per gateway).
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
	return []*rbacv1.ClusterRole{cluster, namespaced, scoped}
}
