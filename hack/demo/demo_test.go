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

package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/testenv"
)

// TestDemoOnce runs `make demo` end to end (minus waiting for Ctrl-C): its
// own control plane, the samples, the operator, the report, and the
// demonstrations, which fail the run when admission does not behave as the
// demo says. README's demo transcript must be what it printed.
func TestDemoOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	out := captureStdout(t, func() error { return run(true, false) })

	readme, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- demo-transcript -->\n```\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no demo transcript block")
	}
	network := strings.Contains(out, "exist only in network namespace")
	for _, line := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
		checked := false
		for _, p := range []string{"==> ", "$ ", "Warning: ", "error: ", "ingress", "* spec."} {
			checked = checked || strings.HasPrefix(line, p)
		}
		if !checked || strings.Contains(line, "…") {
			continue
		}
		// The demo names the manifest by its absolute path.
		line = strings.Replace(line, " config/samples/", " "+filepath.Join(testenv.RepoRoot(), "config", "samples")+"/", 1)
		if !network && (strings.Contains(line, "simulated") || strings.Contains(line, "hello created") || strings.Contains(line, "snippet")) {
			continue // the loopback fallback shows the refusal instead
		}
		if !strings.Contains(out, line+"\n") {
			t.Errorf("README's demo transcript has a line the demo did not print:\n%s", line)
		}
	}
	if !network {
		t.Log("not root: the demo ran with its loopback fallback; the simulated network was not checked")
	}
}

// captureStdout runs f with os.Stdout (and the kubectl it starts) writing
// into a pipe, and returns what was written, also echoing it.
func captureStdout(t *testing.T, f func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	orig := os.Stdout
	os.Stdout = w
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.MultiWriter(&buf, orig), r)
		close(done)
	}()
	runErr := f()
	os.Stdout = orig
	_ = w.Close()
	<-done
	if runErr != nil {
		t.Fatal(runErr)
	}
	return buf.String()
}
