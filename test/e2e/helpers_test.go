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
	"sort"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// groupLabel puts nodes in a spec's own group: host-network fleets of
// different specs never share nodes, so their host ports cannot clash
// unless a spec wants them to.
const groupLabel = "e2e.portico.dev/group"

// addNodes adds n Ready simulated nodes in a fresh group and returns the
// group and the node names; they are deleted when the spec ends.
func addNodes(ctx context.Context, n int) (string, []string) {
	group := rand.String(5)
	var names []string
	for i := 1; i <= n; i++ {
		names = append(names, addNode(ctx, group, fmt.Sprintf("%s-%d", group, i)))
	}
	return group, names
}

func addNode(ctx context.Context, group, name string) string {
	Expect(cluster.AddNode(ctx, name, map[string]string{groupLabel: group})).To(Succeed())
	DeferCleanup(func(ctx context.Context) { Expect(cluster.DeleteNode(ctx, name)).To(Succeed()) })
	Expect(cluster.WaitNodeReady(ctx, name)).To(Succeed())
	return name
}

func onGroup(group string) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.Workload.NodeSelector = map[string]string{groupLabel: group}
	}
}

func hostNetwork(gw *v1alpha1.IngressGateway) { gw.Spec.Workload.HostNetwork = true }

func deployment(replicas int32) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.Workload.Kind = v1alpha1.WorkloadDeployment
		gw.Spec.Workload.Replicas = &replicas
	}
}

func createGateway(ctx context.Context, ns, name string, mutate ...func(*v1alpha1.IngressGateway)) *v1alpha1.IngressGateway {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	// IngressClasses are cluster-scoped and default to the gateway's name:
	// specs reuse names, so each namespace gets its own classes.
	gw.Spec.IngressClass.Name = ns + "-" + name
	for _, m := range mutate {
		m(gw)
	}
	ExpectWithOffset(1, k8sClient.Create(ctx, gw)).To(Succeed())
	return gw
}

func getGateway(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway) *v1alpha1.IngressGateway {
	cur := &v1alpha1.IngressGateway{}
	g.ExpectWithOffset(1, k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
	return cur
}

// updateGateway applies mutate to the latest gateway, retrying on conflicts.
func updateGateway(ctx context.Context, gw *v1alpha1.IngressGateway, mutate func(*v1alpha1.IngressGateway)) {
	EventuallyWithOffset(1, func() error {
		cur := &v1alpha1.IngressGateway{}
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), cur); err != nil {
			return err
		}
		mutate(cur)
		return k8sClient.Update(ctx, cur)
	}).Should(Succeed())
}

func condition(gw *v1alpha1.IngressGateway, t string) *metav1.Condition {
	return meta.FindStatusCondition(gw.Status.Conditions, t)
}

// expectReady waits until the gateway is Ready at its current generation.
func expectReady(ctx context.Context, gw *v1alpha1.IngressGateway) *v1alpha1.IngressGateway {
	var cur *v1alpha1.IngressGateway
	EventuallyWithOffset(1, func(g Gomega) {
		cur = getGateway(ctx, g, gw)
		g.Expect(cur.Status.ObservedGeneration).To(Equal(cur.Generation))
		ready := condition(cur, v1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "%s: %s", ready.Reason, ready.Message)
	}).Should(Succeed())
	return cur
}

// fleetPods lists the gateway's controller pods.
func fleetPods(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway) []corev1.Pod {
	pods := &corev1.PodList{}
	g.ExpectWithOffset(1, k8sClient.List(ctx, pods, client.InNamespace(gw.Namespace),
		client.MatchingLabels{render.GatewayNameLabel: gw.Name})).To(Succeed())
	return pods.Items
}

func podNodes(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Spec.NodeName)
	}
	sort.Strings(out)
	return out
}

// owned lists every object of every kind Portico manages, in every
// namespace, that carries the gateway's labels ("kind ns/name" strings).
func owned(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway) []string {
	var out []string
	for _, k := range render.ManagedKinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(k.GVK.GroupVersion().WithKind(k.GVK.Kind + "List"))
		g.ExpectWithOffset(1, k8sClient.List(ctx, list, client.MatchingLabels{
			render.GatewayNameLabel: gw.Name, render.GatewayNamespaceLabel: gw.Namespace,
		})).To(Succeed())
		for _, o := range list.Items {
			out = append(out, k.GVK.Kind+" "+o.GetNamespace()+"/"+o.GetName())
		}
	}
	sort.Strings(out)
	return out
}

// nodeIP is a node's InternalIP.
func nodeIP(ctx context.Context, name string) string {
	node := &corev1.Node{}
	Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, node)).To(Succeed())
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	Fail("node " + name + " has no InternalIP")
	return ""
}

// renderedChildren is what the operator should have created for gw: the
// offline render (names and kinds do not depend on cluster inputs).
func renderedChildren(g Gomega, gw *v1alpha1.IngressGateway) []string {
	res, err := render.Render(gw, renderConfig())
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	var out []string
	for _, o := range res.Objects {
		out = append(out, o.GetObjectKind().GroupVersionKind().Kind+" "+o.GetNamespace()+"/"+o.GetName())
	}
	sort.Strings(out)
	return out
}

// renderConfig is the configuration the operator process runs with.
func renderConfig() render.Config {
	cfg := render.DefaultConfig()
	cfg.KeepalivedImage = keepalivedImage
	return cfg
}
