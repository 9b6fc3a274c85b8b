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

// Package classrules is the one set of rules an IngressGatewayClass imposes
// on its IngressGateways. Three enforcement points use it: the operator's
// validating webhook (Check on every create and spec update), the
// reconciler (Check before every rollout: a class tightened later, or a
// webhook bypassed, stops new rollouts) and the API server's
// ValidatingAdmissionPolicy, generated from the same table (Policy), which
// holds while the operator is down. Each rule carries its Go check and its
// CEL twin; the parity test runs both against a real API server.
package classrules

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// Input is what a rule reads: the gateway, its class and what the cluster
// says about the gateway's namespace and the referenced namespaces.
type Input struct {
	Gateway *v1alpha1.IngressGateway
	Class   *v1alpha1.IngressGatewayClass
	// NamespaceLabels are the labels of the gateway's namespace.
	NamespaceLabels map[string]string
	// Grants are the IngressGatewayGrants in the namespaces the gateway
	// references (any others are ignored).
	Grants []v1alpha1.IngressGatewayGrant
}

// Violation is one thing the class does not allow.
type Violation struct {
	// Rule is the ID of the broken rule.
	Rule string
	// Class is the IngressGatewayClass's name.
	Class string
	// ClassField is the class field that forbids it.
	ClassField string
	// Field is the gateway field that asks for it.
	Field *field.Path
	// Detail says what is asked and what the class allows.
	Detail string
}

// Message is the denial text: gateway field, class, class field, and what
// to do. The webhook wraps it in a field error at Field.
func (v Violation) Message() string {
	return fmt.Sprintf("IngressGatewayClass %q forbids it (%s, rule %s): %s; ask a cluster admin to change the class, or use a class that allows it in spec.gatewayClassName",
		v.Class, v.ClassField, v.Rule, v.Detail)
}

// String is the violation on one line, field path first.
func (v Violation) String() string { return v.Field.String() + ": " + v.Message() }

// Rule is one rule of the table.
type Rule struct {
	// ID is stable; tests and the policy's messages name rules by it.
	ID string
	// ClassField is the class field the rule reads.
	ClassField string
	// GatewayField is the gateway field the rule checks, with [*] for
	// list entries (the Go check reports exact indexes).
	GatewayField string
	// Check returns the violations; nil when the rule holds.
	Check func(in Input, v func(path *field.Path, detail string))
	// CEL is the rule over object (the gateway), params (its class) and
	// namespaceObject, true when the rule holds; empty when the API server
	// cannot check it (Why says why) and only the webhook and the
	// reconciler do.
	CEL string
	// Why explains an empty CEL.
	Why string
}

var (
	spec     = field.NewPath("spec")
	workload = spec.Child("workload")
	ctrlPath = spec.Child("controller")
)

// has is a CEL guard: every intermediate field present.
func has(path string) string {
	parts := strings.Split(path, ".")
	var out []string
	for i := 2; i <= len(parts); i++ {
		out = append(out, "has("+strings.Join(parts[:i], ".")+")")
	}
	return "(" + strings.Join(out, " && ") + ")"
}

// capOn is the CEL for a boolean capability being on.
func capOn(name string) string {
	p := "params.spec.capabilities." + name
	return "(" + has(p) + " && " + p + ")"
}

// Rules is the table, in the order violations are reported.
var Rules = []Rule{
	{
		ID: "namespace", ClassField: "spec.allowedNamespaces", GatewayField: "metadata.namespace",
		Check: func(in Input, v func(*field.Path, string)) {
			if !NamespaceAllowed(in.Class, in.Gateway.Namespace, in.NamespaceLabels) {
				v(field.NewPath("metadata", "namespace"), fmt.Sprintf("namespace %q is not among the class's allowed namespaces", in.Gateway.Namespace))
			}
		},
		CEL: namespaceCEL,
	},
	{
		ID: "image", ClassField: "spec.dataPlane.allowedImages", GatewayField: "spec.controller.image",
		Check: func(in Input, v func(*field.Path, string)) {
			if img := in.Gateway.Spec.Controller.Image; img != "" && !imageAllowed(in.Class, img) {
				v(ctrlPath.Child("image"), fmt.Sprintf("image %q is not in dataPlane.allowedImages; gateways run the class's image unless it lists others", img))
			}
		},
		CEL: imageCEL("object.spec.controller.image"),
	},
	{
		ID: "keepalivedImage", ClassField: "spec.dataPlane.allowedImages", GatewayField: "spec.vip.image",
		Check: func(in Input, v func(*field.Path, string)) {
			if vip := in.Gateway.Spec.VIP; vip != nil && vip.Image != "" && !imageAllowed(in.Class, vip.Image) {
				v(spec.Child("vip", "image"), fmt.Sprintf("image %q is not in dataPlane.allowedImages", vip.Image))
			}
		},
		CEL: imageCEL("object.spec.vip.image"),
	},
	{
		ID: "hostNetwork", ClassField: "spec.capabilities.hostNetwork", GatewayField: "spec.workload.hostNetwork",
		Check: func(in Input, v func(*field.Path, string)) {
			if in.Gateway.Spec.Workload.HostNetwork && !in.Class.Spec.Capabilities.HostNetwork {
				v(workload.Child("hostNetwork"), "the host network is not allowed")
			}
		},
		CEL: "!(" + has("object.spec.workload.hostNetwork") + " && object.spec.workload.hostNetwork) || " + capOn("hostNetwork"),
	},
	{
		ID: "hostPorts", ClassField: "spec.capabilities.hostPorts", GatewayField: "spec.workload.hostPorts",
		Check: func(in Input, v func(*field.Path, string)) {
			if in.Gateway.Spec.Workload.HostPorts && !in.Class.Spec.Capabilities.HostPorts {
				v(workload.Child("hostPorts"), "host ports are not allowed")
			}
		},
		CEL: "!(" + has("object.spec.workload.hostPorts") + " && object.spec.workload.hostPorts) || " + capOn("hostPorts"),
	},
	{
		ID: "vip", ClassField: "spec.capabilities.vip", GatewayField: "spec.vip",
		Check: func(in Input, v func(*field.Path, string)) {
			if in.Gateway.Spec.VIP != nil && in.Class.Spec.Capabilities.VIP == nil {
				v(spec.Child("vip"), "floating addresses (VIP) are not allowed")
			}
		},
		CEL: "!has(object.spec.vip) || " + has("params.spec.capabilities.vip"),
	},
	{
		ID: "vipAddressPools", ClassField: "spec.capabilities.vip.addressPools", GatewayField: "spec.vip.addresses[*]",
		Check: func(in Input, v func(*field.Path, string)) {
			vip, c := in.Gateway.Spec.VIP, in.Class.Spec.Capabilities.VIP
			if vip == nil || c == nil {
				return
			}
			for i, a := range vip.Addresses {
				if !inPools(a, c.AddressPools) {
					v(spec.Child("vip", "addresses").Index(i), fmt.Sprintf("address %s is outside every address pool (%s), or its prefix is wider than the pool's", a, strings.Join(c.AddressPools, ", ")))
				}
			}
		},
		CEL: "!has(object.spec.vip) || !" + has("params.spec.capabilities.vip") +
			" || object.spec.vip.addresses.all(a, params.spec.capabilities.vip.addressPools.exists(p, cidr(p).containsCIDR(cidr(a).masked())))",
	},
	{
		ID: "defaultIngressClass", ClassField: "spec.capabilities.defaultIngressClass", GatewayField: "spec.ingressClass.default",
		Check: func(in Input, v func(*field.Path, string)) {
			if in.Gateway.Spec.IngressClass.Default && !in.Class.Spec.Capabilities.DefaultIngressClass {
				v(spec.Child("ingressClass", "default"), "making the cluster's default IngressClass (every Ingress without a class) is not allowed")
			}
		},
		CEL: "!(" + has("object.spec.ingressClass.default") + " && object.spec.ingressClass.default) || " + capOn("defaultIngressClass"),
	},
	{
		ID: "ingressClassAliases", ClassField: "spec.capabilities.ingressClassAliases", GatewayField: "spec.ingressClass.aliases",
		Check: func(in Input, v func(*field.Path, string)) {
			if len(in.Gateway.Spec.IngressClass.Aliases) > 0 && !in.Class.Spec.Capabilities.IngressClassAliases {
				v(spec.Child("ingressClass", "aliases"), "serving further IngressClass names (each claims that class's Ingresses in every namespace) is not allowed")
			}
		},
		CEL: "!(" + has("object.spec.ingressClass.aliases") + " && size(object.spec.ingressClass.aliases) > 0) || " + capOn("ingressClassAliases"),
	},
	{
		ID: "snippets", ClassField: "spec.capabilities.snippets", GatewayField: "spec.controller.allowSnippetAnnotations, spec.controller.config",
		// Also allow-cross-namespace-resources: true (see IsSnippetKey).
		Check: func(in Input, v func(*field.Path, string)) {
			if in.Class.Spec.Capabilities.Snippets {
				return
			}
			c := in.Gateway.Spec.Controller
			if c.AllowSnippetAnnotations {
				v(ctrlPath.Child("allowSnippetAnnotations"), "snippet annotations are not allowed")
			}
			for _, k := range slicesSorted(c.Config) {
				if IsSnippetKey(k, c.Config[k]) {
					v(ctrlPath.Child("config").Key(k), fmt.Sprintf("config key %q enables snippets, which are not allowed", k))
				}
			}
		},
		CEL: capOn("snippets") + " || !has(object.spec.controller) || (!(" + has("object.spec.controller.allowSnippetAnnotations") +
			" && object.spec.controller.allowSnippetAnnotations) && (!has(object.spec.controller.config) || object.spec.controller.config.all(k, " +
			"!k.lowerAscii().endsWith('-snippet') && !(k.lowerAscii() == 'annotations-risk-level' && object.spec.controller.config[k].lowerAscii() == 'critical') && " +
			"!(k.lowerAscii() == 'allow-cross-namespace-resources' && object.spec.controller.config[k].lowerAscii() == 'true'))))",
	},
	{
		ID: "extraArgs", ClassField: "spec.capabilities.extraArgs", GatewayField: "spec.controller.extraArgs",
		Check: func(in Input, v func(*field.Path, string)) {
			for _, k := range slicesSorted(in.Gateway.Spec.Controller.ExtraArgs) {
				if !slices.Contains(in.Class.Spec.Capabilities.ExtraArgs, k) {
					v(ctrlPath.Child("extraArgs").Key(k), fmt.Sprintf("flag --%s is not in the class's extraArgs allow-list", k))
				}
			}
		},
		CEL: "!" + has("object.spec.controller.extraArgs") + " || object.spec.controller.extraArgs.all(k, " +
			has("params.spec.capabilities.extraArgs") + " && k in params.spec.capabilities.extraArgs)",
	},
	{
		ID: "tolerations", ClassField: "spec.capabilities.tolerations", GatewayField: "spec.workload.tolerations[*]",
		Check: func(in Input, v func(*field.Path, string)) {
			for i, t := range in.Gateway.Spec.Workload.Tolerations {
				if !slices.ContainsFunc(in.Class.Spec.Capabilities.Tolerations, func(a corev1.Toleration) bool { return sameToleration(a, t) }) {
					v(workload.Child("tolerations").Index(i), fmt.Sprintf("toleration {key: %q, operator: %q, value: %q, effect: %q} is not one the class allows",
						t.Key, orDefault(string(t.Operator), "Equal"), t.Value, t.Effect))
				}
			}
		},
		CEL: "!" + has("object.spec.workload.tolerations") + " || object.spec.workload.tolerations.all(t, " + has("params.spec.capabilities.tolerations") +
			" && params.spec.capabilities.tolerations.exists(a, " +
			"(has(a.key) ? a.key : '') == (has(t.key) ? t.key : '') && " +
			"(has(a.operator) ? a.operator : 'Equal') == (has(t.operator) ? t.operator : 'Equal') && " +
			"(has(a.value) ? a.value : '') == (has(t.value) ? t.value : '') && " +
			"(has(a.effect) ? a.effect : '') == (has(t.effect) ? t.effect : '')))",
	},
	{
		ID: "priorityClassName", ClassField: "spec.capabilities.priorityClassNames", GatewayField: "spec.workload.priorityClassName",
		Check: func(in Input, v func(*field.Path, string)) {
			if p := in.Gateway.Spec.Workload.PriorityClassName; p != "" && !slices.Contains(in.Class.Spec.Capabilities.PriorityClassNames, p) {
				v(workload.Child("priorityClassName"), fmt.Sprintf("priority class %q is not in the class's priorityClassNames", p))
			}
		},
		CEL: "!" + has("object.spec.workload.priorityClassName") + " || object.spec.workload.priorityClassName == '' || (" +
			has("params.spec.capabilities.priorityClassNames") + " && object.spec.workload.priorityClassName in params.spec.capabilities.priorityClassNames)",
	},
	{
		ID: "crossNamespaceReferences", ClassField: "spec.references.crossNamespace", GatewayField: "spec.defaultCertificate.secretRef, spec.defaultBackend, spec.tcp[*].backend, spec.udp[*].backend",
		Check: func(in Input, v func(*field.Path, string)) {
			if in.Class.Spec.References.CrossNamespace {
				return
			}
			for _, r := range facts.References(in.Gateway) {
				if r.Namespace != in.Gateway.Namespace {
					v(r.Field.Child("namespace"), fmt.Sprintf("%s %s/%s is in another namespace; references to other namespaces are not allowed", r.Kind, r.Namespace, r.Name))
				}
			}
		},
		CEL: "(" + has("params.spec.references.crossNamespace") + " && params.spec.references.crossNamespace) || (" + sameNamespaceCEL + ")",
	},
	{
		ID: "scopeReferences", ClassField: "spec.dataPlane.scope", GatewayField: "spec.defaultCertificate.secretRef, spec.defaultBackend, spec.tcp[*].backend, spec.udp[*].backend",
		Check: func(in Input, v func(*field.Path, string)) {
			if in.Class.Spec.DataPlane.Scope != v1alpha1.ScopeGatewayNamespace {
				return
			}
			for _, r := range facts.References(in.Gateway) {
				if r.Namespace != in.Gateway.Namespace {
					v(r.Field.Child("namespace"), fmt.Sprintf("%s %s/%s is in another namespace, and the data plane's scope GatewayNamespace reads only the gateway's namespace", r.Kind, r.Namespace, r.Name))
				}
			}
		},
		CEL: "!" + has("params.spec.dataPlane.scope") + " || params.spec.dataPlane.scope != 'GatewayNamespace' || (" + sameNamespaceCEL + ")",
	},
	{
		ID: "referenceGrant", ClassField: "spec.references.crossNamespace", GatewayField: "spec.defaultCertificate.secretRef, spec.defaultBackend, spec.tcp[*].backend, spec.udp[*].backend",
		Check: func(in Input, v func(*field.Path, string)) {
			if !in.Class.Spec.References.CrossNamespace || in.Class.Spec.DataPlane.Scope == v1alpha1.ScopeGatewayNamespace {
				return // reported by the two rules above
			}
			for _, r := range facts.References(in.Gateway) {
				if r.Namespace != in.Gateway.Namespace && !Granted(r, in.Gateway.Namespace, in.Grants) {
					v(r.Field, fmt.Sprintf("%s %s/%s is in another namespace, and no IngressGatewayGrant in namespace %s lets namespace %s reference it",
						r.Kind, r.Namespace, r.Name, r.Namespace, in.Gateway.Namespace))
				}
			}
		},
		Why: "needs the IngressGatewayGrants of the referenced namespaces, which an admission policy cannot read",
	},
	{
		ID: "traefikConfig", ClassField: "spec.dataPlane.driver", GatewayField: "spec.controller.config",
		Check: func(in Input, v func(*field.Path, string)) {
			if !traefikClass(in.Class) {
				return
			}
			c := in.Gateway.Spec.Controller.Config
			for _, k := range slicesSorted(c) {
				if _, _, _, err := facts.TraefikConfigOption(k, c[k]); err != nil {
					f := ctrlPath.Child("config").Key(k)
					v(f, strings.TrimPrefix(err.Error(), f.String()+": ")+" (portico migrate-check says what it changes)")
				}
			}
		},
		CEL: notTraefikCEL + " || !has(object.spec.controller) || !has(object.spec.controller.config) || object.spec.controller.config.all(k, k in " + celList(facts.TraefikConfigKeys()) + ")",
	},
	{
		ID: "traefikExtraArgs", ClassField: "spec.dataPlane.driver", GatewayField: "spec.controller.extraArgs",
		Check: func(in Input, v func(*field.Path, string)) {
			if !traefikClass(in.Class) {
				return
			}
			for _, k := range slicesSorted(in.Gateway.Spec.Controller.ExtraArgs) {
				if k != facts.WatchWithoutClassFlag {
					v(ctrlPath.Child("extraArgs").Key(k), fmt.Sprintf("--%s is an ingress-nginx flag, which Traefik does not take (the traefik driver translates only --%s); remove it", k, facts.WatchWithoutClassFlag))
				}
			}
		},
		CEL: notTraefikCEL + " || !" + has("object.spec.controller.extraArgs") + " || object.spec.controller.extraArgs.all(k, k == '" + facts.WatchWithoutClassFlag + "')",
	},
	{
		ID: "traefikWebhook", ClassField: "spec.dataPlane.driver", GatewayField: "spec.admissionWebhook",
		Check: func(in Input, v func(*field.Path, string)) {
			if !traefikClass(in.Class) {
				return
			}
			a := in.Gateway.Spec.AdmissionWebhook
			p := spec.Child("admissionWebhook")
			const why = "Traefik has no admission webhook (Ingresses are checked when Traefik loads them, not when they are written), so there is nothing to configure; remove it"
			if a.FailurePolicy != "" && a.FailurePolicy != "Fail" {
				v(p.Child("failurePolicy"), why)
			}
			if a.Port != 0 && a.Port != facts.DefaultWebhookPort {
				v(p.Child("port"), why)
			}
			if a.TimeoutSeconds != nil {
				v(p.Child("timeoutSeconds"), why)
			}
		},
		CEL: notTraefikCEL + " || !has(object.spec.admissionWebhook) || ((!has(object.spec.admissionWebhook.failurePolicy) || object.spec.admissionWebhook.failurePolicy == 'Fail') && " +
			"(!has(object.spec.admissionWebhook.port) || object.spec.admissionWebhook.port == " + fmt.Sprint(facts.DefaultWebhookPort) + ") && !has(object.spec.admissionWebhook.timeoutSeconds))",
	},
	{
		ID: "traefikPorts", ClassField: "spec.dataPlane.driver", GatewayField: "spec.ports",
		Check: func(in Input, v func(*field.Path, string)) {
			if !traefikClass(in.Class) {
				return
			}
			for _, p := range facts.NGINXOnlyPorts(in.Gateway) {
				if p.Port != 0 && p.Port != p.Default {
					v(p.Field, fmt.Sprintf("%d is an ingress-nginx internal port, which Traefik does not bind; remove it (its default, %d, is then ignored)", p.Port, p.Default))
				}
			}
		},
		CEL: notTraefikCEL + " || !has(object.spec.ports) || (" + nginxPortsCEL() + ")",
	},
	{
		ID: "traefikDefaultCertificate", ClassField: "spec.dataPlane.driver", GatewayField: "spec.defaultCertificate.secretRef.namespace",
		Check: func(in Input, v func(*field.Path, string)) {
			if !traefikClass(in.Class) {
				return
			}
			if key, ok := facts.DefaultCertificateKey(in.Gateway); ok && key.Namespace != in.Gateway.Namespace {
				v(spec.Child("defaultCertificate", "secretRef", "namespace"), fmt.Sprintf("Secret %s is in another namespace, and Traefik reads its default certificate from a Secret mounted into its pods, which must be in the gateway's namespace %s; copy the Secret there", key, in.Gateway.Namespace))
			}
		},
		CEL: notTraefikCEL + " || !has(object.spec.defaultCertificate) || !('namespace' in object.spec.defaultCertificate.secretRef) || object.spec.defaultCertificate.secretRef['namespace'] in ['', request.namespace]",
	},
}

// notTraefikCEL holds when the class's driver is not traefik.
const notTraefikCEL = "(!" + "has(params.spec.dataPlane) || !has(params.spec.dataPlane.driver) || params.spec.dataPlane.driver != 'traefik')"

func traefikClass(c *v1alpha1.IngressGatewayClass) bool {
	return c.Spec.DataPlane.Driver == v1alpha1.DriverTraefik
}

// celList is a CEL list literal of strings.
func celList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = "'" + s + "'"
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// nginxPortsCEL holds when every ingress-nginx-only port is unset or at
// its default.
func nginxPortsCEL() string {
	var out []string
	for _, p := range facts.NGINXOnlyPorts(&v1alpha1.IngressGateway{}) {
		f := "object.spec.ports." + p.Field.String()[len("spec.ports."):]
		out = append(out, fmt.Sprintf("(!has(%s) || %s == %d)", f, f, p.Default))
	}
	return strings.Join(out, " && ")
}

// sameNamespaceCEL holds when every reference stays in the gateway's
// namespace (an empty namespace is the gateway's). The API server hands a policy schemaless objects, on which an
// escaped field name (__namespace__) finds nothing: the reserved word
// "namespace" is read with index syntax instead.
const sameNamespaceCEL = "(!has(object.spec.defaultCertificate) || !('namespace' in object.spec.defaultCertificate.secretRef) || object.spec.defaultCertificate.secretRef['namespace'] in ['', request.namespace]) && " +
	"(!has(object.spec.defaultBackend) || !('namespace' in object.spec.defaultBackend) || object.spec.defaultBackend['namespace'] in ['', request.namespace]) && " +
	"(!has(object.spec.tcp) || object.spec.tcp.all(e, !('namespace' in e.backend) || e.backend['namespace'] in ['', request.namespace])) && " +
	"(!has(object.spec.udp) || object.spec.udp.all(e, !('namespace' in e.backend) || e.backend['namespace'] in ['', request.namespace])) && " +
	// ssl-dh-param names a Secret as <namespace>/<name>.
	"(!has(object.spec.controller) || !has(object.spec.controller.config) || !('ssl-dh-param' in object.spec.controller.config) || " +
	"!object.spec.controller.config['ssl-dh-param'].contains('/') || object.spec.controller.config['ssl-dh-param'].startsWith(request.namespace + '/'))"

func imageCEL(img string) string {
	parent := img[:strings.LastIndex(img, ".")]
	return "!has(" + parent + ") || !has(" + img + ") || " + img + " == '' || (" + has("params.spec.dataPlane.allowedImages") + " && " + img + " in params.spec.dataPlane.allowedImages)"
}

const nsLabels = "namespaceObject.metadata.labels"

var namespaceCEL = "(" + has("params.spec.allowedNamespaces.all") + " && params.spec.allowedNamespaces.all) || " +
	"(" + has("params.spec.allowedNamespaces.names") + " && request.namespace in params.spec.allowedNamespaces.names) || " +
	"(" + has("params.spec.allowedNamespaces.selector") + " && " +
	"(!has(params.spec.allowedNamespaces.selector.matchLabels) || params.spec.allowedNamespaces.selector.matchLabels.all(k, has(" + nsLabels + ") && k in " + nsLabels + " && " + nsLabels + "[k] == params.spec.allowedNamespaces.selector.matchLabels[k])) && " +
	"(!has(params.spec.allowedNamespaces.selector.matchExpressions) || params.spec.allowedNamespaces.selector.matchExpressions.all(e, " +
	"e.operator == 'In' ? (has(" + nsLabels + ") && e.key in " + nsLabels + " && " + nsLabels + "[e.key] in e.values) : " +
	"e.operator == 'NotIn' ? !(has(" + nsLabels + ") && e.key in " + nsLabels + " && " + nsLabels + "[e.key] in e.values) : " +
	"e.operator == 'Exists' ? (has(" + nsLabels + ") && e.key in " + nsLabels + ") : " +
	"!(has(" + nsLabels + ") && e.key in " + nsLabels + "))))"

// Check runs every rule and returns the violations in table order.
func Check(in Input) []Violation {
	var out []Violation
	for _, r := range Rules {
		r.Check(in, func(p *field.Path, detail string) {
			out = append(out, Violation{Rule: r.ID, Class: in.Class.Name, ClassField: r.ClassField, Field: p, Detail: detail})
		})
	}
	return out
}

// NamespaceAllowed reports whether class allows gateways in namespace ns
// with labels nsLabels.
func NamespaceAllowed(class *v1alpha1.IngressGatewayClass, ns string, nsLabels map[string]string) bool {
	a := class.Spec.AllowedNamespaces
	if a.All || slices.Contains(a.Names, ns) {
		return true
	}
	if a.Selector == nil || (len(a.Selector.MatchLabels) == 0 && len(a.Selector.MatchExpressions) == 0) {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(a.Selector)
	if err != nil {
		return false
	}
	return sel.Matches(labels.Set(nsLabels))
}

func imageAllowed(class *v1alpha1.IngressGatewayClass, img string) bool {
	return slices.Contains(class.Spec.DataPlane.AllowedImages, img)
}

// inPools reports whether CIDR a (the address with its prefix, which
// keepalived installs as given, connected route included) lies inside one
// of pools: the address in the pool, and a prefix at least as long.
func inPools(a string, pools []string) bool {
	p, err := netip.ParsePrefix(a)
	if err != nil {
		return false
	}
	for _, pool := range pools {
		if pp, err := netip.ParsePrefix(pool); err == nil && pp.Masked().Contains(p.Addr()) && p.Bits() >= pp.Bits() {
			return true
		}
	}
	return false
}

func sameToleration(a, b corev1.Toleration) bool {
	return a.Key == b.Key && orDefault(string(a.Operator), "Equal") == orDefault(string(b.Operator), "Equal") &&
		a.Value == b.Value && a.Effect == b.Effect
}

// IsSnippetKey reports whether the ingress-nginx ConfigMap entry k: value
// turns snippets on: a *-snippet key (main-, http-, server-, location-,
// stream-snippet and the like) or annotations-risk-level Critical, in any
// letter case (ingress-nginx lowercases the level).
func IsSnippetKey(k, value string) bool {
	k, value = strings.ToLower(k), strings.ToLower(value)
	// allow-cross-namespace-resources lets Ingress annotations name Secrets
	// of any namespace, past any grant: as dangerous as a snippet.
	return strings.HasSuffix(k, "-snippet") || (k == "annotations-risk-level" && value == "critical") ||
		(k == "allow-cross-namespace-resources" && value == "true")
}

func slicesSorted(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
