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

// Package certhealth judges a gateway's default TLS certificate, a Secret
// the user owns. Parse reads the Secret once; Judge applies the clock, so
// the operator can keep a Parsed until the Secret changes and re-judge it as
// time passes. Nothing here modifies anything.
package certhealth

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Reason classifies a default certificate Secret.
type Reason string

// Reasons, from Parse (clock-independent) and Judge (clock-dependent).
const (
	// NotFound: the Secret does not exist.
	NotFound Reason = "NotFound"
	// WrongType: the Secret's type is not kubernetes.io/tls, whatever its
	// data.
	WrongType Reason = "WrongType"
	// Malformed: tls.crt or tls.key is missing, not PEM or unparsable.
	Malformed Reason = "Malformed"
	// KeyMismatch: tls.key is not the key of the first certificate.
	KeyMismatch Reason = "KeyMismatch"
	// NotYetValid: the certificate's NotBefore is in the future.
	NotYetValid Reason = "NotYetValid"
	// Expired: the certificate's NotAfter has passed.
	Expired Reason = "Expired"
	// ExpiringSoon: at most ExpiringSoonWindow is left; still served.
	ExpiringSoon Reason = "ExpiringSoon"
	// Valid: usable and not expiring soon.
	Valid Reason = "Valid"
)

// ExpiringSoonWindow is how long before NotAfter a certificate counts as
// expiring soon.
const ExpiringSoonWindow = 30 * 24 * time.Hour

// Parsed is what reading the Secret found. It does not depend on the clock.
type Parsed struct {
	// Reason is NotFound, WrongType, Malformed, KeyMismatch, or "" when the
	// certificate is usable.
	Reason Reason
	// Detail explains a non-empty Reason, e.g. "tls.key is missing".
	Detail string
	// NotBefore and NotAfter are the leaf's validity, set whenever the leaf
	// parsed.
	NotBefore time.Time
	NotAfter  time.Time
	// DNSNames are the leaf's SANs, sorted; its CN when it has none.
	DNSNames []string
}

// Parse reads a default certificate Secret; nil means it does not exist.
// It accepts what ingress-nginx accepts: the first CERTIFICATE block of
// tls.crt is the leaf, and tls.key holds a PKCS#1 RSA, SEC1 EC or PKCS#8
// (RSA, ECDSA, Ed25519) key.
func Parse(secret *corev1.Secret) Parsed {
	if secret == nil {
		return Parsed{Reason: NotFound, Detail: "the Secret does not exist"}
	}
	if secret.Type != corev1.SecretTypeTLS {
		typ := secret.Type
		if typ == "" {
			// What the API server defaults an empty type to.
			typ = corev1.SecretTypeOpaque
		}
		return Parsed{Reason: WrongType, Detail: fmt.Sprintf("secret type is %s, want %s", typ, corev1.SecretTypeTLS)}
	}
	crt, key := secret.Data[corev1.TLSCertKey], secret.Data[corev1.TLSPrivateKeyKey]
	if len(crt) == 0 && len(key) == 0 {
		return Parsed{Reason: Malformed, Detail: "tls.crt and tls.key are missing"}
	}
	certs, detail := parseCertificates(crt)
	if detail != "" {
		return Parsed{Reason: Malformed, Detail: detail}
	}
	leaf := certs[0]
	p := Parsed{NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, DNSNames: names(leaf)}
	priv, detail := parsePrivateKey(key)
	if detail != "" {
		p.Reason, p.Detail = Malformed, detail
		return p
	}
	if !publicKeysEqual(leaf.PublicKey, priv.Public()) {
		p.Reason, p.Detail = KeyMismatch, "tls.key does not match the first certificate in tls.crt"
		for i, c := range certs[1:] {
			if publicKeysEqual(c.PublicKey, priv.Public()) {
				p.Detail += fmt.Sprintf(" but certificate %d of %d: the server certificate must come first", i+2, len(certs))
				break
			}
		}
	}
	return p
}

// parseCertificates returns the leaf and, for hints only, the parsable
// certificates after it.
func parseCertificates(crt []byte) ([]*x509.Certificate, string) {
	if len(crt) == 0 {
		return nil, "tls.crt is missing"
	}
	var certs []*x509.Certificate
	sawPEM := false
	for rest := crt; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		sawPEM = true
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		switch {
		case err == nil:
			certs = append(certs, c)
		case len(certs) == 0:
			return nil, "tls.crt: cannot parse the first certificate: " + err.Error()
		}
	}
	switch {
	case len(certs) > 0:
		return certs, ""
	case sawPEM:
		return nil, "tls.crt has no PEM CERTIFICATE block"
	default:
		return nil, "tls.crt is not PEM"
	}
}

// parsePrivateKey reads the first private key block of tls.key the way
// crypto/tls does: whatever its label, PKCS#1, PKCS#8 and SEC1 are tried.
func parsePrivateKey(key []byte) (crypto.Signer, string) {
	if len(key) == 0 {
		return nil, "tls.key is missing"
	}
	sawPEM := false
	for rest := key; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		sawPEM = true
		if block.Type != "PRIVATE KEY" && !strings.HasSuffix(block.Type, " PRIVATE KEY") {
			continue // e.g. "EC PARAMETERS" from openssl ecparam -genkey
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
			return nil, "tls.key is encrypted; ingress-nginx needs an unencrypted key"
		}
		if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
			return k, ""
		}
		if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
			if s, ok := k.(crypto.Signer); ok {
				return s, ""
			}
			return nil, fmt.Sprintf("tls.key holds an unsupported %T key", k)
		}
		if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
			return k, ""
		}
		return nil, fmt.Sprintf("tls.key: cannot parse the %s block as PKCS#1, PKCS#8 or SEC1", block.Type)
	}
	if sawPEM {
		return nil, "tls.key has no PEM PRIVATE KEY block"
	}
	return nil, "tls.key is not PEM"
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

func names(c *x509.Certificate) []string {
	if len(c.DNSNames) == 0 {
		if c.Subject.CommonName == "" {
			return nil
		}
		return []string{c.Subject.CommonName}
	}
	return slices.Sorted(slices.Values(c.DNSNames))
}

// Verdict is a Parsed judged at one instant.
type Verdict struct {
	Reason Reason
	// Message is a full sentence naming the Secret and what to do. It is
	// the same for a given Parsed, ref and Reason: it holds dates, never
	// durations relative to now, so status does not change every reconcile.
	Message string
	// Usable is true for Valid and ExpiringSoon.
	Usable bool
	// NextChange is when the verdict would change with time alone (the
	// leaf's NotBefore, NotAfter-ExpiringSoonWindow or NotAfter); zero if
	// never. It is always after now.
	NextChange time.Time
}

// Judge judges p at now. ref names the Secret ("namespace/name") in
// Message. Validity intervals are half-open: at NotAfter-ExpiringSoonWindow
// the certificate is ExpiringSoon and at NotAfter it is Expired, so
// NextChange is the exact instant the verdict changes.
func Judge(p Parsed, ref string, now time.Time) Verdict {
	create := createCommand(ref)
	switch p.Reason {
	case "":
	case NotFound:
		return Verdict{Reason: NotFound, Message: fmt.Sprintf("Secret %s does not exist; create it with `%s`.", ref, create)}
	case WrongType:
		return Verdict{Reason: WrongType, Message: fmt.Sprintf(
			"Secret %s cannot serve as the default certificate: %s. A Secret's type cannot be changed: delete it and recreate it with `%s`.",
			ref, p.Detail, create)}
	case Malformed:
		return Verdict{Reason: Malformed, Message: fmt.Sprintf(
			"Secret %s is malformed: %s. It needs the PEM certificate chain, server certificate first, in tls.crt and its unencrypted PEM private key in tls.key, as `%s` makes.",
			ref, p.Detail, create)}
	case KeyMismatch:
		return Verdict{Reason: KeyMismatch, Message: fmt.Sprintf(
			"Secret %s is inconsistent: %s. Put the private key of the server certificate in tls.key.", ref, p.Detail)}
	default:
		return Verdict{Reason: p.Reason, Message: fmt.Sprintf("Secret %s cannot serve as the default certificate: %s.", ref, p.Detail)}
	}

	soon := p.NotAfter.Add(-ExpiringSoonWindow)
	what := fmt.Sprintf("The certificate for %s in Secret %s", describeNames(p.DNSNames), ref)
	switch {
	case now.Before(p.NotBefore):
		return Verdict{Reason: NotYetValid, NextChange: p.NotBefore, Message: fmt.Sprintf(
			"%s is not valid before %s; clients reject it until then. Check the issuer's clock or replace it.", what, rfc3339(p.NotBefore))}
	case !now.Before(p.NotAfter):
		return Verdict{Reason: Expired, Message: fmt.Sprintf(
			"%s expired at %s; clients reject it. Replace it with a renewed certificate.", what, rfc3339(p.NotAfter))}
	case !now.Before(soon):
		return Verdict{Reason: ExpiringSoon, Usable: true, NextChange: p.NotAfter, Message: fmt.Sprintf(
			"%s expires at %s, within 30 days; it is still served. Renew it before then.", what, rfc3339(p.NotAfter))}
	default:
		return Verdict{Reason: Valid, Usable: true, NextChange: soon, Message: fmt.Sprintf(
			"%s is valid until %s.", what, rfc3339(p.NotAfter))}
	}
}

// createCommand is the kubectl command that makes a correct Secret ref.
func createCommand(ref string) string {
	ns, name, ok := strings.Cut(ref, "/")
	if !ok {
		return fmt.Sprintf("kubectl create secret tls %s --cert=tls.crt --key=tls.key", ref)
	}
	return fmt.Sprintf("kubectl create secret tls %s -n %s --cert=tls.crt --key=tls.key", name, ns)
}

// describeNames keeps messages short for certificates with many SANs.
func describeNames(names []string) string {
	const shown = 3
	switch {
	case len(names) == 0:
		return "no host name"
	case len(names) <= shown:
		return strings.Join(names, ", ")
	default:
		return fmt.Sprintf("%s and %d more", strings.Join(names[:shown], ", "), len(names)-shown)
	}
}

func rfc3339(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
