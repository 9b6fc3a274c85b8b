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
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// classAnnotation is the legacy way an Ingress names its class.
const classAnnotation = "kubernetes.io/ingress.class"

// Report is what moving a gateway to the traefik driver changes.
// `portico migrate-check -o json` prints it: add fields, never rename or
// remove one.
type Report struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// GatewayClass is the gateway's IngressGatewayClass, "" when unknown.
	GatewayClass string `json:"gatewayClass"`
	// Driver is the class's data plane today ("" when the class is unknown).
	Driver string `json:"driver"`
	// Traefik is the Traefik release the check describes.
	Traefik string `json:"traefik"`
	// IngressClasses are the IngressClasses the gateway serves, its own
	// first.
	IngressClasses []string `json:"ingressClasses"`
	// Verdict is the worst verdict of the Ingresses (works without any).
	Verdict Verdict `json:"verdict"`
	// Ingresses are those the gateway serves, by namespace and name.
	Ingresses []IngressReport `json:"ingresses"`
	// Gateway holds the findings about the gateway itself, by field.
	Gateway []GatewayFinding `json:"gateway"`
}

// IngressReport is one Ingress the gateway serves.
type IngressReport struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// SelectedBy says how the Ingress names the gateway's class.
	SelectedBy string  `json:"selectedBy"`
	Verdict    Verdict `json:"verdict"`
	// Findings are what differs or is ignored, one per annotation or
	// field, sorted by subject; none when the Ingress works as it is.
	Findings []Finding `json:"findings"`
}

// Finding is one thing that differs for an Ingress.
type Finding struct {
	// Subject is the annotation key, or the field of the Ingress or the
	// gateway the finding is about.
	Subject string  `json:"subject"`
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason"`
}

// GatewayFinding is one thing about the gateway's own spec.
type GatewayFinding struct {
	// Field is the gateway field, e.g. spec.controller.config[proxy-body-size].
	Field string `json:"field"`
	// Value is the field's value, when it has a short one.
	Value string `json:"value,omitempty"`
	// Verdict is works for a note, else what the gateway's Ingresses see.
	Verdict Verdict `json:"verdict"`
	// Refused means the traefik driver refuses the gateway until the field
	// changes.
	Refused bool `json:"refused"`
	// Flag is the Traefik flag the field becomes, if any.
	Flag    string `json:"flag,omitempty"`
	Message string `json:"message"`
}

// Breaks reports whether any Ingress breaks.
func (r *Report) Breaks() bool { return r.Verdict == Breaks }

// Count returns how many Ingresses have verdict v.
func (r *Report) Count(v Verdict) int {
	n := 0
	for _, i := range r.Ingresses {
		if i.Verdict == v {
			n++
		}
	}
	return n
}

// gatewayContext holds what the per-Ingress checks read from the gateway.
type gatewayContext struct {
	gw              *v1alpha1.IngressGateway
	config          map[string]string
	allowSnippets   bool
	trustsForwarded bool
	bufferRequests  bool
	globalAuth      bool
}

func isTrue(v string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil && b
}

// Check lists the Ingresses gw serves (from ingresses) and, for each,
// what a move of its class to the traefik driver changes, with the
// findings about the gateway itself. class is gw's IngressGatewayClass
// (nil when unknown: the scope is then taken as Cluster);
// ingressClasses are the cluster's IngressClasses (none: the gateway's
// own names are used).
//
// An Ingress is listed when ingress-nginx serves it, or the traefik driver
// will: its spec.ingressClassName names an IngressClass whose controller is
// the gateway's (its class and aliases); else its kubernetes.io/ingress.class
// annotation is the gateway's own class name (never an alias: the
// --ingress-class value, and Traefik's ingressClass); else, with neither,
// when ingress-nginx watches Ingresses without a class
// (watch-ingress-without-class in spec.controller.extraArgs) or the
// traefik driver does (that flag set to "true", or
// spec.ingressClass.default, as internal/render/traefik.go renders it).
// spec.ingressClass.default alone never made ingress-nginx serve them: it
// makes the API server give the class to Ingresses created afterwards.
func Check(gw *v1alpha1.IngressGateway, class *v1alpha1.IngressGatewayClass, ingresses []networkingv1.Ingress, ingressClasses []networkingv1.IngressClass) Report {
	r := Report{
		Namespace: gw.Namespace, Name: gw.Name, Traefik: TraefikVersion,
		Verdict: Works, Ingresses: []IngressReport{}, Gateway: []GatewayFinding{},
	}
	if class != nil {
		r.GatewayClass = class.Name
		r.Driver = string(cmp.Or(class.Spec.DataPlane.Driver, v1alpha1.DriverIngressNGINX))
	}
	served := servedClasses(gw, ingressClasses)
	r.IngressClasses = served
	g := &gatewayContext{
		gw:            gw,
		config:        gw.Spec.Controller.Config,
		allowSnippets: gw.Spec.Controller.AllowSnippetAnnotations,
		trustsForwarded: isTrue(gw.Spec.Controller.Config["use-forwarded-headers"]) ||
			isTrue(gw.Spec.Controller.Config["enable-real-ip"]),
		// The traefik driver buffers requests unless the key says off, as
		// ingress-nginx does (internal/facts/traefik.go).
		bufferRequests: !strings.EqualFold(strings.TrimSpace(gw.Spec.Controller.Config["proxy-request-buffering"]), "off"),
		globalAuth:     strings.TrimSpace(gw.Spec.Controller.Config["global-auth-url"]) != "",
	}
	scoped := class != nil && class.Spec.DataPlane.Scope == v1alpha1.ScopeGatewayNamespace
	// Ingresses with neither spec.ingressClassName nor the annotation:
	// ingress-nginx serves them with --watch-ingress-without-class (a bare
	// flag counts); the traefik driver sets the provider's
	// watchIngressWithoutClass when that flag is "true" or the gateway's
	// class is the cluster default (internal/render/traefik.go).
	flag, hasFlag := gw.Spec.Controller.ExtraArgs[watchWithoutClassFlag]
	nginxWithoutClass := hasFlag && (flag == "" || isTrue(flag))
	traefikWithoutClass := gw.Spec.IngressClass.Default || flag == "true"

	type selected struct {
		ing *networkingv1.Ingress
		by  string
	}
	var sel []selected
	for i := range ingresses {
		ing := &ingresses[i]
		if scoped && ing.Namespace != gw.Namespace {
			continue
		}
		switch a, hasAnnotation := ing.Annotations[classAnnotation]; {
		case ing.Spec.IngressClassName != nil:
			if slices.Contains(served, *ing.Spec.IngressClassName) {
				sel = append(sel, selected{ing, "spec.ingressClassName: " + *ing.Spec.IngressClassName})
			}
		case hasAnnotation:
			if a == render.IngressClassName(gw) {
				sel = append(sel, selected{ing, classAnnotation + ": " + a})
			}
		case nginxWithoutClass && traefikWithoutClass:
			sel = append(sel, selected{ing, selectedWithoutClass})
		case nginxWithoutClass:
			sel = append(sel, selected{ing, selectedWithoutClassNginx})
		case traefikWithoutClass:
			sel = append(sel, selected{ing, selectedWithoutClassTraefik})
		}
	}
	slices.SortFunc(sel, func(a, b selected) int {
		return cmp.Or(strings.Compare(a.ing.Namespace, b.ing.Namespace), strings.Compare(a.ing.Name, b.ing.Name))
	})

	// A host's paths are regular expressions as soon as one Ingress on
	// it asks (use-regex or rewrite-target), in both controllers.
	regexHosts := map[string]bool{}
	for _, s := range sel {
		a := s.ing.Annotations
		if isTrue(a[Prefix+"canary"]) {
			continue
		}
		if isTrue(a[Prefix+"use-regex"]) || a[Prefix+"rewrite-target"] != "" {
			for _, rule := range s.ing.Spec.Rules {
				regexHosts[rule.Host] = true
			}
		}
	}

	var snippetIngresses []string
	for _, s := range sel {
		ir := checkIngress(g, s.ing, s.by, regexHosts)
		r.Verdict = r.Verdict.Worse(ir.Verdict)
		r.Ingresses = append(r.Ingresses, ir)
		for _, k := range []string{"server-snippet", "configuration-snippet", "auth-snippet"} {
			if s.ing.Annotations[Prefix+k] != "" {
				snippetIngresses = append(snippetIngresses, s.ing.Namespace+"/"+s.ing.Name)
				break
			}
		}
	}
	r.Gateway = gatewayFindings(g, snippetIngresses, class)
	return r
}

// watchWithoutClassFlag is ingress-nginx's flag to serve Ingresses without
// a class, which the traefik driver translates.
const watchWithoutClassFlag = "watch-ingress-without-class"

// How an Ingress without a class is selected.
const (
	selectedWithoutClass        = "no class: watch-ingress-without-class"
	selectedWithoutClassNginx   = "no class: bare watch-ingress-without-class flag, ingress-nginx only"
	selectedWithoutClassTraefik = "no class: Traefik only, for the default class"
)

// servedClasses returns the names of the IngressClasses gw serves: its own
// and its aliases, and any IngressClass carrying its controller value.
func servedClasses(gw *v1alpha1.IngressGateway, ingressClasses []networkingv1.IngressClass) []string {
	names := render.IngressClassNames(gw)
	var more []string
	for _, ic := range ingressClasses {
		if ic.Spec.Controller == render.ControllerClass(gw) && !slices.Contains(names, ic.Name) && !slices.Contains(more, ic.Name) {
			more = append(more, ic.Name)
		}
	}
	slices.Sort(more)
	return append(names, more...)
}

// checkIngress returns one Ingress's report.
func checkIngress(g *gatewayContext, ing *networkingv1.Ingress, by string, regexHosts map[string]bool) IngressReport {
	ir := IngressReport{Namespace: ing.Namespace, Name: ing.Name, SelectedBy: by, Verdict: Works, Findings: []Finding{}}
	add := func(subject string, v Verdict, reason string) {
		ir.Findings = append(ir.Findings, Finding{Subject: subject, Verdict: v, Reason: reason})
		ir.Verdict = ir.Verdict.Worse(v)
	}
	a := ing.Annotations
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if !strings.HasPrefix(k, Prefix) {
			continue
		}
		row, ok := Lookup(k)
		if !ok {
			add(k, WorksWithDifferences, "Traefik "+TraefikVersion+" does not know this annotation (its documentation does not list it) and ignores it: check what it did under ingress-nginx.")
			continue
		}
		if v, reason := refine(g, ing, row, a[k]); v != Works {
			add(k, v, reason)
		}
	}

	switch by {
	case selectedWithoutClassNginx:
		add("spec.ingressClassName", Breaks, fmt.Sprintf("The Ingress has no class: ingress-nginx serves it through the bare --watch-ingress-without-class flag, which the traefik driver translates only with the value \"true\". Set spec.controller.extraArgs[watch-ingress-without-class] to \"true\", or spec.ingressClassName: %s on the Ingress.", render.IngressClassName(g.gw)))
	case selectedWithoutClassTraefik:
		add("spec.ingressClassName", WorksWithDifferences, fmt.Sprintf("Newly served: the Ingress has no class, which ingress-nginx does not serve (spec.ingressClass.default only gives the class to Ingresses created afterwards), but the traefik driver serves Ingresses without a class for the default class. Check that it should be exposed, or give it another class than %s.", render.IngressClassName(g.gw)))
	}

	for ri, rule := range ing.Spec.Rules {
		if !regexHosts[rule.Host] || rule.HTTP == nil {
			continue
		}
		for pi, p := range rule.HTTP.Paths {
			if p.PathType != nil && *p.PathType == networkingv1.PathTypeExact {
				continue
			}
			if _, err := regexp.Compile("(?i)^" + p.Path); err != nil {
				add(fmt.Sprintf("spec.rules[%d].http.paths[%d].path", ri, pi), Breaks,
					fmt.Sprintf("%q is a regular expression here (use-regex or rewrite-target on host %q) that Go's RE2 syntax does not accept (%v): Traefik drops its route. Rewrite it without PCRE-only syntax.", p.Path, rule.Host, regexpErr(err)))
			}
		}
	}

	hasTLS := len(ing.Spec.TLS) > 0
	cfg := g.config
	if isTrue(cfg["force-ssl-redirect"]) && !hasTLS && !isTrue(a[Prefix+"force-ssl-redirect"]) {
		add("spec.controller.config[force-ssl-redirect]", Breaks,
			`The gateway-wide force-ssl-redirect has no Traefik equivalent: HTTP requests to this Ingress are no longer redirected to HTTPS. Add nginx.ingress.kubernetes.io/force-ssl-redirect: "true" to it.`)
	}
	if v, set := cfg["ssl-redirect"]; set && !isTrue(v) && hasTLS {
		if _, own := a[Prefix+"ssl-redirect"]; !own {
			add("spec.controller.config[ssl-redirect]", WorksWithDifferences,
				`The gateway-wide ssl-redirect: "false" has no Traefik equivalent: HTTP requests to this Ingress (it has a TLS section) are now redirected to HTTPS. Add nginx.ingress.kubernetes.io/ssl-redirect: "false" to it to keep answering plain HTTP.`)
		}
	}
	if strings.TrimSpace(cfg["whitelist-source-range"]) != "" && a[Prefix+"whitelist-source-range"] == "" && a[Prefix+"allowlist-source-range"] == "" {
		add("spec.controller.config[whitelist-source-range]", Breaks,
			"The gateway-wide whitelist-source-range has no Traefik equivalent: every client may now reach this Ingress. Add nginx.ingress.kubernetes.io/whitelist-source-range to it.")
	}
	if strings.TrimSpace(cfg["denylist-source-range"]) != "" {
		add("spec.controller.config[denylist-source-range]", Breaks,
			"The gateway-wide denylist-source-range has no Traefik equivalent: the listed addresses may now reach this Ingress.")
	}
	if isTrue(cfg["enable-modsecurity"]) && (a[Prefix+"enable-modsecurity"] == "" || isTrue(a[Prefix+"enable-modsecurity"])) {
		add("spec.controller.config[enable-modsecurity]", Breaks,
			"Traefik's own build has no ModSecurity: requests to this Ingress are no longer inspected by the WAF.")
	}
	if isTrue(cfg["use-proxy-protocol"]) {
		add("spec.controller.config[use-proxy-protocol]", Breaks,
			"Traefik's provider has no PROXY protocol option: while the load balancer sends the PROXY header, no request reaches this Ingress.")
	}

	slices.SortStableFunc(ir.Findings, func(x, y Finding) int { return strings.Compare(x.Subject, y.Subject) })
	return ir
}

// regexpErr shortens a regexp error to its cause.
func regexpErr(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); i >= 0 && strings.HasPrefix(s, "error parsing regexp") {
		return s[i+2:]
	}
	return s
}

// Variables Traefik interpolates (pkg/middlewares/ingressnginx/interpolation.go;
// a test re-reads it): whole names, and prefixes of families such as $http_*.
var (
	interpolated         = []string{"scheme", "host", "hostname", "request_uri", "request_method", "query_string", "args", "remote_addr", "uri", "document_uri", "server_name", "server_port", "content_type", "content_length", "is_args", "best_http_host", "escaped_request_uri", "proxy_add_x_forwarded_for"}
	interpolatedPrefixes = []string{"http_", "upstream_http_", "arg_", "cookie_"}
	// upstream-vhost also gets these (pkg/provider/kubernetes/ingress-nginx/middleware.go).
	upstreamVhostVars = []string{"namespace", "ingress_name", "location_path", "service_name", "service_port"}
	variableRE        = regexp.MustCompile(`\$\{?([a-zA-Z_][a-zA-Z0-9_]*|[1-9])\}?`)
)

// unknownVariables returns the nginx variables of v Traefik leaves as
// written.
func unknownVariables(v string, extra []string) []string {
	var out []string
	for _, m := range variableRE.FindAllStringSubmatch(v, -1) {
		name := m[1]
		if slices.Contains(interpolated, name) || slices.Contains(extra, name) ||
			slices.ContainsFunc(interpolatedPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		if !slices.Contains(out, "$"+name) {
			out = append(out, "$"+name)
		}
	}
	return out
}

// refine returns the verdict and reason for one annotation on one Ingress.
func refine(g *gatewayContext, ing *networkingv1.Ingress, row Annotation, value string) (Verdict, string) {
	a := ing.Annotations
	val := strings.TrimSpace(value)
	if row.boolean && !strings.EqualFold(val, "true") {
		return Works, ""
	}
	name := strings.TrimPrefix(row.Name, Prefix)
	switch name {
	case "auth-url", "auth-signin", "upstream-vhost", "upstream-hash-by":
		var extra []string
		if name == "upstream-vhost" {
			extra = upstreamVhostVars
		}
		if vars := unknownVariables(val, extra); len(vars) > 0 {
			v := Breaks
			if name == "upstream-hash-by" {
				v = WorksWithDifferences
			}
			return v, fmt.Sprintf("Traefik does not interpolate %s and leaves it in the value as written. %s", strings.Join(vars, ", "), strings.TrimSuffix(row.Traefik, varsNote))
		}
		if row.Verdict == Works {
			return Works, ""
		}
		reason := strings.TrimSuffix(row.Traefik, varsNote)
		if strings.Contains(val, "$") {
			reason += " Traefik interpolates every variable the value uses."
		}
		return row.Verdict, reason
	case "server-snippet", "configuration-snippet", "auth-snippet":
		if !g.allowSnippets {
			return Breaks, "Traefik skips the whole Ingress: it carries a snippet annotation and spec.controller.allowSnippetAnnotations is off (ingress-nginx refuses snippets too without it; an Ingress it still serves was admitted before). Turn it on, or remove the annotation."
		}
		if name == "auth-snippet" && a[Prefix+"auth-url"] == "" && !(g.globalAuth && !strings.EqualFold(a[Prefix+"enable-global-auth"], "false")) {
			return Works, ""
		}
		root := blockLocation
		if name == "server-snippet" {
			root = blockServer
		}
		if problems := snippetProblems(val, root); len(problems) > 0 {
			return Breaks, strings.Join(problems, "; ") + ": the snippet middleware fails and Traefik drops the routes that use it (404). Rewrite the snippet with the directives Traefik emulates, or with other annotations."
		}
		var names []string
		if ds, err := parseSnippet(val, root); err == nil {
			for _, d := range ds {
				if !slices.Contains(names, d.name) {
					names = append(names, d.name)
				}
			}
		}
		return WorksWithDifferences, fmt.Sprintf("Traefik emulates the snippet's directives (%s) rather than running nginx.", strings.Join(names, ", ")) + snippetVarsNote(val)
	case "satisfy":
		if !strings.EqualFold(val, "any") {
			return Works, ""
		}
	case "affinity-mode":
		if strings.EqualFold(val, "persistent") {
			return Works, ""
		}
	case "affinity-canary-behavior":
		if !strings.EqualFold(val, "legacy") {
			return Works, ""
		}
	case "load-balance":
		if strings.EqualFold(val, "round_robin") {
			return Works, ""
		}
	case "backend-protocol":
		switch strings.ToUpper(val) {
		case "", "HTTP", "HTTPS", "GRPC", "GRPCS":
			return Works, ""
		case "FCGI":
			return Breaks, "FCGI is not supported: Traefik proxies plain HTTP to the FastCGI backend, which cannot answer it."
		case "AUTO_HTTP":
			return WorksWithDifferences, "AUTO_HTTP is not supported: Traefik proxies plain HTTP whatever the client used."
		}
		return WorksWithDifferences, fmt.Sprintf("%q is not a protocol Traefik knows: it proxies plain HTTP.", val)
	case "proxy-http-version":
		if val != "1.0" {
			return Works, ""
		}
		return WorksWithDifferences, "\"1.0\" is not supported and is ignored: Traefik speaks HTTP/1.1 (or HTTP/2) to the backend."
	case "canary-by-header-pattern":
		if _, err := regexp.Compile(val); err != nil {
			return Breaks, fmt.Sprintf("Go's RE2 syntax does not accept the pattern (%v): Traefik drops the canary's routes.", regexpErr(err))
		}
		return Works, ""
	case "x-forwarded-prefix":
		if a[Prefix+"rewrite-target"] != "" {
			return Works, ""
		}
	case "from-to-www-redirect":
		for _, rule := range ing.Spec.Rules {
			if strings.HasPrefix(rule.Host, "*.") {
				return WorksWithDifferences, fmt.Sprintf("Not for wildcard hosts: %s gets no www redirect.", rule.Host)
			}
		}
		return Works, ""
	case "rewrite-target":
		if a[Prefix+"auth-url"] != "" || (g.globalAuth && !strings.EqualFold(a[Prefix+"enable-global-auth"], "false")) {
			return WorksWithDifferences, "With forward authentication on the same Ingress, the auth service sees the rewritten path (X-Forwarded-Uri), not the client's."
		}
		return Works, ""
	case "custom-http-errors":
		if a[Prefix+"default-backend"] != "" || g.gw.Spec.DefaultBackend != nil {
			return Works, ""
		}
	case "proxy-body-size":
		rb := strings.ToLower(strings.TrimSpace(a[Prefix+"proxy-request-buffering"]))
		if rb == "on" || (rb == "" && g.bufferRequests) {
			return Works, ""
		}
	case "whitelist-source-range", "allowlist-source-range":
		if g.trustsForwarded {
			return Breaks, "The gateway trusts forwarded headers (use-forwarded-headers or enable-real-ip in spec.controller.config), so ingress-nginx matched the client's address from X-Forwarded-For; Traefik matches the connection's address (the load balancer's or proxy's), so the range admits or refuses the wrong clients."
		}
		return Works, ""
	case "preserve-trailing-slash":
		if strings.EqualFold(val, "true") {
			return Works, ""
		}
		return WorksWithDifferences, "Ignored: Traefik keeps the trailing slash when redirecting to HTTPS."
	case "proxy-ssl-server-name":
		bp := strings.ToUpper(strings.TrimSpace(a[Prefix+"backend-protocol"]))
		if (bp != "HTTPS" && bp != "GRPCS") || a[Prefix+"proxy-ssl-name"] != "" {
			return Works, ""
		}
		if strings.EqualFold(strings.TrimSpace(a[Prefix+"proxy-ssl-verify"]), "on") {
			return Breaks, fmt.Sprintf("Without proxy-ssl-name Traefik takes %q as the backend's server name: it sends that SNI and verifies the backend's certificate against it, which fails. Set nginx.ingress.kubernetes.io/proxy-ssl-name to the backend's name.", val)
		}
		return WorksWithDifferences, fmt.Sprintf("Without proxy-ssl-name Traefik sends %q as the SNI to the backend. Set nginx.ingress.kubernetes.io/proxy-ssl-name to the backend's name.", val)
	}
	return row.Verdict, row.Traefik
}

// setVariableRE finds the variables a snippet defines with set.
var setVariableRE = regexp.MustCompile(`(?:^|[;{\s])set\s+\$([a-zA-Z_][a-zA-Z0-9_]*)`)

// snippetVarsNote names the variables of a snippet Traefik does not
// interpolate, apart from those the snippet sets itself.
func snippetVarsNote(snippet string) string {
	var set []string
	for _, m := range setVariableRE.FindAllStringSubmatch(snippet, -1) {
		set = append(set, m[1])
	}
	vars := unknownVariables(snippet, set)
	if len(vars) == 0 {
		return ""
	}
	return " Traefik leaves " + strings.Join(vars, ", ") + " as written."
}

// gatewayFindings lists what the gateway's own spec means under Traefik.
func gatewayFindings(g *gatewayContext, snippetIngresses []string, class *v1alpha1.IngressGatewayClass) []GatewayFinding {
	gw := g.gw
	var out []GatewayFinding
	if class == nil {
		out = append(out, GatewayFinding{Field: "spec.gatewayClassName", Verdict: Works,
			Message: "The gateway's IngressGatewayClass was not given: its scope is taken as Cluster (every namespace's Ingresses)."})
	}

	for _, k := range slices.Sorted(maps.Keys(g.config)) {
		v := g.config[k]
		f := GatewayFinding{Field: "spec.controller.config[" + k + "]", Value: v, Verdict: Works}
		opt, conv, _, err := TraefikConfigOption(k, v)
		switch {
		case err != nil:
			f.Refused = true
			f.Verdict = WorksWithDifferences
			f.Message = "Refused under the traefik driver: " + strings.TrimPrefix(err.Error(), f.Field+": ")
		case opt == "":
			why, _ := facts.SameAsTraefik(k, v)
			f.Message = "Nothing to pass: " + why + "."
		case facts.EntryPointOption(opt):
			f.Flag = EntryPointFlags(opt, conv)
			f.Message = "Becomes " + f.Flag + " (trusted from every address, as ingress-nginx does by default)."
		case k == "proxy-request-buffering" && !g.bufferRequests:
			f.Flag = ProviderFlagPrefix + opt + "=" + conv
			f.Verdict = WorksWithDifferences
			f.Message = "Becomes " + f.Flag + ". Without request buffering Traefik no longer refuses bodies over proxy-body-size (1m unless set), which ingress-nginx did whether it buffered or not: remove the key to keep the limit."
		default:
			f.Flag = ProviderFlagPrefix + opt + "=" + conv
			f.Message = "Becomes " + f.Flag + "."
			for _, o := range ConfigOptions() {
				if o.Key != k || o.Note == "" {
					continue
				}
				// The buffering notes no longer apply once buffering is on.
				switch k {
				case "proxy-body-size", "client-body-buffer-size":
					if g.bufferRequests {
						continue
					}
				case "proxy-buffer-size":
					if strings.EqualFold(strings.TrimSpace(g.config["proxy-buffering"]), "on") {
						continue
					}
				}
				f.Verdict = WorksWithDifferences
				f.Message += " " + o.Note
			}
		}
		out = append(out, f)
	}

	// ingress-nginx defaults Traefik does not share.
	if _, set := g.config["hsts"]; !set {
		out = append(out, GatewayFinding{Field: "spec.controller.config[hsts]", Verdict: WorksWithDifferences,
			Message: "Not set: ingress-nginx sends Strict-Transport-Security on HTTPS responses by default (hsts: \"true\"); Traefik sends none."})
	}

	switch {
	case gw.Spec.Controller.AllowSnippetAnnotations:
		out = append(out, GatewayFinding{Field: "spec.controller.allowSnippetAnnotations", Value: "true", Verdict: WorksWithDifferences, Flag: ProviderFlagPrefix + "allowSnippetAnnotations=true",
			Message: "Traefik runs no nginx: it emulates a subset of directives in server-, configuration- and auth-snippets, and a snippet with any other directive drops its routes (see each Ingress)."})
	case len(snippetIngresses) > 0:
		out = append(out, GatewayFinding{Field: "spec.controller.allowSnippetAnnotations", Value: "false", Verdict: Breaks,
			Message: fmt.Sprintf("Off: Traefik skips every Ingress with a snippet annotation: %s.", strings.Join(snippetIngresses, ", "))})
	}

	for _, k := range slices.Sorted(maps.Keys(gw.Spec.Controller.ExtraArgs)) {
		if k == watchWithoutClassFlag && gw.Spec.Controller.ExtraArgs[k] == "true" {
			flag := ProviderFlagPrefix + "watchIngressWithoutClass=true"
			out = append(out, GatewayFinding{Field: "spec.controller.extraArgs[" + k + "]", Value: "true", Verdict: Works, Flag: flag,
				Message: "Becomes " + flag + "."})
			continue
		}
		msg := "Refused under the traefik driver: --" + k + " is an ingress-nginx flag; remove it before switching."
		if n, ok := extraArgNotes[k]; ok {
			msg += " " + n
		}
		out = append(out, GatewayFinding{Field: "spec.controller.extraArgs[" + k + "]", Value: gw.Spec.Controller.ExtraArgs[k],
			Verdict: WorksWithDifferences, Refused: true, Message: msg})
	}

	if facts.WebhookEnabled(gw) {
		out = append(out, GatewayFinding{Field: "spec.admissionWebhook.enabled", Value: "true", Verdict: WorksWithDifferences,
			Message: "Traefik has no validating admission webhook: Ingresses are no longer checked when they are created or changed; one Traefik cannot use is admitted and then skipped, or answers 404 or 503."})
	}

	if render.PublishesNodeAddresses(gw) {
		out = append(out, GatewayFinding{Field: "spec.statusAddresses", Verdict: WorksWithDifferences,
			Message: fmt.Sprintf("The gateway's address is its nodes' (Service type %s, no statusAddresses or vip), and Traefik cannot publish node addresses (its provider has no report-node-internal-ip-address): the Ingresses' status keeps the addresses ingress-nginx last wrote and is no longer updated. Set spec.statusAddresses (the nodes' addresses, or a DNS name for them) to keep it current.", render.EffectiveServiceType(gw))})
	}
	return out
}

// extraArgNotes say what becomes of some ingress-nginx flags under Traefik.
var extraArgNotes = map[string]string{
	"watch-ingress-without-class": `The traefik driver translates it only with the value "true".`,
	"enable-ssl-passthrough":      "Traefik honours ssl-passthrough annotations without a flag.",
	"ingress-class-by-name":       "Traefik selects the gateway's IngressClasses by their controller value.",
	"update-status":               "Traefik writes Ingress status whenever the gateway has an address to publish.",
	"enable-metrics":              "Traefik's metrics are configured on Traefik itself.",
}
