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
	live.Annotations = map[string]string{RenderHashAnnotation: hash}
	trimmed := live.DeepCopy()
	trimmed.Spec = appsv1.DaemonSetSpec{}
	trimmed.Annotations = map[string]string{RenderHashAnnotation: hash, SpecTrimmedAnnotation: "true"}

	s := scheme.New()
	var reads int
	reader := fake.NewClientBuilder().WithScheme(s).WithObjects(live).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			reads++
			return c.Get(ctx, key, obj, opts...)
		}}).Build()
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
	// Remembered, same generation (a status update): no read.
	if p, err = a.Check(ctx, gw, want, hash, false); err != nil || reads != 1 || p.Write {
		t.Fatalf("remembered: %v, %d reads, write %v; want no read and no write", err, reads, p.Write)
	}
	// A new rendering: read whole, and the drift named from the whole object.
	next := rendered("v2")
	if p, err = a.Check(ctx, gw, next, "", false); err != nil || reads != 2 || !p.Write || len(p.Drift) != 1 || p.Drift[0] != "spec.template" {
		t.Fatalf("new rendering: %v, %d reads, write %v, drift %v; want a read, a write and spec.template", err, reads, p.Write, p.Drift)
	}
	if _, ok := p.Current.(*appsv1.DaemonSet); !ok || p.Current.GetAnnotations()[SpecTrimmedAnnotation] != "" {
		t.Errorf("the plan compares the trimmed copy: %v", p.Current)
	}
}
