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

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/containment"
	"github.com/portico-dev/portico/internal/render"
)

// +kubebuilder:rbac:groups=ingress.portico.dev,resources=ingressgatewayclasses;ingressgatewaygrants,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get
// The metrics endpoint authenticates and authorizes its callers.
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingadmissionpolicies;validatingadmissionpolicybindings,verbs=get;list;watch

// classVerdict is what the reconciler learned about gw's class.
type classVerdict struct {
	class *v1alpha1.IngressGatewayClass
	// notFound explains a missing class; violations what the class forbids.
	notFound   string
	violations []classrules.Violation
}

// checkClass resolves gw's class (from the cache) and checks gw against it
// with the same rules as the webhook and the admission policy. Referenced
// objects are never read here: only grants, namespace labels and classes.
func (r *Reconciler) checkClass(ctx context.Context, gw *v1alpha1.IngressGateway) (classVerdict, error) {
	classes := &v1alpha1.IngressGatewayClassList{}
	if err := r.Client.List(ctx, classes); err != nil {
		return classVerdict{}, fmt.Errorf("list IngressGatewayClasses: %w", err)
	}
	class, err := classrules.Resolve(gw, classes.Items)
	if nf := (*classrules.ErrClassNotFound)(nil); errors.As(err, &nf) {
		return classVerdict{notFound: nf.Error()}, nil
	}
	in := classrules.Input{Gateway: gw, Class: class}
	if class.Spec.AllowedNamespaces.Selector != nil {
		ns := &metav1.PartialObjectMetadata{}
		ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
		if err := r.Applier.Reader.Get(ctx, types.NamespacedName{Name: gw.Namespace}, ns); err != nil {
			return classVerdict{}, fmt.Errorf("read Namespace %s for IngressGatewayClass %s's selector: %w", gw.Namespace, class.Name, err)
		}
		in.NamespaceLabels = ns.Labels
	}
	for _, ns := range classrules.ReferencedNamespaces(gw) {
		grants := &v1alpha1.IngressGatewayGrantList{}
		if err := r.Client.List(ctx, grants, client.InNamespace(ns)); err != nil {
			return classVerdict{}, fmt.Errorf("list IngressGatewayGrants in %s: %w", ns, err)
		}
		in.Grants = append(in.Grants, grants.Items...)
	}
	return classVerdict{class: class, violations: classrules.Check(in)}, nil
}

// policies are the ValidatingAdmissionPolicies (each with a binding of the
// same name) that must be in force: the class rules and the operator's
// containment (config/policy).
var policies = []string{classrules.PolicyName, containment.WritesPolicyName, containment.NamespacesPolicyName}

// policyState reads the admission policies once per pass, from the cache
// (policies and bindings are watched: a change reconciles every gateway),
// so it costs no request. installed says whether every policy and a Deny
// binding of it exist (nil when they could not be read: then nothing is
// claimed either way), missing names the absent ones, guarded is
// adoptionGuarded.
func (r *Reconciler) policyState(ctx context.Context) (installed *bool, missing []string, guarded bool) {
	vaps, bindings, err := r.admissionPolicies(ctx)
	if err != nil {
		return nil, nil, false
	}
	missing = missingPolicies(vaps, bindings)
	ok := len(missing) == 0
	admissionPolicyInstalled.Set(gaugeValue(ok))
	guarded = r.adoptionGuarded(ctx, vaps, bindings)
	adoptionGuardedGauge.Set(gaugeValue(guarded))
	return &ok, missing, guarded
}

func gaugeValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func missingPolicies(vaps map[string]*admissionregistrationv1.ValidatingAdmissionPolicy, bindings map[string]*admissionregistrationv1.ValidatingAdmissionPolicyBinding) []string {
	var missing []string
	names := containment.BindingNames()
	for _, name := range policies {
		ok := vaps[name] != nil
		want := names[name]
		if len(want) == 0 {
			want = []string{name}
		}
		// Every binding: a missing shard binding leaves that shard's
		// children unchecked.
		for _, bn := range want {
			b := bindings[bn]
			ok = ok && b != nil && b.Spec.PolicyName == name && slices.Contains(b.Spec.ValidationActions, admissionregistrationv1.Deny)
		}
		if !ok {
			missing = append(missing, name)
		}
	}
	return missing
}

// admissionPolicies returns the cached policies and bindings by name,
// shared with the cache (not copied: every pass reads them, and they are
// only read).
func (r *Reconciler) admissionPolicies(ctx context.Context) (map[string]*admissionregistrationv1.ValidatingAdmissionPolicy,
	map[string]*admissionregistrationv1.ValidatingAdmissionPolicyBinding, error) {
	vl := &admissionregistrationv1.ValidatingAdmissionPolicyList{}
	bl := &admissionregistrationv1.ValidatingAdmissionPolicyBindingList{}
	if err := r.Client.List(ctx, vl, client.UnsafeDisableDeepCopy); err != nil {
		return nil, nil, fmt.Errorf("list ValidatingAdmissionPolicies: %w", err)
	}
	if err := r.Client.List(ctx, bl, client.UnsafeDisableDeepCopy); err != nil {
		return nil, nil, fmt.Errorf("list ValidatingAdmissionPolicyBindings: %w", err)
	}
	vaps := make(map[string]*admissionregistrationv1.ValidatingAdmissionPolicy, len(vl.Items))
	for i := range vl.Items {
		vaps[vl.Items[i].Name] = &vl.Items[i]
	}
	bindings := make(map[string]*admissionregistrationv1.ValidatingAdmissionPolicyBinding, len(bl.Items))
	for i := range bl.Items {
		bindings[bl.Items[i].Name] = &bl.Items[i]
	}
	return vaps, bindings, nil
}

// adoptionGuarded reports whether the API server refuses, on its own, an
// update that would move an object to this gateway (containment's
// adoption rule, as this operator generates it, bound with Deny to
// everything the operator writes). Only then may a child the cache does
// not hold be applied without reading it first: an object that exists
// and is not the gateway's is refused, never adopted.
func (r *Reconciler) adoptionGuarded(ctx context.Context, vaps map[string]*admissionregistrationv1.ValidatingAdmissionPolicy,
	bindings map[string]*admissionregistrationv1.ValidatingAdmissionPolicyBinding) bool {
	vap, b := vaps[containment.WritesPolicyName], bindings[containment.WritesPolicyName]
	if vap == nil || b == nil {
		return false
	}
	// The policy matches the operator by its ServiceAccount's name: an
	// operator running as anyone else (a renamed ServiceAccount, a test)
	// is not confined by it.
	if user, err := r.self.name(ctx); err != nil || !containment.IsOperator(user) {
		return false
	}
	want := adoptionExpression()
	generated := containment.WritesPolicy()
	if !slices.ContainsFunc(vap.Spec.Validations, func(v admissionregistrationv1.Validation) bool { return v.Expression == want }) ||
		!equality.Semantic.DeepEqual(vap.Spec.MatchConditions, generated.Spec.MatchConditions) ||
		!equality.Semantic.DeepEqual(vap.Spec.Variables, generated.Spec.Variables) ||
		vap.Spec.FailurePolicy == nil || *vap.Spec.FailurePolicy != admissionregistrationv1.Fail {
		return false
	}
	m := b.Spec.MatchResources
	narrowed := m != nil && (len(m.ResourceRules) > 0 || len(m.ExcludeResourceRules) > 0 ||
		!emptySelector(m.NamespaceSelector) || !emptySelector(m.ObjectSelector))
	return b.Spec.PolicyName == containment.WritesPolicyName && slices.Contains(b.Spec.ValidationActions, admissionregistrationv1.Deny) && !narrowed
}

var adoptionExpression = sync.OnceValue(func() string { return containment.AdoptionValidation().Expression })

// selfIdentity asks the API server, once, who the operator is. Its client
// is the manager's own, not the reconciler's (which tests wrap to count
// writes: a review stores nothing). A failed review (an API server without
// SelfSubjectReview) is asked again at most once a minute, not on every
// pass; meanwhile the operator reads before it applies.
type selfIdentity struct {
	client client.Client
	mu     sync.Mutex
	user   string
	retry  time.Time
}

func (s *selfIdentity) name(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.user != "" {
		return s.user, nil
	}
	if time.Now().Before(s.retry) {
		return "", errors.New("the API server did not say who the operator is; asking again later")
	}
	review := &authenticationv1.SelfSubjectReview{}
	if err := s.client.Create(ctx, review); err != nil {
		s.retry = time.Now().Add(time.Minute)
		return "", fmt.Errorf("ask the API server who the operator is: %w", err)
	}
	s.user = review.Status.UserInfo.Username
	return s.user, nil
}

func emptySelector(s *metav1.LabelSelector) bool {
	return s == nil || (len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0)
}

// policyMessage is the AdmissionPolicyInstalled=False advice.
func policyMessage(missing []string) string {
	return "The API server lacks the admission policies (or their Deny bindings) " + strings.Join(missing, ", ") +
		": the IngressGatewayClass rules hold only while the operator runs, and nothing confines the operator's own ServiceAccount, " +
		"so cluster-scoped children (IngressClass, ClusterRoleBinding, webhook configuration) are not created. " +
		"Apply them: kubectl apply --server-side -k config/policy (or the policies in the release's install.yaml)"
}

// allGateways maps a change of a class, a grant or an admission policy to
// the gateways it may affect: every one (such objects are few and rarely
// change; a default flip, a tightened class or a removed policy can
// concern any gateway).
func (r *Reconciler) allGateways() handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, _ client.Object) []reconcile.Request {
		gws := &v1alpha1.IngressGatewayList{}
		if err := r.Client.List(ctx, gws); err != nil {
			return nil
		}
		out := make([]reconcile.Request, 0, len(gws.Items))
		for _, gw := range gws.Items {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&gw)})
		}
		return out
	})
}

// liveWorkload returns gw's DaemonSet or Deployment from the cache, nil
// when neither exists: status reports the running fleet even when no new
// rollout may happen.
func (r *Reconciler) liveWorkload(ctx context.Context, gw *v1alpha1.IngressGateway) client.Object {
	key := render.WorkloadName(gw)
	for _, o := range []client.Object{&appsv1.DaemonSet{}, &appsv1.Deployment{}} {
		if err := r.Client.Get(ctx, key, o); err == nil && metav1.IsControlledBy(o, gw) {
			return o
		}
	}
	return nil
}
