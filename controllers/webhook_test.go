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

package controllers_test

import (
	"context"
	"crypto/x509"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/certhealth"
	"github.com/portico-dev/portico/internal/pki"
	"github.com/portico-dev/portico/internal/render"
)

// webhookState is what the API server holds of a gateway's webhook.
type webhookState struct {
	ca, serving *corev1.Secret
	vwc         *admissionregistrationv1.ValidatingWebhookConfiguration
}

func getWebhookState(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway) webhookState {
	var st webhookState
	st.ca, st.serving = &corev1.Secret{}, &corev1.Secret{}
	st.vwc = &admissionregistrationv1.ValidatingWebhookConfiguration{}
	g.Expect(k8sClient.Get(ctx, render.WebhookCASecretName(gw), st.ca)).To(Succeed())
	g.Expect(k8sClient.Get(ctx, render.WebhookCertSecretName(gw), st.serving)).To(Succeed())
	g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: render.ValidatingWebhookConfigurationName(gw)}, st.vwc)).To(Succeed())
	return st
}

// expectTrusted asserts that the API server would accept the certificate the
// pods serve: the registered caBundle verifies it for the Service's name.
func expectTrusted(g Gomega, gw *v1alpha1.IngressGateway, st webhookState) *x509.Certificate {
	g.Expect(st.vwc.Webhooks).To(HaveLen(1))
	bundle := st.vwc.Webhooks[0].ClientConfig.CABundle
	g.Expect(bundle).To(Equal(st.ca.Data[pki.CABundleKey]), "caBundle is the CA Secret's bundle")
	g.Expect(st.serving.Data[pki.ServingCAKey]).To(Equal(bundle))
	roots := x509.NewCertPool()
	cas, err := pki.ParseCertificates(bundle)
	g.Expect(err).NotTo(HaveOccurred())
	for _, c := range cas {
		roots.AddCert(c)
	}
	leaves, err := pki.ParseCertificates(st.serving.Data[pki.ServingCertKey])
	g.Expect(err).NotTo(HaveOccurred())
	_, err = leaves[0].Verify(x509.VerifyOptions{Roots: roots, DNSName: render.WebhookHosts(gw)[0]})
	g.Expect(err).NotTo(HaveOccurred(), "the served certificate must verify against caBundle")
	return leaves[0]
}

func hasEvent(ctx context.Context, ns, reason string) bool {
	evs := &eventsv1.EventList{}
	Expect(k8sClient.List(ctx, evs, client.InNamespace(ns))).To(Succeed())
	for _, e := range evs.Items {
		if e.Reason == reason {
			return true
		}
	}
	return false
}

var _ = Describe("IngressGateway admission webhook", func() {
	var ctx context.Context
	var ns string
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("issues its certificates, registers it for the gateway's class only, and reports it", func() {
		gw := createGateway(ctx, ns, "hooked", func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Name = "hooked-" + ns })
		var st webhookState
		var leaf *x509.Certificate
		Eventually(func(g Gomega) {
			st = getWebhookState(ctx, g, gw)
			leaf = expectTrusted(g, gw, st)
		}).Should(Succeed())
		Expect(leaf.DNSNames).To(ConsistOf(render.WebhookHosts(gw)))
		Expect(st.ca.Type).To(Equal(corev1.SecretTypeTLS))
		By("once the cache shows the status and the Secrets written, the memo holds no copy of them")
		Expect(gw.UID).NotTo(BeEmpty())
		Eventually(func(g Gomega) {
			status, secrets := reconciler.HeldCopies(gw.UID)
			g.Expect(status).To(BeFalse(), "a copy of the status")
			g.Expect(secrets).To(BeZero(), "copies of Secrets")
		}).Should(Succeed())

		By("the registration matches only Ingresses of this class and calls the Service")
		wh := st.vwc.Webhooks[0]
		Expect(*wh.FailurePolicy).To(Equal(admissionregistrationv1.Fail))
		Expect(*wh.TimeoutSeconds).To(Equal(int32(10)))
		Expect(wh.ClientConfig.Service.Name).To(Equal(render.WebhookServiceName(gw).Name))
		Expect(wh.ClientConfig.Service.Namespace).To(Equal(ns))
		Expect(*wh.ClientConfig.Service.Path).To(Equal("/networking/v1/ingresses"))
		Expect(wh.MatchConditions).To(HaveLen(1))
		Expect(wh.MatchConditions[0].Expression).To(ContainSubstring("object.spec.ingressClassName in ['hooked-" + ns + "']"))
		Expect(wh.Rules[0].Operations).To(ConsistOf(admissionregistrationv1.Create, admissionregistrationv1.Update))

		By("the pods serve it from the mounted Secret")
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			g.Expect(containerArgs(ds.Spec.Template.Spec)).To(ContainElements("--validating-webhook=:8443",
				"--validating-webhook-certificate=/usr/local/certificates/cert", "--validating-webhook-key=/usr/local/certificates/key"))
			g.Expect(ds.Spec.Template.Spec.Volumes).To(ContainElement(HaveField("VolumeSource.Secret.SecretName", render.WebhookCertSecretName(gw).Name)))
			svc := &corev1.Service{}
			g.Expect(k8sClient.Get(ctx, render.WebhookServiceName(gw), svc)).To(Succeed())
			g.Expect(svc.Spec.Ports[0].Port).To(Equal(int32(443)))
		}).Should(Succeed())

		By("status: registered but not yet served, then served once a pod is available")
		cur := expectCondition(ctx, gw, v1alpha1.ConditionWebhookReady, metav1.ConditionFalse, v1alpha1.ReasonWebhookPending)
		Expect(cur.Status.AdmissionWebhook).NotTo(BeNil())
		Expect(cur.Status.AdmissionWebhook.CertificateNotAfter.Time).To(BeTemporally("==", leaf.NotAfter))
		setDaemonSetStatus(ctx, gw, 1, 1, 1)
		By("a pod is available but the Service has no endpoint (no EndpointSlice controller here): not serving, and said why")
		cur = expectCondition(ctx, gw, v1alpha1.ConditionWebhookReady, metav1.ConditionFalse, v1alpha1.ReasonWebhookNoEndpoints)
		Expect(condition(cur, v1alpha1.ConditionWebhookReady).Message).To(ContainSubstring("has no ready endpoint"))
		By("the EndpointSlice controller's slice, with the Service's labels: serving")
		svc := &corev1.Service{}
		Expect(k8sClient.Get(ctx, render.WebhookServiceName(gw), svc)).To(Succeed())
		labels := map[string]string{discoveryv1.LabelServiceName: svc.Name}
		for k, v := range svc.Labels {
			labels[k] = v
		}
		// A documentation address (RFC 5737), and the slice is gone again
		// before any Ingress is created below: the API server must never
		// dial it.
		slice := &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: svc.Name + "-abcde", Labels: labels},
			AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"192.0.2.10"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
			Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("webhook"), Port: ptr.To[int32](8443)}},
		}
		Expect(k8sClient.Create(ctx, slice)).To(Succeed())
		expectCondition(ctx, gw, v1alpha1.ConditionWebhookReady, metav1.ConditionTrue, v1alpha1.ReasonWebhookServing)
		// A new gateway's certificates are told in its one ChildrenCreated
		// event; CertificatesIssued is for later renewals.
		Eventually(func(g Gomega) {
			g.Expect(gatewayEvents(ctx, g, gw, "ChildrenCreated")).To(ConsistOf(ContainSubstring("; admission webhook: generated a new CA; issued a serving certificate")))
		}).Should(Succeed())
		Expect(hasEvent(ctx, ns, "CertificatesIssued")).To(BeFalse())
		Expect(k8sClient.Delete(ctx, slice)).To(Succeed())
		expectCondition(ctx, gw, v1alpha1.ConditionWebhookReady, metav1.ConditionFalse, v1alpha1.ReasonWebhookNoEndpoints)

		By("an Ingress of another class is not sent to this webhook (its failing Service would otherwise reject it)")
		// No pod answers in envtest: with failurePolicy Fail, an Ingress of
		// this class is rejected, one of another class is admitted.
		other := ingress(ns, "other", "someone-else")
		Expect(k8sClient.Create(ctx, other)).To(Succeed())
		mine := ingress(ns, "mine", "hooked-"+ns)
		err := k8sClient.Create(ctx, mine)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("failed calling webhook"))
	})

	It("repairs deleted or corrupted certificates and registration without restarting pods", func() {
		gw := createGateway(ctx, ns, "repair", nil)
		var st webhookState
		Eventually(func(g Gomega) {
			st = getWebhookState(ctx, g, gw)
			expectTrusted(g, gw, st)
		}).Should(Succeed())
		var template corev1.PodTemplateSpec
		Eventually(func(g Gomega) { template = getDaemonSet(ctx, g, gw).Spec.Template }).Should(Succeed())
		originalCA := st.ca.Data[pki.CACertKey]

		By("deleting the serving Secret: a new leaf from the same CA")
		Expect(k8sClient.Delete(ctx, st.serving)).To(Succeed())
		Eventually(func(g Gomega) {
			now := getWebhookState(ctx, g, gw)
			g.Expect(now.serving.UID).NotTo(Equal(st.serving.UID))
			expectTrusted(g, gw, now)
			g.Expect(now.ca.Data[pki.CACertKey]).To(Equal(originalCA))
		}).Should(Succeed())

		By("corrupting the CA Secret: a new CA, published in caBundle with the leaf it signs")
		Eventually(func(g Gomega) {
			cur := getWebhookState(ctx, g, gw).ca
			cur.Data[pki.CACertKey] = []byte("garbage")
			g.Expect(k8sClient.Update(ctx, cur)).To(Succeed())
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			now := getWebhookState(ctx, g, gw)
			g.Expect(now.ca.Data[pki.CACertKey]).NotTo(Equal([]byte("garbage")))
			g.Expect(now.ca.Data[pki.CACertKey]).NotTo(Equal(originalCA))
			expectTrusted(g, gw, now)
		}).Should(Succeed())

		By("deleting the registration, then editing its caBundle")
		Eventually(func(g Gomega) { g.Expect(k8sClient.Delete(ctx, getWebhookState(ctx, g, gw).vwc)).To(Succeed()) }).Should(Succeed())
		Eventually(func(g Gomega) { expectTrusted(g, gw, getWebhookState(ctx, g, gw)) }).Should(Succeed())
		Eventually(func(g Gomega) {
			vwc := getWebhookState(ctx, g, gw).vwc
			vwc.Webhooks[0].ClientConfig.CABundle = []byte("not a CA")
			vwc.Webhooks[0].FailurePolicy = ptr.To(admissionregistrationv1.Ignore)
			g.Expect(k8sClient.Update(ctx, vwc)).To(Succeed())
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			now := getWebhookState(ctx, g, gw)
			expectTrusted(g, gw, now)
			g.Expect(*now.vwc.Webhooks[0].FailurePolicy).To(Equal(admissionregistrationv1.Fail))
		}).Should(Succeed())

		By("the pod template never changed: ingress-nginx reloads the files itself")
		Expect(getDaemonSet(ctx, Default, gw).Spec.Template).To(Equal(template))
	})

	It("keeps caBundle stable when the user re-applies their gateway manifest", func() {
		apply := func() {
			gw := &v1alpha1.IngressGateway{TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "IngressGateway"},
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gitops"}}
			gw.Spec.Controller.Config = map[string]string{"use-forwarded-headers": "true"}
			u, err := render.ToApply(gw)
			Expect(err).NotTo(HaveOccurred())
			Expect(k8sClient.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("argocd"), client.ForceOwnership)).To(Succeed())
		}
		apply()
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gitops"}}
		var st webhookState
		Eventually(func(g Gomega) {
			st = getWebhookState(ctx, g, gw)
			expectTrusted(g, gw, st)
		}).Should(Succeed())
		for range 3 {
			apply()
		}
		Consistently(func(g Gomega) {
			now := getWebhookState(ctx, g, gw)
			g.Expect(now.vwc.ResourceVersion).To(Equal(st.vwc.ResourceVersion))
			g.Expect(now.ca.ResourceVersion).To(Equal(st.ca.ResourceVersion))
			g.Expect(now.serving.ResourceVersion).To(Equal(st.serving.ResourceVersion))
		}).Should(Succeed())
	})

	It("removes the webhook's objects, flags and volume when disabled", func() {
		gw := createGateway(ctx, ns, "off", nil)
		Eventually(func(g Gomega) { getWebhookState(ctx, g, gw) }).Should(Succeed())
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.AdmissionWebhook.Enabled = ptr.To(false) })
		Eventually(func(g Gomega) {
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.WebhookCASecretName(gw), &corev1.Secret{}))).To(BeTrue())
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.WebhookCertSecretName(gw), &corev1.Secret{}))).To(BeTrue())
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.WebhookServiceName(gw), &corev1.Service{}))).To(BeTrue())
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Name: render.ValidatingWebhookConfigurationName(gw)},
				&admissionregistrationv1.ValidatingWebhookConfiguration{}))).To(BeTrue())
			ds := getDaemonSet(ctx, g, gw)
			g.Expect(ds.Spec.Template.Spec.Volumes).To(BeEmpty())
			g.Expect(containerArgs(ds.Spec.Template.Spec)).NotTo(ContainElement(HavePrefix("--validating-webhook")))
			cur := getGateway(ctx, g, gw)
			g.Expect(condition(cur, v1alpha1.ConditionWebhookReady)).To(BeNil())
			g.Expect(cur.Status.AdmissionWebhook).To(BeNil())
		}).Should(Succeed())
	})

	It("removes the registration with the gateway", func() {
		gw := createGateway(ctx, ns, "bye", nil)
		Eventually(func(g Gomega) { getWebhookState(ctx, g, gw) }).Should(Succeed())
		Expect(k8sClient.Delete(ctx, gw)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Name: render.ValidatingWebhookConfigurationName(gw)},
				&admissionregistrationv1.ValidatingWebhookConfiguration{}))
		}).Should(BeTrue())
	})
})

func ingress(ns, name, class string) client.Object {
	return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: networkingv1.IngressSpec{
		IngressClassName: ptr.To(class),
		DefaultBackend: &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
			Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}},
	}}
}

var _ = Describe("IngressGateway default certificate", func() {
	var ctx context.Context
	var ns string
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("reports every problem with the Secret, recovers, and never modifies it", func() {
		gw := createGateway(ctx, ns, "tls", func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "site-tls"}}
		})
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())
		setDaemonSetStatus(ctx, gw, 1, 1, 1)
		expect := func(status metav1.ConditionStatus, reason certhealth.Reason) *v1alpha1.IngressGateway {
			GinkgoHelper()
			expectCondition(ctx, gw, v1alpha1.ConditionDefaultCertificateReady, status, string(reason))
			var cur *v1alpha1.IngressGateway
			if status == metav1.ConditionFalse {
				cur = expectCondition(ctx, gw, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDefaultCertificateNotReady)
				expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonDefaultCertificateNotReady)
			} else {
				cur = expectCondition(ctx, gw, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonAvailable)
			}
			return cur
		}
		now := time.Now()
		good, goodKey := selfSigned(now.Add(-time.Hour), now.Add(365*24*time.Hour), "www.example.test", "example.test")

		By("NotFound")
		cur := expect(metav1.ConditionFalse, certhealth.NotFound)
		Expect(condition(cur, v1alpha1.ConditionDefaultCertificateReady).Message).To(ContainSubstring(ns + "/site-tls"))

		By("WrongType: an Opaque Secret")
		opaque := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "site-tls"}, Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{corev1.TLSCertKey: good, corev1.TLSPrivateKeyKey: goodKey}}
		Expect(k8sClient.Create(ctx, opaque)).To(Succeed())
		// Every Secret's name is watched, whatever its type: the status
		// follows without any edit of the gateway, at once (well inside the
		// 3 s allowed here; resyncs are hours apart).
		Eventually(func(g Gomega) {
			g.Expect(condition(getGateway(ctx, g, gw), v1alpha1.ConditionDefaultCertificateReady).Reason).To(Equal(string(certhealth.WrongType)))
		}).WithTimeout(3 * time.Second).Should(Succeed())
		expect(metav1.ConditionFalse, certhealth.WrongType)

		By("NotFound again once the Secret is deleted")
		Expect(k8sClient.Delete(ctx, opaque)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(condition(getGateway(ctx, g, gw), v1alpha1.ConditionDefaultCertificateReady).Reason).To(Equal(string(certhealth.NotFound)))
		}).WithTimeout(3 * time.Second).Should(Succeed())

		By("Malformed")
		putTLSSecret(ctx, ns, "site-tls", []byte("not a certificate"), goodKey)
		expect(metav1.ConditionFalse, certhealth.Malformed)

		By("KeyMismatch")
		_, otherKey := selfSigned(now.Add(-time.Hour), now.Add(time.Hour), "x.test")
		putTLSSecret(ctx, ns, "site-tls", good, otherKey)
		expect(metav1.ConditionFalse, certhealth.KeyMismatch)

		By("Expired")
		old, oldKey := selfSigned(now.Add(-48*time.Hour), now.Add(-24*time.Hour), "old.test")
		putTLSSecret(ctx, ns, "site-tls", old, oldKey)
		cur = expect(metav1.ConditionFalse, certhealth.Expired)
		Expect(cur.Status.DefaultCertificate).NotTo(BeNil())
		Expect(cur.Status.DefaultCertificate.DNSNames).To(Equal([]string{"old.test"}))

		By("NotYetValid")
		future, futureKey := selfSigned(now.Add(24*time.Hour), now.Add(48*time.Hour), "future.test")
		putTLSSecret(ctx, ns, "site-tls", future, futureKey)
		expect(metav1.ConditionFalse, certhealth.NotYetValid)

		By("ExpiringSoon: still served, with a Warning event")
		soon, soonKey := selfSigned(now.Add(-time.Hour), now.Add(10*24*time.Hour), "soon.test")
		putTLSSecret(ctx, ns, "site-tls", soon, soonKey)
		expect(metav1.ConditionTrue, certhealth.ExpiringSoon)
		Eventually(func() bool { return hasEvent(ctx, ns, "DefaultCertificateExpiringSoon") }).Should(BeTrue())

		By("Valid")
		s := putTLSSecret(ctx, ns, "site-tls", good, goodKey)
		cur = expect(metav1.ConditionTrue, certhealth.Valid)
		Expect(cur.Status.DefaultCertificate.DNSNames).To(Equal([]string{"example.test", "www.example.test"}))
		Expect(cur.Status.DefaultCertificate.NotAfter.Time).To(BeTemporally("~", now.Add(365*24*time.Hour), time.Second))

		By("the user's Secret was only ever read")
		live := &corev1.Secret{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(s), live)).To(Succeed())
		for _, mf := range live.ManagedFields {
			Expect(mf.Manager).NotTo(Equal("portico"))
		}
		Expect(live.OwnerReferences).To(BeEmpty())
		Expect(live.Labels).NotTo(HaveKey(render.ManagedByLabel))
	})
})
