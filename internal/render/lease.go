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
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// VIPLease returns the Lease the holder's keepalived writes its node name
// into (spec.holderIdentity), or nil without spec.vip. The operator creates
// it so the fleet needs no create permission; it never sets the holder.
func VIPLease(gw *v1alpha1.IngressGateway) *coordinationv1.Lease {
	if gw.Spec.VIP == nil {
		return nil
	}
	return &coordinationv1.Lease{
		TypeMeta:   metav1.TypeMeta{APIVersion: "coordination.k8s.io/v1", Kind: "Lease"},
		ObjectMeta: objectMeta(gw, VIPLeaseName(gw).Name),
	}
}
