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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// This file holds the port facts of an ingress-nginx controller: which
// ports its process binds, on which protocol, and which ports its
// tcp/udp-services parser refuses. The CRD's CEL rules on
// IngressGatewaySpec state the same facts; internal/crdschema's tests hold
// the two to agreement.

// DefaultWebhookPort is the CRD default of spec.admissionWebhook.port.
const DefaultWebhookPort int32 = 8443

// WebhookPort returns the port the controller serves the admission webhook
// on (whether or not it runs).
func WebhookPort(gw *v1alpha1.IngressGateway) int32 {
	if p := gw.Spec.AdmissionWebhook.Port; p != 0 {
		return p
	}
	return DefaultWebhookPort
}

// ControllerPort is a port the controller process binds itself.
type ControllerPort struct {
	// Field is the gateway field that sets it.
	Field *field.Path
	// Flag is the controller flag that passes it, without "--"; empty for
	// the webhook, whose flag carries an address (see webhookArgs).
	Flag string
	// Port is the port number.
	Port int32
	// Protocol is always TCP: ingress-nginx binds no UDP port of its own.
	Protocol corev1.Protocol
	// StreamReserved is set for the ports ingress-nginx's
	// tcp/udp-services parser (getStreamServices) refuses, whatever the
	// entry's protocol: it skips such an entry with a log line. The
	// webhook port is not among them, so only a TCP entry collides with
	// it, by binding the same socket.
	StreamReserved bool
	// HostMapped is set for http and https, which workload.hostPorts maps
	// onto the node (containerPorts); on the host network every
	// controller port binds the node.
	HostMapped bool
}

// ControllerPorts returns the ports gw's controller binds: spec.ports in
// flag order, then the admission webhook's when it runs.
func ControllerPorts(gw *v1alpha1.IngressGateway) []ControllerPort {
	p := gw.Spec.Ports
	f := field.NewPath("spec", "ports")
	port := func(name, flag string, n int32) ControllerPort {
		return ControllerPort{Field: f.Child(name), Flag: flag, Port: n, Protocol: corev1.ProtocolTCP, StreamReserved: true}
	}
	mapped := func(cp ControllerPort) ControllerPort { cp.HostMapped = true; return cp }
	out := []ControllerPort{
		mapped(port("http", "http-port", p.HTTP)),
		mapped(port("https", "https-port", p.HTTPS)),
		port("healthz", "healthz-port", p.Healthz),
		port("defaultServer", "default-server-port", p.DefaultServer),
		port("status", "status-port", p.Status),
		port("stream", "stream-port", p.Stream),
		port("profiler", "profiler-port", p.Profiler),
		port("sslPassthroughProxy", "ssl-passthrough-proxy-port", p.SSLPassthroughProxy),
	}
	if webhookEnabled(gw) {
		out = append(out, ControllerPort{Field: field.NewPath("spec", "admissionWebhook", "port"),
			Port: WebhookPort(gw), Protocol: corev1.ProtocolTCP})
	}
	return out
}

// StreamPortCollision returns the controller port that a tcp (proto TCP)
// or udp (proto UDP) entry on port collides with: for TCP every port the
// controller binds, for UDP only the ports ingress-nginx refuses stream
// entries on. This is the rule the CRD enforces on create.
func StreamPortCollision(gw *v1alpha1.IngressGateway, proto corev1.Protocol, port int32) (ControllerPort, bool) {
	for _, cp := range ControllerPorts(gw) {
		if cp.Port == port && (cp.Protocol == proto || cp.StreamReserved) {
			return cp, true
		}
	}
	return ControllerPort{}, false
}
