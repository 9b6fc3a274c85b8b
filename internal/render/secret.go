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
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

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
