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

package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// objectVersion is all the version caches (the metadata of every Secret,
// for default certificates, and of every Service, for backends) keep of
// an object: its key and resourceVersion. They hold every such object of
// the cluster, not only Portico's, so each byte counts tens of thousands
// of times: 184 bytes with the store's entry, against 424 for a
// PartialObjectMetadata holding the same three strings, the strings aside
// (BenchmarkVersionCache). It is a
// client.Object only so that the informer can store it and its events
// reach handlers; every other field reads as empty and setters do nothing.
type objectVersion struct {
	namespace, name, resourceVersion string
}

// trimMeta is the version caches' transform: an object's key and
// resourceVersion (namespaces pooled).
func trimMeta(in any) (any, error) {
	switch o := in.(type) {
	case *objectVersion:
		return o, nil // transformed before (a list transforms twice)
	case metav1.Object:
		return &objectVersion{namespace: pool.intern(o.GetNamespace()), name: o.GetName(), resourceVersion: o.GetResourceVersion()}, nil
	}
	return nil, fmt.Errorf("version cache: unexpected %T", in)
}

// cachedVersion returns the resourceVersion a version cache holds of the
// object of kind gvk at key; false when it holds none. The cache's typed
// reads do not apply (they copy the stored object into the one asked
// for), so the informer's store is read directly.
func cachedVersion(ctx context.Context, c cache.Cache, gvk schema.GroupVersionKind, key types.NamespacedName) (string, bool, error) {
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(gvk)
	inf, err := c.GetInformer(ctx, meta)
	if err != nil {
		return "", false, err
	}
	store, ok := inf.(toolscache.SharedIndexInformer)
	if !ok {
		return "", false, fmt.Errorf("%s version cache: informer %T has no store", gvk.Kind, inf)
	}
	if !store.HasSynced() {
		// An empty store before its list would say "absent".
		return "", false, fmt.Errorf("%s version cache has not synced yet", gvk.Kind)
	}
	obj, exists, err := store.GetIndexer().GetByKey(key.String())
	if err != nil || !exists {
		return "", false, err
	}
	v, ok := obj.(*objectVersion)
	if !ok {
		return "", false, fmt.Errorf("%s version cache holds %T", gvk.Kind, obj)
	}
	return v.resourceVersion, true, nil
}

var _ client.Object = &objectVersion{}

func (o *objectVersion) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }
func (o *objectVersion) DeepCopyObject() runtime.Object   { c := *o; return &c }

func (o *objectVersion) GetNamespace() string                  { return o.namespace }
func (o *objectVersion) SetNamespace(string)                   {}
func (o *objectVersion) GetName() string                       { return o.name }
func (o *objectVersion) SetName(string)                        {}
func (o *objectVersion) GetGenerateName() string               { return "" }
func (o *objectVersion) SetGenerateName(string)                {}
func (o *objectVersion) GetUID() types.UID                     { return "" }
func (o *objectVersion) SetUID(types.UID)                      {}
func (o *objectVersion) GetResourceVersion() string            { return o.resourceVersion }
func (o *objectVersion) SetResourceVersion(string)             {}
func (o *objectVersion) GetGeneration() int64                  { return 0 }
func (o *objectVersion) SetGeneration(int64)                   {}
func (o *objectVersion) GetSelfLink() string                   { return "" }
func (o *objectVersion) SetSelfLink(string)                    {}
func (o *objectVersion) GetCreationTimestamp() metav1.Time     { return metav1.Time{} }
func (o *objectVersion) SetCreationTimestamp(metav1.Time)      {}
func (o *objectVersion) GetDeletionTimestamp() *metav1.Time    { return nil }
func (o *objectVersion) SetDeletionTimestamp(*metav1.Time)     {}
func (o *objectVersion) GetDeletionGracePeriodSeconds() *int64 { return nil }
func (o *objectVersion) SetDeletionGracePeriodSeconds(*int64)  {}
func (o *objectVersion) GetLabels() map[string]string          { return nil }
func (o *objectVersion) SetLabels(map[string]string)           {}
func (o *objectVersion) GetAnnotations() map[string]string     { return nil }
func (o *objectVersion) SetAnnotations(map[string]string)      {}
func (o *objectVersion) GetFinalizers() []string               { return nil }
func (o *objectVersion) SetFinalizers([]string)                {}
func (o *objectVersion) GetOwnerReferences() []metav1.OwnerReference {
	return nil
}
func (o *objectVersion) SetOwnerReferences([]metav1.OwnerReference) {}
func (o *objectVersion) GetManagedFields() []metav1.ManagedFieldsEntry {
	return nil
}
func (o *objectVersion) SetManagedFields([]metav1.ManagedFieldsEntry) {}
