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
	"maps"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// The admission webhook's serving certificate is mounted where upstream's
// manifests mount it; ingress-nginx watches the files and reloads them, so
// a renewal never restarts pods.
const (
	webhookCertDir    = "/usr/local/certificates/"
	webhookVolumeName = "webhook-cert"
	webhookPortName   = "webhook"
	// WebhookPath is where ingress-nginx serves Ingress admission reviews.
	WebhookPath = "/networking/v1/ingresses"
	// webhookName names the one webhook in the gateway's configuration.
	webhookName = "validate.ingress.portico.dev"
)

// Placeholder stands for a value only the cluster can supply (the gateway's
// UID, the webhook's certificates) when rendering offline.
const Placeholder = "PLACEHOLDER-assigned-by-the-cluster"

// WebhookPKI is the webhook's certificate material, resolved by the operator
// before rendering (internal/pki decides it; rendering only places it).
type WebhookPKI struct {
	// CA is the data of the CA Secret, which is never mounted into pods.
	CA map[string][]byte
	// Serving is the data of the serving Secret the pods mount (keys cert,
	// key and ca, the file names ingress-nginx is given).
	Serving map[string][]byte
	// CABundle is every CA the API server must trust, for caBundle.
	CABundle []byte
}

// placeholderPKI stands in for certificates when rendering offline.
func placeholderPKI() *WebhookPKI {
	p := []byte(Placeholder)
	return &WebhookPKI{
		CA:       map[string][]byte{"tls.crt": p, "tls.key": p, "ca-bundle.crt": p},
		Serving:  map[string][]byte{"cert": p, "key": p, "ca": p},
		CABundle: p,
	}
}

// WebhookHosts returns the DNS names the serving certificate must cover:
// the API server calls the webhook through its Service.
func WebhookHosts(gw *v1alpha1.IngressGateway) []string {
	n := WebhookServiceName(gw)
	return []string{
		n.Name + "." + n.Namespace + ".svc",
		n.Name + "." + n.Namespace + ".svc.cluster.local",
	}
}

// WebhookCASecret returns the Secret holding the webhook's CA, or nil when
// the webhook is disabled.
func WebhookCASecret(gw *v1alpha1.IngressGateway, pki *WebhookPKI) *corev1.Secret {
	if !facts.WebhookEnabled(gw) {
		return nil
	}
	// kubernetes.io/tls: tls.crt and tls.key are the CA's; the Secret also
	// keeps the CA bundle and, during a CA rollover, the previous CA.
	return secret(gw, WebhookCASecretName(gw).Name, corev1.SecretTypeTLS, pki.CA)
}

// WebhookCertSecret returns the Secret the controller pods mount for the
// webhook's serving certificate, or nil when the webhook is disabled.
func WebhookCertSecret(gw *v1alpha1.IngressGateway, pki *WebhookPKI) *corev1.Secret {
	if !facts.WebhookEnabled(gw) {
		return nil
	}
	return secret(gw, WebhookCertSecretName(gw).Name, corev1.SecretTypeOpaque, pki.Serving)
}

func secret(gw *v1alpha1.IngressGateway, name string, typ corev1.SecretType, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: objectMeta(gw, name),
		Type:       typ,
		Data:       maps.Clone(data),
	}
}

// WebhookService returns the ClusterIP Service the API server calls the
// webhook through, or nil when the webhook is disabled.
func WebhookService(gw *v1alpha1.IngressGateway) *corev1.Service {
	if !facts.WebhookEnabled(gw) {
		return nil
	}
	n := WebhookServiceName(gw)
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(gw, n.Name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: SelectorLabels(gw),
			Ports: []corev1.ServicePort{{
				Name: "https-webhook", Port: 443, Protocol: corev1.ProtocolTCP,
				TargetPort: intstr.FromString(webhookPortName), AppProtocol: ptr.To("https"),
			}},
		},
	}
}

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

// webhookArgs returns the controller flags that start the webhook server.
func webhookArgs(gw *v1alpha1.IngressGateway) []string {
	if !facts.WebhookEnabled(gw) {
		return nil
	}
	// On the host network the webhook listens on the pod's (the node's
	// primary) address only, not on every node address: the API server
	// calls it through the admission Service's endpoints, which are that
	// address.
	host := ""
	if gw.Spec.Workload.HostNetwork {
		host = "$(POD_IP)"
	}
	return []string{
		fmt.Sprintf("--validating-webhook=%s:%d", host, facts.WebhookPort(gw)),
		"--validating-webhook-certificate=" + webhookCertDir + "cert",
		"--validating-webhook-key=" + webhookCertDir + "key",
	}
}

// webhookVolumes returns the serving certificate's volume; the pod cannot
// start before the Secret exists, which the apply order guarantees.
func webhookVolumes(gw *v1alpha1.IngressGateway) []corev1.Volume {
	if !facts.WebhookEnabled(gw) {
		return nil
	}
	return []corev1.Volume{{Name: webhookVolumeName, VolumeSource: corev1.VolumeSource{
		Secret: &corev1.SecretVolumeSource{SecretName: WebhookCertSecretName(gw).Name, DefaultMode: ptr.To[int32](0o444)},
	}}}
}

func webhookVolumeMounts(gw *v1alpha1.IngressGateway) []corev1.VolumeMount {
	if !facts.WebhookEnabled(gw) {
		return nil
	}
	return []corev1.VolumeMount{{Name: webhookVolumeName, MountPath: webhookCertDir, ReadOnly: true}}
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
