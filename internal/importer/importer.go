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

// Package importer reads an existing ingress-nginx installation (the
// MicroK8s addon, the upstream static manifests or Helm chart, and the hand
// patches tutorials apply to them) and produces the equivalent
// IngressGateway, a report of what was and was not carried over, and a
// switch-over plan.
package importer

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// Options tune an import.
type Options struct {
	// Name of the gateway; default: the IngressClass name, else the
	// workload name without "-controller".
	Name string
	// Workload picks the controller workload by name when there are several.
	Workload string
	// Live says the objects were read from a cluster, so what is missing
	// from them does not exist (a dump may just have left it out).
	Live bool
	// Unread lists the kinds a live import was not allowed to list.
	Unread []string
}

// Item is one line of the report.
type Item struct {
	What string
	Why  string
}

// Report says what an import did.
type Report struct {
	// Source names the controller workload and the layout recognised.
	Source string
	Layout string
	// Carried lists settings carried over into the gateway.
	Carried []string
	// ExtraArgs lists flags carried over verbatim into spec.controller.extraArgs.
	ExtraArgs []string
	// Dropped lists what could not be carried over, with why.
	Dropped []Item
	// Streams lists tcp/udp entries ingress-nginx ignores, with the reason
	// and the likely intended value.
	Streams []StreamIssue
	// Check lists what the import could not decide or verify and the user
	// should before switching over.
	Check []string
	// Plan is the switch-over, step by step.
	Plan []string
}

// Result is an import's outcome.
type Result struct {
	Gateway *v1alpha1.IngressGateway
	// Class admits the gateway (the narrowest that does: its namespace and
	// what the old install used); Grants are the consents its
	// cross-namespace references need. A cluster admin applies them first.
	Class  *v1alpha1.IngressGatewayClass
	Grants []*v1alpha1.IngressGatewayGrant
	Report Report
}

type objects struct {
	daemonSets  []*appsv1.DaemonSet
	deployments []*appsv1.Deployment
	configMaps  []*corev1.ConfigMap
	services    []*corev1.Service
	classes     []*networkingv1.IngressClass
	ingresses   []ingress
	// The rest only tells the plan what the old install leaves behind.
	serviceAccounts     []*corev1.ServiceAccount
	roles               []*rbacv1.Role
	roleBindings        []*rbacv1.RoleBinding
	clusterRoles        []*rbacv1.ClusterRole
	clusterRoleBindings []*rbacv1.ClusterRoleBinding
	jobs                []*batchv1.Job
	webhookConfigs      []*admissionregistrationv1.ValidatingWebhookConfiguration
}

// ingress is what an import reads of an Ingress: its class. Every Ingress
// API version (a dump may hold extensions/v1beta1) has these fields.
type ingress struct {
	namespace, name string
	className       string
	annotation      string
}

// classAnnotation is the class of an Ingress before spec.ingressClassName.
const classAnnotation = "kubernetes.io/ingress.class"

func (o *objects) add(u *unstructured.Unstructured) error {
	var target runtime.Object
	switch u.GetKind() {
	case "Ingress":
		ing := ingress{namespace: u.GetNamespace(), name: u.GetName(), annotation: u.GetAnnotations()[classAnnotation]}
		ing.className, _, _ = unstructured.NestedString(u.Object, "spec", "ingressClassName")
		o.ingresses = append(o.ingresses, ing)
		return nil
	case "ServiceAccount":
		target = appendNew(&o.serviceAccounts)
	case "Role":
		target = appendNew(&o.roles)
	case "RoleBinding":
		target = appendNew(&o.roleBindings)
	case "ClusterRole":
		target = appendNew(&o.clusterRoles)
	case "ClusterRoleBinding":
		target = appendNew(&o.clusterRoleBindings)
	case "Job":
		target = appendNew(&o.jobs)
	case "ValidatingWebhookConfiguration":
		target = appendNew(&o.webhookConfigs)
	case "DaemonSet":
		ds := &appsv1.DaemonSet{}
		o.daemonSets = append(o.daemonSets, ds)
		target = ds
	case "Deployment":
		d := &appsv1.Deployment{}
		o.deployments = append(o.deployments, d)
		target = d
	case "ConfigMap":
		cm := &corev1.ConfigMap{}
		o.configMaps = append(o.configMaps, cm)
		target = cm
	case "Service":
		s := &corev1.Service{}
		o.services = append(o.services, s)
		target = s
	case "IngressClass":
		ic := &networkingv1.IngressClass{}
		o.classes = append(o.classes, ic)
		target = ic
	default:
		return nil
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, target)
}

// appendNew appends a new T to list and returns it.
func appendNew[T any, PT interface {
	*T
	runtime.Object
}](list *[]PT) PT {
	p := PT(new(T))
	*list = append(*list, p)
	return p
}

func (o *objects) configMap(ns, name string) *corev1.ConfigMap {
	for _, cm := range o.configMaps {
		if cm.Namespace == ns && cm.Name == name {
			return cm
		}
	}
	return nil
}

// workload is the controller DaemonSet or Deployment, seen through the
// parts an import reads.
type workload struct {
	kind      string
	namespace string
	name      string
	labels    map[string]string
	replicas  *int32
	template  corev1.PodTemplateSpec
	maxUnav   *intstr.IntOrString
}

const controllerBinary = "nginx-ingress-controller"

func isController(t corev1.PodTemplateSpec) bool {
	for _, c := range t.Spec.Containers {
		for _, a := range append(slices.Clone(c.Command), c.Args...) {
			if strings.Contains(a, controllerBinary) {
				return true
			}
		}
	}
	return false
}

func (o *objects) workloads() []workload {
	var out []workload
	for _, ds := range o.daemonSets {
		if isController(ds.Spec.Template) {
			w := workload{kind: "DaemonSet", namespace: ds.Namespace, name: ds.Name, labels: ds.Labels, template: ds.Spec.Template}
			if ru := ds.Spec.UpdateStrategy.RollingUpdate; ru != nil {
				w.maxUnav = ru.MaxUnavailable
			}
			out = append(out, w)
		}
	}
	for _, d := range o.deployments {
		if isController(d.Spec.Template) {
			w := workload{kind: "Deployment", namespace: d.Namespace, name: d.Name, labels: d.Labels, template: d.Spec.Template, replicas: d.Spec.Replicas}
			if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
				w.maxUnav = ru.MaxUnavailable
			}
			out = append(out, w)
		}
	}
	return out
}

func (w workload) String() string { return w.kind + " " + w.namespace + "/" + w.name }

// managedBy returns "<namespace>/<name>" of the IngressGateway whose fleet
// w is, or "" when Portico did not create it: there is nothing to import
// from Portico's own children.
func (w workload) managedBy() string {
	for _, l := range []map[string]string{w.labels, w.template.Labels} {
		if l[render.ManagedByLabel] == render.ManagedByValue && l[render.GatewayNameLabel] != "" {
			ns := l[render.GatewayNamespaceLabel]
			if ns == "" {
				ns = w.namespace
			}
			return ns + "/" + l[render.GatewayNameLabel]
		}
	}
	return ""
}

// flagsOf returns the controller container and its flags in order
// (name → value; "" for a bare flag), with $(VAR) references to the pod's
// fieldRef env vars expanded.
func flagsOf(w workload) (*corev1.Container, []string, map[string]string) {
	var c *corev1.Container
	for i := range w.template.Spec.Containers {
		cc := &w.template.Spec.Containers[i]
		if slices.ContainsFunc(append(slices.Clone(cc.Command), cc.Args...), func(a string) bool { return strings.Contains(a, controllerBinary) }) {
			c = cc
			break
		}
	}
	expand := func(s string) string {
		return strings.NewReplacer("$(POD_NAMESPACE)", w.namespace).Replace(s)
	}
	var order []string
	flags := map[string]string{}
	for _, a := range append(slices.Clone(c.Command), c.Args...) {
		if !strings.HasPrefix(a, "--") && !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimLeft(a, "-")
		name, value, _ := strings.Cut(a, "=")
		if _, seen := flags[name]; !seen {
			order = append(order, name)
		}
		flags[name] = expand(value)
	}
	return c, order, flags
}

// Import builds the IngressGateway equivalent to the ingress-nginx
// installation found among objs.
func Import(objs []*unstructured.Unstructured, opts Options) (*Result, error) {
	o := &objects{}
	for _, u := range objs {
		if err := o.add(u); err != nil {
			return nil, fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
	ws := o.workloads()
	if opts.Workload != "" {
		ws = slices.DeleteFunc(ws, func(w workload) bool { return w.name != opts.Workload })
	}
	// Portico's own fleets are never imported: their gateway already says
	// everything an import would.
	var managed []workload
	ws = slices.DeleteFunc(ws, func(w workload) bool {
		if w.managedBy() != "" {
			managed = append(managed, w)
			return true
		}
		return false
	})
	switch len(ws) {
	case 0:
		if len(managed) > 0 {
			var names []string
			for _, m := range managed {
				names = append(names, m.String()+" is "+layoutOf(m, nil))
			}
			gw := strings.SplitN(managed[0].managedBy(), "/", 2)
			return nil, fmt.Errorf("%s: there is nothing to import; change the IngressGateway instead (kubectl -n %s edit ingressgateway %s)",
				strings.Join(names, "; "), gw[0], gw[1])
		}
		return nil, fmt.Errorf("no ingress-nginx controller DaemonSet or Deployment found (a container running %s)", controllerBinary)
	case 1:
	default:
		var names []string
		for _, w := range ws {
			names = append(names, w.String())
		}
		return nil, fmt.Errorf("several ingress-nginx controllers found (%s): choose one with --workload", strings.Join(names, ", "))
	}
	w := ws[0]
	imp := &importRun{o: o, w: w, opts: opts, gw: &v1alpha1.IngressGateway{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "IngressGateway"},
		ObjectMeta: metav1.ObjectMeta{Namespace: w.namespace},
	}}
	c, _, _ := flagsOf(w)
	imp.oldImage, imp.version = c.Image, imageVersion(c.Image)
	imp.report.Source = w.String()
	imp.report.Layout = layoutOf(w, imp.version)
	for _, m := range managed {
		imp.check("%s is %s; not imported", m, layoutOf(m, nil))
	}
	imp.run()
	imp.gw.Name = opts.Name
	if imp.gw.Name == "" {
		imp.gw.Name = imp.defaultName()
	}
	className := "imported-" + imp.gw.Namespace + "-" + imp.gw.Name
	imp.gw.Spec.GatewayClassName = className
	class, grants := classrules.ClassFor(imp.gw, className)
	imp.report.Carried = append(imp.report.Carried, classLine(class, grants))
	imp.plan(len(grants))
	return &Result{Gateway: imp.gw, Class: class, Grants: grants, Report: imp.report}, nil
}

// classLine tells what the written class allows: the old install's rights,
// now a cluster admin's explicit decision.
func classLine(c *v1alpha1.IngressGatewayClass, grants []*v1alpha1.IngressGatewayGrant) string {
	caps := c.Spec.Capabilities
	var on []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"hostNetwork", caps.HostNetwork}, {"hostPorts", caps.HostPorts}, {"defaultIngressClass", caps.DefaultIngressClass},
		{"ingressClassAliases", caps.IngressClassAliases},
		{"snippets", caps.Snippets}, {"vip", caps.VIP != nil}, {"extraArgs", len(caps.ExtraArgs) > 0},
		{"tolerations", len(caps.Tolerations) > 0}, {"priorityClassNames", len(caps.PriorityClassNames) > 0},
		{"references.crossNamespace", c.Spec.References.CrossNamespace}} {
		if f.set {
			on = append(on, f.name)
		}
	}
	if len(on) == 0 {
		on = []string{"none"}
	}
	l := fmt.Sprintf("IngressGatewayClass %s (printed after the gateway, for a cluster admin to review and apply first): namespace %s only, scope Cluster "+
		"(the old install's rights: its editors can read every Secret through the fleet's token), capabilities: %s",
		c.Name, c.Spec.AllowedNamespaces.Names[0], strings.Join(on, ", "))
	for _, g := range grants {
		l += fmt.Sprintf("; IngressGatewayGrant %s/%s", g.Namespace, g.Name)
	}
	return l
}

// layoutOf names the kind of install w belongs to; v is its controller's
// version (nil if unknown).
func layoutOf(w workload, v *version.Version) string {
	switch {
	case w.managedBy() != "":
		return "managed by Portico (IngressGateway " + w.managedBy() + ")"
	case w.name == "nginx-ingress-microk8s-controller":
		return "MicroK8s ingress addon"
	case v != nil && v.LessThan(minControllerVersion):
		return "ingress-nginx manifests from before v1.0.0"
	case strings.HasSuffix(w.name, "ingress-nginx-controller") || strings.HasSuffix(w.name, "-controller"):
		return "upstream static manifests / Helm chart"
	}
	return "custom ingress-nginx workload"
}

type importRun struct {
	o      *objects
	w      workload
	opts   Options
	gw     *v1alpha1.IngressGateway
	report Report
	// oldImage is the old controller's image; version is the ingress-nginx
	// version its tag names (nil if none).
	oldImage string
	version  *version.Version
	// class is the IngressClass the gateway takes over (nil when the input
	// has none), aliases the further ones it serves.
	class   *networkingv1.IngressClass
	aliases []*networkingv1.IngressClass
	svc     *corev1.Service
	// podServices are every Service selecting the controller pods
	// (controller, admission, metrics): all left behind by the switch.
	podServices []*corev1.Service
	// configMaps are the old install's ConfigMaps found in the input.
	configMaps []*corev1.ConfigMap
	// ports are the controller's effective ports.
	ports v1alpha1.PortsSpec
}

func (r *importRun) carried(format string, args ...any) {
	r.report.Carried = append(r.report.Carried, fmt.Sprintf(format, args...))
}

func (r *importRun) dropped(what, why string) {
	r.report.Dropped = append(r.report.Dropped, Item{What: what, Why: why})
}

func (r *importRun) check(format string, args ...any) {
	r.report.Check = append(r.report.Check, fmt.Sprintf(format, args...))
}

// ownedWhy says why an owned flag (facts.OwnedFlags) that no field takes
// over is not carried over; flags() maps the others onto their fields.
var ownedWhy = map[string]string{
	"election-id":                     "Portico gives every gateway its own leader-election Lease",
	"controller-class":                "Portico gives every gateway a controller value of its own; the IngressClass is recreated with it",
	"publish-service":                 "Portico publishes the gateway's own Service (or node addresses, or spec.statusAddresses)",
	"report-node-internal-ip-address": "Portico sets it whenever node addresses are published",
	"watch-namespace":                 "a gateway watches all namespaces",
	"kubeconfig":                      "the controller runs in-cluster",
	"apiserver-host":                  "the controller runs in-cluster",
}

func (r *importRun) run() {
	c, order, flags := flagsOf(r.w)
	spec := &r.gw.Spec
	tpl := r.w.template.Spec

	r.image(c)
	r.privileges()
	if len(c.Resources.Requests) > 0 || len(c.Resources.Limits) > 0 {
		spec.Controller.Resources = c.Resources.DeepCopy()
		r.carried("container resources")
	}

	// Workload shape.
	spec.Workload.Kind = v1alpha1.WorkloadKind(r.w.kind)
	if r.w.kind == "Deployment" {
		spec.Workload.Replicas = ptr.To(ptr.Deref(r.w.replicas, 1))
		r.carried("Deployment with %d replicas", *spec.Workload.Replicas)
	} else {
		r.carried("DaemonSet")
	}
	if tpl.HostNetwork {
		spec.Workload.HostNetwork = true
		r.carried("hostNetwork")
	}
	r.hostPorts(c)
	if ns := maps.Clone(tpl.NodeSelector); len(ns) > 0 {
		delete(ns, corev1.LabelOSStable) // Portico always adds kubernetes.io/os=linux
		if len(ns) > 0 {
			spec.Workload.NodeSelector = ns
			r.carried("nodeSelector %v", ns)
		}
	}
	if len(tpl.Tolerations) > 0 {
		spec.Workload.Tolerations = tpl.Tolerations
		r.carried("%d tolerations", len(tpl.Tolerations))
	}
	if tpl.Affinity != nil {
		spec.Workload.Affinity = tpl.Affinity
		r.carried("affinity")
	}
	if len(tpl.TopologySpreadConstraints) > 0 {
		spec.Workload.TopologySpreadConstraints = tpl.TopologySpreadConstraints
		r.carried("topologySpreadConstraints")
	}
	if tpl.PriorityClassName != "" {
		spec.Workload.PriorityClassName = tpl.PriorityClassName
		r.carried("priorityClassName %s", tpl.PriorityClassName)
	}
	if g := tpl.TerminationGracePeriodSeconds; g != nil {
		spec.Workload.TerminationGracePeriodSeconds = ptr.To(*g)
		r.carried("terminationGracePeriodSeconds %d", *g)
	}
	if mu := r.w.maxUnav; mu != nil && mu.String() != "1" {
		if zeroUnavailable(*mu) && !r.surges() {
			r.dropped("maxUnavailable "+mu.String(), "a DaemonSet, and a Deployment on the host network or host ports, replace pods in place with no surge pod, "+
				"so a rollout must take one down (the old value let no rollout progress); the gateway uses 1, or set spec.workload.maxUnavailable")
		} else {
			spec.Workload.MaxUnavailable = ptr.To(*mu)
			r.carried("maxUnavailable %s", mu.String())
		}
	}
	if a := withoutSystemKeys(r.w.template.Annotations); len(a) > 0 {
		spec.Workload.PodAnnotations = a
		r.carried("pod annotations %v", slices.Sorted(maps.Keys(a)))
	}
	if l := withoutSystemKeys(r.w.template.Labels); len(l) > 0 {
		spec.Workload.PodLabels = l
		r.carried("pod labels %v", slices.Sorted(maps.Keys(l)))
	}
	if len(tpl.Containers) > 1 || len(tpl.InitContainers) > 0 || len(tpl.Volumes) > 0 && !onlyWebhookVolume(tpl) {
		r.dropped("extra containers, init containers or volumes", "the IngressGateway API renders the controller container only")
	}

	// Ports first: the stream maps are checked against them.
	r.readPorts(flags)
	r.webhook(flags)
	r.flags(order, flags)
	r.service(c)
	r.ingressClass(flags)
	r.ingressesWithoutClass(flags)
	if len(spec.StatusAddresses) == 0 && r.svc == nil && !spec.Workload.HostNetwork && !spec.Workload.HostPorts {
		spec.Service.Type = v1alpha1.ServiceTypeClusterIP
		r.dropped("Service", "no Service forwards to the controller pods' http/https ports and they use no host ports; the gateway gets a ClusterIP Service")
	}
}

func onlyWebhookVolume(spec corev1.PodSpec) bool {
	for _, v := range spec.Volumes {
		if v.Name != "webhook-cert" {
			return false
		}
	}
	return true
}

// withoutSystemKeys drops labels and annotations that belong to the old
// installation's tooling rather than to the user.
func withoutSystemKeys(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		switch {
		case strings.HasPrefix(k, "app.kubernetes.io/"), strings.HasPrefix(k, "helm.sh/"), strings.HasPrefix(k, "meta.helm.sh/"),
			strings.HasPrefix(k, "kubectl.kubernetes.io/"), strings.HasPrefix(k, "deprecated.daemonset.template.generation"),
			// Portico's own keys (app.kubernetes.io/managed-by is above):
			// copied into podLabels they would claim the pods for a gateway.
			strings.HasPrefix(k, "ingress.portico.dev/"), strings.HasPrefix(k, "portico.dev/"),
			k == "pod-template-hash", k == "controller-revision-hash", k == "pod-template-generation",
			k == "name", k == "app", k == "component", k == "release":
			continue
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// zeroUnavailable reports whether v lets no pod be unavailable (0 or 0%).
func zeroUnavailable(v intstr.IntOrString) bool {
	if v.Type == intstr.Int {
		return v.IntVal == 0
	}
	return strings.Trim(v.StrVal, "0") == "%"
}

// surges reports whether the imported workload can replace a pod by
// starting a new one first: a Deployment whose pods bind no host port.
func (r *importRun) surges() bool {
	if r.w.kind != "Deployment" || r.w.template.Spec.HostNetwork {
		return false
	}
	for _, c := range r.w.template.Spec.Containers {
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				return false
			}
		}
	}
	return true
}

// hostPorts detects MicroK8s-style host ports without the host network.
func (r *importRun) hostPorts(c *corev1.Container) {
	if r.w.template.Spec.HostNetwork {
		return
	}
	for _, p := range c.Ports {
		if p.HostPort == 0 {
			continue
		}
		r.gw.Spec.Workload.HostPorts = true
		if p.HostPort != p.ContainerPort {
			r.dropped(fmt.Sprintf("hostPort %d → containerPort %d", p.HostPort, p.ContainerPort),
				"Portico maps each port onto the same host port; set spec.ports to the port clients use")
		}
	}
	if r.gw.Spec.Workload.HostPorts {
		r.carried("hostPorts (container ports mapped onto the node)")
	}
}

// readPorts carries the controller's port flags into spec.ports; ports left at
// ingress-nginx's defaults stay unset (the CRD defaults them identically).
func (r *importRun) readPorts(flags map[string]string) {
	p := &r.ports
	set := func(flag string, dst *int32, def int32) {
		*dst = def
		v, ok := flags[flag]
		if !ok {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			r.dropped("--"+flag+"="+v, "not a port number")
			return
		}
		*dst = int32(n)
		if int32(n) != def {
			r.carried("--%s=%d", flag, n)
		}
	}
	set("http-port", &p.HTTP, 80)
	set("https-port", &p.HTTPS, 443)
	set("healthz-port", &p.Healthz, 10254)
	set("default-server-port", &p.DefaultServer, 8181)
	set("status-port", &p.Status, 10246)
	set("stream-port", &p.Stream, 10247)
	set("profiler-port", &p.Profiler, 10245)
	set("ssl-passthrough-proxy-port", &p.SSLPassthroughProxy, 442)
	if *p != (v1alpha1.PortsSpec{HTTP: 80, HTTPS: 443, Healthz: 10254, DefaultServer: 8181, Status: 10246, Stream: 10247, Profiler: 10245, SSLPassthroughProxy: 442}) {
		r.gw.Spec.Ports = *p
	}
}

func (r *importRun) reserved(udp bool) []int32 {
	// The rule the gateway's CRD enforces (facts.StreamPortCollision),
	// over the ports read from the old flags.
	gw := r.gw.DeepCopy()
	gw.Spec.Ports = r.ports
	proto := corev1.ProtocolTCP
	if udp {
		proto = corev1.ProtocolUDP
	}
	var out []int32
	for _, cp := range facts.ControllerPorts(gw) {
		if _, ok := facts.StreamPortCollision(gw, proto, cp.Port); ok && cp.Port != 0 {
			out = append(out, cp.Port)
		}
	}
	return out
}

// serviceNamespaces maps Service names in the dump to their namespaces.
func (r *importRun) serviceNamespaces() map[string][]string {
	out := map[string][]string{}
	for _, s := range r.o.services {
		out[s.Name] = append(out[s.Name], s.Namespace)
	}
	return out
}

// flags carries every controller flag into its field, extraArgs, or the
// list of what was dropped.
func (r *importRun) flags(order []string, flags map[string]string) {
	spec := &r.gw.Spec
	portFlags := []string{"http-port", "https-port", "healthz-port", "default-server-port", "status-port", "stream-port", "profiler-port", "ssl-passthrough-proxy-port"}
	for _, name := range order {
		v := flags[name]
		switch {
		case slices.Contains(portFlags, name), name == "ingress-class":
			// ports() and ingressClass() handle these.
		case name == "configmap":
			r.mainConfigMap(v, name)
		case name == "nginx-configmap" && flags["configmap"] == "":
			// --configmap's name before ingress-nginx 0.9.
			r.mainConfigMap(v, name)
		case name == "tcp-services-configmap":
			r.streams(v, false)
		case name == "udp-services-configmap":
			r.streams(v, true)
		case name == "default-ssl-certificate":
			ns, n, ok := strings.Cut(v, "/")
			if !ok {
				r.dropped("--default-ssl-certificate="+v, "not <namespace>/<name>")
				continue
			}
			spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: ns, Name: n}}
			r.carried("--default-ssl-certificate=%s → spec.defaultCertificate", v)
		case name == "default-backend-service":
			ns, n, ok := strings.Cut(v, "/")
			if !ok {
				r.dropped("--default-backend-service="+v, "not <namespace>/<name>")
				continue
			}
			spec.DefaultBackend = &v1alpha1.ServiceReference{Namespace: ns, Name: n}
			r.carried("--default-backend-service=%s → spec.defaultBackend", v)
		case name == "publish-status-address":
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a != "" {
					spec.StatusAddresses = append(spec.StatusAddresses, a)
				}
			}
			r.carried("--publish-status-address=%s → spec.statusAddresses", v)
		case name == "validating-webhook", name == "validating-webhook-certificate", name == "validating-webhook-key":
			// webhook() handles these; the operator mounts the certificates it issues.
		case name == "v":
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 10 {
				spec.Controller.LogLevel = ptr.To(int32(n))
				r.carried("--v=%d → spec.controller.logLevel", n)
			} else {
				r.dropped("--v="+v, "not a verbosity from 0 to 10")
			}
		case slices.Contains(facts.OwnedFlags(), name):
			why := ownedWhy[name]
			if why == "" {
				why = "Portico sets it itself from the gateway"
			}
			r.dropped("--"+name+flagValue(v), why)
		default:
			if spec.Controller.ExtraArgs == nil {
				spec.Controller.ExtraArgs = map[string]string{}
			}
			spec.Controller.ExtraArgs[name] = v
			r.report.ExtraArgs = append(r.report.ExtraArgs, "--"+name+flagValue(v))
		}
	}
}

// webhook carries the data-plane admission webhook over. Before the stream
// maps: its port is reserved for the controller.
func (r *importRun) webhook(flags map[string]string) {
	aw := &r.gw.Spec.AdmissionWebhook
	v, ok := flags["validating-webhook"]
	if !ok || v == "" {
		// Keep behaviour: the install ran no webhook.
		aw.Enabled = ptr.To(false)
		r.carried("no --validating-webhook → spec.admissionWebhook.enabled: false (enable it to have Ingresses checked before nginx reloads; Portico manages its certificates)")
		return
	}
	// ":8443" or "host:8443": Portico listens on every address.
	_, port, _ := strings.Cut(v, ":")
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		r.dropped("--validating-webhook="+v, "not [host]:port; the gateway runs the webhook on port 8443")
		return
	}
	if n != 8443 {
		aw.Port = int32(n)
	}
	r.carried("--validating-webhook=%s → spec.admissionWebhook (Portico issues and rotates its certificates and registers its own webhook configuration)", v)
}

func flagValue(v string) string {
	if v == "" {
		return ""
	}
	return "=" + v
}

func splitRef(ref string) (string, string, bool) {
	ns, name, ok := strings.Cut(ref, "/")
	return ns, name, ok && ns != "" && name != ""
}

func (r *importRun) mainConfigMap(ref, flag string) {
	ns, name, ok := splitRef(ref)
	if !ok {
		r.dropped("--"+flag+"="+ref, "not <namespace>/<name>")
		return
	}
	cm := r.o.configMap(ns, name)
	if cm == nil {
		r.dropped("ConfigMap "+ref, "not found in the input; its settings were not carried over (include it in the dump)")
		return
	}
	r.configMaps = append(r.configMaps, cm)
	if len(cm.Data) == 0 {
		return
	}
	cfg := maps.Clone(cm.Data)
	// Snippet annotations have a field of their own: an explicit opt-in.
	if v, ok := cfg["allow-snippet-annotations"]; ok {
		delete(cfg, "allow-snippet-annotations")
		if v == "true" {
			r.gw.Spec.Controller.AllowSnippetAnnotations = true
			r.carried("allow-snippet-annotations: \"true\" → spec.controller.allowSnippetAnnotations: true (every Ingress author can inject nginx configuration; turn it off unless all of them are trusted)")
			if cfg["annotations-risk-level"] == "Critical" {
				delete(cfg, "annotations-risk-level") // set by the opt-in
			}
		}
	}
	if cfg["annotations-risk-level"] == "Critical" && !r.gw.Spec.Controller.AllowSnippetAnnotations {
		delete(cfg, "annotations-risk-level")
		r.dropped("annotations-risk-level: Critical", "it admits snippet annotations, which are off; set spec.controller.allowSnippetAnnotations to opt in explicitly")
	}
	if len(cfg) > 0 {
		r.gw.Spec.Controller.Config = cfg
		from := ""
		if flag != "configmap" {
			from = " (named by --" + flag + ", as ingress-nginx called --configmap before 0.9)"
		}
		r.carried("ConfigMap %s%s → spec.controller.config (keys: %d)", ref, from, len(cfg))
	}
}

func (r *importRun) streams(ref string, udp bool) {
	proto := "tcp"
	if udp {
		proto = "udp"
	}
	ns, name, ok := splitRef(ref)
	if !ok {
		r.dropped("--"+proto+"-services-configmap="+ref, "not <namespace>/<name>; ingress-nginx reads no "+proto+" services")
		return
	}
	cm := r.o.configMap(ns, name)
	if cm == nil {
		r.dropped("ConfigMap "+ref, "not found in the input; its "+proto+" services were not carried over (include it in the dump)")
		return
	}
	r.configMaps = append(r.configMaps, cm)
	entries, issues := ParseStreamEntries(cm.Data, udp, r.reserved(udp), r.serviceNamespaces())
	for i := range issues {
		issues[i].Key = proto + " " + issues[i].Key
	}
	r.report.Streams = append(r.report.Streams, issues...)
	for _, e := range entries {
		b := v1alpha1.Backend{Namespace: e.Namespace, Name: e.Service, Port: e.ServicePort}
		if udp {
			r.gw.Spec.UDP = append(r.gw.Spec.UDP, v1alpha1.UDPService{Port: e.Port, Backend: b})
		} else {
			t := v1alpha1.TCPService{Port: e.Port, Backend: b}
			if e.Decode || e.Encode {
				t.ProxyProtocol = &v1alpha1.ProxyProtocol{Decode: e.Decode, Encode: e.Encode}
			}
			r.gw.Spec.TCP = append(r.gw.Spec.TCP, t)
		}
	}
	if len(entries) > 0 {
		r.carried("ConfigMap %s → spec.%s (entries: %d)", ref, proto, len(entries))
	}
}

func (r *importRun) streamNodePort(p corev1.ServicePort) {
	if p.Protocol == corev1.ProtocolUDP {
		for i := range r.gw.Spec.UDP {
			if r.gw.Spec.UDP[i].Port == p.Port {
				r.gw.Spec.UDP[i].NodePort = ptr.To(p.NodePort)
			}
		}
		return
	}
	for i := range r.gw.Spec.TCP {
		if r.gw.Spec.TCP[i].Port == p.Port {
			r.gw.Spec.TCP[i].NodePort = ptr.To(p.NodePort)
		}
	}
}

// pinnedByDigest reports whether img names its content (name@sha256:<64 hex>).
func pinnedByDigest(img string) bool {
	i := strings.LastIndex(img, "@sha256:")
	if i <= 0 || len(img)-i-len("@sha256:") != 64 {
		return false
	}
	for _, c := range img[i+len("@sha256:"):] {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
