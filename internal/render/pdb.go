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
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// PodDisruptionBudget keeps all but one controller pod of a Deployment
// fleet with more than one replica running through node drains. A single
// replica gets none (a budget of 0 disruptions would block every drain),
// and DaemonSet pods are not evicted by drains at all.
func PodDisruptionBudget(gw *v1alpha1.IngressGateway) *policyv1.PodDisruptionBudget {
	w := gw.Spec.Workload
	if w.Kind != v1alpha1.WorkloadDeployment || w.Replicas == nil || *w.Replicas < 2 {
		return nil
	}
	n := PodDisruptionBudgetName(gw)
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: objectMeta(gw, n.Name),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr.To(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: SelectorLabels(gw)},
			// Pods that are not Ready yet may be evicted: they serve
			// nothing, and keeping them blocks drains of broken fleets.
			UnhealthyPodEvictionPolicy: ptr.To(policyv1.AlwaysAllow),
		},
	}
}
