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
