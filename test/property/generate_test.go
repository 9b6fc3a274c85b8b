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

package property_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/testenv"
)

// The generator draws IngressGateways from the space the CRD describes:
// every field, at its limits (63-character names, dotted names, 8 aliases,
// ports at 1 and 65535, node ports at both ends of their range) and now and
// then a little past a rule, so that both verdicts of the API server are
// exercised. A gateway is a pure function of (seed, index): one index
// reproduces alone, whatever the goroutines did.

// Images and names the property class (propertyClass) allows; a gateway
// that names anything else is refused by the class policy.
var (
	controllerImage = "example.org/ingress-nginx/controller:v1.15.1@sha256:" + strings.Repeat("4", 64)
	keepalivedImage = "example.org/keepalived@sha256:" + strings.Repeat("2", 64)
	// classKeepalivedImage is the class's default sidecar image.
	classKeepalivedImage = "example.org/keepalived:2.2.7@sha256:" + strings.Repeat("1", 64)
	priorityClasses      = []string{"system-cluster-critical", "ingress.high-priority", "Ingress_Critical"}
	classTolerations     = []corev1.Toleration{
		{Operator: corev1.TolerationOpExists},
		{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "ingress", Effect: corev1.TaintEffectNoSchedule},
	}
)

// propertyClass is testenv's permissive class with the images, priority
// classes and tolerations the generator draws from, and a default
// keepalived image so that every VIP renders.
func propertyClass() *v1alpha1.IngressGatewayClass {
	c := testenv.PermissiveClass()
	c.Spec.DataPlane.KeepalivedImage = classKeepalivedImage
	c.Spec.DataPlane.AllowedImages = append(c.Spec.DataPlane.AllowedImages, controllerImage)
	c.Spec.Capabilities.PriorityClassNames = priorityClasses
	c.Spec.Capabilities.Tolerations = classTolerations
	return c
}

// namespaces returns the namespaces gateways and references live in: DNS
// labels of every shape, one of 63 characters.
func namespaces(seed uint64) []string {
	g := newGen(seed, ^uint64(0), nil)
	out := []string{"default", "a", "0", "9-starts-with-a-digit", g.label(63, false), g.label(62, false)}
	for len(out) < 12 {
		if n := g.label(g.between(1, 63), false); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

type gen struct {
	r  *rand.Rand
	ns []string
}

func newGen(seed, index uint64, ns []string) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, index)), ns: ns}
}

// chance is true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// rarely is true with a probability low enough that a gateway, with a
// few dozen such draws, is still accepted most of the time: it picks the
// values past a rule.
func (g *gen) rarely() bool { return g.chance(0.008) }

// between returns an int in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func pick[T any](g *gen, xs ...T) T { return xs[g.r.IntN(len(xs))] }

// length returns a length in [1, limit], at the limits more often than
// not.
func (g *gen) length(limit int) int {
	switch x := g.r.IntN(10); {
	case x < 3:
		return limit
	case x < 4:
		return 1
	case x < 5:
		return max(limit-1, 1)
	default:
		return g.between(1, limit)
	}
}

const (
	alnum   = "abcdefghijklmnopqrstuvwxyz0123456789"
	letters = "abcdefghijklmnopqrstuvwxyz"
)

// label returns a DNS-1123 label of n characters; with letterFirst a
// DNS-1035 label.
func (g *gen) label(n int, letterFirst bool) string {
	b := make([]byte, n)
	for i := range b {
		switch {
		case i == 0 && letterFirst:
			b[i] = letters[g.r.IntN(len(letters))]
		case i == 0 || i == n-1 || !g.chance(0.15):
			b[i] = alnum[g.r.IntN(len(alnum))]
		default:
			b[i] = '-'
		}
	}
	return string(b)
}

// subdomain returns a DNS-1123 subdomain of at most limit characters,
// with dots.
func (g *gen) subdomain(limit int) string {
	var parts []string
	left := limit
	for len(parts) < 2 || (left > 2 && g.chance(0.5)) {
		if left < 1 {
			break
		}
		n := g.between(1, min(left, 63))
		if len(parts) >= 1 && g.chance(0.4) {
			n = min(left, 63)
		}
		parts = append(parts, g.label(n, false))
		left -= n + 1
	}
	return strings.Join(parts, ".")
}

// name returns a metadata.name: a DNS label of up to 63 characters, or
// rarely a dotted DNS subdomain (which the CRD refuses: its Services could
// not be named after it).
func (g *gen) name() string {
	if g.rarely() {
		return g.subdomain(63) // refused: dots
	}
	return g.label(g.length(63), false)
}

func (g *gen) namespace() string { return pick(g, g.ns...) }

// refNamespace is a reference's namespace: empty (the gateway's) or any.
func (g *gen) refNamespace() string {
	if g.chance(0.5) {
		return ""
	}
	return g.namespace()
}

// qualifiedKey returns a label or annotation key, invalid now and then.
func (g *gen) qualifiedKey() string {
	if g.rarely() {
		return pick(g, "has space", "UPPER/Case", "trailing-", "a/b/c", "-leading", "under_score/x", strings.Repeat("k", 64))
	}
	name := pick(g, "app", "tier", "team", "example", "x_y.z", g.label(g.length(63), false))
	if g.chance(0.4) {
		return pick(g, "example.com", "portico.dev", "a.b.c", g.subdomain(60)) + "/" + name
	}
	return name
}

// labelValue returns a valid label value. The CRD does not check the
// values of workload.nodeSelector and podLabels (its keys it does): a CEL
// rule over map values of unbounded length exceeds the API server's cost
// budget, and the Go type cannot carry a maxLength without changing
// map[string]string. An invalid value is refused on the workload; see the
// report of issue #15 item 6.
func (g *gen) labelValue() string {
	return pick(g, "", "true", "ingress", "A_b.C-9", g.label(g.length(63), false))
}

func (g *gen) annotations() map[string]string {
	n := pick(g, 0, 0, 1, 2, 3)
	if n == 0 {
		return nil
	}
	m := map[string]string{}
	for range n {
		m[g.qualifiedKey()] = pick(g, "", "true", "some value with spaces", `{"json": [1, 2]}`, strings.Repeat("x", 300))
	}
	if g.rarely() {
		// More than the 256 KiB the API server allows an object's
		// annotations in all.
		m["example.com/big-1"], m["example.com/big-2"] = strings.Repeat("a", 128<<10), strings.Repeat("b", 128<<10)
	}
	return m
}

func (g *gen) labels() map[string]string {
	n := pick(g, 0, 0, 1, 2)
	if n == 0 {
		return nil
	}
	m := map[string]string{}
	for range n {
		m[g.qualifiedKey()] = g.labelValue()
	}
	// The operator's own labels win over the user's: try to override one.
	if g.chance(0.1) {
		m[pick(g, "app.kubernetes.io/name", "ingress.portico.dev/gateway", "app.kubernetes.io/component")] = "mine"
	}
	return m
}

// ports tracks the ports a gateway has handed out.
type ports struct {
	controller []int32 // spec.ports, effective (after defaults)
	webhook    int32   // 0 when the webhook is off
	tcp, udp   []int32
}

// freePort returns a port in [1, 65535] that none of avoid uses.
func (g *gen) freePort(avoid ...[]int32) int32 {
	for {
		var p int32
		switch g.r.IntN(6) {
		case 0:
			p = int32(g.between(1, 1023))
		case 1:
			p = pick[int32](g, 1, 53, 65535, 8080, 9000, 5432)
		default:
			p = int32(g.between(1, 65535))
		}
		if !slices.ContainsFunc(avoid, func(s []int32) bool { return slices.Contains(s, p) }) {
			return p
		}
	}
}

func (g *gen) nodePort() *int32 {
	if g.chance(0.1) {
		// A narrow range, so that two pinned node ports collide now and then.
		return ptr.To(int32(g.between(30000, 30005)))
	}
	return ptr.To(pick(g, int32(30000), int32(32767), int32(g.between(30000, 32767))))
}

// gateway returns the index'th gateway of the run.
func (g *gen) gateway() *v1alpha1.IngressGateway {
	gw := &v1alpha1.IngressGateway{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "IngressGateway"},
		ObjectMeta: metav1.ObjectMeta{Namespace: g.namespace(), Name: g.name()},
	}
	s := &gw.Spec
	if g.chance(0.5) {
		s.GatewayClassName = testenv.TestClassName
	}

	// Workload: kind × host network / host ports / neither.
	w := &s.Workload
	w.Kind = pick(g, "", v1alpha1.WorkloadDaemonSet, v1alpha1.WorkloadDeployment)
	switch g.r.IntN(3) {
	case 0:
		w.HostNetwork = true
	case 1:
		w.HostPorts = true
	}
	if g.rarely() {
		w.HostNetwork, w.HostPorts = true, true // refused: one implies the other
	}
	if w.Kind == v1alpha1.WorkloadDeployment && g.chance(0.7) {
		w.Replicas = ptr.To(pick(g, int32(0), int32(1), int32(2), int32(3), int32(g.between(0, 1000))))
	}
	if g.rarely() {
		w.Replicas = ptr.To[int32](2) // refused for a DaemonSet
	}
	if g.chance(0.4) {
		w.MaxUnavailable = g.maxUnavailable(w)
	}
	if g.chance(0.3) {
		w.NodeSelector = g.labels()
	}
	if g.chance(0.2) {
		w.PodLabels = g.labels()
	}
	if g.chance(0.2) {
		w.PodAnnotations = g.annotations()
	}
	if g.chance(0.2) {
		for _, t := range classTolerations {
			if g.chance(0.5) {
				w.Tolerations = append(w.Tolerations, t)
			}
		}
	}
	if g.chance(0.15) {
		w.PriorityClassName = pick(g, priorityClasses[:2]...)
		if g.rarely() {
			w.PriorityClassName = priorityClasses[2] // the class lists it, the CRD refuses it
		}
	}
	if g.chance(0.15) {
		c := corev1.TopologySpreadConstraint{
			MaxSkew: int32(g.between(1, 3)), TopologyKey: pick(g, corev1.LabelHostname, corev1.LabelTopologyZone),
			WhenUnsatisfiable: pick(g, corev1.DoNotSchedule, corev1.ScheduleAnyway),
			LabelSelector:     &metav1.LabelSelector{MatchLabels: map[string]string{"ingress.portico.dev/gateway": gw.Name}},
		}
		if c.WhenUnsatisfiable == corev1.DoNotSchedule && g.chance(0.3) {
			c.MinDomains = ptr.To(int32(g.between(1, 3)))
		}
		if g.rarely() {
			switch g.r.IntN(4) {
			case 0:
				c.MaxSkew = 0
			case 1:
				c.WhenUnsatisfiable = "Sometimes"
			case 2:
				// Only emptiness: the CRD cannot afford to check the
				// format of an unbounded string in a list.
				c.TopologyKey = ""
			case 3:
				c.WhenUnsatisfiable, c.MinDomains = corev1.ScheduleAnyway, ptr.To[int32](2)
			}
		}
		w.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{c}
	}
	if g.chance(0.1) {
		w.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "node-role.kubernetes.io/ingress", Operator: corev1.NodeSelectorOpExists}},
			}}},
		}}
	}
	if g.chance(0.2) {
		w.TerminationGracePeriodSeconds = ptr.To(int64(pick(g, 0, 1, 30, 300, g.between(0, 3600))))
	}

	// Controller.
	c := &s.Controller
	if g.chance(0.15) {
		c.Image = controllerImage
	}
	if g.chance(0.3) {
		c.Config = map[string]string{}
		for range g.between(1, 4) {
			k, v := g.configEntry()
			c.Config[k] = v
		}
		if g.rarely() {
			// More than a ConfigMap's 1 MiB.
			c.Config["server-snippet-notes"] = strings.Repeat("#", 1<<20)
		}
	}
	if g.chance(0.1) {
		c.AllowSnippetAnnotations = true
		if g.chance(0.5) {
			if c.Config == nil {
				c.Config = map[string]string{}
			}
			c.Config["annotations-risk-level"] = "Critical"
		}
	}
	if g.chance(0.2) {
		c.ExtraArgs = map[string]string{}
		for range g.between(1, 3) {
			switch pick(g, 0, 1, 2, 3) {
			case 0:
				c.ExtraArgs["enable-metrics"] = pick(g, "", "true", "false")
			case 1:
				c.ExtraArgs["enable-ssl-passthrough"] = pick(g, "", "true")
			case 2:
				c.ExtraArgs["update-status"] = pick(g, "", "false")
			case 3:
				c.ExtraArgs["sync-period"] = pick(g, "10m", "0s")
			}
		}
		if g.rarely() {
			c.ExtraArgs["profiling"] = "" // refused by the class policy: not in its allow-list
		}
	}
	if g.chance(0.2) {
		c.Resources = g.resources()
	}
	if g.chance(0.2) {
		c.LogLevel = ptr.To(int32(g.between(0, 10)))
	}

	// IngressClass.
	ic := &s.IngressClass
	if g.chance(0.4) {
		ic.Name = g.label(g.length(63), false)
	}
	ic.Default = g.chance(0.1)
	if g.chance(0.2) {
		n := pick(g, 1, 2, 3, 8)
		for len(ic.Aliases) < n {
			if a := g.label(g.length(63), false); !slices.Contains(ic.Aliases, a) {
				ic.Aliases = append(ic.Aliases, a)
			}
		}
		if g.rarely() {
			// Refused: an alias repeats the class's own name.
			ic.Aliases[0] = gw.Name
			if ic.Name != "" {
				ic.Aliases[0] = ic.Name
			}
		}
	}

	// Ports the controller binds.
	var p ports
	p.controller = []int32{80, 443, 10254, 8181, 10246, 10247, 10245, 442}
	if g.chance(0.2) {
		var chosen []int32
		for range 8 {
			chosen = append(chosen, g.freePort(chosen))
		}
		if g.chance(0.5) {
			chosen[0], chosen[1] = 80, 443
		}
		if g.rarely() {
			chosen[3] = chosen[2] // refused: ports must be distinct
		}
		s.Ports = v1alpha1.PortsSpec{HTTP: chosen[0], HTTPS: chosen[1], Healthz: chosen[2], DefaultServer: chosen[3],
			Status: chosen[4], Stream: chosen[5], Profiler: chosen[6], SSLPassthroughProxy: chosen[7]}
		p.controller = chosen
	}

	// Admission webhook.
	aw := &s.AdmissionWebhook
	if g.chance(0.3) {
		aw.Enabled = ptr.To(g.chance(0.5))
	}
	if aw.IsEnabled() {
		p.webhook = 8443
		if g.chance(0.3) {
			p.webhook = g.freePort(p.controller)
			aw.Port = p.webhook
		}
		if slices.Contains(p.controller, p.webhook) && g.chance(0.9) {
			p.webhook = g.freePort(p.controller)
			aw.Port = p.webhook
		}
	} else if g.chance(0.3) {
		aw.Port = pick(g, g.freePort(), 443) // ignored while off
	}
	if g.chance(0.3) {
		aw.FailurePolicy = pick(g, admissionregistrationv1.Fail, admissionregistrationv1.Ignore)
	}
	if g.chance(0.2) {
		aw.TimeoutSeconds = ptr.To(int32(pick(g, 1, 30, g.between(1, 30))))
	}

	// Service.
	svc := &s.Service
	hostBound := w.HostNetwork || w.HostPorts
	switch x := g.r.IntN(10); {
	case x < 3:
		// unset: None with hostNetwork, else LoadBalancer
	case x < 5:
		svc.Type = v1alpha1.ServiceTypeLoadBalancer
	case x < 7:
		svc.Type = v1alpha1.ServiceTypeNodePort
	case x < 8:
		svc.Type = v1alpha1.ServiceTypeClusterIP
	default:
		if hostBound || g.rarely() {
			svc.Type = v1alpha1.ServiceTypeNone
		}
	}
	effective := svc.Type
	if effective == "" {
		effective = v1alpha1.ServiceTypeLoadBalancer
		if w.HostNetwork {
			effective = v1alpha1.ServiceTypeNone
		}
	}
	withNodePorts := effective == v1alpha1.ServiceTypeNodePort || effective == v1alpha1.ServiceTypeLoadBalancer
	if (withNodePorts && g.chance(0.4)) || g.rarely() {
		svc.NodePorts = &v1alpha1.NodePorts{}
		if g.chance(0.7) {
			svc.NodePorts.HTTP = g.nodePort()
		}
		if g.chance(0.7) {
			svc.NodePorts.HTTPS = g.nodePort()
		}
	}
	if g.chance(0.2) {
		svc.Annotations = g.annotations()
	}
	if g.rarely() {
		// The legacy spelling of loadBalancerSourceRanges, which the CRD
		// refuses.
		if svc.Annotations == nil {
			svc.Annotations = map[string]string{}
		}
		svc.Annotations["service.beta.kubernetes.io/load-balancer-source-ranges"] = pick(g, "10.0.0.0/8", "10.0.0.0/8, 192.168.0.0/16", "", "not-a-cidr")
	}
	if g.chance(0.3) {
		svc.ExternalTrafficPolicy = pick(g, corev1.ServiceExternalTrafficPolicyCluster, corev1.ServiceExternalTrafficPolicyLocal)
	}
	if svc.Type == v1alpha1.ServiceTypeLoadBalancer || g.rarely() {
		if g.chance(0.3) {
			svc.LoadBalancerClass = ptr.To(pick(g, "example.com/metallb", "service.k8s.aws/nlb", "internal"))
			if g.rarely() {
				svc.LoadBalancerClass = ptr.To(pick(g, "Not A Class", "a/b/c", "-x"))
			}
		}
		if g.chance(0.3) {
			for range g.between(1, 3) {
				r := pick(g, "10.0.0.0/8", "192.168.1.0/24", "0.0.0.0/0", "2001:db8::/32", "203.0.113.7/32", " 10.1.0.0/16 ")
				if g.rarely() {
					r = pick(g, "10.0.0.1", "not-a-cidr", "10.0.0.0/33", "10.0.0.1/8", "::ffff:10.0.0.0/104")
				}
				if !slices.Contains(svc.LoadBalancerSourceRanges, r) {
					svc.LoadBalancerSourceRanges = append(svc.LoadBalancerSourceRanges, r)
				}
			}
		}
	}

	// tcp and udp entries.
	for range pick(g, 0, 0, 1, 2, 3, 5) {
		e := v1alpha1.TCPService{Port: g.freePort(p.controller, []int32{p.webhook}, p.tcp), Backend: g.backend()}
		if g.rarely() {
			e.Port = pick(g, p.controller...) // refused: the controller binds it
		}
		if slices.Contains(p.tcp, e.Port) {
			continue
		}
		if (withNodePorts && g.chance(0.3)) || g.rarely() {
			e.NodePort = g.nodePort()
		}
		if g.chance(0.3) {
			e.ProxyProtocol = &v1alpha1.ProxyProtocol{Decode: g.chance(0.5), Encode: g.chance(0.5)}
		}
		p.tcp = append(p.tcp, e.Port)
		s.TCP = append(s.TCP, e)
	}
	for range pick(g, 0, 0, 1, 2, 3) {
		e := v1alpha1.UDPService{Port: g.freePort(p.controller, p.udp), Backend: g.backend()}
		if g.chance(0.2) && len(p.tcp) > 0 {
			e.Port = pick(g, p.tcp...) // the same port for TCP and UDP
		}
		if g.chance(0.1) && p.webhook != 0 {
			e.Port = p.webhook // allowed: the webhook binds TCP only
		}
		if slices.Contains(p.udp, e.Port) || slices.Contains(p.controller, e.Port) {
			continue
		}
		if (withNodePorts && g.chance(0.3)) || g.rarely() {
			e.NodePort = g.nodePort()
		}
		p.udp = append(p.udp, e.Port)
		s.UDP = append(s.UDP, e)
	}

	// References.
	if g.chance(0.3) {
		s.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{
			Namespace: g.refNamespace(), Name: pick(g, "tls", g.subdomain(g.length(253)), g.label(g.length(63), false)),
		}}
	}
	if g.chance(0.3) {
		s.DefaultBackend = &v1alpha1.ServiceReference{Namespace: g.refNamespace(), Name: g.label(g.length(63), true)}
	}

	if g.chance(0.2) {
		for range g.between(1, 4) {
			a := pick(g, "203.0.113.10", "2001:db8::10", "ingress.example.com", g.subdomain(g.length(253)), "fd00::1:2", "localhost")
			if !slices.Contains(s.StatusAddresses, a) {
				s.StatusAddresses = append(s.StatusAddresses, a)
			}
		}
	}

	// VIP: needs the host network (a few without, which is refused).
	if (w.HostNetwork && g.chance(0.4)) || g.rarely() {
		s.VIP = g.vip()
	}
	return gw
}

// maxUnavailable returns a budget: 0 (valid only for a Deployment off the
// host network and host ports), a number, a percentage, or rarely no budget
// at all.
func (g *gen) maxUnavailable(w *v1alpha1.WorkloadSpec) *intstr.IntOrString {
	surges := w.Kind == v1alpha1.WorkloadDeployment && !w.HostNetwork && !w.HostPorts
	switch {
	case g.rarely():
		return ptr.To(pick(g, intstr.FromInt32(-1), intstr.FromString("150%"), intstr.FromString("25"), intstr.FromString("one"), intstr.FromString("")))
	case (surges && g.chance(0.3)) || g.rarely():
		return ptr.To(pick(g, intstr.FromInt32(0), intstr.FromString("0%"), intstr.FromString("000%")))
	case g.chance(0.5):
		return ptr.To(intstr.FromInt32(int32(pick(g, 1, 2, g.between(1, 1000)))))
	default:
		return ptr.To(intstr.FromString(pick(g, "1%", "25%", "50%", "100%", "05%")))
	}
}

// configEntry returns a main ConfigMap entry: a real ingress-nginx key, or
// now and then a key a ConfigMap does not take.
func (g *gen) configEntry() (string, string) {
	if g.rarely() {
		return pick(g, "has space", "a/b", "ümlaut", "key:colon", strings.Repeat("k", 254)), "x"
	}
	return pick(g, "use-forwarded-headers", "proxy-body-size", "enable-real-ip", "ssl-protocols", "log-format-upstream", "worker-processes", "Mixed_Case.key"),
		pick(g, "true", "8m", "TLSv1.2 TLSv1.3", `$remote_addr - "$request"`, "", "auto")
}

// resources returns requests and limits, the requests rarely above the
// limits.
func (g *gen) resources() *corev1.ResourceRequirements {
	cpu := []string{"50m", "100m", "0.5", "1", "2"}
	mem := []string{"90Mi", "128Mi", "256Mi", "1Gi", "2Gi"}
	ci, mi := g.r.IntN(len(cpu)), g.r.IntN(len(mem))
	r := &corev1.ResourceRequirements{}
	if g.chance(0.7) {
		r.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu[ci]), corev1.ResourceMemory: resource.MustParse(mem[mi])}
	}
	if g.chance(0.6) {
		if !g.rarely() {
			ci, mi = g.between(ci, len(cpu)-1), g.between(mi, len(mem)-1)
		}
		r.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu[ci]), corev1.ResourceMemory: resource.MustParse(mem[mi])}
	}
	if g.chance(0.1) {
		r.Requests = corev1.ResourceList{corev1.ResourceEphemeralStorage: resource.MustParse(pick(g, "1Gi", "10Gi"))}
		r.Limits = corev1.ResourceList{corev1.ResourceEphemeralStorage: resource.MustParse(pick(g, "10Gi", "20Gi"))}
	}
	if g.rarely() {
		r.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("-100m")}
	}
	if g.rarely() {
		r.Claims = []corev1.ResourceClaim{{Name: "gpu"}}
	}
	return r
}

func (g *gen) backend() v1alpha1.Backend {
	b := v1alpha1.Backend{Namespace: g.refNamespace(), Name: g.label(g.length(63), true)}
	if g.chance(0.7) {
		b.Port = intstr.FromInt32(int32(pick(g, 1, 80, 5432, 65535, g.between(1, 65535))))
	} else {
		b.Port = intstr.FromString(pick(g, "http", "dns", "postgres", g.label(g.length(15), false)))
	}
	return b
}

// vip returns a VIP the CRD accepts, mostly, and now and then addresses or
// an interface that only keepalived refuses.
func (g *gen) vip() *v1alpha1.VIPSpec {
	v := &v1alpha1.VIPSpec{}
	v4 := func() string {
		a := netip.AddrFrom4([4]byte{pick(g, byte(10), byte(192), byte(203), byte(198)), byte(g.r.IntN(256)), byte(g.r.IntN(256)), byte(g.between(1, 254))})
		return fmt.Sprintf("%s/%d", a, pick(g, 32, 24, 16, g.between(8, 32)))
	}
	v6 := func() string {
		var b [16]byte
		b[0], b[1] = 0xfd, byte(g.r.IntN(256))
		for i := 2; i < 16; i++ {
			b[i] = byte(g.r.IntN(256))
		}
		return fmt.Sprintf("%s/%d", netip.AddrFrom16(b), pick(g, 128, 64, g.between(8, 128)))
	}
	ipv4Only := g.chance(0.7)
	for range pick(g, 1, 1, 2, 3, 8) {
		a := v4()
		if !ipv4Only && g.chance(0.5) {
			a = v6()
		}
		if g.rarely() {
			a = pick(g, "127.0.0.5/8", "169.254.1.1/16", "224.0.0.18/32", "0.0.0.0/0", "10.9.9.9/0", "::ffff:10.0.0.1/128", "fe80::1/64", "::1/128")
		}
		if !slices.Contains(v.Addresses, a) {
			v.Addresses = append(v.Addresses, a)
		}
	}
	if g.rarely() && len(v.Addresses) > 0 {
		// The same address twice, with two prefix lengths.
		if p, err := netip.ParsePrefix(v.Addresses[0]); err == nil {
			v.Addresses = append(v.Addresses, fmt.Sprintf("%s/%d", p.Addr(), p.Addr().BitLen()))
			v.Addresses = slices.Compact(v.Addresses)
		}
	}
	if g.chance(0.3) {
		v.Interface = pick(g, "eth0", "bond0.100", "enp3s0f1", "br_lan-1", strings.Repeat("e", 15))
		if g.rarely() {
			v.Interface = pick(g, "eth0:1", "lo", "veth@if3")
		}
	}
	if g.chance(0.3) {
		v.VirtualRouterID = ptr.To(int32(pick(g, 1, 255, g.between(1, 255))))
	}
	if g.chance(0.3) {
		v.Unicast = ptr.To(g.chance(0.5))
	}
	if g.chance(0.3) {
		v.AdvertIntervalMilliseconds = int32(pick(g, 100, 1000, 3000, 25500, g.between(10, 2550)*10))
	}
	allV4 := !slices.ContainsFunc(v.Addresses, func(a string) bool { return strings.Contains(a, ":") })
	if (allV4 && g.chance(0.3)) || g.rarely() {
		v.AuthSecretRef = &v1alpha1.SecretKeySelector{Name: pick(g, "vrrp", "vrrp.auth", g.subdomain(g.length(253)))}
		if g.rarely() {
			v.AuthSecretRef.Name = "Vrrp_Secret"
		}
		if g.chance(0.5) {
			v.AuthSecretRef.Key = pick(g, "password", "vrrp.pass", "PASS_1")
			if g.rarely() {
				v.AuthSecretRef.Key = pick(g, "with space", "a/b")
			}
		}
		if v.AdvertIntervalMilliseconds%1000 != 0 && g.chance(0.9) {
			v.AdvertIntervalMilliseconds = int32(1000 * g.between(1, 25))
		}
	}
	if g.chance(0.3) {
		v.GARPRefreshSeconds = ptr.To(int32(pick(g, 0, 1, 60, 3600)))
	}
	if g.chance(0.4) {
		for range pick(g, 1, 2, 3, 8) {
			n := pick(g, "node-1", "worker-a.example.com", g.subdomain(g.length(253)), g.label(g.length(63), false))
			if !slices.Contains(v.PreferredNodes, n) {
				v.PreferredNodes = append(v.PreferredNodes, n)
			}
		}
		v.Preempt = g.chance(0.5)
		if v.Preempt && g.chance(0.5) {
			v.PreemptDelaySeconds = ptr.To(int32(pick(g, 0, 30, 1000)))
		}
	}
	if g.rarely() {
		v.Preempt = true // refused without preferredNodes
	}
	if g.chance(0.2) {
		v.Image = keepalivedImage
		if g.rarely() {
			v.Image = "example.org/other-keepalived@sha256:" + strings.Repeat("3", 64) // refused by the class policy
		}
	}
	return v
}

// peers returns the node addresses the controller would hand keepalived:
// one or more per family the VIP uses, none of them a VIP.
func (g *gen) peers(vip *v1alpha1.VIPSpec) []string {
	if g.chance(0.1) {
		return nil // no pod has started yet
	}
	var v4, v6 bool
	for _, a := range vip.Addresses {
		if p, err := netip.ParsePrefix(a); err == nil {
			v4 = v4 || p.Addr().Is4()
			v6 = v6 || p.Addr().Is6()
		}
	}
	var out []string
	for i := range g.between(1, 4) {
		if v4 {
			out = append(out, fmt.Sprintf("100.64.%d.%d", i, g.between(1, 254)))
		}
		if v6 {
			out = append(out, fmt.Sprintf("fc00::%x:%x", i, g.between(1, 0xfffe)))
		}
	}
	return out
}
