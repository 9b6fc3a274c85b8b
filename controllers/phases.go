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
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/certhealth"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// The phases of one reconcile, in the order they run. Each reads what the
// ones before it left on the scope; status is computed from what the
// completed ones observed.
const (
	// phaseClass resolves the class and checks the gateway against it.
	phaseClass = "resolveClass"
	// phaseInputs reads everything else the rendering and status need:
	// webhook PKI (issuing certificates when due), default certificate,
	// VIP router ID, peers and holder, default backend, tcp/udp backends.
	phaseInputs = "resolveInputs"
	// phaseRender renders every child (pure) and hashes them.
	phaseRender = "render"
	// phasePruneOldWorkload deletes a workload of the other kind.
	phasePruneOldWorkload = "pruneOldWorkload"
	// phaseApply checks and applies every child, adding the finalizer.
	phaseApply = "applyChildren"
	// phasePruneStale deletes children no longer rendered.
	phasePruneStale = "pruneStale"
	// phaseObserve reads the fleet's pods and the webhook's endpoints.
	phaseObserve = "observe"

	// phaseStatus writes the status computed from the phases above;
	// phaseFinalize removes a deleted gateway's cluster-scoped children
	// and its finalizer. They name errors in metrics.
	phaseStatus   = "writeStatus"
	phaseFinalize = "finalize"
)

// scope is one reconcile of one gateway: what each phase read or decided,
// for the phases after it and for status.
type scope struct {
	gw  *v1alpha1.IngressGateway
	now time.Time
	// class and cfg are the gateway's class and the rendering
	// configuration it yields.
	class *v1alpha1.IngressGatewayClass
	cfg   render.Config
	in    render.Inputs
	res   *render.Result
	// keep names every rendered child (apply.RecordKey), for the prunes.
	keep   map[string]bool
	hashes []apply.Digest
	// held is set by a phase that reached a verdict no retry changes
	// (the class forbids the gateway, the spec cannot be rendered, no
	// router ID is free): the later phases do not run, and status
	// reports the verdict for this generation.
	held bool
	// guarded: the API server refuses adoption itself (adoptionGuarded),
	// so children the cache does not hold are applied without a read.
	guarded   bool
	obs       observed
	requeueAt []time.Time
	// certChanges says what resolveInputs issued for the webhook. On a
	// new gateway it joins the ChildrenCreated event (one event per new
	// gateway); otherwise runPhases records it as CertificatesIssued.
	certChanges []string
}

type phase struct {
	name string
	run  func(context.Context, *scope) error
}

// phases lists the phases in the order they run.
func (r *Reconciler) phases() []phase {
	return []phase{
		{phaseClass, r.resolveClass},
		{phaseInputs, r.resolveInputs},
		{phaseRender, r.renderChildren},
		{phasePruneOldWorkload, r.pruneOldWorkload},
		{phaseApply, r.applyChildren},
		{phasePruneStale, r.pruneStale},
		{phaseObserve, r.observe},
	}
}

// runPhases runs the phases in order until one fails or holds. A failure
// is recorded on the scope (status names the phase) and returned, so the
// request is retried with backoff.
func (r *Reconciler) runPhases(ctx context.Context, s *scope) error {
	defer func() {
		if len(s.certChanges) > 0 && r.Recorder != nil {
			r.Recorder.Eventf(s.gw, nil, corev1.EventTypeNormal, "CertificatesIssued", "Reconcile", "Admission webhook: %s", strings.Join(s.certChanges, "; "))
		}
	}()
	for _, p := range r.phases() {
		if err := p.run(ctx, s); err != nil {
			s.obs.Failed = &PhaseError{Phase: p.name, Err: err}
			return s.obs.Failed
		}
		s.obs.Completed = append(s.obs.Completed, p.name)
		if s.held {
			return nil
		}
	}
	return nil
}

// PhaseError is the error a reconcile stopped at.
type PhaseError struct {
	Phase string
	Err   error
}

func (e *PhaseError) Error() string { return e.Phase + ": " + e.Err.Error() }
func (e *PhaseError) Unwrap() error { return e.Err }

func (r *Reconciler) resolveClass(ctx context.Context, s *scope) error {
	s.obs.PolicyInstalled, s.obs.MissingPolicies, s.guarded = r.policyState(ctx)
	verdict, err := r.checkClass(ctx, s.gw)
	if err != nil {
		return err
	}
	s.obs.ClassNotFound, s.obs.ClassViolations = verdict.notFound, verdict.violations
	if verdict.class != nil {
		s.obs.Class = verdict.class.Name
	}
	if s.obs.ClassNotFound != "" || len(s.obs.ClassViolations) > 0 {
		// No new rollout, nothing deleted, no referenced object read: the
		// running fleet stays as it is, and status tells how it runs.
		s.obs.Workload = r.liveWorkload(ctx, s.gw)
		s.held = true
		return nil
	}
	s.class = verdict.class
	s.cfg = r.Config.ForClass(verdict.class)
	s.obs.Driver = s.cfg.DriverName()
	// From here on the gateway is what its driver runs (no webhook under
	// traefik), so inputs, children and status all follow the driver.
	s.gw = facts.ForDriver(s.gw, s.obs.Driver)
	return nil
}

func (r *Reconciler) resolveInputs(ctx context.Context, s *scope) error {
	gw := s.gw
	if gw.Spec.AdmissionWebhook.IsEnabled() {
		webhook, pkiRes, err := r.webhookPKI(ctx, gw)
		if err != nil {
			// Without certificates nothing consistent can be applied.
			s.obs.WebhookErr = err
			return err
		}
		s.in.Webhook = webhook
		s.obs.WebhookNotAfter = pkiRes.NotAfter
		s.requeueAt = append(s.requeueAt, pkiRes.NextCheck)
		s.certChanges = pkiRes.Changes
	}
	parsed, err := r.defaultCertificate(ctx, gw)
	if err != nil {
		return err
	}
	if parsed != nil {
		s.in.DefaultCertificateUnusable = parsed.Reason != ""
		key, _ := facts.DefaultCertificateKey(gw)
		s.obs.DefaultCert = parsed
		s.obs.DefaultCertRef = key.String()
		s.requeueAt = append(s.requeueAt, certhealth.Judge(*parsed, key.String(), s.now).NextChange)
	}
	if gw.Spec.VIP != nil {
		id, err := r.routerID(ctx, gw)
		if err != nil {
			s.obs.VIPErr = err
			s.held = true
			return nil
		}
		peers, err := r.vipPeers(ctx, gw)
		if err != nil {
			return fmt.Errorf("list the pods of gateway %s: %w", client.ObjectKeyFromObject(gw), err)
		}
		s.in.VIP = &render.VIPInputs{RouterID: id, Peers: peers}
		s.obs.VIPRouterID = id
		if s.obs.VIPHolder, err = r.vipHolder(ctx, gw); err != nil {
			return fmt.Errorf("read Lease %s: %w", render.VIPLeaseName(gw), err)
		}
	}
	if key, ok := facts.DefaultBackendKey(gw); ok {
		missing, err := r.serviceMissing(ctx, key)
		if err != nil {
			return fmt.Errorf("read default backend Service %s: %w", key, err)
		}
		s.obs.DefaultBackendMissing = missing
		s.obs.DefaultBackend = key.String()
	}
	// A backend that cannot be read is reported by BackendsResolved
	// (Unknown); it does not stop the fleet from being applied.
	s.obs.BackendProblems, s.obs.BackendsErr = r.resolveBackends(ctx, gw)
	if s.obs.Driver == v1alpha1.DriverTraefik {
		// Traefik's servers are addresses: named backend ports are
		// resolved here (an unresolved one is left out, and reported).
		s.in.BackendPorts = r.namedBackendPorts(ctx, gw)
	}
	return nil
}

func (r *Reconciler) renderChildren(_ context.Context, s *scope) error {
	res, err := render.RenderWith(s.gw, s.cfg, s.in)
	if err != nil {
		s.obs.RenderErr = err
		s.held = true
		return nil
	}
	s.obs.Result = res
	s.res = res
	s.keep = map[string]bool{}
	for _, o := range res.Objects {
		gvk, err := apiutil.GVKForObject(o, r.Applier.Scheme)
		if err != nil {
			return err
		}
		s.keep[apply.RecordKey(gvk, o.GetNamespace(), o.GetName())] = true
	}
	if p := s.obs.PolicyInstalled; p != nil && !*p {
		// Without the containment policies nothing but RBAC confines the
		// operator: no cluster-scoped child is written until an admin
		// applies them (existing ones stay: keep still lists them).
		res.Objects = slices.DeleteFunc(slices.Clone(res.Objects), func(o client.Object) bool { return o.GetNamespace() == "" })
	}
	s.hashes, err = r.hashes(s.gw, res, s.in, s.class)
	return err
}

// workloadKinds splits render.ManagedKinds: the workload of the other kind
// goes before anything is applied, the rest after.
func workloadKinds() (workloads, others []render.ManagedKind) {
	for _, k := range render.ManagedKinds {
		if k.Workload {
			workloads = append(workloads, k)
		} else {
			others = append(others, k)
		}
	}
	return workloads, others
}

// pruneOldWorkload deletes a workload of the other kind. With host ports
// its pods must be gone before new pods can bind the same ports, so it is
// deleted in the foreground and the new workload waits.
func (r *Reconciler) pruneOldWorkload(ctx context.Context, s *scope) error {
	workloads, _ := workloadKinds()
	propagation := metav1.DeletePropagationBackground
	if s.gw.Spec.Workload.HostNetwork || s.gw.Spec.Workload.HostPorts {
		propagation = metav1.DeletePropagationForeground
	}
	stale, pruned, err := r.Applier.Prune(ctx, s.gw, workloads, s.keep, propagation)
	r.childEvent(s.gw, "Pruned", pruned)
	if err != nil {
		return err
	}
	s.obs.Switching = len(stale) > 0 && propagation == metav1.DeletePropagationForeground
	return nil
}

// applyChildren checks and applies every child in two parallel rounds, so
// a reconcile costs two round trips: first every child is checked (cache,
// or a metadata GET for objects the cache does not hold, or a GET of a
// child the cache holds without its content that must be compared) while the
// finalizer and the shard label are added; then every child that needs it
// is applied. The finalizer must be in place before a cluster-scoped child
// exists (only the finalizer removes those), the shard label before a
// namespaced one (the containment policy finds the gateway by it). Name
// conflicts are reported, not returned: no retry resolves them.
func (r *Reconciler) applyChildren(ctx context.Context, s *scope) error {
	gw, res, obs := s.gw, s.res, &s.obs
	type outcome struct {
		plan *apply.Plan
		live client.Object
		err  error
	}
	outcomes := make([]outcome, len(res.Objects))
	// ingress-nginx exits at start when its default backend Service is
	// missing: the workload is left as it is rather than rolled into a
	// crash loop; while the other kind is removed it waits too.
	held := func(o client.Object) bool {
		return (isKind[*appsv1.DaemonSet](o) || isKind[*appsv1.Deployment](o)) && (obs.Switching || obs.DefaultBackendMissing)
	}
	var wg sync.WaitGroup
	var finalizerErr error
	if apply.NeedsMetadata(gw) {
		wg.Go(func() {
			if finalizerErr = apply.EnsureMetadata(ctx, r.Client, gw); finalizerErr == nil {
				r.awaitShardLabel(ctx, gw)
			}
		})
	}
	for i, o := range res.Objects {
		if held(o) {
			if obs.DefaultBackendMissing {
				current := o.DeepCopyObject().(client.Object)
				if err := r.Client.Get(ctx, client.ObjectKeyFromObject(o), current); err == nil {
					outcomes[i].live = current
				}
			}
			continue
		}
		wg.Go(func() {
			outcomes[i].plan, outcomes[i].err = r.Applier.Check(ctx, gw, o, s.hashes[i], s.guarded)
			if outcomes[i].err == nil {
				outcomes[i].live = outcomes[i].plan.Current
			}
		})
	}
	wg.Wait()
	if finalizerErr != nil {
		return finalizerErr
	}
	for i, o := range res.Objects {
		if oc := &outcomes[i]; oc.err == nil && oc.plan != nil && oc.plan.Write {
			wg.Go(func() { oc.live, oc.err = r.Applier.Write(ctx, o, oc.plan) })
		}
	}
	wg.Wait()
	var created, updated []string
	for i, o := range res.Objects {
		oc := &outcomes[i]
		if oc.err != nil || oc.plan == nil || !oc.plan.Write {
			continue
		}
		kind := o.GetObjectKind().GroupVersionKind().Kind
		p := oc.plan
		outcome := p.Outcome(oc.live)
		childrenApplied.WithLabelValues(kind, string(outcome)).Inc()
		switch outcome {
		case apply.Created:
			created = append(created, kind+" "+apply.DisplayName(o))
		case apply.Reverted:
			// One event per revert, related to the object at the version
			// that was edited, so two reverts in a row are two events
			// (events of one regarding, reason and related form a series).
			r.Recorder.Eventf(gw, p.Current, corev1.EventTypeNormal, v1alpha1.ReasonDriftReverted, "Revert",
				"Reverted a change made outside Portico to %s %s (%s) at resourceVersion %s",
				kind, apply.DisplayName(o), strings.Join(p.Changed(), ", "), p.Current.GetResourceVersion())
		case apply.Updated:
			updated = append(updated, fmt.Sprintf("%s %s (%s)", kind, apply.DisplayName(o), strings.Join(p.Changed(), ", ")))
			if before, after := render.PodTemplate(p.Current), render.PodTemplate(o); before != nil && after != nil {
				if change := render.TemplateEntryPointsChange(&before.Spec, &after.Spec); change != "" {
					r.Recorder.Eventf(gw, nil, corev1.EventTypeNormal, v1alpha1.ReasonEntryPointsChanged, "Reconcile",
						"%s %s: %s; Traefik's entry points are static, so its pods are replaced, node by node", kind, apply.DisplayName(o), change)
				}
			}
		}
	}
	if len(created) > 0 && len(s.certChanges) > 0 {
		r.childEvent(gw, "Created", created, "admission webhook: "+strings.Join(s.certChanges, "; "))
		s.certChanges = nil
	} else {
		r.childEvent(gw, "Created", created)
	}
	r.childEvent(gw, "Updated", updated)
	var errs []error
	for i, oc := range outcomes {
		var conflict *apply.ConflictError
		switch {
		case errors.As(oc.err, &conflict):
			obs.Conflicts = append(obs.Conflicts, conflict)
			continue
		case oc.err != nil:
			errs = append(errs, oc.err)
			continue
		}
		switch l := oc.live.(type) {
		case *appsv1.DaemonSet, *appsv1.Deployment:
			obs.Workload = l
		case *corev1.Service:
			if l.Name == render.ServiceName(gw).Name {
				obs.Service = l
			}
		}
		// Remember the Secrets just written: the cache may not show them
		// on the next pass, and certificates must not be issued twice.
		if sec, ok := res.Objects[i].(*corev1.Secret); ok && oc.plan != nil && oc.plan.Write && oc.live != nil {
			r.rememberSecret(gw, client.ObjectKeyFromObject(sec), oc.live.GetResourceVersion(), sec.Data)
		}
	}
	return errors.Join(errs...)
}

// awaitShardLabel waits, for 250 ms at most, until the cache shows gw
// with its shard label. The API server's containment policy finds the
// gateway by that label through an informer fed like the operator's cache:
// applying before it has the label is refused and retried (Applier.Write),
// which costs requests and more time than this wait.
func (r *Reconciler) awaitShardLabel(ctx context.Context, gw *v1alpha1.IngressGateway) {
	want := render.Shard(gw)
	deadline := time.Now().Add(250 * time.Millisecond)
	for {
		got := &v1alpha1.IngressGateway{}
		if err := r.Client.Get(ctx, client.ObjectKeyFromObject(gw), got); err != nil || got.Labels[render.ShardLabel] == want || time.Now().After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// pruneStale deletes the children no longer rendered.
func (r *Reconciler) pruneStale(ctx context.Context, s *scope) error {
	_, others := workloadKinds()
	_, pruned, err := r.Applier.Prune(ctx, s.gw, others, s.keep, metav1.DeletePropagationBackground)
	r.childEvent(s.gw, "Pruned", pruned)
	return err
}

// observe reads what status reports of the running fleet besides the
// workload: its pods (node addresses, VIP readiness, host-port clashes)
// and the ready endpoints of the webhook Service. Both come from the
// label-filtered cache.
func (r *Reconciler) observe(ctx context.Context, s *scope) error {
	gw := s.gw
	if gw.Spec.AdmissionWebhook.IsEnabled() {
		// The EndpointSlice controller copies the Service's labels onto
		// its slices, so the label-filtered cache holds them.
		eps := &discoveryv1.EndpointSliceList{}
		if err := r.Client.List(ctx, eps, client.InNamespace(gw.Namespace),
			client.MatchingLabels{discoveryv1.LabelServiceName: render.WebhookServiceName(gw).Name}); err != nil {
			return fmt.Errorf("list EndpointSlices of Service %s: %w", render.WebhookServiceName(gw), err)
		}
		s.obs.WebhookEndpoints = readyEndpoints(eps.Items)
	}
	pods := &corev1.PodList{}
	if err := r.Client.List(ctx, pods, client.InNamespace(gw.Namespace), client.MatchingLabels(render.SelectorLabels(gw))); err != nil {
		return fmt.Errorf("list the pods of gateway %s: %w", client.ObjectKeyFromObject(gw), err)
	}
	s.obs.Pods = pods.Items
	if tmpl := render.PodTemplate(s.obs.Workload); tmpl != nil {
		// Pods still on an older template with other entry points: the
		// rollout restarts them for that (said in Progressing).
		if want, ok := render.TraefikStreamEntryPoints(&tmpl.Spec); ok {
			for _, p := range pods.Items {
				have, traefik := p.Annotations[render.CachedEntryPointsAnnotation]
				if !traefik {
					continue
				}
				if change := render.EntryPointsChange(splitList(have), want); change != "" {
					s.obs.EntryPointsChange = change
					break
				}
			}
		}
	}
	return nil
}

// requeue says when to come back without a watch event.
func (r *Reconciler) requeue(s *scope) reconcile.Result {
	var result reconcile.Result
	// Certificates change with time alone: come back when one must be
	// renewed or its health changes.
	result.RequeueAfter = earliest(s.now, s.requeueAt...)
	shorter := func(d time.Duration) {
		if result.RequeueAfter == 0 || d < result.RequeueAfter {
			result.RequeueAfter = d
		}
	}
	obs := s.obs
	switch {
	case obs.Switching:
		shorter(switchRequeue)
	case obs.DefaultBackendMissing && r.ServiceMeta == nil:
		// Without the Service metadata cache nothing announces the
		// Service: look again soon so the fleet starts once it exists.
		shorter(missingRequeue)
	case len(obs.Conflicts) > 0:
		// The foreign object is not watched (it lacks our labels): look
		// again now and then so the gateway recovers once it is removed.
		shorter(conflictRequeue)
	}
	return result
}

// splitList splits a comma-separated list; "" is the empty list.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
