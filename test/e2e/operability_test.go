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
	"io"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
)

var _ = Describe("Operability", func() {
	It("records events for created, updated and pruned children and exports gateway and child metrics", func() {
		ctx := context.Background()
		ns := newNamespace(ctx)
		gw := createGateway(ctx, ns, "obs", deployment(2))
		expectReady(ctx, gw)
		By("scaling to one replica prunes the PodDisruptionBudget and updates the Deployment")
		updateGateway(ctx, gw, func(gw *v1alpha1.IngressGateway) {
			one := int32(1)
			gw.Spec.Workload.Replicas = &one
		})
		expectReady(ctx, gw)

		reasons := func(g Gomega) map[string]string {
			events := &eventsv1.EventList{}
			g.Expect(k8sClient.List(ctx, events, client.InNamespace(ns))).To(Succeed())
			out := map[string]string{}
			for _, e := range events.Items {
				if e.Regarding.Kind == "IngressGateway" && e.Regarding.Name == gw.Name {
					out[e.Reason] = e.Note
				}
			}
			return out
		}
		Eventually(func(g Gomega) {
			r := reasons(g)
			g.Expect(r).To(HaveKeyWithValue("ChildrenCreated", ContainSubstring("ServiceAccount "+ns+"/obs-controller")))
			g.Expect(r).To(HaveKeyWithValue("ChildrenUpdated", ContainSubstring("Deployment "+ns+"/obs-controller")))
			g.Expect(r).To(HaveKeyWithValue("ChildrenPruned", ContainSubstring("PodDisruptionBudget "+ns+"/obs-controller")))
		}).Should(Succeed())

		By("the operator's /metrics")
		Eventually(func(g Gomega) {
			resp, err := http.Get("http://" + operator.metrics + "/metrics")
			g.Expect(err).NotTo(HaveOccurred())
			defer func() { _ = resp.Body.Close() }()
			body, err := io.ReadAll(resp.Body)
			g.Expect(err).NotTo(HaveOccurred())
			text := string(body)
			g.Expect(text).To(ContainSubstring(`portico_gateways{condition="Ready",reason="Available",status="True"}`))
			g.Expect(text).To(ContainSubstring(`portico_children_applied_total{kind="Deployment",operation="create"}`))
			g.Expect(text).To(ContainSubstring(`portico_children_applied_total{kind="Deployment",operation="update"}`))
			g.Expect(text).To(ContainSubstring(`portico_children_pruned_total{kind="PodDisruptionBudget"}`))
			g.Expect(strings.Contains(text, "controller_runtime_reconcile_total")).To(BeTrue())
		}).Should(Succeed())
	})
})
