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
