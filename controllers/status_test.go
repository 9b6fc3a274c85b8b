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
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/render"
)

func ds(gen, observedGen int64, desired, updated, available int32) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "gw-controller", Generation: gen},
		Status: appsv1.DaemonSetStatus{ObservedGeneration: observedGen, DesiredNumberScheduled: desired,
			UpdatedNumberScheduled: updated, NumberAvailable: available, NumberReady: available},
	}
}

func deploy(gen, observedGen int64, replicas, total, updated, available int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "gw-controller", Generation: gen},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To(replicas)},
		Status: appsv1.DeploymentStatus{ObservedGeneration: observedGen, Replicas: total,
			UpdatedReplicas: updated, AvailableReplicas: available, ReadyReplicas: available},
	}
}

func TestComputeStatusConditions(t *testing.T) {
	type want struct{ ready, progressing, degraded string } // reasons
	res := &render.Result{Image: "img", IngressClassName: "gw", ControllerClass: "portico.dev/ns.gw"}
	cases := []struct {
		name string
		obs  observed
		want want
	}{
		{"no workload yet", observed{Result: res},
			want{v1alpha1.ReasonWorkloadPending, v1alpha1.ReasonWorkloadPending, v1alpha1.ReasonAsExpected}},
		{"DaemonSet not observed", observed{Result: res, Workload: ds(2, 1, 3, 3, 3)},
			want{v1alpha1.ReasonWorkloadPending, v1alpha1.ReasonWorkloadPending, v1alpha1.ReasonAsExpected}},
		{"DaemonSet rolling", observed{Result: res, Workload: ds(2, 2, 3, 1, 3)},
			want{v1alpha1.ReasonRollingOut, v1alpha1.ReasonRollingOut, v1alpha1.ReasonAsExpected}},
		{"DaemonSet complete", observed{Result: res, Workload: ds(2, 2, 3, 3, 3)},
			want{v1alpha1.ReasonAvailable, v1alpha1.ReasonRolloutComplete, v1alpha1.ReasonAsExpected}},
		{"DaemonSet on no node", observed{Result: res, Workload: ds(2, 2, 0, 0, 0)},
			want{v1alpha1.ReasonNoMatchingNodes, v1alpha1.ReasonRolloutComplete, v1alpha1.ReasonNoMatchingNodes}},
		{"Deployment with old pods left", observed{Result: res, Workload: deploy(1, 1, 2, 3, 2, 2)},
			want{v1alpha1.ReasonRollingOut, v1alpha1.ReasonRollingOut, v1alpha1.ReasonAsExpected}},
		{"Deployment complete", observed{Result: res, Workload: deploy(1, 1, 2, 2, 2, 2)},
			want{v1alpha1.ReasonAvailable, v1alpha1.ReasonRolloutComplete, v1alpha1.ReasonAsExpected}},
		{"Deployment scaled to zero", observed{Result: res, Workload: deploy(1, 1, 0, 0, 0, 0)},
			want{v1alpha1.ReasonNoReplicas, v1alpha1.ReasonRolloutComplete, v1alpha1.ReasonAsExpected}},
		{"switching kinds", observed{Result: res, Switching: true},
			want{v1alpha1.ReasonSwitchingWorkload, v1alpha1.ReasonSwitchingWorkload, v1alpha1.ReasonAsExpected}},
		{"name conflict wins over rollout", observed{Result: res, Workload: ds(1, 1, 1, 1, 1),
			Conflicts: []*apply.ConflictError{{Kind: "ConfigMap", Namespace: "ns", Name: "gw-tcp", Reason: "x"}}},
			want{v1alpha1.ReasonNameConflict, v1alpha1.ReasonNameConflict, v1alpha1.ReasonNameConflict}},
		{"apply error", observed{Result: res, Failed: &PhaseError{Phase: phaseApply, Err: errors.New("boom")}},
			want{v1alpha1.ReasonApplyFailed, v1alpha1.ReasonApplyFailed, v1alpha1.ReasonApplyFailed}},
		{"webhook certificates could not be issued: nothing observed, nothing claimed",
			observed{Completed: []string{phaseClass}, Failed: &PhaseError{Phase: phaseInputs, Err: errors.New("issue webhook certificates: boom")},
				WebhookErr: errors.New("issue webhook certificates: boom")},
			want{v1alpha1.ReasonNotObserved, v1alpha1.ReasonNotObserved, v1alpha1.ReasonReconcileFailed}},
		{"pods could not be listed: the rollout is known, the failure reported",
			observed{Result: res, Workload: ds(2, 2, 3, 3, 3), Completed: []string{phaseClass, phaseInputs, phaseRender, phasePruneOldWorkload, phaseApply, phasePruneStale},
				Failed: &PhaseError{Phase: phaseObserve, Err: errors.New("list pods: boom")}},
			want{v1alpha1.ReasonAvailable, v1alpha1.ReasonRolloutComplete, v1alpha1.ReasonReconcileFailed}},
		{"render error", observed{RenderErr: errors.New("no image")},
			want{v1alpha1.ReasonInvalidSpec, v1alpha1.ReasonInvalidSpec, v1alpha1.ReasonInvalidSpec}},
	}
	now := metav1.NewTime(time.Unix(1_800_000_000, 0))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Name: "gw", Namespace: "ns", Generation: 7}}
			st := computeStatus(gw, tc.obs, now)
			for typ, reason := range map[string]string{v1alpha1.ConditionReady: tc.want.ready,
				v1alpha1.ConditionProgressing: tc.want.progressing, v1alpha1.ConditionDegraded: tc.want.degraded} {
				c := meta.FindStatusCondition(st.Conditions, typ)
				if c == nil {
					t.Fatalf("no %s condition", typ)
				}
				if c.Reason != reason {
					t.Errorf("%s reason = %s (%s), want %s", typ, c.Reason, c.Message, reason)
				}
				if c.ObservedGeneration != 7 {
					t.Errorf("%s observedGeneration = %d", typ, c.ObservedGeneration)
				}
				if c.Message == "" {
					t.Errorf("%s has no message", typ)
				}
			}
			ready := meta.IsStatusConditionTrue(st.Conditions, v1alpha1.ConditionReady)
			if ready != (tc.want.ready == v1alpha1.ReasonAvailable) {
				t.Errorf("Ready=%v with reason %s", ready, tc.want.ready)
			}
		})
	}
}

func TestComputeStatusIsAFixedPoint(t *testing.T) {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Name: "gw", Namespace: "ns", Generation: 3}}
	obs := observed{Result: &render.Result{Image: "img"}, Workload: ds(1, 1, 2, 2, 2)}
	first := computeStatus(gw, obs, metav1.NewTime(time.Unix(100, 0)))
	gw.Status = first
	second := computeStatus(gw, obs, metav1.NewTime(time.Unix(200, 0)))
	if !equalStatus(first, second) {
		t.Error("recomputing an unchanged status changed it (transition times must be kept)")
	}
	if first.ObservedGeneration != 3 || first.Ready != "2/2" {
		t.Errorf("observedGeneration=%d ready=%s", first.ObservedGeneration, first.Ready)
	}
	// A failed phase, whichever, keeps the previous observedGeneration.
	gw.Generation = 4
	for _, ph := range []string{phaseClass, phaseInputs, phaseApply, phaseObserve} {
		third := computeStatus(gw, observed{Result: obs.Result, Workload: obs.Workload, Failed: &PhaseError{Phase: ph, Err: errors.New("x")}}, metav1.NewTime(time.Unix(300, 0)))
		if third.ObservedGeneration != 3 {
			t.Errorf("observedGeneration advanced to %d despite a failed %s", third.ObservedGeneration, ph)
		}
		if c := findCondition(third, v1alpha1.ConditionDegraded); c == nil || c.Status != metav1.ConditionTrue {
			t.Errorf("failed %s: Degraded = %+v, want True", ph, c)
		}
	}
}

func TestUnobservedConditionsAreUnknown(t *testing.T) {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Name: "gw", Namespace: "ns", Generation: 2},
		Spec: v1alpha1.IngressGatewaySpec{
			DefaultCertificate: &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "tls"}},
			TCP:                []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "db", Port: intstr.FromInt32(5432)}}},
		}}
	gw.Status.Addresses = []string{"192.0.2.1"}
	obs := observed{Completed: []string{phaseClass}, Failed: &PhaseError{Phase: phaseInputs, Err: errors.New("read default certificate Secret ns/tls: timeout")}}
	st := computeStatus(gw, obs, metav1.NewTime(time.Unix(100, 0)))
	for _, typ := range []string{v1alpha1.ConditionReady, v1alpha1.ConditionProgressing, v1alpha1.ConditionWebhookReady,
		v1alpha1.ConditionDefaultCertificateReady, v1alpha1.ConditionBackendsResolved} {
		c := findCondition(st, typ)
		if c == nil || c.Status != metav1.ConditionUnknown || c.Reason != v1alpha1.ReasonNotObserved {
			t.Errorf("%s = %+v, want Unknown/NotObserved", typ, c)
		}
	}
	d := findCondition(st, v1alpha1.ConditionDegraded)
	if d == nil || d.Reason != v1alpha1.ReasonReconcileFailed || !strings.Contains(d.Message, "Phase resolveInputs failed: read default certificate Secret ns/tls: timeout") {
		t.Errorf("Degraded = %+v", d)
	}
	if !slices.Equal(st.Addresses, []string{"192.0.2.1"}) {
		t.Errorf("addresses = %v, want the previous ones kept", st.Addresses)
	}
}

func TestAddresses(t *testing.T) {
	readyPod := func(ip string, ready bool) corev1.Pod {
		st := corev1.ConditionFalse
		if ready {
			st = corev1.ConditionTrue
		}
		return corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, HostIP: ip,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}}}
	}
	hostNet := &v1alpha1.IngressGateway{Spec: v1alpha1.IngressGatewaySpec{Workload: v1alpha1.WorkloadSpec{HostNetwork: true}}}
	got := addresses(hostNet, observed{Pods: []corev1.Pod{readyPod("10.0.0.2", true), readyPod("10.0.0.1", true), readyPod("10.0.0.3", false), readyPod("10.0.0.2", true)}})
	if want := []string{"10.0.0.1", "10.0.0.2"}; !equalStrings(got, want) {
		t.Errorf("host network: %v, want %v", got, want)
	}
	lb := &v1alpha1.IngressGateway{}
	svc := &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.96.0.10"},
		Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "203.0.113.7"}, {Hostname: "lb.example"}}}}}
	if got := addresses(lb, observed{Service: svc}); !equalStrings(got, []string{"203.0.113.7", "lb.example"}) {
		t.Errorf("load balancer: %v", got)
	}
	fixed := &v1alpha1.IngressGateway{Spec: v1alpha1.IngressGatewaySpec{StatusAddresses: []string{"ingress.example"}}}
	if got := addresses(fixed, observed{Service: svc}); !equalStrings(got, []string{"ingress.example"}) {
		t.Errorf("statusAddresses: %v", got)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalStatus(a, b v1alpha1.IngressGatewayStatus) bool {
	if len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i := range a.Conditions {
		if a.Conditions[i] != b.Conditions[i] {
			return false
		}
	}
	return a.ObservedGeneration == b.ObservedGeneration && a.Ready == b.Ready
}

func TestHostPortConflictNamesNodesAndPorts(t *testing.T) {
	gw := &v1alpha1.IngressGateway{}
	gw.Spec.Workload.HostNetwork = true
	gw.Spec.Ports.HTTP, gw.Spec.Ports.HTTPS = 80, 443 // the schema's defaults
	unschedulable := func(name, node string) corev1.Pod {
		p := corev1.Pod{}
		p.Name = name
		if node != "" {
			p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
					MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
				}}},
			}}
		}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
			Message: "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 2 node(s) didn't match Pod's node affinity/selector."}}
		return p
	}
	running := corev1.Pod{}
	running.Spec.NodeName = "n1"

	if msg, ok := hostPortConflict(gw, observed{Pods: []corev1.Pod{running}}); ok {
		t.Fatalf("running pods are no conflict: %s", msg)
	}
	otherReason := unschedulable("p", "n2")
	otherReason.Status.Conditions[0].Message = "0/3 nodes are available: 3 Insufficient cpu."
	if _, ok := hostPortConflict(gw, observed{Pods: []corev1.Pod{otherReason}}); ok {
		t.Fatal("an unschedulable pod for another reason is no host-port conflict")
	}
	msg, ok := hostPortConflict(gw, observed{Pods: []corev1.Pod{running, unschedulable("a", "n3"), unschedulable("b", "n2")}})
	if !ok {
		t.Fatal("no conflict reported")
	}
	for _, want := range []string{"2 controller pod(s)", "node(s) n2, n3", "80/TCP", "443/TCP"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	msg, _ = hostPortConflict(gw, observed{Pods: []corev1.Pod{unschedulable("d", "")}})
	if !strings.Contains(msg, "on every node it may run on") {
		t.Errorf("a Deployment pod names no node: %q", msg)
	}
	c := degradedCondition(gw, observed{Pods: []corev1.Pod{unschedulable("a", "n3")}}, nil)
	if c.Status != metav1.ConditionTrue || c.Reason != v1alpha1.ReasonHostPortConflict {
		t.Errorf("Degraded = %s/%s, want True/HostPortConflict", c.Status, c.Reason)
	}
}

// TestWebhookReadyNeedsAnEndpoint: available pods are not enough; the API
// server calls the Service's endpoints, so without a ready one the
// webhook is not serving, whatever the pods say.
func TestWebhookReadyNeedsAnEndpoint(t *testing.T) {
	res := &render.Result{Image: "img", IngressClassName: "gw", ControllerClass: "portico.dev/ns.gw"}
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Name: "gw", Namespace: "ns", Generation: 1}}
	gw.Spec.AdmissionWebhook.Enabled = ptr.To(true)
	now := metav1.NewTime(time.Unix(1_800_000_000, 0))
	for _, tc := range []struct {
		endpoints int
		reason    string
	}{{0, v1alpha1.ReasonWebhookNoEndpoints}, {1, v1alpha1.ReasonWebhookServing}} {
		obs := observed{Result: res, Workload: ds(1, 1, 2, 2, 2), WebhookEndpoints: tc.endpoints, WebhookNotAfter: now.Add(time.Hour)}
		st := computeStatus(gw, obs, now)
		c := findCondition(st, v1alpha1.ConditionWebhookReady)
		if c == nil || c.Reason != tc.reason {
			t.Fatalf("%d endpoints: WebhookReady %+v, want reason %s", tc.endpoints, c, tc.reason)
		}
		if tc.endpoints == 0 && !strings.Contains(c.Message, "kubectl -n ns get pods,endpointslices -l ingress.portico.dev/gateway=gw -o wide") {
			t.Errorf("message lacks the command to look: %s", c.Message)
		}
	}
}

func TestReadyEndpoints(t *testing.T) {
	ep := func(ready, terminating *bool) discoveryv1.Endpoint {
		return discoveryv1.Endpoint{Addresses: []string{"198.18.0.1"}, Conditions: discoveryv1.EndpointConditions{Ready: ready, Terminating: terminating}}
	}
	s := []discoveryv1.EndpointSlice{{Endpoints: []discoveryv1.Endpoint{ep(nil, nil), ep(ptr.To(true), nil), ep(ptr.To(false), nil), ep(ptr.To(true), ptr.To(true))}}}
	if got := readyEndpoints(s); got != 2 {
		t.Errorf("readyEndpoints = %d, want 2 (unset and true count; not ready and terminating do not)", got)
	}
}
