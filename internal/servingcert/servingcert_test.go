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

package servingcert_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/internal/servingcert"
	"github.com/portico-dev/portico/internal/writecount"
)

// vwcFor returns a configuration with two webhooks that match nothing real,
// as the installer would create it: without a caBundle.
func vwcFor(name string) *admissionregistrationv1.ValidatingWebhookConfiguration {
	hook := func(n string) admissionregistrationv1.ValidatingWebhook {
		return admissionregistrationv1.ValidatingWebhook{
			Name:                    n,
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:1/unused")},
			Rules:                   []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create}, Rule: admissionregistrationv1.Rule{APIGroups: []string{"test.portico.dev"}, APIVersions: []string{"v1"}, Resources: []string{"nothing"}}}},
			FailurePolicy:           ptr.To(admissionregistrationv1.Ignore),
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
		}
	}
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks:   []admissionregistrationv1.ValidatingWebhook{hook("a.test.portico.dev"), hook("b.test.portico.dev")},
	}
}

// modTimes returns the modification times of the files in dir.
func modTimes(dir string) map[string]time.Time {
	out := map[string]time.Time{}
	entries, err := os.ReadDir(dir)
	Expect(err).NotTo(HaveOccurred())
	for _, e := range entries {
		info, err := e.Info()
		Expect(err).NotTo(HaveOccurred())
		out[e.Name()] = info.ModTime()
	}
	return out
}

var _ = Describe("Self-signed webhook certificates", func() {
	var (
		ctx    context.Context
		ns     string
		vwc    *admissionregistrationv1.ValidatingWebhookConfiguration
		dir    string
		writes *writecount.Client
		certs  *servingcert.SelfSignedCerts
	)

	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
		vwc = vwcFor("portico-test-" + rand.String(6))
		Expect(k8sClient.Create(ctx, vwc)).To(Succeed())
		DeferCleanup(func(ctx context.Context) { Expect(k8sClient.Delete(ctx, vwc)).To(Succeed()) })
		dir = filepath.Join(GinkgoT().TempDir(), "serving-certs")
		writes = writecount.Wrap(k8sClient)
		certs = &servingcert.SelfSignedCerts{
			Client: writes, Reader: k8sClient,
			Namespace: ns, SecretName: "portico-webhook-server-cert", ServiceName: "portico-webhook-service",
			ConfigurationName: vwc.Name, CertDir: dir,
		}
	})

	// expectTrusted asserts that the files form a pair the API server trusts
	// through every webhook's caBundle, for the Service's name, at time at.
	expectTrusted := func(at time.Time) *x509.Certificate {
		certPEM, err := os.ReadFile(filepath.Join(dir, "tls.crt"))
		Expect(err).NotTo(HaveOccurred())
		keyPEM, err := os.ReadFile(filepath.Join(dir, "tls.key"))
		Expect(err).NotTo(HaveOccurred())
		_, err = tls.X509KeyPair(certPEM, keyPEM)
		Expect(err).NotTo(HaveOccurred(), "tls.crt and tls.key do not match")
		block, _ := pem.Decode(certPEM)
		Expect(block).NotTo(BeNil())
		leaf, err := x509.ParseCertificate(block.Bytes)
		Expect(err).NotTo(HaveOccurred())

		cur := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(vwc), cur)).To(Succeed())
		Expect(cur.Webhooks).To(HaveLen(2))
		for _, w := range cur.Webhooks {
			pool := x509.NewCertPool()
			Expect(pool.AppendCertsFromPEM(w.ClientConfig.CABundle)).To(BeTrue(), "webhook %s has no caBundle", w.Name)
			_, err := leaf.Verify(x509.VerifyOptions{
				DNSName: "portico-webhook-service." + ns + ".svc", Roots: pool, CurrentTime: at,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			Expect(err).NotTo(HaveOccurred(), "webhook %s", w.Name)
			// Only the caBundle is the operator's; the rest stays the installer's.
			Expect(w.ClientConfig.URL).To(Equal(ptr.To("https://127.0.0.1:1/unused")))
		}
		return leaf
	}

	It("creates the Secret, writes the files and the caBundle, then a second pass only reads", func() {
		By("the first pass")
		res, err := certs.Sync(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Serving).To(BeTrue())
		Expect(res.Changes).To(HaveLen(4), "Secret, two files, caBundle: %v", res.Changes)
		Expect(writes.Counts()).To(Equal(map[string]int{"create": 1, "apply": 1}))

		s := &corev1.Secret{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "portico-webhook-server-cert"}, s)).To(Succeed())
		Expect(s.Type).To(Equal(corev1.SecretTypeTLS))
		Expect(s.Data).To(HaveKey(servingcert.SecretIssuerKeyKey))
		certPEM, _ := os.ReadFile(filepath.Join(dir, "tls.crt"))
		Expect(certPEM).To(Equal(s.Data[corev1.TLSCertKey]))
		leaf := expectTrusted(time.Now())
		Expect(leaf.DNSNames).To(ConsistOf("portico-webhook-service."+ns+".svc", "portico-webhook-service."+ns+".svc.cluster.local"))

		cur := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(vwc), cur)).To(Succeed())
		Expect(cur.Webhooks[0].ClientConfig.CABundle).To(Equal(s.Data[servingcert.SecretCABundleKey]))
		var managers []string
		for _, m := range cur.ManagedFields {
			managers = append(managers, m.Manager+"/"+string(m.Operation))
		}
		Expect(managers).To(ContainElement(servingcert.FieldOwner + "/Apply"))

		By("the second pass")
		writes.Reset()
		before := modTimes(dir)
		secretRV, vwcRV := s.ResourceVersion, cur.ResourceVersion
		res, err = certs.Sync(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Changes).To(BeEmpty())
		Expect(writes.Writes()).To(BeZero())
		Expect(modTimes(dir)).To(Equal(before))
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(vwc), cur)).To(Succeed())
		Expect(s.ResourceVersion).To(Equal(secretRV))
		Expect(cur.ResourceVersion).To(Equal(vwcRV))
	})

	It("renews the serving certificate when it is due, without a new CA", func() {
		_, err := certs.Sync(ctx)
		Expect(err).NotTo(HaveOccurred())
		first := expectTrusted(time.Now())

		By("a pass 300 days later, past 2/3 of the one-year serving certificate")
		later := time.Now().Add(300 * 24 * time.Hour)
		certs.Now = func() time.Time { return later }
		writes.Reset()
		res, err := certs.Sync(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Changes).To(HaveLen(3), "Secret and two files: %v", res.Changes)
		// The CA and so the caBundle are unchanged: only the Secret is written.
		Expect(writes.Counts()).To(Equal(map[string]int{"update": 1}))
		second := expectTrusted(later)
		Expect(second.SerialNumber).NotTo(Equal(first.SerialNumber))
	})

	It("repairs deleted files and a caBundle someone cleared", func() {
		_, err := certs.Sync(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.Remove(filepath.Join(dir, "tls.key"))).To(Succeed())
		cur := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(vwc), cur)).To(Succeed())
		cur.Webhooks[1].ClientConfig.CABundle = nil
		Expect(k8sClient.Update(ctx, cur)).To(Succeed())

		writes.Reset()
		res, err := certs.Sync(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Changes).To(HaveLen(2), "one file, caBundle: %v", res.Changes)
		Expect(writes.Counts()).To(Equal(map[string]int{"apply": 1}))
		expectTrusted(time.Now())
	})

	It("never overwrites a Secret of that name it did not create", func() {
		Expect(k8sClient.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "portico-webhook-server-cert"},
			StringData: map[string]string{"password": "hunter2"},
		})).To(Succeed())
		res, err := certs.Sync(ctx)
		Expect(err).To(MatchError(ContainSubstring("was not created by Portico")))
		Expect(res.Serving).To(BeFalse())
		Expect(writes.Writes()).To(BeZero())
	})

	It("runs as a runnable that signals readiness once the files are written", func() {
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- certs.Start(runCtx) }()
		Eventually(certs.Ready()).Should(BeClosed())
		Expect(filepath.Join(dir, "tls.crt")).To(BeARegularFile())
		expectTrusted(time.Now())
		Expect(certs.NeedLeaderElection()).To(BeFalse())
		stop()
		Eventually(done).Should(Receive(BeNil()))
	})
})
