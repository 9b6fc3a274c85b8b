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
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

var _ = Describe("Install paths", func() {
	ctx := context.Background()

	It("config/default runs the operator hardened: restricted pod, limits, probes, leader election, metrics Service", func() {
		objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "default"))
		Expect(err).NotTo(HaveOccurred())
		applyAndExpectFleets(ctx, "portico-system", objs)

		d := &appsv1.Deployment{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: "portico-system", Name: "portico-controller-manager"}, d)).To(Succeed())
		pod := d.Spec.Template.Spec
		Expect(*pod.SecurityContext.RunAsNonRoot).To(BeTrue())
		Expect(pod.SecurityContext.SeccompProfile.Type).To(Equal(corev1.SeccompProfileTypeRuntimeDefault))
		c := pod.Containers[0]
		Expect(*c.SecurityContext.AllowPrivilegeEscalation).To(BeFalse())
		Expect(*c.SecurityContext.ReadOnlyRootFilesystem).To(BeTrue())
		Expect(c.SecurityContext.Capabilities.Drop).To(ConsistOf(corev1.Capability("ALL")))
		Expect(c.SecurityContext.Capabilities.Add).To(BeEmpty())
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			Expect(c.Resources.Requests).To(HaveKey(r))
			Expect(c.Resources.Limits).To(HaveKey(r))
		}
		Expect(c.LivenessProbe.HTTPGet.Path).To(Equal("/healthz"))
		Expect(c.ReadinessProbe.HTTPGet.Path).To(Equal("/readyz"))
		Expect(c.Args).To(ContainElements("--leader-elect", "--metrics-bind-address=:8443"))
		Expect(slices.ContainsFunc(c.Args, func(a string) bool { return a == "--webhook-cert-mode=external" })).To(BeFalse(),
			"the kustomize install issues its own webhook certificate (self-signed mode)")
		ns := &corev1.Namespace{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: "portico-system"}, ns)).To(Succeed())
		Expect(ns.Labels).To(HaveKeyWithValue("pod-security.kubernetes.io/enforce", "restricted"))

		svc := &corev1.Service{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: "portico-system", Name: "portico-controller-manager-metrics-service"}, svc)).To(Succeed())
		Expect(svc.Spec.Selector).To(Equal(d.Spec.Selector.MatchLabels))
		Expect(svc.Spec.Ports[0].TargetPort.StrVal).To(Equal("metrics"))
		Expect(c.Ports).To(ContainElement(HaveField("Name", "metrics")))

		By("the operator's webhook registration points at its Service, whose certificate it issues itself")
		vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		err = k8sClient.Get(ctx, client.ObjectKey{Name: manager.DefaultWebhookConfigurationName}, vwc)
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "applyAndExpectFleets removes it: nothing serves it here")
	})

	It("config/default confines the operator's Secret writes to Secrets labelled part-of=portico", func() {
		objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "default"))
		Expect(err).NotTo(HaveOccurred())
		applyAndExpectFleets(ctx, "portico-system", objs)
		ns := newNamespace(ctx)

		// The operator, as the API server sees it: its ServiceAccount,
		// authorized by the ClusterRole config/default binds.
		cfg := rest.CopyConfig(env.Config)
		cfg.Impersonate = rest.ImpersonationConfig{
			UserName: "system:serviceaccount:portico-system:portico-controller-manager",
			Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:portico-system", "system:authenticated"},
		}
		operator, err := client.New(cfg, client.Options{Scheme: manager.Scheme()})
		Expect(err).NotTo(HaveOccurred())
		owned := map[string]string{"app.kubernetes.io/part-of": "portico"}
		secret := func(name string, labels map[string]string) *corev1.Secret {
			return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
				StringData: map[string]string{"k": "v"}}
		}

		By("the user's Secret: the operator may read it, but neither change nor delete it")
		users := secret("users", nil)
		Expect(k8sClient.Create(ctx, users)).To(Succeed())
		Eventually(func(g Gomega) {
			s := &corev1.Secret{}
			g.Expect(operator.Get(ctx, client.ObjectKeyFromObject(users), s)).To(Succeed())
			s.StringData = map[string]string{"k": "stolen"}
			err := operator.Update(ctx, s)
			g.Expect(err).To(HaveOccurred())
			// The containment policy (config/policy) or the Secret policy
			// (config/rbac), whichever the API server asks first.
			g.Expect(err.Error()).To(Or(ContainSubstring("may only modify or delete Secrets labelled app.kubernetes.io/part-of=portico"),
				ContainSubstring("may only write objects labelled app.kubernetes.io/part-of=portico, before and after the write")))
		}).Should(Succeed())
		err = operator.Delete(ctx, users)
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)
		// Adding the label is a modification of an unlabelled Secret too.
		s := &corev1.Secret{}
		Expect(operator.Get(ctx, client.ObjectKeyFromObject(users), s)).To(Succeed())
		s.Labels = owned
		Expect(operator.Update(ctx, s)).NotTo(Succeed())

		By("a new Secret without the label is refused")
		err = operator.Create(ctx, secret("unlabelled", nil))
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(Or(ContainSubstring("would not carry that label"),
			ContainSubstring("may only write objects labelled app.kubernetes.io/part-of=portico, before and after the write")))
		By("the label alone is not enough: the containment policy wants a Secret of a gateway (test/trust covers the writes the operator needs)")
		err = operator.Create(ctx, secret("mine", owned))
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)

		By("everyone else is unaffected")
		Expect(k8sClient.Delete(ctx, users)).To(Succeed())
	})

	It("the Helm chart (helm template, default values) installs with server-side apply and a sample gets its fleet", func() {
		helm := os.Getenv("PORTICO_HELM")
		if helm == "" {
			Skip("PORTICO_HELM is not set (make test builds Helm with hack/helm.sh and sets it)")
		}
		out, err := exec.Command(helm, "template", "portico", filepath.Join(testenv.RepoRoot(), "charts", "portico"), "--namespace", "portico-system").Output()
		Expect(err).NotTo(HaveOccurred())
		var objs []*unstructured.Unstructured
		for _, doc := range strings.Split(string(out), "\n---\n") {
			u := &unstructured.Unstructured{}
			j, err := yaml.YAMLToJSON([]byte(doc))
			Expect(err).NotTo(HaveOccurred())
			if string(j) == "null" {
				continue
			}
			Expect(u.UnmarshalJSON(j)).To(Succeed())
			objs = append(objs, u)
		}
		sample, err := kustomize.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "redis-tcp.yaml"))
		Expect(err).NotTo(HaveOccurred())
		// Helm creates the default class as a post-install hook, once the
		// operator's webhook serves; no operator pod runs here, so it goes
		// in before the webhook registration, as config/default orders it.
		var hooks, rest []*unstructured.Unstructured
		for _, o := range objs {
			if o.GetAnnotations()["helm.sh/hook"] != "" {
				hooks = append(hooks, o)
			} else {
				rest = append(rest, o)
			}
		}
		Expect(hooks).To(HaveLen(1))
		objs = append(hooks, rest...)
		// helm install --create-namespace makes the release namespace.
		namespace := func(name string) *unstructured.Unstructured {
			return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}}
		}
		objs = append([]*unstructured.Unstructured{namespace("portico-system"), namespace("ingress")}, objs...)
		gws := applyAndExpectFleets(ctx, "portico-system", append(objs, sample...))
		Expect(gws).To(HaveLen(1))
		Expect(gws[0].Spec.GatewayClassName).To(Equal("default"), "the chart's default class admits it")
		deleteGatewayAndChildren(ctx, gws[0])
	})

	for _, overlay := range []string{"bare-metal", "nodeport", "loadbalancer", "microk8s"} {
		It("config/overlays/"+overlay+" installs with server-side apply and its gateway gets its fleet", func() {
			objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "overlays", overlay))
			Expect(err).NotTo(HaveOccurred())
			kinds := map[string]int{}
			for _, o := range objs {
				kinds[o.GetKind()]++
			}
			Expect(kinds).To(HaveKeyWithValue("Deployment", 1), "the operator")
			Expect(kinds).To(HaveKeyWithValue("IngressGateway", 1))
			if overlay == "nodeport" {
				freeNodePorts(ctx, 30100, 30443)
			}
			gws := applyAndExpectFleets(ctx, "portico-system", objs)

			By("every object the overlay built is in the API server as built")
			for _, o := range objs {
				if o.GetKind() == "ValidatingWebhookConfiguration" {
					continue // removed by applyAndExpectFleets
				}
				got := o.DeepCopy()
				if got.GetNamespace() == "" {
					namespaced, err := k8sClient.IsObjectNamespaced(got)
					Expect(err).NotTo(HaveOccurred())
					if namespaced {
						got.SetNamespace("portico-system")
					}
				}
				Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(got), got)).To(Succeed(), "%s %s", o.GetKind(), o.GetName())
			}
			gw := gws[0]
			switch overlay {
			case "bare-metal":
				Expect(gw.Spec.Workload.HostNetwork).To(BeTrue())
				Expect(gw.Spec.VIP).NotTo(BeNil())
				Expect(gw.Spec.DefaultCertificate).NotTo(BeNil())
				Expect(getDaemonSet(ctx, Default, gw).Spec.Template.Spec.HostNetwork).To(BeTrue())
			case "nodeport", "loadbalancer":
				Expect(gw.Spec.Workload.Kind).To(Equal(v1alpha1.WorkloadDeployment))
				want := map[string]corev1.ServiceType{"nodeport": corev1.ServiceTypeNodePort, "loadbalancer": corev1.ServiceTypeLoadBalancer}[overlay]
				svc := &corev1.Service{}
				Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: gw.Namespace, Name: gw.Name + "-controller"}, svc)).To(Succeed())
				Expect(svc.Spec.Type).To(Equal(want))
			case "microk8s":
				Expect(gw.Namespace).To(Equal("ingress"))
				Expect(gw.Spec.IngressClass.Name).To(Equal("public"))
				Expect(gw.Spec.Workload.HostPorts).To(BeTrue())
				// The overlay's nginx-load-balancer-microk8s-conf became
				// the main ConfigMap's settings.
				Expect(gw.Spec.Controller.Config).To(HaveKeyWithValue("use-forwarded-headers", "true"))
				cm := getConfigMap(ctx, Default, client.ObjectKey{Namespace: gw.Namespace, Name: gw.Name + "-controller"})
				Expect(cm.Data).To(HaveKeyWithValue("use-forwarded-headers", "true"))
				Expect(kinds).NotTo(HaveKey("ConfigMap"), "the microk8s ConfigMap is build input only")
			}

			By("removing the gateway (users pick one overlay; the next one reuses names)")
			deleteGatewayAndChildren(ctx, gw)
		})
	}
})

// freeNodePorts deletes the Services of earlier specs that hold one of
// ports: envtest runs no garbage collector, so they outlive their gateways,
// and its allocator may have handed a fixed port an overlay pins to one
// of them.
func freeNodePorts(ctx context.Context, ports ...int32) {
	GinkgoHelper()
	svcs := &corev1.ServiceList{}
	Expect(k8sClient.List(ctx, svcs)).To(Succeed())
	for i := range svcs.Items {
		for _, p := range svcs.Items[i].Spec.Ports {
			if slices.Contains(ports, p.NodePort) {
				Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, &svcs.Items[i]))).To(Succeed())
				break
			}
		}
	}
}

// deleteGatewayAndChildren deletes gw, waits for its finalizer to remove the
// cluster-scoped children, and then deletes its namespaced children as the
// garbage collector would (envtest runs none), so a later gateway of the
// same name does not find them and report NameConflict.
func deleteGatewayAndChildren(ctx context.Context, gw *v1alpha1.IngressGateway) {
	GinkgoHelper()
	Expect(k8sClient.Delete(ctx, gw)).To(Succeed())
	Eventually(func() bool {
		return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), &v1alpha1.IngressGateway{}))
	}).Should(BeTrue())
	// Every namespaced kind Portico manages, so a new kind is never missed.
	for _, k := range render.ManagedKinds {
		if !k.Namespaced {
			continue
		}
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(k.GVK.GroupVersion().WithKind(k.GVK.Kind + "List"))
		Expect(k8sClient.List(ctx, list, client.InNamespace(gw.Namespace), client.MatchingLabels(render.OwnerLabels(gw.Namespace, gw.Name)))).To(Succeed())
		Expect(meta.EachListItem(list, func(o runtime.Object) error {
			return client.IgnoreNotFound(k8sClient.Delete(ctx, o.(client.Object)))
		})).To(Succeed())
	}
}
