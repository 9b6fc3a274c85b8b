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
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// gatherGateways collects c through a pedantic registry (which also checks
// Collect against Describe) and returns every sample as
// `name{label="value",...}` (labels sorted) → value.
func gatherGateways(t *testing.T, c *gatewayCollector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(labels)
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			out[key] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	return out
}

func newGatewayCollector(t *testing.T, gws ...client.Object) *gatewayCollector {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return &gatewayCollector{
		reader:        fake.NewClientBuilder().WithScheme(scheme).WithObjects(gws...).Build(),
		holderChanges: map[types.UID]float64{},
	}
}

// TestGatewayCollectorSeries: each gateway's conditions, pods, certificate
// expiries and VIP holder are exported from its status, labelled by
// gateway_namespace and gateway; series that status cannot fill are absent.
func TestGatewayCollectorSeries(t *testing.T) {
	certEnd := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	webhookEnd := certEnd.Add(24 * time.Hour)
	full := &v1alpha1.IngressGateway{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "edge", UID: "uid-edge"},
		Spec:       v1alpha1.IngressGatewaySpec{VIP: &v1alpha1.VIPSpec{Addresses: []string{"192.0.2.10/24"}}},
		Status: v1alpha1.IngressGatewayStatus{
			Conditions: []metav1.Condition{
				{Type: v1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonRollingOut, Message: "unbounded text is never a label"},
				{Type: v1alpha1.ConditionDegraded, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonNameConflict},
			},
			Replicas:           v1alpha1.ReplicaStatus{Desired: 3, Ready: 2, Updated: 1, Available: 2},
			DefaultCertificate: &v1alpha1.CertificateStatus{NotAfter: &metav1.Time{Time: certEnd}},
			AdmissionWebhook:   &v1alpha1.WebhookStatus{CertificateNotAfter: &metav1.Time{Time: webhookEnd}},
			VIP:                &v1alpha1.VIPStatus{RouterID: 1, Holder: "node-a"},
		},
	}
	// A VIP nobody holds, and a gateway without VIP or certificates.
	unheld := &v1alpha1.IngressGateway{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "edge", UID: "uid-unheld"},
		Spec:       v1alpha1.IngressGatewaySpec{VIP: &v1alpha1.VIPSpec{Addresses: []string{"192.0.2.11/24"}}},
		Status:     v1alpha1.IngressGatewayStatus{VIP: &v1alpha1.VIPStatus{RouterID: 2}},
	}
	plain := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "plain", UID: "uid-plain"}}

	c := newGatewayCollector(t, full, unheld, plain)
	c.vipHolderWritten(full.UID, nil, &v1alpha1.VIPStatus{Holder: "node-a"})
	got := gatherGateways(t, c)
	delete(got, `portico_gateways{condition="Ready",reason="RollingOut",status="False"}`)
	delete(got, `portico_gateways{condition="Degraded",reason="NameConflict",status="True"}`)
	want := map[string]float64{
		`portico_gateway_condition{gateway="edge",gateway_namespace="team-a",reason="RollingOut",status="False",type="Ready"}`:     1,
		`portico_gateway_condition{gateway="edge",gateway_namespace="team-a",reason="NameConflict",status="True",type="Degraded"}`: 1,
		`portico_gateway_replicas{gateway="edge",gateway_namespace="team-a",state="desired"}`:                                      3,
		`portico_gateway_replicas{gateway="edge",gateway_namespace="team-a",state="ready"}`:                                        2,
		`portico_gateway_replicas{gateway="edge",gateway_namespace="team-a",state="updated"}`:                                      1,
		`portico_gateway_replicas{gateway="edge",gateway_namespace="team-a",state="available"}`:                                    2,
		`portico_gateway_default_certificate_not_after_seconds{gateway="edge",gateway_namespace="team-a"}`:                         float64(certEnd.Unix()),
		`portico_gateway_webhook_certificate_not_after_seconds{gateway="edge",gateway_namespace="team-a"}`:                         float64(webhookEnd.Unix()),
		`portico_gateway_vip_holder_present{gateway="edge",gateway_namespace="team-a"}`:                                            1,
		`portico_gateway_vip_holder_changes_total{gateway="edge",gateway_namespace="team-a"}`:                                      1,
		`portico_gateway_replicas{gateway="edge",gateway_namespace="team-b",state="desired"}`:                                      0,
		`portico_gateway_replicas{gateway="edge",gateway_namespace="team-b",state="ready"}`:                                        0,
		`portico_gateway_replicas{gateway="edge",gateway_namespace="team-b",state="updated"}`:                                      0,
		`portico_gateway_replicas{gateway="edge",gateway_namespace="team-b",state="available"}`:                                    0,
		`portico_gateway_vip_holder_present{gateway="edge",gateway_namespace="team-b"}`:                                            0,
		`portico_gateway_vip_holder_changes_total{gateway="edge",gateway_namespace="team-b"}`:                                      0,
		`portico_gateway_replicas{gateway="plain",gateway_namespace="team-b",state="desired"}`:                                     0,
		`portico_gateway_replicas{gateway="plain",gateway_namespace="team-b",state="ready"}`:                                       0,
		`portico_gateway_replicas{gateway="plain",gateway_namespace="team-b",state="updated"}`:                                     0,
		`portico_gateway_replicas{gateway="plain",gateway_namespace="team-b",state="available"}`:                                   0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("collected series (-want +got):\n%s", diff)
	}
}

// TestVIPHolderChanges: a move of the holder to a node counts, a holder
// that stays or goes away does not, and a deleted gateway's count is
// forgotten at the next scrape.
func TestVIPHolderChanges(t *testing.T) {
	gw := &v1alpha1.IngressGateway{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", UID: "uid-gw"},
		Spec:       v1alpha1.IngressGatewaySpec{VIP: &v1alpha1.VIPSpec{Addresses: []string{"192.0.2.10/24"}}},
	}
	c := newGatewayCollector(t, gw)
	held := func(node string) *v1alpha1.VIPStatus { return &v1alpha1.VIPStatus{RouterID: 1, Holder: node} }
	steps := []struct {
		prev, cur *v1alpha1.VIPStatus
		counts    bool
	}{
		{nil, held(""), false},           // configured, nobody holds it yet
		{held(""), held("node-a"), true}, // first holder
		{held("node-a"), held("node-a"), false},
		{held("node-a"), held("node-b"), true}, // failover
		{held("node-b"), held(""), false},      // lost: PorticoVIPNoHolder's business
		{held(""), held("node-b"), true},       // regained
		{held("node-b"), nil, false},           // spec.vip removed
	}
	want := 0.0
	for i, s := range steps {
		c.vipHolderWritten(gw.UID, s.prev, s.cur)
		if s.counts {
			want++
		}
		if got := c.holderChanges[gw.UID]; got != want {
			t.Fatalf("step %d (%v → %v): %v holder changes, want %v", i, s.prev, s.cur, got, want)
		}
	}
	key := `portico_gateway_vip_holder_changes_total{gateway="gw",gateway_namespace="ns"}`
	if got := gatherGateways(t, c)[key]; got != want {
		t.Fatalf("%s = %v, want %v", key, got, want)
	}

	c.vipHolderWritten("uid-deleted", nil, held("node-a"))
	gatherGateways(t, c)
	if keys := slices.Sorted(maps.Keys(c.holderChanges)); !slices.Equal(keys, []types.UID{gw.UID}) {
		t.Fatalf("holder changes kept for %v, want only the listed gateway", keys)
	}
}
