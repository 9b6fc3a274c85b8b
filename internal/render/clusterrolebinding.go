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
