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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

var _ = Describe("IngressClass aliases", func() {
	var ctx context.Context
	var ns string
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	classes := func(g Gomega, names ...string) map[string]networkingv1.IngressClass {
		out := map[string]networkingv1.IngressClass{}
		for _, n := range names {
			ic := networkingv1.IngressClass{}
			if err := k8sClient.Get(ctx, key("", n), &ic); err == nil {
				out[n] = ic
			} else {
				g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), err)
			}
		}
		return out
	}

	It("serves every alias with the gateway's controller, sends their Ingresses to its webhook, and prunes a dropped alias", func() {
		public, nginx, extra := "public-"+ns, "nginx-"+ns, "extra-"+ns
		gw := createGateway(ctx, ns, "mk8s", func(g *v1alpha1.IngressGateway) {
			g.Spec.IngressClass.Name = public
			g.Spec.IngressClass.Default = true
			g.Spec.IngressClass.Aliases = []string{nginx, extra}
		})

		By("one IngressClass per name, one controller value, only the first is default")
		Eventually(func(g Gomega) {
			got := classes(g, public, nginx, extra)
			g.Expect(got).To(HaveLen(3))
			for name, ic := range got {
				g.Expect(ic.Spec.Controller).To(Equal(render.ControllerClass(gw)), name)
				g.Expect(ic.Annotations[render.GatewayUIDAnnotation]).To(Equal(string(gw.UID)), name)
				_, isDefault := ic.Annotations[render.DefaultClassAnnotation]
				g.Expect(isDefault).To(Equal(name == public), name)
			}
		}).Should(Succeed())

		By("the webhook registration matches Ingresses of every name (no pod answers: they are refused), and no other class")
		Eventually(func(g Gomega) {
			vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: render.ValidatingWebhookConfigurationName(gw)}, vwc)).To(Succeed())
		}).Should(Succeed())
		for _, class := range []string{public, nginx, extra} {
			Eventually(func(g Gomega) {
				err := k8sClient.Create(ctx, ingress(ns, "via-"+class, class))
				g.Expect(err).To(HaveOccurred())
				g.Expect(err.Error()).To(ContainSubstring("failed calling webhook"))
			}).Should(Succeed())
		}
		Expect(k8sClient.Create(ctx, ingress(ns, "elsewhere", "someone-else-"+ns))).To(Succeed())

		By("dropping an alias deletes its IngressClass and nothing else")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Aliases = []string{nginx} })
		Eventually(func(g Gomega) {
			g.Expect(classes(g, public, nginx, extra)).To(SatisfyAll(HaveKey(public), HaveKey(nginx), Not(HaveKey(extra))))
		}).Should(Succeed())

		By("a foreign IngressClass named like an alias is a NameConflict, never adopted")
		foreign := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "taken-" + ns}, Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}}
		Expect(k8sClient.Create(ctx, foreign)).To(Succeed())
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Aliases = []string{nginx, "taken-" + ns} })
		expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonNameConflict)
		Consistently(func(g Gomega) {
			cur := &networkingv1.IngressClass{}
			g.Expect(k8sClient.Get(ctx, key("", foreign.Name), cur)).To(Succeed())
			g.Expect(cur.Spec.Controller).To(Equal("k8s.io/ingress-nginx"))
			g.Expect(cur.Labels).To(BeEmpty())
		}, "1s").Should(Succeed())

		By("deleting the gateway deletes every class it served, and leaves the foreign one")
		Expect(k8sClient.Delete(ctx, getGateway(ctx, Default, gw))).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(classes(g, public, nginx, extra, foreign.Name)).To(SatisfyAll(HaveLen(1), HaveKey(foreign.Name)))
		}).Should(Succeed())
	})

	It("a name another gateway serves as an alias: the advice, followed, hands the name over", func() {
		shared := "shared-" + ns
		first := createGateway(ctx, ns, "first", func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Aliases = []string{shared} })
		Eventually(func(g Gomega) { g.Expect(classes(g, shared)).To(HaveKey(shared)) }).Should(Succeed())
		second := createGateway(ctx, ns, "second", func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Name = shared })
		cur := expectCondition(ctx, second, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonNameConflict)
		Expect(condition(cur, v1alpha1.ConditionDegraded).Message).To(ContainSubstring(
			"IngressGateway " + ns + "/first serves this IngressClass: if it is one of that gateway's spec.ingressClass.aliases, remove it there"))

		By("removing the alias from the first gateway: the second one gets the class")
		updateGateway(ctx, first, func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Aliases = nil })
		Eventually(func(g Gomega) {
			g.Expect(classes(g, shared)[shared].Spec.Controller).To(Equal(render.ControllerClass(second)))
		}).WithTimeout(30 * time.Second).Should(Succeed())
		expectCondition(ctx, second, v1alpha1.ConditionDegraded, metav1.ConditionFalse, v1alpha1.ReasonAsExpected)
	})

	It("refuses an alias that repeats the class name", func() {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "twice"}}
		gw.Spec.IngressClass.Aliases = []string{"twice"}
		err := k8sClient.Create(ctx, gw)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("spec.ingressClass.aliases: Invalid value"))
		Expect(err.Error()).To(ContainSubstring("must not repeat the gateway's own IngressClass name"))
	})
})
