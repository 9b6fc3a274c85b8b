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

package v1alpha1

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The port rules below (the four with optionalOldSelf): a tcp entry may
// not use a port the controller binds (spec.ports, and the webhook port
// while it runs: all TCP); a udp entry may not use spec.ports, which
// ingress-nginx refuses for stream entries whatever their protocol, but may
// share the webhook port. Each collision is reported once, on the side the
// user changed: on create the entry (or the webhook port), on update the
// field that moved onto the other. messageExpression cannot read oldSelf
// (the API server evaluates it without), so a message names the first
// collision of its kind; messages use format(), not string() and join(),
// whose size the cost estimator cannot bound. facts.ControllerPorts
// states the same facts;
// internal/crdschema tests that the two agree. The node-port rules read an
// unset service.type as render.EffectiveServiceType does. Pinned node ports
// follow the API server's node-port allocator: one node port per Service
// port number, so a node port may repeat only between a tcp and a udp entry
// on the same port (they share it).
//
// The API server evaluates every rule on every write, status patches
// included, and each field access copies the schema node's property map,
// so the port rules read each port once: "[x].all(v, ...)" binds x to v
// (the API server's CEL has no cel.bind), and the update-only rule on
// spec.ports returns at once on create. BenchmarkCRDRules in
// internal/crdschema measures them on the bench gateway.

// IngressGatewaySpec describes one ingress controller fleet. The operator
// renders it into every object the fleet needs.
// +kubebuilder:validation:XValidation:rule="!has(self.service) || !has(self.service.type) || self.service.type != 'None' || (has(self.workload.hostNetwork) && self.workload.hostNetwork) || (has(self.workload.hostPorts) && self.workload.hostPorts)",message="service.type None leaves the fleet unreachable: set workload.hostNetwork or workload.hostPorts, or choose a Service type"
// +kubebuilder:validation:XValidation:rule="!has(self.tcp) || [self.ports].all(ps, [oldSelf.?ports].all(ops, [[ps.http, ps.https, ps.healthz, ps.defaultServer, ps.status, ps.stream, ps.profiler, ps.sslPassthroughProxy] + [(self.admissionWebhook.enabled ? self.admissionWebhook.port : 0)]].all(reserved, !self.tcp.exists(e, e.port in reserved && (!(oldSelf.hasValue() && has(oldSelf.value().tcp) && oldSelf.value().tcp.exists(o, o.port == e.port)) || e.port in ([ops.?http.orValue(0), ops.?https.orValue(0), ops.?healthz.orValue(0), ops.?defaultServer.orValue(0), ops.?status.orValue(0), ops.?stream.orValue(0), ops.?profiler.orValue(0), ops.?sslPassthroughProxy.orValue(0)] + [(oldSelf.?admissionWebhook.?enabled.orValue(false) ? oldSelf.?admissionWebhook.?port.orValue(0) : 0)]))))))",messageExpression="self.tcp.filter(e, e.port in ([self.ports.http, self.ports.https, self.ports.healthz, self.ports.defaultServer, self.ports.status, self.ports.stream, self.ports.profiler, self.ports.sslPassthroughProxy] + [(self.admissionWebhook.enabled ? self.admissionWebhook.port : 0)])).map(e, 'spec.tcp[%d].port: %d/TCP is also %s; the controller listens there itself, so pick another port for the entry'.format([self.tcp.map(x, x.port).indexOf(e.port), e.port, ['spec.ports.http', 'spec.ports.https', 'spec.ports.healthz', 'spec.ports.defaultServer', 'spec.ports.status', 'spec.ports.stream', 'spec.ports.profiler', 'spec.ports.sslPassthroughProxy', 'spec.admissionWebhook.port'][([self.ports.http, self.ports.https, self.ports.healthz, self.ports.defaultServer, self.ports.status, self.ports.stream, self.ports.profiler, self.ports.sslPassthroughProxy] + [(self.admissionWebhook.enabled ? self.admissionWebhook.port : 0)]).indexOf(e.port)]]))[0]",fieldPath=".tcp",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="!has(self.udp) || [self.ports].all(ps, [oldSelf.?ports].all(ops, [[ps.http, ps.https, ps.healthz, ps.defaultServer, ps.status, ps.stream, ps.profiler, ps.sslPassthroughProxy]].all(reserved, !self.udp.exists(e, e.port in reserved && (!(oldSelf.hasValue() && has(oldSelf.value().udp) && oldSelf.value().udp.exists(o, o.port == e.port)) || e.port in [ops.?http.orValue(0), ops.?https.orValue(0), ops.?healthz.orValue(0), ops.?defaultServer.orValue(0), ops.?status.orValue(0), ops.?stream.orValue(0), ops.?profiler.orValue(0), ops.?sslPassthroughProxy.orValue(0)])))))",messageExpression="self.udp.filter(e, e.port in [self.ports.http, self.ports.https, self.ports.healthz, self.ports.defaultServer, self.ports.status, self.ports.stream, self.ports.profiler, self.ports.sslPassthroughProxy]).map(e, 'spec.udp[%d].port: %d/UDP is also %s; ingress-nginx skips tcp/udp-services entries on the ports in spec.ports, UDP ones too (although it binds those ports for TCP only), so pick another port for the entry'.format([self.udp.map(x, x.port).indexOf(e.port), e.port, ['spec.ports.http', 'spec.ports.https', 'spec.ports.healthz', 'spec.ports.defaultServer', 'spec.ports.status', 'spec.ports.stream', 'spec.ports.profiler', 'spec.ports.sslPassthroughProxy'][[self.ports.http, self.ports.https, self.ports.healthz, self.ports.defaultServer, self.ports.status, self.ports.stream, self.ports.profiler, self.ports.sslPassthroughProxy].indexOf(e.port)]]))[0]",fieldPath=".udp",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="!has(self.ports) || !has(self.admissionWebhook) || [self.ports].all(ps, [oldSelf.?ports].all(ops, [(self.admissionWebhook.enabled ? self.admissionWebhook.port : 0)].all(w, !(w != 0 && ((w in [ps.http, ps.https, ps.healthz, ps.defaultServer, ps.status, ps.stream, ps.profiler, ps.sslPassthroughProxy] && (w != (oldSelf.?admissionWebhook.?enabled.orValue(false) ? oldSelf.?admissionWebhook.?port.orValue(0) : 0) || w in [ops.?http.orValue(0), ops.?https.orValue(0), ops.?healthz.orValue(0), ops.?defaultServer.orValue(0), ops.?status.orValue(0), ops.?stream.orValue(0), ops.?profiler.orValue(0), ops.?sslPassthroughProxy.orValue(0)])) || ((has(self.tcp) && self.tcp.exists(e, e.port == w)) && (oldSelf.hasValue() && has(oldSelf.value().tcp) && oldSelf.value().tcp.exists(o, o.port == w)) && w != (oldSelf.?admissionWebhook.?enabled.orValue(false) ? oldSelf.?admissionWebhook.?port.orValue(0) : 0)))))))",messageExpression="'spec.admissionWebhook.port: %d/TCP is also %s, which the controller listens on too; pick another port for the webhook'.format([(self.admissionWebhook.enabled ? self.admissionWebhook.port : 0), (self.admissionWebhook.enabled ? self.admissionWebhook.port : 0) in [self.ports.http, self.ports.https, self.ports.healthz, self.ports.defaultServer, self.ports.status, self.ports.stream, self.ports.profiler, self.ports.sslPassthroughProxy] ? ['spec.ports.http', 'spec.ports.https', 'spec.ports.healthz', 'spec.ports.defaultServer', 'spec.ports.status', 'spec.ports.stream', 'spec.ports.profiler', 'spec.ports.sslPassthroughProxy'][[self.ports.http, self.ports.https, self.ports.healthz, self.ports.defaultServer, self.ports.status, self.ports.stream, self.ports.profiler, self.ports.sslPassthroughProxy].indexOf((self.admissionWebhook.enabled ? self.admissionWebhook.port : 0))] : 'spec.tcp[%d].port'.format([self.tcp.map(x, x.port).indexOf((self.admissionWebhook.enabled ? self.admissionWebhook.port : 0))])])",fieldPath=".admissionWebhook.port",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="!has(self.ports) || !has(self.admissionWebhook) || !oldSelf.hasValue() || [self.ports].all(ps, [oldSelf.?ports].all(ops, [[ops.?http.orValue(0), ops.?https.orValue(0), ops.?healthz.orValue(0), ops.?defaultServer.orValue(0), ops.?status.orValue(0), ops.?stream.orValue(0), ops.?profiler.orValue(0), ops.?sslPassthroughProxy.orValue(0)]].all(olds, ![ps.http, ps.https, ps.healthz, ps.defaultServer, ps.status, ps.stream, ps.profiler, ps.sslPassthroughProxy].exists(p, !(p in olds) && ((p == (self.admissionWebhook.enabled ? self.admissionWebhook.port : 0) && (self.admissionWebhook.enabled ? self.admissionWebhook.port : 0) == (oldSelf.?admissionWebhook.?enabled.orValue(false) ? oldSelf.?admissionWebhook.?port.orValue(0) : 0)) || ((has(self.tcp) && self.tcp.exists(e, e.port == p)) && (oldSelf.hasValue() && has(oldSelf.value().tcp) && oldSelf.value().tcp.exists(o, o.port == p))) || ((has(self.udp) && self.udp.exists(e, e.port == p)) && (oldSelf.hasValue() && has(oldSelf.value().udp) && oldSelf.value().udp.exists(o, o.port == p))))))))",messageExpression="[self.ports.http, self.ports.https, self.ports.healthz, self.ports.defaultServer, self.ports.status, self.ports.stream, self.ports.profiler, self.ports.sslPassthroughProxy].filter(p, p == (self.admissionWebhook.enabled ? self.admissionWebhook.port : 0) || (has(self.tcp) && self.tcp.exists(e, e.port == p)) || (has(self.udp) && self.udp.exists(e, e.port == p))).map(p, '%s: changed to %d, which %s already uses; pick another port for it'.format([['spec.ports.http', 'spec.ports.https', 'spec.ports.healthz', 'spec.ports.defaultServer', 'spec.ports.status', 'spec.ports.stream', 'spec.ports.profiler', 'spec.ports.sslPassthroughProxy'][[self.ports.http, self.ports.https, self.ports.healthz, self.ports.defaultServer, self.ports.status, self.ports.stream, self.ports.profiler, self.ports.sslPassthroughProxy].indexOf(p)], p, (p == (self.admissionWebhook.enabled ? self.admissionWebhook.port : 0) ? 'spec.admissionWebhook.port' : ((has(self.tcp) && self.tcp.exists(e, e.port == p)) ? 'spec.tcp[%d].port'.format([self.tcp.map(x, x.port).indexOf(p)]) : 'spec.udp[%d].port (ingress-nginx skips tcp/udp-services entries on the ports in spec.ports, UDP ones too)'.format([self.udp.map(x, x.port).indexOf(p)])))]))[0]",fieldPath=".ports",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="!has(self.service) || !has(self.service.nodePorts) || (has(self.service.type) ? self.service.type : ((has(self.workload) && has(self.workload.hostNetwork) && self.workload.hostNetwork) ? 'None' : 'LoadBalancer')) in ['NodePort', 'LoadBalancer']",messageExpression="'spec.service.nodePorts needs a Service with node ports, but the Service type is %s: set service.type to NodePort or LoadBalancer, or remove nodePorts'.format([(has(self.service.type) ? self.service.type : ((has(self.workload) && has(self.workload.hostNetwork) && self.workload.hostNetwork) ? 'None (the default with workload.hostNetwork)' : 'LoadBalancer'))])",fieldPath=".service.nodePorts"
// +kubebuilder:validation:XValidation:rule="(!has(self.tcp) || self.tcp.all(e, !has(e.nodePort))) && (!has(self.udp) || self.udp.all(e, !has(e.nodePort))) || !has(self.service) || (has(self.service.type) ? self.service.type : ((has(self.workload) && has(self.workload.hostNetwork) && self.workload.hostNetwork) ? 'None' : 'LoadBalancer')) in ['NodePort', 'LoadBalancer']",messageExpression="'%s needs a Service with node ports, but the Service type is %s: set service.type to NodePort or LoadBalancer, or remove the nodePort of every tcp and udp entry'.format([((has(self.tcp) ? self.tcp.filter(e, has(e.nodePort)).map(e, 'spec.tcp[%d].nodePort'.format([self.tcp.map(x, x.port).indexOf(e.port)])) : []) + (has(self.udp) ? self.udp.filter(e, has(e.nodePort)).map(e, 'spec.udp[%d].nodePort'.format([self.udp.map(x, x.port).indexOf(e.port)])) : []))[0], (has(self.service.type) ? self.service.type : ((has(self.workload) && has(self.workload.hostNetwork) && self.workload.hostNetwork) ? 'None (the default with workload.hostNetwork)' : 'LoadBalancer'))])",fieldPath=".service.type"
// +kubebuilder:validation:XValidation:rule="self.?service.?nodePorts.?http.orValue(0) == 0 || self.?service.?nodePorts.?http.orValue(0) != self.?service.?nodePorts.?https.orValue(0)",messageExpression="'spec.service.nodePorts: http and https are both %d: each Service port needs a node port of its own; change one, or unset it to let the cluster allocate one'.format([self.?service.?nodePorts.?http.orValue(0)])",fieldPath=".service.nodePorts"
// +kubebuilder:validation:XValidation:rule="!has(self.tcp) || !self.tcp.exists(e, has(e.nodePort) && (e.nodePort in [self.?service.?nodePorts.?http.orValue(0), self.?service.?nodePorts.?https.orValue(0)] || !self.tcp.exists_one(o, has(o.nodePort) && o.nodePort == e.nodePort)))",messageExpression="self.tcp.filter(e, has(e.nodePort) && (e.nodePort in [self.?service.?nodePorts.?http.orValue(0), self.?service.?nodePorts.?https.orValue(0)] || !self.tcp.exists_one(o, has(o.nodePort) && o.nodePort == e.nodePort))).map(e, 'spec.tcp[%d].nodePort: %d is also the node port of %s; each Service port needs a node port of its own (a tcp and a udp entry on the same port may share one): pick another, or unset it to let the cluster allocate one'.format([self.tcp.map(x, x.port).indexOf(e.port), e.nodePort, e.nodePort == self.?service.?nodePorts.?http.orValue(0) ? 'spec.service.nodePorts.http' : e.nodePort == self.?service.?nodePorts.?https.orValue(0) ? 'spec.service.nodePorts.https' : 'spec.tcp[%d]'.format([self.tcp.map(x, x.?nodePort.orValue(0)).indexOf(e.nodePort) != self.tcp.map(x, x.port).indexOf(e.port) ? self.tcp.map(x, x.?nodePort.orValue(0)).indexOf(e.nodePort) : self.tcp.map(x, x.?nodePort.orValue(0)).lastIndexOf(e.nodePort)])]))[0]",fieldPath=".tcp"
// +kubebuilder:validation:XValidation:rule="!has(self.udp) || !self.udp.exists(e, has(e.nodePort) && (e.nodePort in [self.?service.?nodePorts.?http.orValue(0), self.?service.?nodePorts.?https.orValue(0)] || !self.udp.exists_one(o, has(o.nodePort) && o.nodePort == e.nodePort) || (has(self.tcp) && self.tcp.exists(t, has(t.nodePort) && t.nodePort == e.nodePort && t.port != e.port))))",messageExpression="self.udp.filter(e, has(e.nodePort) && (e.nodePort in [self.?service.?nodePorts.?http.orValue(0), self.?service.?nodePorts.?https.orValue(0)] || !self.udp.exists_one(o, has(o.nodePort) && o.nodePort == e.nodePort) || (has(self.tcp) && self.tcp.exists(t, has(t.nodePort) && t.nodePort == e.nodePort && t.port != e.port)))).map(e, 'spec.udp[%d].nodePort: %d is also the node port of %s; each Service port needs a node port of its own (a tcp and a udp entry on the same port may share one): pick another, or unset it to let the cluster allocate one'.format([self.udp.map(x, x.port).indexOf(e.port), e.nodePort, e.nodePort == self.?service.?nodePorts.?http.orValue(0) ? 'spec.service.nodePorts.http' : e.nodePort == self.?service.?nodePorts.?https.orValue(0) ? 'spec.service.nodePorts.https' : (has(self.tcp) && self.tcp.exists(t, has(t.nodePort) && t.nodePort == e.nodePort && t.port != e.port)) ? 'spec.tcp[%d]'.format([self.tcp.map(x, x.?nodePort.orValue(0)).indexOf(e.nodePort)]) : 'spec.udp[%d]'.format([self.udp.map(x, x.?nodePort.orValue(0)).indexOf(e.nodePort) != self.udp.map(x, x.port).indexOf(e.port) ? self.udp.map(x, x.?nodePort.orValue(0)).indexOf(e.nodePort) : self.udp.map(x, x.?nodePort.orValue(0)).lastIndexOf(e.nodePort)])]))[0]",fieldPath=".udp"
// +kubebuilder:validation:XValidation:rule="!has(self.vip) || (has(self.workload.hostNetwork) && self.workload.hostNetwork)",message="vip needs workload.hostNetwork: keepalived must add the address to the node's own interface",fieldPath=".vip"
type IngressGatewaySpec struct {
	// gatewayClassName names the IngressGatewayClass, owned by cluster
	// admins, that decides where this gateway may live and what it may do.
	// Empty uses the class marked default.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	GatewayClassName string `json:"gatewayClassName,omitempty"`

	// controller configures the ingress controller process: its image,
	// its main ConfigMap and extra command-line flags.
	// +optional
	// +default={}
	Controller ControllerSpec `json:"controller,omitzero"`

	// ingressClass configures the IngressClass this gateway serves.
	// Ingress objects select the gateway with spec.ingressClassName.
	// +optional
	// +default={}
	IngressClass IngressClassSpec `json:"ingressClass,omitzero"`

	// workload configures the DaemonSet or Deployment that runs the controller pods.
	// +optional
	// +default={}
	Workload WorkloadSpec `json:"workload,omitzero"`

	// ports are the ports the controller listens on. Change them so that two
	// fleets on the host network can share nodes: every port here must be
	// distinct between such fleets.
	// +optional
	// +default={"http":80,"https":443,"healthz":10254,"defaultServer":8181,"status":10246,"stream":10247,"profiler":10245,"sslPassthroughProxy":442}
	Ports PortsSpec `json:"ports,omitzero"`

	// service configures the Service in front of the controller pods.
	// +optional
	// +default={}
	Service ServiceSpec `json:"service,omitzero"`

	// defaultCertificate is served for HTTPS requests that match no Ingress
	// TLS section (passed as --default-ssl-certificate). Without it the
	// controller serves a self-signed "Fake Certificate".
	// +optional
	DefaultCertificate *DefaultCertificate `json:"defaultCertificate,omitempty"`

	// defaultBackend is the Service that answers requests matching no
	// Ingress rule (--default-backend-service), instead of the controller's
	// built-in 404 page. ingress-nginx sends them to the Service's first
	// port, and exits at start when the Service does not exist: until it
	// exists the operator reports Degraded (DefaultBackendMissing) and does
	// not roll pods onto it.
	// +optional
	DefaultBackend *ServiceReference `json:"defaultBackend,omitempty"`

	// admissionWebhook runs ingress-nginx's validating admission webhook,
	// which rejects Ingresses that would break the nginx configuration
	// (instead of the controller failing to reload). The operator issues
	// and rotates its certificates and registers it for this gateway's
	// IngressClass only, so a broken fleet never blocks other classes'
	// Ingresses.
	// +optional
	// +default={}
	AdmissionWebhook AdmissionWebhookSpec `json:"admissionWebhook,omitzero"`

	// vip floats one or more addresses over the fleet's nodes with VRRP
	// (keepalived): the node holding them is one whose local controller
	// answers /healthz. Requires workload.hostNetwork. The addresses become
	// the gateway's status address.
	// +optional
	VIP *VIPSpec `json:"vip,omitempty"`

	// tcp exposes TCP services on the gateway: each entry becomes a
	// tcp-services ConfigMap entry, a Service port and, in hostPorts mode,
	// a host port. Edits are hot-reloaded by the controller; pods are not
	// restarted (except in hostPorts mode, where host ports are fixed at
	// pod creation). A port may not be one the controller binds itself
	// (spec.ports, or admissionWebhook.port while the webhook runs).
	// +optional
	// +listType=map
	// +listMapKey=port
	// +kubebuilder:validation:MaxItems=256
	TCP []TCPService `json:"tcp,omitempty"`

	// udp exposes UDP services on the gateway, like tcp. PROXY protocol is
	// not available for UDP. A port may not be one of spec.ports:
	// ingress-nginx skips stream entries on those whatever their protocol.
	// It may be the webhook port, which the controller binds for TCP only.
	// +optional
	// +listType=map
	// +listMapKey=port
	// +kubebuilder:validation:MaxItems=256
	UDP []UDPService `json:"udp,omitempty"`

	// statusAddresses are the addresses (IPs or hostnames) written into the
	// status of every Ingress of this class (--publish-status-address), for
	// example a DNS name or an external load balancer in front of the nodes.
	// When empty, the Service address is used (ClusterIP and LoadBalancer
	// Services), otherwise the InternalIP of the nodes running ready
	// controller pods.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z0-9.:-]+$`
	StatusAddresses []string `json:"statusAddresses,omitempty"`
}

// VIPSpec configures the floating addresses of the fleet.
// +kubebuilder:validation:XValidation:rule="!has(self.authSecretRef) || !has(self.advertIntervalMilliseconds) || self.advertIntervalMilliseconds % 1000 == 0",message="authSecretRef needs VRRPv2, which counts adverts in whole seconds: set advertIntervalMilliseconds to a multiple of 1000 (or leave it unset: with authSecretRef it defaults to 1000), or remove authSecretRef to keep sub-second adverts (VRRPv3 has no authentication)",fieldPath=".advertIntervalMilliseconds"
// +kubebuilder:validation:XValidation:rule="!has(self.authSecretRef) || self.addresses.all(a, !a.contains(':'))",message="authSecretRef needs VRRPv2, which carries IPv4 addresses only: remove the IPv6 addresses or remove authSecretRef (VRRPv3, needed for IPv6, has no authentication)",fieldPath=".authSecretRef"
// +kubebuilder:validation:XValidation:rule="!has(self.preempt) || !self.preempt || (has(self.preferredNodes) && size(self.preferredNodes) > 0)",message="preempt needs preferredNodes: without a preferred node every node has the same priority and none takes the addresses back; list the nodes in preferredNodes or remove preempt",fieldPath=".preempt"
// +kubebuilder:validation:XValidation:rule="!has(self.preemptDelaySeconds) || (has(self.preempt) && self.preempt)",message="preemptDelaySeconds needs preempt: true",fieldPath=".preemptDelaySeconds"
type VIPSpec struct {
	// addresses are the floating addresses with their prefix length, IPv4
	// and/or IPv6, e.g. 192.168.10.15/24. With both, one VRRP election
	// over IPv4 moves them all.
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.all(a, isCIDR(a))",message="addresses are CIDRs such as 192.168.10.15/24 or fd00::15/64"
	// +kubebuilder:validation:XValidation:rule="self.all(a, !isCIDR(a) || (cidr(a).ip().isGlobalUnicast() && cidr(a).prefixLength() > 0))",messageExpression="'%s cannot float between nodes: a VIP is a unicast address (not loopback, link-local, multicast, broadcast or unspecified) with a prefix length above 0, such as 192.168.10.15/24'.format([self.filter(a, isCIDR(a) && !(cidr(a).ip().isGlobalUnicast() && cidr(a).prefixLength() > 0))[0]])"
	// +kubebuilder:validation:XValidation:rule="self.all(a, !isCIDR(a) || self.exists_one(b, isCIDR(b) && cidr(b).ip() == cidr(a).ip()))",messageExpression="'%s is listed twice, with two prefix lengths: list each address once'.format([self.filter(a, isCIDR(a) && !self.exists_one(b, isCIDR(b) && cidr(b).ip() == cidr(a).ip()))[0].split('/')[0]])"
	Addresses []string `json:"addresses,omitempty"`

	// interface carries the addresses. When empty, each node uses the
	// interface holding its InternalIP.
	// +optional
	// +kubebuilder:validation:MaxLength=15
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_.-]+$`
	// +kubebuilder:validation:XValidation:rule="self != 'lo'",message="interface lo is the loopback: the addresses must go on an interface other nodes reach"
	Interface string `json:"interface,omitempty"`

	// virtualRouterID is the VRRP router ID (1-255), which must be unique
	// on the network segment. When unset the operator allocates one that is
	// unique among the cluster's gateways and reports it in
	// status.vip.routerID; an explicit value another gateway uses is
	// rejected.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=255
	VirtualRouterID *int32 `json:"virtualRouterID,omitempty"`

	// authSecretRef names a key of a Secret in the gateway's namespace
	// holding the VRRP password (up to 8 characters; VRRPv2 PASS
	// authentication).
	// +optional
	AuthSecretRef *SecretKeySelector `json:"authSecretRef,omitempty"`

	// unicast sends adverts to the fleet's nodes (kept current as nodes
	// join and leave) rather than to the VRRP multicast group, which many
	// networks block. Defaults to true.
	// +optional
	// +default=true
	Unicast *bool `json:"unicast,omitempty"`

	// advertIntervalMilliseconds between VRRP adverts (100-25500, in steps
	// of 10). A crashed holder is replaced after about 3.6 adverts; the
	// default of 500 keeps that under 2 s. Sub-second values use VRRPv3,
	// which has no authentication: with authSecretRef the default is 1000
	// (VRRPv2) and only whole seconds are accepted.
	// +optional
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=25500
	// +kubebuilder:validation:MultipleOf=10
	AdvertIntervalMilliseconds int32 `json:"advertIntervalMilliseconds,omitempty"`

	// garpRefreshSeconds re-sends gratuitous ARP / unsolicited neighbour
	// advertisements from the holder this often, so switches never age the
	// address out. 0 disables. Defaults to 60.
	// +optional
	// +default=60
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=3600
	GARPRefreshSeconds *int32 `json:"garpRefreshSeconds,omitempty"`

	// preferredNodes ranks nodes as VIP holders, most preferred first: the
	// first listed gets the highest VRRP priority, and nodes not listed
	// rank below all of them. Without preempt the ranking only settles
	// elections between nodes that are eligible at the same moment, and a
	// holder keeps the addresses; with preempt the most preferred healthy
	// node always ends up holding them, taking them back when it recovers.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	PreferredNodes []string `json:"preferredNodes,omitempty"`

	// preempt lets a preferred node (see preferredNodes, which it
	// requires) take the addresses back from a less preferred holder once
	// its controller is healthy again. Off by default: the addresses stay
	// where they are, with no second move.
	// +optional
	Preempt bool `json:"preempt,omitempty"`

	// preemptDelaySeconds waits this long after a preferred node becomes
	// eligible (started, or healthy again) before it takes the addresses
	// back, so a node that flaps does not move them back and forth.
	// Requires preempt. Defaults to 0.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	PreemptDelaySeconds *int32 `json:"preemptDelaySeconds,omitempty"`

	// image of the keepalived sidecar: keepalived, /bin/sh, ip and curl.
	// Pin it by digest. Defaults to the operator's --default-keepalived-image
	// (RELATED_IMAGE_KEEPALIVED).
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image,omitempty"`
}

// SecretKeySelector names a key of a Secret in the gateway's namespace.
type SecretKeySelector struct {
	// name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name,omitempty"`

	// key in the Secret. Defaults to "password".
	// +optional
	// +default="password"
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key,omitempty"`
}

// AdmissionWebhookSpec configures the data plane's validating admission
// webhook (ingress-nginx --validating-webhook).
type AdmissionWebhookSpec struct {
	// enabled runs the webhook. Defaults to true.
	// +optional
	// +default=true
	Enabled *bool `json:"enabled,omitempty"`

	// failurePolicy says what the API server does with an Ingress of this
	// gateway's class when the webhook cannot be reached: Fail (reject it,
	// the default) or Ignore (admit it unchecked).
	// +optional
	// +default="Fail"
	// +kubebuilder:validation:Enum=Fail;Ignore
	FailurePolicy admissionregistrationv1.FailurePolicyType `json:"failurePolicy,omitempty"`

	// port the controller serves the webhook on, over TCP (container port;
	// on the host network also a node port). It may not be one of
	// spec.ports nor a tcp entry's port; a udp entry may share it.
	// Defaults to 8443.
	// +optional
	// +default=8443
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`

	// timeoutSeconds the API server waits for the webhook (1-30). Defaults
	// to 10.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=30
	TimeoutSeconds *int32 `json:"timeoutSeconds,omitempty"`
}

// IsEnabled reports whether the webhook runs (enabled defaults to true).
func (a AdmissionWebhookSpec) IsEnabled() bool { return a.Enabled == nil || *a.Enabled }

// ControllerSpec configures the ingress controller process.
// +kubebuilder:validation:XValidation:rule="!has(self.config) || !('annotations-risk-level' in self.config) || self.config['annotations-risk-level'].lowerAscii() != 'critical' || (has(self.allowSnippetAnnotations) && self.allowSnippetAnnotations)",message="annotations-risk-level Critical admits snippet annotations; set spec.controller.allowSnippetAnnotations to opt in explicitly",fieldPath=".config"
// +kubebuilder:validation:XValidation:rule="!has(self.resources) || !has(self.resources.requests) || !has(self.resources.limits) || ['cpu', 'memory', 'ephemeral-storage'].all(r, !(r in self.resources.requests) || !(r in self.resources.limits) || quantity(string(self.resources.requests[r])).compareTo(quantity(string(self.resources.limits[r]))) <= 0)",messageExpression="['cpu', 'memory', 'ephemeral-storage'].filter(r, r in self.resources.requests && r in self.resources.limits && quantity(string(self.resources.requests[r])).compareTo(quantity(string(self.resources.limits[r]))) > 0).map(r, 'resources.requests.%s %s is more than resources.limits.%s %s: a container cannot be guaranteed more than its limit; raise the limit or lower the request'.format([r, string(self.resources.requests[r]), r, string(self.resources.limits[r])]))[0]",fieldPath=".resources"
// +kubebuilder:validation:XValidation:rule="!has(self.extraArgs) || self.extraArgs.all(k, !(k in ['configmap', 'tcp-services-configmap', 'udp-services-configmap', 'default-ssl-certificate', 'publish-service', 'publish-status-address', 'report-node-internal-ip-address', 'ingress-class', 'controller-class', 'election-id', 'http-port', 'https-port', 'healthz-port', 'default-server-port', 'status-port', 'stream-port', 'profiler-port', 'ssl-passthrough-proxy-port', 'validating-webhook', 'validating-webhook-certificate', 'validating-webhook-key', 'default-backend-service', 'v', 'watch-namespace', 'apiserver-host', 'kubeconfig']))",message="extraArgs may not set a flag the operator owns; use the matching IngressGateway field instead (ports, service, defaultCertificate, defaultBackend, tcp, udp, statusAddresses, ingressClass, controller.logLevel)"
type ControllerSpec struct {
	// image is the controller image. Pin it by digest. When empty, the
	// operator's default (its --default-controller-image flag or the
	// RELATED_IMAGE_INGRESS_NGINX environment variable) is used; the image
	// in use is reported in status.image.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image,omitempty"`

	// config is the content of the controller's main ConfigMap
	// (ingress-nginx ConfigMap keys such as use-forwarded-headers or
	// proxy-body-size). Values are strings; quote booleans and numbers.
	// Changes are hot-reloaded without restarting pods. Snippet
	// annotations are governed by allowSnippetAnnotations, not by keys here.
	// +optional
	// +kubebuilder:validation:MaxProperties=256
	// +kubebuilder:validation:XValidation:rule="self.map(k, k.size() + self[k].size()).sum() <= 1048512",messageExpression="'config holds %d bytes (keys and values); a ConfigMap holds at most 1048576 (1 MiB), and the operator adds a few keys of its own: keep config under 1048512 bytes'.format([self.map(k, k.size() + self[k].size()).sum()])"
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.size() <= 253 && k.matches('^[-._a-zA-Z0-9]+$'))",messageExpression="'%s is not a ConfigMap key: keys are at most 253 letters, digits, -, _ and . (ingress-nginx keys such as proxy-body-size are)'.format([self.filter(k, !(k.size() <= 253 && k.matches('^[-._a-zA-Z0-9]+$')))[0]])"
	// +kubebuilder:validation:XValidation:rule="!('allow-snippet-annotations' in self)",message="allow-snippet-annotations is set by the operator; use spec.controller.allowSnippetAnnotations to opt in"
	Config map[string]string `json:"config,omitempty"`

	// allowSnippetAnnotations lets Ingress authors inject raw nginx
	// configuration through *-snippet annotations. Off by default: any user
	// who can create an Ingress can then run configuration in the
	// controller, which can read every Secret the controller can
	// (the CVE-2025-1974 class of risk). Only enable it when every Ingress
	// author is trusted; it also sets annotations-risk-level to Critical,
	// which snippets need.
	// +optional
	AllowSnippetAnnotations bool `json:"allowSnippetAnnotations,omitempty"`

	// extraArgs are additional controller flags, without the leading "--".
	// An empty value renders a bare flag. Flags the operator sets itself
	// (ports, ConfigMaps, class, publish flags, certificates) are rejected.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^[a-z0-9][a-z0-9-]*$'))",message="extraArgs keys are flag names without the leading '--', e.g. enable-metrics"
	// +kubebuilder:validation:XValidation:rule="self.all(k, self[k] != '' || k in ['update-status', 'update-status-on-shutdown', 'ingress-class-by-name', 'watch-ingress-without-class', 'disable-leader-election', 'enable-ssl-passthrough', 'disable-full-test', 'profiling', 'enable-metrics', 'metrics-per-host', 'metrics-per-undefined-host', 'report-status-classes', 'disable-catch-all', 'disable-svc-external-name', 'enable-annotation-validation', 'enable-ssl-chain-completion', 'deep-inspect', 'disable-sync-events', 'enable-topology-aware-routing'])",message="extraArgs: an empty value renders a bare --flag, which only boolean flags accept (ingress-nginx exits on a bare flag that takes a value); give the flag its value"
	ExtraArgs map[string]string `json:"extraArgs,omitempty"`

	// resources of the controller container. When empty, requests of
	// cpu 100m and memory 90Mi are set, as upstream does.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.claims)",message="resources.claims names resource claims of the pod, and the controller pods have none: remove claims"
	// +kubebuilder:validation:XValidation:rule="['cpu', 'memory', 'ephemeral-storage'].all(r, (!has(self.requests) || !(r in self.requests) || !quantity(string(self.requests[r])).isLessThan(quantity('0'))) && (!has(self.limits) || !(r in self.limits) || !quantity(string(self.limits[r])).isLessThan(quantity('0'))))",message="resources: cpu, memory and ephemeral-storage requests and limits must not be negative"
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// logLevel is the controller's klog verbosity (--v). When unset the
	// controller's default applies.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10
	LogLevel *int32 `json:"logLevel,omitempty"`
}

// IngressClassSpec configures the gateway's IngressClass.
type IngressClassSpec struct {
	// name of the IngressClass. Defaults to the gateway's name.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name,omitempty"`

	// default marks the class as the cluster default
	// (ingressclass.kubernetes.io/is-default-class), so new Ingresses
	// without spec.ingressClassName are assigned to it. Aliases are never
	// the default.
	// +optional
	Default bool `json:"default,omitempty"`

	// aliases are further IngressClasses the gateway serves, each created
	// with the gateway's controller value (ingress-nginx serves every
	// IngressClass whose controller is its own), e.g. MicroK8s's `nginx`
	// beside `public`. Each name is claimed like name: no other gateway's
	// class and no IngressClass Portico does not manage.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Aliases []string `json:"aliases,omitempty"`
}

// WorkloadKind is the kind of workload that runs the controller pods.
// +kubebuilder:validation:Enum=DaemonSet;Deployment
type WorkloadKind string

const (
	// WorkloadDaemonSet runs one controller pod on every matching node.
	WorkloadDaemonSet WorkloadKind = "DaemonSet"
	// WorkloadDeployment runs a fixed number of controller pods.
	WorkloadDeployment WorkloadKind = "Deployment"
)

// WorkloadSpec configures the controller pods and their workload.
// +kubebuilder:validation:XValidation:rule="(has(self.kind) && self.kind == 'Deployment') || !has(self.replicas)",message="replicas applies to kind Deployment only; a DaemonSet runs one pod per matching node (use nodeSelector to choose nodes)"
// +kubebuilder:validation:XValidation:rule="!(has(self.hostNetwork) && self.hostNetwork && has(self.hostPorts) && self.hostPorts)",message="hostPorts is implied by hostNetwork; set only one of them"
// +kubebuilder:validation:XValidation:rule="!has(self.maxUnavailable) || (type(self.maxUnavailable) == int ? self.maxUnavailable != 0 : !self.maxUnavailable.matches('^0+%$')) || (has(self.kind) && self.kind == 'Deployment' && !(has(self.hostNetwork) && self.hostNetwork) && !(has(self.hostPorts) && self.hostPorts))",message="maxUnavailable 0 lets no pod be replaced: a DaemonSet, and a Deployment on the host network or host ports, replace their pods in place (no surge pod), so a rollout must take at least one pod down; set 1 or more, or a percentage above 0%, or use a Deployment without hostNetwork and hostPorts, which surges a new pod first",fieldPath=".maxUnavailable"
type WorkloadSpec struct {
	// kind is DaemonSet (one pod per matching node, the default) or
	// Deployment (replicas pods).
	// +optional
	// +default="DaemonSet"
	Kind WorkloadKind `json:"kind,omitempty"`

	// replicas is the number of pods of a Deployment. Defaults to 1.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	Replicas *int32 `json:"replicas,omitempty"`

	// hostNetwork runs the pods in the node's network namespace so they
	// listen directly on the node's addresses (bare metal). Implies
	// dnsPolicy ClusterFirstWithHostNet and a rollout that never runs two
	// pods on one node.
	// +optional
	HostNetwork bool `json:"hostNetwork,omitempty"`

	// hostPorts maps the http, https, tcp and udp ports onto the node
	// without the host network (as the MicroK8s addon does).
	// +optional
	HostPorts bool `json:"hostPorts,omitempty"`

	// nodeSelector restricts the pods to matching nodes, in addition to
	// kubernetes.io/os=linux.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, !format.qualifiedName().validate(k).hasValue())",messageExpression="'%s is not a label key: a key is a name of at most 63 characters (letters, digits, -, _ and ., starting and ending with a letter or digit), optionally after a DNS subdomain and a slash, such as example.com/tier; fix or remove it'.format([self.filter(k, format.qualifiedName().validate(k).hasValue())[0]])"
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// tolerations of the pods, e.g. to run on control-plane nodes.
	// +optional
	// +listType=atomic
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// affinity of the pods.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// topologySpreadConstraints of the pods.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(c, c.maxSkew >= 1 && c.whenUnsatisfiable in ['DoNotSchedule', 'ScheduleAnyway'] && c.topologyKey != '' && (!has(c.minDomains) || (c.minDomains >= 1 && c.whenUnsatisfiable == 'DoNotSchedule')) && (!has(c.nodeAffinityPolicy) || c.nodeAffinityPolicy in ['Honor', 'Ignore']) && (!has(c.nodeTaintsPolicy) || c.nodeTaintsPolicy in ['Honor', 'Ignore']))",message="each topologySpreadConstraint needs maxSkew 1 or more, whenUnsatisfiable DoNotSchedule or ScheduleAnyway, a topologyKey such as kubernetes.io/hostname, minDomains (1 or more) only with DoNotSchedule, and nodeAffinityPolicy and nodeTaintsPolicy Honor or Ignore when set"
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`

	// priorityClassName of the pods.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	PriorityClassName string `json:"priorityClassName,omitempty"`

	// podAnnotations are added to the pods.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, !format.qualifiedName().validate(k).hasValue())",messageExpression="'%s is not an annotation key: a key is a name of at most 63 characters (letters, digits, -, _ and ., starting and ending with a letter or digit), optionally after a DNS subdomain and a slash, such as example.com/tier; fix or remove it'.format([self.filter(k, format.qualifiedName().validate(k).hasValue())[0]])"
	// +kubebuilder:validation:XValidation:rule="self.map(k, k.size() + self[k].size()).sum() <= 262144",messageExpression="'podAnnotations hold %d bytes (keys and values); an object holds at most 262144 (256 KiB): shorten or remove some'.format([self.map(k, k.size() + self[k].size()).sum()])"
	PodAnnotations map[string]string `json:"podAnnotations,omitempty"`

	// podLabels are added to the pods. Labels the operator sets itself
	// (app.kubernetes.io/* and ingress.portico.dev/*) win over these.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, !format.qualifiedName().validate(k).hasValue())",messageExpression="'%s is not a label key: a key is a name of at most 63 characters (letters, digits, -, _ and ., starting and ending with a letter or digit), optionally after a DNS subdomain and a slash, such as example.com/tier; fix or remove it'.format([self.filter(k, format.qualifiedName().validate(k).hasValue())[0]])"
	PodLabels map[string]string `json:"podLabels,omitempty"`

	// maxUnavailable is the rolling update's budget of unavailable pods
	// (a number or a percentage). Defaults to 1. It may be 0 only for a
	// Deployment off the host network and host ports, which then surges.
	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:XValidation:rule="type(self) == int ? (self >= 0 && self <= 2147483647) : self.matches('^0*(100|[1-9]?[0-9])%$')",message="maxUnavailable is a number of pods (0 or more) or a percentage from 0% to 100%, such as 1 or 25%"
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`

	// terminationGracePeriodSeconds lets in-flight requests drain on
	// shutdown. Keep it above the ConfigMap's worker-shutdown-timeout
	// (240s by default).
	// +optional
	// +default=300
	// +kubebuilder:validation:Minimum=0
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
}

// PortsSpec lists every port the controller binds. All must be distinct.
// +kubebuilder:validation:XValidation:rule="[[self.http, self.https, self.healthz, self.defaultServer, self.status, self.stream, self.profiler, self.sslPassthroughProxy]].all(l, l.all(p, l.exists_one(q, q == p)))",message="ports must all be distinct: the controller binds each of them"
type PortsSpec struct {
	// http is the plain HTTP port (--http-port).
	// +optional
	// +default=80
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	HTTP int32 `json:"http,omitempty"`

	// https is the HTTPS port (--https-port).
	// +optional
	// +default=443
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	HTTPS int32 `json:"https,omitempty"`

	// healthz serves /healthz and /metrics (--healthz-port).
	// +optional
	// +default=10254
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Healthz int32 `json:"healthz,omitempty"`

	// defaultServer is the internal catch-all server (--default-server-port).
	// It listens on all addresses, which matters on the host network.
	// +optional
	// +default=8181
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	DefaultServer int32 `json:"defaultServer,omitempty"`

	// status is nginx's internal configuration endpoint (--status-port).
	// +optional
	// +default=10246
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Status int32 `json:"status,omitempty"`

	// stream is nginx's internal TCP/UDP configuration endpoint (--stream-port).
	// +optional
	// +default=10247
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Stream int32 `json:"stream,omitempty"`

	// profiler is the Go profiler port (--profiler-port).
	// +optional
	// +default=10245
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Profiler int32 `json:"profiler,omitempty"`

	// sslPassthroughProxy is the internal port used by SSL passthrough
	// (--ssl-passthrough-proxy-port); reserved even when passthrough is off.
	// +optional
	// +default=442
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	SSLPassthroughProxy int32 `json:"sslPassthroughProxy,omitempty"`
}

// ServiceType is the type of the Service in front of the controller pods.
// +kubebuilder:validation:Enum=None;ClusterIP;NodePort;LoadBalancer
type ServiceType string

const (
	// ServiceTypeNone creates no Service (host network or host ports only).
	ServiceTypeNone ServiceType = "None"
	// ServiceTypeClusterIP creates a ClusterIP Service.
	ServiceTypeClusterIP ServiceType = "ClusterIP"
	// ServiceTypeNodePort creates a NodePort Service.
	ServiceTypeNodePort ServiceType = "NodePort"
	// ServiceTypeLoadBalancer creates a LoadBalancer Service.
	ServiceTypeLoadBalancer ServiceType = "LoadBalancer"
)

// ServiceSpec configures the Service in front of the controller pods.
// +kubebuilder:validation:XValidation:rule="!has(self.loadBalancerClass) && !has(self.loadBalancerSourceRanges) || (has(self.type) && self.type == 'LoadBalancer')",message="loadBalancerClass and loadBalancerSourceRanges require service.type LoadBalancer"
// +kubebuilder:validation:XValidation:rule="!has(self.annotations) || !('service.beta.kubernetes.io/load-balancer-source-ranges' in self.annotations)",message="the annotation service.beta.kubernetes.io/load-balancer-source-ranges is the legacy spelling of loadBalancerSourceRanges, which is checked here and takes precedence: move the ranges to loadBalancerSourceRanges (with service.type LoadBalancer)",fieldPath=".annotations"
type ServiceSpec struct {
	// type of the Service. Defaults to None with workload.hostNetwork and
	// to LoadBalancer otherwise.
	// +optional
	Type ServiceType `json:"type,omitempty"`

	// nodePorts pins the node ports of http and https. It needs a Service
	// with node ports: type NodePort or LoadBalancer, which an unset type is
	// unless workload.hostNetwork is set. Unset ports are allocated by the
	// cluster.
	// +optional
	NodePorts *NodePorts `json:"nodePorts,omitempty"`

	// annotations are added to the Service, e.g. for a cloud load balancer.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, !format.qualifiedName().validate(k).hasValue())",messageExpression="'%s is not an annotation key: a key is a name of at most 63 characters (letters, digits, -, _ and ., starting and ending with a letter or digit), optionally after a DNS subdomain and a slash, such as example.com/tier; fix or remove it'.format([self.filter(k, format.qualifiedName().validate(k).hasValue())[0]])"
	// +kubebuilder:validation:XValidation:rule="self.map(k, k.size() + self[k].size()).sum() <= 262144",messageExpression="'annotations hold %d bytes (keys and values); an object holds at most 262144 (256 KiB): shorten or remove some'.format([self.map(k, k.size() + self[k].size()).sum()])"
	Annotations map[string]string `json:"annotations,omitempty"`

	// externalTrafficPolicy of the Service. Local preserves client source
	// addresses.
	// +optional
	// +kubebuilder:validation:Enum=Cluster;Local
	ExternalTrafficPolicy corev1.ServiceExternalTrafficPolicy `json:"externalTrafficPolicy,omitempty"`

	// loadBalancerClass selects the load balancer implementation
	// (LoadBalancer only).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="!format.qualifiedName().validate(self).hasValue()",message="loadBalancerClass is a name of at most 63 characters (letters, digits, -, _ and ., starting and ending with a letter or digit), optionally after a DNS subdomain and a slash, such as example.com/internal-vip"
	LoadBalancerClass *string `json:"loadBalancerClass,omitempty"`

	// loadBalancerSourceRanges restricts client addresses (LoadBalancer only).
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.all(r, isCIDR(r.trim()) && cidr(r.trim()) == cidr(r.trim()).masked())",message="loadBalancerSourceRanges are CIDRs with no bits set past the prefix length, such as 10.0.0.0/8, 203.0.113.7/32 or 2001:db8::/32"
	LoadBalancerSourceRanges []string `json:"loadBalancerSourceRanges,omitempty"`
}

// NodePorts pins the node ports of the http and https Service ports.
type NodePorts struct {
	// http node port.
	// +optional
	// +kubebuilder:validation:Minimum=30000
	// +kubebuilder:validation:Maximum=32767
	HTTP *int32 `json:"http,omitempty"`

	// https node port.
	// +optional
	// +kubebuilder:validation:Minimum=30000
	// +kubebuilder:validation:Maximum=32767
	HTTPS *int32 `json:"https,omitempty"`
}

// DefaultCertificate names the Secret served as the default certificate.
type DefaultCertificate struct {
	// secretRef is a kubernetes.io/tls Secret (keys tls.crt and tls.key)
	// in any namespace. The operator never modifies it.
	// +required
	SecretRef SecretReference `json:"secretRef,omitzero"`
}

// SecretReference names a Secret.
type SecretReference struct {
	// namespace of the Secret. Defaults to the gateway's namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace,omitempty"`

	// name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name,omitempty"`
}

// ServiceReference names a Service.
type ServiceReference struct {
	// namespace of the Service. Defaults to the gateway's namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace,omitempty"`

	// name of the Service.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name,omitempty"`
}

// TCPService exposes one TCP port of the gateway.
type TCPService struct {
	// port the gateway listens on.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`

	// backend is the Service traffic is forwarded to.
	// +required
	Backend Backend `json:"backend,omitzero"`

	// nodePort pins the node port of this entry's Service port
	// (NodePort and LoadBalancer Services, as for service.nodePorts).
	// +optional
	// +kubebuilder:validation:Minimum=30000
	// +kubebuilder:validation:Maximum=32767
	NodePort *int32 `json:"nodePort,omitempty"`

	// proxyProtocol enables the PROXY protocol on this entry.
	// +optional
	ProxyProtocol *ProxyProtocol `json:"proxyProtocol,omitempty"`
}

// UDPService exposes one UDP port of the gateway.
type UDPService struct {
	// port the gateway listens on.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`

	// backend is the Service traffic is forwarded to.
	// +required
	Backend Backend `json:"backend,omitzero"`

	// nodePort pins the node port of this entry's Service port
	// (NodePort and LoadBalancer Services, as for service.nodePorts).
	// +optional
	// +kubebuilder:validation:Minimum=30000
	// +kubebuilder:validation:Maximum=32767
	NodePort *int32 `json:"nodePort,omitempty"`
}

// Backend is the Service a TCP or UDP entry forwards to. The operator only
// references it; it never modifies it.
type Backend struct {
	// namespace of the Service. Defaults to the gateway's namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace,omitempty"`

	// name of the Service.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name,omitempty"`

	// port of the Service: its spec.ports[].port number or its
	// spec.ports[].name (not the targetPort).
	// +required
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=15
	// +kubebuilder:validation:XValidation:rule="type(self) == int ? (self >= 1 && self <= 65535) : self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="port is a Service port number (1-65535) or a Service port name"
	Port intstr.IntOrString `json:"port,omitempty"`
}

// ProxyProtocol configures the PROXY protocol of a TCP entry.
type ProxyProtocol struct {
	// decode expects the PROXY protocol from clients (e.g. an upstream
	// load balancer that sends it).
	// +optional
	Decode bool `json:"decode,omitempty"`

	// encode sends the PROXY protocol to the backend.
	// +optional
	Encode bool `json:"encode,omitempty"`
}

// IngressGatewayStatus is the observed state of the fleet.
type IngressGatewayStatus struct {
	// conditions are Ready, Progressing and Degraded, plus WebhookReady
	// when the admission webhook is enabled and DefaultCertificateReady
	// when a default certificate is set.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=32
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// gatewayClassName is the IngressGatewayClass this gateway was checked
	// against (spec.gatewayClassName, or the default class).
	// +optional
	GatewayClassName string `json:"gatewayClassName,omitempty"`

	// ingressClassName is the IngressClass Ingresses use to select this gateway.
	// +optional
	IngressClassName string `json:"ingressClassName,omitempty"`

	// controllerClass is the IngressClass spec.controller value unique to
	// this gateway (--controller-class).
	// +optional
	ControllerClass string `json:"controllerClass,omitempty"`

	// replicas counts the controller pods.
	// +optional
	Replicas ReplicaStatus `json:"replicas,omitzero"`

	// ready is "ready/desired" pods, for kubectl get.
	// +optional
	Ready string `json:"ready,omitempty"`

	// addresses the gateway is reachable at, as published in Ingress status.
	// +optional
	// +listType=atomic
	Addresses []string `json:"addresses,omitempty"`

	// image is the controller image in use.
	// +optional
	Image string `json:"image,omitempty"`

	// driver is the data plane the fleet runs (its class's
	// dataPlane.driver).
	// +optional
	Driver *DataPlaneDriver `json:"driver,omitempty"`

	// admissionWebhook reports the data-plane webhook's serving certificate.
	// +optional
	AdmissionWebhook *WebhookStatus `json:"admissionWebhook,omitempty"`

	// vip reports the floating addresses.
	// +optional
	VIP *VIPStatus `json:"vip,omitempty"`

	// defaultCertificate reports the certificate in
	// spec.defaultCertificate.secretRef, as last read.
	// +optional
	DefaultCertificate *CertificateStatus `json:"defaultCertificate,omitempty"`
}

// VIPStatus reports the floating addresses and where they are.
type VIPStatus struct {
	// routerID is the VRRP router ID in use.
	// +optional
	RouterID int32 `json:"routerID,omitempty"`
	// addresses are the floating addresses.
	// +optional
	// +listType=atomic
	Addresses []string `json:"addresses,omitempty"`
	// holder is the node holding the addresses, as its keepalived last
	// reported through the Lease <gateway>-vip.
	// +optional
	Holder string `json:"holder,omitempty"`
}

// WebhookStatus reports the admission webhook's certificates.
type WebhookStatus struct {
	// certificateNotAfter is when the serving certificate expires; the
	// operator renews it after two thirds of its lifetime.
	// +optional
	CertificateNotAfter *metav1.Time `json:"certificateNotAfter,omitempty"`
}

// CertificateStatus describes a certificate the gateway serves.
type CertificateStatus struct {
	// notAfter is when the certificate expires.
	// +optional
	NotAfter *metav1.Time `json:"notAfter,omitempty"`

	// dnsNames are the names the certificate is valid for.
	// +optional
	// +listType=atomic
	DNSNames []string `json:"dnsNames,omitempty"`
}

// ReplicaStatus counts the controller pods.
type ReplicaStatus struct {
	// desired pods: matching nodes for a DaemonSet, replicas for a Deployment.
	// +required
	Desired int32 `json:"desired"`
	// ready pods.
	// +required
	Ready int32 `json:"ready"`
	// updated pods run the current pod template.
	// +required
	Updated int32 `json:"updated"`
	// available pods have been ready for minReadySeconds.
	// +required
	Available int32 `json:"available"`
}

// The name rule reports at .metadata: controller-gen resets the root
// metadata schema to a bare object, and a fieldPath must exist in the
// schema, so .metadata.name cannot be named.

// IngressGateway is an ingress controller fleet: its pods, configuration,
// Service, RBAC and IngressClass, kept correct by the Portico operator.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=igw,categories=portico
// +kubebuilder:printcolumn:name="Class",type=string,JSONPath=`.status.ingressClassName`
// +kubebuilder:printcolumn:name="Gateway-Class",type=string,JSONPath=`.status.gatewayClassName`
// +kubebuilder:printcolumn:name="Kind",type=string,JSONPath=`.spec.workload.kind`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.ready`
// +kubebuilder:printcolumn:name="Address",type=string,JSONPath=`.status.addresses[*]`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Driver",type=string,JSONPath=`.status.driver`,priority=1
// +kubebuilder:printcolumn:name="Image",type=string,JSONPath=`.status.image`,priority=1
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:validation:XValidation:rule="!has(self.spec.ingressClass) || !has(self.spec.ingressClass.aliases) || !((has(self.spec.ingressClass.name) ? self.spec.ingressClass.name : self.metadata.name) in self.spec.ingressClass.aliases)",message="ingressClass.aliases must not repeat the gateway's own IngressClass name (ingressClass.name, which defaults to metadata.name)",fieldPath=".spec.ingressClass.aliases"
// +kubebuilder:validation:XValidation:rule="(has(self.spec.ingressClass) && has(self.spec.ingressClass.name) ? self.spec.ingressClass.name : self.metadata.name) == (has(oldSelf.spec.ingressClass) && has(oldSelf.spec.ingressClass.name) ? oldSelf.spec.ingressClass.name : oldSelf.metadata.name)",message="ingressClass.name is immutable: Ingresses select the gateway by class name and would be orphaned; create a new IngressGateway for the new class, move the Ingresses, then delete this one",fieldPath=".spec.ingressClass.name"
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || !self.metadata.name.contains('.')",messageExpression="'metadata.name %s contains a dot: the name names the Services of the gateway, which must be DNS labels (letters, digits and -); choose a name without dots'.format([self.metadata.name])",fieldPath=".metadata",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 63",messageExpression="'metadata.name must be at most 63 characters, not %d: it names the IngressClass and labels every child; choose a shorter name'.format([self.metadata.name.size()])",fieldPath=".metadata"
type IngressGateway struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec describes the fleet.
	// +optional
	// +default={}
	Spec IngressGatewaySpec `json:"spec,omitzero"`

	// status is the observed state of the fleet.
	// +optional
	Status IngressGatewayStatus `json:"status,omitzero"`
}

// IngressGatewayList contains a list of IngressGateway.
// +kubebuilder:object:root=true
type IngressGatewayList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []IngressGateway `json:"items"`
}

func init() {
	SchemeBuilder.Register(&IngressGateway{}, &IngressGatewayList{})
}
