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
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/certhealth"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/pki"
	"github.com/portico-dev/portico/internal/render"
)

// secretMemo is the data of one of the operator's own Secrets as its last
// write left it. The cache may lag behind a write; deciding rotation on a
// stale copy would issue a second CA, so the newer of the two wins.
type secretMemo struct {
	rv   string
	data map[string][]byte
}

// certMemo is a default certificate Secret as last parsed, so an unchanged
// Secret is neither read nor parsed again.
type certMemo struct {
	rv     string
	parsed certhealth.Parsed
}

// pkiMemo is the last pki.Ensure decision for a gateway and the Secret
// versions it was made from: parsing and verifying certificates is most of
// a no-op reconcile's cost, and the decision only changes when a Secret
// does or when NextCheck passes. Only decisions without changes are kept,
// so the certificates are the Secrets' data at those versions: not kept
// here (a second copy per gateway), taken from the Secrets when used.
type pkiMemo struct {
	caRV, servingRV     string
	notAfter, nextCheck time.Time
}

// webhookPKI reads the webhook's Secrets and returns the certificate
// material the fleet needs now (issuing or rotating as pki.Ensure decides).
func (r *Reconciler) webhookPKI(ctx context.Context, gw *v1alpha1.IngressGateway) (*render.WebhookPKI, pki.Result, error) {
	caData, caRV, err := r.ownSecretData(ctx, gw, render.WebhookCASecretName(gw))
	if err != nil {
		return nil, pki.Result{}, err
	}
	servingData, servingRV, err := r.ownSecretData(ctx, gw, render.WebhookCertSecretName(gw))
	if err != nil {
		return nil, pki.Result{}, err
	}
	now := r.Now().Time
	var memo *pkiMemo
	r.memo.read(gw.UID, func(g *gatewayMemo) {
		if g != nil {
			memo = g.pki
		}
	})
	if memo != nil && caRV != "" && servingRV != "" && memo.caRV == caRV && memo.servingRV == servingRV && now.Before(memo.nextCheck) {
		res := pki.Result{CA: caData, Serving: servingData, CABundle: caData[pki.CABundleKey], NotAfter: memo.notAfter, NextCheck: memo.nextCheck}
		return &render.WebhookPKI{CA: res.CA, Serving: res.Serving, CABundle: res.CABundle}, res, nil
	}
	res, err := pki.Ensure(pki.State{CA: caData, Serving: servingData}, render.WebhookHosts(gw), now,
		pki.Options{CommonName: "portico webhook CA " + gw.Namespace + "/" + gw.Name})
	if err != nil {
		return nil, pki.Result{}, fmt.Errorf("issue webhook certificates: %w", err)
	}
	if len(res.Changes) == 0 {
		// Only a decision taken on what the Secrets hold now is reusable.
		r.memo.update(gw.UID, func(g *gatewayMemo) {
			g.pki = &pkiMemo{caRV: caRV, servingRV: servingRV, notAfter: res.NotAfter, nextCheck: res.NextCheck}
		})
	}
	return &render.WebhookPKI{CA: res.CA, Serving: res.Serving, CABundle: res.CABundle}, res, nil
}

// ownSecretData returns the data and resourceVersion of one of the
// operator's Secrets: from the cache, unless the operator's own last write
// is newer; nil when it does not exist or is not the operator's (the apply
// then reports the conflict).
func (r *Reconciler) ownSecretData(ctx context.Context, gw *v1alpha1.IngressGateway, key types.NamespacedName) (map[string][]byte, string, error) {
	var memo secretMemo
	var haveMemo bool
	r.memo.read(gw.UID, func(g *gatewayMemo) {
		if g != nil {
			memo, haveMemo = g.secrets[key]
		}
	})
	s := &corev1.Secret{}
	err := r.Client.Get(ctx, key, s)
	switch {
	case apierrors.IsNotFound(err) && haveMemo:
		// Either deleted or not yet in the cache: ask the API server.
		if err := r.Applier.Reader.Get(ctx, key, s); err != nil {
			if apierrors.IsNotFound(err) {
				return nil, "", nil
			}
			return nil, "", err
		}
	case apierrors.IsNotFound(err):
		return nil, "", nil
	case err != nil:
		return nil, "", err
	}
	if s.Labels[render.ManagedByLabel] != render.ManagedByValue {
		return nil, "", nil
	}
	if haveMemo {
		if c, err := resourceversion.CompareResourceVersion(s.ResourceVersion, memo.rv); err == nil && c < 0 {
			return memo.data, memo.rv, nil
		}
		// The cache has caught up: the memo would only double the memory
		// the certificates take (a second copy per gateway).
		r.memo.update(gw.UID, func(g *gatewayMemo) {
			if g.secrets[key].rv == memo.rv {
				delete(g.secrets, key)
			}
		})
	}
	return s.Data, s.ResourceVersion, nil
}

// rememberSecret records what a write of one of gw's webhook Secrets left,
// until the cache shows it (memoStore.cachedAt, called by the cache's
// handler; and here, for a cache that was faster than the write's
// response).
func (r *Reconciler) rememberSecret(gw *v1alpha1.IngressGateway, key types.NamespacedName, rv string, data map[string][]byte) {
	r.memo.update(gw.UID, func(g *gatewayMemo) {
		if g.secrets == nil {
			g.secrets = map[types.NamespacedName]secretMemo{}
		}
		g.secrets[key] = secretMemo{rv: rv, data: maps.Clone(data)}
	})
	if r.ownSecrets == nil {
		return
	}
	if o, ok, err := r.ownSecrets.GetByKey(key.String()); err == nil && ok {
		r.memo.cachedAt(gw.UID, &key, o.(client.Object).GetResourceVersion())
	}
}

// defaultCertificate parses the gateway's default certificate Secret. The
// Secret's metadata comes from the Secret metadata cache; its content is
// read (uncached) only when its resourceVersion changed. The Secret is the
// user's: it is only read, never written.
func (r *Reconciler) defaultCertificate(ctx context.Context, gw *v1alpha1.IngressGateway) (*certhealth.Parsed, error) {
	key, ok := facts.DefaultCertificateKey(gw)
	if !ok {
		return nil, nil
	}
	r.memo.mu.Lock()
	memo, haveMemo := r.memo.certs[key]
	r.memo.mu.Unlock()
	if r.SecretMeta != nil {
		rv, found, err := cachedVersion(ctx, r.SecretMeta, corev1.SchemeGroupVersion.WithKind("Secret"), key)
		if err == nil && found && haveMemo && memo.rv == rv && memo.parsed.Reason != certhealth.NotFound {
			return &memo.parsed, nil
		}
	}
	s := &corev1.Secret{}
	var parsed certhealth.Parsed
	err := r.Applier.Reader.Get(ctx, key, s)
	switch {
	case apierrors.IsNotFound(err):
		parsed = certhealth.Parse(nil)
	case err != nil:
		return nil, fmt.Errorf("read default certificate Secret %s: %w", key, err)
	default:
		parsed = certhealth.Parse(s)
	}
	r.memo.mu.Lock()
	r.memo.certs[key] = certMemo{rv: s.ResourceVersion, parsed: parsed}
	r.memo.mu.Unlock()
	return &parsed, nil
}

// earliest returns the earliest non-zero time after now, as a requeue delay;
// 0 when there is none.
func earliest(now time.Time, ts ...time.Time) time.Duration {
	var best time.Duration
	for _, t := range ts {
		if t.IsZero() {
			continue
		}
		d := t.Sub(now)
		if d <= 0 {
			d = time.Second
		}
		if best == 0 || d < best {
			best = d
		}
	}
	return best
}

// ForgetEverything drops every in-memory record, as an operator restart
// does; tests use it to show that what matters is kept in the cluster.
func (r *Reconciler) ForgetEverything() { r.memo.ForgetAll() }

// HeldCopies reports whether the memo holds a copy of the status this
// process wrote for the gateway uid, and of how many of its webhook
// Secrets; tests use it to show the copies go once the cache shows them.
func (r *Reconciler) HeldCopies(uid types.UID) (status bool, secrets int) {
	r.memo.read(uid, func(g *gatewayMemo) {
		if g != nil {
			status, secrets = g.status != nil && g.status.status != nil, len(g.secrets)
		}
	})
	return status, secrets
}
