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

package controllers

import (
	"context"
	"fmt"
	"slices"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// errRouterIDsExhausted says every VRRP router ID is in use.
var errRouterIDsExhausted = fmt.Errorf("every VRRP router ID (1-255) is used by another gateway; set spec.vip.virtualRouterID to one that is free on this network segment")

// routerID returns gw's VRRP router ID: spec.vip.virtualRouterID, else the
// one recorded in status (stable across operator restarts) while no other
// gateway uses it, else the lowest free one. Allocation is serialised in
// this process and remembered, so two gateways reconciled at once never get
// the same ID.
func (r *Reconciler) routerID(ctx context.Context, gw *v1alpha1.IngressGateway) (int32, error) {
	if v := gw.Spec.VIP.VirtualRouterID; v != nil {
		return *v, nil
	}
	// Once allocated in this process an ID stays valid (the webhook refuses
	// explicit IDs in use), so only the first reconcile after a start pays
	// for listing every gateway.
	var id int32
	r.memo.read(gw.UID, func(g *gatewayMemo) {
		if g != nil {
			id = g.routerID
		}
	})
	if id != 0 {
		return id, nil
	}
	gws := &v1alpha1.IngressGatewayList{}
	if err := r.Client.List(ctx, gws); err != nil {
		return 0, fmt.Errorf("list IngressGateways (for a free router ID): %w", err)
	}
	r.memo.mu.Lock()
	defer r.memo.mu.Unlock()
	allocated := func(uid types.UID) int32 {
		if g := r.memo.gateways[uid]; g != nil {
			return g.routerID
		}
		return 0
	}
	used := map[int32]bool{}
	// Every ID handed out in this process counts, also for gateways the
	// list above (from the cache) does not show yet: two gateways created
	// together must not both get the lowest free ID.
	for uid, g := range r.memo.gateways {
		if uid != gw.UID && g.routerID != 0 {
			used[g.routerID] = true
		}
	}
	for i := range gws.Items {
		o := &gws.Items[i]
		if o.UID == gw.UID || o.Spec.VIP == nil {
			continue
		}
		switch {
		case o.Spec.VIP.VirtualRouterID != nil:
			used[*o.Spec.VIP.VirtualRouterID] = true
		case allocated(o.UID) != 0:
			used[allocated(o.UID)] = true
		case o.Status.VIP != nil && o.Status.VIP.RouterID != 0:
			used[o.Status.VIP.RouterID] = true
		}
	}
	for _, id := range []int32{allocated(gw.UID), statusRouterID(gw)} {
		if id != 0 && !used[id] {
			r.memo.gateway(gw.UID).routerID = id
			return id, nil
		}
	}
	for id := int32(1); id <= 255; id++ {
		if !used[id] {
			r.memo.gateway(gw.UID).routerID = id
			return id, nil
		}
	}
	return 0, errRouterIDsExhausted
}

func statusRouterID(gw *v1alpha1.IngressGateway) int32 {
	if gw.Status.VIP != nil {
		return gw.Status.VIP.RouterID
	}
	return 0
}

// vipPeers returns the addresses of the nodes running gw's pods, sorted:
// the unicast peers of its keepalived instances.
func (r *Reconciler) vipPeers(ctx context.Context, gw *v1alpha1.IngressGateway) ([]string, error) {
	pods := &corev1.PodList{}
	if err := r.Client.List(ctx, pods, client.InNamespace(gw.Namespace), client.MatchingLabels(render.SelectorLabels(gw))); err != nil {
		return nil, err
	}
	var peers []string
	for _, p := range pods.Items {
		if p.Status.HostIP == "" || p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		if !slices.Contains(peers, p.Status.HostIP) {
			peers = append(peers, p.Status.HostIP)
		}
	}
	slices.Sort(peers)
	return peers, nil
}

// vipHolder returns the node the VIP Lease names, "" when none.
func (r *Reconciler) vipHolder(ctx context.Context, gw *v1alpha1.IngressGateway) (string, error) {
	l := &coordinationv1.Lease{}
	err := r.Client.Get(ctx, render.VIPLeaseName(gw), l)
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil || l.Spec.HolderIdentity == nil {
		return "", err
	}
	return *l.Spec.HolderIdentity, nil
}
