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

// Package servingcert keeps the certificate the operator's own webhook
// server serves with. In self-signed mode SelfSignedCerts is a runnable of
// every replica: the operator is its own CA, keeps the Secret, the files
// the server reads and the caBundle of its ValidatingWebhookConfiguration
// in step, and ServeAfter holds the server back until the first files
// exist. In external mode something else (OLM, cert-manager) provides
// them. The admission checks themselves are internal/webhook's.
package servingcert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	admissionregistrationv1ac "k8s.io/client-go/applyconfigurations/admissionregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/portico-dev/portico/internal/pki"
)

// CertMode says where the webhook server's certificate comes from.
type CertMode string

const (
	// CertModeSelfSigned means the operator is its own CA (SelfSignedCerts).
	CertModeSelfSigned CertMode = "self-signed"
	// CertModeExternal means something else (OLM, cert-manager) puts tls.crt
	// and tls.key into the certificate directory and injects the caBundle;
	// the operator only serves them.
	CertModeExternal CertMode = "external"
)

// FieldOwner is the field manager of the caBundle the operator applies.
const FieldOwner = "portico"

// Keys of the certificate Secret. One Secret holds everything: the serving
// pair under the kubernetes.io/tls keys, the bundle under cert-manager's
// ca.crt, and the CA's own pair, since the operator is its own issuer.
const (
	SecretCertKey           = corev1.TLSCertKey
	SecretKeyKey            = corev1.TLSPrivateKeyKey
	SecretCABundleKey       = "ca.crt"
	SecretIssuerCertKey     = "ca-issuer.crt"
	SecretIssuerKeyKey      = "ca-issuer.key"
	SecretPrevIssuerCertKey = "previous-ca-issuer.crt"
	SecretPrevIssuerKeyKey  = "previous-ca-issuer.key"
)

// caKeys and servingKeys map internal/pki's data keys onto the Secret's.
// pki.CABundleKey and pki.ServingCAKey share ca.crt: pki keeps them equal.
var (
	caKeys = map[string]string{
		pki.CACertKey:         SecretIssuerCertKey,
		pki.CAKeyKey:          SecretIssuerKeyKey,
		pki.CABundleKey:       SecretCABundleKey,
		pki.PreviousCACertKey: SecretPrevIssuerCertKey,
		pki.PreviousCAKeyKey:  SecretPrevIssuerKeyKey,
	}
	servingKeys = map[string]string{
		pki.ServingCertKey: SecretCertKey,
		pki.ServingKeyKey:  SecretKeyKey,
		pki.ServingCAKey:   SecretCABundleKey,
	}
)

// secretLabels mark the certificate Secret as the operator's; a Secret of
// that name without them is never overwritten.
var secretLabels = map[string]string{
	"app.kubernetes.io/name":      "portico",
	"app.kubernetes.io/part-of":   "portico",
	"app.kubernetes.io/component": "webhook-certificate",
}

// DefaultRecheck is how often SelfSignedCerts looks again without a
// certificate deadline: it repairs deleted files, Secrets and caBundles,
// and picks up a rotation another replica made.
const DefaultRecheck = time.Hour

// Secrets: the webhook certificate, read uncached and written only when it
// differs. The caBundle is patched (server-side apply) only when it differs.
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;create;update
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,verbs=get;patch

// SelfSignedCerts keeps the webhook server's certificates when the operator
// is its own CA. Each pass reads the Secret, lets internal/pki decide
// whether to issue or rotate, and then makes three things match: the
// Secret (the one source every replica agrees on), the files the webhook
// server reads (controller-runtime's certwatcher reloads them), and the
// caBundle of every webhook of the ValidatingWebhookConfiguration. It writes
// only what differs, so a pass over a settled cluster only reads.
//
// It runs in every replica (each serves webhooks, so each needs the files),
// not only in the leader. Replicas agree through the Secret: it is created
// and updated with optimistic concurrency, and a replica that loses a race
// starts over from what the winner wrote.
type SelfSignedCerts struct {
	// Client writes the Secret and the caBundle.
	Client client.Client
	// Reader reads the Secret and the configuration from the API server;
	// the manager's cache holds neither.
	Reader client.Reader
	// Namespace and SecretName name the Secret.
	Namespace, SecretName string
	// ServiceName is the webhook's Service in Namespace; the certificate is
	// valid for its cluster DNS names.
	ServiceName string
	// ConfigurationName is the ValidatingWebhookConfiguration whose caBundle
	// is kept.
	ConfigurationName string
	// CertDir receives tls.crt and tls.key.
	CertDir string
	// Recheck is the longest time between passes (default DefaultRecheck).
	Recheck time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// PKI tunes certificate lifetimes (the zero value: pki's defaults).
	PKI pki.Options

	readyOnce sync.Once
	ready     chan struct{}
}

var _ manager.LeaderElectionRunnable = &SelfSignedCerts{}

// SyncResult is what one pass did.
type SyncResult struct {
	// Changes lists what the pass wrote; empty when all was in place.
	Changes []string
	// Serving is true once CertDir holds the Secret's certificate.
	Serving bool
	// NextCheck is when internal/pki next wants to rotate something.
	NextCheck time.Time
}

// Hosts returns the DNS names the serving certificate is valid for: those
// the API server uses to reach the Service.
func (c *SelfSignedCerts) Hosts() []string {
	svc := c.ServiceName + "." + c.Namespace + ".svc"
	return []string{svc, svc + ".cluster.local"}
}

// Ready is closed once the certificate files are in place for the first
// time; the webhook server waits for it (see ServeAfter).
func (c *SelfSignedCerts) Ready() <-chan struct{} {
	c.readyOnce.Do(func() { c.ready = make(chan struct{}) })
	return c.ready
}

// NeedLeaderElection is false: every replica serves webhooks.
func (c *SelfSignedCerts) NeedLeaderElection() bool { return false }

// Start runs passes until ctx ends: after a failure with a backoff of up to
// a minute, else at the next certificate deadline or after Recheck.
func (c *SelfSignedCerts) Start(ctx context.Context) error {
	log := logf.FromContext(ctx).WithName("webhook-certificates")
	c.Ready()
	closed := false
	backoff := time.Second
	for {
		res, err := c.Sync(ctx)
		if res.Serving && !closed {
			close(c.ready)
			closed = true
		}
		var wait time.Duration
		if err != nil {
			log.Error(err, "Webhook certificates are not in place; retrying", "after", backoff, "changes", res.Changes)
			wait, backoff = backoff, min(2*backoff, time.Minute)
		} else {
			backoff = time.Second
			if len(res.Changes) > 0 {
				log.Info("Updated the webhook certificates", "changes", res.Changes, "nextCheck", res.NextCheck)
			}
			wait = min(c.recheck(), max(res.NextCheck.Sub(c.now()), time.Second))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

func (c *SelfSignedCerts) recheck() time.Duration {
	if c.Recheck > 0 {
		return c.Recheck
	}
	return DefaultRecheck
}

func (c *SelfSignedCerts) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Sync makes one pass: Secret, then files, then caBundle. The files are
// written before the caBundle is checked, so a missing configuration does
// not keep the server from serving.
func (c *SelfSignedCerts) Sync(ctx context.Context) (SyncResult, error) {
	var out SyncResult
	res, changes, err := c.syncSecret(ctx)
	out.Changes = changes
	if err != nil {
		return out, err
	}
	out.NextCheck = res.NextCheck
	for _, f := range []struct {
		name string
		data []byte
	}{
		// The key first: certwatcher loads the pair on either file's event,
		// and a new certificate with the old key would not load.
		{SecretKeyKey, res.Serving[pki.ServingKeyKey]},
		{SecretCertKey, res.Serving[pki.ServingCertKey]},
	} {
		wrote, err := writeIfChanged(c.CertDir, f.name, f.data)
		if err != nil {
			return out, err
		}
		if wrote {
			out.Changes = append(out.Changes, "wrote "+filepath.Join(c.CertDir, f.name))
		}
	}
	out.Serving = true
	changed, err := c.syncCABundle(ctx, res.CABundle)
	if err != nil {
		return out, err
	}
	if changed {
		out.Changes = append(out.Changes, "updated the caBundle of ValidatingWebhookConfiguration "+c.ConfigurationName)
	}
	return out, nil
}

// maxSecretAttempts bounds the retries of a pass that races other replicas.
const maxSecretAttempts = 5

// syncSecret returns the certificates the Secret holds once it is up to
// date, creating or updating it as internal/pki decides.
func (c *SelfSignedCerts) syncSecret(ctx context.Context) (pki.Result, []string, error) {
	key := types.NamespacedName{Namespace: c.Namespace, Name: c.SecretName}
	for range maxSecretAttempts {
		s := &corev1.Secret{}
		err := c.Reader.Get(ctx, key, s)
		switch {
		case apierrors.IsNotFound(err):
			s = nil
		case err != nil:
			return pki.Result{}, nil, fmt.Errorf("read Secret %s: %w", key, err)
		case !hasLabels(s.Labels, secretLabels):
			return pki.Result{}, nil, fmt.Errorf("the Secret %s exists but was not created by Portico (labels %v missing); "+
				"delete it, or pass another --webhook-secret-name", key, secretLabels)
		}
		var data map[string][]byte
		if s != nil {
			data = s.Data
		}
		res, err := pki.Ensure(pki.State{CA: pick(data, caKeys), Serving: pick(data, servingKeys)}, c.Hosts(), c.now(), c.PKI)
		if err != nil {
			return pki.Result{}, nil, fmt.Errorf("issue webhook certificates: %w", err)
		}
		want := secretData(res)
		switch {
		case s == nil:
			s = &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: c.SecretName, Labels: maps.Clone(secretLabels)},
				Type:       corev1.SecretTypeTLS,
				Data:       want,
			}
			err = c.Client.Create(ctx, s)
		case !equalData(s.Data, want):
			s.Data = want
			err = c.Client.Update(ctx, s)
		default:
			return res, nil, nil
		}
		if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) {
			// Another replica wrote first: start over from its Secret.
			continue
		}
		if err != nil {
			return pki.Result{}, nil, fmt.Errorf("write Secret %s: %w", key, err)
		}
		why := res.Changes
		if len(why) == 0 {
			why = []string{"dropped unknown keys"}
		}
		return res, []string{fmt.Sprintf("wrote Secret %s: %s", key, strings.Join(why, "; "))}, nil
	}
	return pki.Result{}, nil, fmt.Errorf("write Secret %s: still conflicting after %d attempts", key, maxSecretAttempts)
}

// syncCABundle sets the caBundle of every webhook of the configuration to
// bundle, applying only that field so that whoever installed the
// configuration keeps owning the rest. It writes nothing when they match.
func (c *SelfSignedCerts) syncCABundle(ctx context.Context, bundle []byte) (bool, error) {
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := c.Reader.Get(ctx, types.NamespacedName{Name: c.ConfigurationName}, vwc); err != nil {
		if apierrors.IsNotFound(err) {
			return false, fmt.Errorf("the ValidatingWebhookConfiguration %s does not exist: the API server cannot call the webhook "+
				"until it is installed (config/default ships it), or pass the right --webhook-configuration-name", c.ConfigurationName)
		}
		return false, fmt.Errorf("read ValidatingWebhookConfiguration %s: %w", c.ConfigurationName, err)
	}
	ac := admissionregistrationv1ac.ValidatingWebhookConfiguration(c.ConfigurationName)
	stale := false
	for _, w := range vwc.Webhooks {
		stale = stale || !bytes.Equal(w.ClientConfig.CABundle, bundle)
		ac.WithWebhooks(admissionregistrationv1ac.ValidatingWebhook().WithName(w.Name).
			WithClientConfig(admissionregistrationv1ac.WebhookClientConfig().WithCABundle(bundle...)))
	}
	if !stale {
		return false, nil
	}
	if err := c.Client.Apply(ctx, ac, client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return false, fmt.Errorf("apply the caBundle of ValidatingWebhookConfiguration %s: %w", c.ConfigurationName, err)
	}
	return true, nil
}

// pick returns the entries of data named by keys (pki key → Secret key),
// under pki's keys; nil when there are none, which pki reads as "missing".
func pick(data map[string][]byte, keys map[string]string) map[string][]byte {
	var out map[string][]byte
	for pkiKey, secretKey := range keys {
		if v, ok := data[secretKey]; ok {
			if out == nil {
				out = map[string][]byte{}
			}
			out[pkiKey] = v
		}
	}
	return out
}

// secretData lays res out in the Secret's keys.
func secretData(res pki.Result) map[string][]byte {
	out := map[string][]byte{}
	for _, m := range []struct {
		data map[string][]byte
		keys map[string]string
	}{{res.CA, caKeys}, {res.Serving, servingKeys}} {
		for pkiKey, v := range m.data {
			out[m.keys[pkiKey]] = v
		}
	}
	return out
}

func equalData(a, b map[string][]byte) bool {
	return maps.EqualFunc(a, b, bytes.Equal)
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// writeIfChanged replaces dir/name with data unless it already holds it.
// The replacement is a rename, so the server never reads half a file.
func writeIfChanged(dir, name string, data []byte) (bool, error) {
	path := filepath.Join(dir, name)
	if cur, err := os.ReadFile(path); err == nil && bytes.Equal(cur, data) {
		return false, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("create certificate directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // a no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}
