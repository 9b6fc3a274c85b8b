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
