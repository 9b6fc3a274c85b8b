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
	"sync"

	"k8s.io/apimachinery/pkg/types"

	"github.com/portico-dev/portico/internal/apply"
)

// memoStore is everything the operator remembers between reconciles to
// skip work. None of it is a source of truth: a restart loses it all and
// costs only work, no write (children carry RenderHashAnnotation, and each
// child the cache holds without its content is read once; status, Secrets
// and router IDs are read back from the cluster). What belongs to
// one gateway goes with Forget(uid); what is shared (a Secret or Service
// several gateways reference) is kept by key.
type memoStore struct {
	mu       sync.Mutex
	gateways map[types.UID]*gatewayMemo
	// certs are the parsed default certificates by Secret: gateways that
	// share one (a namespace's wildcard certificate) read it once.
	certs map[types.NamespacedName]certMemo
	// services are the ports of backend Services by Service.
	services map[types.NamespacedName]servicePorts
}

// gatewayMemo is what is remembered of one gateway.
type gatewayMemo struct {
	// rendered are the apply-body hashes of its children.
	rendered *renderedHashes
	// status is the status this process last wrote.
	status *statusMemo
	// pki is the last webhook certificate decision.
	pki *pkiMemo
	// routerID is the VRRP router ID allocated in this process.
	routerID int32
	// secrets are its webhook Secrets as this process last wrote them.
	secrets map[types.NamespacedName]secretMemo
	// applied is, by child (apply.RecordKey), what its last apply left.
	applied map[string]apply.Record
}

func newMemoStore() *memoStore {
	m := &memoStore{}
	m.ForgetAll()
	return m
}

// gateway returns uid's memo, creating it; the caller holds m.mu.
func (m *memoStore) gateway(uid types.UID) *gatewayMemo {
	g := m.gateways[uid]
	if g == nil {
		g = &gatewayMemo{secrets: map[types.NamespacedName]secretMemo{}, applied: map[string]apply.Record{}}
		m.gateways[uid] = g
	}
	return g
}

// read runs fn on uid's memo (nil when there is none) under the lock.
func (m *memoStore) read(uid types.UID, fn func(g *gatewayMemo)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn(m.gateways[uid])
}

// update runs fn on uid's memo (created if needed) under the lock.
func (m *memoStore) update(uid types.UID, fn func(g *gatewayMemo)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn(m.gateway(uid))
}

// Forget drops everything remembered of one gateway (deleted, or its
// memo no longer trusted).
func (m *memoStore) Forget(uid types.UID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.gateways, uid)
}

// ForgetAll drops every memo, as an operator restart does.
func (m *memoStore) ForgetAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gateways = map[types.UID]*gatewayMemo{}
	m.certs = map[types.NamespacedName]certMemo{}
	m.services = map[types.NamespacedName]servicePorts{}
}

// Record, Remember and ForgetChild keep the applier's records in the
// gateway's memo (apply.Records), so Forget drops them with the rest.
func (m *memoStore) Record(gw types.UID, key string) (rec apply.Record, ok bool) {
	m.read(gw, func(g *gatewayMemo) {
		if g != nil {
			rec, ok = g.applied[key]
		}
	})
	return rec, ok
}

// Remember records what the last apply of one of gw's children left.
func (m *memoStore) Remember(gw types.UID, key string, rec apply.Record) {
	m.update(gw, func(g *gatewayMemo) { g.applied[key] = rec })
}

// ForgetChild drops the record of one of gw's children (deleted).
func (m *memoStore) ForgetChild(gw types.UID, key string) {
	m.read(gw, func(g *gatewayMemo) {
		if g != nil {
			delete(g.applied, key)
		}
	})
}
