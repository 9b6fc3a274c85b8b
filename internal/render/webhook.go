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

	corev1 "k8s.io/api/core/v1"
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
