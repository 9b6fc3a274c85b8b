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
	"k8s.io/apimachinery/pkg/types"
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
		Help: "Reconciles that returned an error (and are retried), by the phase that failed (resolveClass, resolveInputs, render, pruneOldWorkload, applyChildren, pruneStale, observe, writeStatus, finalize) and reason: the API status reason (Conflict, Forbidden, ...), or Unknown.",
	}, []string{"phase", "reason"})
	admissionPolicyInstalled = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "portico_admission_policy_installed",
		Help: "1 when the API server enforces the class and containment ValidatingAdmissionPolicies (with Deny bindings), 0 when one is missing; as of the last reconcile.",
	})
	adoptionGuardedGauge = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "portico_apply_without_read",
		Help: "1 when the API server refuses adoption itself (the containment policy's adoption rule, bound, matching the operator), so children the cache does not hold are applied without a read first; 0 when each is read first. As of the last reconcile.",
	})
	gatewaysDesc = prometheus.NewDesc("portico_gateways",
		"IngressGateways by condition type and status (and reason), as last written to their status.",
		[]string{"condition", "status", "reason"}, nil)

	// Per-gateway series for alerts and dashboards (config/prometheus,
	// config/grafana). The gateway is labelled gateway_namespace and
	// gateway, not namespace and name: Prometheus gives a scraped namespace
	// label to its target's namespace unless honor_labels is set, which
	// would merge same-named gateways of different namespaces. Every label
	// value is bounded: names, API condition types and reasons, states.
	gatewayConditionDesc = prometheus.NewDesc("portico_gateway_condition",
		"1 for each status condition of each IngressGateway, labelled with its type, status and reason (one of the API's reason constants).",
		[]string{"gateway_namespace", "gateway", "type", "status", "reason"}, nil)
	gatewayReplicasDesc = prometheus.NewDesc("portico_gateway_replicas",
		"Controller pods of each IngressGateway by state (desired, ready, updated, available), from status.replicas.",
		[]string{"gateway_namespace", "gateway", "state"}, nil)
	defaultCertNotAfterDesc = prometheus.NewDesc("portico_gateway_default_certificate_not_after_seconds",
		"When the default certificate expires (status.defaultCertificate.notAfter), in Unix seconds; absent without one.",
		[]string{"gateway_namespace", "gateway"}, nil)
	webhookCertNotAfterDesc = prometheus.NewDesc("portico_gateway_webhook_certificate_not_after_seconds",
		"When the data-plane admission webhook's serving certificate expires (status.admissionWebhook.certificateNotAfter), in Unix seconds; the operator renews it after two thirds of its lifetime.",
		[]string{"gateway_namespace", "gateway"}, nil)
	vipHolderPresentDesc = prometheus.NewDesc("portico_gateway_vip_holder_present",
		"For each IngressGateway with spec.vip: 1 when a node holds its floating addresses (status.vip.holder), 0 when none does.",
		[]string{"gateway_namespace", "gateway"}, nil)
	vipHolderChangesDesc = prometheus.NewDesc("portico_gateway_vip_holder_changes_total",
		"For each IngressGateway with spec.vip: status writes of this process that moved status.vip.holder to a node (another one, or one after none); 0 on replicas that are not the leader.",
		[]string{"gateway_namespace", "gateway"}, nil)
)

var (
	registerOnce sync.Once
	collectorMu  sync.Mutex
	collector    = &gatewayCollector{holderChanges: map[types.UID]float64{}}
)

// registerMetrics registers the metrics once per process; the gateway
// gauge reads from reader (the manager's cache) at scrape time.
func registerMetrics(reader client.Reader) {
	registerOnce.Do(func() {
		metrics.Registry.MustRegister(childrenApplied, childrenPruned, reconcileErrors, admissionPolicyInstalled, adoptionGuardedGauge, collector)
		// A series per phase starts at 0: it exists before the first
		// error, so rate() sees that error and alerts find the metric.
		for _, p := range []string{phaseClass, phaseInputs, phaseRender, phasePruneOldWorkload, phaseApply, phasePruneStale, phaseObserve, phaseStatus, phaseFinalize} {
			reconcileErrors.WithLabelValues(p, "Unknown")
		}
	})
	collectorMu.Lock()
	collector.reader = reader
	collectorMu.Unlock()
}

// gatewayCollector counts gateways by condition and exports each
// gateway's status when scraped: a list from the cache, so the series never
// drift from what status says and cost no API call.
type gatewayCollector struct {
	reader client.Reader
	// holderChanges counts VIP holder moves by gateway UID (a recreated
	// gateway starts again from 0); guarded by collectorMu.
	holderChanges map[types.UID]float64
}

func (c *gatewayCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{gatewaysDesc, gatewayConditionDesc, gatewayReplicasDesc,
		defaultCertNotAfterDesc, webhookCertNotAfterDesc, vipHolderPresentDesc, vipHolderChangesDesc} {
		ch <- d
	}
}

// vipHolderWritten counts a written status whose VIP holder moved to a
// node, for the flapping alert. It is called after the status write, so a
// failed write that is retried counts once.
func (c *gatewayCollector) vipHolderWritten(uid types.UID, prev, cur *v1alpha1.VIPStatus) {
	if cur == nil || cur.Holder == "" || (prev != nil && prev.Holder == cur.Holder) {
		return
	}
	collectorMu.Lock()
	c.holderChanges[uid]++
	collectorMu.Unlock()
}

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
	collectorMu.Lock()
	changes := make(map[types.UID]float64, len(c.holderChanges))
	for i := range list.Items {
		if uid := list.Items[i].UID; c.holderChanges[uid] > 0 {
			changes[uid] = c.holderChanges[uid]
		}
	}
	// Forget deleted gateways.
	c.holderChanges = changes
	collectorMu.Unlock()
	for i := range list.Items {
		gw := &list.Items[i]
		st := &gw.Status
		for _, cond := range st.Conditions {
			counts[key{cond.Type, string(cond.Status), cond.Reason}]++
			ch <- prometheus.MustNewConstMetric(gatewayConditionDesc, prometheus.GaugeValue, 1,
				gw.Namespace, gw.Name, cond.Type, string(cond.Status), cond.Reason)
		}
		for state, n := range map[string]int32{"desired": st.Replicas.Desired, "ready": st.Replicas.Ready,
			"updated": st.Replicas.Updated, "available": st.Replicas.Available} {
			ch <- prometheus.MustNewConstMetric(gatewayReplicasDesc, prometheus.GaugeValue, float64(n), gw.Namespace, gw.Name, state)
		}
		if dc := st.DefaultCertificate; dc != nil && dc.NotAfter != nil {
			ch <- prometheus.MustNewConstMetric(defaultCertNotAfterDesc, prometheus.GaugeValue, float64(dc.NotAfter.Unix()), gw.Namespace, gw.Name)
		}
		if wh := st.AdmissionWebhook; wh != nil && wh.CertificateNotAfter != nil {
			ch <- prometheus.MustNewConstMetric(webhookCertNotAfterDesc, prometheus.GaugeValue, float64(wh.CertificateNotAfter.Unix()), gw.Namespace, gw.Name)
		}
		if gw.Spec.VIP != nil {
			present := 0.0
			if st.VIP != nil && st.VIP.Holder != "" {
				present = 1
			}
			ch <- prometheus.MustNewConstMetric(vipHolderPresentDesc, prometheus.GaugeValue, present, gw.Namespace, gw.Name)
			ch <- prometheus.MustNewConstMetric(vipHolderChangesDesc, prometheus.CounterValue, changes[gw.UID], gw.Namespace, gw.Name)
		}
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(gatewaysDesc, prometheus.GaugeValue, n, k.condition, k.status, k.reason)
	}
}

// errorLabels classifies a reconcile error for
// portico_reconcile_errors_total: the phase that failed and the API status
// reason of its error.
func errorLabels(err error) (phase, reason string) {
	phase, reason = "unknown", "Unknown"
	var pe *PhaseError
	if errors.As(err, &pe) {
		phase = pe.Phase
	}
	if r := apierrors.ReasonForError(err); r != "" {
		reason = string(r)
	}
	return phase, reason
}
