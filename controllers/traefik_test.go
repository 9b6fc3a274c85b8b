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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// traefikClass is the suite's permissive class with the traefik driver.
func traefikClass(ctx context.Context) string {
	c := testenv.PermissiveClass()
	c.Name = "portico-test-traefik"
	c.Spec.Default = false
	c.Spec.DataPlane.Driver = v1alpha1.DriverTraefik
	c.Spec.Capabilities.ExtraArgs = nil
	if err := k8sClient.Create(ctx, c); err != nil {
		Expect(client.IgnoreAlreadyExists(err)).To(Succeed())
	}
	return c.Name
}

// dynamicServers reads the servers of every tcp/udp service of the traefik
// dynamic configuration: "tcp-9000" -> "redis.default.svc:6379".
func dynamicServers(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway) map[string]string {
	cm := getConfigMap(ctx, g, render.TraefikConfigMapName(gw))
	var doc map[string]map[string]map[string]map[string]any
	g.Expect(yaml.Unmarshal([]byte(cm.Data["dynamic.yaml"]), &doc)).To(Succeed())
	out := map[string]string{}
	for _, proto := range []string{"tcp", "udp"} {
		for name, svc := range doc[proto]["services"] {
			servers := svc["loadBalancer"].(map[string]any)["servers"].([]any)
			out[name] = servers[0].(map[string]any)["address"].(string)
		}
	}
	return out
}

var _ = Describe("IngressGateway on the traefik driver", func() {
	var ctx context.Context
	var ns string
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("routes tcp/udp through the dynamic configuration, reloads backends without restarts, and restarts (announced) for new entry points", func() {
		class := traefikClass(ctx)
		pg := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pg"}, Spec: corev1.ServiceSpec{
			Ports: []corev1.ServicePort{{Name: "postgres", Port: 5432, Protocol: corev1.ProtocolTCP}}}}
		Expect(k8sClient.Create(ctx, pg)).To(Succeed())
		gw := createGateway(ctx, ns, "edge", func(g *v1alpha1.IngressGateway) {
			g.Spec.GatewayClassName = class
			g.Spec.IngressClass.Name = ns // IngressClass names are cluster-wide; other specs have gateways named edge
			g.Spec.Service.Type = v1alpha1.ServiceTypeLoadBalancer
			g.Spec.Controller.Config = map[string]string{"proxy-body-size": "8m", "use-forwarded-headers": "true"}
			g.Spec.TCP = []v1alpha1.TCPService{
				{Port: 9000, Backend: v1alpha1.Backend{Namespace: "default", Name: "redis", Port: intstr.FromInt32(6379)}},
				{Port: 5432, Backend: v1alpha1.Backend{Name: "pg", Port: intstr.FromString("postgres")},
					ProxyProtocol: &v1alpha1.ProxyProtocol{Decode: true, Encode: true}},
			}
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Namespace: "kube-system", Name: "kube-dns", Port: intstr.FromInt32(53)}}}
		})
		var generation int64
		Eventually(func(g Gomega) {
			g.Expect(dynamicServers(ctx, g, gw)).To(Equal(map[string]string{
				"tcp-9000": "redis.default.svc:6379",
				"tcp-5432": "pg." + ns + ".svc:5432", // the port name, resolved from the Service
				"udp-53":   "kube-dns.kube-system.svc:53",
			}))
			ds := getDaemonSet(ctx, g, gw)
			g.Expect(containerArgs(ds.Spec.Template.Spec)).To(ContainElements(
				"--entryPoints.tcp-9000.address=:9000/tcp",
				"--entryPoints.tcp-5432.proxyProtocol.insecure=true",
				"--entryPoints.udp-53.address=:53/udp",
				"--providers.kubernetesIngressNGINX.proxyBodySize=8388608",
				"--entryPoints.web.forwardedHeaders.insecure=true",
				"--providers.kubernetesIngressNGINX.publishService="+ns+"/edge-controller",
			))
			generation = ds.Generation
			cur := getGateway(ctx, g, gw)
			g.Expect(cur.Status.Driver).To(HaveValue(Equal(v1alpha1.DriverTraefik)))
			g.Expect(condition(cur, v1alpha1.ConditionDataPlaneSupported).Reason).To(Equal(v1alpha1.ReasonUpstreamMaintained))
		}).Should(Succeed())
		for _, gone := range []string{render.TCPConfigMapName(gw).Name, render.MainConfigMapName(gw).Name} {
			Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: gone}, &corev1.ConfigMap{})).NotTo(Succeed(), "Traefik reads no %s", gone)
		}

		By("a backend change reloads the dynamic configuration and leaves the pods alone")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.TCP[0].Backend.Port = intstr.FromInt32(6380) })
		Eventually(func(g Gomega) {
			g.Expect(dynamicServers(ctx, g, gw)).To(HaveKeyWithValue("tcp-9000", "redis.default.svc:6380"))
		}).Should(Succeed())
		By("so does renumbering the named Service port")
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(pg), pg)).To(Succeed())
			pg.Spec.Ports[0].Port = 5433
			g.Expect(k8sClient.Update(ctx, pg)).To(Succeed())
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(dynamicServers(ctx, g, gw)).To(HaveKeyWithValue("tcp-5432", "pg."+ns+".svc:5433"))
		}).Should(Succeed())
		Consistently(func(g Gomega) { g.Expect(getDaemonSet(ctx, g, gw).Generation).To(Equal(generation)) }, "1s").Should(Succeed())

		By("a new tcp port is a new entry point: the template changes, and an event and Progressing say why the pods restart")
		old := getDaemonSet(ctx, Default, gw).Spec.Template
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "edge-old", Labels: old.Labels}, Spec: *old.Spec.DeepCopy()}
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = append(g.Spec.TCP, v1alpha1.TCPService{Port: 7000, Backend: v1alpha1.Backend{Name: "pg", Port: intstr.FromInt32(5433)}})
		})
		Eventually(func(g Gomega) {
			g.Expect(containerArgs(getDaemonSet(ctx, g, gw).Spec.Template.Spec)).To(ContainElement("--entryPoints.tcp-7000.address=:7000/tcp"))
			g.Expect(gatewayEvents(ctx, g, gw, v1alpha1.ReasonEntryPointsChanged)).To(ContainElement(
				"DaemonSet " + ns + "/edge-controller: tcp/udp entry points changed (added tcp-7000); Traefik's entry points are static, so its pods are replaced, node by node"))
		}).Should(Succeed())
		setDaemonSetStatus(ctx, gw, 1, 0, 1)
		cur := expectCondition(ctx, gw, v1alpha1.ConditionProgressing, metav1.ConditionTrue, v1alpha1.ReasonEntryPointsChanged)
		Expect(condition(cur, v1alpha1.ConditionProgressing).Message).To(HavePrefix("tcp/udp entry points changed (added tcp-7000): Traefik's entry points are static"))

	})
})
