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

package apply

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// listChildren returns gw's children of one kind, from the cache.
func (a *Applier) listChildren(ctx context.Context, gvk schema.GroupVersionKind, namespaced bool, gwNamespace, gwName string) ([]client.Object, error) {
	listGVK := gvk.GroupVersion().WithKind(gvk.Kind + "List")
	var list client.ObjectList
	// Read only (names, owners, deletion; Delete reads the name): the
	// cache's own objects, not copies of every child on every pass.
	opts := []client.ListOption{client.MatchingLabels(render.OwnerLabels(gwNamespace, gwName)), client.UnsafeDisableDeepCopy}
	k, managed := render.KindOf(gvk)
	if managed && k.Compact {
		// Held in a compact type that only copies turn into API objects.
		opts = opts[:1]
	}
	if managed && k.MetadataOnly {
		// The cache holds this kind's metadata only.
		meta := &metav1.PartialObjectMetadataList{}
		meta.SetGroupVersionKind(listGVK)
		list = meta
	} else {
		l, err := a.Scheme.New(listGVK)
		if err != nil {
			return nil, err
		}
		list = l.(client.ObjectList)
	}
	if namespaced {
		opts = append(opts, client.InNamespace(gwNamespace))
	} else if a.OwnerIndex != "" {
		// A cache lists a namespace through its index; without one a
		// cluster-scoped kind is scanned whole, every gateway's children.
		opts = append(opts, client.MatchingFields{a.OwnerIndex: OwnerKey(gwNamespace, gwName)})
	}
	if err := a.Client.List(ctx, list, opts...); err != nil {
		return nil, fmt.Errorf("list %s: %w", gvk.Kind, err)
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	out := make([]client.Object, 0, len(items))
	for _, it := range items {
		out = append(out, it.(client.Object))
	}
	return out, nil
}

// Prune deletes gw's children of the given kinds that keep is missing. Only
// objects carrying gw's labels are ever listed, so nothing else is touched.
// It returns the stale objects it found, including those it just deleted
// (with foreground propagation they exist until their dependents are gone),
// and the kind and name of each object it deleted.
func (a *Applier) Prune(ctx context.Context, gw *v1alpha1.IngressGateway, kinds []render.ManagedKind, keep map[string]bool, propagation metav1.DeletionPropagation) ([]client.Object, []string, error) {
	var errs []error
	var remaining []client.Object
	var pruned []string
	for _, k := range kinds {
		objs, err := a.listChildren(ctx, k.GVK, k.Namespaced, gw.Namespace, gw.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, o := range objs {
			if keep[RecordKey(k.GVK, o.GetNamespace(), o.GetName())] {
				continue
			}
			if !isChildOf(gw, k.GVK.Kind, o) {
				continue
			}
			remaining = append(remaining, o)
			if o.GetDeletionTimestamp() != nil {
				continue
			}
			logf.FromContext(ctx).Info("Deleting stale child", "kind", k.GVK.Kind, "name", o.GetName(), "namespace", o.GetNamespace())
			uid := o.GetUID()
			err := a.Client.Delete(ctx, o, client.Preconditions{UID: &uid}, client.PropagationPolicy(propagation))
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				errs = append(errs, fmt.Errorf("delete %s %s: %w", k.GVK.Kind, DisplayName(o), err))
				continue
			}
			a.Records.ForgetChild(gw.UID, RecordKey(k.GVK, o.GetNamespace(), o.GetName()))
			if err == nil && a.Pruned != nil {
				a.Pruned(k.GVK.Kind)
			}
			if err == nil {
				pruned = append(pruned, k.GVK.Kind+" "+DisplayName(o))
			}
		}
	}
	return remaining, pruned, kerrors.NewAggregate(errs)
}

// isChildOf reports whether o is gw's child by identity, not by labels
// alone (which anyone may copy): a name the renderer gives gw's children of
// that kind, and gw's UID in the controller owner reference (namespaced) or
// the gateway-UID annotation (cluster-scoped).
func isChildOf(gw *v1alpha1.IngressGateway, kind string, o client.Object) bool {
	if checkOwnership(gw, kind, o) != nil {
		return false
	}
	if !slices.Contains(render.ChildNames(gw)[kind], o.GetName()) {
		// An alias the spec no longer lists: only the operator writes
		// IngressClasses with this gateway's UID (the containment policy
		// lets it write nothing else), so the annotation identifies it.
		return kind == "IngressClass" && gw.UID != "" && o.GetAnnotations()[render.GatewayUIDAnnotation] == string(gw.UID)
	}
	if o.GetNamespace() == "" {
		// Children made before the annotation existed lack it; their exact
		// rendered name and labels identify them, as when they are adopted.
		uid, ok := o.GetAnnotations()[render.GatewayUIDAnnotation]
		return !ok || uid == string(gw.UID)
	}
	ref := metav1.GetControllerOfNoCopy(o)
	return ref != nil && ref.UID == gw.UID
}

// DeleteClusterScoped removes every cluster-scoped child of gw; they carry no
// owner reference, so the garbage collector cannot.
func (a *Applier) DeleteClusterScoped(ctx context.Context, gw *v1alpha1.IngressGateway) error {
	var kinds []render.ManagedKind
	for _, k := range render.ManagedKinds {
		if !k.Namespaced {
			kinds = append(kinds, k)
		}
	}
	_, _, err := a.Prune(ctx, gw, kinds, nil, metav1.DeletePropagationBackground)
	return err
}
