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

// Package migrate says what changes for a gateway's Ingresses when its
// class moves from ingress-nginx (v1.15.1, its last release) to Traefik
// v3.7.13 and its kubernetesIngressNGINX provider, which serves Ingresses
// written for ingress-nginx and translates most nginx.ingress.kubernetes.io
// annotations. It is pure: the annotation table, the ConfigMap key
// mapping (TraefikConfigOption) and Check read nothing but their
// arguments. Every statement about Traefik names the files of Traefik's
// module it comes from; the tests re-read that source (internal/traefiksrc)
// so the table cannot drift from the release it describes.
package migrate

import (
	"slices"
	"strings"
)

// Prefix starts every ingress-nginx annotation.
const Prefix = "nginx.ingress.kubernetes.io/"

// TraefikVersion is the Traefik release this package describes
// (internal/traefiksrc.Version; a test holds the two equal).
const TraefikVersion = "v3.7.13"

// Support is how Traefik's provider treats an annotation.
type Support string

const (
	// Supported means Traefik does what ingress-nginx does.
	Supported Support = "supported"
	// SupportedWithDifferences means Traefik reads the annotation, or does the
	// same thing by default, but the behaviour differs (Annotation.Traefik
	// says how).
	SupportedWithDifferences Support = "supported with differences"
	// Unsupported means Traefik ignores the annotation.
	Unsupported Support = "unsupported"
)

// Verdict is what a move to Traefik means for an Ingress.
type Verdict string

const (
	// Works means the Ingress behaves as under ingress-nginx.
	Works Verdict = "works"
	// WorksWithDifferences means the Ingress is served with the same routing
	// and access control, but something observable differs (status codes,
	// tuning, logging, headers).
	WorksWithDifferences Verdict = "works with differences"
	// Breaks means routing or access control changes, or Traefik does not
	// serve the Ingress (or some of its paths) at all.
	Breaks Verdict = "breaks"
)

func (v Verdict) rank() int {
	switch v {
	case Breaks:
		return 2
	case WorksWithDifferences:
		return 1
	}
	return 0
}

// Worse returns the worse of v and o.
func (v Verdict) Worse(o Verdict) Verdict {
	if o.rank() > v.rank() {
		return o
	}
	if v == "" {
		return Works
	}
	return v
}

// Annotation is one ingress-nginx annotation and what Traefik does with it.
type Annotation struct {
	// Name is the full key, nginx.ingress.kubernetes.io/....
	Name string `json:"name"`
	// Parsed is true when Traefik's provider reads the annotation (a field
	// of its IngressConfig, pkg/provider/kubernetes/ingress-nginx/annotations.go).
	Parsed bool `json:"parsed"`
	// Support classifies Traefik's behaviour.
	Support Support `json:"support"`
	// Verdict is migrate-check's verdict for an Ingress carrying the
	// annotation with a usual value. Check refines it from the value, the
	// rest of the Ingress and the gateway where Traefik says so (Traefik
	// explains when).
	Verdict Verdict `json:"verdict"`
	// Traefik says what Traefik does with the annotation, and what differs.
	Traefik string `json:"traefik"`
	// Sources are the files of Traefik's module the statement comes from.
	Sources []string `json:"sources"`
	// boolean annotations turn something on only with "true" (Traefik and
	// ingress-nginx read them so): any other value keeps the default,
	// which both controllers share.
	boolean bool
}

// Files of Traefik's module the table cites.
const (
	srcDocRouting  = "docs/content/reference/routing-configuration/kubernetes/ingress-nginx.md"
	srcDocProvider = "docs/content/reference/install-configuration/providers/kubernetes/kubernetes-ingress-nginx.md"
	srcDocMigrate  = "docs/content/migrate/nginx-to-traefik.md"
	srcProvider    = "pkg/provider/kubernetes/ingress-nginx/"
	srcAnnotations = srcProvider + "annotations.go"
	srcBuild       = srcProvider + "build.go"
	srcMiddleware  = srcProvider + "middleware.go"
	srcTranslator  = srcProvider + "translator.go"
	srcKubernetes  = srcProvider + "kubernetes.go"
	srcSnippet     = "pkg/middlewares/ingressnginx/snippet/snippet.go"
	srcSnippetDirs = "pkg/middlewares/ingressnginx/snippet/collector.go"
	srcSnippetCtx  = "pkg/middlewares/ingressnginx/snippet/directive_context.go"
	srcInterpolate = "pkg/middlewares/ingressnginx/interpolation.go"
	srcPassCert    = "pkg/middlewares/ingressnginx/authtlspasscertificatetoupstream/auth_tls_pass_certificate_to_upstream.go"
	srcRouter      = "pkg/server/router/router.go"
)

// ann builds a table row; name is without the prefix.
func ann(name string, parsed bool, s Support, v Verdict, traefik string, sources ...string) Annotation {
	return Annotation{Name: Prefix + name, Parsed: parsed, Support: s, Verdict: v, Traefik: traefik, Sources: sources}
}

// on marks a boolean annotation.
func on(a Annotation) Annotation { a.boolean = true; return a }

const (
	parsed    = true
	notParsed = false
)

// Shared wording.
const (
	varsNote      = " Only some nginx variables are interpolated ($scheme, $host, $http_*, $arg_*, $cookie_*, $request_uri, $uri, $remote_addr and a few more); any other is left in the value as written."
	bufferingNote = " Applies only while request or response buffering is on (proxy-request-buffering / proxy-buffering: \"on\", per Ingress or in spec.controller.config)."
	snippetNote   = " Traefik does not run nginx: its provider skips every Ingress carrying a server-, configuration- or auth-snippet unless allowSnippetAnnotations is on (spec.controller.allowSnippetAnnotations), and with it emulates a subset of nginx directives (set, if, return, rewrite, add_header, more_set_headers, more_set_input_headers, more_clear_headers, more_clear_input_headers, proxy_set_header, proxy_hide_header, proxy_method, expires, allow, deny, auth_request_set, and location in server snippets). Any other directive fails the middleware, and Traefik then drops the Ingress's routes (404)."
	tracingNote   = "Ignored: tracing is configured on Traefik itself, not per Ingress."
)

var table = []Annotation{
	// Authentication.
	ann("auth-type", parsed, Supported, Works,
		"Basic and digest authentication (BasicAuth / DigestAuth middlewares) from the auth-secret Secret; another type skips the Ingress's paths, as ingress-nginx refuses it.",
		srcBuild, srcTranslator),
	ann("auth-secret", parsed, Supported, Works,
		"The Secret is read in the Ingress's namespace; a namespace/name elsewhere needs allow-cross-namespace-resources: \"true\" in spec.controller.config, as with ingress-nginx, or the Ingress's paths are skipped.",
		srcBuild),
	ann("auth-secret-type", parsed, Supported, Works,
		"auth-file (the Secret's key auth, htpasswd lines) and auth-map (one key per user).",
		srcBuild),
	ann("auth-realm", parsed, Supported, Works,
		"The realm of the basic or digest challenge.",
		srcBuild),
	ann("auth-url", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Forward authentication by Traefik's snippet middleware: the original request is sent to the auth service (not an nginx subrequest), with a 30 s timeout and no cache; only the response headers named in auth-response-headers are copied."+varsNote,
		srcDocRouting, srcMiddleware, srcSnippet, srcInterpolate),
	ann("auth-signin", parsed, SupportedWithDifferences, WorksWithDifferences,
		"A 401 from the auth service redirects to the sign-in URL, with rd= appended as ingress-nginx does."+varsNote,
		srcDocRouting, srcMiddleware, srcInterpolate),
	ann("auth-snippet", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Directives run on the request sent to the auth service (with auth-url only)."+snippetNote,
		srcDocRouting, srcBuild, srcSnippet, srcSnippetDirs, srcSnippetCtx, srcRouter),
	ann("auth-method", parsed, Supported, Works,
		"The method of the request sent to the auth service; it cannot be combined with a proxy_method directive in auth-snippet.",
		srcDocRouting, srcMiddleware),
	ann("auth-response-headers", parsed, Supported, Works,
		"The named headers of the auth service's answer are copied onto the request to the backend.",
		srcMiddleware),
	ann("enable-global-auth", parsed, Supported, Works,
		"\"false\" opts the Ingress out of the gateway-wide auth service (global-auth-url, Traefik's globalAuthURL).",
		srcMiddleware, srcKubernetes),
	// Client certificates.
	ann("auth-tls-secret", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Client certificates are verified by a TLS option on the Ingress's hosts: a client without a valid certificate is refused during the TLS handshake instead of getting 400 Bad Request. A Secret in another namespace needs allow-cross-namespace-resources: \"true\", or the Ingress is skipped.",
		srcDocRouting, srcBuild),
	ann("auth-tls-verify-client", parsed, SupportedWithDifferences, WorksWithDifferences,
		"on, optional, optional_no_ca and off map to Traefik's client-auth types; a failed verification ends the TLS handshake instead of answering 400.",
		srcDocRouting, srcBuild),
	on(ann("auth-tls-pass-certificate-to-upstream", parsed, Supported, Works,
		"The client certificate and its verification result are passed to the backend in ssl-client-* headers.",
		srcMiddleware, srcPassCert)),
	ann("auth-tls-verify-depth", notParsed, SupportedWithDifferences, WorksWithDifferences,
		"Not read: Go verifies client certificate chains of any length.",
		srcDocRouting, srcAnnotations),
	ann("auth-tls-error-page", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: a client without a valid certificate is refused during the TLS handshake, so there is no page to redirect it to.",
		srcDocRouting, srcAnnotations),
	ann("auth-tls-match-cn", notParsed, Unsupported, Breaks,
		"Ignored: every client certificate signed by the CA is accepted, whatever its subject.",
		srcDocRouting, srcAnnotations),
	// External authentication tuning.
	ann("auth-cache-key", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: every request is sent to the auth service (no auth cache).",
		srcDocRouting, srcAnnotations),
	ann("auth-cache-duration", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: every request is sent to the auth service (no auth cache).",
		srcDocRouting, srcAnnotations),
	ann("auth-keepalive", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: connections to the auth service are reused as Go's HTTP client does.",
		srcDocRouting, srcAnnotations),
	on(ann("auth-keepalive-share-vars", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: connections to the auth service are reused as Go's HTTP client does.",
		srcDocRouting, srcAnnotations)),
	ann("auth-keepalive-requests", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: connections to the auth service are reused as Go's HTTP client does.",
		srcDocRouting, srcAnnotations),
	ann("auth-keepalive-timeout", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: connections to the auth service are reused as Go's HTTP client does.",
		srcDocRouting, srcAnnotations),
	ann("auth-proxy-set-headers", notParsed, Unsupported, Breaks,
		"Ignored: the headers of that ConfigMap are no longer sent to the auth service, which may then decide differently.",
		srcDocRouting, srcAnnotations),
	ann("satisfy", notParsed, Unsupported, Breaks,
		"Ignored: every access check must pass (auth and source ranges), as with satisfy all; with satisfy any, clients that passed only one check are now refused.",
		srcDocRouting, srcAnnotations),
	// TLS and redirects.
	on(ann("ssl-redirect", parsed, Supported, Works,
		"HTTP requests to an Ingress with a TLS section are redirected to HTTPS (308) unless it is \"false\".",
		srcMiddleware, srcTranslator)),
	on(ann("force-ssl-redirect", parsed, Supported, Works,
		"HTTP requests are redirected to HTTPS (308) even without a TLS section.",
		srcMiddleware, srcTranslator)),
	on(ann("ssl-passthrough", parsed, SupportedWithDifferences, WorksWithDifferences,
		"TLS is passed to the backend of the rule path / by a TCP router on the host's SNI (no --enable-ssl-passthrough flag needed); SNI and default-backend handling differ.",
		srcDocRouting, srcBuild, srcTranslator)),
	ann("proxy-ssl-secret", parsed, Supported, Works,
		"The CA and client certificate for HTTPS backends; a Secret in another namespace needs allow-cross-namespace-resources: \"true\", or the Ingress is skipped.",
		srcBuild),
	ann("proxy-ssl-verify", parsed, Supported, Works,
		"\"on\" verifies HTTPS backends' certificates (off by default, as in ingress-nginx).",
		srcBuild),
	ann("proxy-ssl-name", parsed, Supported, Works,
		"The server name sent and verified for HTTPS backends.",
		srcBuild),
	ann("proxy-ssl-server-name", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Read as a server name when proxy-ssl-name is unset: \"on\" sends the SNI \"on\" to HTTPS backends (and verifies their certificate against it with proxy-ssl-verify: \"on\") instead of enabling SNI.",
		srcBuild),
	ann("proxy-ssl-ciphers", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: Go's TLS defaults apply to HTTPS backends.",
		srcDocRouting, srcAnnotations),
	ann("proxy-ssl-protocols", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: Go's TLS defaults apply to HTTPS backends.",
		srcDocRouting, srcAnnotations),
	ann("proxy-ssl-verify-depth", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: Go verifies backend certificate chains of any length.",
		srcDocRouting, srcAnnotations),
	ann("ssl-ciphers", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: clients negotiate Traefik's default TLS ciphers.",
		srcDocRouting, srcAnnotations),
	on(ann("ssl-prefer-server-ciphers", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: clients negotiate Traefik's default TLS ciphers.",
		srcDocRouting, srcAnnotations)),
	// Session affinity.
	ann("affinity", parsed, Supported, Works,
		"\"cookie\" makes the Traefik service sticky with a cookie (HttpOnly, named by session-cookie-name, INGRESSCOOKIE by default).",
		srcTranslator),
	ann("affinity-mode", notParsed, SupportedWithDifferences, WorksWithDifferences,
		"Not read: sessions always stay on their server (persistent); balanced, ingress-nginx's default, moved some sessions when the backend scaled up.",
		srcDocRouting, srcAnnotations),
	ann("affinity-canary-behavior", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Read but unused: canary routing is always sticky; legacy is not available.",
		srcDocRouting, srcTranslator),
	ann("session-cookie-name", parsed, Supported, Works, "The sticky cookie's name.", srcTranslator),
	on(ann("session-cookie-secure", parsed, Supported, Works, "The sticky cookie's Secure attribute.", srcTranslator)),
	ann("session-cookie-path", parsed, Supported, Works, "The sticky cookie's path (/ when unset).", srcTranslator),
	ann("session-cookie-domain", parsed, Supported, Works, "The sticky cookie's domain.", srcTranslator),
	ann("session-cookie-samesite", parsed, Supported, Works, "The sticky cookie's SameSite attribute.", srcTranslator),
	ann("session-cookie-max-age", parsed, Supported, Works, "The sticky cookie's Max-Age.", srcTranslator),
	ann("session-cookie-expires", parsed, Supported, Works, "The sticky cookie's Expires.", srcTranslator),
	on(ann("session-cookie-conditional-samesite-none", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: SameSite=None is sent to every browser, including those that reject it.",
		srcDocRouting, srcAnnotations)),
	on(ann("session-cookie-change-on-failure", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: the sticky cookie does not change when a request to its server fails.",
		srcDocRouting, srcAnnotations)),
	// Load balancing and backends.
	ann("load-balance", notParsed, Unsupported, WorksWithDifferences,
		"Not implemented: requests are always balanced round robin (ewma is not available).",
		srcDocRouting, srcAnnotations),
	ann("backend-protocol", parsed, SupportedWithDifferences, Works,
		"HTTP, HTTPS, GRPC (h2c) and GRPCS; FCGI and AUTO_HTTP are not supported and are proxied as plain HTTP.",
		srcDocRouting, srcAnnotations, srcTranslator),
	on(ann("service-upstream", parsed, Supported, Works,
		"Proxies to the Service's cluster IP instead of its endpoints.",
		srcBuild)),
	ann("upstream-hash-by", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Traefik's HRW (rendezvous hashing) balancer hashes the interpolated value: a key maps to a server, but not to the one nginx's consistent hashing picked."+varsNote,
		srcDocRouting, srcTranslator, srcInterpolate),
	ann("upstream-vhost", parsed, Supported, Works,
		"Overrides the Host header sent to the backend; also interpolates $namespace, $ingress_name, $service_name, $service_port and $location_path, but not $proxy_upstream_name."+varsNote,
		srcDocRouting, srcMiddleware, srcInterpolate),
	ann("custom-headers", parsed, Supported, Works,
		"Adds the response headers of the named ConfigMap (namespace/name); every header must be listed in global-allowed-response-headers (Traefik's globalAllowedResponseHeaders), or the Ingress's routes answer 503.",
		srcDocRouting, srcBuild, srcTranslator),
	ann("default-backend", parsed, Supported, Works,
		"A Service of the Ingress's namespace that answers when the backend has no endpoints, and serves custom-http-errors.",
		srcDocRouting, srcBuild),
	ann("proxy-http-version", parsed, SupportedWithDifferences, Works,
		"\"1.1\" stops HTTP/2 to the backend; \"1.0\" is not supported and is ignored.",
		srcDocRouting, srcBuild),
	on(ann("canary", parsed, Supported, Works, "Marks a canary Ingress, routed by the other canary annotations.", srcBuild, srcTranslator)),
	ann("canary-by-header", parsed, Supported, Works, "Header-based canary routing (always / never).", srcTranslator),
	ann("canary-by-header-value", parsed, Supported, Works, "Routes to the canary when the header has this value.", srcTranslator),
	ann("canary-by-header-pattern", parsed, Supported, Works,
		"Routes to the canary when the header matches; the pattern is a Go (RE2) regular expression, and one that does not compile drops the canary's routes.",
		srcTranslator),
	ann("canary-by-cookie", parsed, Supported, Works, "Cookie-based canary routing (always / never).", srcTranslator),
	ann("canary-weight", parsed, Supported, Works, "Weighted canary routing.", srcBuild, srcTranslator),
	ann("canary-weight-total", parsed, Supported, Works, "The total the weight is out of (100 by default).", srcBuild),
	ann("x-forwarded-prefix", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Sent as X-Forwarded-Prefix only together with rewrite-target; on its own it is ignored.",
		srcMiddleware),
	// CORS.
	on(ann("enable-cors", parsed, SupportedWithDifferences, WorksWithDifferences,
		"A Headers middleware answers CORS: pre-flight and other requests get different headers, where ingress-nginx sent all of them on every response.",
		srcDocRouting, srcMiddleware)),
	ann("cors-allow-credentials", parsed, Supported, Works, "Access-Control-Allow-Credentials (true by default).", srcMiddleware),
	ann("cors-allow-headers", parsed, Supported, Works, "Access-Control-Allow-Headers.", srcMiddleware),
	ann("cors-allow-methods", parsed, Supported, Works, "Access-Control-Allow-Methods.", srcMiddleware),
	ann("cors-allow-origin", parsed, Supported, Works, "The allowed origins.", srcMiddleware),
	ann("cors-expose-headers", parsed, Supported, Works, "Access-Control-Expose-Headers.", srcMiddleware),
	ann("cors-max-age", parsed, Supported, Works, "Access-Control-Max-Age.", srcMiddleware),
	// Routing.
	ann("app-root", parsed, Supported, Works, "Redirects / to this path (which must start with /).", srcMiddleware),
	on(ann("from-to-www-redirect", parsed, SupportedWithDifferences, Works,
		"Redirects between host and www.host (308); not for wildcard hosts.",
		srcDocRouting, srcMiddleware, srcTranslator)),
	on(ann("use-regex", parsed, SupportedWithDifferences, Works,
		"The host's Prefix and ImplementationSpecific paths become case-insensitive regular expressions anchored at the start, in Go's RE2 syntax: a path using PCRE-only syntax (lookarounds, backreferences) does not compile and Traefik drops its route.",
		srcBuild, srcTranslator, srcRouter)),
	ann("rewrite-target", parsed, SupportedWithDifferences, Works,
		"Rewrites the path with the path's regular expression (RE2, as use-regex); with auth-url on the same Ingress the auth service sees the rewritten path.",
		srcDocRouting, srcMiddleware, srcTranslator),
	ann("permanent-redirect", parsed, Supported, Works, "Redirects every request (301 by default).", srcMiddleware),
	ann("permanent-redirect-code", parsed, Supported, Works, "The permanent redirect's status code (3xx).", srcMiddleware),
	ann("temporal-redirect", parsed, Supported, Works, "Redirects every request (302 by default); wins over permanent-redirect.", srcMiddleware),
	ann("temporal-redirect-code", parsed, Supported, Works, "The temporal redirect's status code (3xx).", srcMiddleware),
	ann("custom-http-errors", parsed, SupportedWithDifferences, WorksWithDifferences,
		"The listed statuses are answered by the default-backend annotation's Service, else by the gateway's default backend (spec.defaultBackend); without either the backend's own error page is sent (ingress-nginx answered with its built-in default backend).",
		srcDocRouting, srcMiddleware),
	ann("server-alias", parsed, Supported, Works,
		"More host names for the Ingress's rules; an alias that is another Ingress's host is ignored.",
		srcDocRouting, srcBuild),
	ann("server-snippet", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Directives for the whole host (the first server-snippet of a host wins)."+snippetNote,
		srcDocRouting, srcBuild, srcSnippet, srcSnippetDirs, srcSnippetCtx, srcRouter),
	ann("configuration-snippet", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Directives for the Ingress's paths."+snippetNote,
		srcDocRouting, srcBuild, srcSnippet, srcSnippetDirs, srcSnippetCtx, srcRouter),
	ann("stream-snippet", notParsed, Unsupported, Breaks,
		"Ignored: the TCP/UDP configuration it adds is lost.",
		srcDocRouting, srcAnnotations),
	// Source ranges.
	ann("whitelist-source-range", parsed, Supported, Works,
		"An IPAllowList middleware; the client address is the connection's, unless the provider's ipAllowListStrategy says otherwise (ingress-nginx used X-Forwarded-For with use-forwarded-headers).",
		srcDocRouting, srcMiddleware),
	ann("allowlist-source-range", parsed, Supported, Works,
		"As whitelist-source-range, which it wins over.",
		srcDocRouting, srcMiddleware),
	ann("denylist-source-range", notParsed, Unsupported, Breaks,
		"Ignored: the listed addresses are no longer refused.",
		srcDocRouting, srcAnnotations),
	// Rate limits.
	ann("limit-rps", parsed, SupportedWithDifferences, WorksWithDifferences,
		"A token-bucket RateLimit middleware: a client over the limit gets 429 instead of 503, and bursts are smoothed rather than dropped.",
		srcDocRouting, srcMiddleware),
	ann("limit-rpm", parsed, SupportedWithDifferences, WorksWithDifferences,
		"A token-bucket RateLimit middleware: a client over the limit gets 429 instead of 503, and bursts are smoothed rather than dropped.",
		srcDocRouting, srcMiddleware),
	ann("limit-burst-multiplier", parsed, SupportedWithDifferences, WorksWithDifferences,
		"The burst of limit-rps and limit-rpm (5 when below 1); 429 instead of 503 over it.",
		srcDocRouting, srcMiddleware),
	ann("limit-connections", parsed, SupportedWithDifferences, WorksWithDifferences,
		"An InFlightReq middleware per client address: 429 instead of 503 over the limit.",
		srcDocRouting, srcMiddleware),
	ann("limit-rate", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: responses are not bandwidth-limited.", srcDocRouting, srcAnnotations),
	ann("limit-rate-after", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: responses are not bandwidth-limited.", srcDocRouting, srcAnnotations),
	ann("limit-whitelist", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: the listed addresses are rate-limited like any other.", srcDocRouting, srcAnnotations),
	ann("global-rate-limit", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: there is no global (shared) rate limit.", srcDocRouting, srcAnnotations),
	ann("global-rate-limit-window", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: there is no global (shared) rate limit.", srcDocRouting, srcAnnotations),
	ann("global-rate-limit-key", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: there is no global (shared) rate limit.", srcDocRouting, srcAnnotations),
	ann("global-rate-limit-ignored-cidrs", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: there is no global (shared) rate limit.", srcDocRouting, srcAnnotations),
	// Buffering.
	ann("proxy-request-buffering", parsed, Supported, Works,
		"\"on\" buffers request bodies (a Buffering middleware).",
		srcMiddleware),
	ann("proxy-body-size", parsed, SupportedWithDifferences, WorksWithDifferences,
		"The request body limit (413 over it) is enforced only while request buffering is on (proxy-request-buffering: \"on\", per Ingress or in spec.controller.config); ingress-nginx enforced it always. 0 means no limit in both.",
		srcDocRouting, srcMiddleware),
	ann("client-body-buffer-size", parsed, Supported, Works,
		"The in-memory part of a buffered request body."+bufferingNote,
		srcMiddleware),
	ann("proxy-buffering", parsed, Supported, Works,
		"\"on\" buffers responses (a Buffering middleware).",
		srcMiddleware),
	ann("proxy-buffer-size", parsed, Supported, Works,
		"The response buffer size."+bufferingNote,
		srcMiddleware),
	ann("proxy-buffers-number", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Multiplies proxy-buffer-size into one buffer rather than counting buffers."+bufferingNote,
		srcDocRouting, srcMiddleware),
	ann("proxy-max-temp-file-size", parsed, Supported, Works,
		"The part of a buffered response that may go beyond the memory buffer (1 GiB by default)."+bufferingNote,
		srcMiddleware),
	// Observability.
	on(ann("enable-access-log", parsed, SupportedWithDifferences, WorksWithDifferences,
		"Overrides Traefik's access log for the Ingress's routes, which logs only where access logs are configured on Traefik.",
		srcDocRouting, srcMiddleware)),
	on(ann("enable-rewrite-log", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: there is no rewrite log.", srcDocRouting, srcAnnotations)),
	on(ann("enable-opentracing", notParsed, Unsupported, WorksWithDifferences, tracingNote, srcDocRouting, srcAnnotations)),
	on(ann("opentracing-trust-incoming-span", notParsed, Unsupported, WorksWithDifferences, tracingNote, srcDocRouting, srcAnnotations)),
	on(ann("enable-opentelemetry", notParsed, Unsupported, WorksWithDifferences, tracingNote, srcDocRouting, srcAnnotations)),
	on(ann("opentelemetry-trust-incoming-span", notParsed, Unsupported, WorksWithDifferences, tracingNote, srcDocRouting, srcAnnotations)),
	// Timeouts and retries.
	ann("proxy-connect-timeout", parsed, Supported, Works, "The backend connect timeout, in seconds.", srcBuild),
	ann("proxy-send-timeout", parsed, Supported, Works, "The backend write timeout, in seconds.", srcBuild),
	ann("proxy-read-timeout", parsed, Supported, Works, "The backend read timeout, in seconds.", srcBuild),
	ann("proxy-next-upstream", parsed, SupportedWithDifferences, WorksWithDifferences,
		"A Retry middleware: a retry may reach the same server again, and error and timeout are both any network failure.",
		srcDocRouting, srcMiddleware),
	ann("proxy-next-upstream-tries", parsed, SupportedWithDifferences, WorksWithDifferences,
		"The retry attempts; 0 (unlimited in nginx) becomes the number of servers.",
		srcDocRouting, srcMiddleware),
	ann("proxy-next-upstream-timeout", parsed, Supported, Works, "The time retries may take, in seconds.", srcMiddleware),
	// Everything else Traefik does not implement.
	on(ann("disable-proxy-intercept-errors", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: custom-http-errors (gateway-wide or per Ingress) also intercept this Ingress's errors.",
		srcDocRouting, srcAnnotations)),
	ann("preserve-trailing-slash", notParsed, Unsupported, Works,
		"Ignored: Traefik always keeps the trailing slash when redirecting to HTTPS, which ingress-nginx does only with \"true\".",
		srcDocRouting, srcAnnotations),
	ann("proxy-cookie-domain", notParsed, Unsupported, Breaks,
		"Ignored: Set-Cookie domains from the backend are no longer rewritten, so browsers may not send the cookies back.",
		srcDocRouting, srcAnnotations),
	ann("proxy-cookie-path", notParsed, Unsupported, Breaks,
		"Ignored: Set-Cookie paths from the backend are no longer rewritten, so browsers may not send the cookies back.",
		srcDocRouting, srcAnnotations),
	ann("proxy-redirect-from", notParsed, Unsupported, Breaks,
		"Ignored: Location headers from the backend are no longer rewritten, so its redirects may point at the wrong address.",
		srcDocRouting, srcAnnotations),
	ann("proxy-redirect-to", notParsed, Unsupported, Breaks,
		"Ignored: Location headers from the backend are no longer rewritten, so its redirects may point at the wrong address.",
		srcDocRouting, srcAnnotations),
	ann("connection-proxy-header", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: the Connection header sent to the backend is Traefik's.",
		srcDocRouting, srcAnnotations),
	on(ann("enable-modsecurity", parsed, Unsupported, Breaks,
		"Read, but Traefik's own build has no ModSecurity integration (it logs an error): requests are no longer inspected by the WAF.",
		srcDocRouting, srcTranslator)),
	on(ann("enable-owasp-core-rules", parsed, Unsupported, Breaks,
		"Read, but Traefik's own build has no ModSecurity integration (it logs an error): the OWASP core rules no longer apply.",
		srcDocRouting, srcTranslator)),
	ann("modsecurity-snippet", parsed, Unsupported, Breaks,
		"Read, but Traefik's own build has no ModSecurity integration (it logs an error): the WAF rules no longer apply.",
		srcDocRouting, srcTranslator),
	ann("modsecurity-transaction-id", parsed, Unsupported, WorksWithDifferences,
		"Read, but Traefik's own build has no ModSecurity integration (it logs an error).",
		srcDocRouting, srcTranslator),
	ann("mirror-target", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: requests are no longer mirrored.", srcDocRouting, srcAnnotations),
	ann("mirror-host", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: requests are no longer mirrored.", srcDocRouting, srcAnnotations),
	ann("mirror-request-body", notParsed, Unsupported, WorksWithDifferences,
		"Ignored: requests are no longer mirrored.", srcDocRouting, srcAnnotations),
}

var byName = func() map[string]Annotation {
	m := make(map[string]Annotation, len(table))
	for _, a := range table {
		m[a.Name] = a
	}
	return m
}()

// Annotations returns the table, sorted by name: every ingress-nginx
// annotation Traefik's documentation lists as known, supported or not.
func Annotations() []Annotation {
	out := slices.Clone(table)
	slices.SortFunc(out, func(a, b Annotation) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the row of an annotation (the full key).
func Lookup(name string) (Annotation, bool) {
	a, ok := byName[name]
	return a, ok
}
