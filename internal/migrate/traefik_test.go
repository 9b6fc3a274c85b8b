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
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/traefiksrc"
)

// These tests re-derive from Traefik's own source and documentation what
// the package states about it, so a table that no longer matches the
// release fails here.

func traefikDir(t *testing.T) string {
	t.Helper()
	d, err := traefiksrc.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func parseTraefikFile(t *testing.T, rel string) *ast.File {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(traefikDir(t), rel), nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// structType returns the named struct type of f.
func structType(t *testing.T, f *ast.File, name string) *ast.StructType {
	t.Helper()
	var st *ast.StructType
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == name {
			st, _ = ts.Type.(*ast.StructType)
		}
		return st == nil
	})
	if st == nil {
		t.Fatalf("no struct %s", name)
	}
	return st
}

func tagOf(f *ast.Field, key string) string {
	if f.Tag == nil {
		return ""
	}
	s, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return ""
	}
	v, _, _ := strings.Cut(reflect.StructTag(s).Get(key), ",")
	return v
}

func TestVersionIsTraefiksrcs(t *testing.T) {
	if TraefikVersion != traefiksrc.Version {
		t.Errorf("TraefikVersion %s, internal/traefiksrc targets %s: review the table against the new release", TraefikVersion, traefiksrc.Version)
	}
}

// TestParsedAnnotationsAreTraefiksIngressConfig: the annotations the
// table says Traefik reads are exactly the annotation tags of its
// IngressConfig struct.
func TestParsedAnnotationsAreTraefiksIngressConfig(t *testing.T) {
	st := structType(t, parseTraefikFile(t, srcAnnotations), "IngressConfig")
	var source []string
	for _, f := range st.Fields.List {
		if a := tagOf(f, "annotation"); a != "" {
			source = append(source, a)
		}
	}
	if len(source) < 50 {
		t.Fatalf("found only %d annotation tags in %s: has the file changed shape?", len(source), srcAnnotations)
	}
	var table []string
	for _, a := range Annotations() {
		if a.Parsed {
			table = append(table, a.Name)
		}
	}
	compareSets(t, "annotations Traefik reads (IngressConfig tags)", source, "the table's Parsed rows", table)
}

// docAnnotations reads the annotation tables of Traefik's routing
// documentation: every annotation it lists, and those it says Traefik
// does not support (the Unsupported Annotations section, or a note that
// it is not implemented).
func docAnnotations(t *testing.T) (all, unsupported []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(traefikDir(t), srcDocRouting))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\|\\s*<a [^>]*>`(nginx\\.ingress\\.kubernetes\\.io/[a-z0-9-]+)`</a>\\s*\\|(.*)$")
	inUnsupported := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "#") {
			inUnsupported = strings.Contains(l, "Unsupported Annotations")
			continue
		}
		m := row.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		all = append(all, m[1])
		if inUnsupported || strings.Contains(m[2], "Not implemented") {
			unsupported = append(unsupported, m[1])
		}
	}
	if len(all) < 100 || len(unsupported) < 20 {
		t.Fatalf("read %d annotations (%d unsupported) from %s: has the page changed shape?", len(all), len(unsupported), srcDocRouting)
	}
	return all, unsupported
}

// TestTableIsTraefiksDocumentedList: the table has a row for every
// annotation Traefik's documentation lists as known, and no other, and
// calls unsupported exactly those the documentation does.
func TestTableIsTraefiksDocumentedList(t *testing.T) {
	all, unsupported := docAnnotations(t)
	var names, tableUnsupported []string
	for _, a := range Annotations() {
		names = append(names, a.Name)
		if a.Support == Unsupported {
			tableUnsupported = append(tableUnsupported, a.Name)
		}
	}
	compareSets(t, "annotations in "+srcDocRouting, all, "the table", names)
	compareSets(t, "annotations "+srcDocRouting+" calls unsupported", unsupported, "the table's unsupported rows", tableUnsupported)
}

// TestTableIsConsistent: names are unique, prefixed and sorted by
// Annotations; a supported annotation works; every row says something and
// cites an existing file of Traefik's module.
func TestTableIsConsistent(t *testing.T) {
	dir := traefikDir(t)
	seen := map[string]bool{}
	for _, a := range Annotations() {
		if seen[a.Name] {
			t.Errorf("%s: listed twice", a.Name)
		}
		seen[a.Name] = true
		if !strings.HasPrefix(a.Name, Prefix) {
			t.Errorf("%s: not an ingress-nginx annotation", a.Name)
		}
		if a.Support == Supported && a.Verdict != Works {
			t.Errorf("%s: supported, but its verdict is %s", a.Name, a.Verdict)
		}
		if a.Support == Unsupported && a.Parsed && !strings.Contains(a.Traefik, "Read, but") {
			t.Errorf("%s: Traefik reads it, yet it is unsupported: say why", a.Name)
		}
		if !a.Parsed && a.Support != Unsupported && !strings.HasPrefix(a.Traefik, "Not read") {
			t.Errorf("%s: Traefik does not read it, yet it is %s: say what Traefik does instead", a.Name, a.Support)
		}
		if a.Traefik == "" || len(a.Sources) == 0 {
			t.Errorf("%s: no description or no source", a.Name)
		}
		for _, s := range a.Sources {
			if _, err := os.Stat(filepath.Join(dir, s)); err != nil {
				t.Errorf("%s: source %s: %v", a.Name, s, err)
			}
		}
	}
	for _, s := range []string{srcDocProvider, srcDocMigrate, srcKubernetes} {
		if _, err := os.Stat(filepath.Join(dir, s)); err != nil {
			t.Errorf("source %s: %v", s, err)
		}
	}
}

// TestSnippetDirectivesAreTraefiks: the directives the snippet middleware
// emulates (the cases of buildCollectableAction) and the blocks each is
// accepted in (directiveContexts).
func TestSnippetDirectivesAreTraefiks(t *testing.T) {
	var emulated []string
	ast.Inspect(parseTraefikFile(t, srcSnippetDirs), func(n ast.Node) bool {
		fd, ok := n.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "buildCollectableAction" {
			return true
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if cc, ok := n.(*ast.CaseClause); ok {
				for _, e := range cc.List {
					if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
						s, _ := strconv.Unquote(bl.Value)
						emulated = append(emulated, s)
					}
				}
			}
			return true
		})
		return false
	})
	var ours []string
	for d := range snippetDirectives {
		ours = append(ours, d)
	}
	compareSets(t, "directives "+srcSnippetDirs+" builds", emulated, "snippetDirectives", ours)

	f := parseTraefikFile(t, srcSnippetCtx)
	consts := map[string]string{}
	contexts := map[string][]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if i >= len(vs.Values) {
				continue
			}
			switch v := vs.Values[i].(type) {
			case *ast.BasicLit:
				consts[name.Name], _ = strconv.Unquote(v.Value)
			case *ast.CompositeLit:
				if name.Name != "directiveContexts" {
					continue
				}
				for _, e := range v.Elts {
					kv := e.(*ast.KeyValueExpr)
					k, _ := strconv.Unquote(kv.Key.(*ast.BasicLit).Value)
					for _, c := range kv.Value.(*ast.CompositeLit).Elts {
						contexts[k] = append(contexts[k], c.(*ast.Ident).Name)
					}
				}
			}
		}
		return true
	})
	if len(contexts) == 0 {
		t.Fatalf("no directiveContexts in %s", srcSnippetCtx)
	}
	for k, idents := range contexts {
		var blocks []string
		for _, id := range idents {
			blocks = append(blocks, consts[id])
		}
		compareSets(t, srcSnippetCtx+" blocks of "+k, blocks, "snippetDirectives["+k+"]", snippetDirectives[k])
	}
}

// TestInterpolatedVariablesAreTraefiks: the variables Traefik interpolates
// (the constants of interpolation.go; those ending in _ are families),
// and those upstream-vhost adds.
func TestInterpolatedVariablesAreTraefiks(t *testing.T) {
	var names, prefixes []string
	ast.Inspect(parseTraefikFile(t, srcInterpolate), func(n ast.Node) bool {
		gd, ok := n.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			return true
		}
		for _, s := range gd.Specs {
			for _, v := range s.(*ast.ValueSpec).Values {
				if bl, ok := v.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					s, _ := strconv.Unquote(bl.Value)
					if strings.HasSuffix(s, "_") {
						prefixes = append(prefixes, s)
					} else {
						names = append(names, s)
					}
				}
			}
		}
		return true
	})
	compareSets(t, "variables of "+srcInterpolate, names, "interpolated", interpolated)
	compareSets(t, "variable families of "+srcInterpolate, prefixes, "interpolatedPrefixes", interpolatedPrefixes)
	b, err := os.ReadFile(filepath.Join(traefikDir(t), srcMiddleware))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range upstreamVhostVars {
		if !strings.Contains(string(b), `"$`+v+`"`) {
			t.Errorf("%s no longer gives upstream-vhost $%s", srcMiddleware, v)
		}
	}
}

// TestConfigOptionsAreTraefiksProvider: every option TraefikConfigOption
// names is a field of the provider, and every ConfigMap-derived field of
// the provider (those after its "Configuration options available within
// the NGINX Ingress Controller ConfigMap" comment, and globalAuthURL) has
// a key.
func TestConfigOptionsAreTraefiksProvider(t *testing.T) {
	st := structType(t, parseTraefikFile(t, srcKubernetes), "Provider")
	var all, fromConfigMap []string
	in := false
	for _, f := range st.Fields.List {
		if f.Doc != nil && strings.Contains(f.Doc.Text(), "NGINX Ingress Controller ConfigMap") {
			in = true
		}
		opt := tagOf(f, "json")
		if opt == "" || opt == "-" {
			continue
		}
		all = append(all, opt)
		if in || opt == "globalAuthURL" {
			fromConfigMap = append(fromConfigMap, opt)
		}
	}
	if len(fromConfigMap) < 10 {
		t.Fatalf("found %d ConfigMap options in the Provider struct of %s: has it changed shape?", len(fromConfigMap), srcKubernetes)
	}
	var mapped []string
	for _, o := range ConfigOptions() {
		if !slices.Contains(all, o.Option) {
			t.Errorf("%s maps to %s, which Traefik's provider does not have", o.Key, o.Option)
		}
		mapped = append(mapped, o.Option)
	}
	compareSets(t, "ConfigMap options of the provider", fromConfigMap, "ConfigOptions", mapped)
}

// TestTraefikFactsTheFindingsStateStillHold: the gateway findings state
// Traefik facts its source holds: it cannot publish node addresses, its
// connect timeout defaults to 60 s, and it skips Ingresses with snippets
// unless allowSnippetAnnotations is on.
func TestTraefikFactsTheFindingsStateStillHold(t *testing.T) {
	dir := traefikDir(t)
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	k := read(srcKubernetes)
	if !strings.Contains(k, "TODO: support report-node-internal-ip-address") {
		t.Errorf("%s no longer has its TODO about report-node-internal-ip-address: Traefik may publish node addresses now; review the spec.statusAddresses finding", srcKubernetes)
	}
	if !regexp.MustCompile(`defaultProxyConnectTimeout\s*=\s*60\b`).MatchString(k) {
		t.Errorf("%s: the default proxyConnectTimeout is no longer 60: review the proxy-connect-timeout finding", srcKubernetes)
	}
	if !regexp.MustCompile(`!p\.AllowSnippetAnnotations &&\s*\(ptr\.Deref\(cfg\.ServerSnippet, ""\) != "" \|\|\s*ptr\.Deref\(cfg\.ConfigurationSnippet, ""\) != "" \|\|\s*ptr\.Deref\(cfg\.AuthSnippet, ""\) != ""\)`).MatchString(read(srcBuild)) {
		t.Errorf("%s: validateIngress no longer refuses Ingresses with snippets when allowSnippetAnnotations is off: review the snippet verdicts", srcBuild)
	}
	if !strings.Contains(read(srcSnippet), "Timeout: 30 * time.Second") {
		t.Errorf("%s: the forward-auth client's timeout is no longer 30 s: review auth-url", srcSnippet)
	}
}

func compareSets(t *testing.T, whatA string, a []string, whatB string, b []string) {
	t.Helper()
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	a, b = slices.Compact(a), slices.Compact(b)
	for _, x := range a {
		if !slices.Contains(b, x) {
			t.Errorf("%s has %s, %s does not", whatA, x, whatB)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			t.Errorf("%s has %s, %s does not", whatB, x, whatA)
		}
	}
}
