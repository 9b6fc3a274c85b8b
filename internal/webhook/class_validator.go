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
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
)

// +kubebuilder:webhook:path=/validate-ingress-portico-dev-v1alpha1-ingressgatewayclass,mutating=false,failurePolicy=fail,sideEffects=None,groups=ingress.portico.dev,resources=ingressgatewayclasses,verbs=create;update,versions=v1alpha1,name=vingressgatewayclass.ingress.portico.dev,admissionReviewVersions=v1,timeoutSeconds=10,patch=`{"matchConditions":[{"name":"spec-changed","expression":"request.operation == 'CREATE' || object.spec != oldObject.spec"}]}`

// ClassValidator keeps at most one IngressGatewayClass the default: with
// two, a gateway without spec.gatewayClassName would have no class.
type ClassValidator struct {
	// Classes lists IngressGatewayClasses from the API server (a class
	// created a moment ago must count).
	Classes client.Reader
	// Gateways lists the class's gateways, to warn about what a change of
	// driver does to them; nil gives no such warnings.
	Gateways client.Reader
}

var _ admission.Validator[*v1alpha1.IngressGatewayClass] = &ClassValidator{}

// ValidateCreate refuses a second default class.
func (v *ClassValidator) ValidateCreate(ctx context.Context, c *v1alpha1.IngressGatewayClass) (admission.Warnings, error) {
	return nil, v.check(ctx, c)
}

// ValidateUpdate refuses making a class the default while another is, and
// warns, when the driver changes, which gateways move and which stay held.
func (v *ClassValidator) ValidateUpdate(ctx context.Context, old, c *v1alpha1.IngressGatewayClass) (admission.Warnings, error) {
	warnings := v.driverWarnings(ctx, old, c)
	if old.Spec.Default {
		return warnings, nil
	}
	return warnings, v.check(ctx, c)
}

// driverWarnings says what a change of spec.dataPlane.driver does: every
// gateway of the class is rolled onto the new data plane, node by node,
// except those the new driver's rules refuse, which keep running as they
// are (ClassForbids) until fixed.
func (v *ClassValidator) driverWarnings(ctx context.Context, old, c *v1alpha1.IngressGatewayClass) admission.Warnings {
	driver := func(cl *v1alpha1.IngressGatewayClass) v1alpha1.DataPlaneDriver {
		return cmp.Or(cl.Spec.DataPlane.Driver, v1alpha1.DriverIngressNGINX)
	}
	if v.Gateways == nil || driver(old) == driver(c) {
		return nil
	}
	list := &v1alpha1.IngressGatewayList{}
	if err := v.Gateways.List(ctx, list); err != nil {
		return admission.Warnings{fmt.Sprintf("could not list the class's gateways to say which move to %s: %v", driver(c), err)}
	}
	classes := &v1alpha1.IngressGatewayClassList{}
	if err := v.Classes.List(ctx, classes); err != nil {
		return admission.Warnings{fmt.Sprintf("could not list IngressGatewayClasses to say which gateways move to %s: %v", driver(c), err)}
	}
	var moving []string
	var held admission.Warnings
	for i := range list.Items {
		gw := &list.Items[i]
		if cl, err := classrules.Resolve(gw, classes.Items); err != nil || cl.Name != c.Name {
			continue
		}
		var msgs []string
		for _, vi := range classrules.Check(classrules.Input{Gateway: gw, Class: c}) {
			if vi.ClassField == "spec.dataPlane.driver" {
				msgs = append(msgs, vi.Field.String())
			}
		}
		name := gw.Namespace + "/" + gw.Name
		if len(msgs) > 0 {
			held = append(held, fmt.Sprintf("IngressGateway %s stays on %s (its status will say ClassForbids) until it drops what %s cannot honour: %s; see kubectl portico migrate-check -n %s %s",
				name, driver(old), driver(c), strings.Join(msgs, ", "), gw.Namespace, gw.Name))
			continue
		}
		moving = append(moving, name)
	}
	var out admission.Warnings
	if len(moving) > 0 {
		slices.Sort(moving)
		out = append(out, fmt.Sprintf("%d gateway(s) move from %s to %s, node by node, as their pods are replaced: %s",
			len(moving), driver(old), driver(c), strings.Join(moving, ", ")))
	}
	return append(out, held...)
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
