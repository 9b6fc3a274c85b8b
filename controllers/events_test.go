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
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// gatewayEvents returns the notes of gw's events with reason (all of them
// for ""), oldest first.
func gatewayEvents(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway, reason string) []string {
	evs := &eventsv1.EventList{}
	g.Expect(k8sClient.List(ctx, evs, client.InNamespace(gw.Namespace))).To(Succeed())
	slices.SortFunc(evs.Items, func(a, b eventsv1.Event) int { return a.EventTime.Compare(b.EventTime.Time) })
	var out []string
	for _, e := range evs.Items {
		if e.Regarding.Name == gw.Name && e.Regarding.Kind == "IngressGateway" && (reason == "" || e.Reason == reason) {
			out = append(out, e.Note)
		}
	}
	return out
}

var _ = Describe("IngressGateway events", func() {
	var ctx context.Context
	var ns string
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("records one event per real change, naming the object and what happened", func() {
		gw := createGateway(ctx, ns, "told", func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "not-yet"}}
		})
		main := render.MainConfigMapName(gw)

		By("create: one ChildrenCreated (with the webhook's certificates), no update, the certificate problem once")
		Eventually(func(g Gomega) {
			g.Expect(gatewayEvents(ctx, g, gw, "ChildrenCreated")).To(ConsistOf(And(HavePrefix("Created "),
				HaveSuffix("; admission webhook: generated a new CA; issued a serving certificate"))))
		}).Should(Succeed())
		expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonDefaultCertificateNotReady)
		Consistently(func(g Gomega) {
			g.Expect(gatewayEvents(ctx, g, gw, "ChildrenUpdated")).To(BeEmpty())
			g.Expect(gatewayEvents(ctx, g, gw, "CertificatesIssued")).To(BeEmpty())
			g.Expect(gatewayEvents(ctx, g, gw, v1alpha1.ReasonDefaultCertificateNotReady)).To(HaveLen(1))
		}, "2s").Should(Succeed())

		By("a spec change: ChildrenUpdated names the changed child and field group")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.Controller.LogLevel = ptr.To[int32](3) })
		Eventually(func(g Gomega) {
			g.Expect(gatewayEvents(ctx, g, gw, "ChildrenUpdated")).To(ContainElement("Updated 1: DaemonSet " + render.WorkloadName(gw).String() + " (spec.template)"))
		}).Should(Succeed())

		By("a hand edit, twice: each revert is its own DriftReverted event")
		for i, value := range []string{"hand-edit-1", "hand-edit-2"} {
			Eventually(func(g Gomega) {
				cm := getConfigMap(ctx, g, main)
				cm.Data["proxy-body-size"] = value
				g.Expect(k8sClient.Update(ctx, cm)).To(Succeed())
			}).Should(Succeed())
			Eventually(func(g Gomega) {
				g.Expect(getConfigMap(ctx, g, main).Data).NotTo(HaveKey("proxy-body-size"))
				notes := gatewayEvents(ctx, g, gw, v1alpha1.ReasonDriftReverted)
				g.Expect(notes).To(HaveLen(i + 1))
				g.Expect(notes[i]).To(HavePrefix("Reverted a change made outside Portico to ConfigMap " + main.String() + " (data) at resourceVersion "))
			}).Should(Succeed())
		}

		By("a deleted child: recreated, and said so")
		tcp := &corev1.ConfigMap{}
		Expect(k8sClient.Get(ctx, render.TCPConfigMapName(gw), tcp)).To(Succeed())
		Expect(k8sClient.Delete(ctx, tcp)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(gatewayEvents(ctx, g, gw, "ChildrenCreated")).To(ContainElement("Created 1: ConfigMap " + render.TCPConfigMapName(gw).String()))
		}).Should(Succeed())

		By("an operator restart: every child is checked again, none reported")
		updated := len(gatewayEvents(ctx, Default, gw, "ChildrenUpdated"))
		reconciler.ForgetEverything()
		_, err := reconciler.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)})
		Expect(err).NotTo(HaveOccurred())
		Consistently(func(g Gomega) {
			g.Expect(gatewayEvents(ctx, g, gw, "ChildrenUpdated")).To(HaveLen(updated))
			g.Expect(gatewayEvents(ctx, g, gw, v1alpha1.ReasonDriftReverted)).To(HaveLen(2))
		}, "2s").Should(Succeed())
	})

	It("gives NameConflict advice that works when followed", func() {
		class := "advice-" + ns
		foreign := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: class}, Spec: networkingv1.IngressClassSpec{Controller: "example.org/other"}}
		Expect(k8sClient.Create(ctx, foreign)).To(Succeed())
		gw := createGateway(ctx, ns, "advised", func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Name = class })
		cur := expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonNameConflict)
		msg := condition(cur, v1alpha1.ConditionDegraded).Message
		Expect(msg).To(ContainSubstring("move its Ingresses and delete it (the gateway then creates its own within 10 s)"))

		By("following it: the IngressClass is deleted, the gateway creates its own and becomes Ready")
		Expect(k8sClient.Delete(ctx, foreign)).To(Succeed())
		Eventually(func(g Gomega) {
			ic := &networkingv1.IngressClass{}
			g.Expect(k8sClient.Get(ctx, key("", class), ic)).To(Succeed())
			g.Expect(ic.Spec.Controller).To(Equal(render.ControllerClass(gw)))
		}).WithTimeout(30 * time.Second).Should(Succeed())
		setDaemonSetStatus(ctx, gw, 1, 1, 1)
		Eventually(func(g Gomega) {
			c := condition(getGateway(ctx, g, gw), v1alpha1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue), c.Message)
		}).Should(Succeed())

		By("another gateway's class: the advice names that gateway and the immutable name")
		other := createGateway(ctx, ns, "second", func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Name = class })
		cur = expectCondition(ctx, other, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonNameConflict)
		msg = condition(cur, v1alpha1.ConditionDegraded).Message
		Expect(msg).To(ContainSubstring("IngressGateway " + ns + "/advised serves this IngressClass"))
		Expect(strings.Contains(msg, "rename or delete it")).To(BeFalse())
	})
})
