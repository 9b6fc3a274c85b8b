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

package facts

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ProviderFlagPrefix starts the command-line flag of every option of
// Traefik's kubernetesIngressNGINX provider:
// ProviderFlagPrefix + option + "=" + converted value.
const ProviderFlagPrefix = "--providers.kubernetesIngressNGINX."

// ConfigOption is an ingress-nginx ConfigMap key (spec.controller.config)
// that Traefik's provider has an option for. This table is the one
// translation: the renderer, admission (classrules) and
// `portico migrate-check` all read it.
type ConfigOption struct {
	// Key is the ingress-nginx ConfigMap key.
	Key string `json:"key"`
	// Option is the provider option (a json tag of its Provider struct,
	// pkg/provider/kubernetes/ingress-nginx/kubernetes.go).
	Option string `json:"option"`
	// Conversion says how the value is converted.
	Conversion string `json:"conversion"`
	// Note says what still differs, if anything.
	Note string `json:"note,omitempty"`

	convert func(string) (string, error)
}

// configOptions are the keys Traefik's provider has an option for (its
// Provider struct, and the mapping table of
// docs/content/migrate/nginx-to-traefik.md).
var configOptions = []ConfigOption{
	{Key: "allow-cross-namespace-resources", Option: "allowCrossNamespaceResources", Conversion: "boolean", convert: toBool},
	// The CRD refuses this key (spec.controller.allowSnippetAnnotations
	// sets it); it is mapped all the same, so the function is total.
	{Key: "allow-snippet-annotations", Option: "allowSnippetAnnotations", Conversion: "boolean", convert: toBool,
		Note: "Traefik emulates a subset of nginx directives in snippets; see the snippet annotations."},
	{Key: "client-body-buffer-size", Option: "clientBodyBufferSize", Conversion: "nginx size (k, m, g) to bytes", convert: toBytes,
		Note: "Applies only while request buffering is on."},
	{Key: "custom-http-errors", Option: "customHTTPErrors", Conversion: "comma-separated status codes", convert: toStatusList,
		Note: "Intercepted only when an error backend exists (spec.defaultBackend, or the Ingress's default-backend annotation)."},
	{Key: "global-allowed-response-headers", Option: "globalAllowedResponseHeaders", Conversion: "comma-separated header names", convert: toHeaderList},
	{Key: "global-auth-url", Option: "globalAuthURL", Conversion: "URL, unchanged", convert: toURL,
		Note: "Only the URL: the other global-auth-* keys have no equivalent."},
	{Key: "proxy-body-size", Option: "proxyBodySize", Conversion: "nginx size (k, m, g) to bytes; 0 (no limit) stays 0", convert: toBytes,
		Note: "Enforced only while request buffering is on (proxy-request-buffering: \"on\"); ingress-nginx enforced it always."},
	{Key: "proxy-buffer-size", Option: "proxyBufferSize", Conversion: "nginx size (k, m, g) to bytes", convert: toBytes,
		Note: "Applies only while response buffering is on."},
	{Key: "proxy-buffering", Option: "proxyBuffering", Conversion: "on/off to true/false", convert: toOnOff},
	{Key: "proxy-buffers-number", Option: "proxyBuffersNumber", Conversion: "integer", convert: toCount,
		Note: "Traefik multiplies it with proxy-buffer-size into one buffer."},
	{Key: "proxy-connect-timeout", Option: "proxyConnectTimeout", Conversion: "seconds", convert: toSeconds},
	{Key: "proxy-next-upstream", Option: "proxyNextUpstream", Conversion: "space-separated conditions, unchanged", convert: toNextUpstream,
		Note: "A retry may reach the same server again; error and timeout both mean any network failure."},
	{Key: "proxy-next-upstream-timeout", Option: "proxyNextUpstreamTimeout", Conversion: "seconds", convert: toSeconds},
	{Key: "proxy-next-upstream-tries", Option: "proxyNextUpstreamTries", Conversion: "integer", convert: toCount,
		Note: "0 (unlimited in nginx) becomes the number of servers."},
	{Key: "proxy-read-timeout", Option: "proxyReadTimeout", Conversion: "seconds", convert: toSeconds},
	{Key: "proxy-request-buffering", Option: "proxyRequestBuffering", Conversion: "on/off to true/false", convert: toOnOff},
	{Key: "proxy-send-timeout", Option: "proxySendTimeout", Conversion: "seconds", convert: toSeconds},
	{Key: "strict-validate-path-type", Option: "strictValidatePathType", Conversion: "boolean", convert: toBool},
	{Key: "upstream-keepalive-timeout", Option: "upstreamKeepaliveTimeout", Conversion: "seconds", convert: toSeconds},
}

// TraefikConfigOptions returns the ConfigMap keys Traefik's provider has an
// option for, sorted by key.
func TraefikConfigOptions() []ConfigOption {
	return slices.Clone(configOptions)
}

// traefikVersion is the release the table was written against
// (traefiksrc.Version; a test holds them equal).
const traefikVersion = "v3.7.13"

// entryPointOptions are keys that become options of the http and https
// entry points (EntryPointOption), not of the provider: what ingress-nginx
// trusts from clients is set per entry point in Traefik. Only "true"
// needs a flag; "false" is Traefik's behaviour (sameAsTraefik).
var entryPointOptions = map[string]string{
	// X-Forwarded-* from clients are kept and passed on, as ingress-nginx
	// does with use-forwarded-headers (from every address: ingress-nginx's
	// proxy-real-ip-cidr defaults to 0.0.0.0/0).
	"use-forwarded-headers": "forwardedHeaders.insecure",
	// The PROXY protocol header is read on http and https, from every
	// address, as ingress-nginx does with use-proxy-protocol.
	"use-proxy-protocol": "proxyProtocol.insecure",
}

// EntryPointOption reports whether option (as TraefikConfigOption returns
// it) belongs to the http and https entry points
// (--entryPoints.<web|websecure>.<option>) rather than to the provider.
func EntryPointOption(option string) bool {
	for _, o := range entryPointOptions {
		if o == option {
			return true
		}
	}
	return false
}

// TraefikConfigKeys returns every ingress-nginx ConfigMap key the traefik
// driver may accept (for some values), sorted: the admission policy
// refuses any other key outright.
func TraefikConfigKeys() []string {
	var keys []string
	for _, o := range configOptions {
		keys = append(keys, o.Key)
	}
	for k := range sameAsTraefik {
		keys = append(keys, k)
	}
	for k := range entryPointOptions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// SameAsTraefik says why a key's value needs no flag, when it asks for
// what Traefik does anyway.
func SameAsTraefik(key, value string) (string, bool) {
	s, ok := sameAsTraefik[key]
	if !ok || !strings.EqualFold(strings.TrimSpace(value), s.value) {
		return "", false
	}
	return s.why, true
}

// SameAsTraefikKeys lists, sorted, the keys with a value that asks for
// what Traefik does anyway, and that value.
func SameAsTraefikKeys() [][2]string {
	var out [][2]string
	for k, s := range sameAsTraefik {
		out = append(out, [2]string{k, s.value})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// sameAsTraefik are key/value pairs that ask for what Traefik does anyway:
// nothing needs passing for them.
var sameAsTraefik = map[string]struct{ value, why string }{
	"ssl-redirect":          {"true", "Traefik redirects HTTP to HTTPS for Ingresses with a TLS section unless they opt out"},
	"force-ssl-redirect":    {"false", "Traefik redirects Ingresses without a TLS section only when they ask (force-ssl-redirect annotation)"},
	"use-http2":             {"true", "Traefik serves HTTP/2 over TLS"},
	"use-gzip":              {"false", "Traefik compresses nothing unless configured to"},
	"enable-brotli":         {"false", "Traefik compresses nothing unless configured to"},
	"use-forwarded-headers": {"false", "Traefik does not trust X-Forwarded-* headers from clients"},
	"enable-real-ip":        {"false", "Traefik takes the client address from the connection"},
	"use-proxy-protocol":    {"false", "Traefik expects no PROXY protocol header"},
	"hsts":                  {"false", "Traefik sends no Strict-Transport-Security header"},
}

// unmappedAdvice says what to do instead of some keys Traefik's provider
// has no option for; the error names the key and asks for its removal
// either way.
var unmappedAdvice = map[string]string{
	"ssl-redirect":                 `Traefik redirects HTTP to HTTPS for every Ingress with a TLS section: add the annotation nginx.ingress.kubernetes.io/ssl-redirect: "false" to the Ingresses that must keep answering plain HTTP.`,
	"force-ssl-redirect":           `Add the annotation nginx.ingress.kubernetes.io/force-ssl-redirect: "true" to the Ingresses that must redirect without a TLS section.`,
	"whitelist-source-range":       "Add the annotation nginx.ingress.kubernetes.io/whitelist-source-range to each Ingress that must stay restricted.",
	"denylist-source-range":        "Traefik has no deny list, gateway-wide or per Ingress: restrict access another way, with whitelist-source-range, a NetworkPolicy or the load balancer.",
	"global-auth-response-headers": "Only global-auth-url has an equivalent, globalAuthURL.",
	"global-auth-method":           "Only global-auth-url has an equivalent, globalAuthURL.",
	"global-auth-signin":           "Only global-auth-url has an equivalent, globalAuthURL.",
	"global-auth-snippet":          "Only global-auth-url has an equivalent, globalAuthURL.",
	"enable-real-ip":               "Traefik takes the client address from the connection: source ranges such as whitelist-source-range then match the load balancer's or proxy's address, not the client's.",
	"proxy-real-ip-cidr":           "Traefik's translation of use-forwarded-headers and use-proxy-protocol trusts every address, as ingress-nginx does without this key; to trust only some, remove it and restrict who reaches the gateway (a NetworkPolicy or the load balancer).",
	"hsts":                         "Traefik sends no Strict-Transport-Security header.",
	"enable-modsecurity":           "Traefik's own build has no ModSecurity: requests are no longer inspected by a WAF.",
	"annotations-risk-level":       "Traefik does not rank annotations by risk: snippets are governed by spec.controller.allowSnippetAnnotations alone.",
	"ssl-protocols":                "Traefik offers its default TLS versions, 1.2 and 1.3.",
	"ssl-ciphers":                  "Traefik offers its default TLS ciphers.",
}

// TraefikConfigOption maps one ingress-nginx ConfigMap key and its value
// (an entry of spec.controller.config) to an option of Traefik v3.7.13's
// kubernetesIngressNGINX provider, passed as
// ProviderFlagPrefix + option + "=" + converted.
//
//   - ok=true, err=nil, option set: pass the option with the converted
//     value (sizes in bytes, timeouts in whole seconds, on/off as
//     true/false, lists comma-separated).
//   - ok=true, err=nil, option "": the value asks for what Traefik does
//     anyway (e.g. ssl-redirect: "true"); pass nothing.
//   - ok=true, err!=nil: Traefik has the option but the value cannot be
//     converted; err says what is wrong and what to write instead.
//   - ok=false, err!=nil: Traefik has no equivalent; err says so and what
//     to do instead (remove the key before switching to the traefik
//     driver, and how to keep the behaviour where Traefik can).
func TraefikConfigOption(key, value string) (option, converted string, ok bool, err error) {
	if ep, found := entryPointOptions[key]; found && strings.EqualFold(strings.TrimSpace(value), "true") {
		return ep, "true", true, nil
	}
	if s, found := sameAsTraefik[key]; found && strings.EqualFold(strings.TrimSpace(value), s.value) {
		return "", "", true, nil
	}
	for _, o := range configOptions {
		if o.Key != key {
			continue
		}
		c, err := o.convert(value)
		if err != nil {
			return o.Option, "", true, fmt.Errorf("spec.controller.config[%s]: %q: %w", key, value, err)
		}
		return o.Option, c, true, nil
	}
	msg := fmt.Sprintf("spec.controller.config[%s]: Traefik %s's kubernetesIngressNGINX provider has no equivalent of this ingress-nginx key: remove it before switching the class to the traefik driver.", key, traefikVersion)
	if a, found := unmappedAdvice[key]; found {
		msg += " " + a
	} else if strings.HasSuffix(key, "-snippet") {
		msg += " Traefik runs no nginx configuration: express the snippet's intent with annotations instead."
	}
	return "", "", false, fmt.Errorf("%s", msg)
}

var sizeRE = regexp.MustCompile(`^([0-9]+)([kKmMgG]?)$`)

// toBytes converts an nginx size (a number of bytes, or with a k, m or g
// suffix) into bytes.
func toBytes(v string) (string, error) {
	m := sizeRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return "", fmt.Errorf("not an nginx size: write a number of bytes, optionally with a k, m or g suffix (e.g. 8m)")
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return "", fmt.Errorf("too large: %w", err)
	}
	mult := map[string]int64{"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[strings.ToLower(m[2])]
	if n > math.MaxInt64/mult {
		return "", fmt.Errorf("too large")
	}
	return strconv.FormatInt(n*mult, 10), nil
}

var secondsRE = regexp.MustCompile(`^([0-9]+)([smh]?)$`)

// toSeconds converts a timeout into whole seconds: ingress-nginx reads
// these keys as a number of seconds; an s, m or h unit is accepted too.
func toSeconds(v string) (string, error) {
	m := secondsRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return "", fmt.Errorf("not a timeout: write whole seconds (e.g. 60), optionally with an s, m or h unit")
	}
	n, err := strconv.ParseInt(m[1], 10, 32)
	if err != nil {
		return "", fmt.Errorf("too large: %w", err)
	}
	n *= map[string]int64{"": 1, "s": 1, "m": 60, "h": 3600}[m[2]]
	if n > math.MaxInt32 {
		return "", fmt.Errorf("too large")
	}
	return strconv.FormatInt(n, 10), nil
}

// toCount checks a non-negative integer.
func toCount(v string) (string, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil || n < 0 {
		return "", fmt.Errorf("not a whole number: write 0 or more (e.g. 4)")
	}
	return strconv.FormatInt(n, 10), nil
}

// toOnOff converts nginx's on/off.
func toOnOff(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on":
		return "true", nil
	case "off":
		return "false", nil
	}
	return "", fmt.Errorf(`not on or off: write "on" or "off", as nginx reads it`)
}

// toBool converts a boolean as ingress-nginx reads one.
func toBool(v string) (string, error) {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return "", fmt.Errorf(`not a boolean: write "true" or "false"`)
	}
	return strconv.FormatBool(b), nil
}

// toStatusList checks a comma-separated list of HTTP status codes.
func toStatusList(v string) (string, error) {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n < 100 || n > 599 {
			return "", fmt.Errorf("%q is not an HTTP status code: list codes separated by commas (e.g. 404,503)", f)
		}
		out = append(out, f)
	}
	return strings.Join(out, ","), nil
}

var headerNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// toHeaderList checks a comma-separated list of header names.
func toHeaderList(v string) (string, error) {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !headerNameRE.MatchString(f) {
			return "", fmt.Errorf("%q is not a header name (letters, digits, - and _): list names separated by commas", f)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("no header name: list names separated by commas (e.g. X-Frame-Options,X-Content-Type-Options)")
	}
	return strings.Join(out, ","), nil
}

// toURL checks an http(s) URL.
func toURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("not an http or https URL (e.g. http://auth.auth.svc.cluster.local/verify)")
	}
	return v, nil
}

// nextUpstreamConditions are the conditions ingress-nginx accepts in
// proxy-next-upstream.
var nextUpstreamConditions = []string{"error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504", "http_403", "http_404", "http_429", "non_idempotent", "off"}

// toNextUpstream checks a space-separated list of retry conditions.
func toNextUpstream(v string) (string, error) {
	fs := strings.Fields(v)
	if len(fs) == 0 {
		return "", fmt.Errorf(`no condition: write conditions separated by spaces (e.g. "error timeout http_502"), or "off"`)
	}
	for _, f := range fs {
		if !slices.Contains(nextUpstreamConditions, f) {
			return "", fmt.Errorf("%q is not a proxy-next-upstream condition (%s)", f, strings.Join(nextUpstreamConditions, ", "))
		}
	}
	return strings.Join(fs, " "), nil
}
