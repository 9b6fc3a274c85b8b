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
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IngressGatewayClassSpec is a cluster admin's decision about gateways:
// where they may live, which data plane they run and what a gateway author
// (who may hold only namespace rights) may turn on. Every capability is off
// unless the class turns it on.
// +kubebuilder:validation:XValidation:rule="!has(self.capabilities) || !has(self.capabilities.vip) || self.capabilities.vip.addressPools.size() > 0",message="capabilities.vip needs at least one addressPools entry: every gateway VIP must fall inside a pool"
type IngressGatewayClassSpec struct {
	// default makes this the class of gateways that set no
	// spec.gatewayClassName. At most one class is the default (the
	// operator's webhook refuses a second).
	// +optional
	Default bool `json:"default,omitempty"`

	// allowedNamespaces says in which namespaces gateways of this class may
	// exist. Empty allows none: a class allows every namespace only with
	// all: true.
	// +required
	AllowedNamespaces AllowedNamespaces `json:"allowedNamespaces,omitempty"`

	// dataPlane chooses the data plane and its images.
	// +optional
	// +default={}
	DataPlane DataPlaneSpec `json:"dataPlane,omitzero"`

	// capabilities lists what gateways of this class may use. Each is off
	// unless set here.
	// +optional
	Capabilities ClassCapabilities `json:"capabilities,omitzero"`

	// references says whether gateways may reference Secrets and Services in
	// other namespaces. Even when allowed, each cross-namespace reference
	// also needs an IngressGatewayGrant in the target namespace.
	// +optional
	References ClassReferences `json:"references,omitzero"`
}

// AllowedNamespaces selects namespaces by name and/or label: a namespace is
// allowed when it is named or matches the selector.
// +kubebuilder:validation:XValidation:rule="!has(self.selector) || (has(self.selector.matchLabels) && self.selector.matchLabels.size() > 0) || (has(self.selector.matchExpressions) && self.selector.matchExpressions.size() > 0)",message="allowedNamespaces.selector must not be empty (an empty selector matches every namespace); set allowedNamespaces.all: true to allow every namespace explicitly",fieldPath=".selector"
type AllowedNamespaces struct {
	// all allows every namespace, kube-system included.
	// +optional
	All bool `json:"all,omitempty"`

	// names lists allowed namespaces.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=256
	Names []string `json:"names,omitempty"`

	// selector allows namespaces whose labels match. Anyone who may label a
	// namespace can then place gateways in it: prefer names, or a label
	// only cluster admins set.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, e.operator in ['In', 'NotIn'] ? (has(e.values) && size(e.values) > 0) : (e.operator in ['Exists', 'DoesNotExist'] && (!has(e.values) || size(e.values) == 0)))",message="selector.matchExpressions: operator must be In or NotIn with values, or Exists or DoesNotExist without values"
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// DataPlaneDriver names the ingress controller a fleet runs.
// +kubebuilder:validation:Enum=ingress-nginx;traefik
type DataPlaneDriver string

const (
	// DriverIngressNGINX is ingress-nginx (retired upstream in March 2026;
	// last release v1.15.1).
	DriverIngressNGINX DataPlaneDriver = "ingress-nginx"
	// DriverTraefik is Traefik v3 with its kubernetesIngressNGINX provider,
	// which serves Ingresses written for ingress-nginx, annotations
	// included (docs/dataplanes.md lists what differs).
	DriverTraefik DataPlaneDriver = "traefik"
)

// DataPlaneScope is what the fleet's controller may read.
// +kubebuilder:validation:Enum=Cluster;GatewayNamespace
type DataPlaneScope string

const (
	// ScopeCluster means the controller watches Ingresses, Services and Secrets
	// in every namespace (upstream's default; a ClusterRoleBinding grants
	// cluster-wide Secret read).
	ScopeCluster DataPlaneScope = "Cluster"
	// ScopeGatewayNamespace means the controller watches only its gateway's
	// namespace (--watch-namespace); Secrets, Services and Ingresses are
	// read there only, through a RoleBinding.
	ScopeGatewayNamespace DataPlaneScope = "GatewayNamespace"
)

// DataPlaneSpec chooses the data plane.
type DataPlaneSpec struct {
	// driver is the ingress controller: ingress-nginx (retired upstream;
	// gateways report DataPlaneSupported False) or traefik. Changing it
	// rolls every gateway of the class onto the other data plane, node by
	// node; `portico migrate-check` says what changes for their Ingresses.
	// +optional
	// +default="ingress-nginx"
	Driver DataPlaneDriver `json:"driver,omitempty"`

	// image is the controller image of the driver, pinned by digest; empty
	// uses the operator's default for the driver (--default-controller-image
	// / RELATED_IMAGE_INGRESS_NGINX, --default-traefik-image /
	// RELATED_IMAGE_TRAEFIK).
	// +optional
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="self.matches('^[^@]+@sha256:[a-f0-9]{64}$')",message="dataPlane.image must be pinned by digest (name@sha256:<64 hex>)"
	Image string `json:"image,omitempty"`

	// keepalivedImage is the VIP sidecar's image, pinned by digest; empty
	// uses the operator's default (--default-keepalived-image).
	// +optional
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="self.matches('^[^@]+@sha256:[a-f0-9]{64}$')",message="dataPlane.keepalivedImage must be pinned by digest (name@sha256:<64 hex>)"
	KeepalivedImage string `json:"keepalivedImage,omitempty"`

	// allowedImages lists the images a gateway may set itself in
	// spec.controller.image or spec.vip.image, each pinned by digest.
	// Empty: gateways cannot choose images.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="self.all(i, i.matches('^[^@]+@sha256:[a-f0-9]{64}$'))",message="dataPlane.allowedImages entries must be pinned by digest (name@sha256:<64 hex>)"
	AllowedImages []string `json:"allowedImages,omitempty"`

	// scope is what the fleet's controller may read: Cluster (every
	// namespace, cluster-wide Secret read) or GatewayNamespace (only the
	// gateway's namespace; every reference must then be in it).
	// +optional
	// +default="Cluster"
	Scope DataPlaneScope `json:"scope,omitempty"`
}

// ClassCapabilities are the gateway fields that reach beyond the gateway's
// namespace; each is refused unless turned on here.
type ClassCapabilities struct {
	// hostNetwork lets gateways set spec.workload.hostNetwork: the data
	// plane then binds ports on every node it runs on.
	// +optional
	HostNetwork bool `json:"hostNetwork,omitempty"`

	// hostPorts lets gateways set spec.workload.hostPorts.
	// +optional
	HostPorts bool `json:"hostPorts,omitempty"`

	// vip lets gateways set spec.vip, with addresses inside these pools.
	// +optional
	VIP *VIPCapability `json:"vip,omitempty"`

	// defaultIngressClass lets gateways set spec.ingressClass.default: every
	// Ingress without a class in the cluster then goes to that gateway.
	// +optional
	DefaultIngressClass bool `json:"defaultIngressClass,omitempty"`

	// ingressClassAliases lets gateways set spec.ingressClass.aliases: each
	// alias claims one more IngressClass name cluster-wide, and with it
	// the Ingresses of every namespace that name that class.
	// +optional
	IngressClassAliases bool `json:"ingressClassAliases,omitempty"`

	// snippets lets gateways opt into snippets: spec.controller.
	// allowSnippetAnnotations, any *-snippet key in spec.controller.config
	// and annotations-risk-level Critical. Snippets run arbitrary nginx
	// configuration with the controller's rights.
	// +optional
	Snippets bool `json:"snippets,omitempty"`

	// extraArgs lists the controller flags (names without "--") gateways may
	// set in spec.controller.extraArgs. Empty: none.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	ExtraArgs []string `json:"extraArgs,omitempty"`

	// tolerations lists the tolerations gateways may set; a gateway's
	// toleration must equal one of them (key, operator, value, effect).
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// priorityClassNames lists the priority classes gateways may set.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	PriorityClassNames []string `json:"priorityClassNames,omitempty"`
}

// VIPCapability allows floating addresses inside admin-chosen ranges.
type VIPCapability struct {
	// addressPools are CIDRs every spec.vip.addresses entry must fall
	// inside, e.g. 192.168.10.0/28.
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.all(p, isCIDR(p))",message="addressPools are CIDRs such as 192.168.10.0/28"
	AddressPools []string `json:"addressPools,omitempty"`
}

// ClassReferences governs references to other namespaces.
type ClassReferences struct {
	// crossNamespace lets gateways reference Secrets and Services in other
	// namespaces; each such reference also needs an IngressGatewayGrant in
	// the target namespace.
	// +optional
	CrossNamespace bool `json:"crossNamespace,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster,shortName=igwc,categories=portico
// +kubebuilder:printcolumn:name="Default",type=boolean,JSONPath=`.spec.default`
// +kubebuilder:printcolumn:name="Driver",type=string,JSONPath=`.spec.dataPlane.driver`
// +kubebuilder:printcolumn:name="Scope",type=string,JSONPath=`.spec.dataPlane.scope`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// IngressGatewayClass is a cluster admin's policy for IngressGateways:
// where they may live and what they may do. IngressGateways name one in
// spec.gatewayClassName, or get the default class.
type IngressGatewayClass struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`
	// spec is the admin's policy.
	// +required
	Spec IngressGatewayClassSpec `json:"spec,omitzero"`
}

// +kubebuilder:object:root=true

// IngressGatewayClassList is a list of IngressGatewayClasses.
type IngressGatewayClassList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []IngressGatewayClass `json:"items"`
}

// GrantKind is a kind a gateway may reference across namespaces.
// +kubebuilder:validation:Enum=Secret;Service
type GrantKind string

// IngressGatewayGrantSpec is a namespace's consent to be referenced by
// gateways of other namespaces.
type IngressGatewayGrantSpec struct {
	// from lists the namespaces whose gateways may reference objects here.
	// +required
	// +listType=atomic
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	From []GrantFrom `json:"from,omitempty"`

	// to lists what they may reference.
	// +required
	// +listType=atomic
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	To []GrantTo `json:"to,omitempty"`
}

// GrantFrom names a namespace of referencing gateways.
type GrantFrom struct {
	// namespace of the gateways.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}

// GrantTo names referenced objects.
type GrantTo struct {
	// kind is Secret or Service.
	// +required
	Kind GrantKind `json:"kind,omitempty"`
	// name limits the grant to one object; empty grants every object of
	// the kind in this namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=igwgrant,categories=portico

// IngressGatewayGrant lets IngressGateways in other namespaces reference
// Secrets or Services in its namespace (the idea of Gateway API's
// ReferenceGrant). Whoever may create it in a namespace may hand out that
// namespace's Secrets: the grant is the target namespace's consent.
type IngressGatewayGrant struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`
	// spec lists who may reference what.
	// +required
	Spec IngressGatewayGrantSpec `json:"spec,omitzero"`
}

// +kubebuilder:object:root=true

// IngressGatewayGrantList is a list of IngressGatewayGrants.
type IngressGatewayGrantList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []IngressGatewayGrant `json:"items"`
}

func init() {
	SchemeBuilder.Register(&IngressGatewayClass{}, &IngressGatewayClassList{}, &IngressGatewayGrant{}, &IngressGatewayGrantList{})
}
