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
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Watch says how a change of a child reaches its gateway's reconcile.
type Watch int

const (
	// WatchOwner maps a namespaced child to the gateway its controller
	// reference names.
	WatchOwner Watch = iota
	// WatchLabels maps a cluster-scoped child (which cannot carry an owner
	// reference to a namespaced gateway) through its gateway labels.
	WatchLabels
)

// ManagedKind is a kind of child the operator renders, caches, watches,
// applies and prunes: one entry per kind, and everything that depends on
// the kind list (the operator's cache and watches, pruning, deletion of
// cluster-scoped children, the containment policy's rules, the RBAC test)
// is derived from ManagedKinds.
type ManagedKind struct {
	GVK schema.GroupVersionKind
	// Resource is the kind's plural resource name (RBAC, policies).
	Resource   string
	Namespaced bool
	// Object is an empty object of the kind (cache and watch prototypes).
	Object client.Object
	Watch  Watch
	// Workload marks the DaemonSet and Deployment: a workload of the
	// other kind is pruned before anything is applied, since its pods
	// hold the host ports the new ones need.
	Workload bool
	// MetadataOnly marks the kinds whose content nothing reads from the
	// operator's cache: it holds their metadata only (most of what a
	// gateway costs in memory is its children), and the applier reads one
	// whole from the API server when it must compare it with its rendering.
	MetadataOnly bool
	// Compact marks the kinds the operator's cache holds in compact types
	// of its own (the controllers' CacheOptions): a read from the cache
	// copies one into the API type, so a list cannot hand out the cache's
	// own objects (client.UnsafeDisableDeepCopy).
	Compact bool
}

// CacheObject is an empty object of the kind as the operator's cache holds
// it: Object, or its metadata for a MetadataOnly kind.
func (k ManagedKind) CacheObject() client.Object {
	if !k.MetadataOnly {
		return k.Object.DeepCopyObject().(client.Object)
	}
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(k.GVK)
	return m
}

// ManagedKinds lists every kind Render can produce, in no particular
// order (Render decides the apply order). Secrets and Leases are cached
// whole (the webhook certificates are read from their Secrets, in a
// compact type; status reads the VIP Lease), workloads without their pod
// template and Services without their spec but for the addresses status
// reads (see the controllers' cache options), the rest as metadata. A kind added to Render must be
// added here (TestManagedKindsCoverEveryRenderedKind fails until it is),
// then given a containment rule (internal/containment) and RBAC markers
// (controllers; TestRBACCoversEveryManagedKind).
var ManagedKinds = []ManagedKind{
	{GVK: corev1.SchemeGroupVersion.WithKind("ServiceAccount"), Resource: "serviceaccounts", Namespaced: true, Object: &corev1.ServiceAccount{}, MetadataOnly: true, Compact: true},
	{GVK: rbacv1.SchemeGroupVersion.WithKind("Role"), Resource: "roles", Namespaced: true, Object: &rbacv1.Role{}, MetadataOnly: true, Compact: true},
	{GVK: rbacv1.SchemeGroupVersion.WithKind("RoleBinding"), Resource: "rolebindings", Namespaced: true, Object: &rbacv1.RoleBinding{}, MetadataOnly: true, Compact: true},
	{GVK: rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"), Resource: "clusterrolebindings", Object: &rbacv1.ClusterRoleBinding{}, Watch: WatchLabels, MetadataOnly: true, Compact: true},
	{GVK: corev1.SchemeGroupVersion.WithKind("ConfigMap"), Resource: "configmaps", Namespaced: true, Object: &corev1.ConfigMap{}, MetadataOnly: true, Compact: true},
	{GVK: corev1.SchemeGroupVersion.WithKind("Service"), Resource: "services", Namespaced: true, Object: &corev1.Service{}, Compact: true},
	{GVK: appsv1.SchemeGroupVersion.WithKind("DaemonSet"), Resource: "daemonsets", Namespaced: true, Object: &appsv1.DaemonSet{}, Workload: true, Compact: true},
	{GVK: appsv1.SchemeGroupVersion.WithKind("Deployment"), Resource: "deployments", Namespaced: true, Object: &appsv1.Deployment{}, Workload: true, Compact: true},
	{GVK: networkingv1.SchemeGroupVersion.WithKind("IngressClass"), Resource: "ingressclasses", Object: &networkingv1.IngressClass{}, Watch: WatchLabels, MetadataOnly: true, Compact: true},
	{GVK: corev1.SchemeGroupVersion.WithKind("Secret"), Resource: "secrets", Namespaced: true, Object: &corev1.Secret{}, Compact: true},
	{GVK: admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingWebhookConfiguration"), Resource: "validatingwebhookconfigurations",
		Object: &admissionregistrationv1.ValidatingWebhookConfiguration{}, Watch: WatchLabels, MetadataOnly: true, Compact: true},
	// The VIP holder reports itself in its Lease.
	{GVK: coordinationv1.SchemeGroupVersion.WithKind("Lease"), Resource: "leases", Namespaced: true, Object: &coordinationv1.Lease{}},
	{GVK: policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"), Resource: "poddisruptionbudgets", Namespaced: true, Object: &policyv1.PodDisruptionBudget{}, MetadataOnly: true, Compact: true},
}

// KindOf returns the ManagedKinds entry of gvk's group and kind.
func KindOf(gvk schema.GroupVersionKind) (ManagedKind, bool) {
	for _, k := range ManagedKinds {
		if k.GVK.GroupKind() == gvk.GroupKind() {
			return k, true
		}
	}
	return ManagedKind{}, false
}
