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
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/pki"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/scheme"
)

// cachedGateway returns the protobuf encodings of gateway i's children as
// the API server sends them to the cache: make bench's gateway (host
// network, one tcp entry, a default certificate), its webhook with
// certificates of its own, each child with a UID, a resourceVersion and the render
// hash (the API server's own defaults are not added).
func cachedGateway(b *testing.B, i int, webhook bool) [][]byte {
	b.Helper()
	gw := &v1alpha1.IngressGateway{
		ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("ns-%d", i%50), Name: fmt.Sprintf("gw-%d", i), UID: types.UID(fmt.Sprintf("00000000-0000-0000-0000-%012d", i))},
		Spec: v1alpha1.IngressGatewaySpec{
			Workload:           v1alpha1.WorkloadSpec{HostNetwork: true},
			DefaultCertificate: &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "default-tls"}},
			TCP:                []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: "default", Name: "redis", Port: intstr.FromInt32(6379)}}},
		},
	}
	if !webhook {
		gw.Spec.AdmissionWebhook.Enabled = ptr.To(false)
	}
	gw, err := crdschema.Default(gw)
	if err != nil {
		b.Fatal(err)
	}
	var in render.Inputs
	if webhook {
		// Each gateway has its own CA and serving certificate.
		ca, err := pki.Ensure(pki.State{}, render.WebhookHosts(gw), time.Now(), pki.Options{CommonName: "portico webhook CA " + gw.Namespace + "/" + gw.Name})
		if err != nil {
			b.Fatal(err)
		}
		in.Webhook = &render.WebhookPKI{CA: ca.CA, Serving: ca.Serving, CABundle: ca.CABundle}
	}
	res, err := render.RenderWith(gw, render.DefaultConfig(), in)
	if err != nil {
		b.Fatal(err)
	}
	var out [][]byte
	for j, o := range res.Objects {
		o.SetUID(types.UID(fmt.Sprintf("00000000-0000-0000-%04d-%012d", j, i)))
		o.SetResourceVersion(fmt.Sprint(100000 + 16*i + j))
		o.SetCreationTimestamp(metav1.NewTime(time.Unix(1800000000, 0)))
		o.SetGeneration(1)
		hash, err := apply.Hash(o)
		if err != nil {
			b.Fatal(err)
		}
		o.SetAnnotations(map[string]string{apply.RenderHashAnnotation: hash.String()})
		o.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: apply.FieldOwner, Operation: metav1.ManagedFieldsOperationApply}})
		var w bytesWriter
		if err := cacheCodec.Encode(o, &w); err != nil {
			b.Fatal(err)
		}
		out = append(out, w)
	}
	return out
}

// asCached returns o's metadata when the cache holds its kind as metadata
// only, nil otherwise.
func asCached(o client.Object) *metav1.PartialObjectMetadata {
	gvk, err := apiutil.GVKForObject(o, cacheScheme)
	if err != nil {
		return nil
	}
	k, ok := render.KindOf(gvk)
	if !ok || !k.MetadataOnly {
		return nil
	}
	m := k.CacheObject().(*metav1.PartialObjectMetadata)
	o.(metav1.ObjectMetaAccessor).GetObjectMeta().(*metav1.ObjectMeta).DeepCopyInto(&m.ObjectMeta)
	return m
}

// cacheCodec is the protobuf encoding the API server sends built-in kinds in.
var (
	cacheScheme = scheme.New()
	cacheCodec  = protobuf.NewSerializer(cacheScheme, cacheScheme)
)

type bytesWriter []byte

func (w *bytesWriter) Write(p []byte) (int, error) { *w = append(*w, p...); return len(p), nil }

// BenchmarkCachedChildren reports what the operator's cache keeps per
// gateway (B/gateway, retained after a collection) and per child of each
// kind: decoded as the informers decode them, through the cache's
// transforms (those CacheOptions gives each kind), stored in an indexer as controller-runtime
// stores them. Each sub-benchmark starts with empty pools, so a kind's
// figure includes the strings it pools alone.
func BenchmarkCachedChildren(b *testing.B) {
	dec := cacheCodec
	// The transforms the operator's cache runs, by kind.
	opts := CacheOptions()
	transforms := map[reflect.Type]toolscache.TransformFunc{}
	for o, by := range opts.ByObject {
		transforms[reflect.TypeOf(o)] = by.Transform
	}
	transform := func(o client.Object) (any, error) {
		if t := transforms[reflect.TypeOf(o)]; t != nil {
			return t(o)
		}
		return opts.DefaultTransform(o)
	}
	kinds := func(webhook bool) []string {
		var out []string
		for _, e := range cachedGateway(b, 0, webhook) {
			o, _, err := dec.Decode(e, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%T/%s", o, o.(client.Object).GetName()))
		}
		return out
	}
	for _, webhook := range []bool{false, true} {
		names := kinds(webhook)
		// -1: every child of the gateway; otherwise the j-th alone.
		for j := -1; j < len(names); j++ {
			name := fmt.Sprintf("webhook=%v/all", webhook)
			if j >= 0 {
				name = fmt.Sprintf("webhook=%v/%s", webhook, names[j])
			}
			b.Run(name, func(b *testing.B) {
				saved, savedLabels, savedRefs := pool, labelSets, ownerRefs
				defer func() { pool, labelSets, ownerRefs = saved, savedLabels, savedRefs }()
				pool = newStringPool()
				labelSets = newSharedPool(labelSets.equal, labelSets.ref, labelSets.deref)
				ownerRefs = newSharedPool(ownerRefs.equal, ownerRefs.ref, ownerRefs.deref)
				encoded := make([][][]byte, b.N)
				for i := range b.N {
					encoded[i] = cachedGateway(b, i, webhook)
				}
				// One store per kind, as controller-runtime keeps one
				// informer per kind: children of different kinds share names.
				stores := map[reflect.Type]toolscache.Indexer{}
				store := func(o any) toolscache.Indexer {
					s := stores[reflect.TypeOf(o)]
					if s == nil {
						s = toolscache.NewIndexer(toolscache.MetaNamespaceKeyFunc, toolscache.Indexers{toolscache.NamespaceIndex: toolscache.MetaNamespaceIndexFunc})
						stores[reflect.TypeOf(o)] = s
					}
					return s
				}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.ResetTimer()
				for i := range b.N {
					for k, e := range encoded[i] {
						if j >= 0 && k != j {
							continue
						}
						o, _, err := dec.Decode(e, nil, nil)
						if err != nil {
							b.Fatal(err)
						}
						co := o.(client.Object)
						if meta := asCached(co); meta != nil {
							// The API server sends this kind's metadata only.
							co = meta
						}
						t, err := transform(co)
						if err != nil {
							b.Fatal(err)
						}
						if err := store(t).Add(t); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/gateway")
				runtime.KeepAlive(stores)
				runtime.KeepAlive(encoded)
			})
		}
	}
}

// BenchmarkVersionCache reports what the version caches (every Secret and
// Service of the cluster) keep per object, stored as an informer stores
// it: as objectVersion, and for comparison as the PartialObjectMetadata
// it replaced (the same three strings). The strings themselves (the
// decoder's, in both) are not counted.
func BenchmarkVersionCache(b *testing.B) {
	for _, variant := range []string{"objectVersion", "PartialObjectMetadata"} {
		b.Run(variant, func(b *testing.B) {
			in := make([]*metav1.PartialObjectMetadata, b.N)
			for i := range in {
				in[i] = &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
					ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("noise-%d", i%20), Name: fmt.Sprintf("s-%d", i),
						ResourceVersion: fmt.Sprint(100000 + i), UID: types.UID(fmt.Sprintf("00000000-0000-0000-0000-%012d", i))}}
			}
			// The store as the version caches' informers build it, and as
			// controller-runtime builds every other one.
			store := toolscache.NewIndexer(toolscache.MetaNamespaceKeyFunc, toolscache.Indexers{toolscache.NamespaceIndex: toolscache.MetaNamespaceIndexFunc})
			if variant == "objectVersion" {
				store = versionCacheOptions().NewInformer(nil, &objectVersion{}, 0, store.GetIndexers()).GetIndexer()
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for _, m := range in {
				var o any
				if variant == "objectVersion" {
					o, _ = trimMeta(m)
				} else {
					o = &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
						ObjectMeta: metav1.ObjectMeta{Namespace: m.Namespace, Name: m.Name, ResourceVersion: m.ResourceVersion}}
				}
				if err := store.Add(o); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/object")
			runtime.KeepAlive(store)
			runtime.KeepAlive(in)
		})
	}
}
