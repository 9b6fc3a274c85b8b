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
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/certhealth"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// observed is everything a reconcile pass learned; status is a pure
// function of it.
type observed struct {
	// Result is the rendering; nil when RenderErr is set.
	Result    *render.Result
	RenderErr error
	// Conflicts are children whose names foreign objects hold.
	Conflicts []*apply.ConflictError
	// Completed lists the phases that ran to the end, in order; Failed is
	// the phase the reconcile stopped at, nil when none failed. What a
	// phase that did not complete would have observed is reported
	// Unknown (or left as it was), never guessed.
	Completed []string
	Failed    *PhaseError
	// Workload is the live DaemonSet or Deployment, nil before it exists.
	Workload client.Object
	// Switching is true while a workload of the other kind is removed.
	Switching bool
	// Pods are the controller pods (for node addresses).
	Pods []corev1.Pod
	// Service is the live Service, nil without one.
	Service *corev1.Service
	// DefaultBackendMissing is true when spec.defaultBackend names a
	// Service that does not exist.
	DefaultBackendMissing bool
	// DefaultBackend is spec.defaultBackend as namespace/name.
	DefaultBackend string
	// Now is when the pass ran; certificate health depends on it.
	Now time.Time
	// WebhookErr is set when the webhook's certificates could not be issued.
	WebhookErr error
	// WebhookNotAfter is the webhook serving certificate's expiry.
	WebhookNotAfter time.Time
	// WebhookEndpoints counts the ready endpoints of the webhook Service:
	// the addresses the API server can call.
	WebhookEndpoints int
	// DefaultCert is the parsed default certificate, nil without one.
	DefaultCert *certhealth.Parsed
	// DefaultCertRef is spec.defaultCertificate.secretRef as namespace/name.
	DefaultCertRef string
	// VIPErr is set when no VRRP router ID could be allocated.
	VIPErr error
	// VIPRouterID is the router ID in use; VIPHolder the node the VIP
	// Lease names.
	VIPRouterID int32
	VIPHolder   string
	// BackendProblems name the tcp/udp backends that do not resolve;
	// BackendsErr is set when they could not be checked.
	BackendProblems []string
	BackendsErr     error
	// Class is the gateway's IngressGatewayClass; ClassNotFound explains
	// why it has none, ClassViolations what it forbids.
	Class           string
	ClassNotFound   string
	ClassViolations []classrules.Violation
	// PolicyInstalled says whether the API server enforces the class and
	// containment policies (nil when unknown); MissingPolicies names the
	// absent ones. Without them cluster-scoped children are held back.
	PolicyInstalled *bool
	MissingPolicies []string
	// Driver is the class's data plane; empty when no class was resolved.
	Driver v1alpha1.DataPlaneDriver
	// EntryPointsChange says which tcp/udp entry points the traefik
	// driver's current rollout adds or removes (empty when none): Traefik
	// must restart for them.
	EntryPointsChange string
}

// completed reports whether phase ran to the end.
func (o observed) completed(phase string) bool { return slices.Contains(o.Completed, phase) }

// applyPhase reports whether a failure in phase is a failed write.
func applyPhase(phase string) bool {
	return phase == phasePruneOldWorkload || phase == phaseApply || phase == phasePruneStale
}

// notObserved returns an Unknown condition of type t when the phase that
// observes its input (after) did not complete because a phase failed.
func notObserved(t string, obs observed, after string) (metav1.Condition, bool) {
	if obs.Failed == nil || obs.completed(after) {
		return metav1.Condition{}, false
	}
	return metav1.Condition{Type: t, Status: metav1.ConditionUnknown, Reason: v1alpha1.ReasonNotObserved,
		Message: fmt.Sprintf("Not observed: the reconcile stopped in phase %s; see Degraded", obs.Failed.Phase)}, true
}

// defaultCertVerdict judges the default certificate at obs.Now; nil without one.
func defaultCertVerdict(obs observed) *certhealth.Verdict {
	if obs.DefaultCert == nil {
		return nil
	}
	v := certhealth.Judge(*obs.DefaultCert, obs.DefaultCertRef, obs.Now)
	return &v
}

// certUnusable returns the verdict when the default certificate is set but
// cannot be served (the controller then serves its fake certificate).
func certUnusable(obs observed) *certhealth.Verdict {
	if v := defaultCertVerdict(obs); v != nil && !v.Usable {
		return v
	}
	return nil
}

// rollout summarises the workload's progress.
type rollout struct {
	kind                               string
	name                               string
	observed                           bool
	desired, ready, updated, available int32
	complete                           bool
}

// workloadRollout reads the rollout state of a DaemonSet or Deployment.
func workloadRollout(w client.Object) *rollout {
	switch o := w.(type) {
	case *appsv1.DaemonSet:
		s := o.Status
		r := &rollout{kind: "DaemonSet", name: o.Name, observed: s.ObservedGeneration >= o.Generation && o.Generation > 0,
			desired: s.DesiredNumberScheduled, ready: s.NumberReady, updated: s.UpdatedNumberScheduled, available: s.NumberAvailable}
		r.complete = r.observed && r.desired > 0 && r.updated == r.desired && r.available == r.desired
		return r
	case *appsv1.Deployment:
		s := o.Status
		desired := int32(1)
		if o.Spec.Replicas != nil {
			desired = *o.Spec.Replicas
		}
		r := &rollout{kind: "Deployment", name: o.Name, observed: s.ObservedGeneration >= o.Generation && o.Generation > 0,
			desired: desired, ready: s.ReadyReplicas, updated: s.UpdatedReplicas, available: s.AvailableReplicas}
		// Replicas == desired also waits for old pods to go away.
		r.complete = r.observed && desired > 0 && r.updated == desired && r.available == desired && s.Replicas == desired
		return r
	}
	return nil
}

// computeStatus returns gw's new status. Conditions keep their
// lastTransitionTime unless their status flips; now is used otherwise.
func computeStatus(gw *v1alpha1.IngressGateway, obs observed, now metav1.Time) v1alpha1.IngressGatewayStatus {
	st := *gw.Status.DeepCopy()
	gen := gw.Generation
	st.GatewayClassName = obs.Class
	if obs.Result != nil {
		st.Image = obs.Result.Image
		st.IngressClassName = obs.Result.IngressClassName
		st.ControllerClass = obs.Result.ControllerClass
	}
	ro := workloadRollout(obs.Workload)
	if ro != nil {
		st.Replicas = v1alpha1.ReplicaStatus{Desired: ro.desired, Ready: ro.ready, Updated: ro.updated, Available: ro.available}
	} else {
		st.Replicas = v1alpha1.ReplicaStatus{}
	}
	st.Ready = fmt.Sprintf("%d/%d", st.Replicas.Ready, st.Replicas.Desired)
	if addressesObserved(gw, obs) {
		st.Addresses = addresses(gw, obs)
	}
	st.AdmissionWebhook = nil
	if gw.Spec.AdmissionWebhook.IsEnabled() && !obs.WebhookNotAfter.IsZero() {
		st.AdmissionWebhook = &v1alpha1.WebhookStatus{CertificateNotAfter: ptr.To(metav1.NewTime(obs.WebhookNotAfter.UTC().Truncate(time.Second)))}
	}
	st.VIP = nil
	if gw.Spec.VIP != nil {
		st.VIP = &v1alpha1.VIPStatus{RouterID: obs.VIPRouterID, Addresses: render.VIPAddresses(gw), Holder: obs.VIPHolder}
	}
	st.DefaultCertificate = nil
	if dc := obs.DefaultCert; dc != nil && !dc.NotAfter.IsZero() {
		st.DefaultCertificate = &v1alpha1.CertificateStatus{
			NotAfter: ptr.To(metav1.NewTime(dc.NotAfter.UTC().Truncate(time.Second))),
			DNSNames: slices.Clone(dc.DNSNames),
		}
	}

	conds := []metav1.Condition{degradedCondition(gw, obs, ro), readyCondition(obs, ro), progressingCondition(obs, ro)}
	if gw.Spec.AdmissionWebhook.IsEnabled() {
		conds = append(conds, webhookCondition(gw, obs, ro))
	} else {
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionWebhookReady)
	}
	if gw.Spec.VIP != nil {
		conds = append(conds, vipCondition(obs))
	} else {
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionVIPReady)
	}
	if len(gw.Spec.TCP)+len(gw.Spec.UDP) > 0 {
		if c, ok := notObserved(v1alpha1.ConditionBackendsResolved, obs, phaseInputs); ok {
			conds = append(conds, c)
		} else if obs.completed(phaseInputs) || findCondition(st, v1alpha1.ConditionBackendsResolved) == nil {
			conds = append(conds, backendsCondition(gw, obs))
		}
	} else {
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionBackendsResolved)
	}
	switch c, unknown := notObserved(v1alpha1.ConditionDefaultCertificateReady, obs, phaseInputs); {
	case unknown && gw.Spec.DefaultCertificate != nil:
		conds = append(conds, c)
	case defaultCertVerdict(obs) != nil:
		conds = append(conds, defaultCertCondition(defaultCertVerdict(obs)))
	case gw.Spec.DefaultCertificate == nil || obs.completed(phaseInputs):
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionDefaultCertificateReady)
	}
	// Otherwise the gateway was held before the certificate was read:
	// what was said of it stays.
	if obs.Driver != "" {
		st.Driver = ptr.To(obs.Driver)
		conds = append(conds, dataPlaneCondition(gw, obs.Driver))
	}
	if p := obs.PolicyInstalled; p != nil {
		c := metav1.Condition{Type: v1alpha1.ConditionAdmissionPolicyInstalled, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonPolicyInstalled,
			Message: "The API server enforces the IngressGatewayClass rules it can check, also while the operator is down"}
		if !*p {
			c.Status, c.Reason, c.Message = metav1.ConditionFalse, v1alpha1.ReasonPolicyMissing, policyMessage(obs.MissingPolicies)
		}
		conds = append(conds, c)
	}
	for _, c := range conds {
		c.ObservedGeneration = gen
		c.LastTransitionTime = now
		meta.SetStatusCondition(&st.Conditions, c)
	}
	// Status describes this generation once every phase completed, or
	// one reached a verdict no retry changes (held).
	if obs.Failed == nil {
		st.ObservedGeneration = gen
	}
	return st
}

// dataPlaneCondition says whether the driver's project still ships
// security fixes. Informational: Ready does not depend on it.
func dataPlaneCondition(gw *v1alpha1.IngressGateway, driver v1alpha1.DataPlaneDriver) metav1.Condition {
	c := metav1.Condition{Type: v1alpha1.ConditionDataPlaneSupported, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonUpstreamMaintained,
		Message: "Traefik v3 is maintained upstream"}
	if driver == v1alpha1.DriverIngressNGINX {
		c.Status, c.Reason = metav1.ConditionFalse, v1alpha1.ReasonUpstreamRetired
		c.Message = fmt.Sprintf("ingress-nginx was retired upstream in March 2026: v1.15.1 is its last release and gets no security fixes. "+
			"See what moving to Traefik changes for this gateway's Ingresses with: kubectl portico migrate-check -n %s %s; "+
			"then set spec.gatewayClassName to a class with dataPlane.driver: traefik", gw.Namespace, gw.Name)
	}
	return c
}

// addressesObserved reports whether what status.addresses comes from was
// observed in this pass; otherwise the addresses stay as they were.
func addressesObserved(gw *v1alpha1.IngressGateway, obs observed) bool {
	switch {
	case len(gw.Spec.StatusAddresses) > 0 || gw.Spec.VIP != nil:
		return true
	case render.PublishesNodeAddresses(gw):
		return obs.completed(phaseObserve)
	default:
		return obs.completed(phaseApply) || obs.Service != nil
	}
}

// blocking returns the reason and message of a problem that stops the
// gateway from being reconciled, if any.
func blocking(obs observed) (string, string, bool) {
	switch {
	case obs.ClassNotFound != "":
		return v1alpha1.ReasonClassNotFound, obs.ClassNotFound + "; nothing is applied until the gateway has a class", true
	case len(obs.ClassViolations) > 0:
		msgs := make([]string, 0, len(obs.ClassViolations))
		for _, v := range obs.ClassViolations {
			msgs = append(msgs, v.String())
		}
		return v1alpha1.ReasonClassForbids, "No new rollout: the running fleet is left as it is until the gateway complies with its class. " + strings.Join(msgs, "; "), true
	case obs.PolicyInstalled != nil && !*obs.PolicyInstalled && obs.Result != nil:
		return v1alpha1.ReasonPolicyMissing, policyMessage(obs.MissingPolicies), true
	case obs.RenderErr != nil:
		return v1alpha1.ReasonInvalidSpec, obs.RenderErr.Error(), true
	case obs.VIPErr != nil:
		return v1alpha1.ReasonRouterIDExhausted, obs.VIPErr.Error(), true
	case len(obs.Conflicts) > 0:
		msgs := make([]string, 0, len(obs.Conflicts))
		for _, c := range obs.Conflicts {
			msgs = append(msgs, c.Error())
		}
		return v1alpha1.ReasonNameConflict, strings.Join(msgs, "; "), true
	case obs.Failed != nil && applyPhase(obs.Failed.Phase):
		return v1alpha1.ReasonApplyFailed, obs.Failed.Err.Error() + "; retrying with backoff", true
	}
	return "", "", false
}

// failedMessage says which phase failed and how.
func failedMessage(f *PhaseError) string {
	return fmt.Sprintf("Phase %s failed: %v; retrying with backoff", f.Phase, f.Err)
}

func defaultBackendMessage(obs observed) string {
	return fmt.Sprintf("spec.defaultBackend: Service %s does not exist; the workload is left unchanged until the Service is created (ingress-nginx exits at start without it)", obs.DefaultBackend)
}

func noMatchingNodes(ro *rollout) bool {
	return ro != nil && ro.kind == "DaemonSet" && ro.observed && ro.desired == 0
}

func noMatchingNodesMessage(ro *rollout) string {
	return fmt.Sprintf("DaemonSet %s matches no node: check spec.workload.nodeSelector and tolerations", ro.name)
}

// hostPortConflict reports controller pods the scheduler cannot place
// because their host ports are taken, naming the nodes (a DaemonSet pod is
// pinned to one) and the fleet's host ports.
func hostPortConflict(gw *v1alpha1.IngressGateway, obs observed) (string, bool) {
	nodes := map[string]bool{}
	pending := 0
	for i := range obs.Pods {
		p := &obs.Pods[i]
		if p.Spec.NodeName != "" || p.DeletionTimestamp != nil {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse &&
				c.Reason == corev1.PodReasonUnschedulable && strings.Contains(c.Message, "free ports") {
				pending++
				if n := pinnedNode(p); n != "" {
					nodes[n] = true
				}
			}
		}
	}
	if pending == 0 {
		return "", false
	}
	var ports []string
	for _, bp := range facts.BoundPorts(gw) {
		ports = append(ports, fmt.Sprintf("%d/%s", bp.Port, bp.Protocol))
	}
	where := "on every node it may run on"
	if len(nodes) > 0 {
		where = "on node(s) " + strings.Join(slices.Sorted(maps.Keys(nodes)), ", ")
	}
	return fmt.Sprintf("%d controller pod(s) cannot be scheduled: host ports %s are already bound %s "+
		"(by another fleet or a host process); free them or move this gateway with spec.ports or spec.workload.nodeSelector",
		pending, strings.Join(ports, ", "), where), true
}

// pinnedNode is the node a DaemonSet pod is bound to by its node affinity.
func pinnedNode(p *corev1.Pod) string {
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range t.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

// degradedCondition is True when the user must act.
func degradedCondition(gw *v1alpha1.IngressGateway, obs observed, ro *rollout) metav1.Condition {
	if reason, msg, ok := blocking(obs); ok {
		return metav1.Condition{Type: v1alpha1.ConditionDegraded, Status: metav1.ConditionTrue, Reason: reason, Message: msg}
	}
	if f := obs.Failed; f != nil {
		return metav1.Condition{Type: v1alpha1.ConditionDegraded, Status: metav1.ConditionTrue,
			Reason: v1alpha1.ReasonReconcileFailed, Message: failedMessage(f)}
	}
	if obs.DefaultBackendMissing {
		return metav1.Condition{Type: v1alpha1.ConditionDegraded, Status: metav1.ConditionTrue,
			Reason: v1alpha1.ReasonDefaultBackendMissing, Message: defaultBackendMessage(obs)}
	}
	if msg, ok := hostPortConflict(gw, obs); ok {
		return metav1.Condition{Type: v1alpha1.ConditionDegraded, Status: metav1.ConditionTrue,
			Reason: v1alpha1.ReasonHostPortConflict, Message: msg}
	}
	if noMatchingNodes(ro) {
		return metav1.Condition{Type: v1alpha1.ConditionDegraded, Status: metav1.ConditionTrue,
			Reason: v1alpha1.ReasonNoMatchingNodes, Message: noMatchingNodesMessage(ro)}
	}
	if v := certUnusable(obs); v != nil {
		return metav1.Condition{Type: v1alpha1.ConditionDegraded, Status: metav1.ConditionTrue,
			Reason: v1alpha1.ReasonDefaultCertificateNotReady, Message: v.Message}
	}
	return metav1.Condition{Type: v1alpha1.ConditionDegraded, Status: metav1.ConditionFalse,
		Reason: v1alpha1.ReasonAsExpected, Message: "All children are applied"}
}

// readyCondition is True when the fleet runs the current spec everywhere.
func readyCondition(obs observed, ro *rollout) metav1.Condition {
	notReady := func(reason, msg string) metav1.Condition {
		return metav1.Condition{Type: v1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: reason, Message: msg}
	}
	if reason, msg, ok := blocking(obs); ok {
		return notReady(reason, msg)
	}
	if c, ok := notObserved(v1alpha1.ConditionReady, obs, phaseRender); ok {
		return c
	}
	switch {
	case obs.DefaultBackendMissing:
		return notReady(v1alpha1.ReasonDefaultBackendMissing, defaultBackendMessage(obs))
	case obs.Switching:
		return notReady(v1alpha1.ReasonSwitchingWorkload, "Removing the previous workload before starting the new kind, which needs the same host ports")
	case ro == nil:
		return notReady(v1alpha1.ReasonWorkloadPending, "The workload does not exist yet")
	case !ro.observed:
		return notReady(v1alpha1.ReasonWorkloadPending, fmt.Sprintf("Waiting for the %s controller to observe %s", ro.kind, ro.name))
	case noMatchingNodes(ro):
		return notReady(v1alpha1.ReasonNoMatchingNodes, noMatchingNodesMessage(ro))
	case ro.desired == 0:
		return notReady(v1alpha1.ReasonNoReplicas, fmt.Sprintf("Deployment %s is scaled to 0 replicas", ro.name))
	case ro.complete && certUnusable(obs) != nil:
		return notReady(v1alpha1.ReasonDefaultCertificateNotReady, certUnusable(obs).Message)
	case ro.complete:
		return metav1.Condition{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonAvailable,
			Message: fmt.Sprintf("%d/%d pods available and up to date", ro.available, ro.desired)}
	}
	return notReady(v1alpha1.ReasonRollingOut, rollingMessage(ro))
}

func rollingMessage(ro *rollout) string {
	return fmt.Sprintf("%s %s: %d/%d pods updated, %d/%d available", ro.kind, ro.name, ro.updated, ro.desired, ro.available, ro.desired)
}

// progressingCondition is True while changes are being rolled out.
func progressingCondition(obs observed, ro *rollout) metav1.Condition {
	if reason, msg, ok := blocking(obs); ok {
		return metav1.Condition{Type: v1alpha1.ConditionProgressing, Status: metav1.ConditionFalse, Reason: reason, Message: msg}
	}
	if c, ok := notObserved(v1alpha1.ConditionProgressing, obs, phaseRender); ok {
		return c
	}
	progressing := func(reason, msg string) metav1.Condition {
		return metav1.Condition{Type: v1alpha1.ConditionProgressing, Status: metav1.ConditionTrue, Reason: reason, Message: msg}
	}
	switch {
	case obs.DefaultBackendMissing:
		return metav1.Condition{Type: v1alpha1.ConditionProgressing, Status: metav1.ConditionFalse,
			Reason: v1alpha1.ReasonDefaultBackendMissing, Message: defaultBackendMessage(obs)}
	case obs.Switching:
		return progressing(v1alpha1.ReasonSwitchingWorkload, "Removing the previous workload")
	case ro == nil:
		return progressing(v1alpha1.ReasonWorkloadPending, "Creating the workload")
	case !ro.observed:
		return progressing(v1alpha1.ReasonWorkloadPending, fmt.Sprintf("Waiting for the %s controller to observe %s", ro.kind, ro.name))
	case !ro.complete && ro.desired > 0 && obs.EntryPointsChange != "":
		return progressing(v1alpha1.ReasonEntryPointsChanged, obs.EntryPointsChange+": Traefik's entry points are static, so its pods are replaced; "+rollingMessage(ro))
	case !ro.complete && ro.desired > 0:
		return progressing(v1alpha1.ReasonRollingOut, rollingMessage(ro))
	}
	return metav1.Condition{Type: v1alpha1.ConditionProgressing, Status: metav1.ConditionFalse,
		Reason: v1alpha1.ReasonRolloutComplete, Message: "Nothing is being rolled out"}
}

// webhookCondition reports whether the admission webhook can answer: its
// certificates are issued, its objects applied and a pod serves it.
func webhookCondition(gw *v1alpha1.IngressGateway, obs observed, ro *rollout) metav1.Condition {
	c := metav1.Condition{Type: v1alpha1.ConditionWebhookReady, Status: metav1.ConditionFalse}
	if obs.WebhookErr != nil {
		c.Reason, c.Message = v1alpha1.ReasonCertificateError, obs.WebhookErr.Error()
		return c
	}
	if reason, msg, ok := blocking(obs); ok {
		c.Reason, c.Message = reason, msg
		return c
	}
	if u, ok := notObserved(c.Type, obs, phaseObserve); ok {
		return u
	}
	class := "IngressClass " + render.IngressClassName(gw)
	if names := render.IngressClassNames(gw); len(names) > 1 {
		class = "IngressClasses " + strings.Join(names, ", ")
	}
	if ro == nil || ro.available == 0 {
		c.Reason = v1alpha1.ReasonWebhookPending
		c.Message = fmt.Sprintf("Registered for %s; waiting for a controller pod to serve it", class)
		return c
	}
	if obs.WebhookEndpoints == 0 {
		svc := render.WebhookServiceName(gw)
		effect := "refuses their Ingresses (failurePolicy Fail)"
		if gw.Spec.AdmissionWebhook.FailurePolicy == "Ignore" {
			effect = "admits their Ingresses unchecked (failurePolicy Ignore)"
		}
		c.Reason = v1alpha1.ReasonWebhookNoEndpoints
		c.Message = fmt.Sprintf("Registered for %s, but Service %s has no ready endpoint, so the API server cannot call the webhook and %s; "+
			"check that the controller pods are Ready and have addresses: kubectl -n %s get pods,endpointslices -l %s=%s -o wide",
			class, svc, effect, gw.Namespace, render.GatewayNameLabel, gw.Name)
		return c
	}
	c.Status, c.Reason = metav1.ConditionTrue, v1alpha1.ReasonWebhookServing
	c.Message = fmt.Sprintf("Validating Ingresses of %s; serving certificate valid until %s",
		class, obs.WebhookNotAfter.UTC().Format(time.RFC3339))
	return c
}

// vipCondition reports whether a node holds the floating addresses.
func vipCondition(obs observed) metav1.Condition {
	c := metav1.Condition{Type: v1alpha1.ConditionVIPReady, Status: metav1.ConditionFalse}
	if reason, msg, ok := blocking(obs); ok {
		c.Reason, c.Message = reason, msg
		return c
	}
	if u, ok := notObserved(c.Type, obs, phaseObserve); ok {
		return u
	}
	ready := 0
	for i := range obs.Pods {
		if p := &obs.Pods[i]; p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil && podReady(p) {
			ready++
		}
	}
	switch {
	case ready == 0:
		c.Reason, c.Message = v1alpha1.ReasonVIPNoReadyPods, fmt.Sprintf("Router ID %d configured; no controller pod is ready to hold the addresses", obs.VIPRouterID)
	case obs.VIPHolder == "":
		c.Reason, c.Message = v1alpha1.ReasonVIPNoHolder, fmt.Sprintf("%d controller pods are ready but no node reports holding the addresses (router ID %d); check the keepalived container logs", ready, obs.VIPRouterID)
	default:
		c.Status, c.Reason = metav1.ConditionTrue, v1alpha1.ReasonVIPHeld
		c.Message = fmt.Sprintf("Node %s holds the addresses (router ID %d)", obs.VIPHolder, obs.VIPRouterID)
	}
	return c
}

// defaultCertCondition reports the default certificate's health.
func defaultCertCondition(v *certhealth.Verdict) metav1.Condition {
	status := metav1.ConditionFalse
	if v.Usable {
		status = metav1.ConditionTrue
	}
	return metav1.Condition{Type: v1alpha1.ConditionDefaultCertificateReady, Status: status, Reason: string(v.Reason), Message: v.Message}
}

// addresses returns where the gateway is reachable, from the same source the
// controller publishes into Ingress status.
func addresses(gw *v1alpha1.IngressGateway, obs observed) []string {
	if len(gw.Spec.StatusAddresses) > 0 {
		return slices.Clone(gw.Spec.StatusAddresses)
	}
	if gw.Spec.VIP != nil {
		return render.VIPAddresses(gw)
	}
	var out []string
	if !render.PublishesNodeAddresses(gw) {
		if svc := obs.Service; svc != nil {
			for _, in := range svc.Status.LoadBalancer.Ingress {
				if in.IP != "" {
					out = append(out, in.IP)
				} else if in.Hostname != "" {
					out = append(out, in.Hostname)
				}
			}
			for _, ip := range svc.Spec.ExternalIPs {
				if !slices.Contains(out, ip) {
					out = append(out, ip)
				}
			}
			if svc.Spec.Type == corev1.ServiceTypeClusterIP && svc.Spec.ClusterIP != "" && svc.Spec.ClusterIP != corev1.ClusterIPNone {
				out = append(out, svc.Spec.ClusterIP)
			}
		}
		return out
	}
	for _, p := range obs.Pods {
		if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil || !podReady(&p) || p.Status.HostIP == "" {
			continue
		}
		if !slices.Contains(out, p.Status.HostIP) {
			out = append(out, p.Status.HostIP)
		}
	}
	slices.Sort(out)
	return out
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
