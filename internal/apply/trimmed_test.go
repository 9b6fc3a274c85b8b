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
	"errors"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/scheme"
)

// countingReader is an API server holding objs that counts its reads.
func countingReader(reads *int, objs ...client.Object) client.Reader {
	return fake.NewClientBuilder().WithScheme(scheme.New()).WithObjects(objs...).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			*reads++
			return c.Get(ctx, key, obj, opts...)
		}}).Build()
}

// TestTrimmedWorkload: a workload the cache holds without its spec is read
// whole when it must be compared (after a restart, or once its generation
// moved), and not otherwise; what is read decides, never the trimmed copy.
func TestTrimmedWorkload(t *testing.T) {
	ctx := context.Background()
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", UID: "a1"}}
	rendered := func(image string) *appsv1.DaemonSet {
		ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-controller", Labels: render.Labels(gw),
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(gw, v1alpha1.GroupVersion.WithKind("IngressGateway"))}}}
		ds.Spec.Template.Spec.Containers = []corev1.Container{{Name: render.ControllerContainerName, Image: image}}
		return ds
	}
	want := rendered("v1")
	hash, err := Hash(want)
	if err != nil {
		t.Fatal(err)
	}
	live := want.DeepCopy()
	live.UID, live.ResourceVersion, live.Generation = "d1", "7", 3
	live.Annotations = map[string]string{RenderHashAnnotation: hash.String()}
	trimmed := live.DeepCopy()
	trimmed.Spec = appsv1.DaemonSetSpec{}
	trimmed.Annotations = map[string]string{RenderHashAnnotation: hash.String(), SpecTrimmedAnnotation: "true"}

	s := scheme.New()
	var reads int
	reader := countingReader(&reads, live)
	cached := fake.NewClientBuilder().WithScheme(s).WithObjects(trimmed).Build()
	recs := records{}
	a := &Applier{Client: cached, Reader: reader, Scheme: s, Records: recs}

	// Nothing in memory: read whole, found as rendered, not written.
	p, err := a.Check(ctx, gw, want, hash, false)
	if err != nil {
		t.Fatal(err)
	}
	if reads != 1 || p.Write || len(p.Drift) != 0 {
		t.Fatalf("restart: %d reads, write %v, drift %v; want one read and no write", reads, p.Write, p.Drift)
	}
	// Remembered; a status update moved the resourceVersion, not the
	// generation: no read, no write.
	statusOnly := trimmed.DeepCopy()
	statusOnly.ResourceVersion = "8"
	statusOnly.Status.NumberReady = 1
	a.Client = fake.NewClientBuilder().WithScheme(s).WithObjects(statusOnly).Build()
	if p, err = a.Check(ctx, gw, want, hash, false); err != nil || reads != 1 || p.Write {
		t.Fatalf("status update: %v, %d reads, write %v; want no read and no write", err, reads, p.Write)
	}
	// A new rendering: read whole, and the drift named from the whole object.
	next := rendered("v2")
	if p, err = a.Check(ctx, gw, next, Digest{}, false); err != nil || reads != 2 || !p.Write || len(p.Drift) != 1 || p.Drift[0] != "spec.template" {
		t.Fatalf("new rendering: %v, %d reads, write %v, drift %v; want a read, a write and spec.template", err, reads, p.Write, p.Drift)
	}
	if _, ok := p.Current.(*appsv1.DaemonSet); !ok || p.Current.GetAnnotations()[SpecTrimmedAnnotation] != "" {
		t.Errorf("the plan compares the trimmed copy: %v", p.Current)
	}
	for _, c := range p.Changed() {
		if c == "annotation "+SpecTrimmedAnnotation {
			t.Errorf("the cache-only mark is reported as a change: %v", p.Changed())
		}
	}

	// A hand edit of the pod template (the generation moved) of a
	// remembered workload: read whole, reverted, drift named.
	edited := live.DeepCopy()
	edited.ResourceVersion, edited.Generation = "9", 4
	edited.Spec.Template.Spec.Containers[0].Image = "tampered"
	editedTrimmed := trimmed.DeepCopy()
	editedTrimmed.ResourceVersion, editedTrimmed.Generation = "9", 4
	reads = 0
	a.Reader = countingReader(&reads, edited)
	a.Client = fake.NewClientBuilder().WithScheme(s).WithObjects(editedTrimmed).Build()
	if p, err = a.Check(ctx, gw, want, hash, false); err != nil || reads != 1 || !p.Write || !p.Reverted || len(p.Drift) != 1 || p.Drift[0] != "spec.template" {
		t.Fatalf("hand edit: %v, %d reads, write %v, reverted %v, drift %v; want one read and a reverted spec.template", err, reads, p.Write, p.Reverted, p.Drift)
	}

	// Gone between the cache and the read: created again.
	a.Reader = fake.NewClientBuilder().WithScheme(s).Build()
	if p, err = a.Check(ctx, gw, want, hash, false); err != nil || !p.Write || p.Current != nil || p.Outcome(live) != Created {
		t.Fatalf("deleted under the cache: %v, write %v, current %v; want a creation", err, p.Write, p.Current)
	}

	// Taken over between the cache and the read: a conflict, nothing written.
	foreign := edited.DeepCopy()
	foreign.OwnerReferences = nil
	a.Reader = fake.NewClientBuilder().WithScheme(s).WithObjects(foreign).Build()
	var conflict *ConflictError
	if _, err = a.Check(ctx, gw, want, hash, false); !errors.As(err, &conflict) {
		t.Fatalf("taken over under the cache: %v; want a conflict", err)
	}
}

// TestMetadataOnlyChild: a child the cache holds as metadata is read whole
// when nothing is in memory (a restart), when its resourceVersion moved
// or for a new rendering, and the whole object decides; a remembered,
// unmoved child costs no read.
func TestMetadataOnlyChild(t *testing.T) {
	ctx := context.Background()
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", UID: "a1"}}
	want := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-controller", Labels: render.Labels(gw),
		OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(gw, v1alpha1.GroupVersion.WithKind("IngressGateway"))}},
		Data: map[string]string{"use-forwarded-headers": "true"}}
	hash, err := Hash(want)
	if err != nil {
		t.Fatal(err)
	}
	// live is the API server's object; cache(o) the cache's copy (the
	// fake client serves its metadata, as the manager's cache does).
	live := want.DeepCopy()
	live.UID, live.ResourceVersion = "c1", "7"
	live.Annotations = map[string]string{RenderHashAnnotation: hash.String()}
	cache := func(o *corev1.ConfigMap) client.Client {
		return fake.NewClientBuilder().WithScheme(scheme.New()).WithObjects(o.DeepCopy()).Build()
	}
	var reads int
	reader := func(o client.Object) client.Reader { return countingReader(&reads, o) }
	check := func(a *Applier) *Plan {
		t.Helper()
		reads = 0
		p, err := a.Check(ctx, gw, want, hash, false)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	// A restart, the child as rendered: one read, no write.
	a := &Applier{Client: cache(live), Reader: reader(live), Scheme: scheme.New(), Records: records{}}
	if p := check(a); reads != 1 || p.Write {
		t.Fatalf("restart, as rendered: %d reads, write %v; want one read and no write", reads, p.Write)
	}
	// Remembered, same resourceVersion: no read.
	if p := check(a); reads != 0 || p.Write {
		t.Fatalf("remembered: %d reads, write %v; want none", reads, p.Write)
	}

	// A hand edit that only removes a key (which leaves no field manager
	// behind) made while the operator was down: one read, reverted.
	edited := live.DeepCopy()
	edited.ResourceVersion = "8"
	delete(edited.Data, "use-forwarded-headers")
	a = &Applier{Client: cache(edited), Reader: reader(edited), Scheme: scheme.New(), Records: records{}}
	if p := check(a); reads != 1 || !p.Write || !p.Reverted || len(p.Drift) != 1 || p.Drift[0] != "data" {
		t.Fatalf("restart, hand edit: %d reads, write %v, reverted %v, drift %v; want one read and reverted data", reads, p.Write, p.Reverted, p.Drift)
	}
	// The same edit while the operator ran (its record holds the earlier
	// resourceVersion): one read.
	a = &Applier{Client: cache(edited), Reader: reader(edited), Scheme: scheme.New(), Records: records{}}
	a.remember(gw.UID, RecordKey(corev1.SchemeGroupVersion.WithKind("ConfigMap"), "ns", "gw-controller"), hash, live)
	if p := check(a); reads != 1 || !p.Write || !p.Reverted || len(p.Drift) != 1 || p.Drift[0] != "data" {
		t.Fatalf("running, hand edit: %d reads, write %v, reverted %v, drift %v; want one read and reverted data", reads, p.Write, p.Reverted, p.Drift)
	}

	// Labels gone: read, and named.
	unlabeled := live.DeepCopy()
	unlabeled.Labels = map[string]string{render.ManagedByLabel: render.ManagedByValue, render.GatewayNameLabel: gw.Name, render.GatewayNamespaceLabel: gw.Namespace}
	a = &Applier{Client: cache(unlabeled), Reader: reader(unlabeled), Scheme: scheme.New(), Records: records{}}
	if p := check(a); reads != 1 || !p.Write || !slices.Contains(p.Drift, "metadata.labels") {
		t.Fatalf("label removed: %d reads, write %v, drift %v; want one read and metadata.labels", reads, p.Write, p.Drift)
	}

	// Another rendering: read, and the write planned.
	next := want.DeepCopy()
	next.Data["use-forwarded-headers"] = "false"
	a = &Applier{Client: cache(live), Reader: reader(live), Scheme: scheme.New(), Records: records{}}
	reads = 0
	if p, err := a.Check(ctx, gw, next, Digest{}, false); err != nil || reads != 1 || !p.Write || p.Reverted {
		t.Fatalf("new rendering: %v, %d reads, write %v, reverted %v; want a read and a write", err, reads, p.Write, p.Reverted)
	}
}
