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
	"fmt"
	"slices"
	"sync"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/render"
)

// +kubebuilder:rbac:groups=ingress.portico.dev,resources=ingressgatewayclasses;ingressgatewaygrants,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingadmissionpolicies;validatingadmissionpolicybindings,verbs=get

// policyRecheck is how long the answer to "is the gateway-class policy
// installed?" is reused.
const policyRecheck = time.Minute

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
	if nf, ok := err.(*classrules.ErrClassNotFound); ok {
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

// policyState memoizes whether the API server enforces the class policy.
type policyState struct {
	mu        sync.Mutex
	checked   time.Time
	installed bool
}

// policyInstalled reports whether the gateway-class ValidatingAdmissionPolicy
// and a Deny binding of it exist, checked at most once a minute; nil when
// it could not be read (then nothing is claimed either way).
func (r *Reconciler) policyInstalled(ctx context.Context, now time.Time) *bool {
	r.policy.mu.Lock()
	defer r.policy.mu.Unlock()
	if !r.policy.checked.IsZero() && now.Sub(r.policy.checked) < r.policyRecheck() {
		return &r.policy.installed
	}
	installed, err := r.readPolicy(ctx)
	if err != nil {
		return nil
	}
	r.policy.checked, r.policy.installed = now, installed
	if installed {
		admissionPolicyInstalled.Set(1)
	} else {
		admissionPolicyInstalled.Set(0)
	}
	return &installed
}

func (r *Reconciler) policyRecheck() time.Duration {
	if r.PolicyRecheck > 0 {
		return r.PolicyRecheck
	}
	return policyRecheck
}

func (r *Reconciler) readPolicy(ctx context.Context) (bool, error) {
	vap := &admissionregistrationv1.ValidatingAdmissionPolicy{}
	switch err := r.Applier.Reader.Get(ctx, types.NamespacedName{Name: classrules.PolicyName}, vap); {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	}
	b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	switch err := r.Applier.Reader.Get(ctx, types.NamespacedName{Name: classrules.PolicyName}, b); {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return b.Spec.PolicyName == classrules.PolicyName && slices.Contains(b.Spec.ValidationActions, admissionregistrationv1.Deny), nil
}

// policyMessage is the AdmissionPolicyInstalled=False advice.
const policyMessage = "The API server does not enforce IngressGatewayClass rules (ValidatingAdmissionPolicy and binding " + classrules.PolicyName +
	" missing): while the operator is down anyone who may create gateways is unchecked. Apply it: kubectl apply --server-side -k config/policy (or the policy in the release's install.yaml)"

// gatewaysForClassChange maps a class or grant change to the gateways it
// may affect: every gateway (classes and grants are few and rarely change;
// a default flip or a tightened class can concern any gateway).
func (r *Reconciler) gatewaysForClassChange() handler.EventHandler {
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
