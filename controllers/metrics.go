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
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// Operator metrics beyond controller-runtime's (reconcile totals and
// durations, workqueue depth), on the same /metrics endpoint.
var (
	childrenApplied = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portico_children_applied_total",
		Help: "Children written by server-side apply, by kind and operation: create, update (the rendering changed), revert (a change made outside Portico was undone), unchanged (the apply found the child already as rendered).",
	}, []string{"kind", "operation"})
	childrenPruned = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portico_children_pruned_total",
		Help: "Children deleted because their gateway no longer renders them, by kind.",
	}, []string{"kind"})
	reconcileErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portico_reconcile_errors_total",
		Help: "Reconciles that returned an error (and are retried), by reason: the API status reason, or NameConflict, InvalidSpec, Unknown.",
	}, []string{"reason"})
	admissionPolicyInstalled = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "portico_admission_policy_installed",
		Help: "1 when the API server enforces the class and containment ValidatingAdmissionPolicies (with Deny bindings), 0 when one is missing; as of the last reconcile.",
	})
	gatewaysDesc = prometheus.NewDesc("portico_gateways",
		"IngressGateways by condition type and status (and reason), as last written to their status.",
		[]string{"condition", "status", "reason"}, nil)
)

var (
	registerOnce sync.Once
	collectorMu  sync.Mutex
	collector    = &gatewayCollector{}
)

// registerMetrics registers the metrics once per process; the gateway
// gauge reads from reader (the manager's cache) at scrape time.
func registerMetrics(reader client.Reader) {
	registerOnce.Do(func() {
		metrics.Registry.MustRegister(childrenApplied, childrenPruned, reconcileErrors, admissionPolicyInstalled, collector)
	})
	collectorMu.Lock()
	collector.reader = reader
	collectorMu.Unlock()
}

// gatewayCollector counts gateways by condition when scraped: a list from
// the cache, so the counts never drift from what status says.
type gatewayCollector struct {
	reader client.Reader
}

func (c *gatewayCollector) Describe(ch chan<- *prometheus.Desc) { ch <- gatewaysDesc }

func (c *gatewayCollector) Collect(ch chan<- prometheus.Metric) {
	collectorMu.Lock()
	reader := c.reader
	collectorMu.Unlock()
	if reader == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	list := &v1alpha1.IngressGatewayList{}
	if err := reader.List(ctx, list); err != nil {
		return
	}
	type key struct{ condition, status, reason string }
	counts := map[key]float64{}
	for _, gw := range list.Items {
		for _, cond := range gw.Status.Conditions {
			counts[key{cond.Type, string(cond.Status), cond.Reason}]++
		}
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(gatewaysDesc, prometheus.GaugeValue, n, k.condition, k.status, k.reason)
	}
}

// errorReason classifies a reconcile error for portico_reconcile_errors_total.
func errorReason(err error) string {
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		return v1alpha1.ReasonNameConflict
	}
	if r := apierrors.ReasonForError(err); r != "" {
		return string(r)
	}
	return "Unknown"
}
