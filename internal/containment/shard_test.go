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

package containment_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"k8s.io/apiserver/pkg/cel/environment"

	"github.com/portico-dev/portico/internal/containment"
	"github.com/portico-dev/portico/internal/golden"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// TestShardCELIsShardOf: the API server's shard of a name (the policies'
// CEL, in the API server's own CEL environment) is the operator's.
func TestShardCELIsShardOf(t *testing.T) {
	env, err := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()).
		Extend(environment.VersionedOptions{IntroducedVersion: environment.DefaultCompatibilityVersion(),
			EnvOptions: []cel.EnvOption{cel.Variable("n", cel.StringType)}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := env.Env(environment.NewExpressions)
	if err != nil {
		t.Fatal(err)
	}
	ast, iss := e.Compile(containment.ShardCEL("n"))
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	prg, err := e.Program(ast)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"a", "z", "-", "ab", "gw", "edge", "edge-1", "edge-2", "public", "internal", "a.b", "p-off-999", "x.y.z"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, 1+rng.IntN(63))
		for i := range b {
			b[i] = render.ShardAlphabet[rng.IntN(len(render.ShardAlphabet))]
		}
		names = append(names, string(b))
	}
	seen := map[string]int{}
	for _, n := range names {
		out, _, err := prg.Eval(map[string]any{"n": n})
		if err != nil {
			t.Fatalf("%q: %v", n, err)
		}
		if got, want := fmt.Sprint(out.Value()), render.ShardOf(n); got != want {
			t.Errorf("shard of %q: CEL %q, render.ShardOf %q", n, got, want)
		}
		seen[render.ShardOf(n)]++
	}
	if len(seen) != 16 {
		t.Errorf("names fall into %d shards, want all 16: %v", len(seen), seen)
	}
}

// TestDefaultsManifest keeps config/policy in step with Defaults.
func TestDefaultsManifest(t *testing.T) {
	y, err := containment.DefaultsYAML()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join(testenv.RepoRoot(), "config", "gateway-defaults", "gateway_defaults_policy.yaml"), y)
}

// TestKindRuleMessages: the one validation holding every kind's rule
// denies with that kind's own message.
func TestKindRuleMessages(t *testing.T) {
	var msgExpr string
	for _, v := range containment.WritesPolicy().Spec.Validations {
		if strings.Contains(v.Expression, "request.resource.resource == ") {
			msgExpr = v.MessageExpression
		}
	}
	if msgExpr == "" {
		t.Fatal("no validation chooses a rule by the request's resource")
	}
	env, err := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()).
		Extend(environment.VersionedOptions{IntroducedVersion: environment.DefaultCompatibilityVersion(),
			EnvOptions: []cel.EnvOption{cel.Variable("request", cel.DynType)}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := env.Env(environment.NewExpressions)
	if err != nil {
		t.Fatal(err)
	}
	ast, iss := e.Compile(msgExpr)
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	prg, err := e.Program(ast)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range containment.Rules {
		if r.CEL == "" {
			continue
		}
		out, _, err := prg.Eval(map[string]any{"request": map[string]any{"resource": map[string]any{"resource": r.Resource, "group": r.Group}}})
		if err != nil {
			t.Fatalf("%s: %v", r.Kind, err)
		}
		if got := fmt.Sprint(out.Value()); got != r.Message {
			t.Errorf("%s: message %q, want %q", r.Kind, got, r.Message)
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("only %d kinds have rules", checked)
	}
}
