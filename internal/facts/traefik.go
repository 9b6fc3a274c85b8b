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
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// This file holds what the traefik driver can honour of a gateway written
// for ingress-nginx. Traefik v3.7's kubernetesIngressNGINX provider has
// global options for some of ingress-nginx's ConfigMap keys (its Provider
// struct, pkg/provider/kubernetes/ingress-nginx/kubernetes.go); the driver
// translates those and admission refuses every other key, flag and webhook
// setting, so nothing a user set is silently dropped.

// WatchWithoutClassFlag is ingress-nginx's flag to serve Ingresses that name
// no class; the traefik driver translates it.
const WatchWithoutClassFlag = "watch-ingress-without-class"

// ForDriver returns gw as the driver runs it: under traefik, which has no
// admission webhook, with the webhook off, so every fact, child and
// condition follows. gw itself is not modified.
func ForDriver(gw *v1alpha1.IngressGateway, driver v1alpha1.DataPlaneDriver) *v1alpha1.IngressGateway {
	if driver != v1alpha1.DriverTraefik || !gw.Spec.AdmissionWebhook.IsEnabled() {
		return gw
	}
	out := gw.DeepCopy()
	off := false
	out.Spec.AdmissionWebhook.Enabled = &off
	return out
}

// ProviderOption is one kubernetesIngressNGINX option with its value.
type ProviderOption struct {
	// Key is the ingress-nginx ConfigMap key it comes from.
	Key string
	// Option is the provider option (--providers.kubernetesIngressNGINX.<Option>),
	// or with EntryPoint the option of the http and https entry points
	// (--entryPoints.<web|websecure>.<Option>).
	Option string
	// EntryPoint is set for entry-point options.
	EntryPoint bool
	// Value is the option's value in the provider's unit.
	Value string
}

type optionKind int

const (
	optSize    optionKind = iota // nginx size (8k, 1m) to bytes
	optSeconds                   // nginx time in seconds ("60", "60s") to seconds
	optInt
	optOnOff // on/off or true/false to true/false
	optList  // comma-separated
	optString
	optTrue // "true" turns an entry-point option on; "false" leaves it off
)

// traefikOptions maps ingress-nginx ConfigMap keys to provider options.
var traefikOptions = map[string]struct {
	option string
	kind   optionKind
}{
	"proxy-body-size":                 {"proxyBodySize", optSize},
	"client-body-buffer-size":         {"clientBodyBufferSize", optSize},
	"proxy-buffer-size":               {"proxyBufferSize", optSize},
	"proxy-buffers-number":            {"proxyBuffersNumber", optInt},
	"proxy-buffering":                 {"proxyBuffering", optOnOff},
	"proxy-request-buffering":         {"proxyRequestBuffering", optOnOff},
	"proxy-connect-timeout":           {"proxyConnectTimeout", optSeconds},
	"proxy-read-timeout":              {"proxyReadTimeout", optSeconds},
	"proxy-send-timeout":              {"proxySendTimeout", optSeconds},
	"proxy-next-upstream":             {"proxyNextUpstream", optString},
	"proxy-next-upstream-tries":       {"proxyNextUpstreamTries", optInt},
	"proxy-next-upstream-timeout":     {"proxyNextUpstreamTimeout", optSeconds},
	"upstream-keepalive-timeout":      {"upstreamKeepaliveTimeout", optSeconds},
	"custom-http-errors":              {"customHTTPErrors", optList},
	"global-auth-url":                 {"globalAuthURL", optString},
	"allow-cross-namespace-resources": {"allowCrossNamespaceResources", optOnOff},
	"global-allowed-response-headers": {"globalAllowedResponseHeaders", optList},
	// Entry-point options (entryPoint: true below): what ingress-nginx
	// trusts from clients is set per entry point in Traefik.
	"use-forwarded-headers": {"forwardedHeaders.insecure", optTrue},
	"use-proxy-protocol":    {"proxyProtocol.insecure", optTrue},
	"proxy-real-ip-cidr":    {"forwardedHeaders.trustedIPs", optList},
}

// entryPointKeys are the keys of traefikOptions that set entry-point
// options of the http and https entry points.
var entryPointKeys = map[string]bool{"use-forwarded-headers": true, "use-proxy-protocol": true, "proxy-real-ip-cidr": true}

// TraefikConfigKeys returns the ingress-nginx ConfigMap keys the traefik
// driver translates, sorted.
func TraefikConfigKeys() []string {
	keys := make([]string, 0, len(traefikOptions))
	for k := range traefikOptions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TraefikConfigOption translates one ingress-nginx ConfigMap key and value
// into the provider option; ok is false for a key Traefik has no option
// for, err says why a value cannot be translated.
func TraefikConfigOption(key, value string) (opt ProviderOption, ok bool, err error) {
	o, ok := traefikOptions[key]
	if !ok {
		return ProviderOption{}, false, nil
	}
	v := strings.TrimSpace(value)
	out := ProviderOption{Key: key, Option: o.option, EntryPoint: entryPointKeys[key]}
	switch o.kind {
	case optSize:
		n, err := nginxSize(v)
		if err != nil {
			return out, true, err
		}
		if n == 0 && key == "proxy-body-size" {
			// nginx: 0 turns the limit off; Traefik: a negative one does.
			n = -1
		}
		out.Value = strconv.FormatInt(n, 10)
	case optSeconds:
		n, err := strconv.Atoi(strings.TrimSuffix(v, "s"))
		if err != nil || n < 0 {
			return out, true, fmt.Errorf("%q is not a number of seconds (e.g. 60 or 60s)", value)
		}
		out.Value = strconv.Itoa(n)
	case optInt:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return out, true, fmt.Errorf("%q is not a whole number", value)
		}
		out.Value = strconv.Itoa(n)
	case optOnOff:
		switch strings.ToLower(v) {
		case "on", "true":
			out.Value = "true"
		case "off", "false":
			out.Value = "false"
		default:
			return out, true, fmt.Errorf("%q is neither on/off nor true/false", value)
		}
	case optList:
		var items []string
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		out.Value = strings.Join(items, ",")
	case optString:
		out.Value = v
	case optTrue:
		switch strings.ToLower(v) {
		case "true":
			out.Value = "true"
		case "false":
			out.Value = ""
		default:
			return out, true, fmt.Errorf("%q is neither true nor false", value)
		}
	}
	return out, true, nil
}

// nginxSize parses an nginx size: bytes, or a number with k/K or m/M (g/G
// too, as ingress-nginx's annotations accept).
func nginxSize(v string) (int64, error) {
	mult := int64(1)
	num := v
	if v != "" {
		switch v[len(v)-1] {
		case 'k', 'K':
			mult, num = 1<<10, v[:len(v)-1]
		case 'm', 'M':
			mult, num = 1<<20, v[:len(v)-1]
		case 'g', 'G':
			mult, num = 1<<30, v[:len(v)-1]
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not an nginx size (bytes, or a number with k or m, e.g. 8k or 1m)", v)
	}
	return n * mult, nil
}

// TraefikProviderOptions translates spec.controller.config, sorted by key.
// An unknown key or a bad value is an error naming the field (admission
// refuses both first, so the renderer sees them only when admission was
// bypassed).
func TraefikProviderOptions(gw *v1alpha1.IngressGateway) ([]ProviderOption, error) {
	var out []ProviderOption
	cfg := gw.Spec.Controller.Config
	for _, k := range sortedKeys(cfg) {
		o, ok, err := TraefikConfigOption(k, cfg[k])
		if !ok {
			return nil, fmt.Errorf("%s: Unsupported value: the traefik driver has no equivalent of ingress-nginx's ConfigMap key %q; remove it (portico migrate-check says what it changes)", field.NewPath("spec", "controller", "config").Key(k), k)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: Invalid value: %w", field.NewPath("spec", "controller", "config").Key(k), err)
		}
		if o.Value != "" || !o.EntryPoint {
			out = append(out, o)
		}
	}
	if _, set := cfg["proxy-request-buffering"]; !set {
		// ingress-nginx buffers request bodies unless told not to, and
		// only with buffering does Traefik enforce proxyBodySize (1m
		// unless proxy-body-size says otherwise, as in ingress-nginx).
		out = append(out, ProviderOption{Key: "proxy-request-buffering", Option: "proxyRequestBuffering", Value: "true"})
		slices.SortFunc(out, func(a, b ProviderOption) int { return strings.Compare(a.Key, b.Key) })
	}
	return entryPointTrust(out), nil
}

// entryPointTrust applies proxy-real-ip-cidr as ingress-nginx does: with
// it, forwarded headers and the PROXY protocol are trusted only from those
// addresses (trustedIPs), not from everyone (insecure); on its own it
// changes nothing.
func entryPointTrust(opts []ProviderOption) []ProviderOption {
	var cidrs string
	for _, o := range opts {
		if o.Key == "proxy-real-ip-cidr" {
			cidrs = o.Value
		}
	}
	out := opts[:0]
	for _, o := range opts {
		switch {
		case o.Key == "proxy-real-ip-cidr":
			continue
		case o.EntryPoint && cidrs != "":
			o.Option = strings.TrimSuffix(o.Option, ".insecure") + ".trustedIPs"
			o.Value = cidrs
		}
		out = append(out, o)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NGINXOnlyPort is one of spec.ports that only ingress-nginx binds.
type NGINXOnlyPort struct {
	Field   *field.Path
	Port    int32
	Default int32
}

// NGINXOnlyPorts returns spec.ports' ingress-nginx internals (the CRD
// defaults beside them): Traefik binds http, https and healthz only.
func NGINXOnlyPorts(gw *v1alpha1.IngressGateway) []NGINXOnlyPort {
	p := gw.Spec.Ports
	f := field.NewPath("spec", "ports")
	return []NGINXOnlyPort{
		{f.Child("defaultServer"), p.DefaultServer, 8181},
		{f.Child("status"), p.Status, 10246},
		{f.Child("stream"), p.Stream, 10247},
		{f.Child("profiler"), p.Profiler, 10245},
		{f.Child("sslPassthroughProxy"), p.SSLPassthroughProxy, 442},
	}
}
