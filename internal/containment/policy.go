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

// Package containment generates the admission policies that confine the
// operator's own ServiceAccount to what it owns. RBAC cannot say "only our
// objects"; the API server's admission policies can. Every kind the
// renderer produces (render.ManagedKinds) must have a rule here, and a test
// fails when one lacks it.
package containment

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

const (
	// WritesPolicyName confines what the operator may write.
	WritesPolicyName = "portico-operator-writes"
	// NamespacesPolicyName confines where it may write namespaced children:
	// only next to an IngressGateway that controls them.
	NamespacesPolicyName = "portico-operator-namespaces"
	// LeaderElectionID is the operator's own Lease (internal/manager).
	LeaderElectionID = "portico-operator.ingress.portico.dev"
)

// Rule is a kind the operator writes, the resource the API server names it
// by, and the CEL that must hold for the written object (variables.obj: the
// object, or the old one on DELETE).
type Rule struct {
	Group, Resource, Kind string
	// Namespaced: the kind lives in a namespace.
	Namespaced bool
	// CEL holds for every write of the kind by the operator; "" when the
	// common rules (labels, namespace) suffice, with Why saying so.
	CEL, Why string
	// Message is the denial.
	Message string
}

// operatorUser matches the operator's ServiceAccount in any namespace, so
// overlays that move the operator keep the policies.
const operatorUser = "request.userInfo.username.startsWith('system:serviceaccount:') && request.userInfo.username.endsWith(':portico-controller-manager')"

// IsOperator reports whether username is one operatorUser matches.
func IsOperator(username string) bool {
	return strings.HasPrefix(username, "system:serviceaccount:") && strings.HasSuffix(username, ":portico-controller-manager")
}

// label reads a label of variables.obj (empty when absent).
func label(key string) string {
	return "(has(variables.obj.metadata.labels) && '" + key + "' in variables.obj.metadata.labels ? variables.obj.metadata.labels['" + key + "'] : '')"
}

// oldLabel reads a label of oldObject (empty when absent).
func oldLabel(key string) string {
	return "(has(oldObject.metadata.labels) && '" + key + "' in oldObject.metadata.labels ? oldObject.metadata.labels['" + key + "'] : '')"
}

// controllerUIDs is the list of the UIDs of o's controller references.
func controllerUIDs(o string) string {
	return "(has(" + o + ".metadata.ownerReferences) ? " + o + ".metadata.ownerReferences.filter(r, has(r.controller) && r.controller).map(r, r.uid) : [])"
}

// The gateway an object's labels name, as variables of the writes policy:
// the API server evaluates a variable once per request, an expression as
// often as it is written.
const (
	gwName = "variables.gateway"
	gwNs   = "variables.gatewayNamespace"
)

// policyLabels are the labels of every policy and binding shipped here.
func policyLabels() map[string]string {
	return map[string]string{"app.kubernetes.io/name": "portico", "app.kubernetes.io/part-of": "portico"}
}

// ShardCEL is render.ShardOf in CEL, of the string expression name: the
// same alphabet, weights and modulus (TestShardCELIsShardOf).
func ShardCEL(name string) string {
	var terms []string
	for i, w := range render.ShardWeights {
		idx := fmt.Sprintf("'%s'.indexOf(%s.charAt(size(%s) - %d))", render.ShardAlphabet, name, name, i+1)
		terms = append(terms, fmt.Sprintf("(size(%s) > %d ? %d * (%s < 0 ? 0 : %s) : 0)", name, i, w, idx, idx))
	}
	return fmt.Sprintf("'%s'.charAt((%s) %% %d)", render.ShardDigits, strings.Join(terms, " + "), len(render.ShardDigits))
}

// Rules lists every kind the operator writes.
var Rules = []Rule{
	{Group: "", Resource: "serviceaccounts", Kind: "ServiceAccount", Namespaced: true,
		CEL:     "variables.obj.metadata.name.endsWith('-controller')",
		Message: "the operator may only write its fleets' <gateway>-controller ServiceAccounts"},
	{Group: "rbac.authorization.k8s.io", Resource: "roles", Kind: "Role", Namespaced: true,
		CEL: "!has(variables.obj.rules) || variables.obj.rules.all(r, has(r.resourceNames) && size(r.resourceNames) > 0 && " +
			"r.apiGroups == ['coordination.k8s.io'] && r.resources == ['leases'] && r.verbs.all(v, v in ['get', 'update', 'patch']))",
		Message: "the operator may only write Roles granting get/update/patch on named Leases"},
	{Group: "rbac.authorization.k8s.io", Resource: "rolebindings", Kind: "RoleBinding", Namespaced: true,
		CEL: "((variables.obj.roleRef.kind == 'ClusterRole' && variables.obj.roleRef.name in ['" + render.DefaultNamespacedClusterRole + "', '" + render.DefaultTraefikNamespacedClusterRole + "']) || " +
			"(variables.obj.roleRef.kind == 'Role' && variables.obj.roleRef.name.endsWith('-leader-election'))) && " +
			"has(variables.obj.subjects) && size(variables.obj.subjects) == 1 && variables.obj.subjects.all(s, s.kind == 'ServiceAccount' && " +
			"s.name.endsWith('-controller') && s['namespace'] == variables.ns)",
		Message: "the operator may only bind " + render.DefaultNamespacedClusterRole + ", " + render.DefaultTraefikNamespacedClusterRole + " or a <gateway>-leader-election Role to its fleet's own <gateway>-controller ServiceAccount"},
	{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings", Kind: "ClusterRoleBinding",
		CEL: "variables.obj.roleRef.kind == 'ClusterRole' && variables.obj.roleRef.name in ['" + render.DefaultClusterRole + "', '" + render.DefaultScopedClusterRole + "', '" + render.DefaultTraefikClusterRole + "', '" + render.DefaultTraefikScopedClusterRole + "'] && " +
			"variables.obj.metadata.name == 'portico:' + " + gwNs + " + ':' + " + gwName + " && " +
			"has(variables.obj.subjects) && size(variables.obj.subjects) == 1 && variables.obj.subjects.all(s, s.kind == 'ServiceAccount' && " +
			"s['namespace'] == " + gwNs + " && s.name.endsWith('-controller') && (s.name == " + gwName + " + '-controller' || " +
			"(size(" + gwName + ") > 52 && s.name.startsWith(" + gwName + ".substring(0, 20)))))",
		Message: "the operator may only bind the shipped data-plane ClusterRoles, as portico:<namespace>:<gateway>, to that gateway's own <gateway>-controller ServiceAccount"},
	{Group: "", Resource: "configmaps", Kind: "ConfigMap", Namespaced: true,
		Why: "labels and the namespace rule suffice: the ConfigMaps hold only the fleet's own configuration"},
	{Group: "", Resource: "services", Kind: "Service", Namespaced: true,
		CEL:     "request.operation == 'DELETE' || !has(variables.obj.spec.externalIPs) || size(variables.obj.spec.externalIPs) == 0",
		Message: "the operator may not write Services with externalIPs"},
	{Group: "apps", Resource: "daemonsets", Kind: "DaemonSet", Namespaced: true, CEL: podCEL("variables.obj.spec.template.spec"), Message: podMessage},
	{Group: "apps", Resource: "deployments", Kind: "Deployment", Namespaced: true, CEL: podCEL("variables.obj.spec.template.spec"), Message: podMessage},
	{Group: "networking.k8s.io", Resource: "ingressclasses", Kind: "IngressClass",
		CEL:     "request.operation == 'DELETE' || variables.obj.spec.controller.startsWith('" + render.ControllerClassPrefix + "')",
		Message: "the operator may only write IngressClasses with a " + render.ControllerClassPrefix + " controller"},
	{Group: "", Resource: "secrets", Kind: "Secret", Namespaced: true,
		CEL: "(!has(variables.obj.type) || variables.obj.type in ['Opaque', 'kubernetes.io/tls']) && " +
			"(variables.obj.metadata.name.endsWith('-admission') || variables.obj.metadata.name.endsWith('-admission-ca') || " +
			"(variables.ns == variables.ownNs && variables.obj.metadata.name == 'portico-webhook-server-cert'))",
		Message: "the operator may only write Opaque or TLS Secrets named <gateway>-admission, <gateway>-admission-ca or its own webhook certificate (never service-account or bootstrap tokens)"},
	{Group: "admissionregistration.k8s.io", Resource: "validatingwebhookconfigurations", Kind: "ValidatingWebhookConfiguration",
		CEL: "request.operation == 'DELETE' || (has(variables.obj.webhooks) && variables.obj.webhooks.all(w, has(w.rules) && " +
			"has(w.clientConfig.service) && !has(w.clientConfig.url) && (" +
			// A gateway's: Ingresses only, behind a match condition, called
			// at the gateway's own admission Service.
			"(" + gwName + " != '' && w.clientConfig.service['namespace'] == " + gwNs + " && w.clientConfig.service.name.endsWith('-admission') && " +
			"has(w.matchConditions) && size(w.matchConditions) > 0 && " +
			"w.rules.all(r, r.apiGroups == ['networking.k8s.io'] && r.resources == ['ingresses'])) || " +
			// The operator's own: Portico's kinds, at a Service of its namespace.
			"(" + gwName + " == '' && w.clientConfig.service['namespace'] == variables.ownNs && " +
			"w.rules.all(r, r.apiGroups == ['" + v1alpha1.GroupVersion.Group + "'] && r.resources.all(x, x in ['ingressgateways', 'ingressgatewayclasses']))))))",
		Message: "the operator may only write webhook configurations that send a gateway's Ingresses, behind a match condition, to that gateway's admission Service (or its own, for IngressGateways and IngressGatewayClasses, to its own namespace)"},
	{Group: "coordination.k8s.io", Resource: "leases", Kind: "Lease", Namespaced: true,
		CEL:     "variables.obj.metadata.name.endsWith('-vip') || (variables.ns == variables.ownNs && variables.obj.metadata.name == '" + LeaderElectionID + "')",
		Message: "the operator may only write its fleets' <gateway>-vip Leases and its own leader-election Lease"},
	{Group: "policy", Resource: "poddisruptionbudgets", Kind: "PodDisruptionBudget", Namespaced: true,
		Why: "labels and the namespace rule suffice: a PodDisruptionBudget only limits evictions of the fleet's own pods"},
}

// capabilities are the only ones the renderer adds: NET_BIND_SERVICE for
// the controller, keepalived's VRRP set for the VIP sidecar.
var capabilities = []string{"NET_BIND_SERVICE", "NET_ADMIN", "NET_RAW", "NET_BROADCAST", "SETGID"}

const podMessage = "the operator may only write fleet workloads: their <gateway>-controller ServiceAccount, no privileged containers, hostPID, hostIPC or hostPath volumes, and only the capabilities Portico renders"

func podCEL(pod string) string {
	return "request.operation == 'DELETE' || (" + pod + ".serviceAccountName.endsWith('-controller') && " +
		"!(has(" + pod + ".hostPID) && " + pod + ".hostPID) && !(has(" + pod + ".hostIPC) && " + pod + ".hostIPC) && " +
		"(!has(" + pod + ".volumes) || " + pod + ".volumes.all(v, !has(v.hostPath))) && " +
		"(" + pod + ".containers + (has(" + pod + ".initContainers) ? " + pod + ".initContainers : [])).all(c, " +
		"!(has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged) && " +
		"(!has(c.securityContext) || !has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || " +
		"c.securityContext.capabilities.add.all(a, a in ['" + strings.Join(capabilities, "', '") + "']))))"
}

// Policies returns the two policies and their bindings.
func Policies() []client.Object {
	labels := policyLabels()
	ops := []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update, admissionregistrationv1.Delete}
	var all, namespaced []admissionregistrationv1.NamedRuleWithOperations
	rule := func(r Rule, ops []admissionregistrationv1.OperationType) admissionregistrationv1.NamedRuleWithOperations {
		return admissionregistrationv1.NamedRuleWithOperations{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: ops, Rule: admissionregistrationv1.Rule{APIGroups: []string{r.Group}, APIVersions: []string{"*"}, Resources: []string{r.Resource}},
		}}
	}
	validations := []admissionregistrationv1.Validation{{
		// Nothing without Portico's label is modified or deleted, and
		// nothing is written without it; the operator's own leader-election
		// Lease (client-go writes it without labels) is the exception.
		Expression: "variables.ownLease || ((request.operation == 'CREATE' || variables.oldPortico) && (request.operation == 'DELETE' || variables.newPortico))",
		MessageExpression: "'the Portico operator may only write objects labelled app.kubernetes.io/part-of=portico, before and after the write; ' + " +
			"request.resource.resource + ' ' + (variables.ns != '' ? variables.ns + '/' : '') + request.name + ' is not one of them'",
		Reason: ptr.To(metav1.StatusReasonForbidden),
	}, {
		// Outside its own namespace everything belongs to a gateway: the
		// gateway labels name it, in the object's own namespace.
		Expression: "variables.ownLease || (variables.ns == variables.ownNs && " + gwName + " == '' && request.resource.resource == 'secrets') || " +
			"(variables.ns == '' && request.resource.resource == 'validatingwebhookconfigurations' && " + gwName + " == '') || (" + gwName + " != '' && " + gwNs + " != '' && " +
			"(variables.ns == '' || (" + gwNs + " == variables.ns && has(variables.obj.metadata.ownerReferences) && " +
			"variables.obj.metadata.ownerReferences.exists(r, has(r.controller) && r.controller && r.kind == 'IngressGateway' && r.name == " + gwName + "))))",
		MessageExpression: "'the Portico operator may only write objects of a gateway (labels " + render.GatewayNameLabel + " and " + render.GatewayNamespaceLabel +
			" naming it and, in a namespace, that gateway as controller owner) or its own webhook certificate; ' + request.resource.resource + ' ' + request.name + ' is neither'",
		Reason: ptr.To(metav1.StatusReasonForbidden),
	}}
	validations = append(validations, AdoptionValidation(), admissionregistrationv1.Validation{
		// The shard label of a namespaced child is its gateway's, computed
		// from the name its labels give (which the namespaces policy holds
		// to the controller): the namespaces policy's binding for that
		// shard checks it. Without the label (an operator older than
		// shards, while it is replaced) the binding for unsharded objects
		// checks it against every gateway of the namespace.
		Expression: "variables.ns == '' || " + gwName + " == '' || request.operation == 'DELETE' || " + label(render.ShardLabel) + " == '' || " +
			label(render.ShardLabel) + " == variables.shard",
		MessageExpression: "'the Portico operator may only write the namespaced objects of a gateway with the label " + render.ShardLabel +
			" set to the shard of the gateway they name (' + variables.shard + ' for ' + " + gwName + " + '), or without it'",
		Reason: ptr.To(metav1.StatusReasonForbidden),
	})
	// The kinds' own rules are one validation, a rule per kind chosen by
	// the request's resource: the API server evaluates every validation of
	// a policy on every write, each with its own setup.
	var kindRule, kindMessage strings.Builder
	for _, r := range Rules {
		all = append(all, rule(r, ops))
		if r.Namespaced {
			// Not DELETE: the garbage collector and the namespace
			// controller delete children after their gateway is gone.
			namespaced = append(namespaced, rule(r, ops[:2]))
		}
		if r.CEL == "" {
			continue
		}
		is := fmt.Sprintf("request.resource.resource == '%s' && request.resource.group == '%s'", r.Resource, r.Group)
		fmt.Fprintf(&kindRule, "(%s) ? (%s) : ", is, r.CEL)
		fmt.Fprintf(&kindMessage, "(%s) ? %s : ", is, strconv.Quote(r.Message))
	}
	validations = append(validations, admissionregistrationv1.Validation{
		Expression:        kindRule.String() + "true",
		MessageExpression: kindMessage.String() + "''",
		Message:           "the Portico operator may only write objects as Portico renders them",
		Reason:            ptr.To(metav1.StatusReasonForbidden),
	})
	portico := func(o string) string {
		return "has(" + o + ".metadata.labels) && 'app.kubernetes.io/part-of' in " + o + ".metadata.labels && " + o + ".metadata.labels['app.kubernetes.io/part-of'] == 'portico'"
	}
	writes := &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: WritesPolicyName, Labels: labels},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy:    ptr.To(admissionregistrationv1.Fail),
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: all},
			MatchConditions:  []admissionregistrationv1.MatchCondition{{Name: "portico-operator", Expression: operatorUser}},
			Variables: []admissionregistrationv1.Variable{
				// Cluster-scoped requests carry no namespace at all.
				{Name: "ns", Expression: "has(request.namespace) ? request.namespace : ''"},
				{Name: "ownNs", Expression: "request.userInfo.username.split(':')[2]"},
				{Name: "obj", Expression: "request.operation == 'DELETE' ? oldObject : object"},
				{Name: "oldPortico", Expression: "oldObject != null && " + portico("oldObject")},
				{Name: "newPortico", Expression: "object != null && " + portico("object")},
				{Name: "ownLease", Expression: "request.resource.resource == 'leases' && variables.ns == variables.ownNs && request.name == '" + LeaderElectionID + "'"},
				{Name: "gateway", Expression: label(render.GatewayNameLabel)},
				{Name: "gatewayNamespace", Expression: label(render.GatewayNamespaceLabel)},
				// The shard of the gateway the object names (render.ShardOf).
				{Name: "shard", Expression: ShardCEL(gwName)},
			},
			Validations: validations,
		},
	}
	// Namespaced children only next to a gateway: the parameters are the
	// IngressGateways of the request's namespace in the child's shard
	// (none: denied), and the child's controller reference must carry the
	// UID of the gateway its labels name when that gateway is among them.
	// Gateways exist only where a class allows them (the class policy), so
	// kube-system holds Portico objects only where an admin allowed
	// gateways there. Creates and updates of objects carrying the gateway
	// label are matched, by anyone: in a namespace without a gateway nobody
	// may create or change one (the API server resolves parameters before
	// it evaluates who asks).
	where := &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: NamespacesPolicyName, Labels: labels},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy:    ptr.To(admissionregistrationv1.Fail),
			ParamKind:        &admissionregistrationv1.ParamKind{APIVersion: v1alpha1.GroupVersion.String(), Kind: "IngressGateway"},
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: namespaced},
			// Who asks is part of the validation, not a match condition:
			// the API server builds a fresh activation, converting the
			// parameter gateway anew, for the match conditions, the
			// validations and the messages of every parameter.
			Variables: []admissionregistrationv1.Variable{
				{Name: "ns", Expression: "request.namespace"},
				{Name: "obj", Expression: "request.operation == 'DELETE' ? oldObject : object"},
			},
			Validations: []admissionregistrationv1.Validation{{
				Expression: "!(" + operatorUser + ") || request.namespace == request.userInfo.username.split(':')[2] || " +
					"params.metadata.name != " + label(render.GatewayNameLabel) + " || (has(variables.obj.metadata.ownerReferences) && " +
					"variables.obj.metadata.ownerReferences.exists(r, has(r.controller) && r.controller && r.kind == 'IngressGateway' && r.uid == params.metadata.uid))",
				MessageExpression: "'the Portico operator may only write namespaced objects controlled by an IngressGateway of their namespace; ' + " +
					"request.resource.resource + ' ' + variables.ns + '/' + request.name + ' is not controlled by IngressGateway ' + params.metadata.name",
				Reason: ptr.To(metav1.StatusReasonForbidden),
			}},
		},
	}
	binding := func(name string) *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
		return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicyBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
				PolicyName: name, ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
			},
		}
	}
	out := []client.Object{writes, binding(WritesPolicyName), where}
	// The API server evaluates a policy once per parameter, and each
	// evaluation converts the parameter (a whole IngressGateway) anew: one
	// binding over every gateway of the namespace makes each child's write
	// cost O(gateways in the namespace). So one binding per shard selects
	// the gateways of the child's shard only (render.ShardLabel: the
	// shard of the gateway's name, render.ShardOf, which the writes policy
	// holds the child's label to), and one more, over every gateway of the
	// namespace, takes objects without a valid shard label (children
	// written before shards existed). The API server resolves parameters
	// before match conditions: only objects that name a gateway are
	// matched, so nobody else's writes depend on gateways existing.
	for _, shard := range append([]string{""}, Shards...) {
		b := binding(NamespacesPolicyName)
		sel := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: render.GatewayNameLabel, Operator: metav1.LabelSelectorOpExists}}}
		params := &metav1.LabelSelector{}
		if shard == "" {
			sel.MatchExpressions = append(sel.MatchExpressions, metav1.LabelSelectorRequirement{Key: render.ShardLabel, Operator: metav1.LabelSelectorOpNotIn, Values: Shards})
		} else {
			b.Name += "-" + shard
			sel.MatchLabels = map[string]string{render.ShardLabel: shard}
			params.MatchLabels = map[string]string{render.ShardLabel: shard}
		}
		b.Spec.ParamRef = &admissionregistrationv1.ParamRef{Selector: params, ParameterNotFoundAction: ptr.To(admissionregistrationv1.DenyAction)}
		b.Spec.MatchResources = &admissionregistrationv1.MatchResources{ObjectSelector: sel}
		out = append(out, b)
	}
	return out
}

// Shards are the values of render.ShardLabel (render.ShardOf's hex digits).
var Shards = strings.Split(render.ShardDigits, "")

// BindingNames are the names of the bindings of each policy (computed
// once: the reconciler asks on every pass; do not modify the map).
var BindingNames = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for _, o := range Policies() {
		if b, ok := o.(*admissionregistrationv1.ValidatingAdmissionPolicyBinding); ok {
			out[b.Spec.PolicyName] = append(out[b.Spec.PolicyName], b.Name)
		}
	}
	return out
})

// AdoptionValidation is the writes policy's rule against adoption: an
// update keeps the object its gateway's (the operator checks the installed
// policy carries it before it applies without reading first).
func AdoptionValidation() admissionregistrationv1.Validation {
	return admissionregistrationv1.Validation{
		// An update keeps the object its gateway's: the same gateway labels
		// and, in a namespace, the same controller UID (cluster-scoped: the
		// same gateway-UID annotation, where the old object has one). The
		// API server refuses adoption itself, so the operator need not read
		// an object before it applies it (internal/apply).
		Expression: "request.operation != 'UPDATE' || variables.ownLease || (" +
			oldLabel(render.GatewayNameLabel) + " == " + gwName + " && " + oldLabel(render.GatewayNamespaceLabel) + " == " + gwNs + " && " +
			"(" + gwName + " == '' || (variables.ns != '' ? " + controllerUIDs("oldObject") + " == " + controllerUIDs("variables.obj") + " : " +
			"(!has(oldObject.metadata.annotations) || !('" + render.GatewayUIDAnnotation + "' in oldObject.metadata.annotations) || " +
			"(has(variables.obj.metadata.annotations) && '" + render.GatewayUIDAnnotation + "' in variables.obj.metadata.annotations && " +
			"oldObject.metadata.annotations['" + render.GatewayUIDAnnotation + "'] == variables.obj.metadata.annotations['" + render.GatewayUIDAnnotation + "'])))))",
		MessageExpression: "'the Portico operator may not move an object to another gateway (or another gateway of the same name); ' + " +
			"request.resource.resource + ' ' + (variables.ns != '' ? variables.ns + '/' : '') + request.name + ' belongs to ' + " +
			oldLabel(render.GatewayNamespaceLabel) + " + '/' + " + oldLabel(render.GatewayNameLabel),
		Reason: ptr.To(metav1.StatusReasonForbidden),
	}
}

// WritesPolicy is the policy confining what the operator may write
// (computed once: the reconciler compares the installed one with it on
// every pass; do not modify it).
var WritesPolicy = sync.OnceValue(func() *admissionregistrationv1.ValidatingAdmissionPolicy {
	return Policies()[0].(*admissionregistrationv1.ValidatingAdmissionPolicy)
})

// PolicyYAML is Policies as shipped in config/policy.
func PolicyYAML() ([]byte, error) {
	y, err := render.YAML(Policies())
	if err != nil {
		return nil, err
	}
	return append([]byte("# Generated by internal/containment (make test-update-golden); do not edit.\n"+
		"# The API server confines the operator's ServiceAccount to the objects it\n"+
		"# owns, which RBAC cannot express. See docs/security.md.\n"), y...), nil
}
