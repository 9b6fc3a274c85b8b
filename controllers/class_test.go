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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// policyGauge reads portico_admission_policy_installed from the registry.
func policyGauge(g Gomega) float64 {
	families, err := metrics.Registry.Gather()
	g.Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		if f.GetName() == "portico_admission_policy_installed" {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	g.Expect("portico_admission_policy_installed").To(BeEmpty(), "metric not exported")
	return -1
}

var _ = Describe("IngressGatewayClass policy", func() {
	ctx := context.Background()

	It("reports on every gateway, in an event and a metric whether the API server enforces the class policy", func() {
		_, binding := classrules.Policy()
		Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, binding))).To(Succeed())
		ns := newNamespace(ctx)
		gw := createGateway(ctx, ns, "policed", nil)

		By("without the policy's binding: False, PolicyMissing, with the command to apply")
		Eventually(func(g Gomega) {
			c := meta.FindStatusCondition(getGateway(ctx, g, gw).Status.Conditions, v1alpha1.ConditionAdmissionPolicyInstalled)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(c.Reason).To(Equal(v1alpha1.ReasonPolicyMissing))
			g.Expect(c.Message).To(ContainSubstring("kubectl apply --server-side -k config/policy"))
			g.Expect(c.Message).To(ContainSubstring(binding.Name))
			d := meta.FindStatusCondition(getGateway(ctx, g, gw).Status.Conditions, v1alpha1.ConditionDegraded)
			g.Expect(d.Reason).To(Equal(v1alpha1.ReasonPolicyMissing))
			g.Expect(policyGauge(g)).To(Equal(0.0))
		}).Should(Succeed())
		Eventually(func() bool { return hasEvent(ctx, ns, "AdmissionPolicyMissing") }).Should(BeTrue())
		By("no cluster-scoped child is created meanwhile")
		Consistently(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, &rbacv1.ClusterRoleBinding{}))
		}).Should(BeTrue())

		By("applying config/policy, as the message says")
		objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "policy"))
		Expect(err).NotTo(HaveOccurred())
		Expect(testenv.Apply(ctx, k8sClient, "", objs)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(binding), &admissionregistrationv1.ValidatingAdmissionPolicyBinding{})).To(Succeed())
		// Without a spec change: policies are watched.
		Eventually(func(g Gomega) {
			c := meta.FindStatusCondition(getGateway(ctx, g, gw).Status.Conditions, v1alpha1.ConditionAdmissionPolicyInstalled)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(policyGauge(g)).To(Equal(1.0))
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, &rbacv1.ClusterRoleBinding{})).To(Succeed())
		}).Should(Succeed())
	})

	It("stops rollouts of a gateway its class no longer allows, leaves the fleet running, and resumes when allowed again", func() {
		// The spec change below is one the class policy would refuse (as it
		// should): take the policy away here, as when it is not installed.
		_, binding := classrules.Policy()
		if err := k8sClient.Delete(ctx, binding); err == nil {
			DeferCleanup(func(ctx context.Context) {
				binding.ResourceVersion = ""
				Expect(k8sClient.Create(ctx, binding)).To(Succeed())
			})
		}
		ns := newNamespace(ctx)
		class := testenv.PermissiveClass()
		class.Name, class.Spec.Default = "tightened-"+ns, false
		Expect(k8sClient.Create(ctx, class)).To(Succeed())
		gw := createGateway(ctx, ns, "tight", func(g *v1alpha1.IngressGateway) {
			g.Spec.GatewayClassName = class.Name
			g.Spec.Workload.HostNetwork = true
		})
		var generation int64
		Eventually(func(g Gomega) { generation = getDaemonSet(ctx, g, gw).Generation }).Should(Succeed())

		By("the admin takes host networking away")
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(class), class)).To(Succeed())
		class.Spec.Capabilities.HostNetwork = false
		Expect(k8sClient.Update(ctx, class)).To(Succeed())
		Eventually(func(g Gomega) {
			d := meta.FindStatusCondition(getGateway(ctx, g, gw).Status.Conditions, v1alpha1.ConditionDegraded)
			g.Expect(d).NotTo(BeNil())
			g.Expect(d.Reason).To(Equal(v1alpha1.ReasonClassForbids))
			g.Expect(d.Message).To(ContainSubstring("spec.workload.hostNetwork: IngressGatewayClass \"" + class.Name + "\" forbids it (spec.capabilities.hostNetwork, rule hostNetwork)"))
		}).Should(Succeed())

		By("a spec change rolls nothing out; the running fleet is left as it is")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.Workload.PodLabels = map[string]string{"new": "label"} })
		Consistently(func(g Gomega) {
			g.Expect(getDaemonSet(ctx, g, gw).Generation).To(Equal(generation))
		}).Should(Succeed())

		By("allowed again, the pending change rolls out")
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(class), class)).To(Succeed())
		class.Spec.Capabilities.HostNetwork = true
		Expect(k8sClient.Update(ctx, class)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(getDaemonSet(ctx, g, gw).Spec.Template.Labels).To(HaveKeyWithValue("new", "label"))
			d := meta.FindStatusCondition(getGateway(ctx, g, gw).Status.Conditions, v1alpha1.ConditionDegraded)
			g.Expect(d.Reason).NotTo(Equal(v1alpha1.ReasonClassForbids))
		}).Should(Succeed())
	})
})

var _ = Describe("Prune by identity", func() {
	ctx := context.Background()

	It("never deletes look-alikes: objects with the gateway's labels but another name or no owner reference", func() {
		ns := newNamespace(ctx)
		gw := createGateway(ctx, ns, "ident", nil)
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())
		gw = getGateway(ctx, Default, gw)
		labels := render.Labels(gw)

		By("a user's ConfigMaps carrying labels copied from a rendered object: one under a name Portico could render, one under another")
		keepalived := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: render.KeepalivedConfigMapName(gw).Name, Labels: labels}}
		other := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "users-config", Labels: labels}}
		By("a platform team's ClusterRoleBinding with the gateway's labels")
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "platform-" + ns, Labels: labels},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "platform"}}}
		for _, o := range []client.Object{keepalived, other, crb} {
			Expect(k8sClient.Create(ctx, o)).To(Succeed())
		}
		DeferCleanup(func(ctx context.Context) { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, crb))).To(Succeed()) })

		By("a spec change makes the operator prune; the look-alikes stay")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.Workload.PodLabels = map[string]string{"prune": "now"} })
		Eventually(func(g Gomega) {
			g.Expect(getDaemonSet(ctx, g, gw).Spec.Template.Labels).To(HaveKeyWithValue("prune", "now"))
		}).Should(Succeed())
		Consistently(func(g Gomega) {
			for _, o := range []client.Object{keepalived, other, crb} {
				g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(o), o)).To(Succeed())
			}
		}).Should(Succeed())

		By("deleting the gateway removes its own cluster-scoped children, not the look-alike")
		Expect(k8sClient.Delete(ctx, gw)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, &rbacv1.ClusterRoleBinding{}))
		}).Should(BeTrue())
		Eventually(func() bool { return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), gw)) }).Should(BeTrue())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(crb), crb)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(keepalived), keepalived)).To(Succeed())
	})
})
