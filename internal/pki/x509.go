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

package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// keyPair is a certificate with its private key and the PEM they were read
// from (kept so that unchanged data is returned byte for byte).
type keyPair struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

// loadKeyPair reads a certificate and its key from data, or says what is
// wrong with them.
func loadKeyPair(data map[string][]byte, certKey, keyKey string) (*keyPair, string) {
	certPEM, keyPEM := data[certKey], data[keyKey]
	if len(certPEM) == 0 {
		return nil, certKey + " is missing"
	}
	cert, err := firstCertificate(certPEM)
	if err != nil {
		return nil, certKey + ": " + err.Error()
	}
	if len(keyPEM) == 0 {
		return nil, keyKey + " is missing"
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, keyKey + ": " + err.Error()
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, keyKey + " does not match " + certKey
	}
	return &keyPair{cert: cert, key: key, certPEM: certPEM, keyPEM: keyPEM}, ""
}

// loadCA reads a CA usable for signing at now, or says why it is not.
func loadCA(data map[string][]byte, certKey, keyKey string, now time.Time) (*keyPair, string) {
	if data == nil {
		return nil, "the CA Secret does not exist"
	}
	kp, problem := loadKeyPair(data, certKey, keyKey)
	if problem == "" && !isCA(kp.cert) {
		problem = certKey + " is not a CA certificate"
	}
	switch {
	case problem != "":
		return nil, "the CA Secret was malformed (" + problem + ")"
	case now.Before(kp.cert.NotBefore):
		return nil, "the CA is not valid before " + rfc3339(kp.cert.NotBefore)
	case !now.Before(kp.cert.NotAfter):
		return nil, "the CA expired at " + rfc3339(kp.cert.NotAfter)
	}
	return kp, ""
}

func newCA(o Options, now time.Time) (*keyPair, error) {
	return issue(&x509.Certificate{
		Subject:               pkix.Name{CommonName: o.CommonName},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(o.CALifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil)
}

func newLeaf(hosts []string, signer *keyPair, now time.Time, o Options) (*keyPair, error) {
	// A leaf outliving its CA would stop verifying when the CA expires.
	notAfter := now.Add(o.ServingLifetime)
	if signer.cert.NotAfter.Before(notAfter) {
		notAfter = signer.cert.NotAfter
	}
	return issue(&x509.Certificate{
		Subject:               pkix.Name{CommonName: hosts[0]},
		DNSNames:              hosts,
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, signer)
}

// maxSerial bounds serial numbers to 128 bits.
var maxSerial = new(big.Int).Lsh(big.NewInt(1), 128)

// issue creates a fresh P-256 key and a certificate for it from tmpl, signed
// by signer or self-signed when signer is nil.
func issue(tmpl *x509.Certificate, signer *keyPair) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generating a key: %w", err)
	}
	// In [1, 2^128): serial numbers must be positive.
	serial, err := rand.Int(rand.Reader, new(big.Int).Sub(maxSerial, big.NewInt(1)))
	if err != nil {
		return nil, fmt.Errorf("pki: generating a serial number: %w", err)
	}
	tmpl.SerialNumber = serial.Add(serial, big.NewInt(1))
	parent, parentKey := tmpl, crypto.Signer(key)
	if signer != nil {
		parent, parentKey = signer.cert, signer.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, fmt.Errorf("pki: creating a certificate: %w", err)
	}
	// Parsed back so that times carry the encoded (whole-second) precision
	// the next Ensure will read.
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parsing a created certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pki: encoding a key: %w", err)
	}
	return &keyPair{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// trustedOthers returns the CA certificates other than cur found anywhere in
// s that have not expired, in bundle order (NotAfter descending), plus one
// Changes sentence per expired CA left out.
func trustedOthers(s State, cur *keyPair, now time.Time) ([]*x509.Certificate, []string) {
	seen := map[string]bool{string(cur.cert.Raw): true}
	var others []*x509.Certificate
	var expired []string
	// The serving Secret's copy matters when the CA Secret was deleted.
	for _, src := range [][]byte{s.CA[CABundleKey], s.CA[CACertKey], s.CA[PreviousCACertKey], s.Serving[ServingCAKey]} {
		for _, c := range parseLenient(src) {
			if seen[string(c.Raw)] || !isCA(c) {
				continue
			}
			seen[string(c.Raw)] = true
			if !now.Before(c.NotAfter) {
				expired = append(expired, fmt.Sprintf("removed the CA %q that expired at %s from the bundle", c.Subject.CommonName, rfc3339(c.NotAfter)))
				continue
			}
			others = append(others, c)
		}
	}
	slices.SortFunc(others, func(a, b *x509.Certificate) int {
		if c := b.NotAfter.Compare(a.NotAfter); c != 0 {
			return c
		}
		return bytes.Compare(a.Raw, b.Raw)
	})
	return others, expired
}

func encodeBundle(cur *keyPair, others []*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range append([]*x509.Certificate{cur.cert}, others...) {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// ParseCertificates parses every CERTIFICATE block of a PEM bundle, ignoring
// blocks of other types. It fails on an unparsable certificate and when
// there is no certificate at all.
func ParseCertificates(pemBytes []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for rest := pemBytes; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return certs, nil
}

// parseLenient returns the parsable certificates of a PEM bundle: one bad
// entry must not cost the others their trust.
func parseLenient(pemBytes []byte) []*x509.Certificate {
	var certs []*x509.Certificate
	for rest := pemBytes; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return certs
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			certs = append(certs, c)
		}
	}
}

func firstCertificate(pemBytes []byte) (*x509.Certificate, error) {
	for rest := pemBytes; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return nil, errors.New("no PEM CERTIFICATE block")
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
}

// parsePrivateKey reads the first PEM private key: SEC1 "EC PRIVATE KEY",
// PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY".
func parsePrivateKey(pemBytes []byte) (crypto.Signer, error) {
	for rest := pemBytes; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return nil, errors.New("no PEM private key block")
		}
		var key any
		var err error
		switch block.Type {
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			if strings.HasSuffix(block.Type, "PRIVATE KEY") {
				return nil, fmt.Errorf("unsupported PEM block %q", block.Type)
			}
			continue // e.g. "EC PARAMETERS" before the key
		}
		if err != nil {
			return nil, err
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported key type %T", key)
		}
		return signer, nil
	}
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

func isCA(c *x509.Certificate) bool {
	return c.IsCA && c.BasicConstraintsValid && c.KeyUsage&x509.KeyUsageCertSign != 0
}

// hasServerAuth tells whether c may serve TLS; no extended key usage at all
// means any usage.
func hasServerAuth(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	return slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageServerAuth) || slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageAny)
}

func rfc3339(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
