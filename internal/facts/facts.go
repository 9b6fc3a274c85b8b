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

// Package facts answers questions about one IngressGateway, with the CRD's
// defaults applied once: which ports its controller binds and which of them
// land on the node, which objects it references (namespaces defaulted to
// the gateway's), and which controller flags the operator owns. It is pure:
// it reads nothing but the gateway, so the renderer, the admission webhook,
// status, the importer and the CLI all ask it the same questions and get
// the same answers. Rules that compare gateways live in internal/fleetrules,
// rules of a class in internal/classrules.
package facts

import (
	"github.com/portico-dev/portico/api/v1alpha1"
)

// WebhookEnabled reports whether gw's controller runs the ingress-nginx
// admission webhook.
func WebhookEnabled(gw *v1alpha1.IngressGateway) bool {
	return gw.Spec.AdmissionWebhook.IsEnabled()
}

// UsesHostPorts reports whether gw's pods bind ports on their nodes: on the
// host network or with host ports. Such pods cannot surge during a rollout
// (the new pod would need the ports its predecessor holds) and may collide
// with other fleets on the same nodes.
func UsesHostPorts(gw *v1alpha1.IngressGateway) bool {
	return gw.Spec.Workload.HostNetwork || gw.Spec.Workload.HostPorts
}
