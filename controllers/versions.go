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
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/internal/apply"
)

// objectVersion is all the version caches (the metadata of every Secret,
// for default certificates, and of every Service, for backends) keep of
// an object: its key and resourceVersion. They hold every such object of
// the cluster, not only Portico's, so each byte counts tens of thousands
// of times: about 130 bytes with the store's entry (versionCacheOptions),
// against 424 for a PartialObjectMetadata holding the same three strings
// in a store with the namespace index, the strings aside
// (BenchmarkVersionCache). It is a client.Object only so that the
// informer can store it and its events reach handlers; every other field
// reads as empty and setters do nothing.
type objectVersion struct {
	namespace, name, resourceVersion string
}

// versionCacheOptions configure a version cache: trimMeta, and informers
// without the namespace index controller-runtime gives every informer.
// Version caches are only read by key (cachedVersion), never listed, and
// the index costs 55 of the 184 bytes an entry takes
// (BenchmarkVersionCache).
func versionCacheOptions() cache.Options {
	return cache.Options{
		DefaultTransform: trimMeta,
		NewInformer: func(lw toolscache.ListerWatcher, obj runtime.Object, resync time.Duration, _ toolscache.Indexers) toolscache.SharedIndexInformer {
			return toolscache.NewSharedIndexInformer(lw, obj, resync, toolscache.Indexers{})
		},
	}
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

// childMeta is what the cache keeps of a child cached as metadata
// (render.ManagedKind.MetadataOnly): what apply.Check, prune and the watches
// read of it (key, UID, versions, labels, annotations, owners, deletion),
// in 120 bytes instead of a PartialObjectMetadata's 264; its maps and
// owner references are the pooled ones (internMeta). A read from the cache
// gets a PartialObjectMetadata (DeepCopyObject), so the cache's typed
// reads and lists work as for any other kind; creation time, finalizers
// and managed fields read as empty. Setters do nothing: cached objects are
// never written to.
//
// The UID and resourceVersion are kept as an objectID, as the memo's
// records keep them; anything not in the API server's forms as given
// (strs).
type childMeta struct {
	namespace, name string
	id              objectID
	strs            *[2]string // UID and resourceVersion, when not an objectID
	generation      int64
	labels          map[string]string
	annotations     map[string]string
	ownerRefs       []metav1.OwnerReference
	deletion        *metav1.Time
}

func newChildMeta(m *metav1.ObjectMeta) *childMeta {
	c := &childMeta{namespace: m.Namespace, name: m.Name, generation: m.Generation,
		labels: m.Labels, annotations: m.Annotations, ownerRefs: m.OwnerReferences, deletion: m.DeletionTimestamp}
	var ok bool
	if c.id, ok = compactID(m.UID, m.ResourceVersion); !ok {
		c.strs = &[2]string{string(m.UID), m.ResourceVersion}
	}
	return c
}

var _ client.Object = &childMeta{}

func (o *childMeta) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

// DeepCopyObject returns the metadata as a PartialObjectMetadata of its
// own: the cache's reads hand it out to be changed.
func (o *childMeta) DeepCopyObject() runtime.Object {
	return &metav1.PartialObjectMetadata{ObjectMeta: o.objectMeta()}
}

// objectMeta is the metadata as an ObjectMeta of its own (maps, owner
// references and deletion time copied).
func (o *childMeta) objectMeta() metav1.ObjectMeta {
	m := metav1.ObjectMeta{
		Namespace: o.namespace, Name: o.name, UID: o.GetUID(), ResourceVersion: o.GetResourceVersion(), Generation: o.generation,
		Labels: maps.Clone(o.labels), Annotations: maps.Clone(o.annotations), DeletionTimestamp: o.deletion.DeepCopy(),
	}
	if o.ownerRefs != nil {
		m.OwnerReferences = make([]metav1.OwnerReference, len(o.ownerRefs))
		for i := range o.ownerRefs {
			o.ownerRefs[i].DeepCopyInto(&m.OwnerReferences[i])
		}
	}
	return m
}

func (o *childMeta) GetNamespace() string    { return o.namespace }
func (o *childMeta) SetNamespace(string)     {}
func (o *childMeta) GetName() string         { return o.name }
func (o *childMeta) SetName(string)          {}
func (o *childMeta) GetGenerateName() string { return "" }
func (o *childMeta) SetGenerateName(string)  {}
func (o *childMeta) GetUID() types.UID {
	if o.strs != nil {
		return types.UID(o.strs[0])
	}
	return o.id.UID()
}
func (o *childMeta) SetUID(types.UID) {}
func (o *childMeta) GetResourceVersion() string {
	if o.strs != nil {
		return o.strs[1]
	}
	return o.id.RV()
}
func (o *childMeta) SetResourceVersion(string)                     {}
func (o *childMeta) GetGeneration() int64                          { return o.generation }
func (o *childMeta) SetGeneration(int64)                           {}
func (o *childMeta) GetSelfLink() string                           { return "" }
func (o *childMeta) SetSelfLink(string)                            {}
func (o *childMeta) GetCreationTimestamp() metav1.Time             { return metav1.Time{} }
func (o *childMeta) SetCreationTimestamp(metav1.Time)              {}
func (o *childMeta) GetDeletionTimestamp() *metav1.Time            { return o.deletion }
func (o *childMeta) SetDeletionTimestamp(*metav1.Time)             {}
func (o *childMeta) GetDeletionGracePeriodSeconds() *int64         { return nil }
func (o *childMeta) SetDeletionGracePeriodSeconds(*int64)          {}
func (o *childMeta) GetLabels() map[string]string                  { return o.labels }
func (o *childMeta) SetLabels(map[string]string)                   {}
func (o *childMeta) GetAnnotations() map[string]string             { return o.annotations }
func (o *childMeta) SetAnnotations(map[string]string)              {}
func (o *childMeta) GetFinalizers() []string                       { return nil }
func (o *childMeta) SetFinalizers([]string)                        {}
func (o *childMeta) GetOwnerReferences() []metav1.OwnerReference   { return o.ownerRefs }
func (o *childMeta) SetOwnerReferences([]metav1.OwnerReference)    {}
func (o *childMeta) GetManagedFields() []metav1.ManagedFieldsEntry { return nil }
func (o *childMeta) SetManagedFields([]metav1.ManagedFieldsEntry)  {}

// childDaemonSet and childDeployment are what the cache keeps of a
// workload (trimWorkload): its metadata as childMeta, its status, a
// Deployment's replicas and a Traefik controller's entry-point arguments,
// in some 200 bytes instead of the typed object's 1.2 KiB, which its empty
// pod template mostly fills. A read from the cache gets the typed object
// with only those fields set.
type childDaemonSet struct {
	childMeta
	containers []corev1.Container
	status     appsv1.DaemonSetStatus
}

type childDeployment struct {
	childMeta
	replicas   *int32
	containers []corev1.Container
	status     appsv1.DeploymentStatus
}

var (
	_ client.Object = &childDaemonSet{}
	_ client.Object = &childDeployment{}
)

func (o *childDaemonSet) DeepCopyObject() runtime.Object {
	out := &appsv1.DaemonSet{ObjectMeta: o.objectMeta()}
	out.Spec.Template.Spec.Containers = copyContainers(o.containers)
	o.status.DeepCopyInto(&out.Status)
	return out
}

func (o *childDeployment) DeepCopyObject() runtime.Object {
	out := &appsv1.Deployment{ObjectMeta: o.objectMeta()}
	if o.replicas != nil {
		r := *o.replicas
		out.Spec.Replicas = &r
	}
	out.Spec.Template.Spec.Containers = copyContainers(o.containers)
	o.status.DeepCopyInto(&out.Status)
	return out
}

func copyContainers(cs []corev1.Container) []corev1.Container {
	if cs == nil {
		return nil
	}
	out := make([]corev1.Container, len(cs))
	for i := range cs {
		cs[i].DeepCopyInto(&out[i])
	}
	return out
}

// childService is what the cache keeps of a Service (trimService): its
// metadata as childMeta and what status reads (type, cluster IP, external
// IPs, status), marked apply.SpecTrimmedAnnotation so that apply.Check
// reads it whole when it must compare it with its rendering, as a
// workload; about 1.3 KiB less than the typed Service a gateway
// (BenchmarkCachedChildren). A read from the cache gets the typed
// Service with only those fields set.
type childService struct {
	childMeta
	typ         corev1.ServiceType
	clusterIP   string
	externalIPs []string
	status      corev1.ServiceStatus
}

var _ client.Object = &childService{}

func (o *childService) DeepCopyObject() runtime.Object {
	out := &corev1.Service{ObjectMeta: o.objectMeta()}
	out.Spec.Type, out.Spec.ClusterIP = o.typ, o.clusterIP
	if o.externalIPs != nil {
		out.Spec.ExternalIPs = slices.Clone(o.externalIPs)
	}
	o.status.DeepCopyInto(&out.Status)
	return out
}

// childSecret is what the cache keeps of one of the operator's Secrets
// (trimSecret): its content, and its metadata as childMeta with the render
// hash apart, so the rest of its annotations is a map shared with its
// siblings instead of one of its own (some 300 bytes). A Secret is compared
// with its rendering from the cache (it is not trimmed), so a read gets
// the Secret with the hash back in its annotations.
type childSecret struct {
	childMeta
	hash      string
	immutable *bool
	typ       corev1.SecretType
	data      map[string][]byte
}

var _ client.Object = &childSecret{}

func (o *childSecret) DeepCopyObject() runtime.Object {
	out := &corev1.Secret{ObjectMeta: o.objectMeta(), Type: o.typ}
	if o.hash != "" {
		if out.Annotations == nil {
			out.Annotations = make(map[string]string, 1)
		}
		out.Annotations[apply.RenderHashAnnotation] = o.hash
	}
	if o.immutable != nil {
		b := *o.immutable
		out.Immutable = &b
	}
	if o.data != nil {
		out.Data = make(map[string][]byte, len(o.data))
		for k, v := range o.data {
			out.Data[k] = bytes.Clone(v)
		}
	}
	return out
}

// GetAnnotations includes the render hash, as a read from the cache does.
func (o *childSecret) GetAnnotations() map[string]string {
	if o.hash == "" {
		return o.annotations
	}
	a := make(map[string]string, len(o.annotations)+1)
	maps.Copy(a, o.annotations)
	a[apply.RenderHashAnnotation] = o.hash
	return a
}
