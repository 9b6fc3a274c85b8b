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
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/keepalived"
	"github.com/portico-dev/portico/internal/render"
)

const testKeepalivedImage = "example.org/keepalived:2.2.7@sha256:1111111111111111111111111111111111111111111111111111111111111111"

func vipGateway(addr string) func(*v1alpha1.IngressGateway) {
	return func(g *v1alpha1.IngressGateway) {
		g.Spec.Workload.HostNetwork = true
		g.Spec.AdmissionWebhook.Enabled = ptr.To(false)
		g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{addr}, Image: testKeepalivedImage}
	}
}

// fakePod plays the DaemonSet controller and the kubelet: a controller pod
// of gw on a node with address hostIP.
func fakePod(ctx context.Context, gw *v1alpha1.IngressGateway, node, hostIP string, ready bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: gw.Namespace, Name: gw.Name + "-" + node, Labels: render.Labels(gw)},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "controller", Image: "x"}}}}
	Expect(k8sClient.Create(ctx, p)).To(Succeed())
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, HostIP: hostIP, PodIP: hostIP,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}}
	Expect(k8sClient.Status().Update(ctx, p)).To(Succeed())
	return p
}

var _ = Describe("IngressGateway floating VIP", func() {
	var ctx context.Context
	var ns string
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("renders the keepalived sidecar, follows the fleet's nodes and reports the holder", func() {
		gw := createGateway(ctx, ns, "float", vipGateway("192.168.10.15/24"))

		By("a sidecar with only the VRRP capabilities, its ConfigMap, Lease and Lease permission")
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			cs := ds.Spec.Template.Spec.Containers
			g.Expect(cs).To(HaveLen(2))
			g.Expect(cs[0].SecurityContext.Capabilities.Add).To(ConsistOf(corev1.Capability("NET_BIND_SERVICE")))
			g.Expect(cs[1].Name).To(Equal(render.KeepalivedContainerName))
			g.Expect(cs[1].Image).To(Equal(testKeepalivedImage))
			g.Expect(cs[1].SecurityContext.Capabilities.Add).To(ConsistOf(corev1.Capability("NET_ADMIN"), corev1.Capability("NET_RAW"), corev1.Capability("NET_BROADCAST"), corev1.Capability("SETGID")))
			g.Expect(containerArgs(ds.Spec.Template.Spec)).To(ContainElement("--publish-status-address=192.168.10.15"))
			cm := getConfigMap(ctx, g, render.KeepalivedConfigMapName(gw))
			g.Expect(cm.Data).To(HaveKey(keepalived.TemplateFile))
			g.Expect(k8sClient.Get(ctx, render.VIPLeaseName(gw), &coordinationv1.Lease{})).To(Succeed())
			role := &rbacv1.Role{}
			g.Expect(k8sClient.Get(ctx, render.LeaderElectionRoleName(gw), role)).To(Succeed())
			g.Expect(role.Rules).To(ContainElement(HaveField("ResourceNames", ConsistOf(render.VIPLeaseName(gw).Name))))
		}).Should(Succeed())
		cur := expectCondition(ctx, gw, v1alpha1.ConditionVIPReady, metav1.ConditionFalse, v1alpha1.ReasonVIPNoReadyPods)
		Expect(cur.Status.VIP.RouterID).To(BeNumerically(">=", 1))
		Expect(cur.Status.VIP.Addresses).To(Equal([]string{"192.168.10.15"}))
		Expect(cur.Status.Addresses).To(Equal([]string{"192.168.10.15"}))
		var template corev1.PodTemplateSpec
		Eventually(func(g Gomega) { template = getDaemonSet(ctx, g, gw).Spec.Template }).Should(Succeed())

		By("peers follow the nodes the fleet runs on, without touching the pod template")
		fakePod(ctx, gw, "node-a", "10.0.0.11", true)
		b := fakePod(ctx, gw, "node-b", "10.0.0.12", true)
		Eventually(func(g Gomega) {
			g.Expect(getConfigMap(ctx, g, render.KeepalivedConfigMapName(gw)).Data[keepalived.PeersFile]).To(Equal("10.0.0.11\n10.0.0.12\n"))
		}).Should(Succeed())
		Expect(k8sClient.Delete(ctx, b)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(getConfigMap(ctx, g, render.KeepalivedConfigMapName(gw)).Data[keepalived.PeersFile]).To(Equal("10.0.0.11\n"))
		}).Should(Succeed())
		Expect(getDaemonSet(ctx, Default, gw).Spec.Template).To(Equal(template))

		By("ready pods but no holder, then the holder's keepalived reports itself in the Lease")
		expectCondition(ctx, gw, v1alpha1.ConditionVIPReady, metav1.ConditionFalse, v1alpha1.ReasonVIPNoHolder)
		Eventually(func(g Gomega) {
			l := &coordinationv1.Lease{}
			g.Expect(k8sClient.Get(ctx, render.VIPLeaseName(gw), l)).To(Succeed())
			l.Spec.HolderIdentity = ptr.To("node-a")
			g.Expect(k8sClient.Update(ctx, l)).To(Succeed())
		}).Should(Succeed())
		cur = expectCondition(ctx, gw, v1alpha1.ConditionVIPReady, metav1.ConditionTrue, v1alpha1.ReasonVIPHeld)
		Expect(cur.Status.VIP.Holder).To(Equal("node-a"))

		By("removing spec.vip removes the sidecar, ConfigMap and Lease")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.VIP = nil })
		Eventually(func(g Gomega) {
			g.Expect(getDaemonSet(ctx, g, gw).Spec.Template.Spec.Containers).To(HaveLen(1))
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.KeepalivedConfigMapName(gw), &corev1.ConfigMap{}))).To(BeTrue())
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.VIPLeaseName(gw), &coordinationv1.Lease{}))).To(BeTrue())
			cur := getGateway(ctx, g, gw)
			g.Expect(cur.Status.VIP).To(BeNil())
			g.Expect(condition(cur, v1alpha1.ConditionVIPReady)).To(BeNil())
		}).Should(Succeed())
	})

	It("allocates router IDs unique across 50 gateways and keeps them across a restart", func() {
		// An explicit ID is never handed out to another gateway.
		explicit := createGateway(ctx, ns, "pinned", func(g *v1alpha1.IngressGateway) {
			vipGateway("192.168.21.1/24")(g)
			g.Spec.VIP.VirtualRouterID = ptr.To[int32](7)
		})
		var gws []*v1alpha1.IngressGateway
		for i := range 50 {
			gws = append(gws, createGateway(ctx, ns, fmt.Sprintf("vip-%d", i), vipGateway(fmt.Sprintf("192.168.20.%d/24", i+1))))
		}
		ids := func(g Gomega) map[string]int32 {
			out := map[string]int32{}
			for _, gw := range append(gws, explicit) {
				cur := getGateway(ctx, g, gw)
				g.Expect(cur.Status.VIP).NotTo(BeNil())
				g.Expect(cur.Status.VIP.RouterID).NotTo(BeZero())
				out[gw.Name] = cur.Status.VIP.RouterID
			}
			return out
		}
		var before map[string]int32
		Eventually(func(g Gomega) {
			before = ids(g)
			seen := map[int32]string{}
			for name, id := range before {
				g.Expect(seen).NotTo(HaveKey(id), "%s and %s share router ID %d", name, seen[id], id)
				seen[id] = name
			}
			g.Expect(before["pinned"]).To(Equal(int32(7)))
		}).WithTimeout(60 * time.Second).Should(Succeed())

		By("an operator restart forgets its memory; the IDs stay")
		reconciler.ForgetEverything()
		for _, gw := range gws {
			_, err := reconciler.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)})
			Expect(err).NotTo(HaveOccurred())
		}
		Consistently(func(g Gomega) { g.Expect(ids(g)).To(Equal(before)) }).Should(Succeed())
		for _, gw := range gws {
			cm := getConfigMap(ctx, Default, render.KeepalivedConfigMapName(gw))
			Expect(cm.Data[keepalived.TemplateFile]).To(ContainSubstring(fmt.Sprintf("virtual_router_id %d", before[gw.Name])))
		}
	})

	It("ranks preferred nodes, pre-empts when asked, and defaults authSecretRef to VRRPv2", func() {
		gw := createGateway(ctx, ns, "ranked", func(g *v1alpha1.IngressGateway) {
			vipGateway("192.168.30.15/24")(g)
			g.Spec.VIP.PreferredNodes = []string{"node-b", "node-a"}
			g.Spec.VIP.Preempt = true
			g.Spec.VIP.PreemptDelaySeconds = ptr.To[int32](20)
			g.Spec.VIP.AuthSecretRef = &v1alpha1.SecretKeySelector{Name: "vrrp"}
		})
		Expect(gw.Spec.VIP.AdvertIntervalMilliseconds).To(BeZero(), "the API server must not default the interval to a VRRPv3 value")
		Eventually(func(g Gomega) {
			cm := getConfigMap(ctx, g, render.KeepalivedConfigMapName(gw))
			g.Expect(cm.Data[keepalived.PrioritiesFile]).To(Equal("node-b 120\nnode-a 110\n* 100\n"))
			tmpl := cm.Data[keepalived.TemplateFile]
			for _, want := range []string{"priority @PRIORITY@\n", "preempt_delay 20\n", "advert_int 1\n", "version 2\n", "auth_type PASS"} {
				g.Expect(tmpl).To(ContainSubstring(want))
			}
			g.Expect(tmpl).NotTo(ContainSubstring("nopreempt"))
		}).Should(Succeed())

		By("without preempt the ranking stays, and so does the holder")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) {
			g.Spec.VIP.Preempt, g.Spec.VIP.PreemptDelaySeconds = false, nil
		})
		Eventually(func(g Gomega) {
			tmpl := getConfigMap(ctx, g, render.KeepalivedConfigMapName(gw)).Data[keepalived.TemplateFile]
			g.Expect(tmpl).To(ContainSubstring("nopreempt"))
			g.Expect(tmpl).NotTo(ContainSubstring("preempt_delay"))
		}).Should(Succeed())
	})

	DescribeTable("rejects VIP settings that cannot mean what they say, naming the field and the fix",
		func(mutate func(*v1alpha1.VIPSpec), path, want string) {
			gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad-vip"}}
			vipGateway("192.168.31.15/24")(gw)
			mutate(gw.Spec.VIP)
			err := k8sClient.Create(ctx, gw)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(path))
			Expect(err.Error()).To(ContainSubstring(want))

			By("offline validation gives the same message")
			gw.APIVersion, gw.Kind = v1alpha1.GroupVersion.String(), "IngressGateway"
			doc, merr := yaml.Marshal(gw)
			Expect(merr).NotTo(HaveOccurred())
			_, localErr := crdschema.Decode(doc)
			Expect(localErr).To(MatchError(err.Error()))
		},
		Entry("preempt without preferred nodes", func(v *v1alpha1.VIPSpec) { v.Preempt = true },
			"spec.vip.preempt", "preempt needs preferredNodes"),
		Entry("a pre-emption delay without preempt", func(v *v1alpha1.VIPSpec) {
			v.PreferredNodes, v.PreemptDelaySeconds = []string{"node-a"}, ptr.To[int32](5)
		}, "spec.vip.preemptDelaySeconds", "preemptDelaySeconds needs preempt: true"),
		Entry("a preferred node that is not a node name", func(v *v1alpha1.VIPSpec) { v.PreferredNodes = []string{"Node A"} },
			"spec.vip.preferredNodes[0]", "should match"),
		Entry("authSecretRef with sub-second adverts", func(v *v1alpha1.VIPSpec) {
			v.AuthSecretRef, v.AdvertIntervalMilliseconds = &v1alpha1.SecretKeySelector{Name: "vrrp"}, 500
		}, "spec.vip.advertIntervalMilliseconds", "set advertIntervalMilliseconds to a multiple of 1000"),
		Entry("authSecretRef with an IPv6 address", func(v *v1alpha1.VIPSpec) {
			v.AuthSecretRef, v.Addresses = &v1alpha1.SecretKeySelector{Name: "vrrp"}, []string{"fd00:31::15/64"}
		}, "spec.vip.authSecretRef", "remove the IPv6 addresses or remove authSecretRef"),
	)
})
