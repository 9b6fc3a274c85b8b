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

// Package traefikcontract checks what the traefik driver renders against
// the configuration types of the Traefik release it targets, read from that
// release's own source with go/parser and go/ast (Traefik is never imported
// or built). Load builds the type graph once; CheckArg and CheckArgs check
// static configuration given as container args, CheckDynamic checks a
// dynamic configuration document for the file provider.
//
// The checks follow how Traefik decodes each form, which is the
// github.com/traefik/paerser library (v0.2.2 for Traefik v3.7.13):
//
//   - flags (paerser flag/flagparser.go, parser/labels_decode.go,
//     parser/nodes_metadata.go, parser/element_fill.go): a name is split on
//     dots; each segment is matched case-insensitively against the Go field
//     name (not the json/yaml tag; a label-slice-as-struct tag replaces the
//     name), searching embedded structs; map keys are free names; a struct,
//     pointer-to-struct or map given alone needs the tag label:"allowEmpty",
//     and then only the value "true" enables it; a field tagged label:"-"
//     is ignored; values are parsed by Go kind (strconv, comma-separated
//     slices, paerser types.Duration where a bare integer means seconds).
//   - the file provider (Traefik pkg/provider/file/file.go decodeConfiguration
//     calls paerser file.DecodeContent, file/file.go and file/raw_node.go):
//     the document is unmarshalled with gopkg.in/yaml.v3 into a
//     map[string]interface{}, then matched exactly like flags (Go field
//     names, case-insensitively) except that the struct tag consulted is
//     file:"…" and label-slice-as-struct is off. Unknown top-level keys are
//     dropped silently by Traefik; this package reports them.
package traefikcontract

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Module is the Go module path of the Traefik source Load reads.
const Module = "github.com/traefik/traefik/v3"

// Import paths and type names of the roots. The static root is the type
// Traefik's main decodes its flags into: cmd.TraefikCmdConfiguration, which
// embeds static.Configuration and adds configFile (cmd/configuration.go,
// cmd/traefik/traefik.go).
const (
	staticRootPkg   = Module + "/cmd"
	staticRootType  = "TraefikCmdConfiguration"
	dynamicRootPkg  = Module + "/pkg/config/dynamic"
	dynamicRootType = "Configuration"
)

// Types from other modules that paerser treats specially (by exact type, in
// parser/element_fill.go setInt).
const (
	paerserDuration = "github.com/traefik/paerser/types.Duration"
	stdDuration     = "time.Duration"
)

type kind int

const (
	kindInvalid kind = iota
	kindBool
	kindInt
	kindUint
	kindFloat
	kindString
	// kindDuration is paerser's types.Duration: an integer or a
	// time.ParseDuration string; a bare integer means seconds.
	kindDuration
	// kindStdDuration is time.Duration: the same, but a bare integer means
	// nanoseconds.
	kindStdDuration
	kindStruct
	kindPointer
	kindSlice
	kindArray
	kindMap
	kindInterface
	// kindExternal is a named type of another module (not special-cased
	// above): its Go kind is unknown here, so it is a leaf accepting any
	// value and anything below it. Contract.External lists them.
	kindExternal
	// kindUnsupported is a func or chan type, which paerser rejects.
	kindUnsupported
)

var kindNames = map[kind]string{
	kindBool: "bool", kindInt: "int", kindUint: "uint", kindFloat: "float", kindString: "string",
	kindDuration: "duration", kindStdDuration: "duration", kindStruct: "struct", kindPointer: "pointer",
	kindSlice: "list", kindArray: "array", kindMap: "map", kindInterface: "interface",
	kindExternal: "external type", kindUnsupported: "unsupported type",
}

func (k kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "invalid"
}

// typ is one node of the type graph.
type typ struct {
	// name is the Go spelling, package-qualified by package name for named
	// types ("static.EntryPoint", "[]string", "map[string]*dynamic.TCPRouter").
	name string
	// source is where a named type is declared, relative to the module
	// directory ("pkg/config/static/entrypoints.go:47").
	source string
	kind   kind
	// bits is the size of an int, uint or float kind (0 for int and uint).
	bits   int
	fields []*field
	// elem is the element of a pointer, slice, array or map.
	elem *typ
	// key is a map's key.
	key *typ
}

// field is one struct field. Unexported fields are not recorded: paerser
// skips them.
type field struct {
	name     string
	tag      reflect.StructTag
	typ      *typ
	embedded bool
}

// Contract is the configuration surface of one Traefik source tree.
type Contract struct {
	dir      string
	static   *typ
	dynamic  *typ
	external map[string]bool
}

// Dir returns the Traefik module directory the contract was loaded from.
func (c *Contract) Dir() string { return c.dir }

// External returns the named types from other modules met while following
// the configuration types (sorted, package-path qualified). Values of these
// types are accepted as they are, and nothing below them is checked.
func (c *Contract) External() []string {
	out := make([]string, 0, len(c.external))
	for n := range c.external {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Load parses the Traefik module source in dir (the module root, holding
// go.mod) and builds the static and dynamic configuration type graphs,
// following field types across every Traefik package they use. Files are
// selected as the Go tool would for linux/amd64; tests are skipped.
func Load(dir string) (*Contract, error) {
	l := &loader{
		dir:      dir,
		fset:     token.NewFileSet(),
		pkgs:     map[string]*pkgInfo{},
		names:    map[string]string{},
		types:    map[string]*typ{},
		external: map[string]bool{},
	}
	l.ctx = build.Default
	l.ctx.GOOS, l.ctx.GOARCH, l.ctx.CgoEnabled = "linux", "amd64", false

	static, err := l.named(staticRootPkg, staticRootType)
	if err != nil {
		return nil, fmt.Errorf("static configuration: %w", err)
	}
	dynamic, err := l.named(dynamicRootPkg, dynamicRootType)
	if err != nil {
		return nil, fmt.Errorf("dynamic configuration: %w", err)
	}
	if l.err != nil {
		return nil, l.err
	}
	return &Contract{dir: dir, static: static, dynamic: dynamic, external: l.external}, nil
}

type loader struct {
	dir      string
	ctx      build.Context
	fset     *token.FileSet
	pkgs     map[string]*pkgInfo
	names    map[string]string // import path -> package name, for Traefik packages
	types    map[string]*typ   // "importpath.Name" -> resolved named type
	external map[string]bool
	// err is the first error met below the roots (an unparsable file, a
	// type named in Traefik that its package does not declare).
	err error
}

type pkgInfo struct {
	path  string
	name  string
	decls map[string]*typeDecl
}

type typeDecl struct {
	spec *ast.TypeSpec
	file *fileInfo
	pkg  *pkgInfo
}

type fileInfo struct {
	rel     string // path relative to the module directory
	imports []importInfo
}

type importInfo struct {
	name string // explicit local name, or ""
	path string
}

func (l *loader) fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

// internal reports whether an import path is in the Traefik module, and
// its directory relative to the module root.
func internal(importPath string) (string, bool) {
	if importPath == Module {
		return ".", true
	}
	rel, ok := strings.CutPrefix(importPath, Module+"/")
	return rel, ok
}

// goFiles returns the non-test Go files of a Traefik package directory that
// the Go tool would build for linux/amd64.
func (l *loader) goFiles(rel string) ([]string, error) {
	abs := filepath.Join(l.dir, filepath.FromSlash(rel))
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		ok, err := l.ctx.MatchFile(abs, n)
		if err != nil {
			return nil, err
		}
		if ok {
			files = append(files, n)
		}
	}
	return files, nil
}

// pkgName returns the package name of a Traefik package, reading one
// package clause.
func (l *loader) pkgName(importPath string) (string, error) {
	if n, ok := l.names[importPath]; ok {
		return n, nil
	}
	rel, _ := internal(importPath)
	files, err := l.goFiles(rel)
	if err != nil {
		return "", err
	}
	if len(files) == 0 {
		return "", fmt.Errorf("%s: no Go files", rel)
	}
	f, err := parser.ParseFile(l.fset, filepath.Join(l.dir, filepath.FromSlash(rel), files[0]), nil, parser.PackageClauseOnly)
	if err != nil {
		return "", err
	}
	l.names[importPath] = f.Name.Name
	return f.Name.Name, nil
}

// pkg parses a Traefik package and indexes its type declarations.
func (l *loader) pkg(importPath string) (*pkgInfo, error) {
	if p, ok := l.pkgs[importPath]; ok {
		return p, nil
	}
	rel, ok := internal(importPath)
	if !ok {
		return nil, fmt.Errorf("%s is not in %s", importPath, Module)
	}
	files, err := l.goFiles(rel)
	if err != nil {
		return nil, err
	}
	p := &pkgInfo{path: importPath, decls: map[string]*typeDecl{}}
	for _, name := range files {
		relFile := path.Join(rel, name)
		f, err := parser.ParseFile(l.fset, filepath.Join(l.dir, filepath.FromSlash(relFile)), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p.name = f.Name.Name
		fi := &fileInfo{rel: relFile}
		for _, imp := range f.Imports {
			ipath, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return nil, err
			}
			ii := importInfo{path: ipath}
			if imp.Name != nil {
				ii.name = imp.Name.Name
			}
			fi.imports = append(fi.imports, ii)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				p.decls[ts.Name.Name] = &typeDecl{spec: ts, file: fi, pkg: p}
			}
		}
	}
	l.names[importPath] = p.name
	l.pkgs[importPath] = p
	return p, nil
}

// guessName is the package name the Go convention gives an import path of
// another module: its last element, without a major-version element, a
// "go-" prefix or a ".vN" suffix.
func guessName(importPath string) string {
	parts := strings.Split(importPath, "/")
	last := parts[len(parts)-1]
	if len(parts) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		last = parts[len(parts)-2]
	}
	last = strings.TrimPrefix(last, "go-")
	if i := strings.Index(last, "."); i > 0 {
		last = last[:i]
	}
	return strings.ReplaceAll(last, "-", "")
}

// resolveImport finds the import path a file refers to as pkgIdent.
func (l *loader) resolveImport(fi *fileInfo, pkgIdent string) (string, bool) {
	for _, imp := range fi.imports {
		if imp.name == pkgIdent {
			return imp.path, true
		}
	}
	for _, imp := range fi.imports {
		if imp.name != "" {
			continue
		}
		var n string
		if _, ok := internal(imp.path); ok {
			var err error
			if n, err = l.pkgName(imp.path); err != nil {
				continue
			}
		} else {
			n = guessName(imp.path)
		}
		if n == pkgIdent {
			return imp.path, true
		}
	}
	return "", false
}

// named resolves the named type name declared in a Traefik package.
func (l *loader) named(importPath, name string) (*typ, error) {
	qual := importPath + "." + name
	if t, ok := l.types[qual]; ok {
		return t, nil
	}
	p, err := l.pkg(importPath)
	if err != nil {
		return nil, err
	}
	d, ok := p.decls[name]
	if !ok {
		return nil, fmt.Errorf("type %s.%s not found in %s", p.name, name, importPath)
	}
	pos := l.fset.Position(d.spec.Pos())
	t := &typ{name: p.name + "." + name, source: fmt.Sprintf("%s:%d", d.file.rel, pos.Line)}
	// Stored before its underlying type is resolved, so that a type
	// reaching itself (through a pointer, slice or map) ends here.
	l.types[qual] = t
	if d.spec.TypeParams != nil {
		t.kind = kindUnsupported
		return t, nil
	}
	under := l.expr(d.spec.Type, d, t.name)
	name0, source0 := t.name, t.source
	if d.spec.Assign.IsValid() {
		// An alias is its target, under either name.
		*t = *under
		return t, nil
	}
	*t = *under
	t.name, t.source = name0, source0
	if under.kind == kindDuration || under.kind == kindStdDuration {
		// paerser recognises the two duration types by exact type; a type
		// defined over one of them is a plain int64 to it.
		t.kind, t.bits = kindInt, 64
	}
	return t, nil
}

var builtins = map[string]*typ{
	"bool":    {name: "bool", kind: kindBool},
	"string":  {name: "string", kind: kindString},
	"int":     {name: "int", kind: kindInt},
	"int8":    {name: "int8", kind: kindInt, bits: 8},
	"int16":   {name: "int16", kind: kindInt, bits: 16},
	"int32":   {name: "int32", kind: kindInt, bits: 32},
	"rune":    {name: "rune", kind: kindInt, bits: 32},
	"int64":   {name: "int64", kind: kindInt, bits: 64},
	"uint":    {name: "uint", kind: kindUint},
	"uint8":   {name: "uint8", kind: kindUint, bits: 8},
	"byte":    {name: "byte", kind: kindUint, bits: 8},
	"uint16":  {name: "uint16", kind: kindUint, bits: 16},
	"uint32":  {name: "uint32", kind: kindUint, bits: 32},
	"uint64":  {name: "uint64", kind: kindUint, bits: 64},
	"uintptr": {name: "uintptr", kind: kindUint, bits: 64},
	"float32": {name: "float32", kind: kindFloat, bits: 32},
	"float64": {name: "float64", kind: kindFloat, bits: 64},
	"any":     {name: "any", kind: kindInterface},
	"error":   {name: "error", kind: kindInterface},
}

// expr resolves a type expression written in declaration d; context names
// an anonymous struct in messages.
func (l *loader) expr(e ast.Expr, d *typeDecl, context string) *typ {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return l.expr(e.X, d, context)
	case *ast.Ident:
		if _, ok := d.pkg.decls[e.Name]; ok {
			t, err := l.named(d.pkg.path, e.Name)
			if err != nil {
				l.fail(err)
				return &typ{name: e.Name, kind: kindInvalid}
			}
			return t
		}
		if b, ok := builtins[e.Name]; ok {
			return b
		}
		l.fail(fmt.Errorf("%s: unknown type %s", d.file.rel, e.Name))
		return &typ{name: e.Name, kind: kindInvalid}
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		if !ok {
			l.fail(fmt.Errorf("%s: unexpected type expression", d.file.rel))
			return &typ{name: "?", kind: kindInvalid}
		}
		ipath, ok := l.resolveImport(d.file, x.Name)
		if !ok {
			l.fail(fmt.Errorf("%s: no import for %s.%s", d.file.rel, x.Name, e.Sel.Name))
			return &typ{name: x.Name + "." + e.Sel.Name, kind: kindInvalid}
		}
		qual := ipath + "." + e.Sel.Name
		switch qual {
		case paerserDuration:
			return &typ{name: "ptypes.Duration", kind: kindDuration}
		case stdDuration:
			return &typ{name: "time.Duration", kind: kindStdDuration}
		}
		if _, in := internal(ipath); in {
			t, err := l.named(ipath, e.Sel.Name)
			if err != nil {
				l.fail(err)
				return &typ{name: x.Name + "." + e.Sel.Name, kind: kindInvalid}
			}
			return t
		}
		l.external[qual] = true
		return &typ{name: x.Name + "." + e.Sel.Name, source: qual, kind: kindExternal}
	case *ast.StarExpr:
		el := l.expr(e.X, d, context)
		return &typ{name: "*" + el.name, kind: kindPointer, elem: el}
	case *ast.ArrayType:
		el := l.expr(e.Elt, d, context)
		if e.Len == nil {
			return &typ{name: "[]" + el.name, kind: kindSlice, elem: el}
		}
		return &typ{name: "[…]" + el.name, kind: kindArray, elem: el}
	case *ast.MapType:
		k := l.expr(e.Key, d, context)
		v := l.expr(e.Value, d, context)
		return &typ{name: "map[" + k.name + "]" + v.name, kind: kindMap, key: k, elem: v}
	case *ast.InterfaceType:
		return &typ{name: "interface{}", kind: kindInterface}
	case *ast.StructType:
		t := &typ{name: context, kind: kindStruct}
		for _, f := range e.Fields.List {
			var tag reflect.StructTag
			if f.Tag != nil {
				s, err := strconv.Unquote(f.Tag.Value)
				if err != nil {
					l.fail(fmt.Errorf("%s: struct tag %s: %w", d.file.rel, f.Tag.Value, err))
				}
				tag = reflect.StructTag(s)
			}
			if len(f.Names) == 0 {
				name := embeddedName(f.Type)
				if !ast.IsExported(name) {
					continue
				}
				t.fields = append(t.fields, &field{name: name, tag: tag, embedded: true, typ: l.expr(f.Type, d, context+"."+name)})
				continue
			}
			for _, n := range f.Names {
				if !n.IsExported() {
					continue
				}
				t.fields = append(t.fields, &field{name: n.Name, tag: tag, typ: l.expr(f.Type, d, context+"."+n.Name)})
			}
		}
		return t
	case *ast.FuncType:
		return &typ{name: "func", kind: kindUnsupported}
	case *ast.ChanType:
		return &typ{name: "chan", kind: kindUnsupported}
	}
	return &typ{name: fmt.Sprintf("%T", e), kind: kindUnsupported}
}

// embeddedName is the field name of an embedded type.
func embeddedName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return embeddedName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.IndexExpr:
		return embeddedName(e.X)
	case *ast.IndexListExpr:
		return embeddedName(e.X)
	}
	return ""
}
