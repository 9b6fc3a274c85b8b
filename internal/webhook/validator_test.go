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
	"fmt"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/testenv"
)

// warningRecorder collects the API server's warnings.
type warningRecorder struct {
	mu   sync.Mutex
	msgs []string
}

// HandleWarningHeaderWithContext implements rest.WarningHandlerWithContext.
func (w *warningRecorder) HandleWarningHeaderWithContext(_ context.Context, _ int, _, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

// causes returns the field paths of a rejection.
func causes(err error) []string {
	var out []string
	if s, ok := err.(apierrors.APIStatus); ok && s.Status().Details != nil {
		for _, c := range s.Status().Details.Causes {
			out = append(out, c.Field)
		}
	}
	return out
}

var _ = Describe("IngressGateway admission", func() {
	var (
		ctx context.Context
		ns  string
		// suffix makes this spec's gateway and class names unique in the
		// cluster, and its node selector value keeps its host-port gateways
		// disjoint from every other spec's.
		suffix string
	)

	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
		suffix = rand.String(6)
	})

	name := func(base string) string { return base + "-" + suffix }
	onNodes := func(group string) func(*v1alpha1.IngressGateway) {
		return func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Workload.NodeSelector = map[string]string{"test.portico.dev/nodes": suffix + "-" + group}
		}
	}
	// otherPorts moves the ports a host-network gateway with the defaults
	// binds off them (the schema refuses tcp entries on a gateway's own
	// ports, healthz included, in every mode).
	otherPorts := func(gw *v1alpha1.IngressGateway) {
		gw.Spec.Ports.HTTP, gw.Spec.Ports.HTTPS, gw.Spec.Ports.Healthz = 8080, 8444, 11254
	}

	build := func(base string, mutate ...func(*v1alpha1.IngressGateway)) *v1alpha1.IngressGateway {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name(base)}}
		for _, m := range mutate {
			m(gw)
		}
		return gw
	}
	// created creates a gateway that must be admitted, and waits until the
	// webhook's cache holds it, so the next review sees it.
	created := func(gw *v1alpha1.IngressGateway) *v1alpha1.IngressGateway {
		ExpectWithOffset(1, k8sClient.Create(ctx, gw)).To(Succeed())
		EventuallyWithOffset(1, func() error {
			return mgrClient.Get(ctx, client.ObjectKeyFromObject(gw), &v1alpha1.IngressGateway{})
		}).Should(Succeed())
		return gw
	}

	It("rejects a second host-network gateway with the default ports, naming the first and a port", func() {
		first := created(build("first", hostNetwork, onNodes("a")))
		err := k8sClient.Create(ctx, build("second", hostNetwork, onNodes("a")))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("spec.ports.http: Invalid value: 80: port 80/TCP is already bound on the same nodes by IngressGateway " +
			ns + "/" + first.Name + " (spec.ports.http); pick another port or give the two gateways disjoint spec.workload.nodeSelector values"))
		Expect(causes(err)).To(ContainElements("spec.ports.http", "spec.ports.https", "spec.ports.healthz", "spec.admissionWebhook.port"))
	})

	It("accepts two host-network gateways with the default ports on disjoint nodeSelectors", func() {
		created(build("first", hostNetwork, onNodes("a")))
		Expect(k8sClient.Create(ctx, build("second", hostNetwork, onNodes("b")))).To(Succeed())
	})

	It("accepts a tcp entry on the number of another gateway's udp entry: the protocols differ", func() {
		created(build("first", hostPorts, udp(8888), onNodes("a")))
		Expect(k8sClient.Create(ctx, build("second", hostPorts, otherPorts, tcp(8888), onNodes("a")))).To(Succeed())
	})

	It("rejects a tcp entry on another host-network gateway's healthz port, at spec.tcp[0].port", func() {
		first := created(build("first", hostNetwork, onNodes("a")))
		err := k8sClient.Create(ctx, build("second", hostPorts, otherPorts, tcp(10254), onNodes("a")))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(causes(err)).To(Equal([]string{"spec.tcp[0].port"}))
		Expect(err.Error()).To(ContainSubstring("port 10254/TCP is already bound on the same nodes by IngressGateway " + ns + "/" + first.Name + " (spec.ports.healthz)"))
	})

	It("rejects an update that introduces a conflict, and accepts one that does not", func() {
		created(build("first", hostNetwork, onNodes("a")))
		second := created(build("second", hostPorts, otherPorts, onNodes("a")))

		// update sets the tcp entries, retrying when the controller (adding
		// its finalizer) wrote in between.
		update := func(ports ...int32) error {
			var err error
			Eventually(func() bool {
				cur := &v1alpha1.IngressGateway{}
				Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(second), cur)).To(Succeed())
				cur.Spec.TCP = nil
				for _, p := range ports {
					cur.Spec.TCP = append(cur.Spec.TCP, v1alpha1.TCPService{Port: p, Backend: v1alpha1.Backend{Name: "svc", Port: port(p)}})
				}
				err = k8sClient.Update(ctx, cur)
				return !apierrors.IsConflict(err)
			}).Should(BeTrue())
			return err
		}

		By("adding a tcp entry on a free port")
		Expect(update(9000)).To(Succeed())

		By("adding one on the first gateway's healthz port")
		err := update(9000, 10254)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(causes(err)).To(Equal([]string{"spec.tcp[1].port"}))
	})

	It("rejects a floating address another gateway already floats", func() {
		vip := func(addr string) func(*v1alpha1.IngressGateway) {
			return func(gw *v1alpha1.IngressGateway) {
				gw.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{addr}, Image: "example.org/keepalived@sha256:" + strings.Repeat("2", 64)}
			}
		}
		first := created(build("vip-a", hostNetwork, onNodes("a"), vip("192.168.31.7/24")))
		err := k8sClient.Create(ctx, build("vip-b", hostNetwork, onNodes("b"), vip("192.168.31.7/32")))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(causes(err)).To(Equal([]string{"spec.vip.addresses[0]"}))
		Expect(err.Error()).To(ContainSubstring("address 192.168.31.7 is already a floating address of IngressGateway " + ns + "/" + first.Name))
	})

	It("rejects an explicit VRRP router ID another gateway uses, explicitly or as allocated", func() {
		// Each gateway floats its own address: a shared one is a conflict too.
		next := 0
		withVIP := func(routerID int32) func(*v1alpha1.IngressGateway) {
			next++
			addr := fmt.Sprintf("192.168.30.%d/24", next)
			return func(gw *v1alpha1.IngressGateway) {
				gw.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{addr}, Image: "example.org/keepalived@sha256:" + strings.Repeat("2", 64)}
				if routerID != 0 {
					gw.Spec.VIP.VirtualRouterID = &routerID
				}
			}
		}
		// The operator runs in this suite and allocates IDs from 1 upwards
		// for gateways without one; 200+ stays clear of those.
		id := int32(200 + rand.Intn(50))
		first := created(build("vrrp-a", hostNetwork, onNodes("a"), withVIP(id)))
		err := k8sClient.Create(ctx, build("vrrp-b", hostNetwork, onNodes("b"), withVIP(id)))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(causes(err)).To(Equal([]string{"spec.vip.virtualRouterID"}))
		Expect(err.Error()).To(ContainSubstring(fmt.Sprintf("spec.vip.virtualRouterID: Invalid value: %d: VRRP router ID %d is already used by IngressGateway %s/%s", id, id, ns, first.Name)))

		By("an ID the operator allocated (status.vip.routerID) counts too, once the webhook's cache has it")
		allocated := created(build("vrrp-c", hostNetwork, onNodes("c"), withVIP(0)))
		var got int32
		Eventually(func(g Gomega) {
			var seen v1alpha1.IngressGateway
			g.Expect(mgrClient.Get(ctx, client.ObjectKeyFromObject(allocated), &seen)).To(Succeed())
			g.Expect(seen.Status.VIP).NotTo(BeNil())
			g.Expect(seen.Status.VIP.RouterID).To(BeNumerically(">", 0))
			got = seen.Status.VIP.RouterID
		}).Should(Succeed())
		err = k8sClient.Create(ctx, build("vrrp-d", hostNetwork, onNodes("d"), withVIP(got)))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring(fmt.Sprintf("VRRP router ID %d is already used by IngressGateway %s/%s", got, ns, allocated.Name)))

		By("a free ID is accepted")
		Expect(k8sClient.Create(ctx, build("vrrp-e", hostNetwork, onNodes("e"), withVIP(id+1)))).To(Succeed())
	})

	It("rejects a second gateway with the same IngressClass name, naming the first", func() {
		first := created(build("public"))
		err := k8sClient.Create(ctx, build("other", class(first.Name)))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(causes(err)).To(Equal([]string{"spec.ingressClass.name"}))
		Expect(err.Error()).To(ContainSubstring(`IngressClass "` + first.Name + `" is already served by IngressGateway ` + ns + "/" + first.Name))
	})

	It("rejects a gateway whose IngressClass exists and is not Portico's, naming its controller", func() {
		ic := &networkingv1.IngressClass{
			ObjectMeta: metav1.ObjectMeta{Name: name("nginx")},
			Spec:       networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"},
		}
		Expect(k8sClient.Create(ctx, ic)).To(Succeed())
		DeferCleanup(func(ctx context.Context) { Expect(k8sClient.Delete(ctx, ic)).To(Succeed()) })

		err := k8sClient.Create(ctx, build("nginx"))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(causes(err)).To(Equal([]string{"spec.ingressClass.name"}))
		Expect(err.Error()).To(ContainSubstring(`IngressClass "` + ic.Name + `" already exists with controller "k8s.io/ingress-nginx" and is not managed by Portico`))
	})

	It("warns, when a class's driver changes, which gateways move and which stay until they drop what the new driver refuses", func() {
		class := testenv.PermissiveClass()
		class.Name, class.Spec.Default = name("mover"), false
		Expect(k8sClient.Create(ctx, class)).To(Succeed())
		DeferCleanup(func(ctx context.Context) { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, class))).To(Succeed()) })
		inClass := func(gw *v1alpha1.IngressGateway) { gw.Spec.GatewayClassName = class.Name }
		// The webhook judges gateways by the class in its cache.
		Eventually(func() error {
			return mgrClient.Get(ctx, client.ObjectKeyFromObject(class), &v1alpha1.IngressGatewayClass{})
		}).Should(Succeed())
		clean := created(build("clean", inClass))
		tuned := created(build("tuned", inClass, func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Controller.Config = map[string]string{"ssl-ciphers": "ALL"}
		}))

		rec := &warningRecorder{}
		cfg := rest.CopyConfig(env.Config)
		cfg.WarningHandlerWithContext = rec
		c, err := client.New(cfg, client.Options{Scheme: manager.Scheme()})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() error {
			cur := &v1alpha1.IngressGatewayClass{}
			if err := c.Get(ctx, client.ObjectKeyFromObject(class), cur); err != nil {
				return err
			}
			cur.Spec.DataPlane.Driver = v1alpha1.DriverTraefik
			return c.Update(ctx, cur)
		}).Should(Succeed())
		Expect(rec.take()).To(ConsistOf(
			"1 gateway(s) move from ingress-nginx to traefik, node by node, as their pods are replaced: "+ns+"/"+clean.Name,
			"IngressGateway "+ns+"/"+tuned.Name+" stays on ingress-nginx (its status will say ClassForbids) until it drops what traefik cannot honour: "+
				"spec.controller.config[ssl-ciphers]; see kubectl portico migrate-check -n "+ns+" "+tuned.Name,
		))
	})

	It("warns about a missing default certificate Secret and backend Service, and not once they exist", func() {
		rec := &warningRecorder{}
		cfg := rest.CopyConfig(env.Config)
		cfg.WarningHandlerWithContext = rec
		c, err := client.New(cfg, client.Options{Scheme: manager.Scheme()})
		Expect(err).NotTo(HaveOccurred())
		refs := func(gw *v1alpha1.IngressGateway) {
			gw.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "default-tls"}}
			gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "backend", Port: port(9000)}}}
			gw.Spec.UDP = []v1alpha1.UDPService{{Port: 9001, Backend: v1alpha1.Backend{Namespace: "elsewhere", Name: "dns", Port: port(53)}}}
		}

		// The class requires elsewhere's consent to the reference.
		Expect(testenv.GrantAll(ctx, k8sClient, ns, "elsewhere")).To(Succeed())

		By("accepting the gateway with warnings")
		Expect(c.Create(ctx, build("first", refs))).To(Succeed())
		Expect(rec.take()).To(ConsistOf(
			"spec.defaultCertificate.secretRef: Secret "+ns+"/default-tls does not exist yet; the gateway is accepted, "+
				"and its data plane serves its own self-signed certificate to HTTPS requests that match no Ingress TLS section until the Secret exists",
			"spec.tcp[0].backend: Service "+ns+"/backend does not exist yet; the gateway is accepted, "+
				"but connections to port 9000/TCP fail (the entry forwards to nothing) until the Service exists",
			"spec.udp[0].backend: Service elsewhere/dns does not exist yet; the gateway is accepted, "+
				"but connections to port 9001/UDP fail (the entry forwards to nothing) until the Service exists",
		))

		By("creating the Secret and the Services")
		Expect(k8sClient.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "default-tls"},
			Type:       corev1.SecretTypeTLS,
			Data:       map[string][]byte{corev1.TLSCertKey: []byte("unchecked"), corev1.TLSPrivateKeyKey: []byte("unchecked")},
		})).To(Succeed())
		service := func(ns, name string) *corev1.Service {
			return &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 9000}}},
			}
		}
		Expect(k8sClient.Create(ctx, service(ns, "backend"))).To(Succeed())
		if err := k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "elsewhere"}}); !apierrors.IsAlreadyExists(err) {
			Expect(err).NotTo(HaveOccurred())
		}
		if err := k8sClient.Create(ctx, service("elsewhere", "dns")); !apierrors.IsAlreadyExists(err) {
			Expect(err).NotTo(HaveOccurred())
		}

		By("accepting another gateway with the same references, without warnings")
		Expect(c.Create(ctx, build("second", refs))).To(Succeed())
		Expect(rec.take()).To(BeEmpty())
	})
})
