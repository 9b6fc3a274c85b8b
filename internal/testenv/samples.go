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

package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// ApplySamples applies sample manifests the way a user following the
// tutorials would: first everything that is not a gateway (namespaces,
// backends, Ingresses — before a gateway's admission webhook exists to
// judge them), then the default certificates (CreateDefaultCertificates),
// then the gateways. Objects without a namespace go to namespace.
func ApplySamples(ctx context.Context, c client.Client, namespace string, objs []*unstructured.Unstructured) error {
	gateways, rest := SplitGateways(objs)
	if err := Apply(ctx, c, namespace, rest); err != nil {
		return err
	}
	if err := CreateDefaultCertificates(ctx, c, namespace, gateways); err != nil {
		return err
	}
	return Apply(ctx, c, namespace, gateways)
}

// SplitGateways separates the IngressGateways among objs from the rest,
// keeping their order.
func SplitGateways(objs []*unstructured.Unstructured) (gateways, rest []*unstructured.Unstructured) {
	for _, o := range objs {
		if o.GetKind() == "IngressGateway" {
			gateways = append(gateways, o)
		} else {
			rest = append(rest, o)
		}
	}
	return gateways, rest
}

// CreateDefaultCertificates creates a self-signed kubernetes.io/tls Secret
// for every defaultCertificate the gateways reference (as `kubectl create
// secret tls` would), unless it exists. Gateways without a namespace are
// in namespace.
func CreateDefaultCertificates(ctx context.Context, c client.Client, namespace string, gateways []*unstructured.Unstructured) error {
	for _, g := range gateways {
		gw := &v1alpha1.IngressGateway{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(g.Object, gw); err != nil {
			return fmt.Errorf("IngressGateway %s: %w", g.GetName(), err)
		}
		if gw.Namespace == "" {
			gw.Namespace = namespace
		}
		key, ok := facts.DefaultCertificateKey(gw)
		if !ok {
			continue
		}
		s, err := SelfSignedTLSSecret(key.Namespace, key.Name, "*.example.test")
		if err != nil {
			return err
		}
		if err := c.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create Secret %s: %w", key, err)
		}
	}
	return nil
}

// SelfSignedTLSSecret returns a kubernetes.io/tls Secret holding a fresh
// self-signed ECDSA certificate valid for 90 days.
func SelfSignedTLSSecret(namespace, name string, dnsNames ...string) (*corev1.Secret, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: dnsNames[0]},
		DNSNames:     dnsNames,
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(90 * 24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			corev1.TLSPrivateKeyKey: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}),
		},
	}, nil
}
