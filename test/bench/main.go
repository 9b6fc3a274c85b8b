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

// Command bench measures the operator against a private kube-apiserver and
// etcd: convergence latency, convergence of 1,000 gateways (with the
// data-plane webhook on and off) against the floor of the same gateways
// (their children rendered offline and applied by parallel writers, on the
// same control plane), a scaling curve, memory next to 20,000 unrelated
// Secrets and ConfigMaps, writes while idle, and the latency of a tcp-map
// edit. The operator runs as its own process (the
// built cmd/manager) so its memory and CPU are its own; its writes are
// counted from the API server's audit log, by the operator's user.
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// operatorUser is the operator's ServiceAccount, as a real install runs it:
// the API server's containment policies match it by that name (system:masters
// only spares the bench from installing its RBAC).
const operatorUser = "system:serviceaccount:portico-system:portico-controller-manager"

type config struct {
	oneByOne   int
	scale      int
	namespaces int
	noise      int
	noiseSize  int
	idle       time.Duration
	idleGWs    int
	syncPeriod time.Duration
	edits      int
	scaleRuns  int
	// operatorArgs are extra flags for the operator (e.g. "--kube-api-qps=100").
	operatorArgs []string
	// profileFor is how long the profiles are taken.
	profileFor time.Duration
	// profileOff profiles the webhook-off run and floor.
	profileOff bool
	// profile, when set, is where a CPU profile of kube-apiserver taken
	// during the first scale run is written.
	profile string
	// memoryLimit is the container memory limit the operator is told of
	// (MEMORY_LIMIT), as the Deployment does from limits.memory.
	memoryLimit string
	// settle is how long row 3 waits, idle, before reading the RSS again.
	settle time.Duration
	// curve are the sizes of the scale phase's scaling curve (scale is
	// added when missing); floorWriters the writer counts the floor is
	// measured with (the fastest is the floor).
	curve        []int
	floorWriters []int
	// selfProfile, when set, is where the bench process's own CPU profile
	// of the gateway and trust floors is written.
	selfProfile string
}

func main() {
	// The bench's own clients log nothing worth reading (the operator runs
	// as its own process, with its own logs).
	ctrllog.SetLogger(logr.Discard())
	var c config
	flag.IntVar(&c.oneByOne, "one-by-one", 50, "gateways created one by one for the latency figures")
	flag.IntVar(&c.scale, "scale", 1000, "gateways created at once for the scale figure")
	flag.IntVar(&c.namespaces, "namespaces", 50, "namespaces the scale gateways spread over")
	flag.IntVar(&c.noise, "noise", 10000, "unrelated Secrets and (as many) ConfigMaps in the cluster")
	flag.IntVar(&c.noiseSize, "noise-size", 8192, "payload bytes of each unrelated object")
	flag.DurationVar(&c.idle, "idle", 5*time.Minute, "idle window in which writes are counted")
	flag.IntVar(&c.idleGWs, "idle-gateways", 100, "converged gateways during the idle window")
	flag.DurationVar(&c.syncPeriod, "sync-period", 30*time.Second, "operator resync period (short, to prove resyncs write nothing)")
	flag.IntVar(&c.edits, "edits", 10, "tcp-map edits timed")
	flag.IntVar(&c.scaleRuns, "scale-runs", 1, "repetitions of the scale run (each in fresh namespaces)")
	flag.StringVar(&c.profile, "apiserver-profile", "", "write CPU profiles of kube-apiserver (and the operator) during the scale run to this file (FILE.operator), and of kube-apiserver during its floor with the most writers (FILE.floor, 20 s at most)")
	flag.DurationVar(&c.profileFor, "profile-for", 15*time.Second, "how long the -apiserver-profile profiles last, from the start of the run")
	flag.BoolVar(&c.profileOff, "profile-webhook-off", false, "with -apiserver-profile, profile the webhook-off scale run (and its floor) instead of the webhook-on one")
	flag.StringVar(&c.memoryLimit, "memory-limit", "", "run the operator as under a container memory limit (e.g. 96Mi): its Go soft limit is 85 % of it")
	flag.DurationVar(&c.settle, "settle", time.Minute, "idle time after which row 3 reads the RSS again (the runtime returns freed heap to the OS gradually)")
	flag.StringVar(&c.selfProfile, "bench-profile", "", "write a CPU profile of the bench process itself during the gateway and trust floors (8) to this file")
	opArgs := flag.String("operator-args", "", "extra operator flags, space-separated (e.g. \"--max-concurrent-reconciles=4 --kube-api-qps=200\")")
	curve := flag.String("curve", "250,500,1000", "gateway counts of the scaling curve (webhook on; -scale is the last point)")
	writers := flag.String("floor-writers", "16,32", "parallel writers the floor is measured with; the fastest run is the floor")
	quick := flag.Bool("quick", false, "small figures for a smoke run (CI)")
	flag.Parse()
	var err error
	if c.curve, err = parseCounts(*curve); err != nil {
		fmt.Fprintln(os.Stderr, "bench: -curve:", err)
		os.Exit(2)
	}
	if c.floorWriters, err = parseCounts(*writers); err != nil {
		fmt.Fprintln(os.Stderr, "bench: -floor-writers:", err)
		os.Exit(2)
	}
	memLimit := c.memoryLimit
	if *quick {
		c = config{oneByOne: 10, scale: 10, namespaces: 5, noise: 200, noiseSize: 8192, idle: 10 * time.Second,
			idleGWs: 10, syncPeriod: 3 * time.Second, edits: 3, scaleRuns: 1, curve: []int{5, 10}, floorWriters: []int{16, 32}, settle: time.Second}
	}
	c.operatorArgs = strings.Fields(*opArgs)
	if *quick {
		c.memoryLimit = memLimit
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseCounts reads a comma-separated list of positive counts.
func parseCounts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// stats is a median with its range.
type stats struct{ min, median, max, p90, p99 float64 }

func summarize(xs []float64) stats {
	if len(xs) == 0 {
		return stats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	p := func(q float64) float64 { return s[int(q*float64(len(s)-1)+0.5)] }
	return stats{min: s[0], median: p(0.5), max: s[len(s)-1], p90: p(0.9), p99: p(0.99)}
}

type row struct{ figure, value, goal string }

func run(c config) error {
	rows, err := measure(c)
	if err != nil {
		return err
	}
	fmt.Println()
	printTable(rows)
	return nil
}

// measure runs every scenario and returns the table rows.
func measure(c config) (rows []row, err error) {
	ctx := context.Background()
	work, err := os.MkdirTemp("", "portico-bench-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			// Keep the operator's log and the audit log for a post-mortem.
			fmt.Fprintf(os.Stderr, "bench: failed; the operator log and audit log are kept in %s\n", work)
			return
		}
		_ = os.RemoveAll(work)
	}()

	policy := filepath.Join(work, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  users: [`+operatorUser+`, `+floorUser+`, `+trustUser+`]
  verbs: [create, update, patch, delete, deletecollection]
- level: None
`), 0o644); err != nil {
		return nil, err
	}
	auditLog := filepath.Join(work, "audit.log")
	step("Starting etcd and kube-apiserver (audit log on)")
	env, err := testenv.StartWithOptions(ctx, testenv.Options{AuditPolicyFile: policy, AuditLogPath: auditLog, Profiling: c.profile != ""})
	if err != nil {
		return nil, err
	}
	defer func() { _ = env.Stop() }()
	// The bench's watcher asks for no gzip, as the operator does: the API
	// server compressing its events would be the harness's cost, counted
	// in Portico's run.
	watchCfg := rest.CopyConfig(env.Config)
	watchCfg.DisableCompression = true
	cl, err := client.NewWithWatch(watchCfg, client.Options{Scheme: manager.Scheme()})
	if err != nil {
		return nil, err
	}
	cl2 := env.Client
	if err := testenv.CreatePermissiveClass(ctx, cl2); err != nil {
		return nil, err
	}

	step(fmt.Sprintf("Creating %d unrelated Secrets and %d ConfigMaps of %d bytes", c.noise, c.noise, c.noiseSize))
	if err := createNoise(ctx, cl2, c.noise, c.noiseSize); err != nil {
		return nil, err
	}

	step("Building and starting the operator as its own process")
	op, err := startOperator(ctx, env.Environment, work, c.syncPeriod, c.operatorArgs, c.memoryLimit)
	if err != nil {
		return nil, err
	}
	defer func() { op.stop() }() // op is replaced by the restart of (7)

	// 1. Convergence of gateways created one by one.
	step(fmt.Sprintf("1. %d gateways created one by one", c.oneByOne))
	w := newWatcher(ctx, cl)
	defer w.stop()
	if err := mkGatewayNamespace(ctx, cl2, seqNamespace); err != nil {
		return nil, err
	}
	// The first gateway also waits for the operator to start (caches,
	// informers): timed apart, so the figures describe a running operator.
	warm := benchGateway(seqNamespace, "warm-up")
	done := w.expect(warm.Namespace, warm.Name)
	if err := cl2.Create(ctx, warm); err != nil {
		return nil, err
	}
	if err := waitDone(done, time.Minute); err != nil {
		return nil, fmt.Errorf("gateway %s: %w", warm.Name, err)
	}
	startup := time.Since(op.started)
	var lat []float64
	for i := range c.oneByOne {
		gw := benchGateway(seqNamespace, fmt.Sprintf("gw-%d", i))
		start := time.Now()
		done := w.expect(gw.Namespace, gw.Name)
		if err := cl2.Create(ctx, gw); err != nil {
			return nil, err
		}
		if err := waitDone(done, time.Minute); err != nil {
			return nil, fmt.Errorf("gateway %s: %w", gw.Name, err)
		}
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
	}
	s := summarize(lat)
	rows = append(rows, row{"1. create → children applied and status written (p50)", fmt.Sprintf("%.1f ms (min %.1f, max %.1f)", s.median, s.min, s.max), "≤ 50 ms"},
		row{"   same, p99", fmt.Sprintf("%.1f ms", s.p99), ""},
		row{"   operator process start → a first gateway converged", fmt.Sprintf("%.2f s", startup.Seconds()), ""})

	// 4. Idle: converged gateways, short resync, count writes.
	extra := c.idleGWs - c.oneByOne
	for i := range max(extra, 0) {
		gw := benchGateway(seqNamespace, fmt.Sprintf("gw-%d", c.oneByOne+i))
		done := w.expect(gw.Namespace, gw.Name)
		if err := cl2.Create(ctx, gw); err != nil {
			return nil, err
		}
		if err := waitDone(done, time.Minute); err != nil {
			return nil, err
		}
	}
	time.Sleep(2 * time.Second) // let the last events settle
	step(fmt.Sprintf("4. Idle for %s with %d converged gateways, resync every %s", c.idle, max(c.idleGWs, c.oneByOne), c.syncPeriod))
	before, err := countWrites(auditLog)
	if err != nil {
		return nil, err
	}
	cpu0 := op.cpuSeconds()
	time.Sleep(c.idle)
	cpu1 := op.cpuSeconds()
	after, err := countWrites(auditLog)
	if err != nil {
		return nil, err
	}
	idleWrites := after.total - before.total
	rows = append(rows, row{fmt.Sprintf("4. writes while idle (%s, %d resyncs)", c.idle, int(c.idle/c.syncPeriod)), fmt.Sprintf("%d (requests by verb: %v)", idleWrites, diffVerbs(before, after)), "0"},
		row{"   operator CPU while idle", fmt.Sprintf("%.2f %% of a core", 100*(cpu1-cpu0)/c.idle.Seconds()), "< 1 %"})

	// 5. tcp-map edits.
	step(fmt.Sprintf("5. %d tcp-map edits", c.edits))
	var editLat []float64
	templateKept := true
	for i := range c.edits {
		key := client.ObjectKey{Namespace: seqNamespace, Name: fmt.Sprintf("gw-%d", i)}
		gw := &v1alpha1.IngressGateway{}
		if err := cl2.Get(ctx, key, gw); err != nil {
			return nil, err
		}
		ds := &appsv1.DaemonSet{}
		if err := cl2.Get(ctx, render.WorkloadName(gw), ds); err != nil {
			return nil, err
		}
		port := strconv.Itoa(20000 + i)
		cmDone := w.expectConfigMapKey(render.TCPConfigMapName(gw).Namespace, render.TCPConfigMapName(gw).Name, port)
		gw.Spec.TCP = append(gw.Spec.TCP, v1alpha1.TCPService{Port: int32(20000 + i),
			Backend: v1alpha1.Backend{Namespace: "default", Name: "redis", Port: intstr.FromInt32(6379)}})
		start := time.Now()
		if err := cl2.Update(ctx, gw); err != nil {
			return nil, err
		}
		if err := waitDone(cmDone, time.Minute); err != nil {
			return nil, fmt.Errorf("tcp edit %s: %w", key, err)
		}
		editLat = append(editLat, float64(time.Since(start).Microseconds())/1000)
		time.Sleep(200 * time.Millisecond)
		ds2 := &appsv1.DaemonSet{}
		if err := cl2.Get(ctx, render.WorkloadName(gw), ds2); err != nil {
			return nil, err
		}
		if ds2.Generation != ds.Generation {
			templateKept = false
		}
	}
	s = summarize(editLat)
	rows = append(rows, row{"5. tcp-map edit → ConfigMap holds the entry", fmt.Sprintf("%.1f ms (min %.1f, max %.1f); pod template unchanged: %v", s.median, s.min, s.max, templateKept), "≤ 1 s, unchanged"})

	// 2. Scale, against the floor. Every run is in fresh namespaces. First
	// the webhook off: the floor of -scale gateways (rendered offline,
	// applied by parallel writers; each floor's objects are deleted after
	// it, so the operator's run meets the cluster the floor met), then the
	// operator's run of the same gateways. Then the scaling curve with the
	// bench gateway as it is (the data-plane webhook on: the API default);
	// at -scale its floor comes first, and that run is (2) as before. The
	// webhook-off run and the smaller sizes of the curve are removed after
	// they are measured (gateways, then their namespaced children, which
	// no garbage collector removes here): the operator then holds what it
	// held before, for (3) and (7), and every ValidatingWebhookConfiguration,
	// consulted on every write to the API server, is gone again.
	idleHeld := max(c.idleGWs, c.oneByOne) + 1 // and the warm-up gateway
	fc, err := userClient(env, floorUser)
	if err != nil {
		return nil, err
	}
	base := renderConfig(c.operatorArgs)
	writers := c.floorWriters
	if len(writers) == 0 {
		writers = []int{16}
	}
	sizes := slices.Sorted(slices.Values(append(slices.Clone(c.curve), c.scale)))
	sizes = slices.Compact(sizes)
	api, err := newAPIMetrics(env.Config)
	if err != nil {
		return nil, err
	}
	p := &porticoRuns{ctx: ctx, c: cl2, w: w, op: op, auditLog: auditLog, namespaces: c.namespaces, profile: c.profile, profileFor: max(c.profileFor, time.Second), env: env, api: api,
		cfg: c, work: work, held: idleHeld}

	step(fmt.Sprintf("2. Floor: the children of %d gateways (webhook off), rendered offline, applied by %v parallel writers", c.scale, writers))
	var profileFloorOff func()
	if c.profile != "" && c.profileOff {
		profileFloorOff = func() { go profileAPIServer(env.Config, c.profile+".floor", min(p.profileFor, 10*time.Second)) }
	}
	floorsOff, planOff, err := floors(ctx, cl2, fc, op, api, base, c.scale, c.namespaces, writers, false, "f-off", profileFloorOff)
	if err != nil {
		return nil, err
	}
	step(fmt.Sprintf("2. %d gateways (webhook off) across %d namespaces, created at once", c.scale, c.namespaces))
	offRun, err := p.run("p-off", c.scale, false, c.profileOff)
	if err != nil {
		return nil, err
	}
	if err := p.remove(&offRun); err != nil {
		return nil, err
	}

	var curve []scaleResult
	var onRuns []scaleResult
	var floorsOn []floorResult
	var planOn *floorPlan
	for _, n := range sizes {
		if n != c.scale {
			step(fmt.Sprintf("2. Curve: %d gateways (webhook on) across %d namespaces, created at once", n, c.namespaces))
			res, err := p.run(fmt.Sprintf("p-c%d", n), n, true, false)
			if err != nil {
				return nil, err
			}
			if err := p.remove(&res); err != nil {
				return nil, err
			}
			curve = append(curve, res)
			continue
		}
		step(fmt.Sprintf("2. Floor: the children of %d gateways (webhook on), rendered offline, applied by %v parallel writers", n, writers))
		var profileFloor func()
		if c.profile != "" && !c.profileOff {
			// At most 20 s: the floor's objects are then deleted, and
			// the profile must end before the run's own starts.
			profileFloor = func() { go profileAPIServer(env.Config, c.profile+".floor", min(p.profileFor, 20*time.Second)) }
		}
		if floorsOn, planOn, err = floors(ctx, cl2, fc, op, api, base, n, c.namespaces, writers, true, "f-on", profileFloor); err != nil {
			return nil, err
		}
		for r := range c.scaleRuns {
			tag := "p-on"
			if r > 0 {
				tag = fmt.Sprintf("p-on%d", r+1)
			}
			step(fmt.Sprintf("2. %d gateways (webhook on) across %d namespaces, created at once (run %d)", n, c.namespaces, r+1))
			res, err := p.run(tag, n, true, r == 0 && !c.profileOff)
			if err != nil {
				return nil, err
			}
			onRuns = append(onRuns, res)
			if r == 0 {
				curve = append(curve, res)
			}
		}
	}

	headline := slices.Concat(
		headlineRows("webhook off", planOff, floorsOff, offRun),
		headlineRows("webhook on", planOn, floorsOn, medianRun(onRuns)))
	rows = slices.Concat(headline, rows)

	var scaleTimes []float64
	for _, r := range onRuns {
		scaleTimes = append(scaleTimes, r.d.Seconds())
	}
	s = summarize(scaleTimes)
	last := onRuns[len(onRuns)-1]
	ls := summarize(last.lat)
	rows = append(rows, row{fmt.Sprintf("2. %d gateways converged, webhook on (runs: %d)", c.scale, c.scaleRuns), fmt.Sprintf("%.1f s (min %.1f, max %.1f)", s.median, s.min, s.max), "see Portico / floor"},
		row{"   per gateway, burst start → converged (last run)", fmt.Sprintf("p50 %.1f s, p90 %.1f s, max %.1f s", ls.median, ls.p90, ls.max), ""},
		row{"   CPU used during the last run of (2)", last.cpu.String(), ""},
		row{"   operator requests in that run", last.requests(), ""})
	offS := summarize(offRun.lat)
	rows = append(rows, row{fmt.Sprintf("2. %d gateways converged, webhook off", c.scale), fmt.Sprintf("%.1f s; per gateway p50 %.1f s, p90 %.1f s; removed afterwards in %.1f s", offRun.d.Seconds(), offS.median, offS.p90, offRun.removed.Seconds()), ""})
	rows = append(rows, row{fmt.Sprintf("2c. scaling curve, webhook on: each size in fresh namespaces; sizes below %d removed after they are measured, so each starts with the operator holding %d gateways", c.scale, idleHeld), "", "time and memory per gateway flat"})
	for _, r := range curve {
		rows = append(rows, row{fmt.Sprintf("    %d gateways", r.n),
			fmt.Sprintf("%.1f s, %.1f ms per gateway (p50 %.1f s, p90 %.1f s); after: RSS %.1f MiB, heap in use %.1f MiB (after a GC); per gateway added: %.1f KiB RSS, %.1f KiB heap",
				r.d.Seconds(), 1000*r.d.Seconds()/float64(r.n), summarize(r.lat).median, summarize(r.lat).p90, r.rssAfter, r.heapAfter,
				1024*(r.rssAfter-r.rssBefore)/float64(r.n), 1024*(r.heapAfter-r.heapBefore)/float64(r.n)), ""})
	}
	held := idleHeld + c.scale*c.scaleRuns

	// 3. Memory.
	time.Sleep(2 * time.Second)
	rss := op.rssMiB()
	if c.profile != "" {
		fetch(http.DefaultClient, fmt.Sprintf("http://%s/debug/pprof/heap?gc=1", op.pprofAddr), c.profile+".operator-heap")
	}
	heap, herr := op.heapMiB()
	heapStr := fmt.Sprintf("%.1f MiB", heap)
	if herr != nil {
		heapStr = "n/a (" + herr.Error() + ")"
	}
	total := held
	limitNote := ""
	if c.memoryLimit != "" {
		limitNote = ", memory limit " + c.memoryLimit
	}
	rows = append(rows, row{fmt.Sprintf("3. operator RSS with %d gateways, %d+%d unrelated objects%s", total, c.noise, c.noise, limitNote), fmt.Sprintf("%.1f MiB (Go heap in use %s)", rss, heapStr), "≤ 100 MiB"},
		row{"   where it goes, right after a garbage collection", op.memBreakdown(), ""})
	if c.settle > 0 {
		// The same process later, nothing having happened: what a user
		// sees once the burst's freed heap has been returned.
		step(fmt.Sprintf("3. Idle for %s, then the RSS again", c.settle))
		time.Sleep(c.settle)
		settled := op.rssMiB()
		rows = append(rows, row{fmt.Sprintf("   RSS after %s idle", c.settle), fmt.Sprintf("%.1f MiB; right after a garbage collection: %s", settled, op.memBreakdown()), "≤ 100 MiB"})
	}

	// 7. Restart: a converged fleet must survive a new operator process
	// (a restart, a leader change) without a write.
	step(fmt.Sprintf("7. Restarting the operator with %d converged gateways", total))
	time.Sleep(2 * time.Second) // let the last writes of (2) reach the audit log
	op.stop()
	before, err = countWrites(auditLog)
	if err != nil {
		return nil, err
	}
	op, err = launchOperator(ctx, work, c.syncPeriod, c.operatorArgs, c.memoryLimit)
	if err != nil {
		return nil, err
	}
	drain, err := op.waitDrained(total, 10*time.Minute)
	if err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second)
	after, err = countWrites(auditLog)
	if err != nil {
		return nil, err
	}
	rows = append(rows, row{fmt.Sprintf("7. writes after an operator restart with %d converged gateways, until its queue drains", total),
		fmt.Sprintf("%d (requests by verb: %v)", after.total-before.total, diffVerbs(before, after)), "0"},
		row{"   operator process start → every gateway reconciled, queue empty", fmt.Sprintf("%.1f s", drain.Seconds()), ""})

	final, _ := countWrites(auditLog)
	rows = append(rows, row{"   operator requests in the whole run", fmt.Sprintf("%d writes %v (audit log); client-side by method: %v", final.total, final.byVerb, diffMethods(nil, op.requestsByMethod())), ""})

	// 8. The trust floor, last: it stops and restarts the operator, which
	// must not reset the history rows 3 and 7 describe. The webhook-on
	// runs' gateways go first, so the cluster is again the one the floors
	// of (2) met, and each trust floor is measured next to a floor of its
	// own (the fastest writer count of (2)), as the machine drifts.
	p.op = op
	step("8. Removing the webhook-on runs of (2); then floor and trust floor, webhook off and on")
	for i := range onRuns {
		if err := p.remove(&onRuns[i]); err != nil {
			return nil, err
		}
	}
	tc, err := userClient(env, trustUser)
	if err != nil {
		return nil, err
	}
	for _, v := range []struct {
		webhook bool
		name    string
		floors  []floorResult
		run     scaleResult
	}{{false, "webhook off", floorsOff, offRun}, {true, "webhook on", floorsOn, medianRun(onRuns)}} {
		tag := map[bool]string{false: "off", true: "on"}[v.webhook]
		w := fastest(v.floors).writers
		step(fmt.Sprintf("8. Floor, %s, %d writers", v.name, w))
		fl, _, err := floors(ctx, cl2, fc, p.op, api, base, c.scale, c.namespaces, []int{w}, v.webhook, "g-"+tag, nil)
		if err != nil {
			return nil, err
		}
		step(fmt.Sprintf("8. Gateway floor and trust floor, %s, %d writers (the operator stopped)", v.name, w))
		gf, tr, plan, err := p.gatewayAndTrustFloors(fc, tc, base, "-"+tag, c.scale, w, v.webhook)
		op = p.op
		if err != nil {
			return nil, err
		}
		rows = append(rows, trustRows(v.name, fl[0], gf, tr, plan, v.run)...)
	}
	return rows, nil
}

// trustRows compare the gateway and trust floors with the floor measured
// next to them, and Portico's run of (2) with the trust floor.
func trustRows(variant string, fl floorResult, gf, tr trustResult, plan *trustPlan, run scaleResult) []row {
	gs, ts := summarize(gf.lat), summarize(tr.lat)
	return []row{
		{fmt.Sprintf("8. floor, %s, measured again next to the two below (%d writers)", variant, fl.writers), fmt.Sprintf("%.1f s", fl.d.Seconds()), ""},
		{fmt.Sprintf("   gateway floor, %s: the floor plus each gateway created and its status written once (%d gateways, no operator running)", variant, len(plan.gateways)),
			fmt.Sprintf("%.1f s (per gateway p50 %.1f s, p90 %.1f s): %.2f× the floor", gf.d.Seconds(), gs.median, gs.p90, gf.d.Seconds()/fl.d.Seconds()), "no operator design avoids these writes"},
		{fmt.Sprintf("   trust floor, %s: per gateway %s", variant, plan.describe()),
			fmt.Sprintf("%.1f s (per gateway p50 %.1f s, p90 %.1f s); applies retried until the policy saw the gateway: %d", tr.d.Seconds(), ts.median, ts.p90, tr.retries), ""},
		{fmt.Sprintf("   trust floor / floor, %s", variant), fmt.Sprintf("%.2f×", tr.d.Seconds()/fl.d.Seconds()), "what any operator under the containment policies costs before its own work"},
		{fmt.Sprintf("   Portico (2) / trust floor, %s", variant), fmt.Sprintf("%.2f× (Portico's run was minutes earlier)", run.d.Seconds()/tr.d.Seconds()), "what the operator's own work adds"},
		{"   CPU in the gateway floor", gf.cpu.String(), ""},
		{"   CPU in the trust floor", tr.cpu.String(), ""},
		{"   API server, gateway floor", gf.api.brief(), ""},
		{"   API server, trust floor", tr.api.brief(), ""},
	}
}

func step(msg string) { fmt.Printf("==> %s\n", msg) }

func printTable(rows []row) {
	wf, wv := len("Figure"), len("Measured")
	for _, r := range rows {
		wf, wv = max(wf, len([]rune(r.figure))), max(wv, len([]rune(r.value)))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-len([]rune(s))) }
	fmt.Printf("| %s | %s | %s |\n", pad("Figure", wf), pad("Measured", wv), "Goal")
	fmt.Printf("|%s|%s|%s|\n", strings.Repeat("-", wf+2), strings.Repeat("-", wv+2), "------")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", pad(r.figure, wf), pad(r.value, wv), r.goal)
	}
}

// benchGateway is the gateway the reference Helm operator was measured with:
// a host-network DaemonSet with one tcp entry and a default certificate.
// seqNamespace holds the gateways of (1), (4) and (5).
const seqNamespace = "bench-seq"

func benchGateway(ns, name string) *v1alpha1.IngressGateway {
	return &v1alpha1.IngressGateway{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.IngressGatewaySpec{
			Workload:           v1alpha1.WorkloadSpec{HostNetwork: true},
			DefaultCertificate: &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "default-tls"}},
			TCP: []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: "default", Name: "redis",
				Port: intstr.FromInt32(6379)}}},
		},
	}
}

func mkNamespace(ctx context.Context, c client.Client, name string) error {
	return c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
}

// mkGatewayNamespace creates a namespace with the default certificate the
// bench gateway names, as the reference measurement had.
func mkGatewayNamespace(ctx context.Context, c client.Client, name string) error {
	if err := mkNamespace(ctx, c, name); err != nil {
		return err
	}
	// The gateways' tcp entry points at default/redis: that namespace's consent.
	if err := testenv.GrantAll(ctx, c, name, "default"); err != nil {
		return err
	}
	s, err := testenv.SelfSignedTLSSecret(name, "default-tls", "*.bench.test")
	if err != nil {
		return err
	}
	return c.Create(ctx, s)
}

// createNoise fills the cluster with objects the operator must not cache.
func createNoise(ctx context.Context, c client.Client, n, size int) error {
	if n == 0 {
		return nil
	}
	payload := strings.Repeat("x", size)
	const nsCount = 20
	for i := range nsCount {
		if err := mkNamespace(ctx, c, fmt.Sprintf("noise-%d", i)); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for worker := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := worker; i < n; i += 8 {
				ns := fmt.Sprintf("noise-%d", i%nsCount)
				if err := c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("s-%d", i)},
					Data: map[string][]byte{"payload": []byte(payload)}}); err != nil {
					errs <- err
					return
				}
				if err := c.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("cm-%d", i)},
					Data: map[string]string{"payload": payload}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// scaleResult is one burst of gateways: the time until the last converged,
// each gateway's time from the burst's start to its converged status (in
// seconds), and what the burst cost.
type scaleResult struct {
	n      int
	nss    []string
	d      time.Duration
	lat    []float64
	cpu    cpuDiff
	api    apiDiff
	writes map[string]int
	// The operator's memory before and after the run (heap in use after
	// a forced GC), in MiB.
	rssBefore, heapBefore, rssAfter, heapAfter float64
	// removed is how long removing the run's gateways and children took.
	removed time.Duration
}

func (r scaleResult) requests() string {
	return fmt.Sprintf("client-side by method: %s; writes by verb (audit log): %s; reconciles %d (%.2f per gateway)",
		verbs(r.cpu.req), verbs(r.writes), r.cpu.reconciles, float64(r.cpu.reconciles)/float64(max(r.n, 1)))
}

// porticoRuns runs bursts of gateways against the running operator.
type porticoRuns struct {
	ctx        context.Context
	c          client.Client
	w          *watcher
	op         *operator
	env        *testenv.Env
	auditLog   string
	namespaces int
	profile    string
	profileFor time.Duration
	api        *apiMetrics
	// The trust floor starts the operator again as the run's settings say
	// (cfg, and work: where its binary is); it then holds held gateways.
	cfg  config
	work string
	held int
}

// run creates n bench gateways (webhook on or off) named <tag>-<i> in
// fresh namespaces bench-<tag>-<j> and measures their convergence.
func (p *porticoRuns) run(tag string, n int, webhook, profile bool) (scaleResult, error) {
	nss, err := mkGatewayNamespaces(p.ctx, p.c, tag, p.namespaces)
	if err != nil {
		return scaleResult{}, err
	}
	var gws []*v1alpha1.IngressGateway
	for i := range n {
		gws = append(gws, benchGatewayWebhook(nss[i%len(nss)], fmt.Sprintf("%s-%d", tag, i), webhook))
	}
	time.Sleep(2 * time.Second) // the namespaces' creation settles
	rss0, heap0 := p.op.rssMiB(), p.op.gcHeapMiB()
	w0, err := countWrites(p.auditLog)
	if err != nil {
		return scaleResult{}, err
	}
	if profile && p.profile != "" {
		go profileAPIServer(p.env.Config, p.profile, p.profileFor)
		go fetch(http.DefaultClient, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.op.pprofAddr, int(p.profileFor.Seconds())), p.profile+".operator")
	}
	a0 := p.api.scrape()
	s0 := p.op.snap()
	d, lat, err := scaleRun(p.ctx, p.c, p.w, gws)
	if err != nil {
		return scaleResult{}, err
	}
	s1 := p.op.snap()
	a1 := p.api.scrape()
	time.Sleep(time.Second) // the last writes reach the audit log
	w1, err := countWrites(p.auditLog)
	if err != nil {
		return scaleResult{}, err
	}
	r := scaleResult{n: n, nss: nss, d: d, lat: lat, cpu: s1.diff(s0), api: a1.diff(a0), writes: diffVerbs(w0, w1), rssBefore: rss0, heapBefore: heap0}
	time.Sleep(time.Second)
	r.rssAfter, r.heapAfter = p.op.rssMiB(), p.op.gcHeapMiB()
	st := summarize(lat)
	fmt.Printf("    %.1f s (%.1f ms per gateway); per gateway p50 %.1f s, p90 %.1f s\n    CPU: %s\n    operator requests: %s\n    API server: %s\n",
		d.Seconds(), 1000*d.Seconds()/float64(n), st.median, st.p90, r.cpu, r.requests(), r.api)
	return r, nil
}

// remove deletes a run's gateways (the operator removes their
// cluster-scoped children and its finalizer), then their namespaced
// children (no garbage collector runs here), and waits for the operator's
// queue to drain.
func (p *porticoRuns) remove(r *scaleResult) error {
	start := time.Now()
	for _, ns := range r.nss {
		if err := p.c.DeleteAllOf(p.ctx, &v1alpha1.IngressGateway{}, client.InNamespace(ns)); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(5 * time.Minute)
	for _, ns := range r.nss {
		for {
			l := &v1alpha1.IngressGatewayList{}
			if err := p.c.List(p.ctx, l, client.InNamespace(ns)); err != nil {
				return err
			}
			if len(l.Items) == 0 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%d gateways of %s not removed after 5 minutes", len(l.Items), ns)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	sel := client.MatchingLabels{render.ManagedByLabel: render.ManagedByValue}
	for _, k := range render.ManagedKinds {
		if k.Namespaced {
			if err := deleteAll(p.ctx, p.c, k.Object.DeepCopyObject().(client.Object), true, r.nss, sel); err != nil {
				return err
			}
		}
	}
	time.Sleep(time.Second)
	m := p.op.metrics(`workqueue_depth{controller="ingressgateway"`, `controller_runtime_active_workers{controller="ingressgateway"`)
	for (m[0] > 0 || m[1] > 0) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		m = p.op.metrics(`workqueue_depth{controller="ingressgateway"`, `controller_runtime_active_workers{controller="ingressgateway"`)
	}
	r.removed = time.Since(start)
	fmt.Printf("    removed (gateways, then their children) in %.1f s, not timed\n", r.removed.Seconds())
	time.Sleep(2 * time.Second)
	return nil
}

// medianRun is the run of median time.
func medianRun(rs []scaleResult) scaleResult {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b scaleResult) int { return cmp.Compare(a.d, b.d) })
	return s[(len(s)-1)/2]
}

// headlineRows compare the operator's run with the floor of the same
// gateways.
func headlineRows(variant string, plan *floorPlan, fs []floorResult, run scaleResult) []row {
	fl := fastest(fs)
	var byWriters []string
	for _, f := range fs {
		byWriters = append(byWriters, fmt.Sprintf("%d writers %.1f s", f.writers, f.d.Seconds()))
	}
	fls, rs := summarize(fl.lat), summarize(run.lat)
	return []row{
		{fmt.Sprintf("0. floor, %s: children of %d gateways (%s) server-side applied in fresh namespaces", variant, plan.gateways, plan.describe()),
			fmt.Sprintf("%s → floor %.1f s (per gateway p50 %.1f s, p90 %.1f s)", strings.Join(byWriters, ", "), fl.d.Seconds(), fls.median, fls.p90), ""},
		{fmt.Sprintf("   Portico, %s: the same %d gateways created at once → all converged", variant, run.n),
			fmt.Sprintf("%.1f s (per gateway p50 %.1f s, p90 %.1f s)", run.d.Seconds(), rs.median, rs.p90), ""},
		{fmt.Sprintf("   Portico / floor, %s", variant), fmt.Sprintf("%.2f×", run.d.Seconds()/fl.d.Seconds()), "≤ 1.25×"},
		{fmt.Sprintf("   CPU in the floor (%d writers)", fl.writers), fl.cpu.String(), ""},
		{"   CPU in Portico's run", run.cpu.String(), ""},
		{"   Portico's requests in its run", run.requests(), ""},
		{"   API server, floor", fl.api.brief(), ""},
		{"   API server, Portico's run", run.api.brief(), ""},
	}
}

// mkGatewayNamespaces creates namespaces bench-<tag>-<i> as
// mkGatewayNamespace does.
func mkGatewayNamespaces(ctx context.Context, c client.Client, tag string, n int) ([]string, error) {
	var nss []string
	for i := range n {
		ns := fmt.Sprintf("bench-%s-%d", tag, i)
		if err := mkGatewayNamespace(ctx, c, ns); err != nil {
			return nil, err
		}
		nss = append(nss, ns)
	}
	return nss, nil
}

// scaleRun creates gws at once (8 writers) and waits until each has
// converged; it returns the time until the last did and each one's time
// from the start, in seconds.
func scaleRun(ctx context.Context, c client.Client, w *watcher, gws []*v1alpha1.IngressGateway) (time.Duration, []float64, error) {
	var dones []<-chan struct{}
	for _, gw := range gws {
		dones = append(dones, w.expect(gw.Namespace, gw.Name))
	}
	start := time.Now()
	deadline := start.Add(5 * time.Minute)
	lat := make([]float64, len(gws))
	waitErrs := make([]error, len(gws))
	var waiters sync.WaitGroup
	for i, d := range dones {
		waiters.Go(func() {
			if err := waitDone(d, time.Until(deadline)); err != nil {
				waitErrs[i] = fmt.Errorf("gateway %s/%s: %w", gws[i].Namespace, gws[i].Name, err)
				return
			}
			lat[i] = time.Since(start).Seconds()
		})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for worker := range 8 {
		wg.Go(func() {
			for i := worker; i < len(gws); i += 8 {
				if err := c.Create(ctx, gws[i]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, nil, err
	}
	waiters.Wait()
	if err := errors.Join(waitErrs...); err != nil {
		return 0, nil, err
	}
	return time.Since(start), lat, nil
}

func waitDone(ch <-chan struct{}, timeout time.Duration) error {
	select {
	case <-ch:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("not converged after %s", timeout)
	}
}

// watcher follows gateways and ConfigMaps through watches and closes a
// channel when a gateway's status reaches its generation, or a ConfigMap
// holds a key.
type watcher struct {
	mu      sync.Mutex
	gws     map[string]chan struct{}
	cmKeys  map[string]chan struct{}
	cancel  context.CancelFunc
	stopped sync.WaitGroup
}

func newWatcher(ctx context.Context, c client.WithWatch) *watcher {
	ctx, cancel := context.WithCancel(ctx)
	w := &watcher{gws: map[string]chan struct{}{}, cmKeys: map[string]chan struct{}{}, cancel: cancel}
	w.stopped.Add(2)
	go w.loop(ctx, c, &v1alpha1.IngressGatewayList{})
	// Only the namespace of the tcp edits (5): a watch on the scale runs'
	// ConfigMaps would cost the API server work the floor does not pay.
	go w.loop(ctx, c, &corev1.ConfigMapList{}, client.InNamespace(seqNamespace), client.MatchingLabels{render.ManagedByLabel: render.ManagedByValue})
	return w
}

func (w *watcher) stop() { w.cancel(); w.stopped.Wait() }

func (w *watcher) expect(ns, name string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	w.gws[ns+"/"+name] = ch
	return ch
}

func (w *watcher) expectConfigMapKey(ns, name, key string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	w.cmKeys[ns+"/"+name+"/"+key] = ch
	return ch
}

func (w *watcher) loop(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) {
	defer w.stopped.Done()
	for ctx.Err() == nil {
		wi, err := c.Watch(ctx, list, opts...)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		for ev := range wi.ResultChan() {
			if ev.Type != watch.Added && ev.Type != watch.Modified {
				continue
			}
			switch o := ev.Object.(type) {
			case *v1alpha1.IngressGateway:
				if o.Status.ObservedGeneration == o.Generation && len(o.Status.Conditions) > 0 {
					w.fire(w.gws, o.Namespace+"/"+o.Name)
				}
			case *corev1.ConfigMap:
				for k := range o.Data {
					w.fire(w.cmKeys, o.Namespace+"/"+o.Name+"/"+k)
				}
			}
		}
	}
}

func (w *watcher) fire(m map[string]chan struct{}, key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ch, ok := m[key]; ok {
		close(ch)
		delete(m, key)
	}
}

// writeCounts are the operator's writes seen in the audit log.
type writeCounts struct {
	total  int
	byVerb map[string]int
}

// reviews are the API's virtual resources: a create of one writes nothing.
var reviews = map[string]bool{"selfsubjectreviews": true, "tokenreviews": true, "subjectaccessreviews": true,
	"selfsubjectaccessreviews": true, "selfsubjectrulesreviews": true, "localsubjectaccessreviews": true}

func countWrites(path string) (writeCounts, error) {
	wc := writeCounts{byVerb: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		return wc, err
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var ev struct {
			Stage string `json:"stage"`
			Verb  string `json:"verb"`
			User  struct {
				Username string `json:"username"`
			} `json:"user"`
			ObjectRef struct {
				Resource    string `json:"resource"`
				Subresource string `json:"subresource"`
			} `json:"objectRef"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Stage != "ResponseComplete" || ev.User.Username != operatorUser {
			continue
		}
		if reviews[ev.ObjectRef.Resource] {
			// A review is a create that stores nothing (the operator asks
			// once who it is, a SelfSubjectReview).
			continue
		}
		wc.total++
		wc.byVerb[ev.Verb]++
	}
	return wc, sc.Err()
}

func diffVerbs(a, b writeCounts) map[string]int {
	out := map[string]int{}
	for k, v := range b.byVerb {
		if d := v - a.byVerb[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// operator is the operator process.
type operator struct {
	cmd         *exec.Cmd
	metricsAddr string
	pprofAddr   string
	started     time.Time
}

func startOperator(ctx context.Context, env *envtest.Environment, work string, syncPeriod time.Duration, extra []string, memoryLimit string) (*operator, error) {
	bin := filepath.Join(work, "manager")
	// Built as the image builds it (Dockerfile): static, without cgo, so
	// its memory is the shipped binary's.
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "github.com/portico-dev/portico/cmd/manager")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build the operator: %w", err)
	}
	user, err := env.AddUser(envtest.User{Name: operatorUser, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(work, "operator.kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		return nil, err
	}
	return launchOperator(ctx, work, syncPeriod, extra, memoryLimit)
}

// launchOperator starts the operator binary startOperator built, as the
// user it set up.
func launchOperator(ctx context.Context, work string, syncPeriod time.Duration, extra []string, memoryLimit string) (*operator, error) {
	bin := filepath.Join(work, "manager")
	kubeconfig := filepath.Join(work, "operator.kubeconfig")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	l, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	pprofAddr := l.Addr().String()
	_ = l.Close()
	logf, err := os.OpenFile(filepath.Join(work, "operator.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	// The operator's own admission webhook needs an in-cluster Service the
	// API server can call; nothing here can serve one.
	args := []string{"--kubeconfig", kubeconfig, "--metrics-bind-address", addr,
		"--health-probe-bind-address", "0", "--pprof-bind-address", pprofAddr, "--sync-period", syncPeriod.String(), "--enable-webhook=false",
		// Plain HTTP on loopback: the bench reads the heap figures itself.
		"--metrics-secure=false"}
	args = append(args, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = os.Environ()
	if memoryLimit != "" {
		q, err := resource.ParseQuantity(memoryLimit)
		if err != nil {
			return nil, fmt.Errorf("-memory-limit: %w", err)
		}
		// What the Deployment's downward API passes for limits.memory.
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", manager.MemoryLimitEnv, q.Value()))
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &operator{cmd: cmd, metricsAddr: addr, pprofAddr: pprofAddr, started: started}, nil
}

func (o *operator) stop() {
	_ = o.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = o.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = o.cmd.Process.Kill()
	}
}

// cpuSeconds is the operator's user+system CPU time so far.
func (o *operator) cpuSeconds() float64 {
	return procCPUSeconds(o.cmd.Process.Pid)
}

// procCPUSeconds is a process's user+system CPU time so far.
func procCPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}

// kcmComm is kube-controller-manager's name in /proc (15 characters).
const kcmComm = "kube-controller"

// controlPlaneCPU is the CPU time so far of this process's children
// named etcd, kube-apiserver and kube-controller-manager (when one runs):
// where a scale run's time goes.
func controlPlaneCPU() map[string]float64 {
	out := map[string]float64{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < 0 {
			continue
		}
		comm := s[open+1 : end]
		f := strings.Fields(s[end+2:])
		if ppid, _ := strconv.Atoi(f[1]); ppid != os.Getpid() || (comm != "etcd" && comm != "kube-apiserver" && comm != kcmComm) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		out[comm] += procCPUSeconds(pid)
	}
	return out
}

// rssMiB is the operator's resident set size.
func (o *operator) rssMiB() float64 { return o.procStatusMiB("VmRSS") }

// procStatusMiB reads one of the operator's /proc/PID/status sizes (VmRSS,
// RssAnon, RssFile), 0 when unreadable.
func (o *operator) procStatusMiB(field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", o.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// requestsByMethod reads the operator's client-side request counts
// (client-go's rest_client_requests_total) by HTTP method: the reads the
// audit log leaves out, to keep its cost off the API server.
func (o *operator) requestsByMethod() map[string]float64 {
	out := map[string]float64{}
	resp, err := http.Get("http://" + o.metricsAddr + "/metrics")
	if err != nil {
		return out
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return out
	}
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "rest_client_requests_total{") {
			continue
		}
		i := strings.Index(l, `method="`)
		if i < 0 {
			continue
		}
		m := l[i+len(`method="`):]
		m = m[:strings.IndexByte(m, '"')]
		v, _ := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
		out[m] += v
	}
	return out
}

func diffMethods(a, b map[string]float64) map[string]int {
	out := map[string]int{}
	for k, v := range b {
		if d := int(v - a[k]); d != 0 {
			out[k] = d
		}
	}
	return out
}

// waitDrained waits until the operator has reconciled at least n gateways
// and its queue is empty with no reconcile running, and returns the time
// since the process started.
func (o *operator) waitDrained(n int, timeout time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		m := o.metrics(`controller_runtime_reconcile_total{controller="ingressgateway"`,
			`workqueue_depth{controller="ingressgateway"`, `controller_runtime_active_workers{controller="ingressgateway"`)
		if m[0] >= float64(n) && m[1] == 0 && m[2] == 0 {
			return time.Since(o.started), nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0, fmt.Errorf("the operator's queue did not drain within %s", timeout)
}

// metrics sums, for each prefix, the samples of the operator's metrics
// whose line starts with it.
func (o *operator) metrics(prefixes ...string) []float64 {
	out := make([]float64, len(prefixes))
	resp, err := http.Get("http://" + o.metricsAddr + "/metrics")
	if err != nil {
		return out
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return out
	}
	for _, l := range strings.Split(string(b), "\n") {
		for i, p := range prefixes {
			if strings.HasPrefix(l, p) {
				v, _ := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
				out[i] += v
			}
		}
	}
	return out
}

// gcHeapMiB is the operator's heap in use right after a garbage
// collection (its pprof endpoint runs one), 0 when unreadable.
func (o *operator) gcHeapMiB() float64 {
	_ = o.collect()
	h, _ := o.heapMiB()
	return h
}

// collect makes the operator run a garbage collection (its pprof heap
// endpoint runs one before answering).
func (o *operator) collect() error {
	resp, err := http.Get("http://" + o.pprofAddr + "/debug/pprof/heap?gc=1")
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// heapMiB reads the Go heap in use from the operator's metrics endpoint.
func (o *operator) heapMiB() (float64, error) {
	m, err := o.memStats()
	if err != nil {
		return 0, err
	}
	v, ok := m["go_memstats_heap_inuse_bytes"]
	if !ok {
		return 0, fmt.Errorf("no go_memstats_heap_inuse_bytes metric")
	}
	return v / (1 << 20), nil
}

// memStats reads the operator's go_memstats_* gauges, in bytes.
func (o *operator) memStats() (map[string]float64, error) {
	resp, err := http.Get("http://" + o.metricsAddr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && strings.HasPrefix(f[0], "go_memstats_") {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				out[f[0]] = v
			}
		}
	}
	return out, nil
}

// memBreakdown splits the operator's RSS, right after a garbage
// collection: live heap; in-use heap spans beyond it (fragmentation); heap
// pages free but not yet returned to the OS; the Go runtime's own memory
// (stacks, GC and span metadata); the binary's file pages; the rest.
func (o *operator) memBreakdown() string {
	if err := o.collect(); err != nil {
		return "n/a (" + err.Error() + ")"
	}
	rss := o.rssMiB()
	m, err := o.memStats()
	if err != nil {
		return "n/a (" + err.Error() + ")"
	}
	mib := func(v float64) float64 { return v / (1 << 20) }
	live := mib(m["go_memstats_alloc_bytes"])
	frag := mib(m["go_memstats_heap_inuse_bytes"]) - live
	free := mib(m["go_memstats_heap_idle_bytes"] - m["go_memstats_heap_released_bytes"])
	runtime := mib(m["go_memstats_sys_bytes"] - m["go_memstats_heap_sys_bytes"])
	file := o.procStatusMiB("RssFile")
	rest := rss - file - live - frag - free - runtime
	return fmt.Sprintf("RSS %.1f MiB = live heap %.1f + fragmentation (heap spans in use beyond it) %.1f + free heap not yet returned %.1f + Go runtime (stacks, GC and span metadata; reserved, so at most this resident) %.1f + the binary's pages (RssFile) %.1f + the rest %.1f",
		rss, live, frag, free, runtime, file, rest)
}

// profileAPIServer writes a CPU profile of kube-apiserver (its
// /debug/pprof endpoint, on by default) to path.
func profileAPIServer(cfg *rest.Config, path string, d time.Duration) {
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = d + 30*time.Second
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return
	}
	fetch(hc, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", strings.TrimSuffix(cfg.Host, "/"), int(d.Seconds())), path)
}

// fetch writes what url returns to path (profiles).
func fetch(hc *http.Client, url, path string) {
	resp, err := hc.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
	}
}
