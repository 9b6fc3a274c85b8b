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
	"github.com/portico-dev/portico/internal/facts"

	"bytes"
	"fmt"
	"strings"
)

// Markdown renders the annotation table and the ConfigMap key mapping as
// docs/traefik-annotations.md (a golden test keeps that file current).
func Markdown() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	rows := Annotations()
	count := map[Support]int{}
	for _, a := range rows {
		count[a.Support]++
	}
	w("<!-- Generated from internal/migrate by `make test-update-golden`; edit the table there, not this file. -->\n\n")
	w("# ingress-nginx annotations under Traefik %s\n\n", TraefikVersion)
	w("A gateway whose IngressGatewayClass has `spec.dataPlane.driver: traefik` runs Traefik %s with its\n", TraefikVersion)
	w("`kubernetesIngressNGINX` provider, which serves Ingresses written for ingress-nginx and translates their\n")
	w("`nginx.ingress.kubernetes.io/*` annotations. This page lists every annotation Traefik's documentation\n")
	w("knows, what Traefik does with it, and the verdict `portico migrate-check` gives an Ingress carrying it:\n\n")
	w("- **works**: the Ingress behaves as under ingress-nginx;\n")
	w("- **works with differences**: same routing and access control, but something observable differs\n  (status codes, tuning, headers, logging);\n")
	w("- **breaks**: routing or access control changes, or Traefik does not serve the Ingress (or some of its\n  paths).\n\n")
	w("The verdict shown is for a usual value. `portico migrate-check` refines it from the value, the rest\n")
	w("of the Ingress and the gateway where the description says it depends (a boolean annotation that\n")
	w("is not `\"true\"` always works). It reports annotations missing from this table as works with\n")
	w("differences: Traefik ignores them.\n\n")
	w("Sources are paths in Traefik's module, `github.com/traefik/traefik/v3@%s`; the tests of\n", TraefikVersion)
	w("`internal/migrate` re-read them, so this table fails the build when it no longer matches the release.\n\n")
	w("%d annotations: %d supported, %d supported with differences, %d unsupported.\n\n",
		len(rows), count[Supported], count[SupportedWithDifferences], count[Unsupported])
	w("## Annotations\n\n")
	w("| Annotation | Support | What Traefik %s does | Verdict | Source |\n", TraefikVersion)
	w("|---|---|---|---|---|\n")
	for _, a := range rows {
		var src []string
		for _, s := range a.Sources {
			src = append(src, "`"+s+"`")
		}
		w("| `%s` | %s | %s | %s | %s |\n", a.Name, a.Support, cell(a.Traefik), a.Verdict, strings.Join(src, "<br>"))
	}
	w("\n## ConfigMap keys\n\n")
	w("`spec.controller.config` holds ingress-nginx ConfigMap keys. Under the traefik driver each key with an\n")
	w("equivalent becomes an option of the provider, `%s<option>=<value>`, with\n", ProviderFlagPrefix)
	w("the value converted; every other key is refused until it is removed from the gateway\n")
	w("(`migrate.TraefikConfigOption` decides, and says what to do instead). Source:\n")
	w("`%s` (the `Provider` struct) and `%s`.\n\n", srcKubernetes, srcDocMigrate)
	w("| Key | Provider option | Conversion | What still differs |\n")
	w("|---|---|---|---|\n")
	for _, o := range ConfigOptions() {
		w("| `%s` | `%s` | %s | %s |\n", o.Key, o.Option, cell(o.Conversion), cell(o.Note))
	}
	w("\nThese values ask for what Traefik does anyway; nothing is passed for them:\n\n")
	for _, kv := range facts.SameAsTraefikKeys() {
		why, _ := facts.SameAsTraefik(kv[0], kv[1])
		w("- `%s: \"%s\"`: %s.\n", kv[0], kv[1], why)
	}
	return b.Bytes()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
