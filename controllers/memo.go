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
	"hash/maphash"
	"slices"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"

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
	// secrets are its webhook Secrets as this process last wrote them
	// (nil until one is written).
	secrets map[types.NamespacedName]secretMemo
	// applied is what the last apply of each child left (childRecord).
	applied []childRecord
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
		g = &gatewayMemo{}
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

// cachedAt drops what uid's memo keeps of an object until the cache shows
// it (the status this process wrote, a webhook Secret it wrote, by key)
// once the cache holds that object at rv or later: from then on the memo
// would only be a second copy of it. The cache's handlers call it, after
// the cache's store holds rv. Of a status, the version written stays: a
// pass that read the gateway before the cache caught up reads it again
// (writeStatus). A Secret's memo is read before the cache, so a pass
// finds one or the other. writeStatus and ownSecretData also drop what
// they find the cache has caught up with.
func (m *memoStore) cachedAt(uid types.UID, secret *types.NamespacedName, rv string) {
	newer := func(memoRV string) bool {
		c, err := resourceversion.CompareResourceVersion(rv, memoRV)
		return err == nil && c >= 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.gateways[uid]
	switch {
	case g == nil:
	case secret == nil:
		if g.status != nil && newer(g.status.rv) {
			g.status.status = nil
		}
	default:
		if s, ok := g.secrets[*secret]; ok && newer(s.rv) {
			delete(g.secrets, *secret)
			if len(g.secrets) == 0 {
				g.secrets = nil
			}
		}
	}
}

// Record, Remember and ForgetChild keep the applier's records in the
// gateway's memo (apply.Records), so Forget drops them with the rest.
func (m *memoStore) Record(gw types.UID, key string) (rec apply.Record, ok bool) {
	k := recordKeyHash(key)
	m.read(gw, func(g *gatewayMemo) {
		if g == nil {
			return
		}
		if i := g.record(k); i >= 0 {
			rec, ok = g.applied[i].record(), true
		}
	})
	return rec, ok
}

// Remember records what the last apply of one of gw's children left.
func (m *memoStore) Remember(gw types.UID, key string, rec apply.Record) {
	c := compactRecord(recordKeyHash(key), rec)
	m.update(gw, func(g *gatewayMemo) {
		if i := g.record(c.key); i >= 0 {
			g.applied[i] = c
			return
		}
		g.applied = append(g.applied, c)
	})
}

// ForgetChild drops the record of one of gw's children (deleted).
func (m *memoStore) ForgetChild(gw types.UID, key string) {
	k := recordKeyHash(key)
	m.read(gw, func(g *gatewayMemo) {
		if g == nil {
			return
		}
		if i := g.record(k); i >= 0 {
			g.applied = slices.Delete(g.applied, i, i+1)
		}
	})
}

// record returns the index of the record of the child whose key hashes
// to k, -1 when there is none; the caller holds m.mu.
func (g *gatewayMemo) record(k uint64) int {
	return slices.IndexFunc(g.applied, func(c childRecord) bool { return c.key == k })
}

// childRecord is an apply.Record as the memo keeps it: a gateway has a
// dozen children and a fleet a thousand gateways, and a map from
// apply.RecordKey strings to records of three more strings each cost some
// 3 KiB a gateway; this is 80 bytes a child, the render hash's 32 bytes
// (apply.Digest) included. The key is a hash of
// apply.RecordKey: two children whose keys collide could only make one
// take the other's record, which never matches it (a record applies only
// to the object with its UID), so the cost is an apply, never a skipped
// one. The UID and resourceVersion are kept as numbers when they are (the
// API server's always are), as given otherwise.
type childRecord struct {
	key        uint64
	id         objectID
	generation int64
	hash       apply.Digest
	// other is the record as given when its UID or resourceVersion is
	// not a number.
	other *apply.Record
}

var recordSeed = maphash.MakeSeed()

func recordKeyHash(key string) uint64 { return maphash.String(recordSeed, key) }

func compactRecord(key uint64, rec apply.Record) childRecord {
	id, ok := compactID(rec.UID, rec.RV)
	if !ok {
		return childRecord{key: key, other: &rec}
	}
	return childRecord{key: key, id: id, generation: rec.Generation, hash: rec.Hash}
}

func (c childRecord) record() apply.Record {
	if c.other != nil {
		return *c.other
	}
	return apply.Record{UID: c.id.UID(), RV: c.id.RV(), Generation: c.generation, Hash: c.hash}
}

// objectID is an object's UID and resourceVersion in 24 bytes instead of
// two strings (some 64 bytes more with their contents), for the memo's
// records and the cache's compact types.
type objectID struct {
	uid [16]byte
	rv  uint64
}

// compactID returns uid and rv as an objectID; false when either is not
// in the API server's form (a canonical UUID, a decimal number without
// leading zeros), which the caller then keeps as given.
func compactID(uid types.UID, rv string) (objectID, bool) {
	u, okUID := parseUUID(string(uid))
	n, err := strconv.ParseUint(rv, 10, 64)
	if !okUID || err != nil || strconv.FormatUint(n, 10) != rv {
		return objectID{}, false
	}
	return objectID{uid: u, rv: n}, true
}

func (id objectID) UID() types.UID { return types.UID(formatUUID(id.uid)) }
func (id objectID) RV() string     { return strconv.FormatUint(id.rv, 10) }

// parseUUID parses the canonical form of a UUID (8-4-4-4-12 lowercase
// hex digits, as the API server writes UIDs).
func parseUUID(s string) (u [16]byte, ok bool) {
	const layout = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
	if len(s) != len(layout) {
		return u, false
	}
	for i, j := 0, 0; i < len(layout); i++ {
		if layout[i] == '-' {
			if s[i] != '-' {
				return u, false
			}
			continue
		}
		v, ok := fromHexLower(s[i])
		if !ok {
			return u, false
		}
		if j%2 == 0 {
			u[j/2] = v << 4
		} else {
			u[j/2] |= v
		}
		j++
	}
	return u, true
}

func fromHexLower(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// formatUUID is parseUUID's inverse.
func formatUUID(u [16]byte) string {
	const digits = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = digits[x>>4], digits[x&15]
		j += 2
	}
	return string(b[:])
}
