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

// Package pki keeps the operator-owned PKI of one ingress-nginx admission
// webhook: a CA, the CA bundle the API server trusts, and the serving
// certificate the webhook presents. It is pure: time is passed in and
// nothing is read from or written to the cluster, so the operator decides
// when to call it and what to do with the result.
//
// A CA rollover never breaks trust: the new CA enters the bundle while the
// old CA keeps signing the serving certificate for a grace period, and old
// CAs leave the bundle only once they have expired.
package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Keys of the CA Secret's data.
const (
	// CACertKey holds the current CA certificate (PEM).
	CACertKey = "tls.crt"
	// CAKeyKey holds the current CA private key (PEM, "EC PRIVATE KEY" or
	// PKCS#8).
	CAKeyKey = "tls.key"
	// CABundleKey holds every CA the API server must trust now (PEM, current
	// CA first, then older ones by NotAfter descending).
	CABundleKey = "ca-bundle.crt"
	// PreviousCACertKey holds, only while a rollover grace runs, the old CA
	// certificate that still signs the serving certificate.
	PreviousCACertKey = "previous.crt"
	// PreviousCAKeyKey holds the private key of PreviousCACertKey.
	PreviousCAKeyKey = "previous.key"
)

// Keys of the serving Secret's data: the file names ingress-nginx is given.
const (
	// ServingCertKey holds the serving (leaf) certificate (PEM).
	ServingCertKey = "cert"
	// ServingKeyKey holds the serving private key (PEM).
	ServingKeyKey = "key"
	// ServingCAKey holds a copy of the CA bundle, for debugging and clients.
	ServingCAKey = "ca"
)

// Defaults applied by Options for zero fields.
const (
	DefaultCALifetime      = 5 * 365 * 24 * time.Hour
	DefaultServingLifetime = 365 * 24 * time.Hour
	DefaultRenewFraction   = 2.0 / 3.0
	DefaultRolloverGrace   = 10 * time.Minute
	DefaultCommonName      = "portico-webhook-ca"
)

// clockSkew backdates NotBefore so that an API server whose clock lags a
// little still accepts a certificate issued just now.
const clockSkew = 5 * time.Minute

// Options tune lifetimes and rollover. The zero value means the defaults.
type Options struct {
	// CALifetime is the validity of a new CA. Default 5 years.
	CALifetime time.Duration
	// ServingLifetime is the validity of a new serving certificate, capped
	// at the signing CA's NotAfter. Default 1 year.
	ServingLifetime time.Duration
	// RenewFraction: a certificate is renewed once this fraction of its
	// lifetime has passed. Default 2/3.
	RenewFraction float64
	// RolloverGrace: after a new CA is generated, the serving certificate
	// keeps being signed by the old CA for this long, so the new CA reaches
	// the webhook's caBundle before any leaf signed by it is served.
	// Default 10 minutes. Zero means the default; a negative value is an
	// error.
	RolloverGrace time.Duration
	// CommonName is the CA's common name, e.g. "portico webhook CA ns/name".
	// Default "portico-webhook-ca".
	CommonName string
}

func (o Options) withDefaults() Options {
	if o.CALifetime == 0 {
		o.CALifetime = DefaultCALifetime
	}
	if o.ServingLifetime == 0 {
		o.ServingLifetime = DefaultServingLifetime
	}
	if o.RenewFraction == 0 {
		o.RenewFraction = DefaultRenewFraction
	}
	if o.RolloverGrace == 0 {
		o.RolloverGrace = DefaultRolloverGrace
	}
	if o.CommonName == "" {
		o.CommonName = DefaultCommonName
	}
	return o
}

// validate rejects options under which a freshly issued certificate would
// already be due for renewal: Ensure would then never settle.
func (o Options) validate() error {
	switch {
	case !(o.RenewFraction > 0 && o.RenewFraction < 1):
		return fmt.Errorf("pki: RenewFraction %v is not in (0, 1)", o.RenewFraction)
	case o.RolloverGrace < 0:
		return fmt.Errorf("pki: RolloverGrace %v is negative", o.RolloverGrace)
	case scale(o.ServingLifetime, o.RenewFraction) <= clockSkew:
		return fmt.Errorf("pki: ServingLifetime %v is too short to renew at %s of it", o.ServingLifetime, fraction(o.RenewFraction))
	case scale(o.CALifetime, o.RenewFraction) <= clockSkew+o.RolloverGrace:
		return fmt.Errorf("pki: CALifetime %v is too short to renew at %s of it after a %v grace", o.CALifetime, fraction(o.RenewFraction), o.RolloverGrace)
	}
	return nil
}

// State is what the cluster holds now.
type State struct {
	// CA is the data of the CA Secret, nil when it does not exist.
	CA map[string][]byte
	// Serving is the data of the serving Secret, nil when it does not exist.
	Serving map[string][]byte
}

// Result is what the cluster should hold.
type Result struct {
	// CA is the desired data of the CA Secret (CACertKey, CAKeyKey,
	// CABundleKey, and during a rollover grace PreviousCACertKey and
	// PreviousCAKeyKey).
	CA map[string][]byte
	// Serving is the desired data of the serving Secret (ServingCertKey,
	// ServingKeyKey, ServingCAKey).
	Serving map[string][]byte
	// CABundle equals CA[CABundleKey]; it goes into the
	// ValidatingWebhookConfiguration's caBundle.
	CABundle []byte
	// NotAfter is the serving certificate's NotAfter.
	NotAfter time.Time
	// NextCheck is the earliest time Ensure would change something if
	// called again with the Result as State: leaf renewal, CA renewal, end
	// of a rollover grace, expiry of an old CA still in the bundle. It is
	// always after the now Ensure was called with.
	NextCheck time.Time
	// Changes lists what Ensure did, one short sentence each. It is empty
	// exactly when Result holds the same data as State.
	Changes []string
}

// Ensure returns the Secret contents the webhook needs at time now for hosts
// (the Service's DNS names). When State is already fine it returns the very
// same bytes, so the operator can hash them to skip writes, and no Changes.
// Result's byte slices may alias State's; neither must be modified.
func Ensure(s State, hosts []string, now time.Time, o Options) (Result, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return Result{}, err
	}
	hosts, err := normalizeHosts(hosts)
	if err != nil {
		return Result{}, err
	}
	var caChanges, servingChanges []string

	// The current CA, and the previous one while a rollover grace runs.
	var prev *keyPair
	cur, problem := loadCA(s.CA, CACertKey, CAKeyKey, now)
	if problem != "" {
		// No grace: the old CA key, if any, is not usable to sign.
		if cur, err = newCA(o, now); err != nil {
			return Result{}, err
		}
		if s.CA == nil {
			caChanges = append(caChanges, "generated a new CA")
		} else {
			caChanges = append(caChanges, "regenerated the CA: "+problem)
		}
	} else {
		var dropped string
		prev, dropped = loadPrevious(s.CA, cur, now, o)
		if dropped != "" {
			caChanges = append(caChanges, dropped)
		}
		if prev == nil && !now.Before(renewAt(cur.cert, o.RenewFraction)) {
			old := cur
			if cur, err = newCA(o, now); err != nil {
				return Result{}, err
			}
			caChanges = append(caChanges, fmt.Sprintf("rolled over the CA (%s of its lifetime passed); the old CA stays in the bundle until it expires at %s",
				fraction(o.RenewFraction), rfc3339(old.cert.NotAfter)))
			if now.Before(graceEnd(cur.cert, o)) {
				prev = old
			}
		}
	}

	// The bundle: the current CA first, then every other CA certificate we
	// know of that has not expired, so trust is only ever dropped by expiry.
	others, expired := trustedOthers(s, cur, now)
	bundle := encodeBundle(cur, others)
	bundleChanged := !bytes.Equal(s.CA[CABundleKey], bundle)
	if !bundleChanged {
		bundle = s.CA[CABundleKey]
	} else {
		caChanges = append(caChanges, expired...)
		if len(caChanges) == 0 {
			caChanges = append(caChanges, "rebuilt the CA bundle")
		}
	}

	caData := map[string][]byte{
		CACertKey:   cur.certPEM,
		CAKeyKey:    cur.keyPEM,
		CABundleKey: bundle,
	}
	if prev != nil {
		caData[PreviousCACertKey] = prev.certPEM
		caData[PreviousCAKeyKey] = prev.keyPEM
	}
	// The previous keys are known: dropping them was reported above.
	if extra := extraKeys(s.CA, caData, PreviousCACertKey, PreviousCAKeyKey); extra != "" {
		caChanges = append(caChanges, "removed unexpected keys "+extra+" from the CA Secret")
	}

	// The serving certificate, signed by the old CA during the grace.
	signer := cur
	if prev != nil {
		signer = prev
	}
	leaf := loadLeaf(s.Serving, hosts, signer, prev != nil, now, o)
	if leaf.problem != "" {
		kp, err := newLeaf(hosts, signer, now, o)
		if err != nil {
			return Result{}, err
		}
		leaf.keyPair = *kp
		servingChanges = append(servingChanges, leaf.problem)
	}
	servingCA := s.Serving[ServingCAKey]
	if !bytes.Equal(servingCA, bundle) {
		servingCA = bytes.Clone(bundle)
		// Otherwise the bundle's or the leaf's change says it all.
		if !bundleChanged && len(servingChanges) == 0 {
			servingChanges = append(servingChanges, "updated the CA bundle in the serving Secret")
		}
	}
	servingData := map[string][]byte{
		ServingCertKey: leaf.certPEM,
		ServingKeyKey:  leaf.keyPEM,
		ServingCAKey:   servingCA,
	}
	if extra := extraKeys(s.Serving, servingData); extra != "" {
		servingChanges = append(servingChanges, "removed unexpected keys "+extra+" from the serving Secret")
	}

	// NextCheck: the earliest instant one of the checks above flips.
	next := renewAt(cur.cert, o.RenewFraction)
	if prev != nil {
		// Leaf renewal waits for the end of the grace, expiry does not.
		next = earliest(next, graceEnd(cur.cert, o), leaf.cert.NotAfter)
	} else {
		next = earliest(next, renewAt(leaf.cert, o.RenewFraction))
	}
	for _, c := range others {
		next = earliest(next, c.NotAfter)
	}

	return Result{
		CA:        caData,
		Serving:   servingData,
		CABundle:  bundle,
		NotAfter:  leaf.cert.NotAfter,
		NextCheck: next,
		Changes:   append(caChanges, servingChanges...),
	}, nil
}

// loadPrevious returns the CA that still signs the serving certificate
// during a rollover grace, or nil with the reason it was dropped.
func loadPrevious(data map[string][]byte, cur *keyPair, now time.Time, o Options) (*keyPair, string) {
	_, hasCert := data[PreviousCACertKey]
	_, hasKey := data[PreviousCAKeyKey]
	if !hasCert && !hasKey {
		return nil, ""
	}
	if !now.Before(graceEnd(cur.cert, o)) {
		return nil, "finished the CA rollover: the new CA signs the serving certificate from now on"
	}
	prev, problem := loadCA(data, PreviousCACertKey, PreviousCAKeyKey, now)
	if problem != "" {
		return nil, "dropped the previous CA: " + problem
	}
	if bytes.Equal(prev.cert.Raw, cur.cert.Raw) {
		return nil, "dropped the previous CA: it is the current CA"
	}
	return prev, ""
}

type leafState struct {
	keyPair
	// problem is why a new leaf must be issued, as a Changes sentence;
	// empty when the stored one is fine.
	problem string
}

// loadLeaf checks the stored serving certificate against hosts and signer.
func loadLeaf(data map[string][]byte, hosts []string, signer *keyPair, inGrace bool, now time.Time, o Options) leafState {
	if data == nil {
		return leafState{problem: "issued a serving certificate"}
	}
	kp, problem := loadKeyPair(data, ServingCertKey, ServingKeyKey)
	if problem != "" {
		return leafState{problem: "reissued the serving certificate: the serving Secret was malformed (" + problem + ")"}
	}
	l := leafState{keyPair: *kp}
	c := kp.cert
	switch {
	case c.IsCA || !hasServerAuth(c):
		l.problem = "reissued the serving certificate: the serving Secret was malformed (cert is not a server certificate)"
	case !sameSet(c.DNSNames, hosts):
		l.problem = "issued a serving certificate for new hosts (" + strings.Join(hosts, ", ") + ")"
	case c.CheckSignatureFrom(signer.cert) != nil:
		l.problem = "reissued the serving certificate: it is not signed by the current CA"
	case now.Before(c.NotBefore):
		l.problem = "reissued the serving certificate: it is not valid before " + rfc3339(c.NotBefore)
	case !now.Before(c.NotAfter):
		l.problem = "reissued the serving certificate: it expired at " + rfc3339(c.NotAfter)
	case !inGrace && !now.Before(renewAt(c, o.RenewFraction)):
		// During a grace the leaf is replaced at its end anyway.
		l.problem = "renewed the serving certificate (" + fraction(o.RenewFraction) + " of its lifetime passed)"
	}
	return l
}

func normalizeHosts(hosts []string) ([]string, error) {
	if len(hosts) == 0 {
		return nil, errors.New("pki: no hosts")
	}
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		if h == "" {
			return nil, errors.New("pki: empty host name")
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out, nil
}

func sameSet(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// extraKeys lists, sorted, the keys of have that want lacks and that are
// not known.
func extraKeys(have, want map[string][]byte, known ...string) string {
	var extra []string
	for k := range have {
		if _, ok := want[k]; !ok && !slices.Contains(known, k) {
			extra = append(extra, fmt.Sprintf("%q", k))
		}
	}
	slices.Sort(extra)
	return strings.Join(extra, ", ")
}

// renewAt is when fraction f of c's lifetime has passed.
func renewAt(c *x509.Certificate, f float64) time.Time {
	return c.NotBefore.Add(scale(c.NotAfter.Sub(c.NotBefore), f))
}

// graceEnd is when the serving certificate moves to the CA cur. A new CA's
// NotBefore is its creation time minus clockSkew.
func graceEnd(cur *x509.Certificate, o Options) time.Time {
	return cur.NotBefore.Add(clockSkew + o.RolloverGrace)
}

func scale(d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * f)
}

func earliest(t time.Time, ts ...time.Time) time.Time {
	for _, u := range ts {
		if u.Before(t) {
			t = u
		}
	}
	return t
}

// fraction renders f as a small fraction ("2/3") when it is one.
func fraction(f float64) string {
	for d := 2; d <= 12; d++ {
		n := f * float64(d)
		if r := float64(int(n + 0.5)); r >= 1 && n-r < 1e-9 && r-n < 1e-9 {
			return fmt.Sprintf("%d/%d", int(r), d)
		}
	}
	return fmt.Sprintf("%g%%", f*100)
}
