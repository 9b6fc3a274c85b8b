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
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/kustomize"
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
			g.Expect(policyGauge(g)).To(Equal(0.0))
		}).Should(Succeed())
		Eventually(func() bool { return hasEvent(ctx, ns, "AdmissionPolicyMissing") }).Should(BeTrue())

		By("applying config/policy, as the message says")
		objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "policy"))
		Expect(err).NotTo(HaveOccurred())
		Expect(testenv.Apply(ctx, k8sClient, "", objs)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(binding), &admissionregistrationv1.ValidatingAdmissionPolicyBinding{})).To(Succeed())
		// Without a spec change: the gateway is looked at again after the
		// recheck while the policy is missing.
		Eventually(func(g Gomega) {
			c := meta.FindStatusCondition(getGateway(ctx, g, gw).Status.Conditions, v1alpha1.ConditionAdmissionPolicyInstalled)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(policyGauge(g)).To(Equal(1.0))
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
