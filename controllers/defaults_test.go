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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/render"
)

// finalizerManagers returns the field managers of gw's metadata.finalizers.
func finalizerManagers(gw *v1alpha1.IngressGateway) []string {
	var out []string
	for _, m := range gw.ManagedFields {
		if m.FieldsV1 != nil && m.Subresource == "" && strings.Contains(m.FieldsV1.GetRawString(), `"f:finalizers"`) {
			out = append(out, m.Manager)
		}
	}
	return out
}

var _ = Describe("A new gateway's finalizer and shard label", func() {
	var ctx context.Context
	var ns string
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("are set by the API server as the gateway is created (portico-gateway-defaults), so the operator does not write them", func() {
		gw := createGateway(ctx, ns, "edge-7", nil)
		// The create response is the object as stored.
		Expect(gw.Finalizers).To(ConsistOf(render.Finalizer))
		Expect(gw.Labels).To(HaveKeyWithValue(render.ShardLabel, render.ShardOf("edge-7")))
		// Reconciled (status at its generation), without a metadata write.
		Eventually(func(g Gomega) {
			got := getGateway(ctx, g, gw)
			g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
			g.Expect(finalizerManagers(got)).NotTo(ContainElement(apply.FieldOwner))
		}).Should(Succeed())
	})

	It("are set by the operator when the name is generated (the policy does not know it yet)", func() {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, GenerateName: "gen-"}}
		Expect(k8sClient.Create(ctx, gw)).To(Succeed())
		Expect(gw.Finalizers).To(BeEmpty())
		Eventually(func(g Gomega) {
			got := getGateway(ctx, g, gw)
			g.Expect(got.Finalizers).To(ConsistOf(render.Finalizer))
			g.Expect(got.Labels).To(HaveKeyWithValue(render.ShardLabel, render.ShardOf(gw.Name)))
			g.Expect(finalizerManagers(got)).To(ContainElement(apply.FieldOwner))
		}).Should(Succeed())
	})

	It("are corrected by the operator when a user sets another shard", func() {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "relabelled"}}
		Expect(k8sClient.Create(ctx, gw)).To(Succeed())
		wrong := "0"
		if render.ShardOf(gw.Name) == wrong {
			wrong = "1"
		}
		patch := client.MergeFrom(gw.DeepCopy())
		gw.Labels[render.ShardLabel] = wrong
		Expect(k8sClient.Patch(ctx, gw, patch)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(getGateway(ctx, g, gw).Labels).To(HaveKeyWithValue(render.ShardLabel, render.ShardOf(gw.Name)))
		}).Should(Succeed())
	})
})
