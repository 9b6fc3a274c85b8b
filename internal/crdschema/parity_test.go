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

package crdschema

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/config/crd"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// These tests hold the facts internal/facts states about one gateway to the
// CRD's CEL rules that state them again, read from the generated CRD, and
// to what internal/render renders.

// specRules returns the CEL rules on the schema at path (property names
// from spec down) of the generated IngressGateway CRD.
func specRules(t *testing.T, path ...string) apiextensionsv1.ValidationRules {
	t.Helper()
	var c apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(crd.IngressGatewayYAML, &c); err != nil {
		t.Fatal(err)
	}
	for _, v := range c.Spec.Versions {
		if v.Name != v1alpha1.GroupVersion.Version {
			continue
		}
		s := v.Schema.OpenAPIV3Schema.Properties["spec"]
		for _, p := range path {
			next, ok := s.Properties[p]
			if !ok {
				t.Fatalf("the CRD has no spec.%s", strings.Join(path, "."))
			}
			s = next
		}
		return s.XValidations
	}
	t.Fatalf("the CRD has no version %s", v1alpha1.GroupVersion.Version)
	return nil
}

// ruleContaining returns the one rule whose text contains every fragment.
func ruleContaining(t *testing.T, rules apiextensionsv1.ValidationRules, fragments ...string) string {
	t.Helper()
	var found []string
	for _, r := range rules {
		if !slices.ContainsFunc(fragments, func(f string) bool { return !strings.Contains(r.Rule, f) }) {
			found = append(found, r.Rule)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one rule containing %q, found %d", fragments, len(found))
	}
	return found[0]
}

// TestOwnedFlagsAgreeWithTheCRD: the flags spec.controller.extraArgs may
// not set (the CEL rule on spec.controller) are exactly facts.OwnedFlags.
func TestOwnedFlagsAgreeWithTheCRD(t *testing.T) {
	rule := ruleContaining(t, specRules(t, "controller"), "self.extraArgs", "k in [")
	_, list, _ := strings.Cut(rule, "k in [")
	list, _, _ = strings.Cut(list, "]")
	var cel []string
	for _, m := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(list, -1) {
		cel = append(cel, m[1])
	}
	owned := facts.OwnedFlags()
	if dup := duplicates(owned); len(dup) > 0 {
		t.Errorf("facts.OwnedFlags lists %q twice", dup)
	}
	if dup := duplicates(cel); len(dup) > 0 {
		t.Errorf("the CEL rule lists %q twice", dup)
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(cel)), slices.Sorted(slices.Values(owned))); diff != "" {
		t.Errorf("the CRD's extraArgs rule (-) and facts.OwnedFlags (+) differ; change the marker on ControllerSpec in api/v1alpha1 or OwnedFlags:\n%s", diff)
	}
}

func duplicates(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if seen[v] {
			out = append(out, v)
		}
		seen[v] = true
	}
	return out
}

// representativeGateways returns the gateways of config/samples and of
// render's golden inputs, decoded as the API server would, by file name.
func representativeGateways(t *testing.T) map[string]*v1alpha1.IngressGateway {
	t.Helper()
	out := map[string]*v1alpha1.IngressGateway{}
	var files []string
	for _, glob := range []string{"../../config/samples/*.yaml", "../render/testdata/input/*.yaml"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
		for i := 0; ; i++ {
			doc, err := r.Read()
			if err != nil {
				break
			}
			var meta struct{ Kind string }
			if err := yaml.Unmarshal(doc, &meta); err != nil || meta.Kind != "IngressGateway" {
				continue
			}
			gw, err := Decode(doc)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if gw.Namespace == "" {
				gw.Namespace = "default"
			}
			out[fmt.Sprintf("%s#%d", filepath.Base(f), i)] = gw
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %d gateways", len(out))
	}
	return out
}

// controllerFlags returns the names of the flags the controller container
// of a rendering runs with.
func controllerFlags(t *testing.T, objs []client.Object) []string {
	t.Helper()
	var spec *corev1.PodSpec
	for _, o := range objs {
		switch w := o.(type) {
		case *appsv1.DaemonSet:
			spec = &w.Spec.Template.Spec
		case *appsv1.Deployment:
			spec = &w.Spec.Template.Spec
		}
	}
	if spec == nil {
		t.Fatal("no workload rendered")
	}
	for _, c := range spec.Containers {
		if c.Name != render.ControllerContainerName {
			continue
		}
		var out []string
		for _, a := range c.Args[1:] {
			name, ok := strings.CutPrefix(a, "--")
			if !ok {
				t.Fatalf("argument %q is not a flag", a)
			}
			name, _, _ = strings.Cut(name, "=")
			out = append(out, name)
		}
		return out
	}
	t.Fatal("no controller container")
	return nil
}

// TestRenderedFlagsAreOwned: every flag the renderer passes the controller
// (but those of spec.controller.extraArgs) is one facts.OwnedFlags lists,
// so extraArgs can never override it; and every owned flag but the two
// that only point the controller elsewhere than its cluster is rendered
// for some sample or golden input, cluster-wide or confined to its
// namespace.
func TestRenderedFlagsAreOwned(t *testing.T) {
	owned := facts.OwnedFlags()
	rendered := map[string]bool{}
	gws := representativeGateways(t)
	for _, name := range slices.Sorted(maps.Keys(gws)) {
		gw := gws[name].DeepCopy()
		gw.Spec.Controller.ExtraArgs = nil
		for _, scope := range []v1alpha1.DataPlaneScope{v1alpha1.ScopeCluster, v1alpha1.ScopeGatewayNamespace} {
			cfg := render.DefaultConfig()
			cfg.KeepalivedImage = "example.org/keepalived:1"
			cfg.Scope = scope
			res, err := render.Render(gw, cfg)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, f := range controllerFlags(t, res.Objects) {
				if !slices.Contains(owned, f) {
					t.Errorf("%s (%s): the controller runs with --%s, which facts.OwnedFlags does not list", name, scope, f)
				}
				rendered[f] = true
			}
		}
	}
	var never []string
	for _, f := range owned {
		if !rendered[f] {
			never = append(never, f)
		}
	}
	if want := []string{"apiserver-host", "kubeconfig"}; !slices.Equal(never, want) {
		t.Errorf("owned flags no gateway renders: %q, want %q (add a sample or golden input that renders the others)", never, want)
	}
}

// portFields returns the spec fields a CEL port list names, as field paths
// ("spec.ports.http", "spec.admissionWebhook.port").
func portFields(list string) []string {
	var out []string
	// The rules bind spec.ports to ps once (field access is what costs
	// the API server most, see BenchmarkCRDRules).
	for _, m := range regexp.MustCompile(`\b(?:self\.ports|ps)\.([A-Za-z]+)|self\.(admissionWebhook\.port)`).FindAllStringSubmatch(list, -1) {
		if m[2] != "" {
			out = append(out, "spec."+m[2])
			continue
		}
		out = append(out, "spec.ports."+m[1])
	}
	return out
}

// TestStreamRulesReserveExactlyTheControllerPorts is the reverse of
// TestStreamPortRulesAgreeWithRender, read off the rules themselves: the
// ports the CRD reserves against tcp entries are the fields of every
// facts.ControllerPorts entry, those it reserves against udp entries the
// fields of the StreamReserved ones; no rule reserves a port facts does
// not know.
func TestStreamRulesReserveExactlyTheControllerPorts(t *testing.T) {
	var all, reserved []string
	for _, cp := range facts.ControllerPorts(gateway()) {
		all = append(all, cp.Field.String())
		if cp.StreamReserved {
			reserved = append(reserved, cp.Field.String())
		}
	}
	rules := specRules(t)
	for _, tc := range []struct {
		list, start string
		want        []string
	}{
		{"tcp", "!self.tcp.exists(e, e.port in reserved", all},
		{"udp", "!self.udp.exists(e, e.port in reserved", reserved},
	} {
		rule := ruleContaining(t, rules, tc.start)
		// The reserved list is bound to "reserved" once:
		// "[[ps.http, …] + […]].all(reserved, !self.tcp.exists(…".
		list, _, ok := strings.Cut(rule, "].all(reserved, "+tc.start)
		_, list, ok2 := strings.Cut(list, "[[")
		if !ok || !ok2 {
			t.Fatalf("spec.%s: the rule no longer binds its reserved ports as [[…]].all(reserved, …): %s", tc.list, rule)
		}
		got := slices.Compact(slices.Sorted(slices.Values(portFields(list))))
		if diff := cmp.Diff(slices.Sorted(slices.Values(tc.want)), got); diff != "" {
			t.Errorf("spec.%s: facts (-) and the CRD's reserved ports (+) differ:\n%s", tc.list, diff)
		}
	}
}

// TestNodeBoundPortsAreReserved: on the host network and with host ports,
// every port facts.BoundPorts says the pods bind on the node is one the
// CRD refuses a tcp entry on (an entry there would bind it twice). On the
// host network the reverse holds too: every port the CRD refuses a tcp
// entry on is bound on the node. With host ports the CRD refuses more (the
// controller binds every port in its pod), so only the first direction
// applies there.
func TestNodeBoundPortsAreReserved(t *testing.T) {
	for _, mode := range []struct {
		name string
		set  func(*v1alpha1.IngressGateway)
	}{
		{"hostNetwork", func(gw *v1alpha1.IngressGateway) { gw.Spec.Workload.HostNetwork = true }},
		{"hostPorts", func(gw *v1alpha1.IngressGateway) { gw.Spec.Workload.HostPorts = true }},
	} {
		for _, v := range []struct {
			name    string
			variant func(*v1alpha1.IngressGateway)
		}{
			{"defaults", func(*v1alpha1.IngressGateway) {}},
			{"webhook moved", func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Port = 9443 }},
			{"webhook disabled", func(gw *v1alpha1.IngressGateway) { gw.Spec.AdmissionWebhook.Enabled = ptr.To(false) }},
			{"custom ports", func(gw *v1alpha1.IngressGateway) {
				gw.Spec.Ports = v1alpha1.PortsSpec{HTTP: 8080, HTTPS: 8444, Healthz: 11254, DefaultServer: 9181,
					Status: 11246, Stream: 11247, Profiler: 11245, SSLPassthroughProxy: 1442}
			}},
		} {
			name := mode.name + "/" + v.name
			base, err := decode(t, gateway(mode.set, v.variant))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			bound := map[int32]bool{}
			for _, bp := range facts.BoundPorts(base) {
				if bp.Protocol != corev1.ProtocolTCP {
					t.Fatalf("%s: %s binds %d/%s; only TCP expected without entries", name, bp.Field, bp.Port, bp.Protocol)
				}
				bound[bp.Port] = true
			}
			if len(bound) == 0 {
				t.Fatalf("%s: facts.BoundPorts is empty", name)
			}
			candidates := []int32{1, 53, facts.DefaultWebhookPort, 9443, 65535}
			for _, cp := range facts.ControllerPorts(base) {
				candidates = append(candidates, cp.Port)
			}
			slices.Sort(candidates)
			for _, port := range slices.Compact(candidates) {
				_, err := decode(t, gateway(mode.set, v.variant, tcp(port)))
				refused := err != nil
				switch {
				case bound[port] && !refused:
					t.Errorf("%s: %d/TCP is bound on the node, but the CRD accepts a tcp entry on it", name, port)
				case refused && !bound[port] && mode.name == "hostNetwork":
					t.Errorf("%s: the CRD refuses a tcp entry on %d, which facts does not bind on the node: %v", name, port, err)
				}
			}
		}
	}
}
