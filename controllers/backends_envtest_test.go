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

	"github.com/portico-dev/portico/api/v1alpha1"
)

var _ = Describe("BackendsResolved", func() {
	ctx := context.Background()

	It("resolves backend ports as ingress-nginx does: a quoted number is a number, and the protocol must match", func() {
		ns := newNamespace(ctx)
		redis := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "redis"}, Spec: corev1.ServiceSpec{
			Ports: []corev1.ServicePort{{Name: "redis", Port: 6379, Protocol: corev1.ProtocolTCP}}}}
		dns := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dns"}, Spec: corev1.ServiceSpec{
			Ports: []corev1.ServicePort{{Name: "dns-tcp", Port: 53, Protocol: corev1.ProtocolTCP}}}}
		Expect(k8sClient.Create(ctx, redis)).To(Succeed())
		Expect(k8sClient.Create(ctx, dns)).To(Succeed())
		gw := createGateway(ctx, ns, "streams", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "redis", Port: intstr.FromString("6379")}}}
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 5300, Backend: v1alpha1.Backend{Name: "dns", Port: intstr.FromInt32(53)}}}
		})

		By("the udp entry finds only a TCP port 53; the quoted 6379 is port 6379")
		cur := expectCondition(ctx, gw, v1alpha1.ConditionBackendsResolved, metav1.ConditionFalse, v1alpha1.ReasonBackendNotFound)
		msg := condition(cur, v1alpha1.ConditionBackendsResolved).Message
		Expect(msg).To(ContainSubstring("1 of 2 tcp/udp backends do not resolve"))
		Expect(msg).To(ContainSubstring("spec.udp[0].backend: Service " + ns + "/dns has no port 53/UDP (its ports: dns-tcp 53/TCP); " +
			"ingress-nginx forwards a udp entry only to a UDP Service port"))
		Expect(msg).NotTo(ContainSubstring("spec.tcp[0]"))

		By("adding the UDP port resolves it")
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(dns), dns)).To(Succeed())
		dns.Spec.Ports = append(dns.Spec.Ports, corev1.ServicePort{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP})
		Expect(k8sClient.Update(ctx, dns)).To(Succeed())
		expectCondition(ctx, gw, v1alpha1.ConditionBackendsResolved, metav1.ConditionTrue, v1alpha1.ReasonBackendsResolved)
	})
})
