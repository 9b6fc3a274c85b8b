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

// Package render turns an IngressGateway into the objects its fleet needs.
// Everything here is pure: no client calls, no clock, no randomness, so the
// same gateway always renders byte-identical objects (golden tests pin them)
// and the operator and the CLI share one implementation.
package render

import (
	"fmt"
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// DefaultControllerImage is the ingress-nginx controller image used when
// neither the gateway nor the operator's configuration names one. Upstream
// was retired in March 2026; v1.15.1 is its last release.
const DefaultControllerImage = "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1"

// DefaultTraefikImage is the Traefik image used when neither the gateway,
// its class nor the operator's configuration names one: v3.7.13, pinned by
// the digest five independent public manifests agree on. It was not pulled
// here (no container engine on the build machine); docs/dataplanes.md
// lists the facts about it Portico relies on.
const DefaultTraefikImage = "docker.io/traefik:v3.7.13@sha256:24841fe2de7304c149343d877d2923b4c8800a38ba015dea9174c23b20e344a0"

// Default names of the ClusterRoles shipped in config/dataplane-rbac. The
// operator binds them per gateway, so it needs only the bind verb on them.
const (
	DefaultClusterRole           = "portico-ingress-nginx"
	DefaultNamespacedClusterRole = "portico-ingress-nginx-namespaced"
	// DefaultScopedClusterRole holds what a fleet of scope GatewayNamespace
	// still needs cluster-wide: IngressClasses and Nodes, no Secrets.
	DefaultScopedClusterRole = "portico-ingress-nginx-scoped"

	// The traefik driver's ClusterRoles: Traefik's documented RBAC for its
	// kubernetesIngressNGINX provider, cluster-wide, in one namespace, and
	// what a namespace-scoped fleet still needs cluster-wide.
	DefaultTraefikClusterRole           = "portico-traefik"
	DefaultTraefikNamespacedClusterRole = "portico-traefik-namespaced"
	DefaultTraefikScopedClusterRole     = "portico-traefik-scoped"
)

// Config is the operator-level input to rendering. Builders read it and
// never read flags or the environment themselves.
type Config struct {
	// ControllerImage is used when spec.controller.image is empty.
	ControllerImage string
	// ClusterRole holds the controller's cluster-wide permissions.
	ClusterRole string
	// NamespacedClusterRole holds the controller's permissions in its own
	// namespace; it is bound with a RoleBinding.
	NamespacedClusterRole string
	// KeepalivedImage is used when spec.vip.image is empty.
	KeepalivedImage string
	// ScopedClusterRole is bound instead of ClusterRole when Scope is
	// GatewayNamespace.
	ScopedClusterRole string
	// Scope is what the controller reads (the gateway class decides):
	// Cluster, or only the gateway's namespace (--watch-namespace). Empty
	// means Cluster.
	Scope v1alpha1.DataPlaneScope
	// Driver is the data plane (the gateway class decides); empty means
	// ingress-nginx.
	Driver v1alpha1.DataPlaneDriver
	// TraefikImage is the traefik driver's ControllerImage.
	TraefikImage string
	// TraefikClusterRole, TraefikNamespacedClusterRole and
	// TraefikScopedClusterRole are the traefik driver's ClusterRole,
	// NamespacedClusterRole and ScopedClusterRole.
	TraefikClusterRole           string
	TraefikNamespacedClusterRole string
	TraefikScopedClusterRole     string
}

// ForClass returns cfg with the data-plane decisions of class applied:
// its images (when set) and its scope.
func (cfg Config) ForClass(class *v1alpha1.IngressGatewayClass) Config {
	if class == nil {
		return cfg
	}
	dp := class.Spec.DataPlane
	cfg.Driver = dp.Driver
	if cfg.traefik() {
		// Every driver-dependent setting switches here, once.
		cfg.ControllerImage = cfg.TraefikImage
		cfg.ClusterRole = cfg.TraefikClusterRole
		cfg.NamespacedClusterRole = cfg.TraefikNamespacedClusterRole
		cfg.ScopedClusterRole = cfg.TraefikScopedClusterRole
	}
	if dp.Image != "" {
		cfg.ControllerImage = dp.Image
	}
	if dp.KeepalivedImage != "" {
		cfg.KeepalivedImage = dp.KeepalivedImage
	}
	cfg.Scope = dp.Scope
	return cfg
}

// traefik reports whether the fleet runs the traefik driver.
func (cfg Config) traefik() bool { return cfg.Driver == v1alpha1.DriverTraefik }

// namespaceScoped reports whether the fleet reads only its own namespace.
func (cfg Config) namespaceScoped() bool { return cfg.Scope == v1alpha1.ScopeGatewayNamespace }

// DefaultConfig returns the configuration used when the operator is started
// without flags.
func DefaultConfig() Config {
	return Config{
		ControllerImage:       DefaultControllerImage,
		ClusterRole:           DefaultClusterRole,
		NamespacedClusterRole: DefaultNamespacedClusterRole,
		ScopedClusterRole:     DefaultScopedClusterRole,

		TraefikImage:                 DefaultTraefikImage,
		TraefikClusterRole:           DefaultTraefikClusterRole,
		TraefikNamespacedClusterRole: DefaultTraefikNamespacedClusterRole,
		TraefikScopedClusterRole:     DefaultTraefikScopedClusterRole,
	}
}

// DriverName returns the data plane cfg renders for.
func (cfg Config) DriverName() v1alpha1.DataPlaneDriver {
	if cfg.Driver == "" {
		return v1alpha1.DriverIngressNGINX
	}
	return cfg.Driver
}

// Result is the rendering of one gateway.
type Result struct {
	// Objects are the children in apply order: identity and RBAC first,
	// then configuration, Service, workload and finally the IngressClass
	// (so Ingresses are routed only once a controller can claim them).
	Objects []client.Object
	// Image is the controller image in use.
	Image string
	// IngressClassName and ControllerClass identify the class.
	IngressClassName string
	ControllerClass  string
	// ServiceType is the effective Service type.
	ServiceType v1alpha1.ServiceType
	// WorkloadKind is the effective workload kind.
	WorkloadKind v1alpha1.WorkloadKind
}

// Inputs are the values the operator resolves from the cluster before
// rendering. Rendering offline leaves them empty and gets placeholders.
type Inputs struct {
	// Webhook is the admission webhook's certificate material; nil renders
	// placeholders.
	Webhook *WebhookPKI
	// VIP is the allocated router ID and the fleet's node addresses; nil
	// renders spec.vip.virtualRouterID (or 1) and no peers.
	VIP *VIPInputs
	// BackendPorts resolves the named ports of tcp/udp backends (key
	// BackendPortKey) for the traefik driver, whose servers are addresses;
	// an entry whose port cannot be resolved is left out until it can.
	BackendPorts map[string]int32
	// DefaultCertificateUnusable is set when spec.defaultCertificate's
	// Secret is missing or holds no usable key pair: the traefik driver's
	// dynamic configuration then leaves it out (Traefik would otherwise
	// have no default certificate at all) and Traefik serves its own, as
	// ingress-nginx serves its fake one; DefaultCertificateReady says why.
	// The pod template does not depend on it, so no pod restarts.
	DefaultCertificateUnusable bool
}

// Render returns every object gw's fleet needs, with placeholders for the
// values only the cluster supplies (see RenderWith).
func Render(gw *v1alpha1.IngressGateway, cfg Config) (*Result, error) {
	return RenderWith(gw, cfg, Inputs{})
}

// RenderWith returns every object gw's fleet needs. gw must carry its API
// defaults (as read from the API server); an error means the spec cannot be
// rendered and nothing should be applied.
func RenderWith(gw *v1alpha1.IngressGateway, cfg Config, in Inputs) (*Result, error) { //nolint:revive // pairs with Render; render.With would read worse

	if gw.Name == "" || gw.Namespace == "" {
		return nil, fmt.Errorf("gateway must have a name and a namespace")
	}
	r := &Result{
		Image:            image(gw, cfg),
		IngressClassName: IngressClassName(gw),
		ControllerClass:  ControllerClass(gw),
		ServiceType:      EffectiveServiceType(gw),
		WorkloadKind:     workloadKind(gw),
	}
	if r.Image == "" {
		return nil, fmt.Errorf("spec.controller.image: Required value: no image given and the operator has no default image")
	}
	if cfg.traefik() {
		return renderTraefik(gw, cfg, in, r)
	}
	tcp, err := TCPConfigMap(gw)
	if err != nil {
		return nil, err
	}
	udp, err := UDPConfigMap(gw)
	if err != nil {
		return nil, err
	}
	r.Objects = append(r.Objects,
		ServiceAccount(gw),
		LeaderElectionRole(gw),
		LeaderElectionRoleBinding(gw),
		RoleBinding(gw, cfg),
		ClusterRoleBinding(gw, cfg),
		MainConfigMap(gw),
		tcp,
		udp,
	)
	pki := in.Webhook
	if pki == nil {
		pki = placeholderPKI()
	}
	kaImage, vipObjects, err := vipChildren(gw, cfg, in)
	if err != nil {
		return nil, err
	}
	r.Objects = append(r.Objects, vipObjects...)
	// The webhook's Secrets come before the workload (its pods mount the
	// serving Secret) and its registration comes last, once a pod can
	// answer: registering a Fail-policy webhook with no server behind it
	// would block the class's Ingresses for nothing.
	r.Objects = appendNonNil(r.Objects, WebhookCASecret(gw, pki), WebhookCertSecret(gw, pki))
	if svc := Service(gw); svc != nil {
		r.Objects = append(r.Objects, svc)
	}
	r.Objects = appendNonNil(r.Objects, WebhookService(gw))
	r.Objects = append(r.Objects, workloadWith(gw, r.Image, kaImage, cfg.namespaceScoped()))
	r.Objects = appendNonNil(r.Objects, PodDisruptionBudget(gw))
	r.Objects = appendNonNil(r.Objects, IngressClasses(gw)...)
	r.Objects = appendNonNil(r.Objects, ValidatingWebhookConfiguration(gw, pki))
	return r, nil
}

// vipChildren returns the keepalived image and the VIP's ConfigMap and
// Lease, or nothing without spec.vip.
func vipChildren(gw *v1alpha1.IngressGateway, cfg Config, in Inputs) (string, []client.Object, error) {
	if gw.Spec.VIP == nil {
		return "", nil, nil
	}
	kaImage := keepalivedImage(gw, cfg)
	if kaImage == "" {
		return "", nil, fmt.Errorf("spec.vip.image: Required value: no keepalived image given and the operator has no default (--default-keepalived-image or RELATED_IMAGE_KEEPALIVED); set one, pinned by digest")
	}
	vip := in.VIP
	if vip == nil {
		vip = placeholderVIP(gw)
	}
	kaConfig, err := KeepalivedConfigMap(gw, vip, cfg)
	if err != nil {
		return "", nil, err
	}
	return kaImage, []client.Object{kaConfig, VIPLease(gw)}, nil
}

// image returns the controller image: the gateway's, else the operator's default.
func image(gw *v1alpha1.IngressGateway, cfg Config) string {
	if gw.Spec.Controller.Image != "" {
		return gw.Spec.Controller.Image
	}
	return cfg.ControllerImage
}

func workloadKind(gw *v1alpha1.IngressGateway) v1alpha1.WorkloadKind {
	if gw.Spec.Workload.Kind == "" {
		return v1alpha1.WorkloadDaemonSet
	}
	return gw.Spec.Workload.Kind
}

// EffectiveServiceType returns spec.service.type, defaulting to None on the
// host network and to LoadBalancer otherwise.
func EffectiveServiceType(gw *v1alpha1.IngressGateway) v1alpha1.ServiceType {
	if gw.Spec.Service.Type != "" {
		return gw.Spec.Service.Type
	}
	if gw.Spec.Workload.HostNetwork {
		return v1alpha1.ServiceTypeNone
	}
	return v1alpha1.ServiceTypeLoadBalancer
}

// objectMeta returns the metadata every namespaced child carries, including
// the controller owner reference that lets the garbage collector remove it
// with the gateway.
func objectMeta(gw *v1alpha1.IngressGateway, name string) metav1.ObjectMeta {
	labels := Labels(gw)
	// Not on pods (Labels): the API server's policy checks only what the
	// operator writes, and a new pod label would roll every fleet.
	labels[ShardLabel] = Shard(gw)
	return metav1.ObjectMeta{
		Name:            name,
		Namespace:       gw.Namespace,
		Labels:          labels,
		OwnerReferences: []metav1.OwnerReference{OwnerReference(gw)},
	}
}

// clusterObjectMeta returns the metadata of a cluster-scoped child. It cannot
// carry an owner reference to a namespaced gateway; the gateway labels tie it
// to its gateway and a finalizer removes it.
func clusterObjectMeta(gw *v1alpha1.IngressGateway, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: Labels(gw), Annotations: map[string]string{GatewayUIDAnnotation: string(gw.UID)}}
}

// OwnerReference returns the controller reference to gw.
func OwnerReference(gw *v1alpha1.IngressGateway) metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion:         v1alpha1.GroupVersion.String(),
		Kind:               "IngressGateway",
		Name:               gw.Name,
		UID:                gw.UID,
		Controller:         ptr.To(true),
		BlockOwnerDeletion: ptr.To(true),
	}
}

// appendNonNil appends the objects that are wanted: builders return a typed
// nil for a kind the gateway does not need.
func appendNonNil[T client.Object](out []client.Object, objs ...T) []client.Object {
	for _, o := range objs {
		if !reflect.ValueOf(o).IsNil() {
			out = append(out, o)
		}
	}
	return out
}
