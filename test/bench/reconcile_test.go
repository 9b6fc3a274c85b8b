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

package main

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// countingTransport counts every request the operator sends.
type countingTransport struct {
	next   http.RoundTripper
	counts *requestCounts
}

type requestCounts struct{ reads, writes atomic.Int64 }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet {
		t.counts.reads.Add(1)
	} else {
		t.counts.writes.Add(1)
	}
	return t.next.RoundTrip(r)
}

// BenchmarkNoopReconcile measures a reconcile of a converged gateway: the
// API requests it sends (reads and writes per op) and its allocations.
func BenchmarkNoopReconcile(b *testing.B) {
	ctrllog.SetLogger(logr.Discard())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env, err := testenv.Start(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// Stop the manager before the API server: its open watches would hold
	// the API server's shutdown for its whole grace period.
	defer func() { cancel(); _ = env.Stop() }()

	counter := &countingTransport{counts: &requestCounts{}}
	cfg := rest.CopyConfig(env.Config)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return &countingTransport{next: rt, counts: counter.counts}
	}
	mgr, r, err := manager.Build(cfg, manager.Options{MetricsAddr: "0", ProbeAddr: "0", Render: render.DefaultConfig(), SkipNameValidation: true})
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = mgr.Start(ctx) }()

	if err := testenv.CreatePermissiveClass(ctx, env.Client); err != nil {
		b.Fatal(err)
	}
	if err := mkGatewayNamespace(ctx, env.Client, "bench"); err != nil {
		b.Fatal(err)
	}
	gw := benchGateway("bench", "noop")
	if err := env.Client.Create(ctx, gw); err != nil {
		b.Fatal(err)
	}
	req := reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)}
	deadline := time.Now().Add(time.Minute)
	for {
		cur := &v1alpha1.IngressGateway{}
		if err := env.Client.Get(ctx, req.NamespacedName, cur); err == nil && cur.Status.ObservedGeneration == cur.Generation {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("gateway did not converge")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the cache catch up with the last writes
	if _, err := r.Reconcile(ctx, req); err != nil {
		b.Fatal(err)
	}

	reads0, writes0 := counter.counts.reads.Load(), counter.counts.writes.Load()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Reconcile(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(counter.counts.reads.Load()-reads0)/n, "reads/op")
	b.ReportMetric(float64(counter.counts.writes.Load()-writes0)/n, "writes/op")
}
