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
	"crypto/tls"
	"crypto/x509"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/pki"
)

// t0 has a sub-second part on purpose: certificates keep whole seconds.
var t0 = time.Date(2026, 3, 1, 12, 34, 56, 789_000_000, time.UTC)

var hosts = []string{"gw-admission.ns.svc", "gw-admission.ns.svc.cluster.local"}

func ensure(t *testing.T, s pki.State, now time.Time, o pki.Options) pki.Result {
	t.Helper()
	r, err := pki.Ensure(s, hosts, now, o)
	if err != nil {
		t.Fatalf("Ensure at %s: %v", now, err)
	}
	return r
}

// settle calls Ensure at each time in turn, feeding results back.
func settle(t *testing.T, s pki.State, times ...time.Time) pki.State {
	t.Helper()
	for _, now := range times {
		s = stateOf(ensure(t, s, now, pki.Options{}))
	}
	return s
}

func stateOf(r pki.Result) pki.State {
	return pki.State{CA: r.CA, Serving: r.Serving}
}

// clone copies s deeply so that a test case can edit it.
func clone(s pki.State) pki.State {
	c := func(m map[string][]byte) map[string][]byte {
		if m == nil {
			return nil
		}
		out := make(map[string][]byte, len(m))
		for k, v := range m {
			out[k] = bytes.Clone(v)
		}
		return out
	}
	return pki.State{CA: c(s.CA), Serving: c(s.Serving)}
}

func cert(t *testing.T, pemBytes []byte) *x509.Certificate {
	t.Helper()
	certs, err := pki.ParseCertificates(pemBytes)
	if err != nil {
		t.Fatalf("ParseCertificates: %v", err)
	}
	return certs[0]
}

func bundle(t *testing.T, pemBytes []byte) []*x509.Certificate {
	t.Helper()
	certs, err := pki.ParseCertificates(pemBytes)
	if err != nil {
		t.Fatalf("ParseCertificates: %v", err)
	}
	return certs
}

// renewAt is the spec's renewal instant: 2/3 of the lifetime.
func renewAt(c *x509.Certificate) time.Time {
	return c.NotBefore.Add(time.Duration(float64(c.NotAfter.Sub(c.NotBefore)) * pki.DefaultRenewFraction))
}

// graceEnd is the spec's end of a rollover grace for the new CA c.
func graceEnd(c *x509.Certificate) time.Time {
	return c.NotBefore.Add(5*time.Minute + pki.DefaultRolloverGrace)
}

// verifyServed checks that the serving certificate in serving, presented
// for host, verifies against the PEM bundle at now, as the API server would
// check it.
func verifyServed(serving map[string][]byte, bundlePEM []byte, host string, now time.Time) error {
	if _, err := tls.X509KeyPair(serving[pki.ServingCertKey], serving[pki.ServingKeyKey]); err != nil {
		return err
	}
	leaf, err := pki.ParseCertificates(serving[pki.ServingCertKey])
	if err != nil {
		return err
	}
	roots, err := pki.ParseCertificates(bundlePEM)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	for _, c := range roots {
		pool.AddCert(c)
	}
	_, err = leaf[0].Verify(x509.VerifyOptions{
		DNSName:     host,
		Roots:       pool,
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

func dataEqual(a, b map[string][]byte) bool {
	return (a == nil) == (b == nil) && maps.EqualFunc(a, b, bytes.Equal)
}

// checkResult asserts what must hold for every Result.
func checkResult(t *testing.T, s pki.State, r pki.Result, hosts []string, now time.Time, o pki.Options) {
	t.Helper()
	if err := verifyServed(r.Serving, r.CABundle, hosts[0], now); err != nil {
		t.Errorf("at %s the serving certificate does not verify against its own bundle: %v", now, err)
	}
	if !bytes.Equal(r.CABundle, r.CA[pki.CABundleKey]) || !bytes.Equal(r.CABundle, r.Serving[pki.ServingCAKey]) {
		t.Errorf("at %s CABundle, CA[%s] and Serving[%s] differ", now, pki.CABundleKey, pki.ServingCAKey)
	}
	b := bundle(t, r.CABundle)
	if !b[0].Equal(cert(t, r.CA[pki.CACertKey])) {
		t.Errorf("at %s the bundle does not start with the current CA", now)
	}
	for i, c := range b {
		if !c.IsCA || !now.Before(c.NotAfter) {
			t.Errorf("at %s bundle entry %d is not a valid CA (IsCA %v, NotAfter %s)", now, i, c.IsCA, c.NotAfter)
		}
		if i > 1 && c.NotAfter.After(b[i-1].NotAfter) {
			t.Errorf("at %s bundle entries after the first are not by NotAfter descending", now)
		}
	}
	if leaf := cert(t, r.Serving[pki.ServingCertKey]); !leaf.NotAfter.Equal(r.NotAfter) {
		t.Errorf("at %s NotAfter = %s, the leaf says %s", now, r.NotAfter, leaf.NotAfter)
	}
	if !r.NextCheck.After(now) {
		t.Errorf("at %s NextCheck %s is not in the future", now, r.NextCheck)
	}
	unchanged := dataEqual(s.CA, r.CA) && dataEqual(s.Serving, r.Serving)
	if unchanged != (len(r.Changes) == 0) {
		t.Errorf("at %s data unchanged = %v but Changes = %q", now, unchanged, r.Changes)
	}
	again, err := pki.Ensure(stateOf(r), hosts, now, o)
	if err != nil {
		t.Fatalf("Ensure again: %v", err)
	}
	if len(again.Changes) != 0 || !reflect.DeepEqual(again.CA, r.CA) || !reflect.DeepEqual(again.Serving, r.Serving) || !again.NextCheck.Equal(r.NextCheck) {
		t.Errorf("at %s Ensure on its own Result changed something: %q", now, again.Changes)
	}
}

func hasChange(changes []string, prefix string) bool {
	for _, c := range changes {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}
