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

package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/crdschema"
)

// readmeFiles maps the file names README's examples use to the files the
// test gives the command.
var readmeFiles = map[string]string{
	"dump.yaml": filepath.Join("testdata", "import", "microk8s.yaml"),
	"bad.yaml":  filepath.Join("testdata", "readme", "bad.yaml"),
	// A MicroK8s-like cluster's gateway, class and Ingresses.
	"migrate-dump.yaml": filepath.Join("testdata", "migrate", "microk8s.yaml"),
}

// TestREADMECommands runs every `portico` (or `kubectl portico`) command
// shown in README.md's console blocks and requires each output line shown
// under it to be printed, so the examples cannot drift. Lines with an
// ellipsis are abbreviations and are skipped.
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```console\n(.*?)```").FindAllSubmatch(readme, -1)
	ran := 0
	for _, b := range blocks {
		lines := strings.Split(strings.TrimRight(string(b[1]), "\n"), "\n")
		for i := 0; i < len(lines); i++ {
			cmdline, ok := strings.CutPrefix(lines[i], "$ ")
			if !ok {
				continue
			}
			cmdline = strings.TrimPrefix(cmdline, "kubectl ")
			if !strings.HasPrefix(cmdline, "portico ") {
				continue
			}
			var want []string
			for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "$ ") {
				i++
				want = append(want, lines[i])
			}
			t.Run(cmdline, func(t *testing.T) {
				args, head := readmeArgs(t, cmdline)
				_, stdout, stderr := run(t, args...)
				// A terminal shows both streams (the report and errors
				// go to stderr); stderr comes first, as `2>&1 | head`
				// shows it.
				got := stderr + stdout
				if head > 0 {
					lines := strings.SplitAfter(got, "\n")
					got = strings.Join(lines[:min(head, len(lines))], "")
				}
				for name, path := range readmeFiles {
					got = strings.ReplaceAll(got, path, name)
				}
				for _, w := range want {
					if strings.Contains(w, "…") || strings.Contains(w, "...") || strings.TrimSpace(w) == "" {
						continue
					}
					if !strings.Contains(got, w+"\n") {
						t.Errorf("README shows a line the command does not print:\n%s\n--- printed:\n%s", w, got)
					}
				}
			})
			ran++
		}
	}
	if ran < 3 {
		t.Fatalf("found %d portico commands in README.md, expected the render and import examples", ran)
	}
}

// readmeArgs turns a README command line into Main's arguments, and the
// line count of a trailing `| head -N` (0 without).
func readmeArgs(t *testing.T, cmdline string) ([]string, int) {
	t.Helper()
	head := 0
	if before, after, ok := strings.Cut(cmdline, "| head -"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(after))
		if err != nil {
			t.Fatalf("cannot read %q", cmdline)
		}
		cmdline, head = before, n
	}
	var args []string
	fields := strings.Fields(cmdline)[1:] // drop "portico"
	for j := 0; j < len(fields); j++ {
		f := fields[j]
		switch f {
		case "2>&1":
		case ">": // the file the user writes stdout to
			j++
		default:
			if p, ok := readmeFiles[f]; ok {
				f = p
			} else if strings.HasPrefix(f, "config/") {
				f = filepath.Join("..", "..", f)
			}
			args = append(args, f)
		}
	}
	return args, head
}

// TestREADMEYAML checks README.md's YAML examples: a whole gateway renders
// with the install's default class (as `portico render` with
// config/class/default.yaml), the class shown is config/class's, and a
// spec excerpt (the VIP one) is a valid gateway spec, its commented
// options included, through the CRD's own schema and CEL rules.
func TestREADMEYAML(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(readme, -1)
	class := filepath.Join("..", "..", "config", "class", "default.yaml")
	checked := 0
	for i, b := range blocks {
		body := string(b[1])
		name := "block " + strconv.Itoa(i+1)
		switch {
		case strings.Contains(body, "kind: IngressGateway\n"):
			f := filepath.Join(t.TempDir(), "gw.yaml")
			if err := os.WriteFile(f, b[1], 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := run(t, "render", "-f", class, "-f", f); code != 0 {
				t.Errorf("%s: portico render with the default class: exit %d: %s", name, code, errOut)
			}
		case strings.Contains(body, "kind: IngressGatewayClass\n"):
			var shown, shipped struct {
				Spec map[string]any `json:"spec"`
			}
			want, _ := os.ReadFile(class)
			if err := yaml.Unmarshal(b[1], &shown); err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal(want, &shipped); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(shipped.Spec, shown.Spec); diff != "" {
				t.Errorf("%s: README's class is not config/class/default.yaml (-shipped +README):\n%s", name, diff)
			}
		case strings.HasPrefix(body, "spec:\n"):
			// Uncomment the options and fill in the placeholder image.
			body = regexp.MustCompile(`(?m)^(\s*)# (\w+:)`).ReplaceAllString(body, "$1$2")
			body = strings.ReplaceAll(body, "<keepalived image pinned by digest>", "example.org/keepalived@sha256:"+strings.Repeat("1", 64))
			doc := "apiVersion: ingress.portico.dev/v1alpha1\nkind: IngressGateway\nmetadata: {name: readme, namespace: ingress}\n" + body
			if _, err := crdschema.Decode([]byte(doc)); err != nil {
				t.Errorf("%s: the spec excerpt, options uncommented, is refused: %v\n%s", name, err, doc)
			}
		default:
			continue
		}
		checked++
	}
	if checked < 3 {
		t.Fatalf("checked %d YAML examples in README.md, expected the gateway, the class and the VIP excerpt", checked)
	}
}
