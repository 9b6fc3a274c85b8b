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

package eventrecorder

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/scheme"
)

func gateway() *v1alpha1.IngressGateway {
	return &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", UID: "uid-1", ResourceVersion: "7"}}
}

// written waits for n events to be written and returns them.
func written(t *testing.T, c client.Client, n int) []eventsv1.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l := &eventsv1.EventList{}
		if err := c.List(context.Background(), l); err != nil {
			t.Fatal(err)
		}
		if len(l.Items) >= n || time.Now().After(deadline) {
			if len(l.Items) != n {
				t.Fatalf("%d events written, want %d", len(l.Items), n)
			}
			return l.Items
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRecorder: each event is written once, as client-go's recorder writes
// it (names, references, reporting fields), also when the same event is
// recorded twice (no series).
func TestRecorder(t *testing.T) {
	s := scheme.New()
	c := fake.NewClientBuilder().WithScheme(s).Build()
	r := New(c, s, "portico", logr.Discard())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = r.Start(ctx) }()

	gw := gateway()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-controller", UID: "uid-2", ResourceVersion: "9"}}
	r.Eventf(gw, cm, corev1.EventTypeNormal, "DriftReverted", "Revert", "Reverted %s", "data")
	r.Eventf(gw, cm, corev1.EventTypeNormal, "DriftReverted", "Revert", "Reverted %s", "data")
	got := written(t, c, 2)
	for _, e := range got {
		if e.Namespace != "ns" || !strings.HasPrefix(e.Name, "gw.") || e.Note != "Reverted data" || e.Type != corev1.EventTypeNormal ||
			e.Reason != "DriftReverted" || e.Action != "Revert" || e.ReportingController != "portico" || !strings.HasPrefix(e.ReportingInstance, "portico-") ||
			e.EventTime.IsZero() || e.Series != nil {
			t.Errorf("event %+v", e)
		}
		want := corev1.ObjectReference{Kind: "IngressGateway", APIVersion: "ingress.portico.dev/v1alpha1", Namespace: "ns", Name: "gw", UID: "uid-1", ResourceVersion: "7"}
		if e.Regarding != want {
			t.Errorf("regarding %+v, want %+v", e.Regarding, want)
		}
		if e.Related == nil || e.Related.Kind != "ConfigMap" || e.Related.Name != "gw-controller" || e.Related.ResourceVersion != "9" {
			t.Errorf("related %+v", e.Related)
		}
	}
	if got[0].Name == got[1].Name {
		t.Errorf("two events named %s", got[0].Name)
	}
	// An unknown event type is refused, as client-go refuses it.
	r.Eventf(gw, nil, "Loud", "X", "Y", "z")
	time.Sleep(100 * time.Millisecond)
	written(t, c, 2)
}

// TestRecorderRetries: a create that fails for a passing reason is tried
// again; one the API server refuses is not.
func TestRecorderRetries(t *testing.T) {
	s := scheme.New()
	var calls atomic.Int32
	c := fake.NewClientBuilder().WithScheme(s).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			n := calls.Add(1)
			switch ev := obj.(*eventsv1.Event); {
			case ev.Reason == "Refused":
				return apierrors.NewForbidden(schema.GroupResource{Group: "events.k8s.io", Resource: "events"}, ev.Name, nil)
			case n == 1:
				return apierrors.NewTooManyRequests("slow down", 1)
			}
			return c.Create(ctx, obj, opts...)
		}}).Build()
	r := New(c, s, "portico", logr.Discard())
	r.backoff = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = r.Start(ctx) }()
	r.Eventf(gateway(), nil, corev1.EventTypeNormal, "Throttled", "Reconcile", "once")
	written(t, c, 1)
	before := calls.Load()
	r.Eventf(gateway(), nil, corev1.EventTypeWarning, "Refused", "Reconcile", "never")
	time.Sleep(100 * time.Millisecond)
	if n := calls.Load() - before; n != 1 {
		t.Errorf("a refused event was tried %d times, want 1", n)
	}
	written(t, c, 1)
}

// TestRecorderNeverBlocks: with the queue full (nothing sending), an event
// is dropped, not waited for.
func TestRecorderNeverBlocks(t *testing.T) {
	s := scheme.New()
	r := New(fake.NewClientBuilder().WithScheme(s).Build(), s, "portico", logr.Discard())
	done := make(chan struct{})
	go func() {
		for range QueueLength + 10 {
			r.Eventf(gateway(), nil, corev1.EventTypeNormal, "X", "Y", "z")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Eventf blocked on a full queue")
	}
	if len(r.queue) != QueueLength {
		t.Errorf("%d events queued, want %d", len(r.queue), QueueLength)
	}
}
