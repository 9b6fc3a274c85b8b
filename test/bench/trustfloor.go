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

// Two floors between the floor and Portico, measured with the operator
// stopped (it would reconcile their gateways), by clients as fast as the
// API server takes them:
//
//   - the gateway floor: the floor's children (in the floor's form) plus
//     each gateway created as the bench creates it (its CRD rules, the
//     class policy, the gateway defaults) and its status written once, as
//     a converged gateway's: what the API server must do for the gateway
//     objects themselves, which no operator design avoids;
//   - the trust floor: the same, but each child applied as Portico's apply
//     path sends it (body, field owner, retries), as the operator's
//     ServiceAccount, with the labels, owner reference and shard the
//     containment policies (config/policy) check, so they judge each write
//     as they judge the operator's: what any operator under Portico's
//     trust model must cost the API server before its own work.
//
// Portico / trust floor is then what the operator's own work (reconciling,
// its watches, its events) adds.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/containment"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
)

// trustUser writes the trust floor's children and statuses: a name the
// containment policies take for the operator's ServiceAccount (in another
// namespace than the bench operator's, which changes nothing for
// gateways' namespaces).
const trustUser = "system:serviceaccount:portico-floor:portico-controller-manager"

// Markers for the gateway's namespace and name in a status template.
const (
	statusNSMarker   = "@@namespace@@"
	statusNameMarker = "@@name@@"
)

type trustStep int

const (
	trustCreate trustStep = iota
	trustApply
	trustStatus
)

type trustItem struct {
	gw   int
	step trustStep
	gvk  schema.GroupVersionKind
	key  client.ObjectKey
	body []byte
}

// trustPlan is every request of a gateway or trust floor, prepared before
// the clock starts: first every gateway's create, then, gateway by
// gateway, its children's applies and its status.
type trustPlan struct {
	gateways   []*v1alpha1.IngressGateway
	items      []trustItem
	namespaces []string
	perGateway int
}

// placeholderUID stands for gateway i's UID in its children's apply
// bodies until it is created; as long as a real UID.
func placeholderUID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// convergedStatus creates one bench gateway (webhook on or off) in the
// one-by-one namespace, waits until the operator has converged it and
// returns its status as a template (its namespace and name replaced by
// markers); the gateway is then deleted (the operator removes its
// cluster-scoped children and finalizer) and so are its namespaced
// children.
func (p *porticoRuns) convergedStatus(name string, webhook bool) ([]byte, error) {
	gw := benchGatewayWebhook(seqNamespace, name, webhook)
	done := p.w.expect(gw.Namespace, gw.Name)
	if err := p.c.Create(p.ctx, gw); err != nil {
		return nil, err
	}
	if err := waitDone(done, time.Minute); err != nil {
		return nil, fmt.Errorf("gateway %s: %w", name, err)
	}
	if err := p.c.Get(p.ctx, client.ObjectKeyFromObject(gw), gw); err != nil {
		return nil, err
	}
	st, err := json.Marshal(map[string]any{"status": gw.Status})
	if err != nil {
		return nil, err
	}
	st = bytes.ReplaceAll(st, []byte(seqNamespace), []byte(statusNSMarker))
	st = bytes.ReplaceAll(st, []byte(name), []byte(statusNameMarker))
	if err := p.c.Delete(p.ctx, gw); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		err := p.c.Get(p.ctx, client.ObjectKeyFromObject(gw), &v1alpha1.IngressGateway{})
		if apierrors.IsNotFound(err) {
			break
		}
		if err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("gateway %s not removed after a minute", name)
		}
		time.Sleep(100 * time.Millisecond)
	}
	sel := client.MatchingLabels{render.ManagedByLabel: render.ManagedByValue, render.GatewayNameLabel: name}
	for _, k := range render.ManagedKinds {
		if k.Namespaced {
			if err := deleteAll(p.ctx, p.c, k.Object.DeepCopyObject().(client.Object), true, []string{seqNamespace}, sel); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// planTrustFloor creates a gateway or trust floor's namespaces (as the
// operator's runs have them) and prepares n gateways named <tag>-<i>
// spread over them, their children rendered from tmpl as the operator
// renders them and, unless asOperator, put in the floor's form.
func planTrustFloor(ctx context.Context, c client.Client, tag string, n, namespaces int, webhook, asOperator bool,
	tmpl *v1alpha1.IngressGateway, cfg render.Config, in render.Inputs, status []byte) (*trustPlan, error) {
	nss, err := mkGatewayNamespaces(ctx, c, tag, namespaces)
	if err != nil {
		return nil, err
	}
	p := &trustPlan{namespaces: nss}
	scheme := manager.Scheme()
	for i := range n {
		ns, name := nss[i%len(nss)], fmt.Sprintf("%s-%d", tag, i)
		p.gateways = append(p.gateways, benchGatewayWebhook(ns, name, webhook))
		p.items = append(p.items, trustItem{gw: i, step: trustCreate})
	}
	for i, gw := range p.gateways {
		r := tmpl.DeepCopy()
		r.Namespace, r.Name, r.UID, r.Generation = gw.Namespace, gw.Name, types.UID(placeholderUID(i)), 1
		res, err := render.RenderWith(r, cfg, in)
		if err != nil {
			return nil, err
		}
		p.perGateway = len(res.Objects)
		for _, o := range res.Objects {
			gvk, err := apiutil.GVKForObject(o, scheme)
			if err != nil {
				return nil, err
			}
			var body []byte
			if asOperator {
				hash, err := apply.Hash(o)
				if err != nil {
					return nil, err
				}
				body, err = apply.Body(o, hash)
				if err != nil {
					return nil, err
				}
			} else if _, body, err = floorForm(o); err != nil {
				return nil, err
			}
			p.items = append(p.items, trustItem{gw: i, step: trustApply, gvk: gvk, key: client.ObjectKeyFromObject(o), body: body})
		}
		st := bytes.ReplaceAll(status, []byte(statusNSMarker), []byte(gw.Namespace))
		st = bytes.ReplaceAll(st, []byte(statusNameMarker), []byte(gw.Name))
		p.items = append(p.items, trustItem{gw: i, step: trustStatus, body: st})
	}
	return p, nil
}

// trustResult is a trust floor run: a floor run and the applies the
// containment policy refused at first because its parameter informer did
// not show the gateway yet (retried as the operator retries them).
type trustResult struct {
	floorResult
	retries int
}

// runTrustFloor sends p's requests with writers parallel writers, each
// taking the next request: gateways are created by admin (as the bench
// creates them for Portico's runs), children and statuses written by tc
// (the floor's writer or the trust floor's).
// A child's apply waits for its gateway's create (its UID goes into the
// owner reference). A gateway's time is from the start to its last
// request answered.
func runTrustFloor(ctx context.Context, admin, tc client.Client, p *trustPlan, writers int, op *operator, api *apiMetrics) (trustResult, error) {
	n := len(p.gateways)
	created := make([]chan struct{}, n)
	uids := make([]string, n)
	for i := range created {
		created[i] = make(chan struct{})
	}
	// manager.Scheme builds a scheme on each call: once, before the clock.
	scheme := manager.Scheme()
	var retries atomic.Int64
	do := func(i int) error {
		it := p.items[i]
		gw := p.gateways[it.gw]
		if it.step == trustCreate {
			defer close(created[it.gw])
			obj := gw.DeepCopy()
			if err := admin.Create(ctx, obj); err != nil {
				return fmt.Errorf("trust floor: create gateway %s/%s: %w", gw.Namespace, gw.Name, err)
			}
			uids[it.gw] = string(obj.UID)
			return nil
		}
		<-created[it.gw]
		if uids[it.gw] == "" {
			return fmt.Errorf("trust floor: gateway %s/%s was not created", gw.Namespace, gw.Name)
		}
		body := bytes.ReplaceAll(it.body, []byte(placeholderUID(it.gw)), []byte(uids[it.gw]))
		if it.step == trustStatus {
			obj := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: gw.Namespace, Name: gw.Name}}
			if err := tc.Status().Patch(ctx, obj, client.RawPatch(types.MergePatchType, body), client.FieldOwner(apply.FieldOwner)); err != nil {
				return fmt.Errorf("trust floor: status of %s/%s: %w", gw.Namespace, gw.Name, err)
			}
			return nil
		}
		// Read into the typed object, as the operator reads its applies.
		typed, err := scheme.New(it.gvk)
		if err != nil {
			return err
		}
		live := typed.(client.Object)
		live.SetNamespace(it.key.Namespace)
		live.SetName(it.key.Name)
		r, err := apply.PatchApply(ctx, tc, live, body)
		retries.Add(int64(r))
		if err != nil {
			return fmt.Errorf("trust floor: apply %s %s: %w", it.gvk.Kind, it.key, err)
		}
		return nil
	}
	r, err := runWriters(n, len(p.items), writers, func(i int) int { return p.items[i].gw }, do, op, api)
	return trustResult{floorResult: r, retries: int(retries.Load())}, err
}

// cleanTrustFloor deletes p's gateways (their finalizer, which the gateway
// defaults policy adds and no operator removes here, dropped first) and
// every child they have, by the gateway-namespace label they all carry.
func cleanTrustFloor(ctx context.Context, c client.Client, p *trustPlan) error {
	for _, gw := range p.gateways {
		obj := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: gw.Namespace, Name: gw.Name}}
		if err := c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`))); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	if err := deleteAll(ctx, c, &v1alpha1.IngressGateway{}, true, p.namespaces); err != nil {
		return err
	}
	req, err := labels.NewRequirement(render.GatewayNamespaceLabel, selection.In, p.namespaces)
	if err != nil {
		return err
	}
	sel := client.MatchingLabelsSelector{Selector: labels.NewSelector().Add(*req)}
	for _, k := range render.ManagedKinds {
		if err := deleteAll(ctx, c, k.Object.DeepCopyObject().(client.Object), k.Namespaced, p.namespaces, sel); err != nil {
			return err
		}
	}
	return nil
}

// probeContainment makes sure the containment policies judge tc's writes
// (or the trust floor would measure nothing it claims): a ConfigMap
// labelled as Portico's but of no gateway must be refused by the writes
// policy, which matches the operator by its user name, in a dry run. (No
// gateway label: the namespaces policy, bound by labels, would refuse it
// for any user.)
func probeContainment(ctx context.Context, tc client.Client, ns string) error {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "trust-probe", Labels: map[string]string{
		"app.kubernetes.io/part-of": "portico", render.ManagedByLabel: render.ManagedByValue}}}
	err := tc.Create(ctx, cm, client.DryRunAll)
	if err == nil {
		return fmt.Errorf("trust floor: the containment policies do not judge %s's writes: a ConfigMap of no gateway was admitted", trustUser)
	}
	if !strings.Contains(err.Error(), containment.WritesPolicyName) {
		return fmt.Errorf("trust floor: a ConfigMap of no gateway was refused, but not by %s: %w", containment.WritesPolicyName, err)
	}
	return nil
}

// gatewayAndTrustFloors measures the gateway floor (written by fc) and
// the trust floor (by tc) of n gateways, webhook on or off, with writers
// parallel writers. The operator is stopped for both and started again
// after, once their objects are gone; p.op is then the new process,
// drained.
func (p *porticoRuns) gatewayAndTrustFloors(fc, tc client.Client, base render.Config, tag string, n, writers int, webhook bool) (gwFloor, trust trustResult, plan *trustPlan, err error) {
	status, err := p.convergedStatus("status"+tag, webhook)
	if err != nil {
		return
	}
	tmpl, cfg, in, err := floorInputs(p.ctx, p.c, webhook, base, "t"+tag)
	if err != nil {
		return
	}
	gwPlan, err := planTrustFloor(p.ctx, p.c, "gw"+tag, n, p.namespaces, webhook, false, tmpl, cfg, in, status)
	if err != nil {
		return
	}
	plan, err = planTrustFloor(p.ctx, p.c, "t"+tag, n, p.namespaces, webhook, true, tmpl, cfg, in, status)
	if err != nil {
		return
	}
	if err = probeContainment(p.ctx, tc, plan.namespaces[0]); err != nil {
		return
	}
	p.op.stop()
	if p.cfg.selfProfile != "" {
		f, err := os.Create(p.cfg.selfProfile)
		if err != nil {
			return gwFloor, trust, nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return gwFloor, trust, nil, err
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	for _, f := range []struct {
		name   string
		plan   *trustPlan
		writer client.Client
		out    *trustResult
	}{{"gateway floor", gwPlan, fc, &gwFloor}, {"trust floor", plan, tc, &trust}} {
		time.Sleep(2 * time.Second) // the namespaces' creation, the last deletions settle
		r, err := runTrustFloor(p.ctx, p.c, f.writer, f.plan, writers, p.op, p.api)
		if err != nil {
			return gwFloor, trust, nil, err
		}
		s := summarize(r.lat)
		fmt.Printf("    %s, %d writers: %d gateways, %d children each, in %.1f s (%.0f requests/s); per gateway p50 %.1f s, p90 %.1f s; applies retried for the containment policy's parameters: %d\n    CPU: %s\n    API server: %s\n",
			f.name, writers, n, f.plan.perGateway, r.d.Seconds(), float64(r.objects)/r.d.Seconds(), s.median, s.p90, r.retries, r.cpu, r.api)
		t0 := time.Now()
		if err := cleanTrustFloor(p.ctx, p.c, f.plan); err != nil {
			return gwFloor, trust, nil, err
		}
		fmt.Printf("    (its objects deleted in %.1f s, not timed)\n", time.Since(t0).Seconds())
		*f.out = r
	}
	t0 := time.Now()
	if p.op, err = launchOperator(p.ctx, p.work, p.cfg.syncPeriod, p.cfg.operatorArgs, p.cfg.memoryLimit); err != nil {
		return
	}
	if _, err = p.op.waitDrained(p.held, 5*time.Minute); err != nil {
		return
	}
	fmt.Printf("    (the operator started again and drained in %.1f s)\n", time.Since(t0).Seconds())
	time.Sleep(2 * time.Second)
	return gwFloor, trust, plan, nil
}

// describe is the trust floor's plan in a few words.
func (p *trustPlan) describe() string {
	return fmt.Sprintf("the gateway, %d children as the operator's ServiceAccount, its status", p.perGateway)
}
