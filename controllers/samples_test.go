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
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

		By("on ingress-nginx every sample says its data plane is retired, with the command that checks a move")
		classes := map[string]string{}
		for _, gw := range gws {
			Eventually(func(g Gomega) {
				cur := getGateway(ctx, g, gw)
				g.Expect(cur.Status.Driver).To(HaveValue(Equal(v1alpha1.DriverIngressNGINX)))
				c := condition(cur, v1alpha1.ConditionDataPlaneSupported)
				g.Expect(c).NotTo(BeNil())
				g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
				g.Expect(c.Reason).To(Equal(v1alpha1.ReasonUpstreamRetired))
				g.Expect(c.Message).To(ContainSubstring("kubectl portico migrate-check -n ingress " + gw.Name))
				g.Expect(condition(cur, v1alpha1.ConditionReady).Reason).NotTo(Equal(v1alpha1.ReasonUpstreamRetired), "retirement does not affect Ready")
			}).Should(Succeed())
			for _, name := range render.IngressClassNames(gw) {
				ic := &networkingv1.IngressClass{}
				Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, ic)).To(Succeed())
				classes[name] = ic.ResourceVersion
			}
		}

		By("switching the class to traefik re-renders every sample as a Traefik fleet and removes what only ingress-nginx used")
		setDriver := func(d v1alpha1.DataPlaneDriver) {
			for _, name := range []string{"default", "edge-vip"} { // the samples' classes
				Eventually(func() error {
					c := &v1alpha1.IngressGatewayClass{}
					if err := k8sClient.Get(ctx, client.ObjectKey{Name: name}, c); err != nil {
						return err
					}
					c.Spec.DataPlane.Driver = d
					return k8sClient.Update(ctx, c)
				}).Should(Succeed())
			}
		}
		setDriver(v1alpha1.DriverTraefik)
		DeferCleanup(func() { setDriver(v1alpha1.DriverIngressNGINX) })
		for _, gw := range gws {
			By("gateway " + gw.Name + " on traefik")
			Eventually(func(g Gomega) {
				w := render.PodTemplate(liveWorkload(ctx, g, gw))
				g.Expect(w.Spec.Containers[0].Image).To(Equal(render.DefaultTraefikImage))
				g.Expect(w.Spec.Containers[0].Args).To(ContainElement("--providers.kubernetesIngressNGINX.controllerClass=" + render.ControllerClass(gw)))
				g.Expect(k8sClient.Get(ctx, render.TraefikConfigMapName(gw), &corev1.ConfigMap{})).To(Succeed())
				for _, gone := range []client.Object{
					&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: gw.Namespace, Name: render.TCPConfigMapName(gw).Name}},
					&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: gw.Namespace, Name: render.MainConfigMapName(gw).Name}},
					&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: gw.Namespace, Name: render.LeaderElectionRoleName(gw).Name}},
					&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: gw.Namespace, Name: render.WebhookCertSecretName(gw).Name}},
					&admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: render.ValidatingWebhookConfigurationName(gw)}},
				} {
					err := k8sClient.Get(ctx, client.ObjectKeyFromObject(gone), gone)
					g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%T %s should be pruned: %v", gone, gone.GetName(), err)
				}
				crb := &rbacv1.ClusterRoleBinding{}
				g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, crb)).To(Succeed())
				g.Expect(crb.RoleRef.Name).To(Equal(render.DefaultTraefikClusterRole))
				cur := getGateway(ctx, g, gw)
				g.Expect(cur.Status.Driver).To(HaveValue(Equal(v1alpha1.DriverTraefik)))
				g.Expect(cur.Status.Image).To(Equal(render.DefaultTraefikImage))
				c := condition(cur, v1alpha1.ConditionDataPlaneSupported)
				g.Expect(c).NotTo(BeNil())
				g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
				g.Expect(condition(cur, v1alpha1.ConditionWebhookReady)).To(BeNil(), "Traefik has no admission webhook")
				d := condition(cur, v1alpha1.ConditionDegraded)
				g.Expect(d.Reason).To(Equal(v1alpha1.ReasonAsExpected), d.Message)
			}).WithTimeout(time.Minute).Should(Succeed())
		}
		By("the IngressClasses are left as they were: Traefik serves the same controller value")
		for name, rv := range classes {
			ic := &networkingv1.IngressClass{}
			Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, ic)).To(Succeed())
			Expect(ic.ResourceVersion).To(Equal(rv), "IngressClass %s was written", name)
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

// liveWorkload reads gw's DaemonSet or Deployment.
func liveWorkload(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway) client.Object {
	var w client.Object = &appsv1.DaemonSet{}
	if gw.Spec.Workload.Kind == v1alpha1.WorkloadDeployment {
		w = &appsv1.Deployment{}
	}
	g.ExpectWithOffset(1, k8sClient.Get(ctx, render.WorkloadName(gw), w)).To(Succeed())
	return w
}
