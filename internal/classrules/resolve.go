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

package classrules

import (
	"fmt"
	"slices"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// ErrClassNotFound says why a gateway has no class.
type ErrClassNotFound struct{ Msg string }

func (e *ErrClassNotFound) Error() string { return e.Msg }

// Resolve picks gw's class from classes: the one spec.gatewayClassName
// names, or the single default class.
func Resolve(gw *v1alpha1.IngressGateway, classes []v1alpha1.IngressGatewayClass) (*v1alpha1.IngressGatewayClass, error) {
	if name := gw.Spec.GatewayClassName; name != "" {
		for i := range classes {
			if classes[i].Name == name {
				return &classes[i], nil
			}
		}
		return nil, &ErrClassNotFound{Msg: fmt.Sprintf("spec.gatewayClassName: IngressGatewayClass %q does not exist; name an existing class (kubectl get ingressgatewayclasses) or ask a cluster admin to create it", name)}
	}
	var defaults []string
	var found *v1alpha1.IngressGatewayClass
	for i := range classes {
		if classes[i].Spec.Default {
			defaults = append(defaults, classes[i].Name)
			found = &classes[i]
		}
	}
	switch len(defaults) {
	case 1:
		return found, nil
	case 0:
		return nil, &ErrClassNotFound{Msg: "spec.gatewayClassName: no IngressGatewayClass is marked default; set spec.gatewayClassName to a class (kubectl get ingressgatewayclasses) or ask a cluster admin to mark one default"}
	default:
		slices.Sort(defaults)
		return nil, &ErrClassNotFound{Msg: fmt.Sprintf("spec.gatewayClassName: several IngressGatewayClasses are marked default (%v); set spec.gatewayClassName, or ask a cluster admin to leave one default", defaults)}
	}
}
