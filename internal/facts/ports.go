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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// This file holds the port facts of an ingress-nginx controller: which
// ports its process binds, on which protocol, which ports its
// tcp/udp-services parser refuses, and which ports its pods bind on their
// nodes. The CRD's CEL rules on IngressGatewaySpec state the same facts;
// internal/crdschema's tests hold the two to agreement.

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
	// the webhook, whose flag carries an address (--validating-webhook).
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
	// HostMapped is set for http and https, which the renderer maps onto
	// the node as host ports (render's containerPorts); on the host
	// network every controller port binds the node.
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
	if WebhookEnabled(gw) {
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

// BoundPort is a port a gateway's pods bind on every node they run on.
type BoundPort struct {
	// Protocol is TCP or UDP.
	Protocol corev1.Protocol
	// Port is the port number.
	Port int32
	// Field is the gateway field that sets it, for error messages.
	Field *field.Path
}

// BoundPorts returns every port gw's pods bind on their nodes, in spec
// order; nil when the gateway binds none (neither host network nor host
// ports). On the host network that is every port the controller listens on
// (ControllerPorts: spec.ports and the admission webhook, all TCP) plus the
// tcp and udp entries; with host ports only what the renderer maps onto the
// node (http, https, tcp and udp entries). Zero ports (not defaulted, which
// the API server never lets through) are left out.
func BoundPorts(gw *v1alpha1.IngressGateway) []BoundPort {
	if !UsesHostPorts(gw) {
		return nil
	}
	var out []BoundPort
	add := func(proto corev1.Protocol, port int32, f *field.Path) {
		if port > 0 {
			out = append(out, BoundPort{Protocol: proto, Port: port, Field: f})
		}
	}
	for _, cp := range ControllerPorts(gw) {
		if gw.Spec.Workload.HostNetwork || cp.HostMapped {
			add(cp.Protocol, cp.Port, cp.Field)
		}
	}
	for i, e := range gw.Spec.TCP {
		add(corev1.ProtocolTCP, e.Port, field.NewPath("spec", "tcp").Index(i).Child("port"))
	}
	for i, e := range gw.Spec.UDP {
		add(corev1.ProtocolUDP, e.Port, field.NewPath("spec", "udp").Index(i).Child("port"))
	}
	return out
}
