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

package pki_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/pki"
)

const day = 24 * time.Hour

func TestEnsure(t *testing.T) {
	base := settle(t, pki.State{}, t0)
	baseCA := cert(t, base.CA[pki.CACertKey])
	baseLeaf := cert(t, base.Serving[pki.ServingCertKey])
	caRenew := renewAt(baseCA)
	// CA due tomorrow, leaf fresh.
	due := settle(t, base, caRenew.Add(-day))
	// Leaf already due when the CA is.
	bothDue := settle(t, base, caRenew.Add(-250*day))
	grace := settle(t, due, caRenew)
	newCA := cert(t, grace.CA[pki.CACertKey])
	afterGrace := settle(t, grace, graceEnd(newCA))
	oldGone := baseCA.NotAfter
	beforeOldGone := settle(t, afterGrace, oldGone.Add(-2*day))
	// A leaf issued in the future: the clock went back.
	future := settle(t, base, t0.Add(250*day))
	other := settle(t, pki.State{}, t0)

	caKey, err := x509.ParseECPrivateKey(pemBytes(t, base.CA[pki.CAKeyKey]))
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(caKey)
	if err != nil {
		t.Fatal(err)
	}
	junkCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")})
	junkKey := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte("junk")})
	notSigned := "reissued the serving certificate: it is not signed by the current CA"

	tests := []struct {
		name  string
		state pki.State
		edit  func(s *pki.State)
		hosts []string // default hosts
		now   time.Time
		// changes are prefixes of the expected Changes, in order.
		changes  []string
		newCA    bool
		newLeaf  bool
		previous bool // the leaf is signed by the previous CA, kept in the CA Secret
		bundle   int  // certificates in the bundle
	}{
		{
			name:    "no Secrets",
			changes: []string{"generated a new CA", "issued a serving certificate"},
			now:     t0, newCA: true, newLeaf: true, bundle: 1,
		},
		{
			name: "steady", state: base, now: t0.Add(time.Hour), bundle: 1,
		},
		{
			name: "CA Secret deleted: the old CA stays trusted through the serving Secret", state: base,
			edit:    func(s *pki.State) { s.CA = nil },
			changes: []string{"generated a new CA", notSigned},
			now:     t0.Add(time.Hour), newCA: true, newLeaf: true, bundle: 2,
		},
		{
			name: "CA Secret deleted during a rollover grace", state: grace,
			edit:    func(s *pki.State) { s.CA = nil },
			changes: []string{"generated a new CA", notSigned},
			now:     caRenew.Add(time.Minute), newCA: true, newLeaf: true, bundle: 3,
		},
		{
			name: "CA certificate missing", state: base,
			edit:    func(s *pki.State) { delete(s.CA, pki.CACertKey) },
			changes: []string{"regenerated the CA: the CA Secret was malformed (tls.crt is missing)", notSigned},
			now:     t0.Add(time.Hour), newCA: true, newLeaf: true, bundle: 2,
		},
		{
			name: "CA certificate not PEM", state: base,
			edit:    func(s *pki.State) { s.CA[pki.CACertKey] = []byte("junk") },
			changes: []string{"regenerated the CA: the CA Secret was malformed (tls.crt: no PEM CERTIFICATE block)", notSigned},
			now:     t0.Add(time.Hour), newCA: true, newLeaf: true, bundle: 2,
		},
		{
			name: "CA certificate unparsable", state: base,
			edit:    func(s *pki.State) { s.CA[pki.CACertKey] = junkCert },
			changes: []string{"regenerated the CA: the CA Secret was malformed (tls.crt: x509: ", notSigned},
			now:     t0.Add(time.Hour), newCA: true, newLeaf: true, bundle: 2,
		},
		{
			name: "CA key missing", state: base,
			edit:    func(s *pki.State) { delete(s.CA, pki.CAKeyKey) },
			changes: []string{"regenerated the CA: the CA Secret was malformed (tls.key is missing)", notSigned},
			now:     t0.Add(time.Hour), newCA: true, newLeaf: true, bundle: 2,
		},
		{
			name: "CA key unparsable", state: base,
			edit:    func(s *pki.State) { s.CA[pki.CAKeyKey] = junkKey },
			changes: []string{"regenerated the CA: the CA Secret was malformed (tls.key: ", notSigned},
			now:     t0.Add(time.Hour), newCA: true, newLeaf: true, bundle: 2,
		},
		{
			name: "CA key of another CA: the certificate stays trusted", state: base,
			edit:    func(s *pki.State) { s.CA[pki.CAKeyKey] = other.CA[pki.CAKeyKey] },
			changes: []string{"regenerated the CA: the CA Secret was malformed (tls.key does not match tls.crt)", notSigned},
			now:     t0.Add(time.Hour), newCA: true, newLeaf: true, bundle: 2,
		},
		{
			name: "CA certificate is not a CA: it does not enter the bundle", state: base,
			edit: func(s *pki.State) {
				s.CA[pki.CACertKey] = s.Serving[pki.ServingCertKey]
				s.CA[pki.CAKeyKey] = s.Serving[pki.ServingKeyKey]
			},
			changes: []string{"regenerated the CA: the CA Secret was malformed (tls.crt is not a CA certificate)", notSigned},
			now:     t0.Add(time.Hour), newCA: true, newLeaf: true, bundle: 2,
		},
		{
			name: "CA expired", state: base, now: baseCA.NotAfter,
			changes: []string{"regenerated the CA: the CA expired at " + rfc3339(baseCA.NotAfter), `removed the CA "portico-webhook-ca" that expired at`, notSigned},
			newCA:   true, newLeaf: true, bundle: 1,
		},
		{
			name: "CA not yet valid", state: base, now: t0.Add(-time.Hour),
			changes: []string{"regenerated the CA: the CA is not valid before " + rfc3339(baseCA.NotBefore), notSigned},
			newCA:   true, newLeaf: true, bundle: 2,
		},
		{
			name: "just before the CA is due", state: due, now: caRenew.Add(-time.Nanosecond), bundle: 1,
		},
		{
			name: "CA due: rollover, the old CA keeps signing", state: due, now: caRenew,
			changes: []string{"rolled over the CA (2/3 of its lifetime passed); the old CA stays in the bundle until it expires at " + rfc3339(baseCA.NotAfter)},
			newCA:   true, previous: true, bundle: 2,
		},
		{
			name: "CA and leaf due: the leaf waits for the end of the grace", state: bothDue, now: caRenew,
			changes: []string{"rolled over the CA"},
			newCA:   true, previous: true, bundle: 2,
		},
		{
			name: "grace running", state: grace, now: caRenew.Add(time.Minute), previous: true, bundle: 2,
		},
		{
			name: "leaf missing during the grace: the old CA signs it", state: grace,
			edit:    func(s *pki.State) { s.Serving = nil },
			changes: []string{"issued a serving certificate"},
			now:     caRenew.Add(time.Minute), newLeaf: true, previous: true, bundle: 2,
		},
		{
			name: "just before the grace ends", state: grace, now: graceEnd(newCA).Add(-time.Nanosecond), previous: true, bundle: 2,
		},
		{
			name: "grace over: the new CA signs", state: grace, now: graceEnd(newCA),
			changes: []string{"finished the CA rollover", notSigned},
			newLeaf: true, bundle: 2,
		},
		{
			name: "previous CA key malformed during the grace", state: grace,
			edit:    func(s *pki.State) { s.CA[pki.PreviousCAKeyKey] = junkKey },
			changes: []string{"dropped the previous CA: the CA Secret was malformed (previous.key: ", notSigned},
			now:     caRenew.Add(time.Minute), newLeaf: true, bundle: 2,
		},
		{
			name: "previous CA key without its certificate", state: grace,
			edit:    func(s *pki.State) { delete(s.CA, pki.PreviousCACertKey) },
			changes: []string{"dropped the previous CA: the CA Secret was malformed (previous.crt is missing)", notSigned},
			now:     caRenew.Add(time.Minute), newLeaf: true, bundle: 2,
		},
		{
			name: "just before the old CA expires", state: beforeOldGone, now: oldGone.Add(-time.Nanosecond), bundle: 2,
		},
		{
			name: "old CA expired: it leaves the bundle", state: beforeOldGone, now: oldGone,
			changes: []string{`removed the CA "portico-webhook-ca" that expired at ` + rfc3339(oldGone) + " from the bundle"},
			bundle:  1,
		},
		{
			name: "leaf missing", state: base,
			edit:    func(s *pki.State) { s.Serving = nil },
			changes: []string{"issued a serving certificate"},
			now:     t0.Add(time.Hour), newLeaf: true, bundle: 1,
		},
		{
			name: "leaf not PEM", state: base,
			edit:    func(s *pki.State) { s.Serving[pki.ServingCertKey] = []byte("junk") },
			changes: []string{"reissued the serving certificate: the serving Secret was malformed (cert: no PEM CERTIFICATE block)"},
			now:     t0.Add(time.Hour), newLeaf: true, bundle: 1,
		},
		{
			name: "leaf unparsable", state: base,
			edit:    func(s *pki.State) { s.Serving[pki.ServingCertKey] = junkCert },
			changes: []string{"reissued the serving certificate: the serving Secret was malformed (cert: x509: "},
			now:     t0.Add(time.Hour), newLeaf: true, bundle: 1,
		},
		{
			name: "leaf key missing", state: base,
			edit:    func(s *pki.State) { delete(s.Serving, pki.ServingKeyKey) },
			changes: []string{"reissued the serving certificate: the serving Secret was malformed (key is missing)"},
			now:     t0.Add(time.Hour), newLeaf: true, bundle: 1,
		},
		{
			name: "leaf key of another leaf", state: base,
			edit:    func(s *pki.State) { s.Serving[pki.ServingKeyKey] = other.Serving[pki.ServingKeyKey] },
			changes: []string{"reissued the serving certificate: the serving Secret was malformed (key does not match cert)"},
			now:     t0.Add(time.Hour), newLeaf: true, bundle: 1,
		},
		{
			name: "leaf is a CA certificate", state: base,
			edit: func(s *pki.State) {
				s.Serving[pki.ServingCertKey] = s.CA[pki.CACertKey]
				s.Serving[pki.ServingKeyKey] = s.CA[pki.CAKeyKey]
			},
			changes: []string{"reissued the serving certificate: the serving Secret was malformed (cert is not a server certificate)"},
			now:     t0.Add(time.Hour), newLeaf: true, bundle: 1,
		},
		{
			name: "leaf signed by another CA", state: base,
			edit: func(s *pki.State) {
				s.Serving[pki.ServingCertKey] = other.Serving[pki.ServingCertKey]
				s.Serving[pki.ServingKeyKey] = other.Serving[pki.ServingKeyKey]
			},
			changes: []string{notSigned},
			now:     t0.Add(time.Hour), newLeaf: true, bundle: 1,
		},
		{
			name: "leaf not yet valid", state: future, now: t0.Add(time.Hour),
			changes: []string{"reissued the serving certificate: it is not valid before"},
			newLeaf: true, bundle: 1,
		},
		{
			name: "hosts changed", state: base, hosts: []string{"other.ns.svc"}, now: t0.Add(time.Hour),
			changes: []string{"issued a serving certificate for new hosts (other.ns.svc)"},
			newLeaf: true, bundle: 1,
		},
		{
			name: "hosts reordered", state: base, hosts: []string{hosts[1], hosts[0]}, now: t0.Add(time.Hour), bundle: 1,
		},
		{
			name: "hosts duplicated", state: base, hosts: []string{hosts[0], hosts[1], hosts[0]}, now: t0.Add(time.Hour), bundle: 1,
		},
		{
			name: "just before the leaf is due", state: base, now: renewAt(baseLeaf).Add(-time.Nanosecond), bundle: 1,
		},
		{
			name: "leaf due", state: base, now: renewAt(baseLeaf),
			changes: []string{"renewed the serving certificate (2/3 of its lifetime passed)"},
			newLeaf: true, bundle: 1,
		},
		{
			name: "leaf expired", state: base, now: baseLeaf.NotAfter,
			changes: []string{"reissued the serving certificate: it expired at " + rfc3339(baseLeaf.NotAfter)},
			newLeaf: true, bundle: 1,
		},
		{
			name: "bundle lost", state: base,
			edit:    func(s *pki.State) { delete(s.CA, pki.CABundleKey) },
			changes: []string{"rebuilt the CA bundle"},
			now:     t0.Add(time.Hour), bundle: 1,
		},
		{
			name: "bundle with an unparsable entry", state: base,
			edit:    func(s *pki.State) { s.CA[pki.CABundleKey] = append(s.CA[pki.CABundleKey], junkCert...) },
			changes: []string{"rebuilt the CA bundle"},
			now:     t0.Add(time.Hour), bundle: 1,
		},
		{
			name: "serving copy of the bundle stale", state: base,
			edit:    func(s *pki.State) { s.Serving[pki.ServingCAKey] = nil },
			changes: []string{"updated the CA bundle in the serving Secret"},
			now:     t0.Add(time.Hour), bundle: 1,
		},
		{
			name: "unexpected keys", state: base,
			edit: func(s *pki.State) {
				s.CA["junk"] = []byte("x")
				s.Serving["tls.crt"] = []byte("x")
			},
			changes: []string{`removed unexpected keys "junk" from the CA Secret`, `removed unexpected keys "tls.crt" from the serving Secret`},
			now:     t0.Add(time.Hour), bundle: 1,
		},
		{
			name: "CA key in PKCS#8 is accepted as is", state: base,
			edit: func(s *pki.State) {
				s.CA[pki.CAKeyKey] = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
			},
			now: t0.Add(time.Hour), bundle: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := clone(tc.state)
			if tc.edit != nil {
				tc.edit(&s)
			}
			h := hosts
			if tc.hosts != nil {
				h = tc.hosts
			}
			r, err := pki.Ensure(s, h, tc.now, pki.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Changes) != len(tc.changes) {
				t.Fatalf("Changes = %q, want %d starting with %q", r.Changes, len(tc.changes), tc.changes)
			}
			for i, want := range tc.changes {
				if !strings.HasPrefix(r.Changes[i], want) {
					t.Errorf("Changes[%d] = %q, want it to start with %q", i, r.Changes[i], want)
				}
			}
			if got := !bytes.Equal(r.CA[pki.CACertKey], s.CA[pki.CACertKey]); got != tc.newCA {
				t.Errorf("new CA = %v, want %v", got, tc.newCA)
			}
			if got := !bytes.Equal(r.Serving[pki.ServingCertKey], s.Serving[pki.ServingCertKey]); got != tc.newLeaf {
				t.Errorf("new leaf = %v, want %v", got, tc.newLeaf)
			}
			_, hasPrev := r.CA[pki.PreviousCACertKey]
			if _, hasPrevKey := r.CA[pki.PreviousCAKeyKey]; hasPrev != tc.previous || hasPrevKey != tc.previous {
				t.Errorf("previous CA kept = %v/%v, want %v", hasPrev, hasPrevKey, tc.previous)
			}
			signerKey := pki.CACertKey
			if tc.previous {
				signerKey = pki.PreviousCACertKey
			}
			if err := cert(t, r.Serving[pki.ServingCertKey]).CheckSignatureFrom(cert(t, r.CA[signerKey])); err != nil {
				t.Errorf("the leaf is not signed by %s: %v", signerKey, err)
			}
			if got := len(bundle(t, r.CABundle)); got != tc.bundle {
				t.Errorf("bundle has %d certificates, want %d", got, tc.bundle)
			}
			checkResult(t, s, r, h, tc.now, pki.Options{})
		})
	}
}

// TestEnsureKeepsBytes pins that an unchanged State comes back as the very
// same slices, not merely equal ones.
func TestEnsureKeepsBytes(t *testing.T) {
	s := settle(t, pki.State{}, t0)
	r := ensure(t, s, t0.Add(time.Hour), pki.Options{})
	for _, tc := range []struct {
		name      string
		got, want []byte
	}{
		{"CA certificate", r.CA[pki.CACertKey], s.CA[pki.CACertKey]},
		{"CA key", r.CA[pki.CAKeyKey], s.CA[pki.CAKeyKey]},
		{"bundle", r.CA[pki.CABundleKey], s.CA[pki.CABundleKey]},
		{"CABundle", r.CABundle, s.CA[pki.CABundleKey]},
		{"serving certificate", r.Serving[pki.ServingCertKey], s.Serving[pki.ServingCertKey]},
		{"serving key", r.Serving[pki.ServingKeyKey], s.Serving[pki.ServingKeyKey]},
		{"serving bundle", r.Serving[pki.ServingCAKey], s.Serving[pki.ServingCAKey]},
	} {
		if len(tc.got) == 0 || &tc.got[0] != &tc.want[0] {
			t.Errorf("%s: not the State's slice", tc.name)
		}
	}
}

func TestEnsureCertificates(t *testing.T) {
	tests := []struct {
		name string
		o    pki.Options
		// at is when the checked Result is made, after one at t0.
		at                    time.Time
		cn                    string
		caLife, servingBefore time.Duration // CA NotAfter-t0, leaf NotAfter-at
		leafUntilCA           bool          // the leaf's NotAfter is capped at the CA's
	}{
		{name: "defaults", at: t0, cn: "portico-webhook-ca", caLife: 5 * 365 * day, servingBefore: 365 * day},
		{
			name: "options", o: pki.Options{CommonName: "portico webhook CA ns/gw", CALifetime: 2 * 365 * day, ServingLifetime: 90 * day},
			at: t0, cn: "portico webhook CA ns/gw", caLife: 2 * 365 * day, servingBefore: 90 * day,
		},
		{
			name: "leaf capped at the CA's NotAfter", o: pki.Options{CALifetime: 90 * day, ServingLifetime: 80 * day},
			at: t0.Add(59 * day), cn: "portico-webhook-ca", caLife: 90 * day, leafUntilCA: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := ensure(t, pki.State{}, t0, tc.o)
			r := ensure(t, stateOf(first), tc.at, tc.o)
			ca, leaf := cert(t, r.CA[pki.CACertKey]), cert(t, r.Serving[pki.ServingCertKey])
			firstLeaf := cert(t, first.Serving[pki.ServingCertKey])

			if !ca.IsCA || !ca.BasicConstraintsValid || ca.MaxPathLen != 0 || !ca.MaxPathLenZero {
				t.Errorf("CA basic constraints: IsCA %v valid %v MaxPathLen %d zero %v", ca.IsCA, ca.BasicConstraintsValid, ca.MaxPathLen, ca.MaxPathLenZero)
			}
			if ca.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature {
				t.Errorf("CA KeyUsage = %v", ca.KeyUsage)
			}
			if ca.Subject.CommonName != tc.cn {
				t.Errorf("CA CN = %q, want %q", ca.Subject.CommonName, tc.cn)
			}
			if want := t0.Add(-5 * time.Minute).Truncate(time.Second); !ca.NotBefore.Equal(want) {
				t.Errorf("CA NotBefore = %s, want %s", ca.NotBefore, want)
			}
			if want := t0.Add(tc.caLife).Truncate(time.Second); !ca.NotAfter.Equal(want) {
				t.Errorf("CA NotAfter = %s, want %s", ca.NotAfter, want)
			}
			if leaf.IsCA || !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
				t.Errorf("leaf IsCA %v ExtKeyUsage %v", leaf.IsCA, leaf.ExtKeyUsage)
			}
			if !slices.Equal(leaf.DNSNames, hosts) || leaf.Subject.CommonName != hosts[0] {
				t.Errorf("leaf DNSNames %q CN %q, want %q", leaf.DNSNames, leaf.Subject.CommonName, hosts)
			}
			if want := tc.at.Add(-5 * time.Minute).Truncate(time.Second); !leaf.NotBefore.Equal(want) {
				t.Errorf("leaf NotBefore = %s, want %s", leaf.NotBefore, want)
			}
			wantNotAfter := tc.at.Add(tc.servingBefore).Truncate(time.Second)
			if tc.leafUntilCA {
				wantNotAfter = ca.NotAfter
			}
			if !leaf.NotAfter.Equal(wantNotAfter) {
				t.Errorf("leaf NotAfter = %s, want %s", leaf.NotAfter, wantNotAfter)
			}
			serials := map[string]bool{}
			for _, c := range []*x509.Certificate{ca, leaf, firstLeaf} {
				if k, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
					t.Errorf("%s: public key %T, want ECDSA P-256", c.Subject.CommonName, c.PublicKey)
				}
				if c.SerialNumber.Sign() <= 0 || c.SerialNumber.Cmp(new(big.Int).Lsh(big.NewInt(1), 128)) >= 0 {
					t.Errorf("%s: serial %v is not a positive 128-bit number", c.Subject.CommonName, c.SerialNumber)
				}
				serials[c.SerialNumber.String()] = true
			}
			if tc.at != t0 && len(serials) != 3 {
				t.Errorf("serial numbers repeat: %v", serials)
			}
			for _, key := range [][]byte{r.CA[pki.CAKeyKey], r.Serving[pki.ServingKeyKey]} {
				if b, _ := pem.Decode(key); b == nil || b.Type != "EC PRIVATE KEY" {
					t.Errorf("key is not EC PRIVATE KEY PEM: %.40q", key)
				}
			}
			checkResult(t, stateOf(first), r, hosts, tc.at, tc.o)
		})
	}
}

func TestEnsureErrors(t *testing.T) {
	tests := []struct {
		name  string
		hosts []string
		o     pki.Options
		want  string
	}{
		{name: "no hosts", want: "no hosts"},
		{name: "empty host", hosts: []string{"a.svc", ""}, want: "empty host name"},
		{name: "RenewFraction 1", hosts: hosts, o: pki.Options{RenewFraction: 1}, want: "RenewFraction 1 is not in (0, 1)"},
		{name: "RenewFraction negative", hosts: hosts, o: pki.Options{RenewFraction: -0.5}, want: "RenewFraction -0.5"},
		{name: "RolloverGrace negative", hosts: hosts, o: pki.Options{RolloverGrace: -time.Second}, want: "RolloverGrace -1s is negative"},
		{name: "ServingLifetime within the clock skew", hosts: hosts, o: pki.Options{ServingLifetime: 7 * time.Minute}, want: "ServingLifetime 7m0s is too short"},
		{name: "CALifetime within skew and grace", hosts: hosts, o: pki.Options{CALifetime: 20 * time.Minute, ServingLifetime: 10 * time.Minute}, want: "CALifetime 20m0s is too short"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pki.Ensure(pki.State{}, tc.hosts, t0, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseCertificates(t *testing.T) {
	r := ensure(t, pki.State{}, t0, pki.Options{})
	ca, leaf := r.CA[pki.CACertKey], r.Serving[pki.ServingCertKey]
	junk := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")})
	tests := []struct {
		name    string
		in      []byte
		wantCNs []string
		wantErr string
	}{
		{name: "one", in: ca, wantCNs: []string{"portico-webhook-ca"}},
		{name: "two, in order", in: slices.Concat(leaf, ca), wantCNs: []string{hosts[0], "portico-webhook-ca"}},
		{name: "other blocks skipped", in: slices.Concat(r.CA[pki.CAKeyKey], ca), wantCNs: []string{"portico-webhook-ca"}},
		{name: "empty", wantErr: "no PEM CERTIFICATE block"},
		{name: "not PEM", in: []byte("junk"), wantErr: "no PEM CERTIFICATE block"},
		{name: "one bad entry", in: slices.Concat(ca, junk), wantErr: "certificate 2: x509: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			certs, err := pki.ParseCertificates(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var cns []string
			for _, c := range certs {
				cns = append(cns, c.Subject.CommonName)
			}
			if !slices.Equal(cns, tc.wantCNs) {
				t.Errorf("CNs = %q, want %q", cns, tc.wantCNs)
			}
		})
	}
}

func pemBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("not PEM")
	}
	return block.Bytes
}

func rfc3339(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
