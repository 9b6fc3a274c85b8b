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
)

func TestTraefikConfigOption(t *testing.T) {
	for _, tc := range []struct {
		key, value        string
		option, converted string
		ok                bool
		err               string // a substring of the error; "" for none
	}{
		// Sizes: nginx's units to bytes; 0 (no limit in nginx) stays 0,
		// which Traefik's buffering middleware also reads as no limit.
		{key: "proxy-body-size", value: "8m", option: "proxyBodySize", converted: "8388608", ok: true},
		{key: "proxy-body-size", value: "8M", option: "proxyBodySize", converted: "8388608", ok: true},
		{key: "proxy-body-size", value: "0", option: "proxyBodySize", converted: "0", ok: true},
		{key: "proxy-body-size", value: "1g", option: "proxyBodySize", converted: "1073741824", ok: true},
		{key: "proxy-body-size", value: "512", option: "proxyBodySize", converted: "512", ok: true},
		{key: "client-body-buffer-size", value: "16k", option: "clientBodyBufferSize", converted: "16384", ok: true},
		{key: "proxy-buffer-size", value: " 8k ", option: "proxyBufferSize", converted: "8192", ok: true},
		{key: "proxy-body-size", value: "8mb", option: "proxyBodySize", ok: true, err: "not an nginx size"},
		{key: "proxy-body-size", value: "-1", option: "proxyBodySize", ok: true, err: "not an nginx size"},
		{key: "proxy-body-size", value: "99999999999999999999", option: "proxyBodySize", ok: true, err: "too large"},
		{key: "proxy-body-size", value: "9999999999999g", option: "proxyBodySize", ok: true, err: "too large"},
		// Timeouts: whole seconds.
		{key: "proxy-connect-timeout", value: "5", option: "proxyConnectTimeout", converted: "5", ok: true},
		{key: "proxy-read-timeout", value: "120s", option: "proxyReadTimeout", converted: "120", ok: true},
		{key: "proxy-send-timeout", value: "2m", option: "proxySendTimeout", converted: "120", ok: true},
		{key: "proxy-next-upstream-timeout", value: "1h", option: "proxyNextUpstreamTimeout", converted: "3600", ok: true},
		{key: "upstream-keepalive-timeout", value: "60", option: "upstreamKeepaliveTimeout", converted: "60", ok: true},
		{key: "proxy-read-timeout", value: "1.5", option: "proxyReadTimeout", ok: true, err: "whole seconds"},
		{key: "proxy-read-timeout", value: "500ms", option: "proxyReadTimeout", ok: true, err: "whole seconds"},
		// on/off, booleans, counts.
		{key: "proxy-buffering", value: "on", option: "proxyBuffering", converted: "true", ok: true},
		{key: "proxy-request-buffering", value: "off", option: "proxyRequestBuffering", converted: "false", ok: true},
		{key: "proxy-request-buffering", value: "true", option: "proxyRequestBuffering", ok: true, err: `"on" or "off"`},
		{key: "allow-cross-namespace-resources", value: "true", option: "allowCrossNamespaceResources", converted: "true", ok: true},
		{key: "strict-validate-path-type", value: "False", option: "strictValidatePathType", converted: "false", ok: true},
		{key: "strict-validate-path-type", value: "no", option: "strictValidatePathType", ok: true, err: "not a boolean"},
		{key: "proxy-buffers-number", value: "4", option: "proxyBuffersNumber", converted: "4", ok: true},
		{key: "proxy-next-upstream-tries", value: "0", option: "proxyNextUpstreamTries", converted: "0", ok: true},
		{key: "proxy-next-upstream-tries", value: "-3", option: "proxyNextUpstreamTries", ok: true, err: "whole number"},
		// Lists.
		{key: "custom-http-errors", value: "404, 503", option: "customHTTPErrors", converted: "404,503", ok: true},
		{key: "custom-http-errors", value: "404,abc", option: "customHTTPErrors", ok: true, err: `"abc" is not an HTTP status code`},
		{key: "global-allowed-response-headers", value: "X-Frame-Options, X-Robots-Tag", option: "globalAllowedResponseHeaders", converted: "X-Frame-Options,X-Robots-Tag", ok: true},
		{key: "global-allowed-response-headers", value: "X Frame", option: "globalAllowedResponseHeaders", ok: true, err: "not a header name"},
		{key: "proxy-next-upstream", value: "error  timeout http_502", option: "proxyNextUpstream", converted: "error timeout http_502", ok: true},
		{key: "proxy-next-upstream", value: "error http_418", option: "proxyNextUpstream", ok: true, err: `"http_418" is not a proxy-next-upstream condition`},
		{key: "global-auth-url", value: "http://auth.auth.svc.cluster.local/verify", option: "globalAuthURL", converted: "http://auth.auth.svc.cluster.local/verify", ok: true},
		{key: "global-auth-url", value: "auth.example.com/verify", option: "globalAuthURL", ok: true, err: "not an http or https URL"},
		// Values that ask for what Traefik does anyway.
		{key: "ssl-redirect", value: "true", ok: true},
		{key: "use-forwarded-headers", value: "false", ok: true},
		{key: "hsts", value: "False", ok: true},
		// No equivalent: refused, with what to do instead.
		{key: "ssl-redirect", value: "false", err: `nginx.ingress.kubernetes.io/ssl-redirect: "false"`},
		// Entry-point options of the http and https entry points.
		{key: "use-forwarded-headers", value: "true", option: "forwardedHeaders.insecure", converted: "true", ok: true},
		{key: "use-proxy-protocol", value: "true", option: "proxyProtocol.insecure", converted: "true", ok: true},
		{key: "proxy-real-ip-cidr", value: "10.0.0.0/8", err: "trusts every address"},
		{key: "worker-processes", value: "4", err: "remove it before switching the class to the traefik driver"},
		{key: "http-snippet", value: "map $a $b {}", err: "Traefik runs no nginx configuration"},
		{key: "global-auth-signin", value: "https://login", err: "Only global-auth-url"},
	} {
		option, converted, ok, err := TraefikConfigOption(tc.key, tc.value)
		if option != tc.option || converted != tc.converted || ok != tc.ok {
			t.Errorf("%s: %q: got (%q, %q, %v), want (%q, %q, %v)", tc.key, tc.value, option, converted, ok, tc.option, tc.converted, tc.ok)
		}
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %q: %v", tc.key, tc.value, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: %q: error %v, want one saying %q", tc.key, tc.value, err, tc.err)
		case err != nil && !strings.HasPrefix(err.Error(), "spec.controller.config["+tc.key+"]"):
			t.Errorf("%s: the error does not name the field: %v", tc.key, err)
		}
	}
}

// TestEveryConfigOptionConverts: each mapped key accepts a usual value.
func TestEveryConfigOptionConverts(t *testing.T) {
	usual := map[string]string{
		"allow-cross-namespace-resources": "false", "allow-snippet-annotations": "true", "client-body-buffer-size": "8k",
		"custom-http-errors": "404", "global-allowed-response-headers": "X-Frame-Options", "global-auth-url": "https://auth/",
		"proxy-body-size": "1m", "proxy-buffer-size": "4k", "proxy-buffering": "off", "proxy-buffers-number": "4",
		"proxy-connect-timeout": "5", "proxy-next-upstream": "error timeout", "proxy-next-upstream-timeout": "0",
		"proxy-next-upstream-tries": "3", "proxy-read-timeout": "60", "proxy-request-buffering": "on", "proxy-send-timeout": "60",
		"strict-validate-path-type": "true", "upstream-keepalive-timeout": "60",
	}
	for _, o := range ConfigOptions() {
		v, ok := usual[o.Key]
		if !ok {
			t.Errorf("%s: no usual value in this test", o.Key)
			continue
		}
		if opt, _, ok, err := TraefikConfigOption(o.Key, v); opt != o.Option || !ok || err != nil {
			t.Errorf("%s: %q: (%q, %v, %v)", o.Key, v, opt, ok, err)
		}
	}
}
