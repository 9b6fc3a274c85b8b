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

package webhook

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// +kubebuilder:webhook:path=/validate-ingress-portico-dev-v1alpha1-ingressgatewayclass,mutating=false,failurePolicy=fail,sideEffects=None,groups=ingress.portico.dev,resources=ingressgatewayclasses,verbs=create;update,versions=v1alpha1,name=vingressgatewayclass.ingress.portico.dev,admissionReviewVersions=v1,timeoutSeconds=10,patch=`{"matchConditions":[{"name":"spec-changed","expression":"request.operation == 'CREATE' || object.spec != oldObject.spec"}]}`

// ClassValidator keeps at most one IngressGatewayClass the default: with
// two, a gateway without spec.gatewayClassName would have no class.
type ClassValidator struct {
	// Classes lists IngressGatewayClasses from the API server (a class
	// created a moment ago must count).
	Classes client.Reader
}

var _ admission.Validator[*v1alpha1.IngressGatewayClass] = &ClassValidator{}

// ValidateCreate refuses a second default class.
func (v *ClassValidator) ValidateCreate(ctx context.Context, c *v1alpha1.IngressGatewayClass) (admission.Warnings, error) {
	return nil, v.check(ctx, c)
}

// ValidateUpdate refuses making a class the default while another is.
func (v *ClassValidator) ValidateUpdate(ctx context.Context, old, c *v1alpha1.IngressGatewayClass) (admission.Warnings, error) {
	if old.Spec.Default {
		return nil, nil
	}
	return nil, v.check(ctx, c)
}

// ValidateDelete allows every deletion (gateways of the class then report
// ClassNotFound and keep running as they are).
func (v *ClassValidator) ValidateDelete(context.Context, *v1alpha1.IngressGatewayClass) (admission.Warnings, error) {
	return nil, nil
}

func (v *ClassValidator) check(ctx context.Context, c *v1alpha1.IngressGatewayClass) error {
	if !c.Spec.Default {
		return nil
	}
	list := &v1alpha1.IngressGatewayClassList{}
	if err := v.Classes.List(ctx, list); err != nil {
		return fmt.Errorf("list IngressGatewayClasses: %w", err)
	}
	for _, o := range list.Items {
		if o.Name != c.Name && o.Spec.Default {
			return apierrors.NewInvalid(schema.GroupKind{Group: v1alpha1.GroupVersion.Group, Kind: "IngressGatewayClass"}, c.Name, field.ErrorList{
				field.Forbidden(field.NewPath("spec", "default"), fmt.Sprintf("IngressGatewayClass %q is already the default; set its spec.default to false first", o.Name)),
			})
		}
	}
	return nil
}
