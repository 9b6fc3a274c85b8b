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
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Struct tags paerser reads (paerser parser/tags.go).
const (
	tagLabel         = "label"
	tagFile          = "file"
	tagSliceAsStruct = "label-slice-as-struct"
	allowEmpty       = "allowEmpty"
)

// Error is one problem found at one configuration path.
type Error struct {
	// Path is the configuration path up to and including Segment, as
	// written (dot-separated for flags and documents alike).
	Path string
	// Segment is the key or value at fault: the first unknown key, or the
	// key whose value or shape is wrong.
	Segment string
	// Type is the Traefik type Segment was looked up in or belongs to
	// ("static.EntryPoint"), and Source where it is declared, relative to
	// the module directory.
	Type   string
	Source string
	// Arg is the container arg, for flags.
	Arg string
	// Reason says what is wrong.
	Reason string
}

// Error formats e as "arg-or-path: reason (in Type, source)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Arg != "" {
		fmt.Fprintf(&b, "%s: ", e.Arg)
	} else if e.Path != "" {
		fmt.Fprintf(&b, "%s: ", e.Path)
	}
	b.WriteString(e.Reason)
	if e.Type != "" {
		fmt.Fprintf(&b, " (in %s", e.Type)
		if e.Source != "" {
			fmt.Fprintf(&b, ", %s", e.Source)
		}
		b.WriteString(")")
	}
	return b.String()
}

// mode is how one Traefik decoder matches keys to fields. Flags read the
// label:"…" struct tag, files the file:"…" tag.
type mode struct {
	// sliceAsStruct: a label-slice-as-struct tag renames the field and
	// makes the slice's one element addressable as the field itself.
	sliceAsStruct bool
}

var (
	flagMode = mode{sliceAsStruct: true}
	fileMode = mode{}
)

func deref(t *typ) *typ {
	for t.kind == kindPointer {
		t = t.elem
	}
	return t
}

// isSection reports whether paerser treats t as something with children: a
// struct, a pointer to a struct, or a map (parser/nodes_metadata.go).
func isSection(t *typ) bool {
	return t.kind == kindStruct || t.kind == kindMap || t.kind == kindPointer && deref(t).kind == kindStruct
}

// findField finds the field a key names in struct t, as paerser's
// findTypedField does: case-insensitively on the Go field name (or the
// label-slice-as-struct name), in declaration order, looking inside
// embedded structs (not embedded pointers, which match by their type name).
func findField(t *typ, name string, m mode) *field {
	f, _ := findFieldIn(t, name, m)
	return f
}

// findFieldIn is findField that also returns the struct declaring the
// field (t, or a struct embedded in it).
func findFieldIn(t *typ, name string, m mode) (*field, *typ) {
	for _, f := range t.fields {
		if f.embedded && f.typ.kind == kindExternal {
			// Fields unknown (see embeddedExternal).
			continue
		}
		if f.embedded && f.typ.kind == kindStruct {
			if sub, in := findFieldIn(f.typ, name, m); sub != nil {
				return sub, in
			}
			continue
		}
		n := f.name
		if m.sliceAsStruct {
			if s := f.tag.Get(tagSliceAsStruct); s != "" {
				n = s
			}
		}
		if strings.EqualFold(n, name) {
			return f, t
		}
	}
	return nil, nil
}

// embeddedExternal notes the embedded types of other modules in t, whose
// fields cannot be known here (for Traefik v3.7.13: ext.HTTP and ext.Router
// of the nested module github.com/traefik/traefik/dynamic/ext, which
// Traefik's go.mod replaces with ./pkg/config/dynamic/ext but which the
// module zip does not contain, being a module of its own).
func embeddedExternal(t *typ) string {
	var names []string
	for _, f := range t.fields {
		if f.embedded && f.typ.kind == kindExternal {
			names = append(names, f.typ.name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " (" + t.name + " also embeds " + strings.Join(names, ", ") + ", whose source is not in the Traefik module and whose fields are not checked)"
}

// fieldNames lists the keys t accepts, for suggestions.
func fieldNames(t *typ, m mode) []string {
	var out []string
	for _, f := range t.fields {
		if f.embedded && f.typ.kind == kindExternal {
			continue
		}
		if f.embedded && f.typ.kind == kindStruct {
			out = append(out, fieldNames(f.typ, m)...)
			continue
		}
		n := f.name
		if m.sliceAsStruct {
			if s := f.tag.Get(tagSliceAsStruct); s != "" {
				n = s
			}
		}
		out = append(out, n)
	}
	return out
}

// unsupported returns why paerser rejects a field type, or "" (paerser
// parser/nodes_metadata.go isSupportedType, and the kinds element_fill.go
// leaves unset).
func unsupported(t *typ) string {
	switch t.kind {
	case kindUnsupported:
		return "Traefik cannot decode a " + t.name
	case kindArray:
		return "Traefik ignores fixed-size arrays"
	case kindMap:
		if t.key.kind != kindString {
			return "Traefik decodes only maps with string keys"
		}
	case kindSlice:
		switch e := t.elem; e.kind {
		case kindMap, kindSlice, kindArray, kindInterface, kindUnsupported:
			return "Traefik cannot decode a list of " + e.name
		}
	}
	return ""
}

// lowerCamel spells a Go field name the way Traefik's documentation does.
func lowerCamel(s string) string {
	if s == "" {
		return s
	}
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	switch {
	case i == 0:
		return s
	case i == 1 || i == len(s):
		return strings.ToLower(s[:i]) + s[i:]
	default:
		// "HTTPEntryPoint" -> "httpEntryPoint"
		return strings.ToLower(s[:i-1]) + s[i-1:]
	}
}

// suggest returns a hint naming the closest accepted key, if one is close.
func suggest(name string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", lowerCamel(best))
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkScalar checks that value parses as paerser would parse it into a
// field of type t (parser/element_fill.go fill, setInt, setDuration).
func checkScalar(t *typ, value string) string {
	switch t.kind {
	case kindBool:
		if _, err := strconv.ParseBool(value); err != nil {
			return fmt.Sprintf("value %q is not a bool", value)
		}
	case kindInt:
		if _, err := strconv.ParseInt(value, 10, bitsOr64(t.bits)); err != nil {
			return fmt.Sprintf("value %q is not an %s", value, t.name)
		}
	case kindUint:
		if _, err := strconv.ParseUint(value, 10, bitsOr64(t.bits)); err != nil {
			return fmt.Sprintf("value %q is not a %s", value, t.name)
		}
	case kindFloat:
		if _, err := strconv.ParseFloat(value, bitsOr64(t.bits)); err != nil {
			return fmt.Sprintf("value %q is not a %s", value, t.name)
		}
	case kindDuration, kindStdDuration:
		if _, err := strconv.ParseInt(value, 10, 64); err == nil {
			return ""
		}
		if _, err := time.ParseDuration(value); err != nil {
			return fmt.Sprintf("value %q is not a duration (an integer, or a Go duration such as 10s)", value)
		}
	}
	return ""
}

func bitsOr64(b int) int {
	if b == 0 {
		return 64
	}
	return b
}

// checkLeaf checks a value given for a field of type t that has no
// sub-keys. list holds the items of a YAML sequence of scalars (isList).
func checkLeaf(t *typ, value string, list []string, isList bool) string {
	switch t.kind {
	case kindPointer:
		if deref(t).kind != kindStruct {
			return checkLeaf(t.elem, value, list, isList)
		}
	case kindExternal, kindInterface, kindString:
		if isList && t.kind == kindString {
			return "expects a single value, not a list"
		}
		return ""
	case kindSlice:
		el := deref(t.elem)
		if el.kind == kindStruct {
			if value != "" || len(list) > 0 {
				return "is a list of objects: give its elements as sub-keys"
			}
			return ""
		}
		items := list
		if !isList {
			if value == "" {
				return ""
			}
			// paerser splits a flag value (and a scalar where the file
			// has no sequence) on commas and trims each item.
			items = strings.Split(value, ",")
			for i := range items {
				items[i] = strings.TrimSpace(items[i])
			}
		}
		for _, it := range items {
			if r := checkScalar(el, it); r != "" {
				return "list item " + r
			}
		}
		return ""
	}
	if isList {
		return "expects a single value, not a list"
	}
	return checkScalar(t, value)
}

// CheckArg checks one container arg, "--path.to.key=value" or
// "--path.to.key" (which Traefik reads as "true" for a bool or a section),
// on its own (see CheckArgs for a whole arg list).
func (c *Contract) CheckArg(arg string) error {
	errs := c.CheckArgs([]string{arg})
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

// flagArg is one arg resolved against the static type graph.
type flagArg struct {
	arg string
	// key is the lowercased dotted path, for matching args to each other
	// as paerser does (it merges keys case-insensitively).
	key string
	// section is set when the path ends on a struct, pointer to struct or
	// map field that has no allowEmpty tag: then another arg must give it
	// a sub-key.
	section *Error
	isSlice bool
}

// CheckArgs checks Traefik's container args as Traefik's flag loader reads
// them (paerser flag.Decode into cmd.TraefikCmdConfiguration): every key
// must name a field, every value must parse, a section given alone must
// allow it, and a key must not be set twice (the later value would win,
// except for lists, which paerser concatenates). One error per problem.
func (c *Contract) CheckArgs(args []string) []error {
	var errs []error
	var resolved []flagArg
	for _, a := range args {
		if a == "--" || len(a) < 2 || a[0] != '-' {
			errs = append(errs, &Error{Arg: a, Reason: "not a flag: Traefik stops reading flags here and ignores the rest"})
			continue
		}
		fa, err := c.resolveArg(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		resolved = append(resolved, fa)
	}
	seen := map[string]string{}
	for _, fa := range resolved {
		if prev, ok := seen[fa.key]; ok && !fa.isSlice {
			errs = append(errs, &Error{Arg: fa.arg, Path: fa.key, Reason: fmt.Sprintf("sets the same key as %s; Traefik keeps only the last value", prev)})
		}
		seen[fa.key] = fa.arg
		if fa.section == nil {
			continue
		}
		extended := false
		for _, o := range resolved {
			if strings.HasPrefix(o.key, fa.key+".") {
				extended = true
				break
			}
		}
		if !extended {
			errs = append(errs, fa.section)
		}
	}
	return errs
}

// splitFlagName splits a flag name as paerser parser.DecodeToNode does:
// on dots, with a trailing "[n]" index split off its segment.
func splitFlagName(name string) ([]string, string) {
	var parts []string
	for _, v := range strings.Split(name, ".") {
		if v == "" {
			return nil, "empty segment"
		}
		if v[0] == '[' {
			return nil, fmt.Sprintf("segment %q starts with '['", v)
		}
		if strings.HasSuffix(v, "]") {
			if i := strings.Index(v, "["); i > 0 {
				parts = append(parts, v[:i], v[i:])
				continue
			}
		}
		parts = append(parts, v)
	}
	return parts, ""
}

func (c *Contract) resolveArg(arg string) (flagArg, *Error) {
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if name == "" || name[0] == '-' || name[0] == '=' {
		return flagArg{}, &Error{Arg: arg, Reason: "bad flag syntax"}
	}
	value, hasValue := "", false
	if i := strings.Index(name[1:], "="); i >= 0 {
		name, value, hasValue = name[:i+1], name[i+2:], true
	}
	segs, bad := splitFlagName(name)
	if bad != "" {
		return flagArg{}, &Error{Arg: arg, Reason: "bad flag name: " + bad}
	}
	fa := flagArg{arg: arg, key: strings.ToLower(name)}

	cur := c.static
	var via *field    // the field the walk arrived through; nil for a map entry or list element
	owner := c.static // the struct, map or list that holds cur
	flat := false
	for i, seg := range segs {
		if flat {
			break
		}
		pathSoFar := strings.Join(segs[:i+1], ".")
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		ct := cur
		if ct.kind == kindPointer && deref(ct).kind == kindStruct {
			ct = deref(ct)
		}
		switch ct.kind {
		case kindExternal:
			// Nothing is known below a type of another module.
			return fa, nil
		case kindMap:
			if deref(ct.elem).kind == kindInterface {
				// A raw map: paerser keeps whatever is below as is.
				return fa, nil
			}
			cur, via, owner = ct.elem, nil, ct
			if ct.elem.kind == kindString {
				// The rest of the name is the key: paerser flattens
				// deeper segments of a map of strings into "a.b" keys
				// (parser/element_fill.go fillRecursively).
				flat = true
			}
			continue
		case kindSlice:
			if el := ct.elem; isSection(el) {
				cur, via, owner = el, nil, ct
				continue
			}
			return fa, &Error{Arg: arg, Path: pathSoFar, Segment: seg, Type: ct.name, Reason: fmt.Sprintf("%s is a list of %s: give it a comma-separated value, not sub-keys", prev, ct.elem.name)}
		case kindStruct:
			f, in := findFieldIn(ct, seg, flagMode)
			if f == nil {
				return fa, &Error{Arg: arg, Path: pathSoFar, Segment: seg, Type: ct.name, Source: ct.source,
					Reason: fmt.Sprintf("unknown key %q%s%s", seg, suggest(seg, fieldNames(ct, flagMode)), embeddedExternal(ct))}
			}
			if r := unsupported(f.typ); r != "" {
				return fa, &Error{Arg: arg, Path: pathSoFar, Segment: seg, Type: in.name, Source: in.source, Reason: r}
			}
			if f.tag.Get(tagLabel) == "-" {
				return fa, &Error{Arg: arg, Path: pathSoFar, Segment: seg, Type: in.name, Source: in.source,
					Reason: fmt.Sprintf("key %q is tagged label:\"-\": Traefik ignores it in flags", seg)}
			}
			cur, via, owner = f.typ, f, in
			if f.tag.Get(tagSliceAsStruct) != "" && f.typ.kind == kindSlice {
				// The one element of the list, addressed as the field.
				cur = f.typ.elem
			}
			continue
		default:
			// A leaf, or an interface: paerser rejects sub-keys
			// ("invalid node").
			return fa, &Error{Arg: arg, Path: pathSoFar, Segment: seg, Type: cur.name,
				Reason: fmt.Sprintf("%s is a %s: it has no sub-key %q", prev, deref(cur).kind, seg)}
		}
	}

	errAt := func(reason string) *Error {
		return &Error{Arg: arg, Path: name, Segment: segs[len(segs)-1], Type: owner.name, Source: owner.source, Reason: reason}
	}
	t := cur
	fa.isSlice = deref(t).kind == kindSlice
	if !hasValue {
		// paerser flagparser.go: a bare flag is "true" when its type is
		// bool or a pointer (to a struct); otherwise it takes the next
		// arg as its value.
		dt := t
		if dt.kind == kindPointer && deref(dt).kind != kindStruct {
			dt = deref(dt)
		}
		if dt.kind != kindBool && dt.kind != kindPointer {
			return fa, errAt(fmt.Sprintf("needs a value (=…): only a bool or a section may be given bare, and %s is a %s", segs[len(segs)-1], t.name))
		}
		value = "true"
	}
	if isSection(t) {
		if via == nil {
			// A map entry or list element given alone: paerser creates it
			// and ignores the value.
			return fa, nil
		}
		switch {
		case strings.EqualFold(value, "true"):
		case strings.EqualFold(value, "false"):
		default:
			return fa, errAt(fmt.Sprintf("value %q: a section is enabled only by \"true\" (anything else disables it)", value))
		}
		if via.tag.Get(tagLabel) != allowEmpty {
			fa.section = errAt(fmt.Sprintf("%s cannot stand alone (its field has no label:\"allowEmpty\" tag): set one of its sub-keys instead", name))
		}
		return fa, nil
	}
	if deref(t).kind == kindSlice && via != nil && via.tag.Get(tagSliceAsStruct) != "" {
		return fa, errAt("is a list addressed as one object: set its sub-keys")
	}
	if r := checkLeaf(t, value, nil, false); r != "" {
		return fa, errAt(r)
	}
	return fa, nil
}

// CheckDynamic checks a dynamic configuration document in YAML as Traefik's
// file provider decodes it: Traefik's pkg/provider/file/file.go
// (decodeConfiguration) hands each file's content, after Go templating, to
// paerser file.DecodeContent, which unmarshals it with gopkg.in/yaml.v3
// into a map[string]interface{} (paerser file/file.go) and turns it into
// nodes (file/raw_node.go): keys are matched case-insensitively against the
// Go field names of dynamic.Configuration and below, exactly as flags are,
// with the file:"…" struct tag. yaml here is kyaml's alias of the same
// YAML v3 decoder, so scalars resolve as they do in Traefik. One error per
// problem; a wrong key is not looked into.
func (c *Contract) CheckDynamic(yamlDoc []byte) []error {
	var errs []error
	if bytes.Contains(yamlDoc, []byte("{{")) {
		errs = append(errs, &Error{Reason: "contains \"{{\": the file provider runs every file through Go's text/template first (pkg/provider/file/file.go CreateConfiguration)"})
	}
	data := map[string]interface{}{}
	if err := yaml.Unmarshal(yamlDoc, &data); err != nil {
		return append(errs, &Error{Reason: "not a YAML mapping: " + err.Error()})
	}
	w := &docWalker{errs: errs}
	root := c.dynamic
	for _, k := range sortedKeys(data) {
		v := data[k]
		if findField(root, k, fileMode) == nil {
			w.add(&Error{Path: k, Segment: k, Type: root.name, Source: root.source,
				Reason: fmt.Sprintf("unknown top-level key %q (Traefik silently drops it)%s", k, suggest(k, fieldNames(root, fileMode)))})
			continue
		}
		w.child(root, k, v, "")
	}
	return w.errs
}

type docWalker struct {
	errs []error
}

func (w *docWalker) add(e *Error) { w.errs = append(w.errs, e) }

func sortedKeys(m map[string]interface{}) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// asMap returns a YAML mapping's entries with string keys, or false.
func asMap(v interface{}) (map[string]interface{}, []string, bool) {
	switch m := v.(type) {
	case map[string]interface{}:
		return m, nil, true
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		var bad []string
		for k, x := range m {
			s, ok := k.(string)
			if !ok {
				bad = append(bad, fmt.Sprint(k))
				s = fmt.Sprint(k)
			}
			out[s] = x
		}
		return out, bad, true
	}
	return nil, nil, false
}

// scalar formats a YAML scalar as paerser file/raw_node.go getSimpleValue
// does, or reports that v is not a scalar.
func scalar(v interface{}) (string, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), true
	case reflect.Float32, reflect.Float64:
		return strings.TrimSuffix(strconv.FormatFloat(rv.Float(), 'f', 6, 64), ".000000"), true
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), true
	}
	return "", false
}

// child checks the entry key: v of the struct (or pointer to struct)
// parent, at path prefix.
func (w *docWalker) child(parent *typ, key string, v interface{}, prefix string) {
	p := join(prefix, key)
	if v == nil {
		// paerser skips null values (file/raw_node.go decodeRaw).
		return
	}
	pt := deref(parent)
	if pt.kind == kindExternal {
		return
	}
	f, in := findFieldIn(pt, key, fileMode)
	if f == nil {
		w.add(&Error{Path: p, Segment: key, Type: pt.name, Source: pt.source,
			Reason: fmt.Sprintf("unknown key %q%s%s", key, suggest(key, fieldNames(pt, fileMode)), embeddedExternal(pt))})
		return
	}
	errAt := func(reason string) {
		w.add(&Error{Path: p, Segment: key, Type: in.name, Source: in.source, Reason: reason})
	}
	if r := unsupported(f.typ); r != "" {
		errAt(r)
		return
	}
	if f.tag.Get(tagFile) == "-" {
		errAt(fmt.Sprintf("key %q is tagged file:\"-\": Traefik ignores it in files", key))
		return
	}
	w.value(f.typ, f.tag.Get(tagFile) == allowEmpty, v, p, key, in)
}

// value checks v given for a field (or map entry, or list element) of type
// t at path p. allowEmptyTag tells whether t may stand without sub-keys;
// it is true for map entries and list elements, which paerser accepts
// empty.
func (w *docWalker) value(t *typ, allowEmptyTag bool, v interface{}, p, key string, owner *typ) {
	errAt := func(reason string) {
		w.add(&Error{Path: p, Segment: key, Type: owner.name, Source: owner.source, Reason: reason})
	}
	if t.kind == kindExternal || deref(t).kind == kindExternal {
		return
	}
	m, badKeys, isMap := asMap(v)
	for _, k := range badKeys {
		w.add(&Error{Path: join(p, k), Segment: k, Type: deref(t).name, Source: deref(t).source,
			Reason: fmt.Sprintf("key %s is not a string: quote it (paerser would name the entry after its Go reflect value)", k)})
	}
	list, isList := v.([]interface{})

	if isSection(t) {
		dt := deref(t)
		switch {
		case isMap && len(m) == 0:
			if !allowEmptyTag {
				errAt(fmt.Sprintf("%s cannot be empty (its field has no file:\"allowEmpty\" tag): Traefik rejects the file", key))
			}
		case isMap && dt.kind == kindMap:
			if deref(dt.elem).kind == kindInterface {
				return
			}
			for _, k := range sortedKeys(m) {
				w.mapEntry(dt, k, m[k], p)
			}
		case isMap:
			for _, k := range sortedKeys(m) {
				w.child(dt, k, m[k], p)
			}
		case isList:
			errAt(fmt.Sprintf("expects a mapping (%s), not a list", dt.name))
		default:
			s, _ := scalar(v)
			if !allowEmptyTag {
				errAt(fmt.Sprintf("expects a mapping (%s), not %q", dt.name, s))
			} else if !strings.EqualFold(s, "true") {
				errAt(fmt.Sprintf("value %q disables %s: only an empty mapping or true enables it", s, key))
			}
		}
		return
	}

	dt := t
	switch {
	case dt.kind == kindPointer:
		w.value(dt.elem, allowEmptyTag, v, p, key, owner)
	case dt.kind == kindSlice && isList && isSection(dt.elem):
		for i, item := range list {
			ip := fmt.Sprintf("%s[%d]", p, i)
			im, _, ok := asMap(item)
			if !ok {
				w.add(&Error{Path: ip, Segment: key, Type: owner.name, Source: owner.source, Reason: fmt.Sprintf("list item is not a mapping (%s)", deref(dt.elem).name)})
				continue
			}
			w.value(dt.elem, true, im, ip, key, owner)
		}
	case isMap:
		errAt(fmt.Sprintf("is a %s: it has no sub-keys", t.name))
	case isList:
		items := make([]string, 0, len(list))
		for _, it := range list {
			s, ok := scalar(it)
			if !ok {
				errAt("list items must be scalars or mappings")
				return
			}
			items = append(items, s)
		}
		if dt.kind != kindSlice {
			errAt(fmt.Sprintf("is a %s, not a list", t.name))
			return
		}
		if r := checkLeaf(t, "", items, true); r != "" {
			errAt(r)
		}
	default:
		s, ok := scalar(v)
		if !ok {
			errAt(fmt.Sprintf("unsupported YAML value %T", v))
			return
		}
		if r := checkLeaf(t, s, nil, false); r != "" {
			errAt(r)
		}
	}
}

// mapEntry checks the entry k of a map of type mt (keys are free names).
func (w *docWalker) mapEntry(mt *typ, k string, v interface{}, prefix string) {
	p := join(prefix, k)
	if v == nil {
		return
	}
	el := mt.elem
	if deref(el).kind == kindString || el.kind == kindString {
		// paerser flattens nested keys of a map of strings into
		// "a.b" entries (parser/element_fill.go fillRecursively).
		if _, _, isMap := asMap(v); isMap {
			return
		}
	}
	w.value(el, true, v, p, k, mt)
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// AsError returns err as an *Error, if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
