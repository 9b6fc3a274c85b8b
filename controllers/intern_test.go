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
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/render"
)

// fresh returns a copy of o whose strings share no memory with o's, as two
// decodings of the same object would be.
func fresh(t *testing.T, o client.Object) client.Object {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	out := reflect.New(reflect.TypeOf(o).Elem()).Interface().(client.Object)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The cache transform changes no value of a child (apply compares the
// cached child with the rendering: a changed value would be a write every
// pass), only where its strings live.
func TestInternTransformKeepsEveryValue(t *testing.T) {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", UID: "uid-1"}}
	gw.Spec.Workload.HostNetwork = true
	res, err := render.Render(gw, render.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Objects {
		o.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "portico"}})
		o.SetResourceVersion("42")
		o.SetUID("child-uid")
		want := fresh(t, o)
		want.SetManagedFields(nil)
		a, b := fresh(t, o), fresh(t, o)
		for _, c := range []client.Object{a, b} {
			if _, err := internTransform(c); err != nil {
				t.Fatal(err)
			}
			if !equality.Semantic.DeepEqual(c, want) {
				t.Errorf("%T %s changed by the transform", o, o.GetName())
			}
		}
		same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
		if !same(a.GetNamespace(), b.GetNamespace()) || !same(a.GetLabels()[render.ManagedByLabel], b.GetLabels()[render.ManagedByLabel]) {
			t.Errorf("%T %s: two decodings still hold two copies of the namespace and labels", o, o.GetName())
		}
		if reflect.ValueOf(a.GetLabels()).UnsafePointer() != reflect.ValueOf(b.GetLabels()).UnsafePointer() {
			t.Errorf("%T %s: two decodings hold two label maps", o, o.GetName())
		}
		if ra, rb := a.GetOwnerReferences(), b.GetOwnerReferences(); len(ra) > 0 && (&ra[0] != &rb[0] || cap(ra) != len(ra)) {
			t.Errorf("%T %s: two decodings hold two owner reference lists, or an append could write into the pool", o, o.GetName())
		}
		if a.GetResourceVersion() != "42" || same(a.GetResourceVersion(), b.GetResourceVersion()) {
			t.Errorf("%T %s: the resourceVersion, unique to an object, went into the pool", o, o.GetName())
		}
		if same(a.GetName(), b.GetName()) {
			t.Errorf("%T %s: the name went into the pool", o, o.GetName())
		}
	}
}

func TestInternTransformPooledValues(t *testing.T) {
	newDS := func() *appsv1.DaemonSet {
		ds := &appsv1.DaemonSet{}
		ds.Spec.Template.Spec.Containers = []corev1.Container{{Name: "controller", Image: string([]byte("example.org/image:1")),
			Args:      []string{string([]byte("--flag"))},
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}}}
		return ds
	}
	a, b := newDS(), newDS()
	for _, ds := range []*appsv1.DaemonSet{a, b} {
		if _, err := internTransform(ds); err != nil {
			t.Fatal(err)
		}
	}
	ca, cb := a.Spec.Template.Spec.Containers[0], b.Spec.Template.Spec.Containers[0]
	if unsafe.StringData(ca.Image) != unsafe.StringData(cb.Image) || unsafe.StringData(ca.Args[0]) != unsafe.StringData(cb.Args[0]) {
		t.Error("image and flags are not pooled")
	}
	if q := ca.Resources.Requests[corev1.ResourceCPU]; q.String() != "100m" {
		t.Errorf("quantity = %s, want 100m", q.String())
	}

	s1 := &corev1.Secret{Data: map[string][]byte{"ca.crt": []byte("PEM")}}
	s2 := &corev1.Secret{Data: map[string][]byte{"ca.crt": []byte("PEM")}}
	for _, s := range []*corev1.Secret{s1, s2} {
		if _, err := internTransform(s); err != nil {
			t.Fatal(err)
		}
	}
	if &s1.Data["ca.crt"][0] != &s2.Data["ca.crt"][0] || cap(s1.Data["ca.crt"]) != len("PEM") {
		t.Error("equal Secret values are not pooled, or an append could write into the pool")
	}
}

// TestTrimMeta: the version caches keep an object's key and
// resourceVersion, and a second pass (a list transforms twice) keeps them.
func TestTrimMeta(t *testing.T) {
	m := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "tls", ResourceVersion: "7", UID: "u", Labels: map[string]string{"a": "b"},
			Annotations: map[string]string{"c": "d"}, OwnerReferences: []metav1.OwnerReference{{Name: "o"}}, Finalizers: []string{"f"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "m"}}}}
	want := &objectVersion{namespace: "ns", name: "tls", resourceVersion: "7"}
	var in any = m
	for pass := 1; pass <= 2; pass++ {
		out, err := trimMeta(in)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out, want) {
			t.Fatalf("pass %d: trimMeta = %+v, want %+v", pass, out, want)
		}
		o := out.(client.Object)
		if o.GetNamespace() != "ns" || o.GetName() != "tls" || o.GetResourceVersion() != "7" || o.GetLabels() != nil || o.GetUID() != "" {
			t.Fatalf("pass %d: the object reads %s/%s@%s labels %v uid %q", pass, o.GetNamespace(), o.GetName(), o.GetResourceVersion(), o.GetLabels(), o.GetUID())
		}
		in = out
	}
	if _, err := trimMeta("not an object"); err == nil {
		t.Error("trimMeta accepted a string")
	}
}

// The version caches' informers keep no index (they are read by key
// only), and an entry reads back by key.
func TestVersionCacheOptions(t *testing.T) {
	for name, opts := range map[string]cache.Options{"secrets": SecretMetaCacheOptions(), "services": ServiceCacheOptions()} {
		inf := opts.NewInformer(nil, &objectVersion{}, 0, toolscache.Indexers{toolscache.NamespaceIndex: toolscache.MetaNamespaceIndexFunc})
		if ix := inf.GetIndexer().GetIndexers(); len(ix) != 0 {
			t.Errorf("%s: the informer has indexes %v", name, slices.Collect(maps.Keys(ix)))
		}
		o, err := opts.DefaultTransform(&metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "tls", ResourceVersion: "7"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := inf.GetIndexer().Add(o); err != nil {
			t.Fatal(err)
		}
		got, ok, err := inf.GetIndexer().GetByKey("ns/tls")
		if err != nil || !ok || got.(*objectVersion).resourceVersion != "7" {
			t.Errorf("%s: GetByKey(ns/tls) = %v, %v, %v", name, got, ok, err)
		}
	}
}

// Label sets differ by one value: each gets its own map.
func TestSharedLabelsByContent(t *testing.T) {
	a := sharedLabels(map[string]string{"x": "1", "y": "2"})
	b := sharedLabels(map[string]string{"y": "2", "x": "1"})
	c := sharedLabels(map[string]string{"x": "1", "y": "3"})
	d := sharedLabels(map[string]string{"x": "1=y", "": "2"})
	ptr := func(m map[string]string) unsafe.Pointer { return reflect.ValueOf(m).UnsafePointer() }
	if ptr(a) != ptr(b) {
		t.Error("equal label sets are not shared")
	}
	if ptr(a) == ptr(c) || c["y"] != "3" || ptr(a) == ptr(d) || d["x"] != "1=y" {
		t.Errorf("different label sets share a map: %v %v %v", a, c, d)
	}
	// Two sets whose hashes collide: the second is its own map, equal to
	// what it was given.
	p := newSharedPool(labelSets.equal, labelSets.ref, labelSets.deref)
	keep := maps.Clone[map[string]string]
	first := p.get(7, map[string]string{"a": "1"}, keep)
	second := p.get(7, map[string]string{"b": "2"}, keep)
	if second["b"] != "2" || len(second) != 1 || ptr(first) == ptr(second) || ptr(p.get(7, map[string]string{"a": "1"}, keep)) != ptr(first) {
		t.Errorf("a hash collision mixes label sets: %v, %v", first, second)
	}
	yes, no := true, false
	r1 := sharedOwnerRefs([]metav1.OwnerReference{{Kind: "K", Name: "n", UID: "u", Controller: &yes}})
	r2 := sharedOwnerRefs([]metav1.OwnerReference{{Kind: "K", Name: "n", UID: "u", Controller: &no}})
	r3 := sharedOwnerRefs([]metav1.OwnerReference{{Kind: "K", Name: "n", UID: "u"}})
	if &r1[0] == &r2[0] || &r1[0] == &r3[0] || &r2[0] == &r3[0] || !*r1[0].Controller || *r2[0].Controller || r3[0].Controller != nil {
		t.Error("owner references that differ in controller share a list")
	}
	// Held weakly: what is in use stays shared across collections, what
	// nothing holds goes.
	labels := newSharedPool(labelSets.equal, labelSets.ref, labelSets.deref)
	refs := newSharedPool(ownerRefs.equal, ownerRefs.ref, ownerRefs.deref)
	clip := func(r []metav1.OwnerReference) []metav1.OwnerReference { return slices.Clip(slices.Clone(r)) }
	held := labels.get(1, map[string]string{"gw": "a"}, keep)
	heldRefs := refs.get(1, []metav1.OwnerReference{{Name: "a", UID: "u"}}, clip)
	for i := range 100 {
		labels.get(uint64(100+i), map[string]string{"gw": fmt.Sprint(i)}, keep)
		refs.get(uint64(100+i), []metav1.OwnerReference{{Name: fmt.Sprint(i)}}, clip)
	}
	goruntime.GC()
	if again := labels.get(1, map[string]string{"gw": "a"}, keep); ptr(again) != ptr(held) || again["gw"] != "a" {
		t.Error("a label set in use is not shared after a collection")
	}
	if again := refs.get(1, []metav1.OwnerReference{{Name: "a", UID: "u"}}, clip); &again[0] != &heldRefs[0] || len(again) != 1 || cap(again) != 1 {
		t.Error("owner references in use are not shared after a collection")
	}
	var live int
	for _, e := range labels.byHash {
		if e.data.Value() != nil {
			live++
		}
	}
	if live > 2 {
		t.Errorf("%d label sets nothing holds are kept", live-1)
	}
	goruntime.KeepAlive(held)
	goruntime.KeepAlive(heldRefs)
}

// TestStringPoolIsBounded: the pool holds its strings weakly, so it keeps
// those in use, drops what nothing holds any more, and never hands out a
// string that changed.
func TestStringPoolIsBounded(t *testing.T) {
	p := newStringPool()
	const n = 100_000
	held := make([]string, 0, n/100)
	for i := range n {
		s := p.intern(fmt.Sprintf("string-%d", i))
		if i%100 == 0 {
			held = append(held, s)
		}
		if i%10_000 == 0 {
			goruntime.GC()
		}
	}
	goruntime.GC()
	p.mu.Lock()
	p.sweep()
	size := len(p.byHash)
	p.mu.Unlock()
	if size > 2*len(held) {
		t.Errorf("pool holds %d entries with %d strings in use", size, len(held))
	}
	for i, s := range held {
		if want := fmt.Sprintf("string-%d", 100*i); s != want {
			t.Fatalf("held string %d reads %q, want %q", i, s, want)
		}
		again := p.intern(string([]byte(s)))
		if unsafe.StringData(again) != unsafe.StringData(s) {
			t.Fatalf("%q in use, interned again, is another copy", s)
		}
	}
	// Strings that are not on the heap, or part of a larger one, are
	// copied, never referred to.
	big := strings.Repeat("x", 64)
	if c := p.intern(big[:8]); unsafe.StringData(c) == unsafe.StringData(big) {
		t.Error("the pool refers to part of a larger string")
	}
	if c := p.intern("static"); c != "static" {
		t.Errorf("static string interned as %q", c)
	}
	// Bytes: shared by content, only read.
	b := []byte("certificate")
	got := p.internBytes(b)
	b[0] = 'X'
	if string(got) != "certificate" {
		t.Errorf("internBytes kept the caller's bytes: %q", got)
	}
}

// cachedCopy returns o as a read from the cache returns it: transformed
// as CacheOptions transforms its kind, then copied out.
func cachedCopy(t *testing.T, o client.Object) client.Object {
	t.Helper()
	cached, err := trimWorkload(o)
	if err != nil {
		t.Fatal(err)
	}
	return cached.(runtime.Object).DeepCopyObject().(client.Object)
}

// TestTrimWorkload: the cached workload keeps what status and the Traefik
// entry-point check read, is marked, and drops the rest of its spec.
func TestTrimWorkload(t *testing.T) {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", UID: "uid-1"}}
	gw.Spec.Workload.Kind = v1alpha1.WorkloadDeployment
	gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "redis", Port: intstr.FromInt32(6379)}}}
	traefik := render.DefaultConfig()
	traefik.Driver = v1alpha1.DriverTraefik
	res, err := render.Render(gw, traefik)
	if err != nil {
		t.Fatal(err)
	}
	var dep *appsv1.Deployment
	for _, o := range res.Objects {
		if d, ok := o.(*appsv1.Deployment); ok {
			dep = fresh(t, d).(*appsv1.Deployment)
		}
	}
	if dep == nil {
		t.Fatal("no Deployment rendered")
	}
	dep.Generation = 4
	dep.Status = appsv1.DeploymentStatus{ObservedGeneration: 4, Replicas: 2, ReadyReplicas: 1}
	before := dep.DeepCopy()
	dep = cachedCopy(t, dep).(*appsv1.Deployment)
	if dep.Annotations[apply.SpecTrimmedAnnotation] == "" || !equality.Semantic.DeepEqual(dep.Status, before.Status) ||
		dep.Generation != 4 || *dep.Spec.Replicas != *before.Spec.Replicas || !equality.Semantic.DeepEqual(dep.Labels, before.Labels) {
		t.Errorf("trimmed Deployment lost what status reads: %+v", dep)
	}
	// Traefik's: the controller container with its entry points alone.
	c := dep.Spec.Template.Spec.Containers
	want, _ := render.TraefikStreamEntryPoints(&before.Spec.Template.Spec)
	if len(want) != 1 {
		t.Fatalf("the rendered Traefik Deployment has stream entry points %v, want tcp-9000", want)
	}
	if got, ok := render.TraefikStreamEntryPoints(&dep.Spec.Template.Spec); !ok || !slices.Equal(got, want) {
		t.Errorf("trimmed Deployment: entry points %v (Traefik: %v), want %v", got, ok, want)
	}
	if len(c) != 1 || c[0].Name != render.ControllerContainerName || c[0].Image != "" || len(c[0].Args) >= len(before.Spec.Template.Spec.Containers[0].Args) || dep.Spec.Selector != nil {
		t.Errorf("trimmed Deployment keeps more than the controller's entry-point arguments: %+v", dep.Spec)
	}
	if ro := workloadRollout(dep); ro.desired != *before.Spec.Replicas || ro.ready != 1 || !ro.observed {
		t.Errorf("rollout of the trimmed Deployment: %+v", ro)
	}

	// An ingress-nginx DaemonSet keeps no replicas (it has none) and no
	// container (nothing reads its arguments from the cache).
	gw.Spec.Workload.Kind = v1alpha1.WorkloadDaemonSet
	if res, err = render.Render(gw, render.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	var ds *appsv1.DaemonSet
	for _, o := range res.Objects {
		if d, ok := o.(*appsv1.DaemonSet); ok {
			ds = fresh(t, d).(*appsv1.DaemonSet)
		}
	}
	if ds == nil {
		t.Fatal("no DaemonSet rendered")
	}
	ds.Generation = 2
	ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: 2, DesiredNumberScheduled: 3, NumberReady: 2, UpdatedNumberScheduled: 3, NumberAvailable: 2}
	dsBefore := ds.DeepCopy()
	ds = cachedCopy(t, ds).(*appsv1.DaemonSet)
	if ds.Annotations[apply.SpecTrimmedAnnotation] == "" ||
		!equality.Semantic.DeepEqual(ds.Status, dsBefore.Status) || ds.Generation != 2 || ds.Spec.Selector != nil ||
		len(ds.Spec.Template.Spec.Volumes) != 0 || len(ds.Spec.Template.Spec.Containers) != 0 {
		t.Errorf("trimmed DaemonSet: %+v", ds)
	}
	if ro := workloadRollout(ds); ro.desired != 3 || ro.ready != 2 || !ro.observed || ro.complete {
		t.Errorf("rollout of the trimmed DaemonSet: %+v", ro)
	}
}

// TestTrimWorkloadTwice: a second pass of trimWorkload (a list transforms
// each object twice) changes nothing; an ingress-nginx workload keeps no
// container, a Traefik one its entry points.
func TestTrimWorkloadTwice(t *testing.T) {
	for _, tc := range []struct {
		args []string
		eps  []string // nil: not Traefik
	}{
		{args: []string{"--x"}},
		{args: []string{"--providers.kubernetesIngressNGINX=true", "--entryPoints.tcp-9000.address=:9000/tcp", "--log.level=INFO", "--entryPoints.udp-53.address=:53/udp"},
			eps: []string{"tcp-9000", "udp-53"}},
	} {
		ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-controller", Annotations: map[string]string{"a": "b"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: apply.FieldOwner}}}}
		ds.Spec.Template.Spec.Containers = []corev1.Container{{Name: render.ControllerContainerName, Image: "i", Args: tc.args}}
		cached, err := trimWorkload(ds)
		if err != nil {
			t.Fatal(err)
		}
		once := cached.(runtime.Object).DeepCopyObject().(*appsv1.DaemonSet)
		again, err := trimWorkload(cached)
		if err != nil || again != cached {
			t.Fatalf("a second pass gave %v (%v), want the same entry", again, err)
		}
		ds = again.(runtime.Object).DeepCopyObject().(*appsv1.DaemonSet)
		if !equality.Semantic.DeepEqual(ds, once) || ds.Annotations[apply.SpecTrimmedAnnotation] != "true" || ds.Annotations["a"] != "b" || ds.ManagedFields != nil {
			t.Errorf("a second pass changed the trimmed DaemonSet: %+v, then %+v", once, ds)
		}
		eps, traefik := render.TraefikStreamEntryPoints(&ds.Spec.Template.Spec)
		switch {
		case tc.eps == nil && len(ds.Spec.Template.Spec.Containers) > 0:
			t.Errorf("ingress-nginx DaemonSet: the cache keeps containers %+v", ds.Spec.Template.Spec.Containers)
		case tc.eps != nil && (!traefik || !slices.Equal(eps, tc.eps)):
			t.Errorf("Traefik DaemonSet: the cache keeps entry points %v (Traefik: %v), want %v", eps, traefik, tc.eps)
		case tc.eps != nil && len(ds.Spec.Template.Spec.Containers[0].Args) != 3:
			t.Errorf("Traefik DaemonSet: the cache keeps arguments %q, want the provider and the entry points", ds.Spec.Template.Spec.Containers[0].Args)
		}
	}
}

// TestCachedAnnotations: children the cache trims are kept without their
// render hash, and what remains of their annotations is one map for all
// children that share it; children cached whole keep the hash (a restart
// decides from it, without a read, that they need no write).
func TestCachedAnnotations(t *testing.T) {
	opts := CacheOptions()
	transform := func(o client.Object) client.Object {
		t.Helper()
		for k, by := range opts.ByObject {
			if reflect.TypeOf(k) == reflect.TypeOf(o) {
				fn := by.Transform
				if fn == nil {
					fn = opts.DefaultTransform
				}
				// Twice: a list transforms each object twice.
				var out any = o
				for range 2 {
					var err error
					if out, err = fn(out); err != nil {
						t.Fatal(err)
					}
				}
				return out.(client.Object)
			}
		}
		t.Fatalf("%T is not cached", o)
		return nil
	}
	// Every kind cached as metadata has the same transform.
	meta := func(name string, ann map[string]string) *metav1.PartialObjectMetadata {
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: ann}}
	}
	hashed := func(hash string, more ...string) map[string]string {
		a := map[string]string{apply.RenderHashAnnotation: hash}
		for i := 0; i < len(more); i += 2 {
			a[more[i]] = more[i+1]
		}
		return a
	}
	// A namespaced child: nothing is left.
	sa := transform(meta("gw-a", hashed("h1")))
	if a := sa.GetAnnotations(); a != nil {
		t.Errorf("ServiceAccount: cached annotations %v, want none", a)
	}
	// Two cluster-scoped children of one gateway: one map, its UID.
	crb := transform(meta("gw-a", hashed("h2", render.GatewayUIDAnnotation, "uid-a")))
	vwc := transform(meta("gw-a", hashed("h3", render.GatewayUIDAnnotation, "uid-a")))
	want := map[string]string{render.GatewayUIDAnnotation: "uid-a"}
	if !maps.Equal(crb.GetAnnotations(), want) || !maps.Equal(vwc.GetAnnotations(), want) {
		t.Errorf("cluster-scoped children: cached annotations %v and %v, want %v", crb.GetAnnotations(), vwc.GetAnnotations(), want)
	}
	if reflect.ValueOf(crb.GetAnnotations()).UnsafePointer() != reflect.ValueOf(vwc.GetAnnotations()).UnsafePointer() {
		t.Error("equal annotations of two children are two maps")
	}
	// Workloads: the trimmed mark, shared.
	var marks []map[string]string
	for _, name := range []string{"gw-a", "gw-b"} {
		ds := transform(&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Annotations: hashed("h-" + name)}})
		if !maps.Equal(ds.GetAnnotations(), map[string]string{apply.SpecTrimmedAnnotation: "true"}) {
			t.Errorf("DaemonSet %s: cached annotations %v", name, ds.GetAnnotations())
		}
		marks = append(marks, ds.GetAnnotations())
	}
	if reflect.ValueOf(marks[0]).UnsafePointer() != reflect.ValueOf(marks[1]).UnsafePointer() {
		t.Error("the trimmed mark of two workloads is two maps")
	}
	// A Service: the same mark, what else it carries kept.
	svc := transform(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-a", Annotations: hashed("h4", "user", "x")}})
	if !maps.Equal(svc.GetAnnotations(), map[string]string{apply.SpecTrimmedAnnotation: "true", "user": "x"}) {
		t.Errorf("Service: cached annotations %v", svc.GetAnnotations())
	}
	// A child cached whole keeps its hash.
	lease := transform(&coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-a", Annotations: hashed("h5", "user", "x")}}).(*coordinationv1.Lease)
	if !maps.Equal(lease.Annotations, hashed("h5", "user", "x")) {
		t.Errorf("Lease: cached annotations %v, want the render hash kept", lease.Annotations)
	}
}

// TestChildService: the cache keeps of a Service what status reads, marked
// trimmed so apply.Check reads it whole to compare; a read gets a Service
// of its own.
func TestChildService(t *testing.T) {
	in := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-controller", UID: "u1", ResourceVersion: "9",
			Labels: map[string]string{"app": "gw"}, Annotations: map[string]string{apply.RenderHashAnnotation: "h"},
			OwnerReferences: []metav1.OwnerReference{{Name: "gw", UID: "g1"}}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.7", ClusterIPs: []string{"10.0.0.7"},
			ExternalIPs: []string{"127.0.0.9"}, Selector: map[string]string{"app": "gw"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, NodePort: 30080}}},
		Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "127.0.0.8"}, {Hostname: "lb.example"}}}},
	}
	var out any = in.DeepCopy()
	for range 2 { // a list transforms twice
		var err error
		if out, err = trimService(out); err != nil {
			t.Fatal(err)
		}
	}
	c, ok := out.(*childService)
	if !ok {
		t.Fatalf("trimService = %T", out)
	}
	got := c.DeepCopyObject().(*corev1.Service)
	want := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-controller", UID: "u1", ResourceVersion: "9",
			Labels: map[string]string{"app": "gw"}, Annotations: map[string]string{apply.SpecTrimmedAnnotation: "true"},
			OwnerReferences: []metav1.OwnerReference{{Name: "gw", UID: "g1"}}},
		Spec:   corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.7", ExternalIPs: []string{"127.0.0.9"}},
		Status: in.Status,
	}
	if !equality.Semantic.DeepEqual(got, want) {
		t.Fatalf("cached Service reads\n%+v\nwant\n%+v", got, want)
	}
	// The read is the caller's to change.
	got.Spec.ExternalIPs[0] = "changed"
	got.Status.LoadBalancer.Ingress[0].IP = "changed"
	got.Labels["app"] = "changed"
	again := c.DeepCopyObject().(*corev1.Service)
	if again.Spec.ExternalIPs[0] != "127.0.0.9" || again.Status.LoadBalancer.Ingress[0].IP != "127.0.0.8" || again.Labels["app"] != "gw" {
		t.Errorf("a change to a read reached the cache: %+v", again)
	}
	if c.GetResourceVersion() != "9" || c.GetUID() != "u1" {
		t.Errorf("metadata reads %s@%s", c.GetUID(), c.GetResourceVersion())
	}
}

// TestTrimGateway: a gateway applied with kubectl is cached without the
// copy of its manifest kubectl keeps; everything else stays.
func TestTrimGateway(t *testing.T) {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", Annotations: map[string]string{
		corev1.LastAppliedConfigAnnotation: `{"apiVersion":"ingress.portico.dev/v1alpha1","kind":"IngressGateway"}`, "team": "edge"}}}
	gw.Spec.Workload.HostNetwork = true
	want := gw.DeepCopy()
	delete(want.Annotations, corev1.LastAppliedConfigAnnotation)
	for range 2 { // a list transforms each object twice
		if _, err := trimGateway(gw); err != nil {
			t.Fatal(err)
		}
	}
	if !equality.Semantic.DeepEqual(gw, want) {
		t.Errorf("cached gateway %+v, want %+v", gw, want)
	}
	gw.Annotations = map[string]string{corev1.LastAppliedConfigAnnotation: "{}"}
	if _, err := trimGateway(gw); err != nil || gw.Annotations != nil {
		t.Errorf("annotations left: %v (%v)", gw.Annotations, err)
	}
}

// TestChildMeta: a child cached as metadata reads back, through the
// copies the cache hands out, as its metadata without what the cache
// drops (render hash, creation time, finalizers, managed fields); a copy
// changed leaves the cached entry as it was.
func TestChildMeta(t *testing.T) {
	yes := true
	deleted := metav1.NewTime(time.Unix(1800000000, 0))
	in := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Namespace: "ns", Name: "gw-controller", UID: "3f6c2b1e-9a0d-4c5e-8f7a-0123456789ab", ResourceVersion: "42", Generation: 3,
		CreationTimestamp: metav1.NewTime(time.Unix(1700000000, 0)), DeletionTimestamp: &deleted, Finalizers: []string{"x"},
		Labels:          map[string]string{render.ManagedByLabel: render.ManagedByValue, render.GatewayNameLabel: "gw"},
		Annotations:     map[string]string{apply.RenderHashAnnotation: "h", "other": "kept"},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "ingress.portico.dev/v1alpha1", Kind: "IngressGateway", Name: "gw", UID: "gw-uid", Controller: &yes}},
		ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: apply.FieldOwner}},
	}}
	want := in.DeepCopy()
	want.Annotations = map[string]string{"other": "kept"}
	want.CreationTimestamp, want.Finalizers, want.ManagedFields = metav1.Time{}, nil, nil

	out, err := trimChildMeta(in)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := trimChildMeta(out); err != nil || again != out {
		t.Errorf("a second pass gave %v (%v), want the same entry", again, err)
	}
	cached := out.(*childMeta)
	got := cached.DeepCopyObject().(*metav1.PartialObjectMetadata)
	if !equality.Semantic.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	var o metav1.Object = cached
	if o.GetName() != "gw-controller" || o.GetNamespace() != "ns" || o.GetUID() != want.UID || o.GetResourceVersion() != "42" || o.GetGeneration() != 3 ||
		o.GetDeletionTimestamp() == nil || len(o.GetOwnerReferences()) != 1 || o.GetLabels()[render.GatewayNameLabel] != "gw" {
		t.Errorf("accessors: %+v", cached)
	}
	got.Labels["x"] = "y"
	got.Annotations["x"] = "y"
	*got.OwnerReferences[0].Controller = false
	got.DeletionTimestamp.Time = time.Time{}
	if again := cached.DeepCopyObject().(*metav1.PartialObjectMetadata); !equality.Semantic.DeepEqual(again, want) {
		t.Errorf("changing a copy changed the cache: %+v", again)
	}
	if _, err := trimChildMeta(&corev1.ConfigMap{}); err == nil {
		t.Error("a typed object was taken for metadata")
	}
	// The API server's UID and resourceVersion are kept as numbers; any
	// other form as given.
	if cached.strs != nil {
		t.Errorf("UID %s and resourceVersion %s kept as strings", in.UID, in.ResourceVersion)
	}
	for _, m := range []metav1.ObjectMeta{
		{UID: "not-a-uuid", ResourceVersion: "42"},
		{UID: want.UID, ResourceVersion: "042"},
		{UID: want.UID, ResourceVersion: "a1"},
		{UID: types.UID(strings.ToUpper(string(want.UID))), ResourceVersion: "42"},
		{},
	} {
		c := newChildMeta(&m)
		if c.GetUID() != m.UID || c.GetResourceVersion() != m.ResourceVersion {
			t.Errorf("%q@%q reads back as %q@%q", m.UID, m.ResourceVersion, c.GetUID(), c.GetResourceVersion())
		}
		if om := c.objectMeta(); om.UID != m.UID || om.ResourceVersion != m.ResourceVersion {
			t.Errorf("%q@%q copies as %q@%q", m.UID, m.ResourceVersion, om.UID, om.ResourceVersion)
		}
	}
	// The sizes the comments state.
	if n := unsafe.Sizeof(childMeta{}); n != 120 {
		t.Errorf("childMeta is %d bytes, said to be 120", n)
	}
	if n, m := unsafe.Sizeof(childDaemonSet{}), unsafe.Sizeof(childDeployment{}); n > 232 || m > 232 {
		t.Errorf("childDaemonSet is %d bytes and childDeployment %d, said to be some 200", n, m)
	}
}

// TestChildSecret: the operator's Secrets read back from the cache whole
// but for creation time, finalizers and managed fields, render hash
// included (a restart decides from it that they need no write); a copy
// changed leaves the cached entry as it was.
func TestChildSecret(t *testing.T) {
	yes := true
	in := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{
		Namespace: "ns", Name: "gw-admission", UID: "3f6c2b1e-9a0d-4c5e-8f7a-0123456789ab", ResourceVersion: "42",
		CreationTimestamp: metav1.NewTime(time.Unix(1700000000, 0)),
		Labels:            map[string]string{render.ManagedByLabel: render.ManagedByValue},
		Annotations:       map[string]string{apply.RenderHashAnnotation: "h"},
		OwnerReferences:   []metav1.OwnerReference{{APIVersion: "ingress.portico.dev/v1alpha1", Kind: "IngressGateway", Name: "gw", UID: "gw-uid", Controller: &yes}},
		ManagedFields:     []metav1.ManagedFieldsEntry{{Manager: apply.FieldOwner}},
	}, Type: corev1.SecretTypeTLS, Immutable: &yes, Data: map[string][]byte{"tls.crt": []byte("crt"), "tls.key": []byte("key")}}
	want := in.DeepCopy()
	want.CreationTimestamp, want.ManagedFields = metav1.Time{}, nil

	out, err := trimSecret(in)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := trimSecret(out); err != nil || again != out {
		t.Errorf("a second pass gave %v (%v), want the same entry", again, err)
	}
	cached := out.(*childSecret)
	if cached.annotations != nil {
		t.Errorf("the entry keeps an annotation map of its own: %v", cached.annotations)
	}
	got := cached.DeepCopyObject().(*corev1.Secret)
	if !equality.Semantic.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if !maps.Equal(cached.GetAnnotations(), want.Annotations) {
		t.Errorf("annotations %v, want %v", cached.GetAnnotations(), want.Annotations)
	}
	got.Data["tls.crt"][0] = 'X'
	got.Annotations["x"] = "y"
	*got.Immutable = false
	if again := cached.DeepCopyObject().(*corev1.Secret); !equality.Semantic.DeepEqual(again, want) {
		t.Errorf("changing a copy changed the cache: %+v", again)
	}
}

// TestTrimEndpointSlice: the cache keeps each endpoint's readiness, so
// readyEndpoints counts the same, and nothing else of the endpoints.
func TestTrimEndpointSlice(t *testing.T) {
	yes, no := true, false
	node, zone := "node-1", "zone-a"
	full := discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-admission-x", Labels: map[string]string{discoveryv1.LabelServiceName: "gw-admission"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Port: ptr.To[int32](8443)}},
		Endpoints: []discoveryv1.Endpoint{
			{Addresses: []string{"10.0.0.1"}, NodeName: &node, Zone: &zone, Conditions: discoveryv1.EndpointConditions{Ready: &yes, Serving: &yes, Terminating: &no}},
			{Addresses: []string{"10.0.0.2"}, Conditions: discoveryv1.EndpointConditions{Ready: &no}},
			{Addresses: []string{"10.0.0.3"}, Conditions: discoveryv1.EndpointConditions{Ready: &yes, Terminating: &yes}},
			{Addresses: []string{"10.0.0.4"}},
		}}
	trimmed := full.DeepCopy()
	if _, err := trimEndpointSlice(trimmed); err != nil {
		t.Fatal(err)
	}
	if got, want := readyEndpoints([]discoveryv1.EndpointSlice{*trimmed}), readyEndpoints([]discoveryv1.EndpointSlice{full}); got != want || want != 2 {
		t.Errorf("ready endpoints: %d trimmed, %d whole; want 2 and 2", got, want)
	}
	for i, e := range trimmed.Endpoints {
		if e.Addresses != nil || e.NodeName != nil || e.Zone != nil || e.Conditions.Serving != nil {
			t.Errorf("endpoint %d keeps more than its readiness: %+v", i, e)
		}
	}
	if trimmed.Ports != nil || trimmed.Labels[discoveryv1.LabelServiceName] != "gw-admission" {
		t.Errorf("trimmed slice: ports %v, labels %v", trimmed.Ports, trimmed.Labels)
	}
}
