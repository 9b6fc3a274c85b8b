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
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// This file is the traefik driver: Traefik v3 with its kubernetesIngressNGINX
// provider, which serves the gateway's IngressClasses (the same controller
// value as ingress-nginx's --controller-class, so a switch leaves every
// IngressClass and Ingress as it is). The same IngressGateway fields mean
// the same things; docs/dataplanes.md lists each fact about Traefik used
// here with its source, and internal/traefikcontract's tests check every
// flag and dynamic-configuration field against Traefik's own types.

// Traefik entry point names. web and websecure are the names Traefik's own
// documentation uses; traefik is its default name for the entry point of
// ping and metrics.
const (
	traefikWeb        = "web"
	traefikWebsecure  = "websecure"
	traefikInternal   = "traefik"
	traefikPingPath   = "/ping"
	traefikDynamicDir = "/etc/traefik/dynamic"
	// traefikDynamicKey is the dynamic configuration's file: the file
	// provider loads only .yml, .yaml and .toml files from its directory.
	traefikDynamicKey = "dynamic.yaml"
	// traefikConfigDir is the subdirectory of the projected volume the
	// files go to. The file provider recurses into real directories, not
	// symlinked ones: the kubelet's symlink config/ is skipped and the
	// file is read once, from the kubelet's current data directory (with
	// dynamic.yaml at the top it would be read twice). Any change of the
	// volume is an event in the watched directory and reloads.
	traefikConfigDir = "config"
	// traefikTLSDir holds the default certificate next to the dynamic
	// configuration, where the file provider skips it (no config
	// extension) but a renewal reloads it without a restart.
	traefikTLSDir          = traefikConfigDir + "/tls"
	traefikDynamicVolume   = "dynamic-config"
	traefikTmpVolume       = "tmp"
	traefikContainerUser   = 65532
	traefikAcceptGraceTime = "5s"
	traefikUDPGraceTime    = "5s"
)

// TraefikEntryPoint names the entry point of a tcp or udp entry.
func TraefikEntryPoint(proto corev1.Protocol, port int32) string {
	return streamPortName(strings.ToLower(string(proto)), port)
}

// renderTraefik renders the traefik driver's children in the same order as
// the ingress-nginx driver's: identity and RBAC, configuration, VIP,
// Service, workload, budget, IngressClasses. There is no admission webhook
// (Traefik has none), no leader election (every pod writes Ingress status
// the same way) and no tcp/udp-services ConfigMap: tcp/udp routing is the
// dynamic configuration.
func renderTraefik(gw *v1alpha1.IngressGateway, cfg Config, in Inputs, r *Result) (*Result, error) {
	dyn, err := TraefikDynamicConfigMap(gw, in)
	if err != nil {
		return nil, err
	}
	r.Objects = append(r.Objects, ServiceAccount(gw))
	if cfg.namespaceScoped() {
		r.Objects = append(r.Objects, RoleBinding(gw, cfg))
	}
	r.Objects = append(r.Objects, ClusterRoleBinding(gw, cfg), dyn)
	kaImage, vipObjects, err := vipChildren(gw, cfg, in)
	if err != nil {
		return nil, err
	}
	r.Objects = append(r.Objects, vipObjects...)
	if svc := Service(gw); svc != nil {
		r.Objects = append(r.Objects, svc)
	}
	args, err := TraefikArgs(gw, cfg)
	if err != nil {
		return nil, err
	}
	r.Objects = append(r.Objects, traefikWorkload(gw, r.Image, kaImage, args))
	r.Objects = appendNonNil(r.Objects, PodDisruptionBudget(gw))
	r.Objects = appendNonNil(r.Objects, IngressClasses(gw)...)
	return r, nil
}

// TraefikArgs returns Traefik's static configuration as flags, in a fixed
// order. Entry points are static in Traefik: a tcp/udp port added or
// removed changes these flags and so replaces the pods, which the operator
// announces (ingress-nginx reloads such a change without a restart).
func TraefikArgs(gw *v1alpha1.IngressGateway, cfg Config) ([]string, error) {
	p := gw.Spec.Ports
	prov := "--providers.kubernetesIngressNGINX"
	grace := ptr.Deref(gw.Spec.Workload.TerminationGracePeriodSeconds, 300)
	args := []string{
		"--global.checkNewVersion=false",
		"--global.sendAnonymousUsage=false",
	}
	entry := func(name, address string, lifecycle bool) {
		args = append(args, fmt.Sprintf("--entryPoints.%s.address=%s", name, address))
		switch {
		case lifecycle:
			// Keep accepting for a moment after SIGTERM: a VIP's keepalived
			// (stopped at the same time) hands the address to another node
			// first, and endpoints and load balancers drop the pod.
			args = append(args,
				fmt.Sprintf("--entryPoints.%s.transport.lifeCycle.requestAcceptGraceTimeout=%s", name, traefikAcceptGraceTime),
				fmt.Sprintf("--entryPoints.%s.transport.lifeCycle.graceTimeOut=%ds", name, traefikGraceSeconds(grace)))
		case strings.HasSuffix(address, "/udp"):
			// UDP entry points drain after every TCP one: keep theirs short
			// so the whole shutdown fits terminationGracePeriodSeconds.
			args = append(args, fmt.Sprintf("--entryPoints.%s.transport.lifeCycle.graceTimeOut=%s", name, traefikUDPGraceTime))
		}
	}
	entry(traefikWeb, fmt.Sprintf(":%d/tcp", p.HTTP), true)
	entry(traefikWebsecure, fmt.Sprintf(":%d/tcp", p.HTTPS), true)
	entry(traefikInternal, fmt.Sprintf(":%d/tcp", p.Healthz), false)
	for _, e := range gw.Spec.TCP {
		name := TraefikEntryPoint(corev1.ProtocolTCP, e.Port)
		entry(name, fmt.Sprintf(":%d/tcp", e.Port), true)
		if e.ProxyProtocol != nil && e.ProxyProtocol.Decode {
			// ingress-nginx accepts the PROXY header from any client on
			// such a port; insecure is Traefik's way to say the same.
			args = append(args, fmt.Sprintf("--entryPoints.%s.proxyProtocol.insecure=true", name))
		}
	}
	for _, e := range gw.Spec.UDP {
		entry(TraefikEntryPoint(corev1.ProtocolUDP, e.Port), fmt.Sprintf(":%d/udp", e.Port), false)
	}
	args = append(args,
		"--ping=true",
		"--ping.entryPoint="+traefikInternal,
		"--metrics.prometheus=true",
		"--metrics.prometheus.entryPoint="+traefikInternal,
		"--providers.file.directory="+traefikDynamicDir,
		"--providers.file.watch=true",
		prov+"=true",
		prov+".ingressClass="+IngressClassName(gw),
		prov+".controllerClass="+ControllerClass(gw),
		prov+".httpEntryPoint="+traefikWeb,
		prov+".httpsEntryPoint="+traefikWebsecure,
	)
	args = append(args, traefikPublishArgs(gw, prov)...)
	if key, ok := facts.DefaultBackendKey(gw); ok {
		args = append(args, prov+".defaultBackendService="+key.String())
	}
	if traefikWatchesWithoutClass(gw) {
		args = append(args, prov+".watchIngressWithoutClass=true")
	}
	if cfg.namespaceScoped() {
		args = append(args, prov+".watchNamespace="+gw.Namespace)
	}
	if gw.Spec.Controller.AllowSnippetAnnotations {
		args = append(args, prov+".allowSnippetAnnotations=true")
	}
	options, err := facts.TraefikProviderOptions(gw)
	if err != nil {
		return nil, err
	}
	for _, o := range options {
		if o.EntryPoint {
			args = append(args,
				"--entryPoints."+traefikWeb+"."+o.Option+"="+o.Value,
				"--entryPoints."+traefikWebsecure+"."+o.Option+"="+o.Value)
			continue
		}
		args = append(args, prov+"."+o.Option+"="+o.Value)
	}
	if lv := gw.Spec.Controller.LogLevel; lv != nil {
		args = append(args, "--log.level="+traefikLogLevel(*lv))
	}
	return args, nil
}

// traefikGraceSeconds is the TCP entry points' deadline for in-flight
// requests: after the 5 s of accepting, before the 5 s of UDP draining,
// and 5 s before the kubelet's SIGKILL.
func traefikGraceSeconds(grace int64) int64 {
	return max(grace-20, 1)
}

// traefikLogLevel maps the klog verbosity of spec.controller.logLevel onto
// Traefik's levels: 0 ERROR, 1 WARN, 2-3 INFO (ingress-nginx's default is
// 2), 4-5 DEBUG, 6 and up TRACE.
func traefikLogLevel(v int32) string {
	switch {
	case v <= 0:
		return "ERROR"
	case v == 1:
		return "WARN"
	case v <= 3:
		return "INFO"
	case v <= 5:
		return "DEBUG"
	}
	return "TRACE"
}

// traefikWatchesWithoutClass reports whether the fleet also serves
// Ingresses that name no class: when the gateway's IngressClass is the
// cluster default, or with ingress-nginx's watch-ingress-without-class
// (the one extraArgs key the traefik driver translates).
func traefikWatchesWithoutClass(gw *v1alpha1.IngressGateway) bool {
	return gw.Spec.IngressClass.Default || gw.Spec.Controller.ExtraArgs[facts.WatchWithoutClassFlag] == "true"
}

// traefikPublishArgs chooses the address Traefik writes into Ingress status,
// as publishArgs does for ingress-nginx. Traefik cannot publish its nodes'
// addresses (its provider has no report-node-internal-ip-address), so a
// fleet reached at its nodes publishes nothing; status.addresses still
// lists them, and spec.statusAddresses sets what Ingresses show.
func traefikPublishArgs(gw *v1alpha1.IngressGateway, prov string) []string {
	if len(gw.Spec.StatusAddresses) > 0 {
		return []string{prov + ".publishStatusAddress=" + strings.Join(gw.Spec.StatusAddresses, ",")}
	}
	if gw.Spec.VIP != nil {
		return []string{prov + ".publishStatusAddress=" + strings.Join(VIPAddresses(gw), ",")}
	}
	switch EffectiveServiceType(gw) {
	case v1alpha1.ServiceTypeClusterIP, v1alpha1.ServiceTypeLoadBalancer:
		return []string{prov + ".publishService=" + gw.Namespace + "/" + ServiceName(gw).Name}
	}
	return nil
}

// BackendPortKey keys Inputs.BackendPorts: the Service and the port name.
func BackendPortKey(namespace, name, port string) string {
	return namespace + "/" + name + ":" + port
}

type traefikRouting struct {
	Routers  map[string]traefikRouter  `json:"routers"`
	Services map[string]traefikService `json:"services"`
}

type traefikRouter struct {
	EntryPoints []string `json:"entryPoints"`
	Rule        string   `json:"rule,omitempty"`
	Service     string   `json:"service"`
}

type traefikService struct {
	LoadBalancer traefikLoadBalancer `json:"loadBalancer"`
}

type traefikLoadBalancer struct {
	Servers          []traefikServer `json:"servers"`
	ServersTransport string          `json:"serversTransport,omitempty"`
}

type traefikServer struct {
	Address string `json:"address"`
}

type traefikTLS struct {
	Stores map[string]traefikStore `json:"stores"`
}

type traefikStore struct {
	DefaultCertificate traefikCertificate `json:"defaultCertificate"`
}

type traefikCertificate struct {
	CertFile string `json:"certFile"`
	KeyFile  string `json:"keyFile"`
}

// traefikTransport is a TCP servers transport: Traefik v3 configures the
// PROXY protocol towards backends on one.
type traefikTransport struct {
	ProxyProtocol traefikProxyProtocol `json:"proxyProtocol"`
}

type traefikProxyProtocol struct {
	Version int `json:"version"`
}

// proxyTransport is the servers transport of entries that send the PROXY
// protocol to their backend (version 1, as ingress-nginx's proxy_protocol
// on an upstream sends).
const proxyTransport = "portico-proxy-protocol-v1"

// TraefikDynamic returns the dynamic configuration document: a TCP and a
// UDP router per entry on its own entry point, each to a service whose one
// server is the backend Service's cluster address, and the default
// certificate. Traefik reloads it on change, so a backend or certificate
// change restarts nothing.
func TraefikDynamic(gw *v1alpha1.IngressGateway, in Inputs) ([]byte, error) {
	doc := map[string]any{}
	var pending []string
	tcp := &traefikRouting{Routers: map[string]traefikRouter{}, Services: map[string]traefikService{}}
	needProxyTransport := false
	for i, e := range gw.Spec.TCP {
		addr, ok, err := backendAddress(gw, e.Backend, in)
		if err != nil {
			return nil, fmt.Errorf("spec.tcp[%d].backend: %w", i, err)
		}
		if !ok {
			pending = append(pending, fmt.Sprintf("spec.tcp[%d]", i))
			continue
		}
		name := TraefikEntryPoint(corev1.ProtocolTCP, e.Port)
		// HostSNI(`*`) is how a Traefik TCP router takes every
		// connection of its entry point, TLS or not, unread.
		tcp.Routers[name] = traefikRouter{EntryPoints: []string{name}, Rule: "HostSNI(`*`)", Service: name}
		lb := traefikLoadBalancer{Servers: []traefikServer{{Address: addr}}}
		if e.ProxyProtocol != nil && e.ProxyProtocol.Encode {
			lb.ServersTransport = proxyTransport
			needProxyTransport = true
		}
		tcp.Services[name] = traefikService{LoadBalancer: lb}
	}
	tcpDoc := map[string]any{}
	if len(tcp.Routers) > 0 {
		tcpDoc["routers"] = tcp.Routers
		tcpDoc["services"] = tcp.Services
	}
	if needProxyTransport {
		tcpDoc["serversTransports"] = map[string]traefikTransport{
			proxyTransport: {ProxyProtocol: traefikProxyProtocol{Version: 1}},
		}
	}
	if len(tcpDoc) > 0 {
		doc["tcp"] = tcpDoc
	}
	udp := &traefikRouting{Routers: map[string]traefikRouter{}, Services: map[string]traefikService{}}
	for i, e := range gw.Spec.UDP {
		addr, ok, err := backendAddress(gw, e.Backend, in)
		if err != nil {
			return nil, fmt.Errorf("spec.udp[%d].backend: %w", i, err)
		}
		if !ok {
			pending = append(pending, fmt.Sprintf("spec.udp[%d]", i))
			continue
		}
		name := TraefikEntryPoint(corev1.ProtocolUDP, e.Port)
		udp.Routers[name] = traefikRouter{EntryPoints: []string{name}, Service: name}
		udp.Services[name] = traefikService{LoadBalancer: traefikLoadBalancer{Servers: []traefikServer{{Address: addr}}}}
	}
	if len(udp.Routers) > 0 {
		doc["udp"] = udp
	}
	if _, ok := facts.DefaultCertificateKey(gw); ok && !in.DefaultCertificateUnusable {
		dir := traefikDynamicDir + "/" + traefikTLSDir + "/"
		doc["tls"] = traefikTLS{Stores: map[string]traefikStore{"default": {DefaultCertificate: traefikCertificate{
			CertFile: dir + corev1.TLSCertKey, KeyFile: dir + corev1.TLSPrivateKeyKey,
		}}}}
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	head := "# Rendered by Portico from the IngressGateway; edits are reverted.\n"
	if len(pending) > 0 {
		head += "# Not routed yet: " + strings.Join(pending, ", ") + " refer to a Service port by name, not yet resolved to its number (the operator resolves it from the Service).\n"
	}
	return append([]byte(head), out...), nil
}

// backendAddress returns host:port of a tcp/udp backend: the Service's
// cluster DNS name and its port number (a port name resolved through
// in.BackendPorts; false while it cannot be).
func backendAddress(gw *v1alpha1.IngressGateway, b v1alpha1.Backend, in Inputs) (string, bool, error) {
	key := facts.BackendKey(gw, b)
	host := key.Name + "." + key.Namespace + ".svc"
	if n, err := strconv.Atoi(b.Port.String()); err == nil {
		if n < 1 || n > 65535 {
			return "", false, fmt.Errorf("port: Invalid value: %d: must be between 1 and 65535", n)
		}
		return host + ":" + strconv.Itoa(n), true, nil
	}
	n, ok := in.BackendPorts[BackendPortKey(key.Namespace, key.Name, b.Port.StrVal)]
	if !ok {
		return "", false, nil
	}
	return host + ":" + strconv.Itoa(int(n)), true, nil
}

// traefikWorkload returns the DaemonSet or Deployment running Traefik, with
// the same placement, rollout and VIP sidecar as the ingress-nginx driver's:
// only the controller container and its volumes differ, so switching
// drivers rolls the fleet like any template change (node by node, never
// two pods on one node's ports).
func traefikWorkload(gw *v1alpha1.IngressGateway, image, keepalivedImage string, args []string) client.Object {
	var o client.Object
	var spec *corev1.PodTemplateSpec
	if workloadKind(gw) == v1alpha1.WorkloadDeployment {
		d := Deployment(gw, image)
		o, spec = d, &d.Spec.Template
	} else {
		ds := DaemonSet(gw, image)
		o, spec = ds, &ds.Spec.Template
	}
	spec.Labels[appNameLabel] = string(v1alpha1.DriverTraefik)
	spec.Spec.Containers = []corev1.Container{traefikContainer(gw, image, args)}
	spec.Spec.Volumes = traefikVolumes(gw)
	addKeepalived(gw, &spec.Spec, keepalivedImage)
	return o
}

// traefikContainer returns the Traefik container. The official image runs
// as root by default; Portico runs it as a non-root user unless a port
// below 1024 must be bound. An added capability reaches only root's
// effective set (Kubernetes has no ambient capabilities), so then it runs
// as root with every capability dropped but NET_BIND_SERVICE, no privilege
// escalation and a read-only root filesystem.
func traefikContainer(gw *v1alpha1.IngressGateway, image string, args []string) corev1.Container {
	p := gw.Spec.Ports
	resources := corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("100m"),
		corev1.ResourceMemory: resource.MustParse("50Mi"),
	}}
	if gw.Spec.Controller.Resources != nil {
		resources = *gw.Spec.Controller.Resources.DeepCopy()
	}
	probe := func(failureThreshold int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: traefikPingPath, Port: intstr.FromInt32(p.Healthz), Scheme: corev1.URISchemeHTTP,
			}},
			InitialDelaySeconds: 2, PeriodSeconds: 10, TimeoutSeconds: 2,
			SuccessThreshold: 1, FailureThreshold: failureThreshold,
		}
	}
	sc := &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		ReadOnlyRootFilesystem:   ptr.To(true),
		RunAsNonRoot:             ptr.To(true),
		RunAsUser:                ptr.To[int64](traefikContainerUser),
		RunAsGroup:               ptr.To[int64](traefikContainerUser),
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	if traefikBindsPrivilegedPort(gw) {
		sc.Capabilities.Add = []corev1.Capability{"NET_BIND_SERVICE"}
		sc.RunAsNonRoot = ptr.To(false)
		sc.RunAsUser = ptr.To[int64](0)
		sc.RunAsGroup = ptr.To[int64](0)
	}
	return corev1.Container{
		Name:            ControllerContainerName,
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Args:            args,
		Ports:           containerPorts(gw),
		VolumeMounts: []corev1.VolumeMount{
			{Name: traefikDynamicVolume, MountPath: traefikDynamicDir, ReadOnly: true},
			{Name: traefikTmpVolume, MountPath: "/tmp"},
		},
		LivenessProbe:   probe(5),
		ReadinessProbe:  probe(3),
		Resources:       resources,
		SecurityContext: sc,
	}
}

// traefikBindsPrivilegedPort reports whether Traefik listens below 1024.
func traefikBindsPrivilegedPort(gw *v1alpha1.IngressGateway) bool {
	ports := []int32{gw.Spec.Ports.HTTP, gw.Spec.Ports.HTTPS, gw.Spec.Ports.Healthz}
	for _, e := range gw.Spec.TCP {
		ports = append(ports, e.Port)
	}
	for _, e := range gw.Spec.UDP {
		ports = append(ports, e.Port)
	}
	return slices.ContainsFunc(ports, func(p int32) bool { return p < 1024 })
}

// traefikVolumes returns the dynamic configuration directory (the
// ConfigMap and, when set, the default certificate's Secret, projected into
// one directory so one watch sees both) and a scratch /tmp.
func traefikVolumes(gw *v1alpha1.IngressGateway) []corev1.Volume {
	sources := []corev1.VolumeProjection{{ConfigMap: &corev1.ConfigMapProjection{
		LocalObjectReference: corev1.LocalObjectReference{Name: TraefikConfigMapName(gw).Name},
		Items:                []corev1.KeyToPath{{Key: traefikDynamicKey, Path: traefikConfigDir + "/" + traefikDynamicKey}},
	}}}
	if key, ok := facts.DefaultCertificateKey(gw); ok {
		// Always projected, and optional: a Secret missing at first or
		// deleted later neither stops pods from starting nor, when it
		// comes back, restarts them (the kubelet fills the volume in); only
		// the dynamic configuration names the files, while they are usable.
		sources = append(sources, corev1.VolumeProjection{Secret: &corev1.SecretProjection{
			LocalObjectReference: corev1.LocalObjectReference{Name: key.Name},
			Items: []corev1.KeyToPath{
				{Key: corev1.TLSCertKey, Path: traefikTLSDir + "/" + corev1.TLSCertKey},
				{Key: corev1.TLSPrivateKeyKey, Path: traefikTLSDir + "/" + corev1.TLSPrivateKeyKey},
			},
			Optional: ptr.To(true),
		}})
	}
	return []corev1.Volume{
		{Name: traefikDynamicVolume, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: sources, DefaultMode: ptr.To[int32](0o444)}}},
		{Name: traefikTmpVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
}

// TraefikDynamicConfigMap returns the ConfigMap holding the dynamic
// configuration (TraefikDynamic).
func TraefikDynamicConfigMap(gw *v1alpha1.IngressGateway, in Inputs) (*corev1.ConfigMap, error) {
	doc, err := TraefikDynamic(gw, in)
	if err != nil {
		return nil, err
	}
	return configMap(gw, TraefikConfigMapName(gw).Name, map[string]string{traefikDynamicKey: string(doc)}), nil
}

// TraefikStreamEntryPoints returns the tcp/udp entry points a pod spec's
// Traefik container defines, sorted ("tcp-9000", "udp-53"), and whether it
// is a Traefik container at all.
func TraefikStreamEntryPoints(spec *corev1.PodSpec) ([]string, bool) {
	for _, c := range spec.Containers {
		if c.Name != ControllerContainerName {
			continue
		}
		if !slices.Contains(c.Args, "--providers.kubernetesIngressNGINX=true") {
			return nil, false
		}
		out := []string{}
		for _, a := range c.Args {
			name, ok := strings.CutPrefix(a, "--entryPoints.")
			if !ok {
				continue
			}
			name, _, ok = strings.Cut(name, ".address=")
			if ok && (strings.HasPrefix(name, "tcp-") || strings.HasPrefix(name, "udp-")) {
				out = append(out, name)
			}
		}
		slices.Sort(out)
		return out, true
	}
	return nil, false
}

// CachedEntryPointsAnnotation is set, in the operator's cache only, on
// Traefik pods (whose specs the cache drops): their stream entry points,
// comma-separated, so status can tell pods that restart for new ones.
const CachedEntryPointsAnnotation = "ingress.portico.dev/cached-entry-points"

// EntryPointsChange describes how stream entry points differ ("tcp/udp
// entry points changed (added tcp-9000; removed udp-53)"), or "".
func EntryPointsChange(before, after []string) string {
	var added, removed []string
	for _, e := range after {
		if !slices.Contains(before, e) {
			added = append(added, e)
		}
	}
	for _, e := range before {
		if !slices.Contains(after, e) {
			removed = append(removed, e)
		}
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return "tcp/udp entry points changed (" + strings.Join(parts, "; ") + ")"
}

// TemplateEntryPointsChange compares two Traefik pod templates' entry
// points; "" when they agree or either is not Traefik's.
func TemplateEntryPointsChange(before, after *corev1.PodSpec) string {
	b, ok1 := TraefikStreamEntryPoints(before)
	a, ok2 := TraefikStreamEntryPoints(after)
	if !ok1 || !ok2 {
		return ""
	}
	return EntryPointsChange(b, a)
}

// PodTemplate returns the pod template of a DaemonSet or Deployment, nil
// for anything else.
func PodTemplate(o client.Object) *corev1.PodTemplateSpec {
	switch w := o.(type) {
	case *appsv1.DaemonSet:
		return &w.Spec.Template
	case *appsv1.Deployment:
		return &w.Spec.Template
	}
	return nil
}
