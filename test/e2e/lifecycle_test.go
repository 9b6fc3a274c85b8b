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

package e2e

import (
	"context"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

var _ = Describe("Fleet lifecycle", func() {
	var (
		ctx context.Context
		ns  string
	)
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("runs a pod on every matching node, follows nodes and nodeSelector, and leaves nothing behind on delete", func() {
		group, nodes := addNodes(ctx, 2)
		gw := createGateway(ctx, ns, "edge", hostNetwork, onGroup(group), func(gw *v1alpha1.IngressGateway) {
			gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: ns, Name: "redis", Port: intstr.FromInt32(6379)}}}
			gw.Spec.UDP = []v1alpha1.UDPService{{Port: 5353, Backend: v1alpha1.Backend{Namespace: ns, Name: "dns", Port: intstr.FromInt32(53)}}}
		})

		By("one Running pod per node of the group, the nodes' addresses in status")
		cur := expectReady(ctx, gw)
		Expect(cur.Status.Replicas.Desired).To(BeEquivalentTo(2))
		Expect(cur.Status.Replicas.Ready).To(BeEquivalentTo(2))
		Expect(cur.Status.Addresses).To(ConsistOf(nodeIP(ctx, nodes[0]), nodeIP(ctx, nodes[1])))
		Eventually(func(g Gomega) {
			g.Expect(podNodes(fleetPods(ctx, g, gw))).To(Equal(nodes))
		}).Should(Succeed())

		By("a node joining the group gets a pod, and status.replicas follows")
		third := addNode(ctx, group, group+"-3")
		Eventually(func(g Gomega) {
			cur := getGateway(ctx, g, gw)
			g.Expect(cur.Status.Replicas.Desired).To(BeEquivalentTo(3))
			g.Expect(cur.Status.Replicas.Ready).To(BeEquivalentTo(3))
			g.Expect(cur.Status.Addresses).To(ContainElement(nodeIP(ctx, third)))
			g.Expect(podNodes(fleetPods(ctx, g, gw))).To(Equal(append(append([]string{}, nodes...), third)))
		}).Should(Succeed())

		By("a nodeSelector change rolls the fleet onto the matching nodes only")
		node := &corev1.Node{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: third}, node)).To(Succeed())
		node.Labels["e2e.portico.dev/edge"] = "true"
		Expect(k8sClient.Update(ctx, node)).To(Succeed())
		updateGateway(ctx, gw, func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Workload.NodeSelector["e2e.portico.dev/edge"] = "true"
		})
		cur = expectReady(ctx, gw)
		Expect(cur.Status.Addresses).To(Equal([]string{nodeIP(ctx, third)}))
		Eventually(func(g Gomega) {
			g.Expect(podNodes(fleetPods(ctx, g, gw))).To(Equal([]string{third}))
		}).Should(Succeed())

		By("deleting the gateway removes every child, namespaced and cluster-scoped, and its pods")
		Expect(owned(ctx, Default, gw)).NotTo(BeEmpty())
		Expect(k8sClient.Delete(ctx, gw)).To(Succeed())
		Eventually(func(g Gomega) {
			err := k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), &v1alpha1.IngressGateway{})
			g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "gateway still there: %v", err)
			g.Expect(owned(ctx, g, gw)).To(BeEmpty())
			g.Expect(fleetPods(ctx, g, gw)).To(BeEmpty())
		}).Should(Succeed())
	})

	It("switches DaemonSet <-> Deployment on host ports, removing the old workload before the new one binds", func() {
		group, _ := addNodes(ctx, 2)
		gw := createGateway(ctx, ns, "switch", hostNetwork, onGroup(group))
		expectReady(ctx, gw)

		// The scheduler leaves a pod Pending when its host ports are taken;
		// watch for that during both switches.
		pendingOnPorts := func() []string {
			var out []string
			pods := &corev1.PodList{}
			Expect(k8sClient.List(ctx, pods, client.InNamespace(ns))).To(Succeed())
			for _, p := range pods.Items {
				for _, c := range p.Status.Conditions {
					if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && strings.Contains(c.Message, "free ports") {
						out = append(out, p.Name+": "+c.Message)
					}
				}
			}
			return out
		}
		for _, step := range []struct {
			kind     v1alpha1.WorkloadKind
			old, new client.Object
		}{
			{v1alpha1.WorkloadDeployment, &appsv1.DaemonSet{}, &appsv1.Deployment{}},
			{v1alpha1.WorkloadDaemonSet, &appsv1.Deployment{}, &appsv1.DaemonSet{}},
		} {
			By("switching to " + string(step.kind))
			updateGateway(ctx, gw, func(gw *v1alpha1.IngressGateway) {
				gw.Spec.Workload.Kind = step.kind
				if step.kind == v1alpha1.WorkloadDeployment {
					two := int32(2)
					gw.Spec.Workload.Replicas = &two
				} else {
					gw.Spec.Workload.Replicas = nil
				}
			})
			deadline := time.Now().Add(60 * time.Second)
			for {
				Expect(pendingOnPorts()).To(BeEmpty())
				cur := &v1alpha1.IngressGateway{}
				Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
				ready := condition(cur, v1alpha1.ConditionReady)
				if cur.Status.ObservedGeneration == cur.Generation && ready != nil && ready.Status == metav1.ConditionTrue {
					break
				}
				Expect(time.Now().Before(deadline)).To(BeTrue(), "not Ready after the switch: %+v", cur.Status.Conditions)
				time.Sleep(100 * time.Millisecond)
			}
			Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.WorkloadName(gw), step.old))).To(BeTrue())
			Expect(k8sClient.Get(ctx, render.WorkloadName(gw), step.new)).To(Succeed())
			// Two Deployment replicas get a PodDisruptionBudget; a
			// DaemonSet none.
			pdb := k8sClient.Get(ctx, render.PodDisruptionBudgetName(gw), &policyv1.PodDisruptionBudget{})
			if step.kind == v1alpha1.WorkloadDeployment {
				Expect(pdb).To(Succeed())
			} else {
				Eventually(func() bool {
					return apierrors.IsNotFound(k8sClient.Get(ctx, render.PodDisruptionBudgetName(gw), &policyv1.PodDisruptionBudget{}))
				}).Should(BeTrue())
			}
			Eventually(func(g Gomega) { g.Expect(fleetPods(ctx, g, gw)).To(HaveLen(2)) }).Should(Succeed())
		}
	})

	It("reports HostPortConflict, naming nodes and ports, when two fleets are forced onto the same host ports", func() {
		// The operator's webhook refuses this; it does not run here, as
		// when someone installs without it or edits around it.
		group, nodes := addNodes(ctx, 2)
		first := createGateway(ctx, ns, "first", hostNetwork, onGroup(group))
		expectReady(ctx, first)
		second := createGateway(ctx, ns, "second", hostNetwork, onGroup(group))
		Eventually(func(g Gomega) {
			cur := getGateway(ctx, g, second)
			d := condition(cur, v1alpha1.ConditionDegraded)
			g.Expect(d).NotTo(BeNil())
			g.Expect(d.Reason).To(Equal(v1alpha1.ReasonHostPortConflict))
			g.Expect(d.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(d.Message).To(ContainSubstring("2 controller pod(s) cannot be scheduled"))
			g.Expect(d.Message).To(ContainSubstring("node(s) " + nodes[0] + ", " + nodes[1]))
			g.Expect(d.Message).To(ContainSubstring("80/TCP, 443/TCP"))
			g.Expect(condition(cur, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionFalse))
		}).Should(Succeed())
		Expect(condition(getGateway(ctx, Default, first), v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue))

		By("the clash resolves when the first fleet goes")
		Expect(k8sClient.Delete(ctx, first)).To(Succeed())
		cur := expectReady(ctx, second)
		Expect(condition(cur, v1alpha1.ConditionDegraded).Reason).To(Equal(v1alpha1.ReasonAsExpected))
	})

	It("reports tcp/udp backends whose Service or port is missing, keeps the fleet Ready, and recovers", func() {
		service := func(name string, port int32, proto corev1.Protocol) *corev1.Service {
			return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "main", Port: port, Protocol: proto}}, Selector: map[string]string{"app": name}}}
		}
		Expect(k8sClient.Create(ctx, service("db", 5432, corev1.ProtocolTCP))).To(Succeed())
		dns := service("dns", 5353, corev1.ProtocolUDP)
		Expect(k8sClient.Create(ctx, dns)).To(Succeed())
		gw := createGateway(ctx, ns, "edge", deployment(1), func(gw *v1alpha1.IngressGateway) {
			gw.Spec.TCP = []v1alpha1.TCPService{
				{Port: 9000, Backend: v1alpha1.Backend{Name: "db", Port: intstr.FromString("main")}},
				{Port: 9001, Backend: v1alpha1.Backend{Name: "cache", Port: intstr.FromInt32(6379)}},
			}
			gw.Spec.UDP = []v1alpha1.UDPService{{Port: 5300, Backend: v1alpha1.Backend{Name: "dns", Port: intstr.FromInt32(53)}}}
		})
		Eventually(func(g Gomega) {
			cur := getGateway(ctx, g, gw)
			c := condition(cur, v1alpha1.ConditionBackendsResolved)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(c.Reason).To(Equal(v1alpha1.ReasonBackendNotFound))
			g.Expect(c.Message).To(ContainSubstring("2 of 3 tcp/udp backends do not resolve"))
			g.Expect(c.Message).To(ContainSubstring("spec.tcp[1].backend: Service " + ns + "/cache does not exist"))
			g.Expect(c.Message).To(ContainSubstring("spec.udp[0].backend: Service " + ns + "/dns has no port 53"))
			g.Expect(c.Message).NotTo(ContainSubstring("spec.tcp[0]"))
			g.Expect(condition(cur, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue))
		}).Should(Succeed())

		By("creating the missing Service and fixing the port resolves them, without a spec change")
		Expect(k8sClient.Create(ctx, service("cache", 6379, corev1.ProtocolTCP))).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(dns), dns)).To(Succeed())
		dns.Spec.Ports[0].Port = 53
		Expect(k8sClient.Update(ctx, dns)).To(Succeed())
		Eventually(func(g Gomega) {
			c := condition(getGateway(ctx, g, gw), v1alpha1.ConditionBackendsResolved)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue), c.Message)
			g.Expect(c.Reason).To(Equal(v1alpha1.ReasonBackendsResolved))
		}).Should(Succeed())
	})

	It("tells the truth in status: Ready only when every pod of the current generation is available, Progressing with counts", func() {
		// Three host-network replicas on one node: one pod binds the ports,
		// two can never be scheduled.
		group, nodes := addNodes(ctx, 1)
		gw := createGateway(ctx, ns, "truth", hostNetwork, onGroup(group), deployment(3))
		Eventually(func(g Gomega) {
			cur := getGateway(ctx, g, gw)
			g.Expect(cur.Status.ObservedGeneration).To(Equal(cur.Generation))
			ready, progressing := condition(cur, v1alpha1.ConditionReady), condition(cur, v1alpha1.ConditionProgressing)
			g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(ready.Reason).To(Equal(v1alpha1.ReasonRollingOut))
			g.Expect(progressing.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(progressing.Message).To(ContainSubstring("1/3 available"))
			g.Expect(cur.Status.Replicas.Desired).To(BeEquivalentTo(3))
			g.Expect(cur.Status.Replicas.Available).To(BeEquivalentTo(1))
			g.Expect(condition(cur, v1alpha1.ConditionDegraded).Reason).To(Equal(v1alpha1.ReasonHostPortConflict))
			g.Expect(cur.Status.Addresses).To(Equal([]string{nodeIP(ctx, nodes[0])}))
		}).Should(Succeed())

		By("scaling to what fits makes it Ready, at the new generation")
		updateGateway(ctx, gw, func(gw *v1alpha1.IngressGateway) {
			one := int32(1)
			gw.Spec.Workload.Replicas = &one
		})
		cur := expectReady(ctx, gw)
		Expect(condition(cur, v1alpha1.ConditionReady).ObservedGeneration).To(Equal(cur.Generation))
		Expect(condition(cur, v1alpha1.ConditionProgressing).Status).To(Equal(metav1.ConditionFalse))
		Expect(condition(cur, v1alpha1.ConditionDegraded).Reason).To(Equal(v1alpha1.ReasonAsExpected))
	})

	It("never touches objects it did not create: a name clash is reported, user objects stay as they are", func() {
		By("the user's own objects: a ConfigMap with a child's name, a backend, a certificate, an Ingress")
		squatter := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "own-tcp"}, Data: map[string]string{"mine": "yes"}}
		Expect(k8sClient.Create(ctx, squatter)).To(Succeed())
		backend := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "redis"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 6379}}, Selector: map[string]string{"app": "redis"}}}
		Expect(k8sClient.Create(ctx, backend)).To(Succeed())
		cert, err := testenv.SelfSignedTLSSecret(ns, "tls", "*.example.test")
		Expect(err).NotTo(HaveOccurred())
		Expect(k8sClient.Create(ctx, cert)).To(Succeed())
		pathType := networkingv1.PathTypePrefix
		class := "own"
		ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "site"},
			Spec: networkingv1.IngressSpec{IngressClassName: &class, Rules: []networkingv1.IngressRule{{Host: "site.example.test",
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
					Path: "/", PathType: &pathType,
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "redis", Port: networkingv1.ServiceBackendPort{Number: 6379}}},
				}}}}}}}}
		Expect(k8sClient.Create(ctx, ing)).To(Succeed())
		users := []client.Object{squatter, backend, cert, ing}
		versions := map[string]string{}
		for _, o := range users {
			versions[o.GetName()] = o.GetResourceVersion()
		}

		gw := createGateway(ctx, ns, "own", func(gw *v1alpha1.IngressGateway) {
			gw.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "tls"}}
			gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: ns, Name: "redis", Port: intstr.FromInt32(6379)}}}
		})
		By("the gateway reports the clash as Degraded/NameConflict, naming the object")
		Eventually(func(g Gomega) {
			d := condition(getGateway(ctx, g, gw), v1alpha1.ConditionDegraded)
			g.Expect(d).NotTo(BeNil())
			g.Expect(d.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(d.Reason).To(Equal(v1alpha1.ReasonNameConflict))
			g.Expect(d.Message).To(ContainSubstring("own-tcp"))
		}).Should(Succeed())

		Consistently(func(g Gomega) {
			cur := &corev1.ConfigMap{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(squatter), cur)).To(Succeed())
			g.Expect(cur.ResourceVersion).To(Equal(versions[squatter.Name]), "the squatter was modified")
		}, "2s").Should(Succeed())

		By("removing the squatter lets the fleet converge; deleting the gateway leaves the user's objects")
		Expect(k8sClient.Delete(ctx, squatter)).To(Succeed())
		expectReady(ctx, gw)
		Expect(k8sClient.Delete(ctx, gw)).To(Succeed())
		Eventually(func(g Gomega) { g.Expect(owned(ctx, g, gw)).To(BeEmpty()) }).Should(Succeed())
		for _, o := range users[1:] {
			cur := o.DeepCopyObject().(client.Object)
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(o), cur)).To(Succeed())
			Expect(cur.GetResourceVersion()).To(Equal(versions[o.GetName()]), "%T %s was modified", o, o.GetName())
			Expect(cur.GetOwnerReferences()).To(BeEmpty())
			Expect(cur.GetDeletionTimestamp()).To(BeNil())
		}
	})
})
