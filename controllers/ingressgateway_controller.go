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
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/certhealth"
	"github.com/portico-dev/portico/internal/eventrecorder"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// Finalizer lets the operator remove the cluster-scoped children (which
// cannot carry an owner reference to a namespaced gateway) on deletion.
const Finalizer = render.Finalizer

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
	Applier  *apply.Applier
	Recorder events.EventRecorder
	Config   render.Config
	// Now is the clock for condition transition times and certificate
	// decisions (tests fix it).
	Now func() metav1.Time
	// SecretMeta is the version cache of Secrets (for the default
	// certificates: SecretMetaCacheOptions); nil reads them from the API
	// server every time.
	SecretMeta cache.Cache
	// ServiceMeta is the version cache of Services (for backends:
	// ServiceCacheOptions); nil reads Services every time.
	ServiceMeta cache.Cache

	// self is who the operator is to the API server (adoptionGuarded).
	self selfIdentity

	// memo is shared with the Applier: one store, one Forget.
	memo *memoStore
	// ownSecrets is the cache's store of the operator's Secrets, nil
	// without a manager (rememberSecret).
	ownSecrets toolscache.Store
}

// NewReconciler wires a Reconciler to mgr (and its event recorder, which
// mgr starts).
func NewReconciler(mgr manager.Manager, cfg render.Config) (*Reconciler, error) {
	memo := newMemoStore()
	recorder := eventrecorder.New(mgr.GetClient(), mgr.GetScheme(), "portico", mgr.GetLogger().WithName("events"))
	if err := mgr.Add(recorder); err != nil {
		return nil, err
	}
	return &Reconciler{
		Client: mgr.GetClient(),
		Applier: &apply.Applier{Client: mgr.GetClient(), Reader: mgr.GetAPIReader(), Scheme: mgr.GetScheme(), Records: memo,
			Pruned: func(kind string) { childrenPruned.WithLabelValues(kind).Inc() }},
		Recorder: recorder,
		Config:   cfg,
		Now:      metav1.Now,
		memo:     memo,
		self:     selfIdentity{client: mgr.GetClient()},
	}, nil
}

// CacheOptions restricts the manager's cache to objects Portico manages, so
// the operator never holds every Secret, ConfigMap or Pod of the cluster.
// Of its children (render.ManagedKinds) it keeps what is read: the metadata
// of MetadataOnly kinds, workloads without their pod template
// (trimWorkload), Services without their spec but for addresses
// (trimService), Secrets and Leases whole; never managed fields.
// A child's content is read from the API server when the applier must
// compare it with its rendering. Pods are trimmed to what status reads.
func CacheOptions() cache.Options {
	sel := labels.SelectorFromSet(labels.Set{render.ManagedByLabel: render.ManagedByValue})
	managed := cache.ByObject{Label: sel}
	byObject := map[client.Object]cache.ByObject{
		&corev1.Pod{}: {Label: sel, Transform: func(in any) (any, error) {
			if p, ok := in.(*corev1.Pod); ok {
				p.SetManagedFields(nil)
				if eps, ok := render.TraefikStreamEntryPoints(&p.Spec); ok {
					// Kept as a cache-only annotation: status says why
					// Traefik pods restart (EntryPointsChanged).
					ann := maps.Clone(p.Annotations)
					if ann == nil {
						ann = map[string]string{}
					}
					ann[render.CachedEntryPointsAnnotation] = strings.Join(eps, ",")
					p.Annotations = ann
				}
				// The node a pod runs on, or the one a DaemonSet pod is
				// pinned to, name the nodes of a host-port clash.
				p.Spec = corev1.PodSpec{NodeName: p.Spec.NodeName, Affinity: p.Spec.Affinity}
				p.Status = corev1.PodStatus{Phase: p.Status.Phase, HostIP: p.Status.HostIP, Conditions: p.Status.Conditions}
			}
			return internTransform(in)
		}},
		// The slices of Portico's Services (they carry the Services'
		// labels): whether the webhook has an address to call.
		&discoveryv1.EndpointSlice{}: {Label: sel, Transform: trimEndpointSlice},
		&v1alpha1.IngressGateway{}:   {Transform: trimGateway},
	}
	// Secrets among them: only the operator's own (the webhook
	// certificates); a cluster-wide Secret informer is a classic OOM.
	for _, k := range render.ManagedKinds {
		by := managed
		switch {
		case k.Workload:
			by.Transform = trimWorkload
		case k.MetadataOnly:
			by.Transform = trimChildMeta
		case isKind[*corev1.Secret](k.Object):
			by.Transform = trimSecret
		case isKind[*corev1.Service](k.Object):
			by.Transform = trimService
		}
		byObject[k.CacheObject()] = by
	}
	return cache.Options{DefaultTransform: internTransform, ByObject: byObject}
}

// trimWorkload is the cache transform of DaemonSets and Deployments: their
// pod template is most of a gateway's cached bytes, yet only needed when
// the workload must be compared with its rendering, which apply.Check then
// reads whole (apply.SpecTrimmedAnnotation). Kept (childDaemonSet,
// childDeployment): metadata but the render hash (cachedAnnotations),
// generation and status (rollout), the replicas, and a Traefik
// controller's entry-point arguments (traefikArgs).
func trimWorkload(in any) (any, error) {
	switch w := in.(type) {
	case *childDaemonSet, *childDeployment:
		return in, nil // transformed before (a list transforms twice)
	case *appsv1.DaemonSet:
		kept := traefikArgs(&w.Spec.Template.Spec)
		w.Spec = appsv1.DaemonSetSpec{}
		w.Spec.Template.Spec.Containers = kept
		return &childDaemonSet{childMeta: compactMeta(w, &w.ObjectMeta, apply.SpecTrimmedAnnotation), containers: w.Spec.Template.Spec.Containers, status: w.Status}, nil
	case *appsv1.Deployment:
		kept := traefikArgs(&w.Spec.Template.Spec)
		w.Spec = appsv1.DeploymentSpec{Replicas: w.Spec.Replicas}
		w.Spec.Template.Spec.Containers = kept
		return &childDeployment{childMeta: compactMeta(w, &w.ObjectMeta, apply.SpecTrimmedAnnotation), replicas: w.Spec.Replicas,
			containers: w.Spec.Template.Spec.Containers, status: w.Status}, nil
	}
	return internTransform(in)
}

// compactMeta readies a child for its compact cache type: its annotations
// without the render hash, with mark if any (cachedAnnotations), its
// strings pooled (internObject), and its metadata as a childMeta. m is
// obj's metadata.
func compactMeta(obj client.Object, m *metav1.ObjectMeta, mark string) childMeta {
	m.Annotations = cachedAnnotations(m.Annotations, mark)
	internObject(obj)
	return *newChildMeta(m)
}

// trimGateway is the cache transform of gateways: it drops the copy of
// the manifest `kubectl apply` keeps in an annotation (as large as the
// gateway's spec again), which nothing in the operator reads. Gateways are
// only ever patched (finalizer, status), never updated whole, so the
// cached copy's missing annotation never reaches the API server.
func trimGateway(in any) (any, error) {
	if gw, ok := in.(*v1alpha1.IngressGateway); ok {
		if _, ok := gw.Annotations[corev1.LastAppliedConfigAnnotation]; ok {
			ann := maps.Clone(gw.Annotations)
			delete(ann, corev1.LastAppliedConfigAnnotation)
			if len(ann) == 0 {
				ann = nil
			}
			gw.Annotations = ann
		}
	}
	return internTransform(in)
}

// trimService is the cache transform of Services: childService. Status
// reads a Service's type, addresses and load-balancer status; its ports
// and selector are only compared with the rendering, which apply.Check
// then reads whole (apply.SpecTrimmedAnnotation).
func trimService(in any) (any, error) {
	switch s := in.(type) {
	case *childService:
		return s, nil // transformed before (a list transforms twice)
	case *corev1.Service:
		s.Spec = corev1.ServiceSpec{Type: s.Spec.Type, ClusterIP: s.Spec.ClusterIP, ExternalIPs: s.Spec.ExternalIPs}
		return &childService{childMeta: compactMeta(s, &s.ObjectMeta, apply.SpecTrimmedAnnotation), typ: s.Spec.Type, clusterIP: s.Spec.ClusterIP,
			externalIPs: s.Spec.ExternalIPs, status: s.Status}, nil
	}
	return internTransform(in)
}

// trimSecret is the cache transform of the operator's Secrets (the
// webhook certificates): childSecret.
func trimSecret(in any) (any, error) {
	switch s := in.(type) {
	case *childSecret:
		return s, nil // transformed before (a list transforms twice)
	case *corev1.Secret:
		hash := s.Annotations[apply.RenderHashAnnotation]
		return &childSecret{childMeta: compactMeta(s, &s.ObjectMeta, ""), hash: hash, immutable: s.Immutable, typ: s.Type, data: s.Data}, nil
	}
	return internTransform(in)
}

// trimChildMeta is the cache transform of the kinds cached as metadata
// (render.ManagedKind.MetadataOnly): it keeps what childMeta holds, without
// the render hash (as trimWorkload).
func trimChildMeta(in any) (any, error) {
	switch o := in.(type) {
	case *childMeta:
		return o, nil // transformed before (a list transforms twice)
	case *metav1.PartialObjectMetadata:
		m := compactMeta(o, &o.ObjectMeta, "")
		return &m, nil
	}
	return nil, fmt.Errorf("metadata cache: unexpected %T", in)
}

// cachedAnnotations returns what the cache keeps of the annotations of a
// child it holds trimmed: all but the render hash, plus mark (unless
// empty) set to "true"; nil when nothing is left. The render hash is
// unique to each child, so its map and its 64 characters (some 400 bytes
// a child) could never be shared, and it is only read from a child read
// whole: apply.Check reads a trimmed child whole before it compares
// anything but versions and ownership. What remains (the gateway UID of a
// cluster-scoped child, the mark) is the same for many children, and
// internMeta makes it one map. Idempotent: a list transforms each object
// twice.
func cachedAnnotations(ann map[string]string, mark string) map[string]string {
	out := make(map[string]string, len(ann)+1)
	for k, v := range ann {
		if k != apply.RenderHashAnnotation {
			out[k] = v
		}
	}
	if mark != "" {
		out[mark] = "true"
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// trimEndpointSlice keeps of an EndpointSlice what readyEndpoints reads:
// each endpoint's readiness. A webhook Service of a DaemonSet fleet has an
// endpoint per node, each with addresses, a pod reference, a node and a
// zone: tens of kilobytes per gateway on a large cluster, none of it read.
func trimEndpointSlice(in any) (any, error) {
	if s, ok := in.(*discoveryv1.EndpointSlice); ok {
		eps := make([]discoveryv1.Endpoint, len(s.Endpoints))
		for i, e := range s.Endpoints {
			eps[i].Conditions = discoveryv1.EndpointConditions{Ready: sharedBool(e.Conditions.Ready), Terminating: sharedBool(e.Conditions.Terminating)}
		}
		s.Endpoints = eps
		s.Ports = nil
	}
	return internTransform(in)
}

// sharedTrue and sharedFalse are what sharedBool points to.
var sharedTrue, sharedFalse = true, false

// sharedBool is b as a pointer to one of two shared values (nil stays nil).
func sharedBool(b *bool) *bool {
	switch {
	case b == nil:
		return nil
	case *b:
		return &sharedTrue
	}
	return &sharedFalse
}

// traefikArgs is what the cache keeps of a workload's containers: for
// Traefik, its controller container with only the arguments that define
// entry points (observe compares them with its pods'); nothing for
// ingress-nginx, whose arguments nothing reads from the cache.
func traefikArgs(spec *corev1.PodSpec) []corev1.Container {
	if _, traefik := render.TraefikStreamEntryPoints(spec); !traefik {
		return nil
	}
	for _, c := range spec.Containers {
		if c.Name == render.ControllerContainerName {
			args := slices.DeleteFunc(slices.Clone(c.Args), func(a string) bool {
				return !strings.HasPrefix(a, "--providers.kubernetesIngressNGINX=") && !strings.HasPrefix(a, "--entryPoints.")
			})
			return []corev1.Container{{Name: c.Name, Args: slices.Clip(args)}}
		}
	}
	return nil
}

// SecretMetaCacheOptions configure the cache the default certificates are
// watched through: every Secret (whatever its type, so a referenced Secret
// of the wrong type is seen appearing and reported, not taken for
// missing), as its key and resourceVersion only (objectVersion). Content
// is read only when a referenced Secret's resourceVersion changes.
func SecretMetaCacheOptions() cache.Options {
	return versionCacheOptions()
}

// defaultCertIndex indexes gateways by their default certificate Secret.
const defaultCertIndex = "spec.defaultCertificate.secretRef"

// ownerIndex indexes cluster-scoped children by their gateway
// (apply.OwnerKeys), so pruning one gateway's does not scan every gateway's.
const ownerIndex = "metadata.labels.gateway"

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
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=bind,resourceNames=portico-ingress-nginx;portico-ingress-nginx-namespaced;portico-ingress-nginx-scoped;portico-traefik;portico-traefik-namespaced;portico-traefik-scoped
// The operator grants each fleet get/update on its own leader-election Lease
// through a Role; RBAC only lets it grant what it holds itself.
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingressclasses,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile makes the cluster match one IngressGateway. A deleted gateway
// loses its cluster-scoped children, then the finalizer. Otherwise the
// phases run in order (see phases): resolveClass, resolveInputs, render,
// pruneOldWorkload, applyChildren, pruneStale, observe; then status is
// computed from what they observed and written only if it changed.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	res, err := r.reconcile(ctx, req)
	if err != nil {
		reconcileErrors.WithLabelValues(errorLabels(err)).Inc()
	}
	return res, err
}

// childEvent records one event per reconcile for the children created,
// updated or pruned (one per child would flood a 1,000-gateway cluster),
// with what else that reconcile did (also), if anything.
func (r *Reconciler) childEvent(gw *v1alpha1.IngressGateway, what string, children []string, also ...string) {
	if len(children) == 0 || r.Recorder == nil {
		return
	}
	const show = 8
	list := strings.Join(children[:min(len(children), show)], ", ")
	if len(children) > show {
		list += fmt.Sprintf(" and %d more", len(children)-show)
	}
	msg := fmt.Sprintf("%s %d: %s", what, len(children), list)
	for _, a := range also {
		msg += "; " + a
	}
	r.Recorder.Eventf(gw, nil, corev1.EventTypeNormal, "Children"+what, "Reconcile", "%s", msg)
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
			return reconcile.Result{}, &PhaseError{Phase: phaseFinalize, Err: err}
		}
		r.memo.Forget(gw.UID)
		if err := apply.RemoveFinalizer(ctx, r.Client, gw); err != nil {
			return reconcile.Result{}, &PhaseError{Phase: phaseFinalize, Err: err}
		}
		return reconcile.Result{}, nil
	}

	s := &scope{gw: gw, now: r.Now().Time}
	s.obs.Now = s.now
	err := r.runPhases(ctx, s)
	// s.gw: the gateway as its driver runs it (same object and version).
	if serr := r.writeStatus(ctx, s.gw, s.obs); serr != nil {
		err = errors.Join(err, &PhaseError{Phase: phaseStatus, Err: serr})
	}
	if err != nil {
		// Retried with backoff; controller-runtime ignores (and warns
		// about) a requeue returned with an error.
		return reconcile.Result{}, err
	}
	return r.requeue(s), nil
}

// serviceMissing reports whether the Service key does not exist: from
// the Service version cache (every Service, watched: its arrival
// reconciles the gateway through the backend index), or else its
// metadata read from the API server.
func (r *Reconciler) serviceMissing(ctx context.Context, key types.NamespacedName) (bool, error) {
	gvk := corev1.SchemeGroupVersion.WithKind("Service")
	if r.ServiceMeta != nil {
		_, found, err := cachedVersion(ctx, r.ServiceMeta, gvk, key)
		if err != nil {
			return false, fmt.Errorf("read Service %s: %w", key, err)
		}
		return !found, nil
	}
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(gvk)
	err := r.Applier.Reader.Get(ctx, key, meta)
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read Service %s: %w", key, err)
	}
	return false, nil
}

// renderedHashes are the apply-body hashes of a gateway's children at one
// generation and one set of inputs; computing them is most of a no-op
// reconcile's cost.
type renderedHashes struct {
	generation int64
	inputs     string
	hashes     []apply.Digest
}

// inputsFingerprint identifies the inputs resolved from the cluster: they
// change the rendering without changing the gateway's generation (a
// renewed certificate, say).
// Update it when adding a field to render.Inputs.
func inputsFingerprint(in render.Inputs) string {
	if in.Webhook == nil && in.VIP == nil && len(in.BackendPorts) == 0 && !in.DefaultCertificateUnusable {
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
	if in.DefaultCertificateUnusable {
		h.Write([]byte("\x00no default certificate"))
	}
	for _, k := range slices.Sorted(maps.Keys(in.BackendPorts)) {
		fmt.Fprintf(h, "\x00port %s %d", k, in.BackendPorts[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashes returns the hash of every rendered child, from the cache when the
// gateway's generation (and so its rendering) is unchanged.
func (r *Reconciler) hashes(gw *v1alpha1.IngressGateway, res *render.Result, in render.Inputs, class *v1alpha1.IngressGatewayClass) ([]apply.Digest, error) {
	// The class's images and scope change the rendering too.
	fp := inputsFingerprint(in) + "/" + class.Name + "@" + class.ResourceVersion
	var cached *renderedHashes
	r.memo.read(gw.UID, func(g *gatewayMemo) {
		if g != nil {
			cached = g.rendered
		}
	})
	if cached != nil && cached.generation == gw.Generation && cached.inputs == fp && len(cached.hashes) == len(res.Objects) {
		return cached.hashes, nil
	}
	hashes := make([]apply.Digest, len(res.Objects))
	for i, o := range res.Objects {
		h, err := apply.Hash(o)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	r.memo.update(gw.UID, func(g *gatewayMemo) {
		g.rendered = &renderedHashes{generation: gw.Generation, inputs: fp, hashes: hashes}
	})
	return hashes, nil
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
	var reread bool
	r.memo.read(gw.UID, func(g *gatewayMemo) {
		if g != nil && g.status != nil {
			if c, err := resourceversion.CompareResourceVersion(gw.ResourceVersion, g.status.rv); err == nil && c < 0 {
				if g.status.status != nil {
					prev = *g.status.status.DeepCopy()
				} else {
					// The cache shows the write (memoStore.cachedAt),
					// this pass's copy of the gateway predates it.
					reread = true
				}
			} else {
				// The cache has caught up: the memo would only be a
				// second copy of every gateway's status.
				g.status = nil
			}
		}
	})
	if reread {
		fresh := &v1alpha1.IngressGateway{}
		if err := r.Client.Get(ctx, client.ObjectKeyFromObject(gw), fresh); err != nil {
			return client.IgnoreNotFound(err)
		}
		prev = fresh.Status
	}
	st := computeStatus(gw, obs, now)
	// Conditions keep their transition time from the status they are
	// computed from, which may be the cache's older copy.
	if equality.Semantic.DeepEqual(st, prev) || equality.Semantic.DeepEqual(withoutTransitionTimes(st), withoutTransitionTimes(prev)) {
		return nil
	}
	before := degradedReason(prev)
	if written, err := apply.WriteStatus(ctx, r.Client, gw, st); !written {
		return err
	}
	r.memo.update(gw.UID, func(g *gatewayMemo) {
		g.status = &statusMemo{rv: gw.ResourceVersion, status: st.DeepCopy()}
	})
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
// resourceVersion the write returned; the status goes once the cache shows
// that version (memoStore.cachedAt), the version stays until a pass reads
// the gateway at it.
type statusMemo struct {
	rv     string
	status *v1alpha1.IngressGatewayStatus
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

// forgetWhenCached drops a gateway's memo of its status and of its webhook
// Secrets once the cache shows them (memoStore.cachedAt): no reconcile
// follows a status write, nor, often, the cache catching up with a
// Secret, and each memo is a second copy of what the cache holds.
func (r *Reconciler) forgetWhenCached(ctx context.Context, c cache.Cache) error {
	gws, err := c.GetInformer(ctx, &v1alpha1.IngressGateway{})
	if err != nil {
		return err
	}
	onGateway := func(o any) {
		if gw, ok := o.(*v1alpha1.IngressGateway); ok {
			r.memo.cachedAt(gw.UID, nil, gw.ResourceVersion)
		}
	}
	if _, err := gws.AddEventHandler(toolscache.ResourceEventHandlerFuncs{AddFunc: onGateway, UpdateFunc: func(_, o any) { onGateway(o) }}); err != nil {
		return err
	}
	secrets, err := c.GetInformer(ctx, &corev1.Secret{})
	if err != nil {
		return err
	}
	onSecret := func(o any) {
		s, ok := o.(client.Object)
		if !ok {
			return
		}
		if ref := metav1.GetControllerOfNoCopy(s); ref != nil {
			key := client.ObjectKeyFromObject(s)
			r.memo.cachedAt(ref.UID, &key, s.GetResourceVersion())
		}
	}
	if _, err := secrets.AddEventHandler(toolscache.ResourceEventHandlerFuncs{AddFunc: onSecret, UpdateFunc: func(_, o any) { onSecret(o) }}); err != nil {
		return err
	}
	if inf, ok := secrets.(toolscache.SharedIndexInformer); ok {
		r.ownSecrets = inf.GetStore()
	}
	return nil
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
	for _, k := range render.ManagedKinds {
		if !k.Namespaced {
			if err := mgr.GetFieldIndexer().IndexField(ctx, k.CacheObject(), ownerIndex, apply.OwnerKeys); err != nil {
				return err
			}
		}
	}
	r.Applier.OwnerIndex = ownerIndex
	if err := mgr.GetFieldIndexer().IndexField(ctx, &v1alpha1.IngressGateway{}, defaultCertIndex, func(o client.Object) []string {
		if key, ok := facts.DefaultCertificateKey(o.(*v1alpha1.IngressGateway)); ok {
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
	// Children: edits and deletes are drift to revert, workload status
	// drives the conditions.
	if err := r.forgetWhenCached(ctx, mgr.GetCache()); err != nil {
		return err
	}
	for _, k := range render.ManagedKinds {
		obj := k.CacheObject()
		switch k.Watch {
		case render.WatchOwner:
			b = b.Owns(obj, changed)
		case render.WatchLabels:
			b = b.Watches(obj, byLabels, changed)
		}
	}
	return b.
		Named("ingressgateway").
		// Spec changes, deletion and resyncs; our own status writes need no
		// reconcile.
		For(&v1alpha1.IngressGateway{}, builder.WithPredicates(predicate.Or[client.Object](
			predicate.GenerationChangedPredicate{}, resyncPredicate()))).
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
