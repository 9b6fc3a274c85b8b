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
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

var _ = Describe("The samples", func() {
	It("run on each driver on the simulated cluster: pods on their nodes, Ready, and gone with the gateway", func() {
		ctx := context.Background()
		Expect(client.IgnoreAlreadyExists(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ingress"}}))).To(Succeed())
		// The samples' own placement (vip-failover's ingress role) plus a
		// group of this spec's nodes, so no other spec's fleet shares them.
		group, nodes := addNodes(ctx, 2)
		for _, n := range nodes {
			Eventually(func() error {
				node := &corev1.Node{}
				if err := k8sClient.Get(ctx, client.ObjectKey{Name: n}, node); err != nil {
					return err
				}
				node.Labels["node-role.kubernetes.io/ingress"] = ""
				return k8sClient.Update(ctx, node)
			}).Should(Succeed())
		}
		traefik := testenv.PermissiveClass()
		traefik.Name, traefik.Spec.Default = "e2e-traefik", false
		traefik.Spec.DataPlane.Driver = v1alpha1.DriverTraefik
		traefik.Spec.Capabilities.ExtraArgs = nil
		Expect(client.IgnoreAlreadyExists(k8sClient.Create(ctx, traefik))).To(Succeed())

		files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "samples", "*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		for _, driver := range []v1alpha1.DataPlaneDriver{v1alpha1.DriverIngressNGINX, v1alpha1.DriverTraefik} {
			for _, f := range files {
				if filepath.Base(f) == "kustomization.yaml" {
					continue
				}
				By(filepath.Base(f) + " on " + string(driver))
				objs, err := kustomize.ReadFile(f)
				Expect(err).NotTo(HaveOccurred())
				var gws []*v1alpha1.IngressGateway
				for _, o := range objs {
					switch o.GetKind() {
					case "IngressGatewayClass":
						Expect(unstructured.SetNestedField(o.Object, string(driver), "spec", "dataPlane", "driver")).To(Succeed())
					case "IngressGateway":
						if name, _, _ := unstructured.NestedString(o.Object, "spec", "gatewayClassName"); name == "" && driver == v1alpha1.DriverTraefik {
							Expect(unstructured.SetNestedField(o.Object, traefik.Name, "spec", "gatewayClassName")).To(Succeed())
						}
						sel, _, _ := unstructured.NestedStringMap(o.Object, "spec", "workload", "nodeSelector")
						if sel == nil {
							sel = map[string]string{}
						}
						sel[groupLabel] = group
						Expect(unstructured.SetNestedStringMap(o.Object, sel, "spec", "workload", "nodeSelector")).To(Succeed())
						gws = append(gws, &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ingress", Name: o.GetName()}})
					}
				}
				Expect(testenv.ApplySamples(ctx, k8sClient, "ingress", objs)).To(Succeed())
				for _, gw := range gws {
					cur := expectReady(ctx, gw)
					Expect(cur.Status.Driver).To(HaveValue(Equal(driver)))
					Eventually(func(g Gomega) {
						pods := fleetPods(ctx, g, gw)
						g.Expect(pods).NotTo(BeEmpty())
						for _, p := range pods {
							g.Expect(nodes).To(ContainElement(p.Spec.NodeName))
							g.Expect(strings.Contains(p.Spec.Containers[0].Image, "traefik")).To(Equal(driver == v1alpha1.DriverTraefik), p.Spec.Containers[0].Image)
						}
					}).Should(Succeed())
					Expect(k8sClient.Delete(ctx, cur)).To(Succeed())
				}
				for _, gw := range gws {
					Eventually(func(g Gomega) {
						g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), &v1alpha1.IngressGateway{}))).To(BeTrue())
						g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.WorkloadName(gw), &appsv1.DaemonSet{}))).To(BeTrue())
						g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.WorkloadName(gw), &appsv1.Deployment{}))).To(BeTrue())
						g.Expect(fleetPods(ctx, g, gw)).To(BeEmpty())
					}).WithTimeout(time.Minute).Should(Succeed())
				}
				for _, o := range objs {
					if o.GetKind() == "IngressGatewayClass" {
						Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, o))).To(Succeed())
					}
				}
			}
		}
	})
})
