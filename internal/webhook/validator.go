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

// Package webhook is the operator's own validating admission webhook for
// IngressGateway. The CRD's schema and CEL rules check one object; this
// webhook checks what they cannot: conflicts with other gateways (host
// ports, IngressClass names) and with IngressClasses Portico does not own.
// It also warns about referenced objects that do not exist yet. The package
// also keeps the webhook server's certificates in self-signed mode.
package webhook

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/portico-dev/portico/api/v1alpha1"
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
// +kubebuilder:webhook:path=/validate-ingress-portico-dev-v1alpha1-ingressgateway,mutating=false,failurePolicy=fail,sideEffects=None,groups=ingress.portico.dev,resources=ingressgateways,verbs=create;update,versions=v1alpha1,name=vingressgateway.ingress.portico.dev,admissionReviewVersions=v1
// +kubebuilder:rbac:groups=ingress.portico.dev,resources=ingressgateways,verbs=get;list;watch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingressclasses,verbs=get
// +kubebuilder:rbac:groups="",resources=services,verbs=get

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
}

var _ admission.Validator[*v1alpha1.IngressGateway] = &Validator{}

// SetupWithManager registers a Validator on mgr's webhook server.
func SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewWebhookManagedBy(mgr, &v1alpha1.IngressGateway{}).
		WithValidator(&Validator{Gateways: mgr.GetClient(), APIReader: mgr.GetAPIReader()}).
		Complete()
}

// ValidateCreate refuses a gateway that conflicts with another gateway or
// with a foreign IngressClass, and warns about missing referenced objects.
func (v *Validator) ValidateCreate(ctx context.Context, gw *v1alpha1.IngressGateway) (admission.Warnings, error) {
	all, err := v.listGateways(ctx)
	if err != nil {
		return nil, err
	}
	conflicts, err := v.conflicts(ctx, gw, all)
	if err != nil {
		return nil, err
	}
	warnings := v.warnings(ctx, gw)
	if len(conflicts) > 0 {
		return warnings, apierrors.NewInvalid(groupKind, gw.Name, errorList(conflicts))
	}
	return warnings, nil
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
	now, err := v.conflicts(ctx, gw, all)
	if err != nil {
		return nil, err
	}
	if len(now) > 0 {
		before, err := v.conflicts(ctx, oldGW, all)
		if err != nil {
			return nil, err
		}
		if introduced := Introduced(now, before); len(introduced) > 0 {
			return v.warnings(ctx, gw), apierrors.NewInvalid(groupKind, gw.Name, introduced)
		}
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
// the IngressClass of its name.
func (v *Validator) conflicts(ctx context.Context, gw *v1alpha1.IngressGateway, all []v1alpha1.IngressGateway) ([]Conflict, error) {
	out := append(HostPortConflicts(gw, all), RouterIDConflicts(gw, all)...)
	ic := &networkingv1.IngressClass{}
	class := render.IngressClassName(gw)
	switch err := v.APIReader.Get(ctx, types.NamespacedName{Name: class}, ic); {
	case apierrors.IsNotFound(err):
		ic = nil
	case err != nil:
		return nil, fmt.Errorf("read IngressClass %s to check for conflicts: %w", class, err)
	}
	return append(out, IngressClassConflicts(gw, all, ic)...), nil
}

// warnings names the referenced objects that do not exist yet. They do not
// block the gateway: the operator copes, and they may well be created next.
// Lookup errors only cost a warning, so they are logged and skipped.
func (v *Validator) warnings(ctx context.Context, gw *v1alpha1.IngressGateway) admission.Warnings {
	log := logf.FromContext(ctx)
	var out admission.Warnings
	if dc := gw.Spec.DefaultCertificate; dc != nil {
		key := types.NamespacedName{Namespace: orDefault(dc.SecretRef.Namespace, gw.Namespace), Name: dc.SecretRef.Name}
		switch missing, err := v.missing(ctx, "Secret", key); {
		case err != nil:
			log.V(1).Info("Cannot check the default certificate Secret", "secret", key, "err", err.Error())
		case missing:
			out = append(out, fmt.Sprintf("spec.defaultCertificate.secretRef: Secret %s does not exist yet; the gateway is accepted, "+
				"and its controller serves its self-signed fake certificate to HTTPS requests that match no Ingress TLS section until the Secret exists", key))
		}
	}
	services := map[types.NamespacedName]bool{}
	backend := func(entry string, b v1alpha1.Backend, port int32, proto corev1.Protocol) {
		key := types.NamespacedName{Namespace: orDefault(b.Namespace, gw.Namespace), Name: b.Name}
		missing, seen := services[key]
		if !seen {
			if len(services) >= maxServiceLookups {
				return
			}
			var err error
			if missing, err = v.missing(ctx, "Service", key); err != nil {
				log.V(1).Info("Cannot check a backend Service", "service", key, "err", err.Error())
			}
			services[key] = missing
		}
		if missing {
			out = append(out, fmt.Sprintf("%s.backend: Service %s does not exist yet; the gateway is accepted, "+
				"but ingress-nginx skips the entry (nothing answers on port %d/%s) until the Service exists", entry, key, port, proto))
		}
	}
	for i, e := range gw.Spec.TCP {
		backend(fmt.Sprintf("spec.tcp[%d]", i), e.Backend, e.Port, corev1.ProtocolTCP)
	}
	for i, e := range gw.Spec.UDP {
		backend(fmt.Sprintf("spec.udp[%d]", i), e.Backend, e.Port, corev1.ProtocolUDP)
	}
	return out
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

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
