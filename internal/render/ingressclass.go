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
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// DefaultClassAnnotation marks the cluster's default IngressClass.
const DefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class"

// IngressClasses returns the gateway's IngressClass and one per alias, all
// with the controller value unique to the gateway, so no other controller
// claims their Ingresses and ingress-nginx (which serves every class with
// its --controller-class) serves them all. Only the first may be default.
func IngressClasses(gw *v1alpha1.IngressGateway) []*networkingv1.IngressClass {
	names := IngressClassNames(gw)
	out := make([]*networkingv1.IngressClass, 0, len(names))
	for i, name := range names {
		meta := clusterObjectMeta(gw, name)
		if i == 0 && gw.Spec.IngressClass.Default {
			meta.Annotations[DefaultClassAnnotation] = "true"
		}
		out = append(out, &networkingv1.IngressClass{
			TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "IngressClass"},
			ObjectMeta: meta,
			Spec:       networkingv1.IngressClassSpec{Controller: ControllerClass(gw)},
		})
	}
	return out
}
