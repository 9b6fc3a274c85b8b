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

// The floor: what the API server needs to hold the children of the scale
// phase's gateways when nothing but a client writes them. The children are
// rendered offline by the operator's own renderer (same class, same
// configuration, same defaults), stripped of what ties them to a gateway
// object, and server-side applied by N parallel writers into fresh
// namespaces, on the same control plane as the operator's runs.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/pki"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// floorUser writes the floor's objects; the audit policy records its
// writes as it records the operator's, so both cost the API server the same.
const floorUser = "portico-floor"

// floorManagedBy replaces the managed-by label's value on the floor's
// objects: with "portico" the operator's label-filtered informers would
// receive, cache and map every one of them, which is no part of a floor.
// The value has the same role and nearly the same size.
const floorManagedBy = "portico-floor"

// floorGatewayLabel replaces the gateway-name label's key on the floor's
// objects (in metadata only; selectors and pod templates keep theirs).
// Portico's containment policy (config/policy) is bound to every object
// carrying that label and denies it in a namespace without an
// IngressGateway, which the floor's namespaces have none of: so the floor
// does not pay for the policy's parameter lookup, and Portico's children do.
const floorGatewayLabel = "ingress.portico.dev/floor-gateway"

// benchGatewayWebhook is benchGateway with the data-plane admission
// webhook on (the API default, which benchGateway leaves in place) or off.
func benchGatewayWebhook(ns, name string, webhook bool) *v1alpha1.IngressGateway {
	gw := benchGateway(ns, name)
	if !webhook {
		gw.Spec.AdmissionWebhook.Enabled = ptr.To(false)
	}
	return gw
}

// renderConfig is the rendering configuration the operator process runs
// with: its flags (operatorArgs) and environment, as cmd/manager reads them.
func renderConfig(operatorArgs []string) render.Config {
	var o manager.Options
	fs := flag.NewFlagSet("operator", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.BindFlags(fs)
	// Flags of cmd/manager's own (logging, kubeconfig) are not bound here:
	// parsing stops at the first, the render flags before it still count.
	_ = fs.Parse(operatorArgs)
	return o.Render
}

// floorPlan is every apply body of one floor, rendered before the clock
// starts.
type floorPlan struct {
	tag        string
	webhook    bool
	gateways   int
	namespaces []string
	items      []floorItem
	// perGateway counts each gateway's objects; bytes is the sum of the
	// apply bodies.
	perGateway int
	bytes      int
	kinds      []floorKind
}

type floorItem struct {
	gw   int
	obj  *unstructured.Unstructured
	body []byte
}

type floorKind struct {
	gvk        schema.GroupVersionKind
	namespaced bool
}

// floorTemplate returns the bench gateway as the API server stores it
// (CRD defaults applied), from a dry-run create in the namespace of the
// one-by-one gateways (it has their grant and default certificate), and
// the rendering configuration its class yields, as the operator resolves
// both.
func floorTemplate(ctx context.Context, c client.Client, webhook bool, base render.Config) (*v1alpha1.IngressGateway, render.Config, error) {
	gw := benchGatewayWebhook(seqNamespace, "floor-template", webhook)
	if err := c.Create(ctx, gw, client.DryRunAll); err != nil {
		return nil, render.Config{}, fmt.Errorf("dry-run create of the floor's template gateway: %w", err)
	}
	class := &v1alpha1.IngressGatewayClass{}
	if err := c.Get(ctx, client.ObjectKey{Name: testenv.TestClassName}, class); err != nil {
		return nil, render.Config{}, err
	}
	cfg := base.ForClass(class)
	tmpl := &v1alpha1.IngressGateway{Spec: gw.Spec}
	return facts.ForDriver(tmpl, cfg.DriverName()), cfg, nil
}

// throwawayPKI issues a webhook CA and serving certificate once, for every
// floor gateway: real PEM of the operator's own key type and size, so the
// Secrets and the caBundle weigh what the operator's do.
func throwawayPKI(gw *v1alpha1.IngressGateway) (*render.WebhookPKI, error) {
	res, err := pki.Ensure(pki.State{}, render.WebhookHosts(gw), time.Now(),
		pki.Options{CommonName: "portico webhook CA " + gw.Namespace + "/" + gw.Name})
	if err != nil {
		return nil, err
	}
	return &render.WebhookPKI{CA: res.CA, Serving: res.Serving, CABundle: res.CABundle}, nil
}

// placeholderAccepted reports whether the API server accepts (in a dry
// run) the ValidatingWebhookConfiguration `portico render` prints, whose
// caBundle is a placeholder rather than PEM.
func placeholderAccepted(ctx context.Context, c client.Client, tmpl *v1alpha1.IngressGateway, cfg render.Config) (bool, error) {
	gw := tmpl.DeepCopy()
	gw.Namespace, gw.Name = "floor-placeholder", "probe"
	res, err := render.RenderWith(gw, cfg, render.Inputs{})
	if err != nil {
		return false, err
	}
	for _, o := range res.Objects {
		if vwc, ok := o.(*admissionregistrationv1.ValidatingWebhookConfiguration); ok {
			err := c.Create(ctx, vwc.DeepCopy(), client.DryRunAll)
			if err != nil {
				fmt.Printf("    placeholder caBundle: %v\n", err)
			}
			return err == nil, nil
		}
	}
	return false, errors.New("no ValidatingWebhookConfiguration rendered")
}

// planFloor creates the floor's namespaces (namespaces of them, named
// bench-<tag>-<i>) and renders n gateways named <tag>-<i> spread over them
// as scaleRun spreads its gateways, so every child name, cluster-scoped
// ones included, is the one the renderer gives those gateways.
func planFloor(ctx context.Context, c client.Client, tag string, n, namespaces int, webhook bool,
	tmpl *v1alpha1.IngressGateway, cfg render.Config, in render.Inputs) (*floorPlan, error) {
	p := &floorPlan{tag: tag, webhook: webhook, gateways: n}
	for i := range namespaces {
		ns := fmt.Sprintf("bench-%s-%d", tag, i)
		if err := mkNamespace(ctx, c, ns); err != nil {
			return nil, err
		}
		p.namespaces = append(p.namespaces, ns)
	}
	seen := map[schema.GroupVersionKind]bool{}
	for i := range n {
		gw := tmpl.DeepCopy()
		gw.Namespace, gw.Name = p.namespaces[i%len(p.namespaces)], fmt.Sprintf("%s-%d", tag, i)
		res, err := render.RenderWith(gw, cfg, in)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			p.perGateway = len(res.Objects)
		}
		for _, o := range res.Objects {
			u, body, err := floorForm(o)
			if err != nil {
				return nil, err
			}
			p.bytes += len(body)
			p.items = append(p.items, floorItem{gw: i, obj: u, body: body})
			if gvk := u.GroupVersionKind(); !seen[gvk] {
				seen[gvk] = true
				namespaced, err := c.IsObjectNamespaced(u)
				if err != nil {
					return nil, err
				}
				p.kinds = append(p.kinds, floorKind{gvk: gvk, namespaced: namespaced})
			}
		}
	}
	return p, nil
}

// floorForm is a rendered child as the floor writes it, and its apply
// body: nothing ties it to a gateway object (no owner reference, no
// gateway UID), and it is labelled so that neither the operator's
// informers nor the containment policies take it for Portico's.
func floorForm(o client.Object) (*unstructured.Unstructured, []byte, error) {
	o.SetOwnerReferences(nil)
	if ann := o.GetAnnotations(); ann != nil {
		delete(ann, render.GatewayUIDAnnotation)
		if len(ann) == 0 {
			ann = nil
		}
		o.SetAnnotations(ann)
	}
	labels := o.GetLabels()
	labels[render.ManagedByLabel] = floorManagedBy
	labels[floorGatewayLabel] = labels[render.GatewayNameLabel]
	delete(labels, render.GatewayNameLabel)
	o.SetLabels(labels)
	u, err := render.ToApply(o)
	if err != nil {
		return nil, nil, err
	}
	body, err := json.Marshal(u.Object)
	return u, body, err
}

// describe is the plan in a few words: "11 objects, 9.3 KiB per gateway".
func (p *floorPlan) describe() string {
	return fmt.Sprintf("%d objects, %.1f KiB of apply bodies per gateway", p.perGateway, float64(p.bytes)/1024/float64(max(p.gateways, 1)))
}

// floorResult is one floor run.
type floorResult struct {
	writers int
	objects int
	d       time.Duration
	// lat is each gateway's time from the start to its last object
	// applied, in seconds.
	lat []float64
	cpu cpuDiff
	api apiDiff
}

// runFloor applies every object of p with writers parallel writers (each
// takes the next object, gateway by gateway) and times it.
func runFloor(ctx context.Context, fc client.Client, p *floorPlan, writers int, op *operator, api *apiMetrics) (floorResult, error) {
	return runWriters(p.gateways, len(p.items), writers, func(i int) int { return p.items[i].gw }, func(i int) error {
		it := p.items[i]
		if err := fc.Patch(ctx, it.obj, client.RawPatch(types.ApplyYAMLPatchType, it.body),
			client.FieldOwner(floorUser), client.ForceOwnership, client.FieldValidation(metav1.FieldValidationIgnore)); err != nil {
			return fmt.Errorf("floor: apply %s %s/%s: %w", it.obj.GetKind(), it.obj.GetNamespace(), it.obj.GetName(), err)
		}
		return nil
	}, op, api)
}

// runWriters sends n requests (do(i) sends the i-th) with writers parallel
// writers, each taking the next, and times them; gw(i) is the gateway
// request i is for, and each gateway's time is from the start to its last
// request answered, in seconds. The first error stops every writer.
func runWriters(gateways, n, writers int, gw func(int) int, do func(int) error, op *operator, api *apiMetrics) (floorResult, error) {
	left := make([]atomic.Int32, gateways)
	for i := range n {
		left[gw(i)].Add(1)
	}
	lat := make([]float64, gateways)
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	a0 := api.scrape()
	s0 := op.snap()
	start := time.Now()
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := do(i); err != nil {
					errOnce.Do(func() { firstErr = err })
					next.Store(int64(n))
					return
				}
				if left[gw(i)].Add(-1) == 0 {
					lat[gw(i)] = time.Since(start).Seconds()
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	s1 := op.snap()
	a1 := api.scrape()
	if firstErr != nil {
		return floorResult{}, firstErr
	}
	return floorResult{writers: writers, objects: n, d: d, lat: lat, cpu: s1.diff(s0), api: a1.diff(a0)}, nil
}

// cleanFloor deletes p's objects (the namespaces stay, empty: without a
// namespace controller they could not go), so the next run meets the
// cluster the previous one met: in particular every
// ValidatingWebhookConfiguration is consulted on every write.
func cleanFloor(ctx context.Context, c client.Client, p *floorPlan) error {
	sel := client.MatchingLabels{render.ManagedByLabel: floorManagedBy}
	for _, k := range p.kinds {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(k.gvk)
		if err := deleteAll(ctx, c, u, k.namespaced, p.namespaces, sel); err != nil {
			return fmt.Errorf("floor: %w", err)
		}
	}
	return nil
}

// userClient is a client of its own user (audited as the operator is; in
// system:masters, which spares installing RBAC), without client-side rate
// limiting: a floor is what the API server takes, not what a rate limiter
// lets through.
func userClient(env *testenv.Env, name string) (client.Client, error) {
	user, err := env.AddUser(envtest.User{Name: name, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, err
	}
	cfg := user.Config()
	cfg.QPS, cfg.Burst = -1, 0
	cfg.DisableCompression = true // as the operator's
	return client.New(cfg, client.Options{Scheme: manager.Scheme()})
}

// deleteAll deletes the objects of obj's kind that opts select: in each
// of namespaces when namespaced, else cluster-wide.
func deleteAll(ctx context.Context, c client.Client, obj client.Object, namespaced bool, namespaces []string, opts ...client.DeleteAllOfOption) error {
	opts = append(opts, client.PropagationPolicy(metav1.DeletePropagationBackground))
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	if gvk, err := apiutil.GVKForObject(obj, c.Scheme()); kind == "" && err == nil {
		kind = gvk.Kind // a typed object's is empty
	}
	if !namespaced {
		if err := c.DeleteAllOf(ctx, obj, opts...); err != nil {
			return fmt.Errorf("delete the %s: %w", kind, err)
		}
		return nil
	}
	for _, ns := range namespaces {
		if err := c.DeleteAllOf(ctx, obj, append(opts, client.InNamespace(ns))...); err != nil {
			return fmt.Errorf("delete the %s in %s: %w", kind, ns, err)
		}
	}
	return nil
}

// floors renders the floor of n gateways (webhook on or off) and runs it
// once per writer count, each in fresh namespaces, deleting each run's
// objects after it. profile, when set, is called as the last run starts.
func floors(ctx context.Context, c, fc client.Client, op *operator, api *apiMetrics, base render.Config,
	n, namespaces int, writers []int, webhook bool, tagPrefix string, profile func()) ([]floorResult, *floorPlan, error) {
	tmpl, cfg, in, err := floorInputs(ctx, c, webhook, base, tagPrefix)
	if err != nil {
		return nil, nil, err
	}
	var out []floorResult
	var last *floorPlan
	for i, w := range writers {
		tag := fmt.Sprintf("%s%d", tagPrefix, w)
		p, err := planFloor(ctx, c, tag, n, namespaces, webhook, tmpl, cfg, in)
		if err != nil {
			return nil, nil, err
		}
		time.Sleep(2 * time.Second) // the namespaces' creation settles
		if profile != nil && i == len(writers)-1 {
			profile()
		}
		r, err := runFloor(ctx, fc, p, w, op, api)
		if err != nil {
			return nil, nil, err
		}
		s := summarize(r.lat)
		fmt.Printf("    floor, %d writers: %d objects (%s) in %.1f s (%.0f/s); per gateway p50 %.1f s, p90 %.1f s\n    CPU: %s\n    API server: %s\n",
			w, r.objects, p.describe(), r.d.Seconds(), float64(r.objects)/r.d.Seconds(), s.median, s.p90, r.cpu, r.api)
		t0 := time.Now()
		if err := cleanFloor(ctx, c, p); err != nil {
			return nil, nil, err
		}
		fmt.Printf("    (its objects deleted in %.1f s, not timed)\n", time.Since(t0).Seconds())
		time.Sleep(2 * time.Second)
		out = append(out, r)
		last = p
	}
	return out, last, nil
}

// floorInputs are what a floor renders its gateways from: the stored
// template gateway, the class's rendering configuration and, with the
// webhook on, one throwaway PKI for every gateway.
func floorInputs(ctx context.Context, c client.Client, webhook bool, base render.Config, tagPrefix string) (*v1alpha1.IngressGateway, render.Config, render.Inputs, error) {
	var in render.Inputs
	tmpl, cfg, err := floorTemplate(ctx, c, webhook, base)
	if err != nil || !facts.WebhookEnabled(tmpl) {
		return tmpl, cfg, in, err
	}
	ok, err := placeholderAccepted(ctx, c, tmpl, cfg)
	if err != nil {
		return nil, cfg, in, err
	}
	fmt.Printf("    a ValidatingWebhookConfiguration with `portico render`'s placeholder caBundle is accepted by the API server: %v; the floor uses a real throwaway CA (issued once by internal/pki) either way, so its Secrets weigh what the operator's do\n", ok)
	probe := tmpl.DeepCopy()
	probe.Namespace, probe.Name = "bench-"+tagPrefix, tagPrefix
	in.Webhook, err = throwawayPKI(probe)
	return tmpl, cfg, in, err
}

// fastest is the floor: the quickest of the runs.
func fastest(rs []floorResult) floorResult {
	return slices.MinFunc(rs, func(a, b floorResult) int { return cmp.Compare(a.d, b.d) })
}

// snapshot is the counters a phase is measured by.
type snapshot struct {
	at         time.Time
	op         float64
	cp         map[string]float64
	self       float64
	req        map[string]float64
	reconciles float64
	// machine is the CPU time every process of the machine has used.
	machine float64
}

func (o *operator) snap() snapshot {
	return snapshot{at: time.Now(), op: o.cpuSeconds(), cp: controlPlaneCPU(), self: procCPUSeconds(os.Getpid()),
		req: o.requestsByMethod(), reconciles: o.metrics(`controller_runtime_reconcile_total{controller="ingressgateway"`)[0],
		machine: machineCPUSeconds()}
}

// machineCPUSeconds is the busy time of all CPUs so far (/proc/stat):
// what other work on the machine took from a phase shows as the
// difference with the bench's own processes.
func machineCPUSeconds() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		v, _ := strconv.ParseFloat(f[i], 64)
		busy += v
	}
	return busy / 100 // USER_HZ
}

// cpuDiff is what a phase cost, in CPU seconds per process.
type cpuDiff struct {
	wall, op, apiserver, etcd, kcm, self float64
	// others is the CPU time the rest of the machine used meanwhile.
	others     float64
	kcmRunning bool
	req        map[string]int
	reconciles int
}

func (s snapshot) diff(before snapshot) cpuDiff {
	_, kcm := s.cp[kcmComm]
	d := cpuDiff{
		wall: s.at.Sub(before.at).Seconds(), op: s.op - before.op, self: s.self - before.self,
		apiserver: s.cp["kube-apiserver"] - before.cp["kube-apiserver"], etcd: s.cp["etcd"] - before.cp["etcd"],
		kcm: s.cp[kcmComm] - before.cp[kcmComm], kcmRunning: kcm,
		req: diffMethods(before.req, s.req), reconciles: int(s.reconciles - before.reconciles),
	}
	d.others = max(0, (s.machine-before.machine)-(d.op+d.apiserver+d.etcd+d.kcm+d.self))
	return d
}

func (d cpuDiff) String() string {
	kcm := "no kube-controller-manager (envtest runs none)"
	if d.kcmRunning {
		kcm = fmt.Sprintf("kube-controller-manager %.1f s", d.kcm)
	}
	total := d.op + d.apiserver + d.etcd + d.kcm + d.self
	return fmt.Sprintf("operator %.1f s, kube-apiserver %.1f s, etcd %.1f s, %s; bench process (clients, watcher) %.1f s; all %.1f s in %.1f s (%.2f cores; other work on the machine %.2f cores)",
		d.op, d.apiserver, d.etcd, kcm, d.self, total, d.wall, total/max(d.wall, 1e-9), d.others/max(d.wall, 1e-9))
}

// verbs prints a map sorted by key.
func verbs[V int | float64](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %v", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
