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

package certhealth_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/portico-dev/portico/internal/certhealth"
)

const day = 24 * time.Hour

var (
	notBefore = time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	notAfter  = notBefore.Add(90 * day)
)

// keys are generated once: RSA generation is slow.
type keys struct {
	rsa          *rsa.PrivateKey
	ec, ecOther  *ecdsa.PrivateKey
	ed           ed25519.PrivateKey
	ca           *ecdsa.PrivateKey
	caCert       *x509.Certificate
	caCertPEM    []byte
	rsaPKCS1     []byte
	rsaPKCS8     []byte
	ecSEC1       []byte
	ecPKCS8      []byte
	edPKCS8      []byte
	ecOtherSEC1  []byte
	ecWithParams []byte
}

func newKeys(t *testing.T) *keys {
	t.Helper()
	k := &keys{}
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	for _, p := range []**ecdsa.PrivateKey{&k.ec, &k.ecOther, &k.ca} {
		if *p, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	k.rsaPKCS1 = encode("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.rsa))
	k.rsaPKCS8 = encode("PRIVATE KEY", pkcs8(t, k.rsa))
	k.ecSEC1 = encode("EC PRIVATE KEY", sec1(t, k.ec))
	k.ecPKCS8 = encode("PRIVATE KEY", pkcs8(t, k.ec))
	k.edPKCS8 = encode("PRIVATE KEY", pkcs8(t, k.ed))
	k.ecOtherSEC1 = encode("EC PRIVATE KEY", sec1(t, k.ecOther))
	// What `openssl ecparam -genkey` writes.
	k.ecWithParams = append(encode("EC PARAMETERS", []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}), k.ecSEC1...)
	k.caCertPEM = issue(t, k.ca.Public(), k.ca, nil, &x509.Certificate{
		Subject: pkix.Name{CommonName: "test CA"}, NotBefore: notBefore, NotAfter: notAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	})
	block, _ := pem.Decode(k.caCertPEM)
	if k.caCert, err = x509.ParseCertificate(block.Bytes); err != nil {
		t.Fatal(err)
	}
	return k
}

// leaf issues a server certificate for pub, signed by the test CA.
func (k *keys) leaf(t *testing.T, pub crypto.PublicKey, cn string, dnsNames []string, nb, na time.Time) []byte {
	t.Helper()
	return issue(t, pub, k.ca, k.caCert, &x509.Certificate{
		Subject: pkix.Name{CommonName: cn}, DNSNames: dnsNames, NotBefore: nb, NotAfter: na,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
}

func issue(t *testing.T, pub crypto.PublicKey, signer crypto.Signer, parent, tmpl *x509.Certificate) []byte {
	t.Helper()
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = serial.Add(serial, big.NewInt(1))
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	return encode("CERTIFICATE", der)
}

func encode(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkcs8(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func sec1(t *testing.T, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func secret(typ corev1.SecretType, crt, key []byte) *corev1.Secret {
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "default-cert"},
		Type:       typ,
		Data:       map[string][]byte{},
	}
	if crt != nil {
		s.Data[corev1.TLSCertKey] = crt
	}
	if key != nil {
		s.Data[corev1.TLSPrivateKeyKey] = key
	}
	return s
}

func TestParse(t *testing.T) {
	k := newKeys(t)
	names := []string{"www.example.com", "example.com"}
	rsaCert := k.leaf(t, k.rsa.Public(), "example.com", names, notBefore, notAfter)
	ecCert := k.leaf(t, k.ec.Public(), "example.com", names, notBefore, notAfter)
	edCert := k.leaf(t, k.ed.Public(), "example.com", names, notBefore, notAfter)
	cnOnly := k.leaf(t, k.ec.Public(), "cn.example.com", nil, notBefore, notAfter)
	noName := k.leaf(t, k.ec.Public(), "", nil, notBefore, notAfter)
	junkCert := encode("CERTIFICATE", []byte("junk"))
	sorted := []string{"example.com", "www.example.com"}
	tlsType := corev1.SecretTypeTLS

	tests := []struct {
		name   string
		secret *corev1.Secret
		reason certhealth.Reason
		detail string // substring of Detail; "" means Detail must be empty
		names  []string
	}{
		{name: "nil", reason: certhealth.NotFound, detail: "the Secret does not exist"},
		{
			name: "Opaque with a certificate", secret: secret(corev1.SecretTypeOpaque, ecCert, k.ecSEC1),
			reason: certhealth.WrongType, detail: "secret type is Opaque, want kubernetes.io/tls",
		},
		{
			name: "empty type is Opaque", secret: secret("", ecCert, k.ecSEC1),
			reason: certhealth.WrongType, detail: "secret type is Opaque, want kubernetes.io/tls",
		},
		{
			name: "other type", secret: secret(corev1.SecretTypeBasicAuth, nil, nil),
			reason: certhealth.WrongType, detail: "secret type is kubernetes.io/basic-auth, want kubernetes.io/tls",
		},
		{name: "no data", secret: secret(tlsType, nil, nil), reason: certhealth.Malformed, detail: "tls.crt and tls.key are missing"},
		{name: "tls.crt missing", secret: secret(tlsType, nil, k.ecSEC1), reason: certhealth.Malformed, detail: "tls.crt is missing"},
		{name: "tls.key missing", secret: secret(tlsType, ecCert, nil), reason: certhealth.Malformed, detail: "tls.key is missing", names: sorted},
		{name: "tls.crt not PEM", secret: secret(tlsType, []byte("MIIB..."), k.ecSEC1), reason: certhealth.Malformed, detail: "tls.crt is not PEM"},
		{
			name: "tls.crt holds a key", secret: secret(tlsType, k.ecSEC1, k.ecSEC1),
			reason: certhealth.Malformed, detail: "tls.crt has no PEM CERTIFICATE block",
		},
		{
			name: "tls.crt unparsable", secret: secret(tlsType, junkCert, k.ecSEC1),
			reason: certhealth.Malformed, detail: "tls.crt: cannot parse the first certificate: x509: ",
		},
		{name: "tls.key not PEM", secret: secret(tlsType, ecCert, []byte("junk")), reason: certhealth.Malformed, detail: "tls.key is not PEM", names: sorted},
		{
			name: "tls.key holds a certificate", secret: secret(tlsType, ecCert, ecCert),
			reason: certhealth.Malformed, detail: "tls.key has no PEM PRIVATE KEY block", names: sorted,
		},
		{
			name: "tls.key unparsable", secret: secret(tlsType, ecCert, encode("RSA PRIVATE KEY", []byte("junk"))),
			reason: certhealth.Malformed, detail: "tls.key: cannot parse the RSA PRIVATE KEY block as PKCS#1, PKCS#8 or SEC1", names: sorted,
		},
		{
			name: "tls.key encrypted PKCS#8", secret: secret(tlsType, ecCert, encode("ENCRYPTED PRIVATE KEY", []byte("junk"))),
			reason: certhealth.Malformed, detail: "tls.key is encrypted", names: sorted,
		},
		{
			name: "tls.key encrypted legacy PEM",
			secret: secret(tlsType, rsaCert, pem.EncodeToMemory(&pem.Block{
				Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte("junk"),
			})),
			reason: certhealth.Malformed, detail: "tls.key is encrypted", names: sorted,
		},
		{name: "RSA PKCS#1", secret: secret(tlsType, rsaCert, k.rsaPKCS1), names: sorted},
		{name: "RSA PKCS#8", secret: secret(tlsType, rsaCert, k.rsaPKCS8), names: sorted},
		{name: "ECDSA SEC1", secret: secret(tlsType, ecCert, k.ecSEC1), names: sorted},
		{name: "ECDSA SEC1 after EC PARAMETERS", secret: secret(tlsType, ecCert, k.ecWithParams), names: sorted},
		{name: "ECDSA PKCS#8", secret: secret(tlsType, ecCert, k.ecPKCS8), names: sorted},
		{name: "Ed25519 PKCS#8", secret: secret(tlsType, edCert, k.edPKCS8), names: sorted},
		{
			name: "PKCS#8 under an RSA label, as crypto/tls accepts", names: sorted,
			secret: secret(tlsType, rsaCert, encode("RSA PRIVATE KEY", pkcs8(t, k.rsa))),
		},
		{name: "chain, leaf first", secret: secret(tlsType, slices.Concat(ecCert, k.caCertPEM), k.ecSEC1), names: sorted},
		{name: "unparsable certificate after the leaf", secret: secret(tlsType, slices.Concat(ecCert, junkCert), k.ecSEC1), names: sorted},
		{name: "no SANs: the CN", secret: secret(tlsType, cnOnly, k.ecSEC1), names: []string{"cn.example.com"}},
		{name: "no names at all", secret: secret(tlsType, noName, k.ecSEC1)},
		{
			name: "RSA certificate, ECDSA key", secret: secret(tlsType, rsaCert, k.ecSEC1),
			reason: certhealth.KeyMismatch, detail: "tls.key does not match the first certificate in tls.crt", names: sorted,
		},
		{
			name: "ECDSA key of another certificate", secret: secret(tlsType, ecCert, k.ecOtherSEC1),
			reason: certhealth.KeyMismatch, detail: "tls.key does not match the first certificate in tls.crt", names: sorted,
		},
		{
			name: "Ed25519 certificate, PKCS#8 RSA key", secret: secret(tlsType, edCert, k.rsaPKCS8),
			reason: certhealth.KeyMismatch, detail: "does not match", names: sorted,
		},
		{
			name: "chain in the wrong order", secret: secret(tlsType, slices.Concat(k.caCertPEM, ecCert), k.ecSEC1),
			reason: certhealth.KeyMismatch, detail: "but certificate 2 of 2: the server certificate must come first", names: []string{"test CA"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := certhealth.Parse(tc.secret)
			if p.Reason != tc.reason {
				t.Errorf("Reason = %q (%s), want %q", p.Reason, p.Detail, tc.reason)
			}
			if tc.detail == "" && p.Detail != "" || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("Detail = %q, want it to contain %q", p.Detail, tc.detail)
			}
			if !slices.Equal(p.DNSNames, tc.names) {
				t.Errorf("DNSNames = %q, want %q", p.DNSNames, tc.names)
			}
			// Every certificate here has the same validity.
			if (p.Reason == "" || p.DNSNames != nil) && (!p.NotBefore.Equal(notBefore) || !p.NotAfter.Equal(notAfter)) {
				t.Errorf("validity = %s..%s, want %s..%s", p.NotBefore, p.NotAfter, notBefore, notAfter)
			}
			// Usable must mean what crypto/tls, like ingress-nginx, accepts.
			if tc.secret != nil && tc.secret.Type == corev1.SecretTypeTLS {
				_, err := tls509KeyPair(tc.secret)
				if (err == nil) != (p.Reason == "") {
					t.Errorf("Reason %q but tls.X509KeyPair says %v", p.Reason, err)
				}
			}
		})
	}
}

func tls509KeyPair(s *corev1.Secret) (tls.Certificate, error) {
	return tls.X509KeyPair(s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey])
}

func TestJudge(t *testing.T) {
	k := newKeys(t)
	p := certhealth.Parse(secret(corev1.SecretTypeTLS, k.leaf(t, k.ec.Public(), "a.example.com", []string{"a.example.com"}, notBefore, notAfter), k.ecSEC1))
	short := certhealth.Parse(secret(corev1.SecretTypeTLS, k.leaf(t, k.ec.Public(), "a.example.com", []string{"a.example.com"}, notBefore, notBefore.Add(7*day)), k.ecSEC1))
	many := p
	many.DNSNames = []string{"a.example.com", "b.example.com", "c.example.com", "d.example.com", "e.example.com"}
	soon := notAfter.Add(-certhealth.ExpiringSoonWindow)
	ref := "ns/default-cert"

	tests := []struct {
		name       string
		p          certhealth.Parsed
		ref        string
		now        time.Time
		reason     certhealth.Reason
		usable     bool
		nextChange time.Time
		message    []string // fragments
	}{
		{
			name: "not found", p: certhealth.Parse(nil), ref: ref, now: notBefore, reason: certhealth.NotFound,
			message: []string{"Secret ns/default-cert does not exist", "`kubectl create secret tls default-cert -n ns --cert=tls.crt --key=tls.key`"},
		},
		{
			name: "not found, ref without namespace", p: certhealth.Parse(nil), ref: "default-cert", now: notBefore, reason: certhealth.NotFound,
			message: []string{"`kubectl create secret tls default-cert --cert=tls.crt --key=tls.key`"},
		},
		{
			name: "wrong type", p: certhealth.Parse(secret(corev1.SecretTypeOpaque, nil, nil)), ref: ref, now: notBefore, reason: certhealth.WrongType,
			message: []string{"Secret ns/default-cert", "secret type is Opaque, want kubernetes.io/tls", "delete it and recreate it with `kubectl create secret tls default-cert -n ns"},
		},
		{
			name: "malformed", p: certhealth.Parse(secret(corev1.SecretTypeTLS, []byte("x"), k.ecSEC1)), ref: ref, now: notBefore, reason: certhealth.Malformed,
			message: []string{"Secret ns/default-cert is malformed: tls.crt is not PEM.", "tls.crt", "tls.key"},
		},
		{
			name: "key mismatch", p: certhealth.Parse(secret(corev1.SecretTypeTLS, k.caCertPEM, k.ecSEC1)), ref: ref, now: notBefore, reason: certhealth.KeyMismatch,
			message: []string{"Secret ns/default-cert is inconsistent: tls.key does not match the first certificate in tls.crt.", "Put the private key"},
		},
		{
			name: "1ns before NotBefore", p: p, ref: ref, now: notBefore.Add(-time.Nanosecond), reason: certhealth.NotYetValid, nextChange: notBefore,
			message: []string{"The certificate for a.example.com in Secret ns/default-cert is not valid before 2026-01-10T08:00:00Z"},
		},
		{
			name: "at NotBefore", p: p, ref: ref, now: notBefore, reason: certhealth.Valid, usable: true, nextChange: soon,
			message: []string{"The certificate for a.example.com in Secret ns/default-cert is valid until 2026-04-10T08:00:00Z."},
		},
		{
			name: "30 days and 1ns left", p: p, ref: ref, now: soon.Add(-time.Nanosecond), reason: certhealth.Valid, usable: true, nextChange: soon,
		},
		{
			name: "exactly 30 days left", p: p, ref: ref, now: soon, reason: certhealth.ExpiringSoon, usable: true, nextChange: notAfter,
			message: []string{"expires at 2026-04-10T08:00:00Z, within 30 days; it is still served. Renew it"},
		},
		{
			name: "1ns left", p: p, ref: ref, now: notAfter.Add(-time.Nanosecond), reason: certhealth.ExpiringSoon, usable: true, nextChange: notAfter,
		},
		{
			name: "exactly at NotAfter", p: p, ref: ref, now: notAfter, reason: certhealth.Expired,
			message: []string{"expired at 2026-04-10T08:00:00Z; clients reject it. Replace it"},
		},
		{name: "long expired", p: p, ref: ref, now: notAfter.Add(365 * day), reason: certhealth.Expired},
		{
			name: "short-lived, before NotBefore", p: short, ref: ref, now: notBefore.Add(-day), reason: certhealth.NotYetValid, nextChange: notBefore,
		},
		{
			name: "short-lived: expiring soon from the start", p: short, ref: ref, now: notBefore, reason: certhealth.ExpiringSoon, usable: true, nextChange: notBefore.Add(7 * day),
		},
		{
			name: "many names", p: many, ref: ref, now: notBefore, reason: certhealth.Valid, usable: true, nextChange: soon,
			message: []string{"for a.example.com, b.example.com, c.example.com and 2 more in"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := certhealth.Judge(tc.p, tc.ref, tc.now)
			if v.Reason != tc.reason || v.Usable != tc.usable || !v.NextChange.Equal(tc.nextChange) {
				t.Errorf("Judge = %s usable %v next %s, want %s usable %v next %s", v.Reason, v.Usable, v.NextChange, tc.reason, tc.usable, tc.nextChange)
			}
			for _, f := range tc.message {
				if !strings.Contains(v.Message, f) {
					t.Errorf("Message %q lacks %q", v.Message, f)
				}
			}
		})
	}
}

// TestJudgeOverTime sweeps the clock: NextChange is in the future, the
// verdict and its Message hold until just before it and change at it.
func TestJudgeOverTime(t *testing.T) {
	k := newKeys(t)
	tests := []struct {
		name   string
		nb, na time.Time
	}{
		{"90 days", notBefore, notAfter},
		{"7 days", notBefore, notBefore.Add(7 * day)},
		{"exactly the window", notBefore, notBefore.Add(certhealth.ExpiringSoonWindow)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := certhealth.Parse(secret(corev1.SecretTypeTLS, k.leaf(t, k.ec.Public(), "a.example.com", nil, tc.nb, tc.na), k.ecSEC1))
			seen := map[certhealth.Reason]string{}
			for now := tc.nb.Add(-2 * day); now.Before(tc.na.Add(2 * day)); now = now.Add(7 * time.Hour) {
				v := certhealth.Judge(p, "ns/c", now)
				if m, ok := seen[v.Reason]; ok && m != v.Message {
					t.Errorf("at %s the %s message changed: %q, before %q", now, v.Reason, v.Message, m)
				}
				seen[v.Reason] = v.Message
				if v.NextChange.IsZero() {
					if later := certhealth.Judge(p, "ns/c", now.Add(100*365*day)); later != v {
						t.Errorf("at %s NextChange is zero but the verdict changes to %s", now, later.Reason)
					}
					continue
				}
				if !v.NextChange.After(now) {
					t.Errorf("at %s NextChange %s is not in the future", now, v.NextChange)
				}
				if before := certhealth.Judge(p, "ns/c", v.NextChange.Add(-time.Nanosecond)); before != v {
					t.Errorf("at %s: %s, but %s just before NextChange", now, v.Reason, before.Reason)
				}
				if at := certhealth.Judge(p, "ns/c", v.NextChange); at.Reason == v.Reason {
					t.Errorf("at %s: still %s at NextChange %s", now, v.Reason, v.NextChange)
				}
			}
			if len(seen) < 3 {
				t.Errorf("the sweep saw only %v", seen)
			}
		})
	}
}
