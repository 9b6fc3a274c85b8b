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

// Package apply is the operator's one write path for a gateway's children
// and for the gateway itself: server-side apply with one field owner after
// an ownership check, the decision that a child is unchanged (from the
// memo, or after a restart from the render hash it carries), drift
// classification, pruning, the finalizer and status writes.
package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/containment"
	"github.com/portico-dev/portico/internal/render"
)

// FieldOwner is the one field manager every write of the operator uses.
const FieldOwner = "portico"

// RenderHashAnnotation carries, on every child, the hash of the rendering
// the operator last applied to it. With the live object it tells after a
// restart, when nothing is in memory, that an apply would change nothing:
// a converged fleet survives a restart or a leader change without a
// write. A child the cache holds trimmed is read whole for that, once.
const RenderHashAnnotation = "ingress.portico.dev/render-hash"

// SpecTrimmedAnnotation marks, in the operator's cache only, a child
// whose spec the cache dropped (a workload: status reads its status, and
// its generation says whether its spec changed). Check reads such a child
// whole from the API server when it must compare it with the rendering,
// as it does a child the cache holds as metadata only. Nothing short of
// the content says a child is as rendered: managed fields do not (an edit
// that only removes fields leaves no manager behind, and an update may
// rewrite them).
const SpecTrimmedAnnotation = "ingress.portico.dev/cached-without-spec"

// trimmed reports whether current is a partial copy of a child: the
// cache's metadata (or the API server's, for a child the cache does not
// hold), or a workload without its spec.
func trimmed(current client.Object) bool {
	if _, ok := current.(*metav1.PartialObjectMetadata); ok {
		return true
	}
	return current.GetAnnotations()[SpecTrimmedAnnotation] != ""
}

// ConflictError says a child's name is taken by an object Portico does not
// own. It is terminal for that child: the object is never modified.
type ConflictError struct {
	Kind, Namespace, Name string
	// Reason says why the object is not this gateway's.
	Reason string
	// Owner is the other gateway ("ns/name") whose child it is, if any.
	Owner string
	// Stale is true when it belongs to an earlier gateway of this name.
	Stale bool
}

func (e *ConflictError) Error() string {
	name := e.Name
	if e.Namespace != "" {
		name = e.Namespace + "/" + e.Name
	}
	return fmt.Sprintf("%s %s already exists and is not managed by this gateway (%s); %s", e.Kind, name, e.Reason, e.advice())
}

// advice is what resolves the conflict; each branch is something the user
// can do that works (the IngressClass name is immutable, and another
// gateway's children are that gateway's to keep).
func (e *ConflictError) advice() string {
	switch {
	case e.Stale:
		return "it is left over from an earlier gateway of this name and goes once that gateway's deletion finishes; nothing to do unless it stays, then delete it"
	case e.Owner != "" && e.Kind == "IngressClass":
		return fmt.Sprintf("IngressGateway %s serves this IngressClass: if it is one of that gateway's spec.ingressClass.aliases, remove it there; "+
			"otherwise delete this gateway and create it again with another spec.ingressClass.name (the name is immutable)", e.Owner)
	case e.Owner != "":
		return fmt.Sprintf("IngressGateway %s renders the same name: delete one of the two gateways, or create this one again under another name", e.Owner)
	case e.Kind == "IngressClass":
		return "Portico will not take it over: move its Ingresses and delete it (the gateway then creates its own within 10 s), or delete this gateway and create it again with another spec.ingressClass.name (the name is immutable)"
	default:
		return "Portico will not take it over: delete it if nothing else needs it (the gateway then creates its own within 10 s), or create this gateway again under another name"
	}
}

// Record remembers what was last applied to one child and the state the
// API server returned, so an unchanged child costs no request.
type Record struct {
	UID        types.UID
	RV         string
	Generation int64
	Hash       Digest
}

// Digest is the hash of a child's apply body (Hash), kept as 32 bytes in
// memory and written on the child hex-encoded (RenderHashAnnotation). The
// zero Digest is none.
type Digest [sha256.Size]byte

// String is the Digest as RenderHashAnnotation carries it.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// Records is where the Applier keeps a Record per gateway and child (the
// reconciler's memo store, so one Forget drops all it knows of a gateway).
// Losing them costs reads, never writes: see RenderHashAnnotation.
type Records interface {
	Record(gw types.UID, key string) (Record, bool)
	Remember(gw types.UID, key string, rec Record)
	ForgetChild(gw types.UID, key string)
}

// Applier is the operator's only write path for children: server-side apply
// with FieldOwner, after an ownership check, skipped when nothing would change.
type Applier struct {
	// Client reads from the label-filtered cache and writes to the API server.
	Client client.Client
	// Reader reads from the API server directly; used when the cache does not
	// have an object, to tell "absent" from "exists but is not ours".
	Reader client.Reader
	Scheme *runtime.Scheme

	// Records keeps, per gateway (two gateways may render a child of the
	// same name, a conflict one of them loses), what each child's last
	// apply left.
	Records Records
	// Pruned, when set, is called with the kind of every child deleted.
	Pruned func(kind string)
	// OwnerIndex, when set, names a field index of Client's cache on every
	// cluster-scoped managed kind, keyed by OwnerKeys.
	OwnerIndex string
}

// OwnerKey is the OwnerIndex key of a gateway's children.
func OwnerKey(namespace, name string) string { return namespace + "/" + name }

// OwnerKeys is the OwnerIndex function: the gateway a child's labels name.
func OwnerKeys(o client.Object) []string {
	l := o.GetLabels()
	if l[render.ManagedByLabel] != render.ManagedByValue || l[render.GatewayNameLabel] == "" {
		return nil
	}
	return []string{OwnerKey(l[render.GatewayNamespaceLabel], l[render.GatewayNameLabel])}
}

// RecordKey identifies a child among a gateway's: group, kind, namespace
// and name.
func RecordKey(gvk schema.GroupVersionKind, namespace, name string) string {
	return gvk.GroupKind().String() + "/" + namespace + "/" + name
}

// Hash returns the hash of obj's apply body. Computing it costs reflection
// and JSON encoding, so the reconciler keeps the hashes of a gateway's
// children for as long as the gateway's generation holds.
func Hash(obj client.Object) (Digest, error) {
	desired, err := render.ToApply(obj)
	if err != nil {
		return Digest{}, err
	}
	body, err := json.Marshal(desired.Object)
	if err != nil {
		return Digest{}, err
	}
	return sha256.Sum256(body), nil
}

// Plan is what Check decided for one child.
type Plan struct {
	gvk   schema.GroupVersionKind
	gw    *v1alpha1.IngressGateway
	gwUID types.UID
	key   string
	hash  Digest
	// Drift names the field groups of Current that differ from the
	// rendered object ("spec", "data", "metadata.labels", ...); empty when
	// Current already holds everything rendered.
	Drift []string
	// Reverted is true when the rendered object is the one last applied,
	// so Drift was made by someone else: a hand edit being reverted.
	Reverted bool
	// Current is the live object, nil when it does not exist: whole when
	// Write is set (from the cache, or read from the API server; its
	// metadata only for an object the cache does not hold), otherwise
	// possibly the cache's partial copy (a MetadataOnly kind's metadata, a
	// workload without its spec: SpecTrimmedAnnotation), which is for
	// reading metadata and status, never for writing back.
	Current client.Object
	// Write is true when an apply is needed.
	Write bool
	// Blind is true when Current is nil because the cache does not hold
	// the child and the API server refuses adoption (Check's guarded):
	// it was not read. Write reads it only if the apply is refused.
	Blind bool
}

// Check decides whether obj, rendered for gw, must be applied. hash is
// Hash(obj), or the zero Digest to compute it. A *ConflictError means a foreign object
// holds the name. Check writes nothing, so checks run in parallel with
// anything else.
//
// guarded says the API server refuses adoption on its own (the
// containment policy's adoption rule is installed and bound): then a child
// that neither the cache nor the records know is taken as absent without a
// read, and Write reads it only if the API server refuses the apply. The
// cache holds every object carrying Portico's labels, so what it misses is
// new, or not Portico's (which the policy refuses to update).
func (a *Applier) Check(ctx context.Context, gw *v1alpha1.IngressGateway, obj client.Object, hash Digest, guarded bool) (*Plan, error) {
	gvk, err := apiutil.GVKForObject(obj, a.Scheme)
	if err != nil {
		return nil, err
	}
	if hash == (Digest{}) {
		if hash, err = Hash(obj); err != nil {
			return nil, err
		}
	}
	p := &Plan{gvk: gvk, gw: gw, gwUID: gw.UID, key: RecordKey(gvk, obj.GetNamespace(), obj.GetName()), hash: hash}
	rec, known := a.Records.Record(gw.UID, p.key)
	if p.Current, p.Blind, err = a.get(ctx, gvk, client.ObjectKeyFromObject(obj), guarded && !known); err != nil {
		return nil, err
	}
	if p.Current != nil {
		if err := checkOwnership(gw, gvk.Kind, p.Current); err != nil {
			return nil, err
		}
	}
	p.Write = p.Current == nil || !unchanged(rec, known, hash, obj, p.Current) || foreignData(obj, p.Current)
	if p.Write && p.Current != nil && trimmed(p.Current) {
		// The cache keeps only this child's metadata (and a workload's
		// status): read it whole to tell what differs.
		if p.Current, err = a.readWhole(ctx, gw, gvk, client.ObjectKeyFromObject(obj)); err != nil {
			return nil, err
		}
		p.Write = p.Current == nil || !unchanged(rec, known, hash, obj, p.Current) || foreignData(obj, p.Current)
	}
	if p.Write && p.Current != nil {
		if p.Drift, err = drift(obj, p.Current); err != nil {
			return nil, err
		}
		// The last apply (remembered, or recorded on the child when
		// nothing is in memory after a restart) was this very rendering:
		// what differs was changed by someone else.
		stamped := p.Current.GetAnnotations()[RenderHashAnnotation] == hash.String()
		p.Reverted = known && rec.Hash == hash && rec.UID == p.Current.GetUID() || !known && stamped
		if !known && stamped && len(p.Drift) == 0 {
			// It also holds everything rendered: an apply would change
			// nothing.
			p.Write = false
			a.remember(gw.UID, p.key, hash, p.Current)
		}
	}
	return p, nil
}

// drift returns the field groups of current that do not hold what desired
// renders: labels, annotations, owner references, each top-level field and
// each field of spec, compared as "everything rendered is there", so
// fields the API server defaults or other controllers add are not drift;
// ConfigMap keys added by hand are. A metadata-only current (an object the
// cache does not hold) is reported as "unknown".
func drift(desired, current client.Object) ([]string, error) {
	if _, ok := current.(*metav1.PartialObjectMetadata); ok {
		return []string{"unknown"}, nil
	}
	want, err := render.ToApply(desired)
	if err != nil {
		return nil, err
	}
	have, err := runtime.DefaultUnstructuredConverter.ToUnstructured(current)
	if err != nil {
		return nil, err
	}
	var out []string
	haveMeta, _ := have["metadata"].(map[string]any)
	wantMeta, _ := want.Object["metadata"].(map[string]any)
	for _, k := range []string{"labels", "annotations", "ownerReferences"} {
		if !contains(haveMeta[k], wantMeta[k]) {
			out = append(out, "metadata."+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want.Object)) {
		switch k {
		case "apiVersion", "kind", "metadata", "status":
			continue
		}
		if contains(have[k], want.Object[k]) {
			continue
		}
		// Name the field of spec ("spec.template"): it says whether a
		// change rolls the pods.
		wantSpec, ok := want.Object[k].(map[string]any)
		haveSpec, ok2 := have[k].(map[string]any)
		if k != "spec" || !ok || !ok2 {
			out = append(out, k)
			continue
		}
		for _, f := range slices.Sorted(maps.Keys(wantSpec)) {
			if !contains(haveSpec[f], wantSpec[f]) {
				out = append(out, k+"."+f)
			}
		}
	}
	if foreignData(desired, current) && !slices.Contains(out, "data") {
		out = append(out, "data")
	}
	return out, nil
}

// contains reports whether have holds everything in want: maps key by key,
// lists element by element (same length), scalars equal. nil wants nothing.
func contains(have, want any) bool {
	switch w := want.(type) {
	case nil:
		return true
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return len(w) == 0 && have == nil
		}
		for k, v := range w {
			if !contains(h[k], v) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok {
			return len(w) == 0 && have == nil
		}
		if len(h) != len(w) {
			return false
		}
		for i := range w {
			if !contains(h[i], w[i]) {
				return false
			}
		}
		return true
	default:
		return fmt.Sprint(have) == fmt.Sprint(want)
	}
}

// Write applies obj as Check planned, with server-side apply and the
// operator's field owner, and returns the live object, typed.
func (a *Applier) Write(ctx context.Context, obj client.Object, p *Plan) (client.Object, error) {
	body, err := Body(obj, p.hash)
	if err != nil {
		return nil, err
	}
	logf.FromContext(ctx).V(1).Info("Applying", "kind", p.gvk.Kind, "name", obj.GetName(), "namespace", obj.GetNamespace())
	if p.Current != nil && roleRefChanged(obj, p.Current) {
		// roleRef is immutable: a binding to another ClusterRole (another
		// driver's, or another scope's) replaces the old binding.
		uid := p.Current.GetUID()
		if err := a.Client.Delete(ctx, p.Current, client.Preconditions{UID: &uid}); err != nil && !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("replace %s %s (its roleRef changed): %w", p.gvk.Kind, DisplayName(obj), err)
		}
	}
	// The response is read into the typed object: built-in kinds then come
	// back as protobuf, which costs the API server and the operator a
	// fraction of JSON's encoding and decoding.
	typed, err := a.Scheme.New(p.gvk)
	if err != nil {
		return nil, err
	}
	live := typed.(client.Object)
	live.SetName(obj.GetName())
	live.SetNamespace(obj.GetNamespace())
	if _, err := PatchApply(ctx, a.Client, live, body); err != nil {
		if p.Blind && denied(err) {
			// Refused: perhaps a foreign object holds the name. Read it
			// now, to say whose it is.
			key := client.ObjectKeyFromObject(obj)
			meta := &metav1.PartialObjectMetadata{}
			meta.SetGroupVersionKind(p.gvk)
			if gerr := a.Reader.Get(ctx, key, meta); gerr == nil {
				if cerr := checkOwnership(p.gw, p.gvk.Kind, meta); cerr != nil {
					return nil, cerr
				}
			}
		}
		return nil, fmt.Errorf("apply %s %s: %w", p.gvk.Kind, DisplayName(obj), err)
	}
	if p.Blind && existedBefore(live) {
		// It existed after all (the cache had not seen it yet): report an
		// update, not a creation.
		p.Current = &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "unknown"}}
		p.Drift = []string{"unknown"}
	}
	// Server-side apply never removes keys another manager added to a map.
	// A ConfigMap's data is the controller's whole configuration, so keys
	// someone added by hand are drift: remove them.
	if err := a.removeForeignData(ctx, obj, live); err != nil {
		return nil, err
	}
	a.remember(p.gwUID, p.key, p.hash, live)
	return live, nil
}

// Body is the apply request the operator sends for obj, rendered with
// hash: its apply form, stamped with the hash.
func Body(obj client.Object, hash Digest) ([]byte, error) {
	desired, err := render.ToApply(obj)
	if err != nil {
		return nil, err
	}
	ann := desired.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[RenderHashAnnotation] = hash.String()
	desired.SetAnnotations(ann)
	return json.Marshal(desired.Object)
}

// existedBefore reports whether live, as an apply returned it, was created
// before that apply: the apply's managed-fields time is later than the
// creation. Both are the API server's clock (in seconds), so an object
// created by another writer in the same second passes for new.
func existedBefore(live client.Object) bool {
	for _, m := range live.GetManagedFields() {
		if m.Manager == FieldOwner && m.Operation == metav1.ManagedFieldsOperationApply && m.Time != nil {
			return m.Time.After(live.GetCreationTimestamp().Time)
		}
	}
	return false
}

// PatchApply server-side applies body to live (which receives the
// response) with the operator's field owner, and returns how often it
// retried: an apply refused because the API server's containment policy
// does not see the gateway's shard label yet (the gateway or its label is
// moments old: its informer lags) is retried a few times, for about 0.6 s.
// The bench's trust floor writes through it too.
func PatchApply(ctx context.Context, c client.Client, live client.Object, body []byte) (retries int, err error) {
	delay := 20 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := c.Patch(ctx, live, client.RawPatch(types.ApplyYAMLPatchType, body),
			client.FieldOwner(FieldOwner), client.ForceOwnership, client.FieldValidation(metav1.FieldValidationIgnore))
		if err == nil || attempt == 5 || !shardNotSeen(err) {
			return attempt, err
		}
		select {
		case <-ctx.Done():
			return attempt, err
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// shardNotSeen reports whether err is the containment policy finding no
// gateway of the child's shard in its namespace.
func shardNotSeen(err error) bool {
	msg := err.Error()
	return denied(err) && strings.Contains(msg, "'"+containment.NamespacesPolicyName) && strings.Contains(msg, "no params found")
}

// denied reports whether admission refused the request: 403, or 422 from
// a ValidatingAdmissionPolicy (a binding that finds no parameters refuses
// with reason Invalid).
func denied(err error) bool {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return false
	}
	code := st.Status().Code
	return code == http.StatusForbidden || code == http.StatusUnprocessableEntity && strings.Contains(err.Error(), "ValidatingAdmissionPolicy '")
}

// roleRefChanged reports whether obj is a binding whose roleRef differs
// from current's.
func roleRefChanged(obj, current client.Object) bool {
	switch d := obj.(type) {
	case *rbacv1.RoleBinding:
		c, ok := current.(*rbacv1.RoleBinding)
		return ok && c.RoleRef != d.RoleRef
	case *rbacv1.ClusterRoleBinding:
		c, ok := current.(*rbacv1.ClusterRoleBinding)
		return ok && c.RoleRef != d.RoleRef
	}
	return false
}

// get returns the object from the cache (as the cache holds its kind:
// render.ManagedKind.CacheObject), or, when the cache does not have it
// (it holds only objects carrying Portico's labels), its metadata from the
// API server, unless blind: then the read is skipped (and blind returned).
// nil means it does not exist.
func (a *Applier) get(ctx context.Context, gvk schema.GroupVersionKind, key client.ObjectKey, blind bool) (client.Object, bool, error) {
	var obj client.Object
	if k, ok := render.KindOf(gvk); ok {
		obj = k.CacheObject()
	} else {
		typed, err := a.Scheme.New(gvk)
		if err != nil {
			return nil, false, err
		}
		obj = typed.(client.Object)
	}
	err := a.Client.Get(ctx, key, obj)
	if err == nil {
		return obj, false, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, false, fmt.Errorf("read %s %s: %w", gvk.Kind, key, err)
	}
	if blind {
		return nil, true, nil
	}
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(gvk)
	if err := a.Reader.Get(ctx, key, meta); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("read the metadata of %s %s: %w", gvk.Kind, key, err)
	}
	return meta, false, nil
}

// readWhole reads a child from the API server; nil when it is gone.
func (a *Applier) readWhole(ctx context.Context, gw *v1alpha1.IngressGateway, gvk schema.GroupVersionKind, key client.ObjectKey) (client.Object, error) {
	typed, err := a.Scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	obj := typed.(client.Object)
	if err := a.Reader.Get(ctx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read %s %s: %w", gvk.Kind, key, err)
	}
	return obj, checkOwnership(gw, gvk.Kind, obj)
}

// checkOwnership refuses objects Portico did not create for this gateway.
func checkOwnership(gw *v1alpha1.IngressGateway, kind string, obj client.Object) error {
	conflict := func(reason string) *ConflictError {
		return &ConflictError{Kind: kind, Namespace: obj.GetNamespace(), Name: obj.GetName(), Reason: reason}
	}
	l := obj.GetLabels()
	if l[render.ManagedByLabel] != render.ManagedByValue {
		return conflict("it lacks the label " + render.ManagedByLabel + "=" + render.ManagedByValue)
	}
	if l[render.GatewayNameLabel] != gw.Name || l[render.GatewayNamespaceLabel] != gw.Namespace {
		owner := l[render.GatewayNamespaceLabel] + "/" + l[render.GatewayNameLabel]
		e := conflict("it belongs to gateway " + owner)
		e.Owner = owner
		return e
	}
	if obj.GetNamespace() != "" {
		// Every namespaced child is created with the gateway as its
		// controller: one without that reference was not made by Portico.
		ref := metav1.GetControllerOfNoCopy(obj)
		if ref == nil {
			return conflict("it carries Portico's labels but no controller reference to the gateway")
		}
		if ref.UID != gw.UID {
			e := conflict("it is controlled by " + ref.Kind + " " + ref.Name + " with another UID")
			e.Stale = ref.Kind == "IngressGateway" && ref.Name == gw.Name
			return e
		}
	} else if uid, ok := obj.GetAnnotations()[render.GatewayUIDAnnotation]; ok && uid != string(gw.UID) {
		// Children made before the annotation existed lack it and are
		// adopted on their labels; the apply then adds it.
		e := conflict("it belongs to another gateway of that name (UID " + uid + ")")
		e.Stale = true
		return e
	}
	return nil
}

// unchanged reports whether current is still exactly what the last apply of
// the same content (rec, when known) left behind, so applying again would
// change nothing.
func unchanged(rec Record, known bool, hash Digest, desired, current client.Object) bool {
	if !known || rec.Hash != hash || rec.UID != current.GetUID() {
		return false
	}
	if rec.RV == current.GetResourceVersion() {
		return true
	}
	// The cache may still hold a version older than the one our last apply
	// returned; it is about to catch up.
	if cmp, err := resourceversion.CompareResourceVersion(current.GetResourceVersion(), rec.RV); err == nil && cmp < 0 {
		return true
	}
	// Workload status updates bump the resourceVersion but not the
	// generation; metadata edits bump neither, so check those directly.
	return rec.Generation > 0 && current.GetGeneration() == rec.Generation && metadataIntact(desired, current)
}

func (a *Applier) remember(gw types.UID, key string, hash Digest, live client.Object) {
	a.Records.Remember(gw, key, Record{UID: live.GetUID(), RV: live.GetResourceVersion(), Generation: live.GetGeneration(), Hash: hash})
}

// metadataIntact reports whether current still carries every label,
// annotation and owner reference the operator sets.
func metadataIntact(desired, current client.Object) bool {
	subset := func(want, have map[string]string) bool {
		for k, v := range want {
			if hv, ok := have[k]; !ok || hv != v {
				return false
			}
		}
		return true
	}
	if !subset(desired.GetLabels(), current.GetLabels()) || !subset(desired.GetAnnotations(), current.GetAnnotations()) {
		return false
	}
	for _, want := range desired.GetOwnerReferences() {
		found := false
		for _, have := range current.GetOwnerReferences() {
			if have.UID == want.UID && have.Kind == want.Kind {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// foreignData reports whether a live ConfigMap carries data keys the
// operator did not render.
func foreignData(desired, current client.Object) bool {
	cm, ok := current.(*corev1.ConfigMap)
	want, ok2 := desired.(*corev1.ConfigMap)
	if !ok || !ok2 {
		return false
	}
	for k := range cm.Data {
		if _, ok := want.Data[k]; !ok {
			return true
		}
	}
	return len(cm.BinaryData) > 0
}

// removeForeignData deletes from the live ConfigMap (the apply response,
// updated in place) every data key the rendered one does not have.
func (a *Applier) removeForeignData(ctx context.Context, rendered, live client.Object) error {
	want, ok := rendered.(*corev1.ConfigMap)
	cm, ok2 := live.(*corev1.ConfigMap)
	if !ok || !ok2 {
		return nil
	}
	patch := map[string]any{}
	data := map[string]any{}
	for k := range cm.Data {
		if _, ok := want.Data[k]; !ok {
			data[k] = nil
		}
	}
	if len(data) > 0 {
		patch["data"] = data
	}
	if cm.BinaryData != nil {
		patch["binaryData"] = nil
	}
	if len(patch) == 0 {
		return nil
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	if err := a.Client.Patch(ctx, cm, client.RawPatch(types.MergePatchType, body), client.FieldOwner(FieldOwner)); err != nil {
		return fmt.Errorf("remove foreign keys from ConfigMap %s: %w", DisplayName(cm), err)
	}
	return nil
}

// DisplayName is obj's "namespace/name", or its name when cluster-scoped.
func DisplayName(obj client.Object) string {
	if obj.GetNamespace() == "" {
		return obj.GetName()
	}
	return obj.GetNamespace() + "/" + obj.GetName()
}
