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

// Package property_test checks, on randomly generated IngressGateways
// against a real API server (envtest), that every gateway the API server
// accepts renders into children the API server accepts too (issue #15,
// "Generated gateways render valid children"). Each gateway is created
// with server-side dry-run as a user would; each child as the operator
// would, impersonating its ServiceAccount under config/default's RBAC and
// admission policies. Nothing is stored but the namespaces, one anchor
// gateway in each and, briefly, a leader-election Role, so a run is cheap
// and its gateways never interact. A quarter of the gateways are also
// judged offline (internal/crdschema, classrules.Check): both verdicts, and
// both defaultings, must agree.
//
// The run is reproducible from its seed, which it always logs:
//
//	PORTICO_PROPERTY_SEED=<seed> go test ./test/property/ -count=1 -v
//
// adds PORTICO_PROPERTY_INDEX=<i> to check gateway i of that seed alone,
// PORTICO_PROPERTY_GATEWAYS=<n> to change how many accepted gateways a run
// checks (default 500) and PORTICO_PROPERTY_SHOW=<n> how many failing
// gateways are printed in full (default 10).
package property_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/containment"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/pki"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

const (
	seedEnv     = "PORTICO_PROPERTY_SEED"
	indexEnv    = "PORTICO_PROPERTY_INDEX"
	gatewaysEnv = "PORTICO_PROPERTY_GATEWAYS"
	// workers send requests in parallel: the API server, not the test, is
	// the bottleneck on a shared 2-core machine.
	workers = 4
	// showEnv is how many failing gateways are printed in full (default
	// 10); the rest are only counted by signature.
	showEnv = "PORTICO_PROPERTY_SHOW"
	// offlineEvery: one gateway in offlineEvery is also judged offline
	// (internal/crdschema, classrules.Check). crdschema compiles every CEL
	// rule of the CRD on each Decode, some 70 ms of CPU, which the API
	// server needs more on a shared 2-core machine.
	offlineEvery = 4
	// anchorName is a gateway stored in every namespace, a name the
	// generator's random labels practically never draw.
	anchorName = "property-anchor-stored-not-generated"
)

func TestGeneratedGatewaysRenderValidChildren(t *testing.T) {
	seed := envUint(t, seedEnv, uint64(time.Now().UnixNano()))
	want := int(envUint(t, gatewaysEnv, 500))
	show := int(envUint(t, showEnv, 10))
	t.Logf("seed %d: reproduce with %s=%d go test ./test/property/ -count=1 -v", seed, seedEnv, seed)

	ctx := context.Background()
	env, err := testenv.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Logf("stop control plane: %v", err)
		}
	})
	c, err := newClient(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	// Children are written as the operator writes them: as its
	// ServiceAccount, with config/default's RBAC and admission policies.
	op, err := operatorClient(ctx, c, env.Config)
	if err != nil {
		t.Fatal(err)
	}
	class := propertyClass()
	if err := c.Create(ctx, class); err != nil {
		t.Fatalf("create IngressGatewayClass: %v", err)
	}
	nss := namespaces(seed)
	for _, ns := range nss {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("create namespace %s: %v", ns, err)
		}
		// The containment policy admits a gateway's namespaced children
		// only where some gateway of their shard exists (it reads them as
		// parameters, by the shard label): the generated ones are never
		// stored, so store one that is not theirs for each shard in each
		// namespace (the shard comes from the name: pick names that cover
		// every shard).
		for _, shard := range containment.Shards {
			name := anchorName
			for i := 0; render.ShardOf(name) != shard; i++ {
				name = fmt.Sprintf("%s-%d", anchorName, i)
			}
			anchor := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
				Labels: map[string]string{render.ShardLabel: shard}}}
			if err := c.Create(ctx, anchor); err != nil {
				t.Fatalf("create IngressGateway %s/%s: %v", ns, anchor.Name, err)
			}
		}
	}
	// The policy reads the class from its informer: wait until a gateway
	// the class forbids (an image it does not list) is refused.
	waitForPolicy(ctx, t, c, nss[0])
	waitForOperatorRights(ctx, t, op, nss)

	ch := &checker{c: c, op: op, class: class, seed: seed, namespaces: nss}

	t.Run("a refused child is reported", func(t *testing.T) { ch.sanity(ctx, t) })
	ch.children.Store(0)

	start := time.Now()
	var indexes func(yield func(uint64) bool)
	if s, ok := os.LookupEnv(indexEnv); ok {
		i, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", indexEnv, s, err)
		}
		want = 0
		indexes = func(yield func(uint64) bool) { yield(i) }
	} else {
		// Until want gateways were accepted, and at most 4 times as many
		// generated: a generator refused that often needs fixing.
		var next atomic.Uint64
		indexes = func(yield func(uint64) bool) {
			for {
				i := next.Add(1) - 1
				if ch.accepted.Load() >= int64(want) || i >= uint64(4*want) || !yield(i) {
					return
				}
			}
		}
	}
	results := ch.run(ctx, t, indexes)
	elapsed := time.Since(start)
	if want == 0 && len(results) == 1 {
		// One gateway asked for by index: show it, whatever its verdict.
		verdict := "accepted"
		if r := results[0]; r.rejectedBy != "" {
			verdict = "refused by the " + r.rejectedBy + ": " + r.why
		}
		t.Logf("gateway #%d of seed %d: %s", results[0].index, seed, verdict)
		doc, _ := yaml.Marshal(results[0].gw)
		t.Logf("the gateway, as generated:\n%s", doc)
	}

	var failed []*result
	bySignature := map[string]int{}
	rejected, why := map[string]int{}, map[string]int{}
	for _, r := range results {
		if r.rejectedBy != "" {
			rejected[r.rejectedBy]++
			why[r.why]++
		}
		if len(r.failures) > 0 {
			failed = append(failed, r)
			for _, f := range r.failures {
				bySignature[f.signature]++
			}
		}
	}
	t.Logf("seed %d: %d gateways generated in %s: %d accepted, %d rejected (%d by the CRD schema and CEL, %d by the class policy); %d children dry-run created; %d gateways with refused children",
		seed, len(results), elapsed.Round(time.Millisecond), ch.accepted.Load(), rejected["crd"]+rejected["policy"],
		rejected["crd"], rejected["policy"], ch.children.Load(), len(failed))
	t.Logf("seed %d: the generated gateways the API server refused, by field:\n%s", seed, counts(why))
	for i, r := range failed {
		if i == show {
			t.Errorf("... and %d more gateways with refused children (%s=%d shows them)", len(failed)-show, showEnv, len(failed))
			break
		}
		t.Error(r.report(seed))
	}
	if len(bySignature) > 0 {
		t.Errorf("seed %d: refused children by kind and field (reproduce with %s=%d):\n%s", seed, seedEnv, seed, counts(bySignature))
	}
	if got := ch.accepted.Load(); got < int64(want) {
		t.Errorf("seed %d: only %d of %d generated gateways were accepted, %d wanted: the generator produces too many invalid gateways", seed, got, len(results), want)
	}
}

// counts lists the keys of m, most frequent first.
func counts(m map[string]int) string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%5d  %s\n", m[k], k)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func envUint(t *testing.T, name string, def uint64) uint64 {
	s, ok := os.LookupEnv(name)
	if !ok || s == "" {
		return def
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}

// newClient returns a client without client-side rate limiting (thousands
// of dry-run requests), with the types the renderer writes.
func newClient(cfg *rest.Config) (client.Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = -1, 0
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1alpha1.AddToScheme(s))
	return client.New(cfg, client.Options{Scheme: s})
}

// operatorUser is the operator's ServiceAccount as config/default makes it.
const operatorUser = "system:serviceaccount:portico-system:portico-controller-manager"

// operatorClient installs config/default as an admin would (but the CRDs,
// which envtest installed, the operator's Deployment, its webhook and its
// default class) and returns a client that impersonates the operator: its
// writes pass RBAC and the containment policies, or are refused as in a
// real install.
func operatorClient(ctx context.Context, admin client.Client, cfg *rest.Config) (client.Client, error) {
	objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "default"))
	if err != nil {
		return nil, err
	}
	var install []*unstructured.Unstructured
	for _, o := range objs {
		switch o.GetKind() {
		case "CustomResourceDefinition", "Deployment", "ValidatingWebhookConfiguration", "IngressGatewayClass":
		default:
			install = append(install, o)
		}
	}
	if err := testenv.Apply(ctx, admin, "portico-system", install); err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: operatorUser,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:portico-system", "system:authenticated"}}
	return newClient(cfg)
}

func waitForPolicy(ctx context.Context, t *testing.T, c client.Client, ns string) {
	t.Helper()
	probe := func() *v1alpha1.IngressGateway {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "policy-probe"}}
		gw.Spec.Controller.Image = "example.org/not-allowed@sha256:" + strings.Repeat("9", 64)
		return gw
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := c.Create(ctx, probe(), client.DryRunAll)
		if err != nil && strings.Contains(err.Error(), classrules.PolicyName) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the class policy does not refuse a gateway its class forbids after 30s (last answer: %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitForOperatorRights waits until the operator may write a gateway's
// child in every namespace: its RBAC and the containment policy's view of
// the anchor gateways reach the API server's caches a little after they
// were created.
func waitForOperatorRights(ctx context.Context, t *testing.T, op client.Client, nss []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, ns := range nss {
		gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rights-probe", UID: "00000000-0000-4000-8000-00000000000f"}}
		for {
			err := op.Create(ctx, render.MainConfigMap(gw), client.DryRunAll)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the operator may not write a gateway's ConfigMap in namespace %s after 30s: %v", ns, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

type checker struct {
	c client.Client
	// op acts as the operator's ServiceAccount.
	op         client.Client
	class      *v1alpha1.IngressGatewayClass
	seed       uint64
	namespaces []string
	accepted   atomic.Int64
	children   atomic.Int64
	// roles serializes the gateways that store the same Role.
	roles sync.Map
}

// result is what happened to one generated gateway.
type result struct {
	index uint64
	gw    *v1alpha1.IngressGateway // as generated
	// rejectedBy is "crd" or "policy" when the API server refused the
	// gateway itself, "" when it accepted it.
	rejectedBy string
	// why is the refusal's signature (fields and causes).
	why      string
	failures []failure
}

// failure is one broken promise about an accepted gateway (or a verdict
// the offline mirror disagrees with).
type failure struct {
	what      string // e.g. "Service ns/name" or "render"
	msg       string
	signature string // what and the refused fields, without names or indexes
}

func (r *result) report(seed uint64) string {
	doc, err := yaml.Marshal(r.gw)
	if err != nil {
		doc = []byte(err.Error())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "gateway #%d (reproduce alone: %s=%d %s=%d):\n", r.index, seedEnv, seed, indexEnv, r.index)
	for _, f := range r.failures {
		fmt.Fprintf(&b, "  %s: %s\n", f.what, f.msg)
	}
	b.WriteString("  the gateway, as generated:\n    ")
	b.WriteString(strings.ReplaceAll(strings.TrimSpace(string(doc)), "\n", "\n    "))
	return b.String()
}

func (ch *checker) run(ctx context.Context, t *testing.T, indexes func(func(uint64) bool)) []*result {
	var (
		mu  sync.Mutex
		out []*result
		wg  sync.WaitGroup
		inf atomic.Pointer[error]
	)
	next := make(chan uint64)
	for range workers {
		wg.Go(func() {
			for i := range next {
				r, err := ch.check(ctx, i)
				if err != nil {
					inf.CompareAndSwap(nil, &err)
					continue
				}
				mu.Lock()
				out = append(out, r)
				mu.Unlock()
			}
		})
	}
	for i := range indexes {
		if inf.Load() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if e := inf.Load(); e != nil {
		t.Fatalf("seed %d: %v", ch.seed, *e)
	}
	slices.SortFunc(out, func(a, b *result) int { return int(a.index) - int(b.index) })
	return out
}

// check generates gateway index, asks the API server and the offline
// mirror for their verdicts and, when accepted, dry-run creates every
// child. An error means the test itself could not proceed.
func (ch *checker) check(ctx context.Context, index uint64) (*result, error) {
	g := newGen(ch.seed, index, ch.namespaces)
	gw := g.gateway()
	r := &result{index: index, gw: gw.DeepCopy()}

	var offline *v1alpha1.IngressGateway
	var offlineErr error
	judgeOffline := index%offlineEvery == 0
	if judgeOffline {
		offline, offlineErr = ch.offlineVerdict(gw)
	}
	stored := gw.DeepCopy()
	err := ch.c.Create(ctx, stored, client.DryRunAll)
	switch {
	case err == nil:
		ch.accepted.Add(1)
	case isRefusal(err):
		r.rejectedBy, r.why = "crd", signature("IngressGateway", err)
		if strings.Contains(err.Error(), classrules.PolicyName) {
			r.rejectedBy = "policy"
		}
	default:
		return nil, fmt.Errorf("gateway #%d: dry-run create: %w", index, err)
	}
	if judgeOffline && (err == nil) != (offlineErr == nil) {
		r.failures = append(r.failures, failure{what: "verdicts", signature: "offline and API server verdicts differ",
			msg: fmt.Sprintf("the API server says %v; the offline mirror (internal/crdschema and classrules.Check) says %v", orAccepted(err), orAccepted(offlineErr))})
	}
	if err != nil {
		return r, nil
	}
	if offline != nil && !equality.Semantic.DeepEqual(offline.Spec, stored.Spec) {
		r.failures = append(r.failures, failure{what: "defaults", signature: "offline and API server defaults differ",
			msg: "internal/crdschema defaults the gateway unlike the API server (-offline +server):\n" + cmp.Diff(offline.Spec, stored.Spec)})
	}
	if stored.UID == "" {
		stored.UID = types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012d", index))
	}
	objs, err := ch.render(g, stored)
	if err != nil {
		r.failures = append(r.failures, failure{what: "render", msg: err.Error(), signature: "render: " + errorShape(err.Error())})
		return r, nil
	}
	fs, err := ch.createChildren(ctx, objs)
	if err != nil {
		return nil, fmt.Errorf("gateway #%d: %w", index, err)
	}
	r.failures = append(r.failures, fs...)
	return r, nil
}

func orAccepted(err error) string {
	if err == nil {
		return "accepted"
	}
	return "rejected: " + err.Error()
}

// isRefusal reports whether err is an admission verdict (schema, CEL or
// policy) rather than a failure to ask.
func isRefusal(err error) bool {
	return apierrors.IsInvalid(err) || apierrors.IsForbidden(err) || apierrors.IsBadRequest(err)
}

// offlineVerdict runs what the API server runs, offline: the CRD's schema
// and CEL rules (internal/crdschema), then the class rules the admission
// policy enforces (all but referenceGrant, which only the webhook and the
// reconciler check).
func (ch *checker) offlineVerdict(gw *v1alpha1.IngressGateway) (*v1alpha1.IngressGateway, error) {
	doc, err := yaml.Marshal(gw)
	if err != nil {
		return nil, err
	}
	decoded, err := crdschema.Decode(doc)
	if err != nil {
		return nil, err
	}
	var vs []string
	for _, v := range classrules.Check(classrules.Input{Gateway: decoded, Class: ch.class}) {
		if v.Rule != "referenceGrant" {
			vs = append(vs, v.String())
		}
	}
	if len(vs) > 0 {
		return decoded, errors.New(strings.Join(vs, "; "))
	}
	return decoded, nil
}

// render renders gw as the reconciler would under the property class, with
// real webhook certificates and plausible VIP inputs.
func (ch *checker) render(g *gen, gw *v1alpha1.IngressGateway) ([]client.Object, error) {
	cfg := render.DefaultConfig().ForClass(ch.class)
	if onlyOwnNamespace(gw) && g.chance(0.3) {
		// A namespace-scoped class would admit it too.
		cfg.Scope = v1alpha1.ScopeGatewayNamespace
	}
	var in render.Inputs
	if gw.Spec.AdmissionWebhook.IsEnabled() {
		res, err := pki.Ensure(pki.State{}, render.WebhookHosts(gw), time.Now(),
			pki.Options{CommonName: "portico webhook CA " + gw.Namespace + "/" + gw.Name})
		if err != nil {
			return nil, fmt.Errorf("issue webhook certificates: %w", err)
		}
		in.Webhook = &render.WebhookPKI{CA: res.CA, Serving: res.Serving, CABundle: res.CABundle}
	}
	if vip := gw.Spec.VIP; vip != nil {
		id := int32(g.between(1, 255))
		if vip.VirtualRouterID != nil {
			id = *vip.VirtualRouterID
		}
		in.VIP = &render.VIPInputs{RouterID: id, Peers: g.peers(vip)}
	}
	res, err := render.RenderWith(gw, cfg, in)
	if err != nil {
		return nil, err
	}
	return res.Objects, nil
}

func onlyOwnNamespace(gw *v1alpha1.IngressGateway) bool {
	for _, ns := range classrules.ReferencedNamespaces(gw) {
		if ns != gw.Namespace {
			return false
		}
	}
	return true
}

// createChildren dry-run creates each object and returns one failure per
// refused object. An error means the API server could not be asked.
func (ch *checker) createChildren(ctx context.Context, objs []client.Object) (_ []failure, err error) {
	var out []failure
	for _, o := range objs {
		gvk, err := apiutil.GVKForObject(o, ch.c.Scheme())
		if err != nil {
			return nil, err
		}
		what := gvk.Kind + " " + client.ObjectKeyFromObject(o).String()
		opts := []client.CreateOption{client.DryRunAll}
		if role, ok := o.(*rbacv1.Role); ok {
			// RBAC lets the operator bind a Role only by holding what it
			// grants, which it checks on the stored Role: a RoleBinding
			// to a dry-run Role is refused as NotFound. Store the Role
			// (the operator writes it before the binding too) while the
			// binding is tried, one gateway of that name at a time.
			opts = nil
			mu, _ := ch.roles.LoadOrStore(client.ObjectKeyFromObject(role), &sync.Mutex{})
			mu.(*sync.Mutex).Lock()
			defer mu.(*sync.Mutex).Unlock()
			defer func() {
				if derr := ch.c.Delete(ctx, role.DeepCopy()); derr != nil && !apierrors.IsNotFound(derr) && err == nil {
					err = fmt.Errorf("delete Role %s: %w", client.ObjectKeyFromObject(role), derr)
				}
			}()
		}
		err = ch.op.Create(ctx, o.DeepCopyObject().(client.Object), opts...)
		ch.children.Add(1)
		if svc, ok := o.(*corev1.Service); ok && err != nil && strings.Contains(err.Error(), "provided port is already allocated") {
			err = ch.op.Create(ctx, withDynamicNodePorts(svc), client.DryRunAll)
		}
		switch {
		case err == nil:
		case isRefusal(err):
			out = append(out, failure{what: what, msg: err.Error(), signature: signature(gvk.Kind, err)})
		default:
			return nil, fmt.Errorf("dry-run create %s: %w", what, err)
		}
	}
	return out, nil
}

// withDynamicNodePorts returns svc with the node ports the cluster would
// allocate filled in. A dry-run create numbers them from the highest node
// port allocated so far (30000 pinned, 30001 allocated), which a port
// pinned further down the list may then collide with; a real create picks
// free ones at random from the upper band. Ports that share a port number
// with a pinned one are left alone: the allocator shares that node port.
func withDynamicNodePorts(svc *corev1.Service) *corev1.Service {
	svc = svc.DeepCopy()
	pinned := map[int32]bool{}
	pinnedFor := map[int32]bool{}
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 {
			pinned[p.NodePort], pinnedFor[p.Port] = true, true
		}
	}
	next := int32(32767)
	for i, p := range svc.Spec.Ports {
		if p.NodePort != 0 || pinnedFor[p.Port] {
			continue
		}
		for pinned[next] {
			next--
		}
		svc.Spec.Ports[i].NodePort = next
		next--
	}
	return svc
}

var (
	indexRE  = regexp.MustCompile(`\[[^]]*\]`)
	quotedRE = regexp.MustCompile(`"[^"]*"`)
	numberRE = regexp.MustCompile(`\b\d+\b`)
)

// signature names a refusal by kind, field and cause, without the names,
// indexes and values that differ between gateways.
func signature(kind string, err error) string {
	var se *apierrors.StatusError
	if errors.As(err, &se) && se.ErrStatus.Details != nil && len(se.ErrStatus.Details.Causes) > 0 {
		var parts []string
		for _, c := range se.ErrStatus.Details.Causes {
			parts = append(parts, indexRE.ReplaceAllString(c.Field, "[*]")+" "+string(c.Type))
		}
		slices.Sort(parts)
		return kind + ": " + strings.Join(slices.Compact(parts), ", ")
	}
	return kind + ": " + errorShape(err.Error())
}

// errorShape is msg without quoted values and numbers.
func errorShape(msg string) string {
	msg = quotedRE.ReplaceAllString(msg, `"…"`)
	msg = numberRE.ReplaceAllString(msg, "N")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// sanity proves the test can fail: a child the API server refuses (a
// Service with one node port twice, a ConfigMap with a name no object may
// have) is reported, with what reproduces it.
func (ch *checker) sanity(ctx context.Context, t *testing.T) {
	gw := &v1alpha1.IngressGateway{
		ObjectMeta: metav1.ObjectMeta{Namespace: ch.namespaces[0], Name: "sanity"},
		Spec:       v1alpha1.IngressGatewaySpec{Service: v1alpha1.ServiceSpec{Type: v1alpha1.ServiceTypeNodePort}},
	}
	if err := ch.c.Create(ctx, gw, client.DryRunAll); err != nil {
		t.Fatalf("dry-run create of a plain gateway: %v", err)
	}
	gw.UID = "00000000-0000-4000-8000-000000000000"
	objs, err := ch.render(newGen(0, 0, nil), gw)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ch.createChildren(ctx, objs)
	if err != nil || len(fs) > 0 {
		t.Fatalf("the plain gateway's children: %v %v", fs, err)
	}
	var svc *corev1.Service
	for _, o := range objs {
		if s, ok := o.(*corev1.Service); ok && s.Name == render.ServiceName(gw).Name {
			svc = s.DeepCopy()
		}
	}
	if svc == nil {
		t.Fatal("no Service rendered")
	}
	svc.ResourceVersion, svc.UID, svc.CreationTimestamp, svc.ManagedFields = "", "", metav1.Time{}, nil
	svc.Spec.ClusterIP, svc.Spec.ClusterIPs = "", nil
	svc.Spec.Ports[0].NodePort, svc.Spec.Ports[1].NodePort = 30080, 30080
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: gw.Namespace, Name: "not.-a-name"}}
	fs, err = ch.createChildren(ctx, []client.Object{svc, cm})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || !strings.Contains(fs[0].signature, "spec.ports[*].nodePort") || !strings.Contains(fs[1].signature, "metadata.name") {
		t.Errorf("want the duplicate node port and the bad name reported, got %+v", fs)
	}
	r := &result{index: 7, gw: gw, failures: fs}
	if rep := r.report(42); !strings.Contains(rep, seedEnv+"=42 "+indexEnv+"=7") || !strings.Contains(rep, "name: sanity") {
		t.Errorf("the report does not say how to reproduce, or lacks the gateway:\n%s", rep)
	}
}
