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

package facts

import (
	"github.com/portico-dev/portico/api/v1alpha1"
)

// OwnedFlags returns the ingress-nginx controller flags the operator owns,
// without the leading "--": it sets them itself from the gateway (or never
// lets them be set), so spec.controller.extraArgs may not name them and the
// importer never carries them into extraArgs. The CRD's CEL rule on
// spec.controller (api/v1alpha1, ControllerSpec) lists the same flags;
// internal/crdschema's tests hold the two lists, and every flag the
// renderer passes, to agreement.
func OwnedFlags() []string {
	out := []string{
		// Identity: metadata.name (the leader-election Lease and the
		// gateway's own controller value) and spec.ingressClass.name.
		"election-id", "controller-class", "ingress-class",
		// The ConfigMaps the operator renders: spec.controller.config,
		// spec.tcp and spec.udp.
		"configmap", "tcp-services-configmap", "udp-services-configmap",
		// The address written into Ingress status: spec.statusAddresses,
		// spec.vip.addresses, else the gateway's Service
		// (spec.service.type) or its nodes' addresses.
		"publish-service", "publish-status-address", "report-node-internal-ip-address",
		// References: spec.defaultCertificate and spec.defaultBackend.
		"default-ssl-certificate", "default-backend-service",
	}
	// spec.ports: one flag per port, as ControllerPorts passes them.
	for _, cp := range ControllerPorts(&v1alpha1.IngressGateway{}) {
		if cp.Flag != "" {
			out = append(out, cp.Flag)
		}
	}
	return append(out,
		// spec.admissionWebhook: the address, and the certificate the
		// operator issues and mounts.
		"validating-webhook", "validating-webhook-certificate", "validating-webhook-key",
		// spec.controller.logLevel.
		"v",
		// The class's spec.dataPlane.scope: GatewayNamespace confines the
		// controller to its gateway's namespace, Cluster watches all.
		"watch-namespace",
		// None: the controller runs in-cluster, as its own ServiceAccount.
		"apiserver-host", "kubeconfig",
	)
}
