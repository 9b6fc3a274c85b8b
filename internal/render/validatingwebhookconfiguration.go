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
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// ValidatingWebhookConfiguration returns the gateway's webhook registration,
// or nil when the webhook is disabled. matchConditions limit it to Ingresses
// of this gateway's class, so a fleet that is down (with failurePolicy Fail)
// blocks only its own Ingresses, never those of other classes.
func ValidatingWebhookConfiguration(gw *v1alpha1.IngressGateway, pki *WebhookPKI) *admissionregistrationv1.ValidatingWebhookConfiguration {
	if !facts.WebhookEnabled(gw) {
		return nil
	}
	aw := gw.Spec.AdmissionWebhook
	policy := aw.FailurePolicy
	if policy == "" {
		policy = admissionregistrationv1.Fail
	}
	timeout := aw.TimeoutSeconds
	if timeout == nil {
		timeout = ptr.To[int32](10)
	}
	svc := WebhookServiceName(gw)
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"},
		ObjectMeta: clusterObjectMeta(gw, ValidatingWebhookConfigurationName(gw)),
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    webhookName,
			AdmissionReviewVersions: []string{"v1"},
			ClientConfig: admissionregistrationv1.WebhookClientConfig{
				Service: &admissionregistrationv1.ServiceReference{
					Namespace: svc.Namespace, Name: svc.Name, Path: ptr.To(WebhookPath), Port: ptr.To[int32](443),
				},
				CABundle: pki.CABundle,
			},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule: admissionregistrationv1.Rule{
					APIGroups: []string{"networking.k8s.io"}, APIVersions: []string{"v1"},
					Resources: []string{"ingresses"}, Scope: ptr.To(admissionregistrationv1.AllScopes),
				},
			}},
			// The DefaultIngressClass admission plugin fills in
			// spec.ingressClassName before validating webhooks run, so
			// Ingresses without a class reach the default class's webhook.
			// The legacy annotation is still honoured by ingress-nginx, for
			// the --ingress-class value (the primary name) only.
			MatchConditions: []admissionregistrationv1.MatchCondition{{
				Name:       "ingress-class",
				Expression: ingressClassMatch(gw),
			}},
			FailurePolicy:  ptr.To(policy),
			MatchPolicy:    ptr.To(admissionregistrationv1.Equivalent),
			SideEffects:    ptr.To(admissionregistrationv1.SideEffectClassNone),
			TimeoutSeconds: ptr.To(*timeout),
			// namespaceSelector and objectSelector stay empty (match all):
			// the API server would default them, so they are set explicitly.
			NamespaceSelector: &metav1.LabelSelector{},
			ObjectSelector:    &metav1.LabelSelector{},
		}},
	}
}

// ingressClassMatch is the CEL condition selecting the Ingresses gw's
// controller serves: spec.ingressClassName naming its class or an alias,
// or the legacy annotation naming its class. Names are DNS labels, so
// quoting them in CEL needs no escaping.
func ingressClassMatch(gw *v1alpha1.IngressGateway) string {
	names := IngressClassNames(gw)
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "'" + n + "'"
	}
	return fmt.Sprintf("(has(object.spec.ingressClassName) && object.spec.ingressClassName in [%s]) || "+
		"(has(object.metadata.annotations) && 'kubernetes.io/ingress.class' in object.metadata.annotations && "+
		"object.metadata.annotations['kubernetes.io/ingress.class'] == %s)", strings.Join(quoted, ", "), quoted[0])
}
