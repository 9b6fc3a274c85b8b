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
	"fmt"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// podState is one fleet pod as one poll saw it.
type podState struct {
	name, node string
	traefik    bool
	ready      bool
	deleting   bool
}

// snapshot is every fleet pod at one moment.
type snapshot struct {
	at   time.Time
	pods []podState
}

func pollPods(ctx context.Context, gw *v1alpha1.IngressGateway) snapshot {
	pods := &corev1.PodList{}
	Expect(k8sClient.List(ctx, pods, client.InNamespace(gw.Namespace), client.MatchingLabels{render.GatewayNameLabel: gw.Name})).To(Succeed())
	s := snapshot{at: time.Now()}
	for _, p := range pods.Items {
		st := podState{name: p.Name, node: p.Spec.NodeName, deleting: p.DeletionTimestamp != nil,
			traefik: strings.Contains(p.Spec.Containers[0].Image, "traefik")}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				st.ready = !st.deleting
			}
		}
		s.pods = append(s.pods, st)
	}
	return s
}

var _ = Describe("Moving a fleet from ingress-nginx to Traefik", func() {
	var ctx context.Context
	var ns string
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("rolls a host-network VIP fleet node by node with one field, never two data planes on a node, and leaves every Ingress untouched", func() {
		class := testenv.PermissiveClass()
		class.Name, class.Spec.Default = "e2e-traefik", false
		class.Spec.DataPlane.Driver = v1alpha1.DriverTraefik
		class.Spec.Capabilities.ExtraArgs = nil
		Expect(client.IgnoreAlreadyExists(k8sClient.Create(ctx, class))).To(Succeed())

		group, nodes := addNodes(ctx, 3)
		gw := createGateway(ctx, ns, "edge", hostNetwork, onGroup(group), func(g *v1alpha1.IngressGateway) {
			g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"192.168.77.10/24"}}
			// No data-plane webhook: nothing here could answer it, and the
			// Ingress below must be admitted.
			g.Spec.AdmissionWebhook.Enabled = ptr.To(false)
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "redis", Port: intstr.FromInt32(6379)}}}
		})
		cur := expectReady(ctx, gw)
		Expect(cur.Status.Driver).To(HaveValue(Equal(v1alpha1.DriverIngressNGINX)))
		Eventually(func(g Gomega) { g.Expect(podNodes(fleetPods(ctx, g, gw))).To(Equal(nodes)) }).Should(Succeed())

		ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop",
			Annotations: map[string]string{"nginx.ingress.kubernetes.io/rewrite-target": "/"}},
			Spec: networkingv1.IngressSpec{IngressClassName: &gw.Spec.IngressClass.Name, DefaultBackend: &networkingv1.IngressBackend{
				Service: &networkingv1.IngressServiceBackend{Name: "shop", Port: networkingv1.ServiceBackendPort{Number: 80}}}}}
		Expect(k8sClient.Create(ctx, ing)).To(Succeed())
		ic := &networkingv1.IngressClass{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: gw.Spec.IngressClass.Name}, ic)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(ing), ing)).To(Succeed())

		By("setting spec.gatewayClassName to the traefik class, and watching every pod until the fleet is Ready again")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.GatewayClassName = class.Name })
		var timeline []snapshot
		deadline := time.Now().Add(2 * time.Minute)
		for {
			s := pollPods(ctx, gw)
			timeline = append(timeline, s)
			done := len(s.pods) == len(nodes) && !slices.ContainsFunc(s.pods, func(p podState) bool { return !p.traefik || !p.ready })
			if done {
				g := getGateway(ctx, Default, gw)
				if r := condition(g, v1alpha1.ConditionReady); g.Status.ObservedGeneration == g.Generation && r != nil && r.Status == metav1.ConditionTrue {
					break
				}
			}
			Expect(time.Now().Before(deadline)).To(BeTrue(), "the fleet did not finish moving to Traefik")
			time.Sleep(50 * time.Millisecond)
		}

		By("never two data planes on one node: the host ports are bound by one pod at a time")
		for _, s := range timeline {
			perNode := map[string][]string{}
			for _, p := range s.pods {
				if p.node != "" {
					perNode[p.node] = append(perNode[p.node], p.name)
				}
			}
			for node, pods := range perNode {
				Expect(pods).To(HaveLen(1), "node %s at %s ran %v", node, s.at.Format(time.StampMilli), pods)
			}
		}

		By("node by node: at most one node without a ready data plane at any moment, and none for longer than one pod start")
		gapStart := map[string]time.Time{}
		gaps := map[string]time.Duration{}
		seen := map[string]time.Time{} // when each Traefik pod was first seen
		starts := map[string]time.Duration{}
		var order []string
		for _, s := range timeline {
			ready := map[string]bool{}
			for _, p := range s.pods {
				if p.traefik {
					if _, ok := seen[p.name]; !ok {
						seen[p.name] = s.at
					}
					if _, ok := starts[p.node]; !ok && p.ready {
						starts[p.node] = s.at.Sub(seen[p.name])
					}
				}
				if p.ready {
					ready[p.node] = true
				}
			}
			var down []string
			for _, n := range nodes {
				switch {
				case !ready[n]:
					down = append(down, n)
					if _, ok := gapStart[n]; !ok {
						gapStart[n] = s.at
						order = append(order, n)
					}
				case !gapStart[n].IsZero() && gaps[n] == 0:
					gaps[n] = s.at.Sub(gapStart[n])
				}
			}
			Expect(len(down)).To(BeNumerically("<=", 1), "at %s nodes %v had no ready data plane", s.at.Format(time.StampMilli), down)
		}
		// Every node went from an ingress-nginx pod to a Traefik pod (a
		// switch faster than one poll shows no gap at all).
		for _, n := range nodes {
			var nginx, traefik bool
			for _, s := range timeline {
				for _, p := range s.pods {
					if p.node == n {
						nginx = nginx || !p.traefik
						traefik = traefik || p.traefik
					}
				}
			}
			Expect(nginx && traefik).To(BeTrue(), "node %s: seen ingress-nginx %t, Traefik %t", n, nginx, traefik)
		}
		for _, n := range order {
			// One pod start, plus the old pod's exit and the DaemonSet
			// controller's turn (polled every 50 ms).
			Expect(gaps[n]).To(BeNumerically("<=", starts[n]+2*time.Second), "node %s: %s without a ready data plane; a Traefik pod start took %s", n, gaps[n], starts[n])
			AddReportEntry(fmt.Sprintf("node %s", n), fmt.Sprintf("without a ready data plane for %s (Traefik pod start %s)", gaps[n].Round(time.Millisecond), starts[n].Round(time.Millisecond)))
		}

		By("the Ingress and its IngressClass are untouched; the gateway reports Traefik")
		after := &networkingv1.Ingress{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(ing), after)).To(Succeed())
		Expect(after.ResourceVersion).To(Equal(ing.ResourceVersion))
		icAfter := &networkingv1.IngressClass{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(ic), icAfter)).To(Succeed())
		Expect(icAfter.ResourceVersion).To(Equal(ic.ResourceVersion))
		cur = getGateway(ctx, Default, gw)
		Expect(cur.Status.Driver).To(HaveValue(Equal(v1alpha1.DriverTraefik)))
		Expect(condition(cur, v1alpha1.ConditionDataPlaneSupported).Status).To(Equal(metav1.ConditionTrue))
		Expect(cur.Status.VIP).NotTo(BeNil())
		Expect(cur.Status.VIP.Addresses).To(Equal([]string{"192.168.77.10"}))
	})
})
