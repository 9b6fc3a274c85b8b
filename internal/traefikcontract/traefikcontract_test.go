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

package traefikcontract

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/portico-dev/portico/internal/traefiksrc"
)

var (
	loadOnce sync.Once
	loaded   *Contract
	loadErr  error
)

// contract loads Traefik's real source once for all tests.
func contract(t *testing.T) *Contract {
	t.Helper()
	loadOnce.Do(func() {
		dir, err := traefiksrc.Dir()
		if err != nil {
			loadErr = err
			return
		}
		loaded, loadErr = Load(dir)
	})
	if loadErr != nil {
		t.Fatalf("loading Traefik %s source: %v", traefiksrc.Version, loadErr)
	}
	return loaded
}

// goodArgs is every kind of flag the traefik driver renders, plus the
// spellings Traefik's own documentation uses.
var goodArgs = []string{
	"--global.checkNewVersion=false",
	"--global.sendAnonymousUsage=false",
	"--entryPoints.web.address=:80/tcp",
	"--entryPoints.web.transport.lifeCycle.requestAcceptGraceTimeout=5s",
	"--entryPoints.web.transport.lifeCycle.graceTimeOut=290s",
	"--entryPoints.websecure.address=:443/tcp",
	"--entryPoints.websecure.transport.lifeCycle.graceTimeOut=10", // a bare integer is seconds
	"--entryPoints.traefik.address=:10254/tcp",
	"--entryPoints.tcp-9000.address=:9000/tcp",
	"--entryPoints.tcp-9000.proxyProtocol.insecure=true",
	"--entryPoints.tcp-9001.address=:9001/tcp",
	"--entryPoints.tcp-9001.proxyProtocol.trustedIPs=10.0.0.0/8, 192.168.1.1",
	"--entryPoints.udp-53.address=:53/udp",
	"--entryPoints.udp-53.udp.timeout=3s",
	"--entryPoints.web.asDefault=true",
	"--entryPoints.websecure.http.tls", // a bare section with allowEmpty
	"--ping=true",
	"--ping.entryPoint=traefik",
	"--ping.terminatingStatusCode=204",
	"--metrics.prometheus=true",
	"--metrics.prometheus.entryPoint=traefik",
	"--metrics.prometheus.buckets=0.1,0.3,1.2,5",
	"--providers.file.directory=/etc/traefik/dynamic",
	"--providers.file.watch=true",
	"--providers.kubernetesIngressNGINX=true",
	"--providers.kubernetesIngressNGINX.ingressClass=nginx",
	"--providers.kubernetesIngressNGINX.controllerClass=k8s.io/ingress-nginx",
	"--providers.kubernetesIngressNGINX.httpEntryPoint=web",
	"--providers.kubernetesIngressNGINX.httpsEntryPoint=websecure",
	"--providers.kubernetesIngressNGINX.publishService=ingress/portico-edge",
	"--providers.kubernetesIngressNGINX.publishStatusAddress=192.0.2.10,edge.example.com",
	"--providers.kubernetesIngressNGINX.defaultBackendService=ingress/fallback",
	"--providers.kubernetesIngressNGINX.watchIngressWithoutClass=true",
	"--providers.kubernetesIngressNGINX.watchNamespace=shop",
	"--providers.kubernetesIngressNGINX.allowSnippetAnnotations=true",
	"--providers.kubernetesIngressNGINX.proxyBodySize=1048576",
	"--providers.kubernetesIngressNGINX.clientBodyBufferSize=16384",
	"--providers.kubernetesIngressNGINX.proxyConnectTimeout=60",
	"--providers.kubernetesIngressNGINX.proxyNextUpstream=error timeout",
	"--providers.kubernetesIngressNGINX.customHTTPErrors=404,503",
	"--providers.kubernetesIngressNGINX.throttleDuration=2s",
	"--providers.kubernetesIngressNGINX.ipAllowListStrategy.depth=2",
	"--log.level=INFO",
	"--configFile=/etc/traefik/none.yaml",                      // cmd.TraefikCmdConfiguration's own field
	"--tracing.resourceAttributes.deployment.environment=prod", // a map of strings takes dotted keys
}

func TestGoodArgsPass(t *testing.T) {
	c := contract(t)
	for _, a := range goodArgs {
		if err := c.CheckArg(a); err != nil {
			t.Errorf("CheckArg(%q) = %v, want nil", a, err)
		}
	}
	if errs := c.CheckArgs(goodArgs); len(errs) > 0 {
		t.Errorf("CheckArgs(goodArgs) = %v, want none", errs)
	}
}

// TestFlagNamesAreCaseInsensitive: paerser matches every segment with
// strings.EqualFold against Go field names (nodes_metadata.go
// findTypedField), so Traefik's docs' all-lowercase spellings work, and so
// does one dash.
func TestFlagNamesAreCaseInsensitive(t *testing.T) {
	c := contract(t)
	for _, a := range []string{
		"--providers.kubernetesingressnginx.ingressclass=nginx",
		"--providers.kubernetesIngressNginx.IngressClass=nginx",
		"--ENTRYPOINTS.web.ADDRESS=:80",
		"-ping.entrypoint=traefik",
		// The field is GraceTimeOut; the documented spelling graceTimeOut
		// and the natural graceTimeout are the same key to paerser.
		"--entryPoints.web.transport.lifecycle.graceTimeout=10s",
	} {
		if err := c.CheckArg(a); err != nil {
			t.Errorf("CheckArg(%q) = %v, want nil", a, err)
		}
	}
}

func TestBadArgsFail(t *testing.T) {
	c := contract(t)
	for _, tc := range []struct {
		arg, segment, typ string
	}{
		{"--entryPoints.web.adddress=:80", "adddress", "static.EntryPoint"},
		{"--providers.kubernetesIngressNginx.ingresClass=x", "ingresClass", "ingressnginx.Provider"},
		// Traefik's own documentation prints this one
		// (kubernetes-ingress-nginx.md, CLI tab).
		{"--providers.kubernetesingressnginx.upstreamkeepalimetimeout=60", "upstreamkeepalimetimeout", "ingressnginx.Provider"},
		{"--entryPoint.web.address=:80", "entryPoint", "cmd.TraefikCmdConfiguration"},
		{"--entryPoints.web.transport.lifeCycle.gracePeriod=10s", "gracePeriod", "static.LifeCycle"},
		{"--providers.kubernetesIngressNGINX.publishStatusAddresses=a", "publishStatusAddresses", "ingressnginx.Provider"},
		{"--metrics.prometheus.entrypoints=traefik", "entrypoints", "types.Prometheus"},
		{"--log.level.json=true", "json", "string"},
	} {
		err := c.CheckArg(tc.arg)
		if err == nil {
			t.Errorf("CheckArg(%q) = nil, want an error", tc.arg)
			continue
		}
		e, ok := AsError(err)
		if !ok {
			t.Errorf("CheckArg(%q) = %v, not an *Error", tc.arg, err)
			continue
		}
		if e.Segment != tc.segment || e.Type != tc.typ {
			t.Errorf("CheckArg(%q): segment %q in %q, want %q in %q (%v)", tc.arg, e.Segment, e.Type, tc.segment, tc.typ, err)
		}
		if !strings.Contains(err.Error(), tc.segment) || !strings.Contains(err.Error(), tc.typ) {
			t.Errorf("CheckArg(%q) = %q: the message should name %q and %q", tc.arg, err, tc.segment, tc.typ)
		}
	}
}

func TestBadValuesFail(t *testing.T) {
	c := contract(t)
	for _, a := range []string{
		"--providers.kubernetesIngressNGINX.proxyBodySize=1m", // an int64 of bytes, not an nginx size
		"--providers.kubernetesIngressNGINX.proxyConnectTimeout=60s",
		"--entryPoints.web.transport.lifeCycle.graceTimeOut=soon",
		"--providers.kubernetesIngressNGINX.watchIngressWithoutClass=yes",
		"--providers.kubernetesIngressNGINX.customHTTPErrors=404,x", // []string: fine
		"--ping=on",              // only "true" enables a section
		"--ping.entryPoint",      // a bare string flag would eat the next arg
		"--entryPoints.web.http", // HTTPConfig is not a pointer: no bare form
		"--providers.file=true",  // file.Provider has no allowEmpty tag
		"--metrics=true",
		"--providers.kubernetesIngressNGINX.nonTLSEntryPoints=web", // label:"-"
		"traefik",
		"--",
		"--entryPoints..address=:80",
	} {
		err := c.CheckArg(a)
		if a == "--providers.kubernetesIngressNGINX.customHTTPErrors=404,x" {
			if err != nil {
				t.Errorf("CheckArg(%q) = %v, want nil", a, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("CheckArg(%q) = nil, want an error", a)
		}
	}
}

func TestCheckArgsSeesTheWholeList(t *testing.T) {
	c := contract(t)
	// A section without allowEmpty is fine once another arg sets a sub-key.
	if errs := c.CheckArgs([]string{"--providers.file=true", "--providers.file.directory=/d"}); len(errs) > 0 {
		t.Errorf("section with a sub-key: %v", errs)
	}
	// The same key twice: Traefik keeps the last (case-insensitively).
	errs := c.CheckArgs([]string{"--log.level=INFO", "--LOG.LEVEL=DEBUG"})
	if len(errs) != 1 {
		t.Errorf("duplicate key: got %v, want one error", errs)
	}
	// Lists given twice are concatenated by paerser: no error.
	if errs := c.CheckArgs([]string{"--entryPoints.a.proxyProtocol.trustedIPs=10.0.0.1", "--entryPoints.a.proxyProtocol.trustedIPs=10.0.0.2"}); len(errs) > 0 {
		t.Errorf("repeated list: %v", errs)
	}
}

// goodDynamic is what the traefik driver writes, in sigs.k8s.io/yaml's
// layout, plus the deprecated and alternative spellings Traefik accepts.
const goodDynamic = `# Rendered by Portico from the IngressGateway; edits are reverted.
tcp:
  routers:
    tcp-9000:
      entryPoints:
      - tcp-9000
      rule: HostSNI(` + "`*`" + `)
      service: tcp-9000
    tcp-9001:
      entryPoints: [tcp-9001]
      rule: "HostSNI(` + "`*`" + `)"
      service: tcp-9001
      tls:
        passthrough: true
  services:
    tcp-9000:
      loadBalancer:
        servers:
        - address: db.shop.svc:5432
        serversTransport: portico-proxy-protocol-v1
    tcp-9001:
      loadBalancer:
        servers: [{address: "mq.shop.svc:5671"}]
        proxyProtocol: {}
  serversTransports:
    portico-proxy-protocol-v1:
      proxyProtocol:
        version: 1
      dialTimeout: 30s
      terminationDelay: 100ms
udp:
  routers:
    udp-53:
      entryPoints:
      - udp-53
      service: udp-53
  services:
    udp-53:
      loadBalancer:
        servers:
        - address: dns.kube-system.svc:53
tls:
  stores:
    default:
      defaultCertificate:
        certFile: /etc/traefik/dynamic/tls/tls.crt
        keyFile: /etc/traefik/dynamic/tls/tls.key
  certificates:
  - certFile: /etc/traefik/dynamic/tls/extra.crt
    keyFile: /etc/traefik/dynamic/tls/extra.key
    stores: [default]
http:
  routers:
    r:
      rule: Host(` + "`a.example`" + `)
      service: s
      priority: 10
      tls: {}
  services:
    s:
      loadBalancer:
        servers:
        - url: http://s.shop.svc:8080
        passHostHeader: false
  middlewares:
    m:
      headers:
        customRequestHeaders:
          X-A: b
`

func TestGoodDynamicPasses(t *testing.T) {
	c := contract(t)
	if errs := c.CheckDynamic([]byte(goodDynamic)); len(errs) > 0 {
		t.Errorf("CheckDynamic(goodDynamic) = %v, want none", errs)
	}
	if errs := c.CheckDynamic(nil); len(errs) > 0 {
		t.Errorf("CheckDynamic(empty) = %v, want none", errs)
	}
}

// TestDynamicKeysAreCaseInsensitive: the file provider decodes through the
// same paerser nodes as flags (file/raw_node.go, then findTypedField), so
// "entrypoints" works as well as the documented "entryPoints".
func TestDynamicKeysAreCaseInsensitive(t *testing.T) {
	c := contract(t)
	doc := "tcp:\n  routers:\n    x:\n      entrypoints: [a]\n      Service: s\n      RULE: HostSNI(`*`)\n"
	if errs := c.CheckDynamic([]byte(doc)); len(errs) > 0 {
		t.Errorf("CheckDynamic = %v, want none", errs)
	}
}

func TestBadDynamicFails(t *testing.T) {
	c := contract(t)
	for _, tc := range []struct {
		name, doc, segment, typ string
	}{
		{"defaultCert", "tls:\n  stores:\n    default:\n      defaultCert:\n        certFile: a\n", "defaultCert", "tls.Store"},
		{"misspelled entryPoints", "tcp:\n  routers:\n    x:\n      entryPionts: [a]\n", "entryPionts", "dynamic.TCPRouter"},
		{"udp router has no rule", "udp:\n  routers:\n    x:\n      rule: HostSNI(`*`)\n", "rule", "dynamic.UDPRouter"},
		{"server adddress", "tcp:\n  services:\n    x:\n      loadBalancer:\n        servers:\n        - adddress: a:1\n", "adddress", "dynamic.TCPServer"},
		{"proxyProtocol on the server", "tcp:\n  services:\n    x:\n      loadBalancer:\n        servers:\n        - address: a:1\n          proxyProtocol: {version: 1}\n", "proxyProtocol", "dynamic.TCPServer"},
		{"top-level typo", "tpc:\n  routers: {}\n", "tpc", "dynamic.Configuration"},
		{"empty routers map", "tcp:\n  routers: {}\n", "routers", "dynamic.TCPConfiguration"},
		{"version not an int", "tcp:\n  serversTransports:\n    t:\n      proxyProtocol:\n        version: two\n", "version", "dynamic.ProxyProtocol"},
		{"bool as yes", "tcp:\n  routers:\n    x:\n      tls:\n        passthrough: yes\n", "passthrough", "dynamic.RouterTCPTLSConfig"},
		{"list for a string", "udp:\n  routers:\n    x:\n      service: [a, b]\n", "service", "dynamic.UDPRouter"},
		{"mapping for a list of strings", "udp:\n  routers:\n    x:\n      entryPoints: {a: b}\n", "entryPoints", "dynamic.UDPRouter"},
		{"unquoted numeric key", "udp:\n  routers:\n    53:\n      service: a\n", "53", "map[string]*dynamic.UDPRouter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := c.CheckDynamic([]byte(tc.doc))
			if len(errs) == 0 {
				t.Fatalf("CheckDynamic(%q) = none, want an error", tc.doc)
			}
			e, ok := AsError(errs[0])
			if !ok {
				t.Fatalf("%v is not an *Error", errs[0])
			}
			if e.Segment != tc.segment || e.Type != tc.typ {
				t.Errorf("got segment %q in %q, want %q in %q (%v)", e.Segment, e.Type, tc.segment, tc.typ, errs)
			}
		})
	}
}

func TestDynamicTemplateMarkersFail(t *testing.T) {
	c := contract(t)
	errs := c.CheckDynamic([]byte("tcp:\n  routers:\n    x:\n      service: \"{{ .Name }}\"\n"))
	if len(errs) != 1 {
		t.Errorf("got %v, want one error about templating", errs)
	}
}

// TestExternalTypesAreRecorded: types of other modules are leaves, and
// listed. ext.HTTP and ext.Router come from a nested module Traefik's
// go.mod replaces with a directory its module zip leaves out.
func TestExternalTypesAreRecorded(t *testing.T) {
	c := contract(t)
	ext := c.External()
	for _, want := range []string{"github.com/traefik/traefik/dynamic/ext.HTTP", "github.com/traefik/traefik/dynamic/ext.Router"} {
		if !slices.Contains(ext, want) {
			t.Errorf("External() = %v, want it to hold %s", ext, want)
		}
	}
	for _, e := range ext {
		if strings.HasPrefix(e, Module+"/") {
			t.Errorf("External() holds %s, a type of the Traefik module itself", e)
		}
	}
}

func TestErrorsAreTyped(t *testing.T) {
	c := contract(t)
	err := c.CheckArg("--entryPoints.web.adddress=:80")
	var e *Error
	if !errors.As(err, &e) || e.Source == "" || !strings.HasPrefix(e.Source, "pkg/config/static/") {
		t.Errorf("CheckArg error %#v should name its source in pkg/config/static", err)
	}
}

// TestRenderedGoldensPass checks the traefik driver's golden outputs
// (internal/render/testdata/output-traefik): the args of every container
// that runs Traefik and every dynamic configuration it writes.
func TestRenderedGoldensPass(t *testing.T) {
	c := contract(t)
	files, err := filepath.Glob(filepath.Join("..", "render", "testdata", "output-traefik", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The samples on the traefik driver, as `portico render` prints them.
	samples, err := filepath.Glob(filepath.Join("..", "cli", "testdata", "samples", "*.traefik.yaml"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("no traefik renders of the samples in internal/cli/testdata/samples: %v", err)
	}
	files = append(files, samples...)
	if len(files) == 0 {
		t.Skip("no traefik golden outputs")
	}
	nDocs := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		args, docs := traefikInputs(t, raw)
		if len(args) == 0 {
			t.Errorf("%s: no Traefik container args found", f)
		}
		for _, a := range args {
			for _, err := range c.CheckArgs(a) {
				t.Errorf("%s: %v", filepath.Base(f), err)
			}
		}
		for _, d := range docs {
			nDocs++
			for _, err := range c.CheckDynamic([]byte(d)) {
				t.Errorf("%s: dynamic configuration: %v", filepath.Base(f), err)
			}
		}
	}
	if nDocs == 0 {
		t.Error("no dynamic configuration found in the traefik golden outputs")
	}
}

// traefikInputs returns the args of the containers whose args configure
// Traefik's ingress-nginx provider, and the .yaml/.yml/.toml keys of the
// ConfigMaps in a multi-document manifest.
func traefikInputs(t *testing.T, manifest []byte) (args [][]string, docs []string) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(manifest))
	for {
		var obj struct {
			Kind string            `yaml:"kind"`
			Data map[string]string `yaml:"data"`
			Spec struct {
				Template struct {
					Spec struct {
						Containers []struct {
							Args []string `yaml:"args"`
						} `yaml:"containers"`
					} `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&obj); err != nil {
			if errors.Is(err, io.EOF) {
				return args, docs
			}
			t.Fatal(err)
		}
		for _, ctr := range obj.Spec.Template.Spec.Containers {
			if slices.ContainsFunc(ctr.Args, func(a string) bool { return strings.HasPrefix(a, "--providers.kubernetesIngressNGINX") }) {
				args = append(args, ctr.Args)
			}
		}
		if obj.Kind == "ConfigMap" {
			for k, v := range obj.Data {
				if strings.HasSuffix(k, ".yaml") || strings.HasSuffix(k, ".yml") {
					docs = append(docs, v)
				}
			}
		}
	}
}
