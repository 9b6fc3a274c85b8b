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
	"path/filepath"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

var _ = Describe("Shipped manifests", func() {
	ctx := context.Background()

	It("applies every sample and reconciles each into its fleet", func() {
		objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "samples"))
		Expect(err).NotTo(HaveOccurred())
		// Under the install's default class, as a user of config/default has them.
		class, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "class"))
		Expect(err).NotTo(HaveOccurred())
		// vip-failover.yaml is left out of the kustomization (its ports
		// clash with the MicroK8s sample's under the operator's webhook,
		// which this suite does not run): applied on its own.
		vip, err := kustomize.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "vip-failover.yaml"))
		Expect(err).NotTo(HaveOccurred())
		gws := applyAndExpectFleets(ctx, "ingress", append(append(class, objs...), vip...))
		Expect(gws).To(HaveLen(5))
		for _, gw := range gws {
			Expect(gw.Namespace).To(Equal("ingress"), "samples live in the namespace the default class allows")
		}
	})

	It("installs config/default into a real API server with server-side apply", func() {
		objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "default"))
		Expect(err).NotTo(HaveOccurred())
		Expect(testenv.Apply(ctx, k8sClient, "portico-system", withoutDefaultClass(objs))).To(Succeed())
		// No operator pod runs here to serve its IngressGateway webhook
		// (failurePolicy Fail): unregister it, or every later gateway write
		// in this suite is refused.
		vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: manager.DefaultWebhookConfigurationName}, vwc)).To(Succeed())
		DeferCleanup(func(ctx context.Context) { Expect(k8sClient.Delete(ctx, vwc)).To(Succeed()) })
		Expect(vwc.Webhooks[0].ClientConfig.Service.Namespace).To(Equal("portico-system"))
		Expect(vwc.Webhooks[0].ClientConfig.Service.Name).To(Equal(manager.DefaultWebhookServiceName))
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: "portico-system", Name: manager.DefaultWebhookServiceName}, &corev1.Service{})).To(Succeed())
		d := &appsv1.Deployment{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: "portico-system", Name: "portico-controller-manager"}, d)).To(Succeed())
	})
})

// applyAndExpectFleets applies objs (built by kustomize) with server-side
// apply, creates the default-certificate Secrets the gateways refer to, and
// waits until the operator has built every gateway's fleet. It returns the
// gateways. An operator ValidatingWebhookConfiguration among objs is
// removed again at once: no operator pod runs here to serve it.
func applyAndExpectFleets(ctx context.Context, ns string, objs []*unstructured.Unstructured) []*v1alpha1.IngressGateway {
	GinkgoHelper()
	// No controller pod runs here to answer a gateway's admission
	// webhook, which (failurePolicy Fail) refuses its class's Ingresses:
	// everything else goes in before the gateways register it.
	gateways, rest := testenv.SplitGateways(objs)
	rest = withoutDefaultClass(rest)
	// Gateways that rely on the install's default class name it, so the
	// shipped class (as the overlay shapes it) judges them.
	if slices.ContainsFunc(rest, func(o *unstructured.Unstructured) bool {
		return o.GetKind() == "IngressGatewayClass" && o.GetName() == "default"
	}) {
		for _, g := range gateways {
			if name, _, _ := unstructured.NestedString(g.Object, "spec", "gatewayClassName"); name == "" {
				Expect(unstructured.SetNestedField(g.Object, "default", "spec", "gatewayClassName")).To(Succeed())
			}
		}
	}
	Expect(testenv.Apply(ctx, k8sClient, ns, rest)).To(Succeed())
	for _, o := range rest {
		if o.GetKind() == "ValidatingWebhookConfiguration" && o.GetName() == manager.DefaultWebhookConfigurationName {
			Expect(k8sClient.Delete(ctx, o)).To(Succeed())
		}
	}
	Expect(testenv.CreateDefaultCertificates(ctx, k8sClient, ns, gateways)).To(Succeed())
	Expect(testenv.Apply(ctx, k8sClient, ns, gateways)).To(Succeed())

	var out []*v1alpha1.IngressGateway
	for _, o := range gateways {
		gw := &v1alpha1.IngressGateway{}
		namespace := o.GetNamespace()
		if namespace == "" {
			namespace = ns
		}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: o.GetName()}, gw)).To(Succeed())
		// Gateways claim IngressClass names cluster-wide (the MicroK8s
		// sample's alias nginx is the overlays' class): remove each once
		// its spec is done, class included.
		DeferCleanup(func(ctx context.Context) {
			if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), &v1alpha1.IngressGateway{}); apierrors.IsNotFound(err) {
				return // a spec removed it already
			}
			deleteGatewayAndChildren(ctx, gw)
			Eventually(func(g Gomega) {
				for _, name := range render.IngressClassNames(gw) {
					ic := &networkingv1.IngressClass{}
					err := k8sClient.Get(ctx, client.ObjectKey{Name: name}, ic)
					g.Expect(err == nil && ic.Labels[render.GatewayNameLabel] == gw.Name && ic.Labels[render.GatewayNamespaceLabel] == gw.Namespace).To(BeFalse(), "IngressClass %s remains", name)
				}
			}).WithTimeout(time.Minute).Should(Succeed())
		})
		By("gateway " + gw.Namespace + "/" + gw.Name)
		Eventually(func(g Gomega) {
			var w client.Object = &appsv1.DaemonSet{}
			if gw.Spec.Workload.Kind == v1alpha1.WorkloadDeployment {
				w = &appsv1.Deployment{}
			}
			g.Expect(k8sClient.Get(ctx, render.WorkloadName(gw), w)).To(Succeed())
			g.Expect(k8sClient.Get(ctx, render.TCPConfigMapName(gw), &corev1.ConfigMap{})).To(Succeed())
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: render.IngressClassName(gw)}, &networkingv1.IngressClass{})).To(Succeed())
			if gw.Spec.VIP != nil {
				g.Expect(k8sClient.Get(ctx, render.KeepalivedConfigMapName(gw), &corev1.ConfigMap{})).To(Succeed())
				g.Expect(k8sClient.Get(ctx, render.VIPLeaseName(gw), &coordinationv1.Lease{})).To(Succeed())
			}
			cur := getGateway(ctx, g, gw)
			g.Expect(condition(cur, v1alpha1.ConditionDegraded)).NotTo(BeNil())
			d := condition(cur, v1alpha1.ConditionDegraded)
			g.Expect(d.Reason).To(Equal(v1alpha1.ReasonAsExpected), d.Message)
			// A loaded machine (every suite at once in CI) can fail a few
			// applies in a row; the retry backoff then grows past 20 s.
		}).WithTimeout(time.Minute).Should(Succeed())
		out = append(out, gw)
	}
	return out
}

// withoutDefaultClass returns objs with every IngressGatewayClass's
// spec.default false: the suite's permissive class (testenv.PermissiveClass)
// stays the default, as two defaults leave class-less gateways without one.
func withoutDefaultClass(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	GinkgoHelper()
	for _, o := range objs {
		if o.GetKind() == "IngressGatewayClass" {
			Expect(unstructured.SetNestedField(o.Object, false, "spec", "default")).To(Succeed())
		}
	}
	return objs
}
