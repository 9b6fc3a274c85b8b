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
	"maps"
	"slices"
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

// ProviderOption is one translated spec.controller.config key.
type ProviderOption struct {
	// Key is the ingress-nginx ConfigMap key it comes from.
	Key string
	// Option is the provider option (--providers.kubernetesIngressNGINX.<Option>),
	// or with EntryPoint the option of the http and https entry points
	// (--entryPoints.<web|websecure>.<Option>).
	Option string
	// EntryPoint is set for entry-point options.
	EntryPoint bool
	// Value is the option's value in Traefik's unit.
	Value string
}

// TraefikProviderOptions translates spec.controller.config (sorted by key)
// with TraefikConfigOption; a key whose value asks for Traefik's own
// behaviour needs no flag. An untranslatable key or value is an error
// naming the field (admission refuses both first, so the renderer sees
// them only when admission was bypassed).
func TraefikProviderOptions(gw *v1alpha1.IngressGateway) ([]ProviderOption, error) {
	var out []ProviderOption
	cfg := gw.Spec.Controller.Config
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		opt, val, _, err := TraefikConfigOption(k, cfg[k])
		if err != nil {
			return nil, err
		}
		if opt != "" {
			out = append(out, ProviderOption{Key: k, Option: opt, Value: val, EntryPoint: EntryPointOption(opt)})
		}
	}
	// ingress-nginx's defaults where Traefik's provider has other ones.
	for _, d := range []ProviderOption{
		// ingress-nginx buffers request bodies unless told not to, and
		// only with buffering does Traefik enforce proxyBodySize (1m
		// unless proxy-body-size says otherwise, as in ingress-nginx).
		{Key: "proxy-request-buffering", Option: "proxyRequestBuffering", Value: "true"},
		// ingress-nginx gives up connecting to a backend after 5 s, the
		// provider after 60 s.
		{Key: "proxy-connect-timeout", Option: "proxyConnectTimeout", Value: "5"},
	} {
		if _, set := cfg[d.Key]; !set {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b ProviderOption) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
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
