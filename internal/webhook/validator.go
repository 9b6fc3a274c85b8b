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

// Package webhook holds the operator's own validating admission webhooks.
// For IngressGateway: the CRD's schema and CEL rules check one object; this
// webhook checks what they cannot: the gateway's class (internal/classrules)
// and conflicts with other gateways and with IngressClasses Portico does not
// own (internal/fleetrules). It also warns about referenced objects that do
// not exist yet. For IngressGatewayClass: at most one default class. The
// webhook server's own certificate is internal/servingcert's.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/fleetrules"
	"github.com/portico-dev/portico/internal/render"
)

// maxServiceLookups bounds the Services one review looks up for warnings:
// admission runs on the API server's clock, and a warning is only a hint.
const maxServiceLookups = 64

// groupKind is IngressGateway's, for the Invalid status.
var groupKind = schema.GroupKind{Group: v1alpha1.GroupVersion.Group, Kind: "IngressGateway"}

// The path is the one controller-runtime derives from the group, version
// and kind. The webhook lists gateways (from the manager's cache), and reads
// IngressClasses, Services and Secrets uncached, metadata only for the last
// two.
// The match conditions keep the webhook out of what it has no business
// judging, so a stopped operator never wedges a deletion: a gateway being
// deleted (its finalizer removed), and updates that leave the spec alone
// (labels, finalizers). The timeout bounds what the API server waits.
// +kubebuilder:webhook:path=/validate-ingress-portico-dev-v1alpha1-ingressgateway,mutating=false,failurePolicy=fail,sideEffects=None,groups=ingress.portico.dev,resources=ingressgateways,verbs=create;update,versions=v1alpha1,name=vingressgateway.ingress.portico.dev,admissionReviewVersions=v1,timeoutSeconds=10,patch=`{"matchConditions":[{"name":"not-deleting","expression":"!has(object.metadata.deletionTimestamp)"},{"name":"spec-changed","expression":"request.operation == 'CREATE' || object.spec != oldObject.spec"}]}`
// +kubebuilder:rbac:groups=ingress.portico.dev,resources=ingressgateways,verbs=get;list;watch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingressclasses,verbs=get
// +kubebuilder:rbac:groups="",resources=services,verbs=get
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get
// +kubebuilder:rbac:groups=ingress.portico.dev,resources=ingressgatewayclasses;ingressgatewaygrants,verbs=get;list;watch
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create

// Validator checks IngressGateways against the rest of the cluster. It
// narrows conflicts but cannot serialize writes: two gateways created at the
// same instant are each checked without the other, and so is a gateway the
// cache has not seen yet (usually a few milliseconds old). What slips
// through still fails safely: the controller never takes over another
// gateway's objects, and the scheduler sees the pods' declared host ports.
type Validator struct {
	// Gateways lists IngressGateways; the manager's cached client is fine
	// (the controller caches them anyway).
	Gateways client.Reader
	// APIReader reads IngressClasses, Services and Secrets from the API
	// server: the manager's cache holds only Portico's own IngressClasses,
	// and Secrets must never be cached cluster-wide.
	APIReader client.Reader
	// Classes lists IngressGatewayClasses and IngressGatewayGrants (the
	// manager's cache).
	Classes client.Reader
	// Reviews creates SubjectAccessReviews: a warning about a referenced
	// object is given only to a requester who may read it.
	Reviews client.Client
}

var _ admission.Validator[*v1alpha1.IngressGateway] = &Validator{}

// SetupWithManager registers a Validator on mgr's webhook server.
func SetupWithManager(mgr ctrl.Manager) error {
	if err := ctrl.NewWebhookManagedBy(mgr, &v1alpha1.IngressGateway{}).
		WithValidator(&Validator{Gateways: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Classes: mgr.GetClient(), Reviews: mgr.GetClient()}).
		Complete(); err != nil {
		return err
	}
	return ctrl.NewWebhookManagedBy(mgr, &v1alpha1.IngressGatewayClass{}).
		WithValidator(&ClassValidator{Classes: mgr.GetAPIReader(), Gateways: mgr.GetClient()}).
		Complete()
}

// ValidateCreate refuses a gateway that conflicts with another gateway or
// with a foreign IngressClass, and warns about missing referenced objects.
func (v *Validator) ValidateCreate(ctx context.Context, gw *v1alpha1.IngressGateway) (admission.Warnings, error) {
	all, err := v.listGateways(ctx)
	if err != nil {
		return nil, err
	}
	forbidden, err := v.classViolations(ctx, gw)
	if err != nil {
		return nil, err
	}
	if len(forbidden) > 0 {
		// Conflicts name other namespaces' gateways: a request its class
		// refuses learns nothing about them.
		return nil, apierrors.NewInvalid(groupKind, gw.Name, forbidden)
	}
	conflicts, err := v.conflicts(ctx, gw, all)
	if err != nil {
		return nil, err
	}
	if len(conflicts) > 0 {
		return nil, apierrors.NewInvalid(groupKind, gw.Name, fleetrules.ErrorList(conflicts))
	}
	return v.warnings(ctx, gw), nil
}

// classViolations resolves gw's class and checks gw against it: one field
// error per violation, naming the class and the class field.
func (v *Validator) classViolations(ctx context.Context, gw *v1alpha1.IngressGateway) (field.ErrorList, error) {
	classes := &v1alpha1.IngressGatewayClassList{}
	if err := v.Classes.List(ctx, classes); err != nil {
		return nil, fmt.Errorf("list IngressGatewayClasses: %w", err)
	}
	class, err := classrules.Resolve(gw, classes.Items)
	var notFound *classrules.ErrClassNotFound
	if errors.As(err, &notFound) {
		return field.ErrorList{field.Invalid(field.NewPath("spec", "gatewayClassName"), gw.Spec.GatewayClassName, notFound.Msg)}, nil
	}
	in := classrules.Input{Gateway: gw, Class: class}
	if sel := class.Spec.AllowedNamespaces.Selector; sel != nil {
		ns := &metav1.PartialObjectMetadata{}
		ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
		if err := v.APIReader.Get(ctx, types.NamespacedName{Name: gw.Namespace}, ns); err != nil {
			return nil, fmt.Errorf("read Namespace %s for IngressGatewayClass %s's namespace selector: %w", gw.Namespace, class.Name, err)
		}
		in.NamespaceLabels = ns.Labels
	}
	for _, ns := range classrules.ReferencedNamespaces(gw) {
		grants := &v1alpha1.IngressGatewayGrantList{}
		if err := v.Classes.List(ctx, grants, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("list IngressGatewayGrants in %s: %w", ns, err)
		}
		in.Grants = append(in.Grants, grants.Items...)
	}
	var out field.ErrorList
	for _, vi := range classrules.Check(in) {
		out = append(out, field.Forbidden(vi.Field, vi.Message()))
	}
	return out, nil
}

// ValidateUpdate refuses only the conflicts an update introduces: gateways
// that already conflicted (created before the webhook, say) stay editable,
// and metadata-only updates (finalizers, labels) are never checked.
func (v *Validator) ValidateUpdate(ctx context.Context, oldGW, gw *v1alpha1.IngressGateway) (admission.Warnings, error) {
	if gw.DeletionTimestamp != nil || equality.Semantic.DeepEqual(oldGW.Spec, gw.Spec) {
		return nil, nil
	}
	all, err := v.listGateways(ctx)
	if err != nil {
		return nil, err
	}
	// The class is checked in full on every spec change: a gateway its class
	// no longer allows (the class was tightened) must be brought in line
	// before it changes otherwise, as the admission policy requires too.
	errs, err := v.classViolations(ctx, gw)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, apierrors.NewInvalid(groupKind, gw.Name, errs)
	}
	now, err := v.conflicts(ctx, gw, all)
	if err != nil {
		return nil, err
	}
	if len(now) > 0 {
		before, err := v.conflicts(ctx, oldGW, all)
		if err != nil {
			return nil, err
		}
		errs = append(errs, fleetrules.Introduced(now, before)...)
	}
	if len(errs) > 0 {
		return nil, apierrors.NewInvalid(groupKind, gw.Name, errs)
	}
	return v.warnings(ctx, gw), nil
}

// ValidateDelete allows every deletion.
func (v *Validator) ValidateDelete(context.Context, *v1alpha1.IngressGateway) (admission.Warnings, error) {
	return nil, nil
}

func (v *Validator) listGateways(ctx context.Context) ([]v1alpha1.IngressGateway, error) {
	list := &v1alpha1.IngressGatewayList{}
	if err := v.Gateways.List(ctx, list); err != nil {
		return nil, fmt.Errorf("list IngressGateways to check for conflicts: %w", err)
	}
	return list.Items, nil
}

// conflicts returns every conflict of gw with the gateways in all and with
// the IngressClasses of its names.
func (v *Validator) conflicts(ctx context.Context, gw *v1alpha1.IngressGateway, all []v1alpha1.IngressGateway) ([]fleetrules.Conflict, error) {
	out := append(fleetrules.HostPortConflicts(gw, all), fleetrules.RouterIDConflicts(gw, all)...)
	out = append(out, fleetrules.VIPConflicts(gw, all)...)
	existing := map[string]*networkingv1.IngressClass{}
	for _, class := range render.IngressClassNames(gw) {
		ic := &networkingv1.IngressClass{}
		switch err := v.APIReader.Get(ctx, types.NamespacedName{Name: class}, ic); {
		case apierrors.IsNotFound(err):
		case err != nil:
			return nil, fmt.Errorf("read IngressClass %s to check for conflicts: %w", class, err)
		default:
			existing[class] = ic
		}
	}
	return append(out, fleetrules.IngressClassConflicts(gw, all, existing)...), nil
}

// warnings names the referenced objects that do not exist yet. They do not
// block the gateway: the operator copes, and they may well be created next.
// Warnings are given only for gateways the class admits (so every
// reference is permitted), and an object is looked up only when the
// requester may read it themselves (a SubjectAccessReview): a warning must
// not tell anyone whether a Secret exists in a namespace they cannot read.
// Lookup errors only cost a warning, so they are logged and skipped.
func (v *Validator) warnings(ctx context.Context, gw *v1alpha1.IngressGateway) admission.Warnings {
	log := logf.FromContext(ctx)
	var out admission.Warnings
	may := v.requesterMayGet(ctx)
	// Each object is looked up once; every entry naming a missing one is
	// warned about.
	missingByID := map[string]bool{}
	for _, r := range facts.References(gw) {
		key := types.NamespacedName{Namespace: r.Namespace, Name: r.Name}
		id := string(r.Kind) + "/" + key.String()
		missing, seen := missingByID[id]
		if !seen {
			if len(missingByID) >= maxServiceLookups || !may(string(r.Kind), r.Namespace) {
				continue
			}
			var err error
			if missing, err = v.missing(ctx, string(r.Kind), key); err != nil {
				log.V(1).Info("Cannot check a referenced object", "kind", r.Kind, "object", key, "err", err.Error())
			}
			missingByID[id] = missing
		}
		if !missing {
			continue
		}
		switch {
		case r.Kind == "Secret" && r.Field.String() != "spec.defaultCertificate.secretRef":
			out = append(out, fmt.Sprintf("%s: Secret %s does not exist yet; the gateway is accepted, "+
				"but the fleet cannot use it until the Secret exists", r.Field, key))
		case r.Kind == "Secret":
			out = append(out, fmt.Sprintf("%s: Secret %s does not exist yet; the gateway is accepted, "+
				"and its data plane serves its own self-signed certificate to HTTPS requests that match no Ingress TLS section until the Secret exists", r.Field, key))
		case r.Port != 0:
			out = append(out, fmt.Sprintf("%s: Service %s does not exist yet; the gateway is accepted, "+
				"but connections to port %d/%s fail (the entry forwards to nothing) until the Service exists", r.Field, key, r.Port, r.Protocol))
		default:
			out = append(out, fmt.Sprintf("%s: Service %s does not exist yet; the gateway is accepted, "+
				"but the operator leaves the workload unchanged until the Service exists (ingress-nginx exits at start without it)", r.Field, key))
		}
	}
	return out
}

// requesterMayGet returns a check, memoized per kind and namespace, of
// whether the user behind the admission request may get that kind there.
func (v *Validator) requesterMayGet(ctx context.Context) func(kind, ns string) bool {
	req, err := admission.RequestFromContext(ctx)
	memo := map[string]bool{}
	return func(kind, ns string) bool {
		if err != nil || v.Reviews == nil {
			return false
		}
		k := kind + "/" + ns
		if ok, seen := memo[k]; seen {
			return ok
		}
		u := req.UserInfo
		extra := map[string]authorizationv1.ExtraValue{}
		for key, vals := range u.Extra {
			extra[key] = authorizationv1.ExtraValue(vals)
		}
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: u.Username, UID: u.UID, Groups: u.Groups, Extra: extra,
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: ns, Verb: "get", Resource: strings.ToLower(kind) + "s",
			},
		}}
		ok := false
		if cerr := v.Reviews.Create(ctx, sar); cerr == nil {
			ok = sar.Status.Allowed
		} else {
			logf.FromContext(ctx).V(1).Info("SubjectAccessReview failed; no warning about referenced objects", "err", cerr.Error())
		}
		memo[k] = ok
		return ok
	}
}

// missing reports whether the core/v1 object kind key does not exist. It
// reads metadata only, so a Secret's content never reaches the webhook.
func (v *Validator) missing(ctx context.Context, kind string, key types.NamespacedName) (bool, error) {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind(kind))
	err := v.APIReader.Get(ctx, key, m)
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	return false, err
}
