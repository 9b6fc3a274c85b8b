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
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Blocks a snippet directive may sit in. Traefik wraps a server-snippet in
// a server block and a configuration- or auth-snippet in a location block
// before parsing it.
const (
	blockServer       = "server"
	blockLocation     = "location"
	blockIf           = "if"
	blockIfInLocation = "if_in_location" // an if block directly inside a location block
)

// snippetDirectives are the nginx directives Traefik's snippet middleware
// emulates, each with the blocks it is accepted in
// (pkg/middlewares/ingressnginx/snippet/collector.go and
// directive_context.go; a test re-reads both). A snippet with any other
// directive, or one in another block, fails the middleware.
var snippetDirectives = map[string][]string{
	"add_header":               {blockServer, blockLocation, blockIfInLocation},
	"allow":                    {blockServer, blockLocation, blockIf},
	"auth_request_set":         {blockServer, blockLocation},
	"deny":                     {blockServer, blockLocation, blockIf},
	"expires":                  {blockServer, blockLocation, blockIfInLocation},
	"if":                       {blockServer, blockLocation},
	"location":                 {blockServer},
	"more_clear_headers":       {blockServer, blockLocation, blockIf},
	"more_clear_input_headers": {blockServer, blockLocation, blockIf},
	"more_set_headers":         {blockServer, blockLocation, blockIf},
	"more_set_input_headers":   {blockServer, blockLocation, blockIf},
	"proxy_hide_header":        {blockServer, blockLocation},
	"proxy_method":             {blockServer, blockLocation},
	"proxy_set_header":         {blockServer, blockLocation},
	"return":                   {blockServer, blockLocation, blockIf},
	"rewrite":                  {blockServer, blockLocation, blockIf},
	"set":                      {blockServer, blockLocation, blockIf},
}

// snippetDirective is one directive of a snippet and the blocks around it,
// innermost first.
type snippetDirective struct {
	name    string
	parents []string
}

// parseSnippet splits an nginx snippet into its directives, root being
// the block Traefik wraps it in. It understands what nginx's configuration
// syntax needs here: statements ending in ";", blocks in braces, quoted
// strings with escapes, ${variable} and # comments.
func parseSnippet(snippet, root string) ([]snippetDirective, error) {
	var (
		out    []snippetDirective
		tokens []string
		tok    strings.Builder
		inTok  bool
		stack  = []string{root}
	)
	flush := func() {
		if inTok {
			tokens = append(tokens, tok.String())
			tok.Reset()
			inTok = false
		}
	}
	record := func() {
		parents := slices.Clone(stack)
		slices.Reverse(parents)
		out = append(out, snippetDirective{name: tokens[0], parents: parents})
	}
	rs := []rune(snippet)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '#' && !inTok:
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			j := i + 1
			for ; j < len(rs) && rs[j] != c; j++ {
				if rs[j] == '\\' {
					j++
				}
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated %c string", c)
			}
			tok.WriteString(string(rs[i+1 : j]))
			inTok = true
			i = j
		case c == '$' && i+1 < len(rs) && rs[i+1] == '{':
			j := i + 2
			for j < len(rs) && rs[j] != '}' {
				j++
			}
			if j >= len(rs) {
				return nil, errors.New("unterminated ${")
			}
			tok.WriteString(string(rs[i : j+1]))
			inTok = true
			i = j
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			flush()
		case c == ';':
			flush()
			if len(tokens) == 0 {
				return nil, errors.New("unexpected \";\"")
			}
			record()
			tokens = nil
		case c == '{':
			flush()
			if len(tokens) == 0 {
				return nil, errors.New("unexpected \"{\"")
			}
			record()
			stack = append(stack, tokens[0])
			tokens = nil
		case c == '}':
			flush()
			if len(tokens) > 0 {
				return nil, fmt.Errorf("%q is not terminated by \";\"", tokens[0])
			}
			if len(stack) == 1 {
				return nil, errors.New("unexpected \"}\"")
			}
			stack = stack[:len(stack)-1]
		default:
			tok.WriteRune(c)
			inTok = true
		}
	}
	flush()
	if len(tokens) > 0 {
		return nil, fmt.Errorf("%q is not terminated by \";\"", tokens[0])
	}
	if len(stack) > 1 {
		return nil, fmt.Errorf("the %q block is not closed", stack[len(stack)-1])
	}
	return out, nil
}

// snippetProblems says why Traefik's snippet middleware would refuse the
// snippet: it does not parse, or it uses a directive Traefik does not
// emulate, or one in a block Traefik does not accept it in. nil means
// Traefik runs it.
func snippetProblems(snippet, root string) []string {
	ds, err := parseSnippet(snippet, root)
	if err != nil {
		return []string{"it does not parse: " + err.Error()}
	}
	var unknown, misplaced []string
	for _, d := range ds {
		allowed, ok := snippetDirectives[d.name]
		if !ok {
			if !slices.Contains(unknown, d.name) {
				unknown = append(unknown, d.name)
			}
			continue
		}
		parent := d.parents[0]
		if slices.Contains(allowed, parent) ||
			(parent == blockIf && slices.Contains(allowed, blockIfInLocation) && len(d.parents) > 1 && d.parents[1] == blockLocation) {
			continue
		}
		m := fmt.Sprintf("%s in a %s block", d.name, parent)
		if !slices.Contains(misplaced, m) {
			misplaced = append(misplaced, m)
		}
	}
	var out []string
	if len(unknown) > 0 {
		noun := "directive"
		if len(unknown) > 1 {
			noun = "directives"
		}
		out = append(out, fmt.Sprintf("Traefik does not emulate the %s %s", noun, strings.Join(unknown, ", ")))
	}
	if len(misplaced) > 0 {
		out = append(out, "Traefik does not accept "+strings.Join(misplaced, ", "))
	}
	return out
}
