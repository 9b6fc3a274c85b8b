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

package classrules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/golden"
	"github.com/portico-dev/portico/internal/testenv"
)

// TestPolicyManifest keeps config/policy in step with the rule table.
func TestPolicyManifest(t *testing.T) {
	y, err := classrules.PolicyYAML()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join(testenv.RepoRoot(), "config", "policy", "gateway_class_policy.yaml"), y)
}

// TestEveryRuleHasCELOrReason: a rule the API server cannot check says why.
func TestEveryRuleHasCELOrReason(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range classrules.Rules {
		if seen[r.ID] {
			t.Errorf("rule ID %s twice", r.ID)
		}
		seen[r.ID] = true
		if (r.CEL == "") == (r.Why == "") {
			t.Errorf("rule %s: exactly one of CEL and Why must be set", r.ID)
		}
		if !strings.HasPrefix(r.ClassField, "spec.") || r.GatewayField == "" {
			t.Errorf("rule %s: class field %q, gateway field %q", r.ID, r.ClassField, r.GatewayField)
		}
	}
}

func TestCheck(t *testing.T) {
	closed := &v1alpha1.IngressGatewayClass{ObjectMeta: metav1.ObjectMeta{Name: "tight"},
		Spec: v1alpha1.IngressGatewayClassSpec{AllowedNamespaces: v1alpha1.AllowedNamespaces{Names: []string{"ingress"}}}}
	gw := func(mut func(*v1alpha1.IngressGateway)) *v1alpha1.IngressGateway {
		g := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Name: "g", Namespace: "ingress"}}
		mut(g)
		return g
	}
	cases := []struct {
		name   string
		gw     *v1alpha1.IngressGateway
		class  func(*v1alpha1.IngressGatewayClass)
		labels map[string]string
		grants []v1alpha1.IngressGatewayGrant
		want   []string // "rule field"
	}{
		{name: "plain gateway", gw: gw(func(*v1alpha1.IngressGateway) {})},
		{name: "other namespace", gw: gw(func(g *v1alpha1.IngressGateway) { g.Namespace = "team-a" }), want: []string{"namespace metadata.namespace"}},
		{name: "selector", gw: gw(func(g *v1alpha1.IngressGateway) { g.Namespace = "team-a" }), labels: map[string]string{"ingress": "yes"},
			class: func(c *v1alpha1.IngressGatewayClass) {
				c.Spec.AllowedNamespaces.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "ingress", Operator: metav1.LabelSelectorOpIn, Values: []string{"yes"}}}}
			}},
		{name: "everything forbidden", gw: gw(func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.Image = "evil:latest"
			g.Spec.Controller.AllowSnippetAnnotations = true
			g.Spec.Controller.Config = map[string]string{"annotations-risk-level": "critical", "http-snippet": "x", "use-gzip": "true"}
			g.Spec.Controller.ExtraArgs = map[string]string{"watch-ingress-without-class": "true"}
			g.Spec.Workload.HostNetwork = true
			g.Spec.Workload.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
			g.Spec.Workload.PriorityClassName = "system-node-critical"
			g.Spec.IngressClass.Default = true
			g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"10.96.0.1/32"}, Image: "k:1"}
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: "default", Name: "kubernetes", Port: intstr.FromInt(443)}}}
		}), want: []string{
			"image spec.controller.image", "keepalivedImage spec.vip.image", "hostNetwork spec.workload.hostNetwork", "vip spec.vip",
			"defaultIngressClass spec.ingressClass.default", "snippets spec.controller.allowSnippetAnnotations",
			"snippets spec.controller.config[annotations-risk-level]", "snippets spec.controller.config[http-snippet]",
			"extraArgs spec.controller.extraArgs[watch-ingress-without-class]", "tolerations spec.workload.tolerations[0]",
			"priorityClassName spec.workload.priorityClassName", "crossNamespaceReferences spec.tcp[0].backend.namespace",
		}},
		{name: "vip outside pools", gw: gw(func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.HostNetwork = true
			g.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"192.168.10.15/28", "192.168.20.1/28", "192.168.10.5/1"}}
		}), class: func(c *v1alpha1.IngressGatewayClass) {
			c.Spec.Capabilities.HostNetwork = true
			c.Spec.Capabilities.VIP = &v1alpha1.VIPCapability{AddressPools: []string{"192.168.10.0/28"}}
		}, want: []string{"vipAddressPools spec.vip.addresses[1]", "vipAddressPools spec.vip.addresses[2]"}},
		{name: "cross-namespace config references and settings", gw: gw(func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.Config = map[string]string{"ssl-dh-param": "kube-system/dh", "allow-cross-namespace-resources": "True"}
		}), want: []string{"snippets spec.controller.config[allow-cross-namespace-resources]", "crossNamespaceReferences spec.controller.config[ssl-dh-param].namespace"}},
		{name: "cross-namespace without grant", gw: gw(func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: "certs", Name: "wild"}}
			g.Spec.DefaultBackend = &v1alpha1.ServiceReference{Namespace: "web", Name: "fallback"}
		}), class: func(c *v1alpha1.IngressGatewayClass) { c.Spec.References.CrossNamespace = true },
			grants: []v1alpha1.IngressGatewayGrant{{ObjectMeta: metav1.ObjectMeta{Namespace: "certs"}, Spec: v1alpha1.IngressGatewayGrantSpec{
				From: []v1alpha1.GrantFrom{{Namespace: "ingress"}}, To: []v1alpha1.GrantTo{{Kind: "Secret", Name: "wild"}}}}},
			want: []string{"referenceGrant spec.defaultBackend"}},
		{name: "scope GatewayNamespace", gw: gw(func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultBackend = &v1alpha1.ServiceReference{Namespace: "web", Name: "fallback"}
		}), class: func(c *v1alpha1.IngressGatewayClass) {
			c.Spec.References.CrossNamespace = true
			c.Spec.DataPlane.Scope = v1alpha1.ScopeGatewayNamespace
		}, want: []string{"scopeReferences spec.defaultBackend.namespace"}},
		{name: "risk level Critical in any case", gw: gw(func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.Config = map[string]string{"annotations-risk-level": "CRITICAL"}
		}), want: []string{"snippets spec.controller.config[annotations-risk-level]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			class := closed.DeepCopy()
			if c.class != nil {
				c.class(class)
			}
			var got []string
			for _, v := range classrules.Check(classrules.Input{Gateway: c.gw, Class: class, NamespaceLabels: c.labels, Grants: c.grants}) {
				got = append(got, v.Rule+" "+v.Field.String())
				if !strings.Contains(v.String(), `IngressGatewayClass "tight"`) || !strings.Contains(v.String(), v.ClassField) {
					t.Errorf("message lacks class or class field: %s", v)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("violations:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	classes := []v1alpha1.IngressGatewayClass{{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, {ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: v1alpha1.IngressGatewayClassSpec{Default: true}}}
	gw := &v1alpha1.IngressGateway{}
	if c, err := classrules.Resolve(gw, classes); err != nil || c.Name != "b" {
		t.Fatalf("default: %v %v", c, err)
	}
	gw.Spec.GatewayClassName = "a"
	if c, err := classrules.Resolve(gw, classes); err != nil || c.Name != "a" {
		t.Fatalf("named: %v %v", c, err)
	}
	gw.Spec.GatewayClassName = "zz"
	if _, err := classrules.Resolve(gw, classes); err == nil || !strings.Contains(err.Error(), `"zz" does not exist`) {
		t.Fatalf("missing: %v", err)
	}
	gw.Spec.GatewayClassName = ""
	classes[0].Spec.Default = true
	if _, err := classrules.Resolve(gw, classes); err == nil || !strings.Contains(err.Error(), "several") {
		t.Fatalf("two defaults: %v", err)
	}
}
