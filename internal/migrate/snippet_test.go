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
	"slices"
	"strings"
	"testing"
)

func TestParseSnippet(t *testing.T) {
	ds, err := parseSnippet(`# a comment; with { braces }
more_set_headers "X-Frame-Options: DENY";   set $x "a;b{c}";
if ($http_x_debug = "1") { add_header X-Debug ${x}yes always; }
location /healthz { return 200 'ok'; }`, blockServer)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.name+"<"+strings.Join(d.parents, "<"))
	}
	want := []string{"more_set_headers<server", "set<server", "if<server", "add_header<if<server", "location<server", "return<location<server"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{`set $a "b`, "return 200", "if ($a) { return 403;", "}", "{ return 403; }", `set $a ${b`} {
		if _, err := parseSnippet(bad, blockLocation); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestSnippetProblems(t *testing.T) {
	for _, tc := range []struct {
		snippet, root string
		want          string // a substring of the problems; "" for none
	}{
		{`more_set_headers "X-Frame-Options: DENY";`, blockLocation, ""},
		{`proxy_set_header X-Real-Port $server_port; rewrite ^/old/(.*) /new/$1 break;`, blockLocation, ""},
		{`if ($request_method = OPTIONS) { add_header X-A b; return 204; }`, blockLocation, ""},
		// add_header is accepted in an if only inside a location.
		{`if ($request_method = OPTIONS) { add_header X-A b; }`, blockServer, "add_header in a if block"},
		{`location /x { deny all; }`, blockServer, ""},
		{`location /x { deny all; }`, blockLocation, "location in a location block"},
		{`proxy_pass http://other; lua_need_request_body on;`, blockLocation, "directives proxy_pass, lua_need_request_body"},
		{`access_by_lua_block { ngx.exit(403) }`, blockLocation, "does not parse"},
		{`access_by_lua_block { ngx.exit(403); }`, blockLocation, "directives access_by_lua_block, ngx.exit(403)"},
		{`set $a "b`, blockLocation, "does not parse"},
	} {
		got := strings.Join(snippetProblems(tc.snippet, tc.root), "; ")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%q in %s: %q, want %q", tc.snippet, tc.root, got, tc.want)
		}
	}
}
