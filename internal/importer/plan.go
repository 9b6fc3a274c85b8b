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

package importer

import (
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/internal/render"
)

// objRef is an object of the old install, as kubectl names it.
type objRef struct {
	namespace string // "" for cluster-scoped objects
	kind      string // lower case, as kubectl takes it
	name      string
}

// deleteCommands returns the kubectl commands that delete refs, one per
// namespace, joined with &&.
func deleteCommands(refs []objRef) string {
	var order []string
	byNS := map[string][]string{}
	for _, o := range refs {
		if _, ok := byNS[o.namespace]; !ok {
			order = append(order, o.namespace)
		}
		byNS[o.namespace] = append(byNS[o.namespace], o.kind+"/"+o.name)
	}
	var cmds []string
	for _, ns := range order {
		cmd := "kubectl delete "
		if ns != "" {
			cmd = "kubectl -n " + ns + " delete "
		}
		cmds = append(cmds, cmd+strings.Join(byNS[ns], " "))
	}
	return strings.Join(cmds, " && ")
}

// builtinRoles are the cluster's own ClusterRoles, never the install's even
// when it binds them.
var builtinRoles = []string{"cluster-admin", "admin", "edit", "view"}

func portico(m metav1.Object) bool {
	return m.GetLabels()[render.ManagedByLabel] == render.ManagedByValue
}

// installObjects returns the old install's objects the input holds, other
// than the controller workload and IngressClasses, and apart from those its
// ValidatingWebhookConfigurations.
func (r *importRun) installObjects() (objs []objRef, webhooks []objRef) {
	ns := r.w.namespace
	add := func(namespace, kind, name string) {
		if o := (objRef{namespace, kind, name}); !slices.Contains(objs, o) {
			objs = append(objs, o)
		}
	}
	for _, s := range r.podServices {
		add(s.Namespace, "service", s.Name)
	}
	for _, cm := range r.configMaps {
		add(cm.Namespace, "configmap", cm.Name)
	}
	// The controller's ServiceAccount, and the certgen Jobs' (static
	// manifests keep those; the chart deletes its hooks after they ran).
	var sas, jobs []string
	if sa := r.w.template.Spec.ServiceAccountName; sa != "" && sa != "default" {
		sas = append(sas, sa)
	}
	for _, j := range r.o.jobs {
		if j.Namespace != ns || portico(j) || !slices.ContainsFunc(j.Spec.Template.Spec.Containers, func(c corev1.Container) bool {
			return strings.Contains(c.Image, "kube-webhook-certgen")
		}) {
			continue
		}
		jobs = append(jobs, j.Name)
		if sa := j.Spec.Template.Spec.ServiceAccountName; sa != "" && sa != "default" && !slices.Contains(sas, sa) {
			sas = append(sas, sa)
		}
	}
	for _, sa := range r.o.serviceAccounts {
		if sa.Namespace == ns && slices.Contains(sas, sa.Name) && !portico(sa) {
			add(ns, "serviceaccount", sa.Name)
		}
	}
	// A binding is the install's when it binds nothing but the install's
	// ServiceAccounts; a role when only such bindings use it.
	installSubjects := func(subjects []rbacv1.Subject, defaultNS string) bool {
		return len(subjects) > 0 && !slices.ContainsFunc(subjects, func(s rbacv1.Subject) bool {
			sns := s.Namespace
			if sns == "" {
				sns = defaultNS
			}
			return s.Kind != rbacv1.ServiceAccountKind || sns != ns || !slices.Contains(sas, s.Name)
		})
	}
	mine, others := map[rbacv1.RoleRef]bool{}, map[rbacv1.RoleRef]bool{}
	var bindings, clusterBindings []string
	for _, b := range r.o.roleBindings {
		if b.Namespace != ns {
			continue
		}
		ref := rbacv1.RoleRef{Kind: b.RoleRef.Kind, Name: b.RoleRef.Name}
		if installSubjects(b.Subjects, b.Namespace) && !portico(b) {
			bindings, mine[ref] = append(bindings, b.Name), true
		} else {
			others[ref] = true
		}
	}
	for _, b := range r.o.clusterRoleBindings {
		ref := rbacv1.RoleRef{Kind: b.RoleRef.Kind, Name: b.RoleRef.Name}
		if installSubjects(b.Subjects, "") && !portico(b) {
			clusterBindings, mine[ref] = append(clusterBindings, b.Name), true
		} else {
			others[ref] = true
		}
	}
	for _, role := range r.o.roles {
		ref := rbacv1.RoleRef{Kind: "Role", Name: role.Name}
		if role.Namespace == ns && mine[ref] && !others[ref] && !portico(role) {
			add(ns, "role", role.Name)
		}
	}
	for _, b := range bindings {
		add(ns, "rolebinding", b)
	}
	for _, j := range jobs {
		add(ns, "job", j)
	}
	for _, role := range r.o.clusterRoles {
		ref := rbacv1.RoleRef{Kind: "ClusterRole", Name: role.Name}
		if mine[ref] && !others[ref] && !portico(role) && !slices.Contains(builtinRoles, role.Name) && !strings.HasPrefix(role.Name, "system:") {
			add("", "clusterrole", role.Name)
		}
	}
	for _, b := range clusterBindings {
		add("", "clusterrolebinding", b)
	}
	// ingress-nginx's webhook is recognised by the Service it calls.
	for _, vwc := range r.o.webhookConfigs {
		if portico(vwc) {
			continue
		}
		if slices.ContainsFunc(vwc.Webhooks, func(h admissionregistrationv1.ValidatingWebhook) bool {
			s := h.ClientConfig.Service
			return s != nil && s.Namespace == ns && (ptr.Deref(s.Path, "") == render.WebhookPath ||
				slices.ContainsFunc(r.podServices, func(ps *corev1.Service) bool { return ps.Name == s.Name }))
		}) {
			webhooks = append(webhooks, objRef{"", "validatingwebhookconfiguration", vwc.Name})
		}
	}
	return objs, webhooks
}

// clashes returns the input's objects that have a name the operator gives
// one of the gateway's children: it never takes over an object it did not
// create, so these must go (or the gateway get another name) first.
func (r *importRun) clashes() []objRef {
	names := render.ChildNames(r.gw)
	var out []objRef
	add := func(kind string, m metav1.Object) {
		namespaced := kind != "ClusterRoleBinding" && kind != "ValidatingWebhookConfiguration"
		if portico(m) || namespaced && m.GetNamespace() != r.gw.Namespace || !slices.Contains(names[kind], m.GetName()) {
			return
		}
		if (kind == "DaemonSet" || kind == "Deployment") && kind == r.w.kind && m.GetName() == r.w.name {
			return // deleted first anyway
		}
		out = append(out, objRef{m.GetNamespace(), strings.ToLower(kind), m.GetName()})
	}
	for _, o := range r.o.services {
		add("Service", o)
	}
	for _, o := range r.o.configMaps {
		add("ConfigMap", o)
	}
	for _, o := range r.o.serviceAccounts {
		add("ServiceAccount", o)
	}
	for _, o := range r.o.roles {
		add("Role", o)
	}
	for _, o := range r.o.roleBindings {
		add("RoleBinding", o)
	}
	for _, o := range r.o.clusterRoleBindings {
		add("ClusterRoleBinding", o)
	}
	for _, o := range r.o.daemonSets {
		add("DaemonSet", o)
	}
	for _, o := range r.o.deployments {
		add("Deployment", o)
	}
	for _, o := range r.o.webhookConfigs {
		add("ValidatingWebhookConfiguration", o)
	}
	return out
}

// plan writes the switch-over steps. Every object a step names is in the
// input: a dump may lack what the cluster has, and a plan must not send
// the user after objects that may not exist.
func (r *importRun) plan(grants int) {
	gw := r.gw
	objs, webhooks := r.installObjects()
	p := []string{
		fmt.Sprintf("Save the gateway printed above as %s.yaml and review what Portico will create: portico render -f %s.yaml", gw.Name, gw.Name),
		"Make sure the operator runs and the CRDs are installed (kubectl apply --server-side -k config/default).",
	}
	admin := fmt.Sprintf("As a cluster admin, review and apply the IngressGatewayClass %s printed after the gateway: it allows exactly what the old install used.", gw.Spec.GatewayClassName)
	switch {
	case grants == 1:
		admin = fmt.Sprintf("As a cluster admin, review and apply the IngressGatewayClass %s printed after the gateway and the IngressGatewayGrant after it: they allow exactly what the old install used.", gw.Spec.GatewayClassName)
	case grants > 1:
		admin = fmt.Sprintf("As a cluster admin, review and apply the IngressGatewayClass %s printed after the gateway and the %d IngressGatewayGrants after it: they allow exactly what the old install used.", gw.Spec.GatewayClassName, grants)
	}
	p = append(p, admin)
	del := deleteCommands([]objRef{{r.w.namespace, strings.ToLower(r.w.kind), r.w.name}})
	if len(webhooks) > 0 {
		p = append(p, fmt.Sprintf("Delete the old controller and its admission webhook configuration, which would reject Ingress changes while nothing answers it: %s && %s. Traffic through the old controller stops now.",
			del, deleteCommands(webhooks)))
	} else {
		p = append(p, "Delete the old controller: "+del+". Traffic through it stops now.")
	}
	if r.class != nil {
		classes := []objRef{{"", "ingressclass", r.class.Name}}
		for _, ic := range r.aliases {
			classes = append(classes, objRef{"", "ingressclass", ic.Name})
		}
		what, them := "IngressClass", "it under the same name"
		if len(classes) > 1 {
			what, them = "IngressClasses", "them under the same names"
		}
		p = append(p, fmt.Sprintf("Delete the old %s: %s. spec.controller is immutable, so Portico recreates %s with its own controller value; Ingress objects reference classes by name and are picked up again without edits.",
			what, deleteCommands(classes), them))
	}
	clashes := r.clashes()
	var mine, foreign []objRef
	for _, c := range clashes {
		if slices.Contains(objs, c) || slices.Contains(webhooks, c) {
			mine = append(mine, c)
		} else {
			foreign = append(foreign, c)
		}
	}
	if len(mine) > 0 {
		p = append(p, fmt.Sprintf("Delete the old install's objects that have the names Portico gives the gateway's own (it never takes over an object it did not create): %s.", deleteCommands(mine)))
	}
	for _, c := range foreign {
		r.check("%s %s exists and has the name Portico gives one of the gateway's children, and Portico never takes over an object it did not create: import again with another --name", c.kind, c.name)
	}
	p = append(p, fmt.Sprintf("Create the gateway: kubectl apply -f %s.yaml && kubectl -n %s wait --for=condition=Ready igw/%s --timeout=5m",
		gw.Name, gw.Namespace, gw.Name))
	var rest []objRef
	for _, o := range objs {
		if !slices.Contains(mine, o) {
			rest = append(rest, o)
		}
	}
	var leftovers []string
	if len(rest) > 0 {
		leftovers = append(leftovers, "Remove what the old install leaves behind: "+deleteCommands(rest)+". Portico created its own under other names and never touches these.")
	}
	if unread := r.unreadKinds(); unread != "" {
		leftovers = append(leftovers, unread)
	}
	if len(leftovers) > 0 {
		p = append(p, strings.Join(leftovers, " "))
	}
	ports := fmt.Sprintf("%d/%d", r.ports.HTTP, r.ports.HTTPS)
	if gw.Spec.Workload.HostNetwork || gw.Spec.Workload.HostPorts {
		p = append(p, "Expected downtime: from deleting the old controller until the new pods are Ready on each node (the old pods must release ports "+ports+" first; usually under a minute plus the image pull). Plan a maintenance window.")
	} else {
		p = append(p, "Expected downtime: from deleting the old controller until the new pods are Ready; the new Service may get a new address (update DNS). To avoid downtime, first create the gateway under a different IngressClass name, move Ingresses over, then delete the old install.")
	}
	r.report.Plan = p
}

// unreadKinds says which of the old install's objects the plan could not
// list because the input had none of their kind, or "".
func (r *importRun) unreadKinds() string {
	if r.opts.Live {
		// Ingresses are the user's, never the install's.
		unread := slices.DeleteFunc(slices.Clone(r.opts.Unread), func(k string) bool { return k == "Ingresses" })
		if len(unread) == 0 {
			return ""
		}
		return "The import was not allowed to list " + strings.Join(unread, ", ") + ", so the old install's are not listed here: if it has any, delete them too."
	}
	o := r.o
	if len(o.serviceAccounts)+len(o.roles)+len(o.roleBindings)+len(o.clusterRoles)+len(o.clusterRoleBindings)+len(o.jobs)+len(o.webhookConfigs) > 0 {
		return ""
	}
	return "The input held no ServiceAccounts, RBAC objects, Jobs or webhook configurations, so the old install's are not listed here: if it has any, delete them too " +
		"(or import again with kubectl get sa,role,rolebinding,job -n " + r.w.namespace + " -o yaml and kubectl get clusterrole,clusterrolebinding,validatingwebhookconfiguration -o yaml in the dump to have them listed)."
}
