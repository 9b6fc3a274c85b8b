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

package migrate

import (
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
)

func gateway(mut func(*v1alpha1.IngressGateway)) *v1alpha1.IngressGateway {
	gw := &v1alpha1.IngressGateway{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ingress", Name: "public"},
		Spec: v1alpha1.IngressGatewaySpec{
			IngressClass: v1alpha1.IngressClassSpec{Name: "public", Aliases: []string{"nginx"}},
			Service:      v1alpha1.ServiceSpec{Type: v1alpha1.ServiceTypeLoadBalancer},
		},
	}
	if mut != nil {
		mut(gw)
	}
	return gw
}

func ingress(ns, name, class string, annotations map[string]string, paths ...string) networkingv1.Ingress {
	ing := networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: annotations}}
	if class != "" {
		ing.Spec.IngressClassName = ptr.To(class)
	}
	var hp []networkingv1.HTTPIngressPath
	for _, p := range paths {
		hp = append(hp, networkingv1.HTTPIngressPath{Path: p, PathType: ptr.To(networkingv1.PathTypeImplementationSpecific),
			Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}})
	}
	ing.Spec.Rules = []networkingv1.IngressRule{{Host: name + ".example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: hp}}}}
	return ing
}

func find(t *testing.T, r Report, ns, name string) IngressReport {
	t.Helper()
	for _, i := range r.Ingresses {
		if i.Namespace == ns && i.Name == name {
			return i
		}
	}
	t.Fatalf("%s/%s is not in the report: %+v", ns, name, r.Ingresses)
	return IngressReport{}
}

func finding(ir IngressReport, subject string) (Finding, bool) {
	for _, f := range ir.Findings {
		if f.Subject == subject {
			return f, true
		}
	}
	return Finding{}, false
}

// TestCheckSelectsTheGatewaysIngresses: by spec.ingressClassName (the
// class, an alias, or any IngressClass with the gateway's controller), by
// the legacy annotation (the class name only); without a class as
// ingress-nginx (watch-ingress-without-class) or the traefik driver (the
// flag set to "true", or the default class) serves them; a
// GatewayNamespace class sees its namespace only.
func TestCheckSelectsTheGatewaysIngresses(t *testing.T) {
	ings := []networkingv1.Ingress{
		ingress("a", "by-name", "public", nil, "/"),
		ingress("a", "by-alias", "nginx", nil, "/"),
		ingress("a", "by-controller", "extra", nil, "/"),
		ingress("a", "other-class", "traefik", nil, "/"),
		ingress("a", "annotated", "", map[string]string{classAnnotation: "public"}, "/"),
		ingress("a", "annotated-alias", "", map[string]string{classAnnotation: "nginx"}, "/"),
		ingress("a", "no-class", "", nil, "/"),
		ingress("ingress", "same-namespace", "public", nil, "/"),
	}
	classes := []networkingv1.IngressClass{
		{ObjectMeta: metav1.ObjectMeta{Name: "extra"}, Spec: networkingv1.IngressClassSpec{Controller: "portico.dev/ingress.public"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "traefik"}, Spec: networkingv1.IngressClassSpec{Controller: "traefik.io/ingress-controller"}},
	}
	names := func(r Report) string {
		var out []string
		for _, i := range r.Ingresses {
			out = append(out, i.Namespace+"/"+i.Name)
		}
		return strings.Join(out, " ")
	}
	const classed = "a/annotated a/by-alias a/by-controller a/by-name ingress/same-namespace"
	r := Check(gateway(nil), nil, ings, classes)
	if got := names(r); got != classed {
		t.Errorf("served %q, want %q", got, classed)
	}
	if got := strings.Join(r.IngressClasses, " "); got != "public nginx extra" {
		t.Errorf("IngressClasses %q", got)
	}
	const all = "a/annotated a/by-alias a/by-controller a/by-name a/no-class ingress/same-namespace"
	for _, tc := range []struct {
		name    string
		mut     func(*v1alpha1.IngressGateway)
		verdict Verdict // of a/no-class
		reason  string
	}{
		{"flag true", func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Controller.ExtraArgs = map[string]string{"watch-ingress-without-class": "true"}
		}, Works, ""},
		{"bare flag", func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Controller.ExtraArgs = map[string]string{"watch-ingress-without-class": ""}
		}, Breaks, `only with the value "true"`},
		{"default class", func(gw *v1alpha1.IngressGateway) { gw.Spec.IngressClass.Default = true }, WorksWithDifferences, "Newly served"},
	} {
		r := Check(gateway(tc.mut), nil, ings, classes)
		if got := names(r); got != all {
			t.Errorf("%s: served %q, want %q", tc.name, got, all)
			continue
		}
		ir := find(t, r, "a", "no-class")
		f, _ := finding(ir, "spec.ingressClassName")
		if ir.Verdict != tc.verdict || !strings.Contains(f.Reason, tc.reason) {
			t.Errorf("%s: a/no-class %s %+v, want %s with %q", tc.name, ir.Verdict, ir.Findings, tc.verdict, tc.reason)
		}
	}

	scoped := &v1alpha1.IngressGatewayClass{ObjectMeta: metav1.ObjectMeta{Name: "team"},
		Spec: v1alpha1.IngressGatewayClassSpec{DataPlane: v1alpha1.DataPlaneSpec{Scope: v1alpha1.ScopeGatewayNamespace}}}
	r = Check(gateway(nil), scoped, ings, classes)
	if got := names(r); got != "ingress/same-namespace" {
		t.Errorf("GatewayNamespace scope: served %q", got)
	}
	if r.GatewayClass != "team" || r.Driver != "ingress-nginx" || r.Verdict != Works {
		t.Errorf("header: %q %q %q", r.GatewayClass, r.Driver, r.Verdict)
	}
}

func TestCheckVerdicts(t *testing.T) {
	cfgGW := func(allowSnippets bool, config map[string]string) *v1alpha1.IngressGateway {
		return gateway(func(gw *v1alpha1.IngressGateway) {
			gw.Spec.Controller.AllowSnippetAnnotations = allowSnippets
			gw.Spec.Controller.Config = config
		})
	}
	for _, tc := range []struct {
		name        string
		gw          *v1alpha1.IngressGateway
		annotations map[string]string
		paths       []string
		subject     string
		verdict     Verdict // of the Ingress; Works means no finding on subject
		reason      string
	}{
		{name: "plain", gw: cfgGW(false, nil), subject: "-", verdict: Works},
		{name: "supported annotations", gw: cfgGW(false, nil), annotations: map[string]string{
			Prefix + "ssl-redirect": "true", Prefix + "proxy-read-timeout": "300", Prefix + "affinity": "cookie"}, subject: "-", verdict: Works},
		{name: "rewrite-target", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "rewrite-target": "/$2"},
			paths: []string{"/api(/|$)(.*)"}, subject: Prefix + "rewrite-target", verdict: Works},
		{name: "rewrite-target with auth", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "rewrite-target": "/$2", Prefix + "auth-url": "http://auth/verify"},
			subject: Prefix + "rewrite-target", verdict: WorksWithDifferences, reason: "X-Forwarded-Uri"},
		{name: "PCRE path", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "use-regex": "true"},
			paths: []string{"/(?!admin).*"}, subject: "spec.rules[0].http.paths[0].path", verdict: Breaks, reason: "RE2"},
		{name: "use-regex false leaves paths alone", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "use-regex": "false"},
			paths: []string{"/(?!admin).*"}, subject: "-", verdict: Works},
		{name: "snippet without allowSnippetAnnotations", gw: cfgGW(false, nil),
			annotations: map[string]string{Prefix + "configuration-snippet": `more_set_headers "X-A: b";`},
			subject:     Prefix + "configuration-snippet", verdict: Breaks, reason: "skips the whole Ingress"},
		{name: "emulated snippet", gw: cfgGW(true, nil),
			annotations: map[string]string{Prefix + "configuration-snippet": `more_set_headers "X-A: b"; proxy_set_header X-Id $request_id;`},
			subject:     Prefix + "configuration-snippet", verdict: WorksWithDifferences, reason: "leaves $request_id as written"},
		{name: "snippet Traefik cannot run", gw: cfgGW(true, nil),
			annotations: map[string]string{Prefix + "server-snippet": `gzip on;`},
			subject:     Prefix + "server-snippet", verdict: Breaks, reason: "does not emulate the directive gzip"},
		{name: "auth-snippet without auth-url", gw: cfgGW(true, nil),
			annotations: map[string]string{Prefix + "auth-snippet": `gzip on;`}, subject: "-", verdict: Works},
		{name: "allowlist", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "whitelist-source-range": "10.0.0.0/8"},
			subject: "-", verdict: Works},
		{name: "allowlist behind trusted forwarded headers", gw: cfgGW(false, map[string]string{"use-forwarded-headers": "true"}),
			annotations: map[string]string{Prefix + "whitelist-source-range": "10.0.0.0/8"},
			subject:     Prefix + "whitelist-source-range", verdict: Breaks, reason: "X-Forwarded-For"},
		{name: "gateway-wide allowlist", gw: cfgGW(false, map[string]string{"whitelist-source-range": "10.0.0.0/8"}),
			subject: "spec.controller.config[whitelist-source-range]", verdict: Breaks},
		{name: "gateway-wide force-ssl-redirect", gw: cfgGW(false, map[string]string{"force-ssl-redirect": "true"}),
			subject: "spec.controller.config[force-ssl-redirect]", verdict: Breaks},
		{name: "denylist", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "denylist-source-range": "1.2.3.4/32"},
			subject: Prefix + "denylist-source-range", verdict: Breaks},
		{name: "modsecurity off", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "enable-modsecurity": "false"},
			subject: "-", verdict: Works},
		{name: "modsecurity on", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "enable-modsecurity": "true"},
			subject: Prefix + "enable-modsecurity", verdict: Breaks},
		{name: "rate limit", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "limit-rps": "10"},
			subject: Prefix + "limit-rps", verdict: WorksWithDifferences, reason: "429"},
		{name: "body size without buffering", gw: cfgGW(false, map[string]string{"proxy-request-buffering": "off"}),
			annotations: map[string]string{Prefix + "proxy-body-size": "50m"}, subject: Prefix + "proxy-body-size", verdict: WorksWithDifferences},
		{name: "body size with buffering (the driver's default)", gw: cfgGW(false, nil),
			annotations: map[string]string{Prefix + "proxy-body-size": "50m"}, subject: "-", verdict: Works},
		{name: "body size with buffering off here", gw: cfgGW(false, map[string]string{"proxy-request-buffering": "off"}),
			annotations: map[string]string{Prefix + "proxy-body-size": "50m", Prefix + "proxy-request-buffering": "on"}, subject: "-", verdict: Works},
		{name: "auth-url with an unknown variable", gw: cfgGW(false, nil),
			annotations: map[string]string{Prefix + "auth-url": "http://auth/verify?id=$request_id"},
			subject:     Prefix + "auth-url", verdict: Breaks, reason: "$request_id"},
		{name: "FastCGI", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "backend-protocol": "FCGI"},
			subject: Prefix + "backend-protocol", verdict: Breaks},
		{name: "GRPC", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "backend-protocol": "GRPC"}, subject: "-", verdict: Works},
		{name: "unknown annotation", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "auth-signin-redirect-param": "next"},
			subject: Prefix + "auth-signin-redirect-param", verdict: WorksWithDifferences, reason: "does not know"},
		{name: "satisfy any", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "satisfy": "any"},
			subject: Prefix + "satisfy", verdict: Breaks},
		{name: "satisfy all", gw: cfgGW(false, nil), annotations: map[string]string{Prefix + "satisfy": "all"}, subject: "-", verdict: Works},
	} {
		t.Run(tc.name, func(t *testing.T) {
			paths := tc.paths
			if len(paths) == 0 {
				paths = []string{"/"}
			}
			r := Check(tc.gw, nil, []networkingv1.Ingress{ingress("app", "web", "public", tc.annotations, paths...)}, nil)
			ir := find(t, r, "app", "web")
			if ir.Verdict != tc.verdict {
				t.Errorf("verdict %s, want %s: %+v", ir.Verdict, tc.verdict, ir.Findings)
			}
			f, ok := finding(ir, tc.subject)
			if tc.verdict == Works {
				if len(ir.Findings) > 0 {
					t.Errorf("findings on an Ingress that works: %+v", ir.Findings)
				}
				return
			}
			if !ok || f.Verdict != tc.verdict || !strings.Contains(f.Reason, tc.reason) {
				t.Errorf("finding on %s: %+v (found %v), want %s with %q; all: %+v", tc.subject, f, ok, tc.verdict, tc.reason, ir.Findings)
			}
		})
	}
}

func TestCheckGatewayFindings(t *testing.T) {
	gw := gateway(func(gw *v1alpha1.IngressGateway) {
		gw.Spec.Service.Type = v1alpha1.ServiceTypeNone
		gw.Spec.Workload.HostNetwork = true
		gw.Spec.AdmissionWebhook.Enabled = ptr.To(true)
		gw.Spec.Controller.Config = map[string]string{"proxy-body-size": "8m", "ssl-redirect": "true", "worker-processes": "2", "hsts": "false", "proxy-connect-timeout": "5", "proxy-request-buffering": "off"}
		gw.Spec.Controller.ExtraArgs = map[string]string{"enable-ssl-passthrough": "", "watch-ingress-without-class": "true"}
	})
	snippet := ingress("app", "web", "public", map[string]string{Prefix + "server-snippet": "return 403;"}, "/")
	r := Check(gw, nil, []networkingv1.Ingress{snippet}, nil)
	byField := map[string]GatewayFinding{}
	for _, f := range r.Gateway {
		byField[f.Field] = f
	}
	for field, want := range map[string]string{
		"spec.gatewayClassName":                                  "scope is taken as Cluster",
		"spec.controller.config[proxy-body-size]":                "Becomes --providers.kubernetesIngressNGINX.proxyBodySize=8388608.",
		"spec.controller.config[ssl-redirect]":                   "Nothing to pass",
		"spec.controller.config[worker-processes]":               "Refused under the traefik driver",
		"spec.controller.config[proxy-request-buffering]":        "remove the key to keep the limit",
		"spec.controller.extraArgs[watch-ingress-without-class]": "Becomes --providers.kubernetesIngressNGINX.watchIngressWithoutClass=true.",
		"spec.controller.allowSnippetAnnotations":                "app/web",
		"spec.controller.extraArgs[enable-ssl-passthrough]":      "without a flag",
		"spec.admissionWebhook.enabled":                          "no validating admission webhook",
		"spec.statusAddresses":                                   "report-node-internal-ip-address",
	} {
		f, ok := byField[field]
		if !ok || !strings.Contains(f.Message, want) {
			t.Errorf("%s: %+v (found %v), want a message with %q", field, f, ok, want)
		}
	}
	if !byField["spec.controller.config[worker-processes]"].Refused || !byField["spec.controller.extraArgs[enable-ssl-passthrough]"].Refused {
		t.Error("unmapped keys and extraArgs are not refused")
	}
	if byField["spec.controller.config[proxy-body-size]"].Flag != "--providers.kubernetesIngressNGINX.proxyBodySize=8388608" {
		t.Errorf("flag %q", byField["spec.controller.config[proxy-body-size]"].Flag)
	}
	for _, gone := range []string{"spec.controller.config[hsts]", "spec.controller.config[proxy-connect-timeout]"} {
		if f := byField[gone]; f.Message != "" && !strings.HasPrefix(f.Message, "Nothing to pass") && !strings.HasPrefix(f.Message, "Becomes") {
			t.Errorf("%s is set, yet: %s", gone, f.Message)
		}
	}
	withStatus := gw.DeepCopy()
	withStatus.Spec.StatusAddresses = []string{"ingress.example.com"}
	for _, f := range Check(withStatus, nil, nil, nil).Gateway {
		if f.Field == "spec.statusAddresses" {
			t.Errorf("a gateway with statusAddresses: %s", f.Message)
		}
	}
}
