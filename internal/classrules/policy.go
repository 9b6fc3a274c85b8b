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

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// PolicyName names the ValidatingAdmissionPolicy and its binding.
const PolicyName = "portico-gateway-class"

// Policy returns the ValidatingAdmissionPolicy that has the API server
// enforce every rule with a CEL twin, with IngressGatewayClass as its
// parameter kind, and its binding.
//
// The binding selects every class as a parameter, so the API server
// evaluates the policy once per class; each validation applies only when
// the class is the gateway's (variables.mine). What the API server cannot
// see (that a named class exists when others do, grants) the webhook and
// the reconciler check. Requests that only delete, or change metadata or
// status, are not matched, so the policy never wedges a deletion.
func Policy() (*admissionregistrationv1.ValidatingAdmissionPolicy, *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	labels := map[string]string{"app.kubernetes.io/name": "portico", "app.kubernetes.io/part-of": "portico"}
	var validations []admissionregistrationv1.Validation
	for _, r := range Rules {
		if r.CEL == "" {
			continue
		}
		validations = append(validations, admissionregistrationv1.Validation{
			Expression: "!variables.mine || (" + r.CEL + ")",
			MessageExpression: fmt.Sprintf(`'%s: Forbidden: IngressGatewayClass "' + params.metadata.name + '" forbids it (%s, rule %s); ask a cluster admin to change the class, or use a class that allows it in spec.gatewayClassName'`,
				r.GatewayField, r.ClassField, r.ID),
			Reason: ptr.To(metav1.StatusReasonForbidden),
		})
	}
	gv := v1alpha1.GroupVersion
	vap := &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: PolicyName, Labels: labels},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			ParamKind:     &admissionregistrationv1.ParamKind{APIVersion: gv.String(), Kind: "IngressGatewayClass"},
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
						Rule: admissionregistrationv1.Rule{
							APIGroups: []string{gv.Group}, APIVersions: []string{gv.Version}, Resources: []string{"ingressgateways"},
						},
					},
				}},
			},
			MatchConditions: []admissionregistrationv1.MatchCondition{
				{Name: "not-deleting", Expression: "!has(object.metadata.deletionTimestamp)"},
				{Name: "spec-changed", Expression: "request.operation == 'CREATE' || object.spec != oldObject.spec"},
			},
			Variables: []admissionregistrationv1.Variable{{
				Name: "mine",
				Expression: "has(object.spec.gatewayClassName) && object.spec.gatewayClassName != '' ? object.spec.gatewayClassName == params.metadata.name : " +
					"(has(params.spec.default) && params.spec.default)",
			}},
			Validations: validations,
		},
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: PolicyName, Labels: labels},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName: PolicyName,
			ParamRef: &admissionregistrationv1.ParamRef{
				Selector: &metav1.LabelSelector{},
				// Allow, not Deny: parameters are resolved before match
				// conditions, so with no class at all Deny would refuse
				// every gateway update, finalizer removals included. Without
				// a class the operator's webhook refuses the gateway (and
				// fails closed while the operator is down).
				ParameterNotFoundAction: ptr.To(admissionregistrationv1.AllowAction),
			},
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	}
	return vap, binding
}

// PolicyYAML is the policy and its binding as shipped in config/policy.
func PolicyYAML() ([]byte, error) {
	vap, binding := Policy()
	y, err := render.YAML([]client.Object{vap, binding})
	if err != nil {
		return nil, err
	}
	return append([]byte("# Generated by internal/classrules (make test-update-golden); do not edit.\n"+
		"# The API server enforces the IngressGatewayClass rules it can check\n"+
		"# itself, even while the operator is down. See docs/security.md.\n"), y...), nil
}
