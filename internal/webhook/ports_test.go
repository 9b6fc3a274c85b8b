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

package webhook_test

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// The port rules are the CRD's (CEL); these specs check that the API
// server enforces them as internal/crdschema's tests expect, with a field
// path on every rejection.
var _ = Describe("IngressGateway port rules through the API server", func() {
	var (
		ctx context.Context
		ns  string
	)
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	// build names gateways uniquely: the name is also the cluster-wide
	// IngressClass name.
	build := func(mutate ...func(*v1alpha1.IngressGateway)) *v1alpha1.IngressGateway {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ports-" + rand.String(6)}}
		for _, m := range mutate {
			m(gw)
		}
		return gw
	}
	// update applies mutate to the stored gateway, retrying when the
	// controller wrote in between, and returns the API server's answer.
	update := func(gw *v1alpha1.IngressGateway, mutate func(*v1alpha1.IngressGateway)) error {
		var err error
		Eventually(func() bool {
			cur := &v1alpha1.IngressGateway{}
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
			mutate(cur)
			err = k8sClient.Update(ctx, cur)
			return !apierrors.IsConflict(err)
		}).Should(BeTrue())
		return err
	}
	invalid := func(err error, field, msg string) {
		GinkgoHelper()
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(causes(err)).To(Equal([]string{field}), "%v", err)
		Expect(err.Error()).To(ContainSubstring(field + ": Invalid value: " + msg))
	}

	It("accepts a udp entry on the webhook port, which the controller binds for TCP only", func() {
		Expect(k8sClient.Create(ctx, build(udp(8443)))).To(Succeed())
		Expect(k8sClient.Create(ctx, build(udp(9443), func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = 9443 }))).To(Succeed())
	})

	It("rejects a tcp entry on the webhook port, and a udp entry on spec.ports, naming index, port and protocol", func() {
		invalid(k8sClient.Create(ctx, build(tcp(9000), tcp(9001), tcp(8443))), "spec.tcp",
			"spec.tcp[2].port: 8443/TCP is also spec.admissionWebhook.port; the controller listens there itself, so pick another port for the entry")
		invalid(k8sClient.Create(ctx, build(udp(53), udp(10254))), "spec.udp",
			"spec.udp[1].port: 10254/UDP is also spec.ports.healthz; ingress-nginx skips tcp/udp-services entries on the ports in spec.ports, UDP ones too")
	})

	It("accepts service.nodePorts with the type left at its default, LoadBalancer", func() {
		gw := build(func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Service.NodePorts = &v1alpha1.NodePorts{HTTP: ptr.To[int32](30080)}
			gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, NodePort: ptr.To[int32](30900), Backend: v1alpha1.Backend{Name: "svc", Port: port(9000)}}}
		})
		Expect(k8sClient.Create(ctx, gw)).To(Succeed())
	})

	It("rejects service.nodePorts where the default type is None (host network), at spec.service.nodePorts", func() {
		invalid(k8sClient.Create(ctx, build(hostNetwork, func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Service.NodePorts = &v1alpha1.NodePorts{HTTP: ptr.To[int32](30080)}
		})), "spec.service.nodePorts", "spec.service.nodePorts needs a Service with node ports, but the Service type is None (the default with workload.hostNetwork)")
	})

	It("reports a name too long for its children at metadata", func() {
		gw := build()
		gw.Name = strings.Repeat("n", 64)
		invalid(k8sClient.Create(ctx, gw), "metadata", "metadata.name must be at most 63 characters, not 64")
	})

	It("names both fields on create, and the field the user changed on update", func() {
		By("create: the webhook port on ports.https names both")
		invalid(k8sClient.Create(ctx, build(func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = 443 })),
			"spec.admissionWebhook.port", "spec.admissionWebhook.port: 443/TCP is also spec.ports.https")

		gw := build(tcp(9000))
		Expect(k8sClient.Create(ctx, gw)).To(Succeed())
		By("update: ports.https moved onto the webhook port blames spec.ports")
		invalid(update(gw, func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTPS = 8443 }),
			"spec.ports", "spec.ports.https: changed to 8443, which spec.admissionWebhook.port already uses; pick another port for it")
		By("update: ports.https moved onto a tcp entry blames spec.ports")
		invalid(update(gw, func(gw *v1alpha1.IngressGateway) { gw.Spec.Ports.HTTPS = 9000 }),
			"spec.ports", "spec.ports.https: changed to 9000, which spec.tcp[0].port already uses")
		By("update: the webhook port moved onto a tcp entry blames the webhook port")
		invalid(update(gw, func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = 9000 }),
			"spec.admissionWebhook.port", "spec.admissionWebhook.port: 9000/TCP is also spec.tcp[0].port")
		By("update: a tcp entry added on ports.https blames the entry")
		invalid(update(gw, func(gw *v1alpha1.IngressGateway) {
			gw.Spec.TCP = append(gw.Spec.TCP, v1alpha1.TCPService{Port: 443, Backend: v1alpha1.Backend{Name: "svc", Port: port(443)}})
		}), "spec.tcp", "spec.tcp[1].port: 443/TCP is also spec.ports.https")
	})
})
