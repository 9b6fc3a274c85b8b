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

package trust_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// allowedImage is the one image class "team" lets gateways choose.
var allowedImage = "registry.example/ingress-nginx/controller:v1.15.1@sha256:" + strings.Repeat("ab", 32)

// createClasses makes the classes the cases run against, all allowing only
// teamNS: "team" (scope GatewayNamespace, no capabilities, one allowed
// image), "vip-team" (host network and VIPs in 192.168.50.0/28) and
// "shared" (scope Cluster, cross-namespace references with grants).
func createClasses(ctx context.Context) {
	only := v1alpha1.AllowedNamespaces{Names: []string{teamNS}}
	for _, c := range []*v1alpha1.IngressGatewayClass{
		{ObjectMeta: metav1.ObjectMeta{Name: "team"}, Spec: v1alpha1.IngressGatewayClassSpec{AllowedNamespaces: only,
			DataPlane: v1alpha1.DataPlaneSpec{Scope: v1alpha1.ScopeGatewayNamespace, AllowedImages: []string{allowedImage}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "vip-team"}, Spec: v1alpha1.IngressGatewayClassSpec{AllowedNamespaces: only,
			DataPlane:    v1alpha1.DataPlaneSpec{Scope: v1alpha1.ScopeGatewayNamespace},
			Capabilities: v1alpha1.ClassCapabilities{HostNetwork: true, VIP: &v1alpha1.VIPCapability{AddressPools: []string{"192.168.50.0/28"}}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "shared"}, Spec: v1alpha1.IngressGatewayClassSpec{AllowedNamespaces: only,
			DataPlane: v1alpha1.DataPlaneSpec{Scope: v1alpha1.ScopeCluster}, References: v1alpha1.ClassReferences{CrossNamespace: true}}},
		// traefik: what Traefik cannot honour is refused even where the
		// class's capabilities would allow it (flags, references).
		{ObjectMeta: metav1.ObjectMeta{Name: "traefik"}, Spec: v1alpha1.IngressGatewayClassSpec{AllowedNamespaces: only,
			DataPlane:    v1alpha1.DataPlaneSpec{Driver: v1alpha1.DriverTraefik, Scope: v1alpha1.ScopeCluster},
			Capabilities: v1alpha1.ClassCapabilities{ExtraArgs: []string{"enable-metrics", "watch-ingress-without-class"}},
			References:   v1alpha1.ClassReferences{CrossNamespace: true}}},
	} {
		Expect(admin.Create(ctx, c)).To(Succeed())
	}
	// certs consents to team-a for Secret "other" only, and to team-b for "wild".
	for _, g := range []struct{ from, secret string }{{teamNS, "other"}, {"team-b", "wild"}} {
		Expect(admin.Create(ctx, &v1alpha1.IngressGatewayGrant{
			ObjectMeta: metav1.ObjectMeta{Namespace: "certs", Name: "for-" + g.from},
			Spec: v1alpha1.IngressGatewayGrantSpec{From: []v1alpha1.GrantFrom{{Namespace: g.from}},
				To: []v1alpha1.GrantTo{{Kind: "Secret", Name: g.secret}}},
		})).To(Succeed())
	}
}

// hostile is one thing a namespace editor tries.
type hostile struct {
	name  string
	class string // spec.gatewayClassName; "" uses the default class
	mut   func(*v1alpha1.IngressGateway)
	// rules are the rule IDs that must refuse it; fields the gateway
	// field paths the denial names. notFound: no class to judge it.
	rules    []string
	fields   []string
	notFound bool
}

func hostNet(g *v1alpha1.IngressGateway) { g.Spec.Workload.HostNetwork = true }

var hostileCases = []hostile{
	{name: "gateway in a namespace the default class does not allow", rules: []string{"namespace"}, fields: []string{"metadata.namespace"}},
	{name: "naming the install's default class explicitly", class: "default", rules: []string{"namespace"}, fields: []string{"metadata.namespace"}},
	{name: "naming a class that does not exist", class: "nope", notFound: true, fields: []string{"spec.gatewayClassName"}},
	{name: "host network", class: "team", mut: hostNet, rules: []string{"hostNetwork"}, fields: []string{"spec.workload.hostNetwork"}},
	{name: "host ports", class: "team", mut: func(g *v1alpha1.IngressGateway) { g.Spec.Workload.HostPorts = true },
		rules: []string{"hostPorts"}, fields: []string{"spec.workload.hostPorts"}},
	{name: "the cluster's default IngressClass", class: "team", mut: func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Default = true },
		rules: []string{"defaultIngressClass"}, fields: []string{"spec.ingressClass.default"}},
	{name: "IngressClass aliases", class: "team", mut: func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Aliases = []string{"nginx"} },
		rules: []string{"ingressClassAliases"}, fields: []string{"spec.ingressClass.aliases"}},
	{name: "snippet annotations", class: "team", mut: func(g *v1alpha1.IngressGateway) { g.Spec.Controller.AllowSnippetAnnotations = true },
		rules: []string{"snippets"}, fields: []string{"spec.controller.allowSnippetAnnotations"}},
	{name: "annotations-risk-level Critical", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.Controller.AllowSnippetAnnotations = true
		g.Spec.Controller.Config = map[string]string{"annotations-risk-level": "Critical"}
	}, rules: []string{"snippets"}, fields: []string{"spec.controller.allowSnippetAnnotations", "spec.controller.config[annotations-risk-level]"}},
	{name: "annotations-risk-level critical (lower case)", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.Controller.AllowSnippetAnnotations = true
		g.Spec.Controller.Config = map[string]string{"annotations-risk-level": "critical"}
	}, rules: []string{"snippets"}, fields: []string{"spec.controller.config[annotations-risk-level]"}},
	{name: "main-snippet", class: "team", mut: snippet("main-snippet"), rules: []string{"snippets"}, fields: []string{"spec.controller.config[main-snippet]"}},
	{name: "http-snippet", class: "team", mut: snippet("http-snippet"), rules: []string{"snippets"}, fields: []string{"spec.controller.config[http-snippet]"}},
	{name: "server-snippet", class: "team", mut: snippet("server-snippet"), rules: []string{"snippets"}, fields: []string{"spec.controller.config[server-snippet]"}},
	{name: "location-snippet", class: "team", mut: snippet("location-snippet"), rules: []string{"snippets"}, fields: []string{"spec.controller.config[location-snippet]"}},
	{name: "stream-snippet", class: "team", mut: snippet("stream-snippet"), rules: []string{"snippets"}, fields: []string{"spec.controller.config[stream-snippet]"}},
	{name: "--watch-ingress-without-class", class: "team", mut: arg("watch-ingress-without-class", "true"),
		rules: []string{"extraArgs"}, fields: []string{"spec.controller.extraArgs[watch-ingress-without-class]"}},
	{name: "--enable-annotation-validation=false", class: "team", mut: arg("enable-annotation-validation", "false"),
		rules: []string{"extraArgs"}, fields: []string{"spec.controller.extraArgs[enable-annotation-validation]"}},
	{name: "--annotations-prefix", class: "team", mut: arg("annotations-prefix", "evil.example"),
		rules: []string{"extraArgs"}, fields: []string{"spec.controller.extraArgs[annotations-prefix]"}},
	{name: "an unpinned controller image", class: "team", mut: func(g *v1alpha1.IngressGateway) { g.Spec.Controller.Image = "evil.example/controller:latest" },
		rules: []string{"image"}, fields: []string{"spec.controller.image"}},
	{name: "a pinned image the class does not list", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.Controller.Image = "evil.example/controller@sha256:" + strings.Repeat("cd", 32)
	}, rules: []string{"image"}, fields: []string{"spec.controller.image"}},
	{name: "a keepalived image of their own", class: "vip-team", mut: func(g *v1alpha1.IngressGateway) {
		hostNet(g)
		g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"192.168.50.5/28"}, Image: "evil.example/keepalived:1"}
	}, rules: []string{"keepalivedImage"}, fields: []string{"spec.vip.image"}},
	{name: "a VIP under a class without VIPs", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		hostNet(g)
		g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"192.168.50.5/28"}}
	}, rules: []string{"hostNetwork", "vip"}, fields: []string{"spec.workload.hostNetwork", "spec.vip"}},
	{name: "the cluster's Service IP as VIP", class: "vip-team", mut: func(g *v1alpha1.IngressGateway) {
		hostNet(g)
		g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"10.0.0.1/32"}}
	}, rules: []string{"vipAddressPools"}, fields: []string{"spec.vip.addresses[0]"}},
	{name: "the LAN gateway as VIP", class: "vip-team", mut: func(g *v1alpha1.IngressGateway) {
		hostNet(g)
		g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"192.168.50.5/28", "192.168.50.254/28"}}
	}, rules: []string{"vipAddressPools"}, fields: []string{"spec.vip.addresses[1]"}},
	{name: "a VIP in the pool with a prefix wider than the pool (a route for half the Internet)", class: "vip-team", mut: func(g *v1alpha1.IngressGateway) {
		hostNet(g)
		g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"192.168.50.5/1"}}
	}, rules: []string{"vipAddressPools"}, fields: []string{"spec.vip.addresses[0]"}},
	{name: "allow-cross-namespace-resources (Ingresses reading any namespace's Secrets)", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.Controller.Config = map[string]string{"allow-cross-namespace-resources": "true"}
	}, rules: []string{"snippets"}, fields: []string{"spec.controller.config[allow-cross-namespace-resources]"}},
	{name: "ssl-dh-param naming a kube-system Secret", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.Controller.Config = map[string]string{"ssl-dh-param": "kube-system/dh"}
	}, rules: []string{"crossNamespaceReferences", "scopeReferences"}, fields: []string{"spec.controller.config[ssl-dh-param].namespace"}},
	{name: "tolerate every taint", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.Workload.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	}, rules: []string{"tolerations"}, fields: []string{"spec.workload.tolerations[0]"}},
	{name: "system-node-critical priority", class: "team", mut: func(g *v1alpha1.IngressGateway) { g.Spec.Workload.PriorityClassName = "system-node-critical" },
		rules: []string{"priorityClassName"}, fields: []string{"spec.workload.priorityClassName"}},
	{name: "a default certificate from kube-system", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: "kube-system", Name: "bootstrap-token-abcdef"}}
	}, rules: []string{"crossNamespaceReferences", "scopeReferences"}, fields: []string{"spec.defaultCertificate.secretRef.namespace"}},
	{name: "default/kubernetes:443 as a tcp backend", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.TCP = []v1alpha1.TCPService{{Port: 9443, Backend: v1alpha1.Backend{Namespace: "default", Name: "kubernetes", Port: intstr.FromInt32(443)}}}
	}, rules: []string{"crossNamespaceReferences", "scopeReferences"}, fields: []string{"spec.tcp[0].backend.namespace"}},
	{name: "kube-system/kube-dns as a udp backend", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Namespace: "kube-system", Name: "kube-dns", Port: intstr.FromInt32(53)}}}
	}, rules: []string{"crossNamespaceReferences", "scopeReferences"}, fields: []string{"spec.udp[0].backend.namespace"}},
	{name: "a default backend in another namespace", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.DefaultBackend = &v1alpha1.ServiceReference{Namespace: "team-b", Name: "web"}
	}, rules: []string{"crossNamespaceReferences", "scopeReferences"}, fields: []string{"spec.defaultBackend.namespace"}},
	{name: "another namespace's Secret without a grant", class: "shared", mut: defaultCert("certs", "third"),
		rules: []string{"referenceGrant"}, fields: []string{"spec.defaultCertificate.secretRef"}},
	{name: "a Secret granted to another namespace", class: "shared", mut: defaultCert("certs", "wild"),
		rules: []string{"referenceGrant"}, fields: []string{"spec.defaultCertificate.secretRef"}},
	{name: "a Service where only a Secret is granted", class: "shared", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: "certs", Name: "other", Port: intstr.FromInt32(80)}}}
	}, rules: []string{"referenceGrant"}, fields: []string{"spec.tcp[0].backend"}},
	{name: "an ingress-nginx ConfigMap key Traefik would ignore", class: "traefik", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.Controller.Config = map[string]string{"ssl-ciphers": "ALL", "proxy-body-size": "8m"}
	}, rules: []string{"traefikConfig"}, fields: []string{"spec.controller.config[ssl-ciphers]"}},
	{name: "an ingress-nginx flag the class allows, under Traefik", class: "traefik", mut: arg("enable-metrics", "true"),
		rules: []string{"traefikExtraArgs"}, fields: []string{"spec.controller.extraArgs[enable-metrics]"}},
	{name: "a data-plane webhook port under Traefik, which has no webhook", class: "traefik", mut: func(g *v1alpha1.IngressGateway) {
		g.Spec.AdmissionWebhook.Port = 9443
	}, rules: []string{"traefikWebhook"}, fields: []string{"spec.admissionWebhook.port"}},
	{name: "an ingress-nginx internal port under Traefik", class: "traefik", mut: func(g *v1alpha1.IngressGateway) { g.Spec.Ports.Status = 10999 },
		rules: []string{"traefikPorts"}, fields: []string{"spec.ports.status"}},
	{name: "a granted default certificate in another namespace, which Traefik cannot mount", class: "traefik", mut: defaultCert("certs", "other"),
		rules: []string{"traefikDefaultCertificate"}, fields: []string{"spec.defaultCertificate.secretRef.namespace"}},
	{name: "everything at once", class: "team", mut: func(g *v1alpha1.IngressGateway) {
		hostNet(g)
		g.Spec.IngressClass.Default = true
		g.Spec.Controller.Image = "evil.example/controller:latest"
		g.Spec.Workload.PriorityClassName = "system-node-critical"
	}, rules: []string{"defaultIngressClass", "hostNetwork", "image", "priorityClassName"},
		fields: []string{"spec.workload.hostNetwork", "spec.ingressClass.default", "spec.controller.image", "spec.workload.priorityClassName"}},
}

func snippet(key string) func(*v1alpha1.IngressGateway) {
	return func(g *v1alpha1.IngressGateway) { g.Spec.Controller.Config = map[string]string{key: "deny all;"} }
}

func arg(k, v string) func(*v1alpha1.IngressGateway) {
	return func(g *v1alpha1.IngressGateway) { g.Spec.Controller.ExtraArgs = map[string]string{k: v} }
}

func defaultCert(ns, name string) func(*v1alpha1.IngressGateway) {
	return func(g *v1alpha1.IngressGateway) {
		g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: ns, Name: name}}
	}
}

func (h hostile) gateway(i int) *v1alpha1.IngressGateway {
	g := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: fmt.Sprintf("h-%d", i)}}
	g.Spec.GatewayClassName = h.class
	if h.mut != nil {
		h.mut(g)
	}
	return g
}

// className is the class the denial must name.
func (h hostile) className() string {
	if h.class == "" {
		return "default"
	}
	return h.class
}

var (
	ruleRE = regexp.MustCompile(`rule ([A-Za-z]+)\)`)
)

// rulesIn returns the sorted distinct rule IDs re finds in msg.
func rulesIn(re *regexp.Regexp, msg string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(msg, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// inPolicy reports whether the admission policy checks rule id.
func inPolicy(id string) bool {
	for _, r := range classrules.Rules {
		if r.ID == id {
			return r.CEL != ""
		}
	}
	return false
}

// verdicts are what each enforcement point said, by case.
var verdicts = map[string]map[string]string{}

func record(point string, h hostile, v string) {
	if verdicts[h.name] == nil {
		verdicts[h.name] = map[string]string{}
	}
	verdicts[h.name][point] = v
}

func vwcForOperator(ctx context.Context) *admissionregistrationv1.ValidatingWebhookConfiguration {
	list := &admissionregistrationv1.ValidatingWebhookConfigurationList{}
	Expect(admin.List(ctx, list)).To(Succeed())
	for i := range list.Items {
		for _, w := range list.Items[i].Webhooks {
			if w.Name == "vingressgateway.ingress.portico.dev" {
				return &list.Items[i]
			}
		}
	}
	Fail("no operator webhook configuration")
	return nil
}

func policyBinding() *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
	_, b := classrules.Policy()
	return b
}

var _ = Describe("A namespace editor against the trust model", Ordered, func() {
	ctx := context.Background()

	It("may run a fleet the class allows, which the operator reconciles under its own ServiceAccount with namespace-only read", func() {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "ok"}}
		gw.Spec.GatewayClassName = "team"
		gw.Spec.Controller.Image = allowedImage
		Expect(alice.Create(ctx, gw)).To(Succeed())
		Eventually(func(g Gomega) {
			ds := &appsv1.DaemonSet{}
			g.Expect(admin.Get(ctx, render.WorkloadName(gw), ds)).To(Succeed())
			g.Expect(ds.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--watch-namespace=" + teamNS))
			g.Expect(ds.Spec.Template.Spec.Containers[0].Image).To(Equal(allowedImage))
			crb := &rbacv1.ClusterRoleBinding{}
			g.Expect(admin.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, crb)).To(Succeed())
			g.Expect(crb.RoleRef.Name).To(Equal(render.DefaultScopedClusterRole))
			cur := &v1alpha1.IngressGateway{}
			g.Expect(admin.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
			g.Expect(cur.Status.GatewayClassName).To(Equal("team"))
			c := meta.FindStatusCondition(cur.Status.Conditions, v1alpha1.ConditionAdmissionPolicyInstalled)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
		}).Should(Succeed())
	})

	It("the operator's own token cannot write what the operator does not own", func() { theOperatorIsConfined(ctx) })

	It("serves metrics only to callers the API server authorizes, over TLS 1.2 or later", func() { metricsAreGuarded(ctx) })

	It("applies children without reading them first, yet never adopts a user's object of the same name", func() {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "clash"}}
		gw.Spec.GatewayClassName = "team"
		gw.Spec.Controller.Image = allowedImage
		taken := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: render.MainConfigMapName(gw).Name},
			Data: map[string]string{"mine": "yes"}}
		// The operator, confined as its ServiceAccount with the policies
		// installed, applies without reading first: this is that path.
		Expect(gaugeValue("portico_apply_without_read")).To(Equal(1.0))
		Expect(alice.Create(ctx, taken)).To(Succeed())
		Expect(alice.Create(ctx, gw)).To(Succeed())
		Eventually(func(g Gomega) {
			cur := &v1alpha1.IngressGateway{}
			g.Expect(admin.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
			c := meta.FindStatusCondition(cur.Status.Conditions, v1alpha1.ConditionDegraded)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Reason).To(Equal(v1alpha1.ReasonNameConflict))
			g.Expect(c.Message).To(ContainSubstring("ConfigMap " + teamNS + "/" + taken.Name + " already exists and is not managed by this gateway"))
			// The other children exist: only the taken name is skipped.
			g.Expect(admin.Get(ctx, render.WorkloadName(cur), &appsv1.DaemonSet{})).To(Succeed())
		}).Should(Succeed())
		after := &corev1.ConfigMap{}
		Expect(admin.Get(ctx, client.ObjectKeyFromObject(taken), after)).To(Succeed())
		Expect(after.Labels).To(BeEmpty())
		Expect(after.Data).To(Equal(map[string]string{"mine": "yes"}))
		Expect(after.ResourceVersion).To(Equal(taken.ResourceVersion))
		Expect(admin.Delete(ctx, gw)).To(Succeed())
		Expect(admin.Delete(ctx, taken)).To(Succeed())
	})

	It("the operator, confined, still writes everything its fleets need, and deletes them", func() { theOperatorStillWorks(ctx) })

	It("cannot turn the fleet's ServiceAccount token into cluster-wide Secret read (TokenRequest)", func() {
		sa := render.ServiceAccountName(&v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "ok"}})
		cs, err := kubernetes.NewForConfig(aliceCfg)
		Expect(err).NotTo(HaveOccurred())
		var tok *authenticationv1.TokenRequest
		Eventually(func() error {
			tok, err = cs.CoreV1().ServiceAccounts(teamNS).CreateToken(ctx, sa.Name, &authenticationv1.TokenRequest{
				Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}}, metav1.CreateOptions{})
			return err
		}).Should(Succeed(), "edit rights include serviceaccounts/token")
		cfg := rest.AnonymousClientConfig(env.Config)
		cfg.BearerToken = tok.Status.Token
		fleet, err := kubernetes.NewForConfig(cfg)
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() error {
			_, err := fleet.CoreV1().Secrets(teamNS).List(ctx, metav1.ListOptions{})
			return err
		}).Should(Succeed(), "the fleet reads its own namespace")
		for _, ns := range []string{"kube-system", "certs", ""} {
			_, err := fleet.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
			Expect(apierrors.IsForbidden(err)).To(BeTrue(), "list Secrets in %q: %v", ns, err)
		}
	})

	It("cannot create or change classes, nor grant another namespace's Secrets", func() {
		c := &v1alpha1.IngressGatewayClass{ObjectMeta: metav1.ObjectMeta{Name: "mine"},
			Spec: v1alpha1.IngressGatewayClassSpec{AllowedNamespaces: v1alpha1.AllowedNamespaces{All: true}}}
		Expect(apierrors.IsForbidden(alice.Create(ctx, c))).To(BeTrue())
		team := &v1alpha1.IngressGatewayClass{}
		Expect(admin.Get(ctx, client.ObjectKey{Name: "team"}, team)).To(Succeed())
		team.Spec.Capabilities.HostNetwork = true
		Expect(apierrors.IsForbidden(alice.Update(ctx, team))).To(BeTrue())
		for _, ns := range []string{"kube-system", "certs"} {
			g := &v1alpha1.IngressGatewayGrant{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "steal"},
				Spec: v1alpha1.IngressGatewayGrantSpec{From: []v1alpha1.GrantFrom{{Namespace: teamNS}}, To: []v1alpha1.GrantTo{{Kind: "Secret"}}}}
			Expect(apierrors.IsForbidden(alice.Create(ctx, g))).To(BeTrue(), "grant in %s", ns)
		}
	})

	It("cannot turn an allowed gateway into a forbidden one by an update", func() {
		Eventually(func(g Gomega) {
			gw := &v1alpha1.IngressGateway{}
			g.Expect(alice.Get(ctx, client.ObjectKey{Namespace: teamNS, Name: "ok"}, gw)).To(Succeed())
			gw.Spec.Workload.HostNetwork = true
			err := alice.Update(ctx, gw)
			// The operator writes status meanwhile: retry a stale update.
			g.Expect(apierrors.IsConflict(err)).To(BeFalse())
			g.Expect(err).To(HaveOccurred())
			g.Expect(err.Error()).To(ContainSubstring("spec.workload.hostNetwork"))
			g.Expect(err.Error()).To(ContainSubstring(`IngressGatewayClass "team"`))
		}).Should(Succeed())
	})

	It("learns from warnings only about objects it may read itself", func() {
		var warnings []string
		cfg := rest.CopyConfig(aliceCfg)
		cfg.WarningHandlerWithContext = warningFunc(func(text string) { warnings = append(warnings, text) })
		c, err := client.New(cfg, client.Options{Scheme: admin.Scheme()})
		Expect(err).NotTo(HaveOccurred())
		By("a granted Secret in certs (which alice cannot read) and a Service in her namespace, neither existing")
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "warned"}}
		gw.Spec.GatewayClassName = "shared"
		gw.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: "certs", Name: "other"}}
		gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "missing", Port: intstr.FromInt32(80)}}}
		Expect(c.Create(ctx, gw)).To(Succeed())
		Expect(warnings).To(ConsistOf(ContainSubstring("spec.tcp[0].backend: Service " + teamNS + "/missing does not exist yet")))
		for _, w := range warnings {
			Expect(w).NotTo(ContainSubstring("certs"))
		}
		Expect(admin.Delete(ctx, gw)).To(Succeed())
	})

	It("answers as the README quotes", func() {
		readme, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "README.md"))
		Expect(err).NotTo(HaveOccurred())
		const prefix = `error when creating "gw.yaml": `
		var quoted string
		for _, l := range strings.Split(string(readme), "\n") {
			if i := strings.Index(l, prefix); i >= 0 && strings.Contains(l, `IngressGatewayClass "team"`) {
				quoted = l[i+len(prefix):]
			}
		}
		Expect(quoted).NotTo(BeEmpty(), "README quotes a denial")
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "edge"}}
		gw.Spec.GatewayClassName = "team"
		gw.Spec.Workload.HostNetwork = true
		err = alice.Create(ctx, gw)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(Equal(quoted))
	})

	It("has at least 30 hostile cases", func() {
		Expect(len(hostileCases)).To(BeNumerically(">=", 30))
	})

	It("is refused by the operator's webhook, naming class, class field and gateway field", func() {
		By("removing the policy binding, so only the webhook judges")
		Expect(client.IgnoreNotFound(admin.Delete(ctx, policyBinding()))).To(Succeed())
		for i, h := range hostileCases {
			var msg string
			Eventually(func(g Gomega) {
				err := alice.Create(ctx, h.gateway(i))
				g.Expect(err).To(HaveOccurred(), h.name)
				msg = err.Error()
				g.Expect(msg).NotTo(ContainSubstring("ValidatingAdmissionPolicy"), "the policy's binding is gone; its cache may lag")
			}).Should(Succeed())
			for _, f := range h.fields {
				Expect(msg).To(ContainSubstring(f+": "), "%s: %s", h.name, msg)
			}
			if h.notFound {
				Expect(msg).To(ContainSubstring(`IngressGatewayClass "nope" does not exist`))
				record("webhook", h, "denied: ClassNotFound")
				continue
			}
			Expect(rulesIn(ruleRE, msg)).To(Equal(sorted(h.rules)), "%s: %s", h.name, msg)
			Expect(msg).To(ContainSubstring(`IngressGatewayClass "`+h.className()+`"`), h.name)
			for _, id := range h.rules {
				Expect(msg).To(ContainSubstring(classField(id)), "%s: %s", h.name, msg)
			}
			record("webhook", h, "denied: "+strings.Join(sorted(h.rules), ","))
		}
	})

	It("gets no rollout from the reconciler when admission is bypassed, and status says why", func() {
		By("removing the operator's webhook registration (the policy binding is already gone)")
		vwc := vwcForOperator(ctx)
		saved := vwc.DeepCopy()
		Expect(admin.Delete(ctx, vwc)).To(Succeed())
		DeferCleanup(func(ctx context.Context) {
			saved.ResourceVersion = ""
			Expect(admin.Create(ctx, saved)).To(Succeed())
		})
		for i, h := range hostileCases {
			Eventually(func() error { return admin.Create(ctx, h.gateway(i)) }).Should(Succeed(), h.name)
		}
		for i, h := range hostileCases {
			gw := h.gateway(i)
			var cond *metav1.Condition
			Eventually(func(g Gomega) {
				cur := &v1alpha1.IngressGateway{}
				g.Expect(admin.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
				cond = meta.FindStatusCondition(cur.Status.Conditions, v1alpha1.ConditionDegraded)
				g.Expect(cond).NotTo(BeNil())
				ready := meta.FindStatusCondition(cur.Status.Conditions, v1alpha1.ConditionReady)
				g.Expect(ready).NotTo(BeNil())
				g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
			}).Should(Succeed(), h.name)
			Expect(admin.Get(ctx, render.WorkloadName(gw), &appsv1.DaemonSet{})).To(Satisfy(apierrors.IsNotFound), "%s: nothing is rolled out", h.name)
			if h.notFound {
				Expect(cond.Reason).To(Equal(v1alpha1.ReasonClassNotFound), h.name)
				record("reconciler", h, "ClassNotFound")
				continue
			}
			Expect(cond.Reason).To(Equal(v1alpha1.ReasonClassForbids), "%s: %s", h.name, cond.Message)
			Expect(rulesIn(ruleRE, cond.Message)).To(Equal(sorted(h.rules)), "%s: %s", h.name, cond.Message)
			for _, f := range h.fields {
				Expect(cond.Message).To(ContainSubstring(f+": "), "%s: %s", h.name, cond.Message)
			}
			record("reconciler", h, "ClassForbids: "+strings.Join(sorted(h.rules), ","))
		}
		for i, h := range hostileCases {
			Expect(admin.Delete(ctx, h.gateway(i))).To(Succeed())
		}
	})

	It("is refused by the API server's policy while the operator is down, where the policy can judge", func() {
		Expect(admin.Create(ctx, policyBinding())).To(Succeed())
		By("stopping the operator: its webhook no longer answers (failurePolicy Fail)")
		stopOp()
		for i, h := range hostileCases {
			covered := slices.ContainsFunc(h.rules, inPolicy)
			var msg string
			Eventually(func(g Gomega) {
				err := alice.Create(ctx, h.gateway(i))
				g.Expect(err).To(HaveOccurred(), h.name)
				msg = err.Error()
				if covered {
					g.Expect(msg).To(ContainSubstring("ValidatingAdmissionPolicy '"+classrules.PolicyName+"'"), "the binding takes a moment to load")
				}
			}).Should(Succeed())
			if !covered {
				Expect(msg).To(ContainSubstring("failed calling webhook"), "%s: %s", h.name, msg)
				record("policy", h, "not judged (needs a lookup); denied by the webhook's failurePolicy Fail")
				continue
			}
			got := rulesIn(ruleRE, msg)
			Expect(got).NotTo(BeEmpty())
			for _, id := range got {
				Expect(h.rules).To(ContainElement(id), "%s: %s", h.name, msg)
			}
			Expect(msg).To(ContainSubstring(`IngressGatewayClass "`+h.className()+`"`), h.name)
			record("policy", h, "denied: "+strings.Join(got, ","))
		}
	})

	It("never wedges a delete: with the operator down, a cluster admin deletes a gateway and removes its finalizer", func() {
		gw := &v1alpha1.IngressGateway{}
		key := client.ObjectKey{Namespace: teamNS, Name: "ok"}
		Expect(admin.Get(ctx, key, gw)).To(Succeed())
		Expect(gw.Finalizers).NotTo(BeEmpty(), "the operator added its finalizer")
		Expect(admin.Delete(ctx, gw)).To(Succeed())
		Expect(admin.Get(ctx, key, gw)).To(Succeed())
		gw.Finalizers = nil
		Expect(admin.Update(ctx, gw)).To(Succeed(), "neither the webhook nor the policy judges a gateway being deleted")
		Eventually(func() bool { return apierrors.IsNotFound(admin.Get(ctx, key, gw)) }).Should(BeTrue())
	})

	AfterAll(func() {
		var b strings.Builder
		fmt.Fprintf(&b, "\n%-55s | %-70s | %-45s | %s\n", "hostile case", "webhook", "reconciler", "policy (operator down)")
		for _, h := range hostileCases {
			v := verdicts[h.name]
			fmt.Fprintf(&b, "%-55s | %-70s | %-45s | %s\n", h.name, v["webhook"], v["reconciler"], v["policy"])
		}
		GinkgoWriter.Print(b.String())
		AddReportEntry("verdicts", b.String())
	})
})

// warningFunc adapts a function to rest.WarningHandlerWithContext.
type warningFunc func(string)

func (f warningFunc) HandleWarningHeaderWithContext(_ context.Context, _ int, _, text string) {
	f(text)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func classField(id string) string {
	for _, r := range classrules.Rules {
		if r.ID == id {
			return r.ClassField
		}
	}
	return "?"
}

// gaugeValue reads a gauge the operator (running in this process) exports.
func gaugeValue(name string) float64 {
	GinkgoHelper()
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	Fail("no gauge " + name)
	return 0
}
