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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/golden"
	"github.com/portico-dev/portico/internal/manager"
)

// statusNow is the moment testdata/status/fleet.yaml was frozen at.
var statusNow = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// fleetClient serves testdata/status/fleet.yaml, with the events field
// selector the API server supports, wrapped by funcs.
func fleetClient(t *testing.T, funcs interceptor.Funcs) client.Client {
	t.Helper()
	docs, err := readDocuments(filepath.Join("testdata", "status", "fleet.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	scheme := manager.Scheme()
	decode := serializer.NewCodecFactory(scheme).UniversalDeserializer().Decode
	var objs []client.Object
	for _, d := range docs {
		j, err := yaml.YAMLToJSON(d)
		if err != nil {
			t.Fatal(err)
		}
		o, _, err := decode(j, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		objs = append(objs, o.(client.Object))
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithIndex(&eventsv1.Event{}, "regarding.uid", func(o client.Object) []string {
			return []string{string(o.(*eventsv1.Event).Regarding.UID)}
		}).Build()
	return interceptor.NewClient(c, funcs)
}

// TestStatusOutput checks the text and the JSON of a fleet mid-rollout
// (VIP, a crash-looping and an unscheduled pod, a stale status, a repeated
// event) and of a gateway the operator never reconciled.
func TestStatusOutput(t *testing.T) {
	report, err := gatherStatus(context.Background(), fleetClient(t, interceptor.Funcs{}), "web", "", 5)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	writeStatus(&text, report, statusNow)
	golden.Check(t, filepath.Join("testdata", "status", "fleet.txt.golden"), text.Bytes())
	j, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "status", "fleet.json.golden"), append(j, '\n'))

	edge := report.Gateways[0]
	if len(edge.Events) != 5 || edge.Events[0].Reason != "CertificatesIssued" || edge.Events[4].Reason != "HostPortConflict" {
		t.Errorf("want the last 5 of edge's 6 events, newest (by series) last: %+v", edge.Events)
	}
	for _, p := range edge.Pods {
		if strings.HasPrefix(p.Name, "other-") {
			t.Errorf("another gateway's pod is listed: %s", p.Name)
		}
	}

	// The named gateway only, and no events when none are asked for.
	one, err := gatherStatus(context.Background(), fleetClient(t, interceptor.Funcs{}), "web", "edge", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Gateways) != 1 || one.Gateways[0].Name != "edge" || len(one.Gateways[0].Events) != 0 {
		t.Errorf("status edge --events 0: %+v", one.Gateways)
	}
}

// TestStatusErrors checks that a failed read names the resource and where,
// and that refusals of what only completes the picture do not hide the rest.
func TestStatusErrors(t *testing.T) {
	ctx := context.Background()
	forbidden := func(resource string) error {
		return apierrors.NewForbidden(schema.GroupResource{Group: v1alpha1.GroupVersion.Group, Resource: resource}, "", errors.New(`User "bob" cannot list`))
	}
	plain := fleetClient(t, interceptor.Funcs{})

	if _, err := gatherStatus(ctx, plain, "default", "edge", 5); err == nil ||
		err.Error() != `IngressGateway "edge" not found in namespace default (it exists in namespace web: use -n)` {
		t.Errorf("gateway in another namespace: %v", err)
	}
	if _, err := gatherStatus(ctx, plain, "web", "nope", 5); err == nil || err.Error() != `IngressGateway "nope" not found in namespace web` {
		t.Errorf("no such gateway: %v", err)
	}

	listGateways := fleetClient(t, interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, opts ...client.ListOption) error {
		if _, ok := l.(*v1alpha1.IngressGatewayList); ok {
			return forbidden("ingressgateways")
		}
		return c.List(ctx, l, opts...)
	}})
	if _, err := gatherStatus(ctx, listGateways, "web", "", 5); err == nil ||
		!strings.HasPrefix(err.Error(), "not allowed to list IngressGateways in namespace web: ") {
		t.Errorf("gateways forbidden: %v", err)
	}
	if _, err := gatherStatus(ctx, listGateways, "", "", 5); err == nil ||
		!strings.HasPrefix(err.Error(), "not allowed to list IngressGateways in any namespace: ") {
		t.Errorf("gateways forbidden, -A: %v", err)
	}

	// Namespace-scoped users commonly cannot read classes or events.
	partial := fleetClient(t, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, o client.Object, opts ...client.GetOption) error {
			if _, ok := o.(*v1alpha1.IngressGatewayClass); ok {
				return forbidden("ingressgatewayclasses")
			}
			return c.Get(ctx, key, o, opts...)
		},
		List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, opts ...client.ListOption) error {
			if _, ok := l.(*eventsv1.EventList); ok {
				return forbidden("events")
			}
			return c.List(ctx, l, opts...)
		},
	})
	report, err := gatherStatus(ctx, partial, "web", "edge", 5)
	if err != nil {
		t.Fatal(err)
	}
	g := report.Gateways[0]
	want := []string{"not allowed to read IngressGatewayClass shared", "not allowed to read events in namespace web"}
	if strings.Join(g.Problems, "\n") != strings.Join(want, "\n") || g.Driver != "" || len(g.Pods) != 4 {
		t.Errorf("problems %q, driver %q, %d pods", g.Problems, g.Driver, len(g.Pods))
	}

	// Anything else ends the command, naming the gateway and the read.
	broken := fleetClient(t, interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, opts ...client.ListOption) error {
		if _, ok := l.(*corev1.PodList); ok {
			return errors.New("connection reset by peer")
		}
		return c.List(ctx, l, opts...)
	}})
	if _, err := gatherStatus(ctx, broken, "web", "edge", 5); err == nil ||
		err.Error() != "IngressGateway web/edge: read pods in namespace web: connection reset by peer" {
		t.Errorf("pods unreadable: %v", err)
	}
}

// TestStatusUsage covers what is decided before connecting.
func TestStatusUsage(t *testing.T) {
	if code, _, errOut := run(t, "status", "-h"); code != 0 || !strings.Contains(errOut, "Usage: portico status [GATEWAY]") {
		t.Errorf("-h: exit %d: %s", code, errOut)
	}
	if code, out, _ := run(t, "--help"); code != 0 || !strings.Contains(out, "\n  status   ") {
		t.Errorf("the command list lacks status: exit %d: %s", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"a", "b"}, "error: one gateway at most, got a b\n"},
		{[]string{"edge", "-A"}, "error: a gateway name cannot be combined with --all-namespaces (give its --namespace)\n"},
		{[]string{"-o", "yaml"}, "error: --output \"yaml\": only json is supported\n"},
		{[]string{"--events", "-1"}, "error: --events cannot be negative\n"},
	} {
		if code, _, errOut := run(t, append([]string{"status"}, tc.args...)...); code != 2 || errOut != tc.want {
			t.Errorf("status %v: exit %d: %q, want %q", tc.args, code, errOut, tc.want)
		}
	}

	// No server there: the error says what failed, quickly.
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: web}}]
current-context: x
`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "status", "--kubeconfig", kc)
	if code != 1 || !strings.Contains(errOut, "list IngressGateways in namespace web") || !strings.Contains(errOut, "connection refused") {
		t.Errorf("unreachable server: exit %d: %s", code, errOut)
	}
}
