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

// Package controllers holds the IngressGateway reconciler: it applies what
// internal/render produces, prunes what is no longer wanted and reports status.
package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/certhealth"
	"github.com/portico-dev/portico/internal/render"
)

// Finalizer lets the operator remove the cluster-scoped children (which
// cannot carry an owner reference to a namespaced gateway) on deletion.
const Finalizer = "ingress.portico.dev/cleanup"

// switchRequeue is how often a workload-kind switch is checked while the old
// workload's pods release their host ports.
const switchRequeue = 2 * time.Second

// conflictRequeue is how often a name conflict is checked again.
const conflictRequeue = 10 * time.Second

// missingRequeue is how often a missing default backend Service is checked.
const missingRequeue = 10 * time.Second

// Reconciler reconciles IngressGateways.
type Reconciler struct {
	Client   client.Client
	Applier  *Applier
	Recorder events.EventRecorder
	Config   render.Config
	// Now is the clock for condition transition times and certificate
	// decisions (tests fix it).
	Now func() metav1.Time
	// SecretMeta reads the metadata of Secrets (for the default
	// certificates), from a cache of their names and resourceVersions
	// only; nil reads them from the API server every time.
	SecretMeta client.Reader
	// ServiceMeta reads Service metadata from a cluster-wide metadata-only
	// cache (see ServiceCacheOptions); nil reads Services every time.
	ServiceMeta client.Reader

	mu       sync.Mutex
	rendered map[types.UID]renderedHashes
	// statuses are the statuses this process wrote, by gateway.
	statuses map[types.UID]statusMemo
	// certs are the parsed default certificates by Secret: gateways that
	// share one (a namespace's wildcard certificate) read it once.
	certs map[types.NamespacedName]certMemo
	pkis  map[types.UID]pkiMemo
	// routerIDs are the VRRP router IDs allocated in this process.
	routerIDs map[types.UID]int32
	secrets   map[types.NamespacedName]secretMemo
	services  map[types.NamespacedName]servicePorts
}

// NewReconciler wires a Reconciler to mgr.
func NewReconciler(mgr manager.Manager, cfg render.Config) *Reconciler {
	return &Reconciler{
		Client:    mgr.GetClient(),
		Applier:   NewApplier(mgr.GetClient(), mgr.GetAPIReader(), mgr.GetScheme()),
		Recorder:  mgr.GetEventRecorder("portico"),
		Config:    cfg,
		Now:       metav1.Now,
		rendered:  map[types.UID]renderedHashes{},
		statuses:  map[types.UID]statusMemo{},
		certs:     map[types.NamespacedName]certMemo{},
		pkis:      map[types.UID]pkiMemo{},
		routerIDs: map[types.UID]int32{},
		secrets:   map[types.NamespacedName]secretMemo{},
	}
}

// CacheOptions restricts the manager's cache to objects Portico manages, so
// the operator never holds every Secret, ConfigMap or Pod of the cluster.
// Children are kept whole (but for managed fields): the rendered object is
// compared with the cached one, so a restart can tell from the cache alone
// that a child is already as rendered. Pods are trimmed to what status
// reads.
func CacheOptions() cache.Options {
	sel := labels.SelectorFromSet(labels.Set{render.ManagedByLabel: render.ManagedByValue})
	managed := cache.ByObject{Label: sel}
	return cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.ConfigMap{}:      managed,
			&corev1.ServiceAccount{}: managed,
			&corev1.Service{}:        managed,
			&corev1.Pod{}: {Label: sel, Transform: func(in any) (any, error) {
				if p, ok := in.(*corev1.Pod); ok {
					p.SetManagedFields(nil)
					// The node a pod runs on, or the one a DaemonSet pod
					// is pinned to, name the nodes of a host-port clash.
					p.Spec = corev1.PodSpec{NodeName: p.Spec.NodeName, Affinity: p.Spec.Affinity}
					p.Status = corev1.PodStatus{Phase: p.Status.Phase, HostIP: p.Status.HostIP, Conditions: p.Status.Conditions}
				}
				return in, nil
			}},
			&appsv1.DaemonSet{}:          managed,
			&appsv1.Deployment{}:         managed,
			&rbacv1.Role{}:               managed,
			&rbacv1.RoleBinding{}:        managed,
			&rbacv1.ClusterRoleBinding{}: managed,
			&networkingv1.IngressClass{}: managed,
			// The slices of Portico's Services (they carry the Services'
			// labels): whether the webhook has an address to call.
			&discoveryv1.EndpointSlice{}: managed,
			// Only the operator's own Secrets (the webhook certificates):
			// a cluster-wide Secret informer is a classic OOM.
			&corev1.Secret{}: managed,
			&admissionregistrationv1.ValidatingWebhookConfiguration{}: managed,
			&coordinationv1.Lease{}:                                   managed,
			&policyv1.PodDisruptionBudget{}:                           managed,
		},
	}
}

// ClientOptions are the manager client's options.
func ClientOptions() client.Options {
	return client.Options{}
}

// SecretMetaCacheOptions configure the cache the default certificates are
// watched through: the metadata of every Secret (whatever its type, so a
// referenced Secret of the wrong type is seen appearing and reported, not
// taken for missing), trimmed to name, namespace, UID and resourceVersion.
// Content is read only when a referenced Secret's resourceVersion changes.
func SecretMetaCacheOptions() cache.Options {
	return cache.Options{
		DefaultTransform: func(in any) (any, error) {
			if o, ok := in.(client.Object); ok {
				o.SetManagedFields(nil)
				o.SetAnnotations(nil)
				o.SetLabels(nil)
				o.SetOwnerReferences(nil)
				o.SetFinalizers(nil)
			}
			return in, nil
		},
	}
}

// defaultCertIndex indexes gateways by their default certificate Secret.
const defaultCertIndex = "spec.defaultCertificate.secretRef"

// +kubebuilder:rbac:groups=ingress.portico.dev,resources=ingressgateways,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=ingress.portico.dev,resources=ingressgateways/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=ingress.portico.dev,resources=ingressgateways/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=configmaps;serviceaccounts;services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch
// +kubebuilder:rbac:groups=discovery.k8s.io,resources=endpointslices,verbs=get;list;watch
// Secrets: the webhook certificates the operator owns (written only when
// they carry its labels) and, read-only, the default certificates.
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=apps,resources=daemonsets;deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles;rolebindings;clusterrolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=bind,resourceNames=portico-ingress-nginx;portico-ingress-nginx-namespaced;portico-ingress-nginx-scoped
// The operator grants each fleet get/update on its own leader-election Lease
// through a Role; RBAC only lets it grant what it holds itself.
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingressclasses,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile makes the cluster match one IngressGateway:
//  1. get the gateway; gone means nothing to do (children go with it);
//  2. on deletion, remove the cluster-scoped children, then the finalizer;
//  3. ensure the finalizer;
//  4. render every child (pure);
//  5. apply them in order with server-side apply, skipping unchanged ones,
//     never touching objects Portico does not own;
//  6. prune children no longer rendered;
//  7. compute status from what was observed and write it only if it changed.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	res, err := r.reconcile(ctx, req)
	if err != nil {
		reconcileErrors.WithLabelValues(errorReason(err)).Inc()
	}
	return res, err
}

// childEvent records one event per reconcile for the children created,
// updated or pruned (one per child would flood a 1,000-gateway cluster).
func (r *Reconciler) childEvent(gw *v1alpha1.IngressGateway, what string, children []string) {
	if len(children) == 0 || r.Recorder == nil {
		return
	}
	const show = 8
	list := strings.Join(children[:min(len(children), show)], ", ")
	if len(children) > show {
		list += fmt.Sprintf(" and %d more", len(children)-show)
	}
	r.Recorder.Eventf(gw, nil, corev1.EventTypeNormal, "Children"+what, "Reconcile", "%s %d: %s", what, len(children), list)
}

func (r *Reconciler) reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	gw := &v1alpha1.IngressGateway{}
	if err := r.Client.Get(ctx, req.NamespacedName, gw); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	log := logf.FromContext(ctx)

	if !gw.DeletionTimestamp.IsZero() {
		if !controllerutil.ContainsFinalizer(gw, Finalizer) {
			return reconcile.Result{}, nil
		}
		log.Info("Removing cluster-scoped children")
		if err := r.Applier.DeleteClusterScoped(ctx, gw); err != nil {
			return reconcile.Result{}, err
		}
		r.Applier.ForgetGateway(gw.UID)
		r.forgetGateway(gw)
		patch := client.MergeFrom(gw.DeepCopy())
		controllerutil.RemoveFinalizer(gw, Finalizer)
		return reconcile.Result{}, client.IgnoreNotFound(r.Client.Patch(ctx, gw, patch, client.FieldOwner(FieldOwner)))
	}

	obs, result, err := r.reconcileChildren(ctx, gw)
	if serr := r.writeStatus(ctx, gw, obs); serr != nil {
		err = errors.Join(err, serr)
	}
	return result, err
}

// reconcileChildren applies and prunes gw's children. Apply errors are both
// reported in status and returned, so the request is retried with backoff;
// name conflicts are terminal and only reported.
func (r *Reconciler) reconcileChildren(ctx context.Context, gw *v1alpha1.IngressGateway) (observed, reconcile.Result, error) {
	var obs observed
	now := r.Now().Time
	obs.Now = now
	obs.PolicyInstalled, obs.MissingPolicies = r.policyInstalled(ctx)
	verdict, err := r.checkClass(ctx, gw)
	if err != nil {
		return obs, reconcile.Result{}, err
	}
	obs.ClassNotFound, obs.ClassViolations = verdict.notFound, verdict.violations
	if verdict.class != nil {
		obs.Class = verdict.class.Name
	}
	if obs.ClassNotFound != "" || len(obs.ClassViolations) > 0 {
		// No new rollout, nothing deleted, no referenced object read: the
		// running fleet stays as it is, and status tells how it runs.
		obs.Workload = r.liveWorkload(ctx, gw)
		return obs, reconcile.Result{}, nil
	}
	cfg := r.Config.ForClass(verdict.class)
	var in render.Inputs
	var requeueAt []time.Time
	if gw.Spec.AdmissionWebhook.IsEnabled() {
		webhook, pkiRes, err := r.webhookPKI(ctx, gw)
		if err != nil {
			// Without certificates nothing consistent can be applied.
			obs.WebhookErr = err
			return obs, reconcile.Result{}, err
		}
		in.Webhook = webhook
		obs.WebhookNotAfter = pkiRes.NotAfter
		requeueAt = append(requeueAt, pkiRes.NextCheck)
		if len(pkiRes.Changes) > 0 {
			r.Recorder.Eventf(gw, nil, corev1.EventTypeNormal, "CertificatesIssued", "Reconcile", "Admission webhook: %s", strings.Join(pkiRes.Changes, "; "))
		}
	}
	if parsed, err := r.defaultCertificate(ctx, gw); err != nil {
		obs.ApplyErrs = append(obs.ApplyErrs, err)
	} else if parsed != nil {
		key, _ := DefaultCertificateKey(gw)
		obs.DefaultCert = parsed
		obs.DefaultCertRef = key.String()
		requeueAt = append(requeueAt, certhealth.Judge(*parsed, key.String(), now).NextChange)
	}

	if gw.Spec.VIP != nil {
		id, err := r.routerID(ctx, gw)
		if err != nil {
			obs.VIPErr = err
			return obs, reconcile.Result{}, nil
		}
		pods, peers, err := r.vipPeers(ctx, gw)
		if err != nil {
			return obs, reconcile.Result{}, err
		}
		obs.Pods = pods
		in.VIP = &render.VIPInputs{RouterID: id, Peers: peers}
		obs.VIPRouterID = id
		if obs.VIPHolder, err = r.vipHolder(ctx, gw); err != nil {
			return obs, reconcile.Result{}, err
		}
	}

	res, err := render.RenderWith(gw, cfg, in)
	if err != nil {
		obs.RenderErr = err
		return obs, reconcile.Result{}, nil
	}
	obs.Result = res

	keep := map[string]bool{}
	for _, o := range res.Objects {
		gvk, err := apiutil.GVKForObject(o, r.Applier.Scheme)
		if err != nil {
			return obs, reconcile.Result{}, err
		}
		keep[recordKey(gvk, o.GetNamespace(), o.GetName())] = true
	}
	if p := obs.PolicyInstalled; p != nil && !*p {
		// Without the containment policies nothing but RBAC confines the
		// operator: no cluster-scoped child is written until an admin
		// applies them (existing ones stay: keep still lists them).
		res.Objects = slices.DeleteFunc(slices.Clone(res.Objects), func(o client.Object) bool { return o.GetNamespace() == "" })
	}

	// A workload of the other kind goes first. With host ports its pods must
	// be gone before new pods can bind the same ports, so it is deleted in
	// the foreground and the new workload waits.
	var workloadKinds, otherKinds []render.ManagedKind
	for _, k := range render.ManagedKinds {
		if k.GVK.Kind == "DaemonSet" || k.GVK.Kind == "Deployment" {
			workloadKinds = append(workloadKinds, k)
		} else {
			otherKinds = append(otherKinds, k)
		}
	}
	propagation := metav1.DeletePropagationBackground
	if gw.Spec.Workload.HostNetwork || gw.Spec.Workload.HostPorts {
		propagation = metav1.DeletePropagationForeground
	}
	stale, pruned, err := r.Applier.Prune(ctx, gw, workloadKinds, keep, propagation)
	if err != nil {
		obs.ApplyErrs = append(obs.ApplyErrs, err)
	}
	r.childEvent(gw, "Pruned", pruned)
	obs.Switching = len(stale) > 0 && propagation == metav1.DeletePropagationForeground

	// ingress-nginx exits at start when its default backend Service is
	// missing: leave the workload as it is rather than roll pods into a
	// crash loop.
	if db := gw.Spec.DefaultBackend; db != nil {
		missing, err := r.serviceMissing(ctx, render.DefaultBackendKey(gw))
		if err != nil {
			obs.ApplyErrs = append(obs.ApplyErrs, err)
		}
		obs.DefaultBackendMissing = missing
		obs.DefaultBackend = render.DefaultBackendKey(gw).String()
	}

	obs.BackendProblems, obs.BackendsErr = r.resolveBackends(ctx, gw)

	hashes, err := r.hashes(gw, res, in, verdict.class)
	if err != nil {
		return obs, reconcile.Result{}, err
	}
	// Two parallel phases keep a reconcile at two round trips: first every
	// child is checked (cache, or a metadata GET for objects the cache does
	// not hold) while the finalizer is added; then every child that needs it
	// is applied. The finalizer must be in place before a cluster-scoped
	// child exists: only the finalizer removes those.
	type outcome struct {
		plan *Plan
		live client.Object
		err  error
	}
	outcomes := make([]outcome, len(res.Objects))
	held := func(o client.Object) bool {
		return (isKind[*appsv1.DaemonSet](o) || isKind[*appsv1.Deployment](o)) && (obs.Switching || obs.DefaultBackendMissing)
	}
	var wg sync.WaitGroup
	var finalizerErr error
	if !controllerutil.ContainsFinalizer(gw, Finalizer) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			finalizerErr = r.addFinalizer(ctx, gw)
		}()
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
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i].plan, outcomes[i].err = r.Applier.Check(ctx, gw, o, hashes[i])
			if outcomes[i].err == nil {
				outcomes[i].live = outcomes[i].plan.Current
			}
		}()
	}
	wg.Wait()
	if finalizerErr != nil {
		return obs, reconcile.Result{}, finalizerErr
	}
	for i, o := range res.Objects {
		if oc := &outcomes[i]; oc.err == nil && oc.plan != nil && oc.plan.Write {
			wg.Add(1)
			go func() {
				defer wg.Done()
				oc.live, oc.err = r.Applier.Write(ctx, o, oc.plan)
			}()
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
		if p.Current == nil {
			created = append(created, kind+" "+displayName(o))
			childrenApplied.WithLabelValues(kind, "create").Inc()
			continue
		}
		// A server-side apply that changes nothing keeps the
		// resourceVersion: the child was already as rendered (the memory
		// of the last apply was lost, e.g. by a restart).
		if oc.live != nil && oc.live.GetResourceVersion() == p.Current.GetResourceVersion() {
			childrenApplied.WithLabelValues(kind, "unchanged").Inc()
			continue
		}
		if len(p.Drift) == 0 {
			// Everything rendered was there: fields the rendering no
			// longer sets were removed.
			p.Drift = []string{"fields no longer rendered"}
			if p.Current.GetAnnotations()[RenderHashAnnotation] == "" {
				// Written by an operator version that did not record it.
				p.Drift = []string{"annotation " + RenderHashAnnotation}
			}
		}
		switch {
		case p.Reverted:
			// One event per revert, related to the object at the version
			// that was edited, so two reverts in a row are two events
			// (events of one regarding, reason and related form a series).
			childrenApplied.WithLabelValues(kind, "revert").Inc()
			r.Recorder.Eventf(gw, p.Current, corev1.EventTypeNormal, v1alpha1.ReasonDriftReverted, "Revert",
				"Reverted a change made outside Portico to %s %s (%s) at resourceVersion %s",
				kind, displayName(o), strings.Join(p.Drift, ", "), p.Current.GetResourceVersion())
		default:
			updated = append(updated, fmt.Sprintf("%s %s (%s)", kind, displayName(o), strings.Join(p.Drift, ", ")))
			childrenApplied.WithLabelValues(kind, "update").Inc()
		}
	}
	r.childEvent(gw, "Created", created)
	r.childEvent(gw, "Updated", updated)
	for _, oc := range outcomes {
		var conflict *ConflictError
		switch {
		case errors.As(oc.err, &conflict):
			obs.Conflicts = append(obs.Conflicts, conflict)
			continue
		case oc.err != nil:
			obs.ApplyErrs = append(obs.ApplyErrs, oc.err)
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
	}
	// Remember the Secrets just written: the cache may not show them on the
	// next pass, and certificates must not be issued twice.
	for i, o := range res.Objects {
		if s, ok := o.(*corev1.Secret); ok && outcomes[i].err == nil && outcomes[i].plan != nil && outcomes[i].plan.Write && outcomes[i].live != nil {
			r.rememberSecret(client.ObjectKeyFromObject(s), outcomes[i].live.GetResourceVersion(), s.Data)
		}
	}

	_, pruned, err = r.Applier.Prune(ctx, gw, otherKinds, keep, metav1.DeletePropagationBackground)
	if err != nil {
		obs.ApplyErrs = append(obs.ApplyErrs, err)
	}
	r.childEvent(gw, "Pruned", pruned)

	if gw.Spec.AdmissionWebhook.IsEnabled() {
		// The EndpointSlice controller copies the Service's labels onto
		// its slices, so the label-filtered cache holds them.
		eps := &discoveryv1.EndpointSliceList{}
		if err := r.Client.List(ctx, eps, client.InNamespace(gw.Namespace),
			client.MatchingLabels{discoveryv1.LabelServiceName: render.WebhookServiceName(gw).Name}); err != nil {
			return obs, reconcile.Result{}, fmt.Errorf("list EndpointSlices of Service %s: %w", render.WebhookServiceName(gw), err)
		}
		obs.WebhookEndpoints = readyEndpoints(eps.Items)
	}

	if render.PublishesNodeAddresses(gw) {
		pods := &corev1.PodList{}
		if err := r.Client.List(ctx, pods, client.InNamespace(gw.Namespace), client.MatchingLabels(render.SelectorLabels(gw))); err != nil {
			return obs, reconcile.Result{}, err
		}
		obs.Pods = pods.Items
	}

	var result reconcile.Result
	// Certificates change with time alone: come back when one must be
	// renewed or its health changes.
	result.RequeueAfter = earliest(now, requeueAt...)
	shorter := func(d time.Duration) {
		if result.RequeueAfter == 0 || d < result.RequeueAfter {
			result.RequeueAfter = d
		}
	}
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
	if len(obs.ApplyErrs) > 0 {
		return obs, result, errors.Join(obs.ApplyErrs...)
	}
	return obs, result, nil
}

// serviceMissing reports whether the Service key does not exist. It reads
// only metadata, straight from the API server: the cache holds no user
// Services.
func (r *Reconciler) serviceMissing(ctx context.Context, key types.NamespacedName) (bool, error) {
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Service"))
	var reader client.Reader = r.Applier.Reader
	if r.ServiceMeta != nil {
		// Every Service's metadata is cached (and watched: its arrival
		// reconciles the gateway through the backend index).
		reader = r.ServiceMeta
	}
	err := reader.Get(ctx, key, meta)
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	return false, err
}

// renderedHashes are the apply-body hashes of a gateway's children at one
// generation and one set of inputs; computing them is most of a no-op
// reconcile's cost.
type renderedHashes struct {
	generation int64
	inputs     string
	hashes     []string
}

// inputsFingerprint identifies the inputs resolved from the cluster: they
// change the rendering without changing the gateway's generation (a
// renewed certificate, say).
// Update it when adding a field to render.Inputs.
func inputsFingerprint(in render.Inputs) string {
	if in.Webhook == nil && in.VIP == nil {
		return ""
	}
	h := sha256.New()
	if w := in.Webhook; w != nil {
		for _, data := range []map[string][]byte{w.CA, w.Serving} {
			for _, k := range slices.Sorted(maps.Keys(data)) {
				h.Write([]byte(k))
				h.Write([]byte{0})
				h.Write(data[k])
				h.Write([]byte{0})
			}
		}
		h.Write(w.CABundle)
	}
	if v := in.VIP; v != nil {
		fmt.Fprintf(h, "\x00vip %d %s", v.RouterID, strings.Join(v.Peers, ","))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashes returns the hash of every rendered child, from the cache when the
// gateway's generation (and so its rendering) is unchanged.
func (r *Reconciler) hashes(gw *v1alpha1.IngressGateway, res *render.Result, in render.Inputs, class *v1alpha1.IngressGatewayClass) ([]string, error) {
	// The class's images and scope change the rendering too.
	fp := inputsFingerprint(in) + "/" + class.Name + "@" + class.ResourceVersion
	r.mu.Lock()
	cached, ok := r.rendered[gw.UID]
	r.mu.Unlock()
	if ok && cached.generation == gw.Generation && cached.inputs == fp && len(cached.hashes) == len(res.Objects) {
		return cached.hashes, nil
	}
	hashes := make([]string, len(res.Objects))
	for i, o := range res.Objects {
		h, err := Hash(o)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	r.mu.Lock()
	r.rendered[gw.UID] = renderedHashes{generation: gw.Generation, inputs: fp, hashes: hashes}
	r.mu.Unlock()
	return hashes, nil
}

// addFinalizer adds the cleanup finalizer to gw, patching a copy so the
// children applied meanwhile read a stable gw.
func (r *Reconciler) addFinalizer(ctx context.Context, gw *v1alpha1.IngressGateway) error {
	cp := gw.DeepCopy()
	patch := client.MergeFrom(gw.DeepCopy())
	controllerutil.AddFinalizer(cp, Finalizer)
	if err := r.Client.Patch(ctx, cp, patch, client.FieldOwner(FieldOwner)); err != nil {
		return fmt.Errorf("add finalizer: %w", err)
	}
	return nil
}

func isKind[T client.Object](o client.Object) bool {
	_, ok := o.(T)
	return ok
}

// writeStatus computes the status and patches it only when it changed, and
// emits an event when the gateway becomes degraded.
func (r *Reconciler) writeStatus(ctx context.Context, gw *v1alpha1.IngressGateway, obs observed) error {
	now := metav1.NewTime(r.Now().Truncate(time.Second))
	// The cache may not show this process's last status write yet; judge
	// changes (and the events they raise) against what was written, or a
	// second reconcile would write and announce the same status again.
	prev := *gw.Status.DeepCopy()
	r.mu.Lock()
	if m, ok := r.statuses[gw.UID]; ok {
		if c, err := resourceversion.CompareResourceVersion(gw.ResourceVersion, m.rv); err == nil && c < 0 {
			prev = m.status
		}
	}
	r.mu.Unlock()
	st := computeStatus(gw, obs, now)
	// Conditions keep their transition time from the status they are
	// computed from, which may be the cache's older copy.
	if equality.Semantic.DeepEqual(st, prev) || equality.Semantic.DeepEqual(withoutTransitionTimes(st), withoutTransitionTimes(prev)) {
		return nil
	}
	before := degradedReason(prev)
	patch := client.MergeFrom(gw.DeepCopy())
	gw.Status = st
	if err := r.Client.Status().Patch(ctx, gw, patch, client.FieldOwner(FieldOwner)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	r.mu.Lock()
	r.statuses[gw.UID] = statusMemo{rv: gw.ResourceVersion, status: *st.DeepCopy()}
	r.mu.Unlock()
	collector.vipHolderWritten(gw.UID, prev.VIP, st.VIP)
	if after := degradedReason(st); after != "" && after != before {
		c := findCondition(st, v1alpha1.ConditionDegraded)
		r.Recorder.Eventf(gw, nil, corev1.EventTypeWarning, after, "Reconcile", "%s", c.Message)
	}
	if c := findCondition(st, v1alpha1.ConditionAdmissionPolicyInstalled); c != nil && c.Status == metav1.ConditionFalse {
		if old := findCondition(prev, v1alpha1.ConditionAdmissionPolicyInstalled); old == nil || old.Status != c.Status {
			r.Recorder.Eventf(gw, nil, corev1.EventTypeWarning, "AdmissionPolicyMissing", "Reconcile", "%s", c.Message)
		}
	}
	if c := findCondition(st, v1alpha1.ConditionDefaultCertificateReady); c != nil && c.Reason == string(certhealth.ExpiringSoon) {
		if old := findCondition(prev, v1alpha1.ConditionDefaultCertificateReady); old == nil || old.Reason != c.Reason {
			r.Recorder.Eventf(gw, nil, corev1.EventTypeWarning, "DefaultCertificateExpiringSoon", "Reconcile", "%s", c.Message)
		}
	}
	return nil
}

// readyEndpoints counts the ready, not terminating endpoints of slices (an
// unset ready condition means ready, as the API documents).
func readyEndpoints(slices []discoveryv1.EndpointSlice) int {
	n := 0
	for _, s := range slices {
		for _, e := range s.Endpoints {
			c := e.Conditions
			if (c.Ready == nil || *c.Ready) && (c.Terminating == nil || !*c.Terminating) {
				n++
			}
		}
	}
	return n
}

// statusMemo is the status this process last wrote for a gateway and the
// resourceVersion the write returned.
type statusMemo struct {
	rv     string
	status v1alpha1.IngressGatewayStatus
}

// withoutTransitionTimes returns st with every condition's
// lastTransitionTime cleared.
func withoutTransitionTimes(st v1alpha1.IngressGatewayStatus) v1alpha1.IngressGatewayStatus {
	out := *st.DeepCopy()
	for i := range out.Conditions {
		out.Conditions[i].LastTransitionTime = metav1.Time{}
	}
	return out
}

func findCondition(st v1alpha1.IngressGatewayStatus, t string) *metav1.Condition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

// degradedReason returns the reason of a True Degraded condition, or "".
func degradedReason(st v1alpha1.IngressGatewayStatus) string {
	if c := findCondition(st, v1alpha1.ConditionDegraded); c != nil && c.Status == metav1.ConditionTrue {
		return c.Reason
	}
	return ""
}

// resyncPredicate passes the update events of a periodic resync, which
// carry an unchanged resourceVersion.
func resyncPredicate() predicate.Funcs {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			return e.ObjectOld != nil && e.ObjectNew != nil && e.ObjectOld.GetResourceVersion() == e.ObjectNew.GetResourceVersion()
		},
	}
}

// SetupWithManager registers the controller and its watches. tlsSecrets,
// when set, is the metadata cache of Secrets (see SecretMetaCacheOptions):
// a referenced Secret that appears, changes or goes then reconciles the
// gateway at once.
func (r *Reconciler) SetupWithManager(mgr manager.Manager, tlsSecrets, services cache.Cache) error {
	ctx := context.Background()
	registerMetrics(mgr.GetCache())
	if err := mgr.GetFieldIndexer().IndexField(ctx, &v1alpha1.IngressGateway{}, backendIndex, backendKeys); err != nil {
		return err
	}
	if err := mgr.GetFieldIndexer().IndexField(ctx, &v1alpha1.IngressGateway{}, defaultCertIndex, func(o client.Object) []string {
		if key, ok := DefaultCertificateKey(o.(*v1alpha1.IngressGateway)); ok {
			return []string{key.String()}
		}
		return nil
	}); err != nil {
		return err
	}
	// byIndex maps a referenced object to the gateways naming it.
	byIndex := func(index string) handler.EventHandler {
		return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			gws := &v1alpha1.IngressGatewayList{}
			key := types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}.String()
			if err := mgr.GetClient().List(ctx, gws, client.MatchingFields{index: key}); err != nil {
				return nil
			}
			reqs := make([]reconcile.Request, 0, len(gws.Items))
			for _, gw := range gws.Items {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&gw)})
			}
			return reqs
		})
	}
	byDefaultCert := byIndex(defaultCertIndex)
	// Cluster-scoped children and pods carry the gateway labels instead of
	// an owner reference to the gateway.
	byLabels := handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
		l := o.GetLabels()
		name, ns := l[render.GatewayNameLabel], l[render.GatewayNamespaceLabel]
		if name == "" || ns == "" {
			return nil
		}
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}}}
	})
	// A periodic resync re-delivers every cached object unchanged (same
	// resourceVersion). The gateway's own resync event triggers one
	// reconcile; its children's are dropped, or each resync would
	// reconcile every gateway once per child.
	changed := builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})
	b := builder.ControllerManagedBy(mgr)
	if tlsSecrets != nil {
		meta := &metav1.PartialObjectMetadata{}
		meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
		b = b.WatchesRawSource(source.Kind[client.Object](tlsSecrets, meta, byDefaultCert, predicate.ResourceVersionChangedPredicate{}))
	}
	if services != nil {
		meta := &metav1.PartialObjectMetadata{}
		meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Service"))
		b = b.WatchesRawSource(source.Kind[client.Object](services, meta, byIndex(backendIndex), predicate.ResourceVersionChangedPredicate{}))
	}
	return b.
		Named("ingressgateway").
		// Spec changes, deletion and resyncs; our own status writes need no
		// reconcile.
		For(&v1alpha1.IngressGateway{}, builder.WithPredicates(predicate.Or[client.Object](
			predicate.GenerationChangedPredicate{}, resyncPredicate()))).
		// Owned children: edits and deletes are drift to revert, workload
		// status drives the conditions.
		Owns(&corev1.ServiceAccount{}, changed).
		Owns(&rbacv1.Role{}, changed).
		Owns(&rbacv1.RoleBinding{}, changed).
		Owns(&corev1.ConfigMap{}, changed).
		Owns(&corev1.Service{}, changed).
		Owns(&appsv1.DaemonSet{}, changed).
		Owns(&appsv1.Deployment{}, changed).
		Owns(&corev1.Secret{}, changed).
		// The VIP holder reports itself in a Lease.
		Owns(&coordinationv1.Lease{}, changed).
		Owns(&policyv1.PodDisruptionBudget{}, changed).
		Watches(&admissionregistrationv1.ValidatingWebhookConfiguration{}, byLabels, changed).
		Watches(&rbacv1.ClusterRoleBinding{}, byLabels, changed).
		Watches(&networkingv1.IngressClass{}, byLabels, changed).
		Watches(&discoveryv1.EndpointSlice{}, byLabels, changed).
		// The class decides what a gateway may do; a grant what it may
		// reference.
		Watches(&v1alpha1.IngressGatewayClass{}, r.allGateways(), changed).
		Watches(&v1alpha1.IngressGatewayGrant{}, r.allGateways(), changed).
		// Whether the API server enforces the policies decides whether
		// cluster-scoped children may be written.
		Watches(&admissionregistrationv1.ValidatingAdmissionPolicy{}, r.allGateways(), changed).
		Watches(&admissionregistrationv1.ValidatingAdmissionPolicyBinding{}, r.allGateways(), changed).
		// Pod readiness decides the node addresses in status.
		Watches(&corev1.Pod{}, byLabels, changed).
		Complete(r)
}
