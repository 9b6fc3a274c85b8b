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
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"
	"weak"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/portico-dev/portico/internal/apply"
)

// sharedPool hands out one instance of each label set and owner reference
// list: a gateway's children carry the same labels and the same owner
// reference, and a map or a slice of structs costs far more than its
// strings (a label map of eight entries is some 350 bytes). Cached objects
// are never written to (readers get deep copies, and the few uncopied
// lists only read), so sharing them is safe. Values are found by a hash of
// their content and compared whole. Held weakly: a value no object holds
// any more goes, and its entry at the next sweep, so a pool grows with the
// values in use only.
type sharedPool[V any] struct {
	mu sync.Mutex
	// byHash finds a pooled value by a hash of its content (a weak
	// reference cannot be a map key); two values with the same hash are
	// not shared.
	byHash map[uint64]weakValue
	// sweepAt is the size at which dead entries are dropped.
	sweepAt int
	equal   func(a, b V) bool
	// ref gives the allocation a pooled value refers to (a map's, a
	// slice's array) and its length; deref rebuilds the value from them.
	ref   func(V) (*byte, int)
	deref func(*byte, int) V
}

type weakValue struct {
	data weak.Pointer[byte]
	len  int
}

func newSharedPool[V any](equal func(a, b V) bool, ref func(V) (*byte, int), deref func(*byte, int) V) *sharedPool[V] {
	return &sharedPool[V]{byHash: map[uint64]weakValue{}, sweepAt: minSweep, equal: equal, ref: ref, deref: deref}
}

// get returns the pooled value equal to v (whose content hashes to key),
// made from v by mk when there is none. mk must return a value of its own
// allocation (a new map, a new array).
func (p *sharedPool[V]) get(key uint64, v V, mk func(V) V) V {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.byHash[key]; ok {
		if data := e.data.Value(); data != nil {
			if c := p.deref(data, e.len); p.equal(c, v) {
				return c
			}
			// Another value with the same hash holds the slot: not shared.
			return mk(v)
		}
	}
	if len(p.byHash) >= p.sweepAt {
		p.sweep()
	}
	c := mk(v)
	data, n := p.ref(c)
	p.byHash[key] = weakValue{data: weak.Make(data), len: n}
	return c
}

// sweep drops the entries whose value is gone, and sets the size of the
// next sweep to twice what is left, so sweeping costs O(1) an insert; the
// caller holds p.mu.
func (p *sharedPool[V]) sweep() {
	for k, e := range p.byHash {
		if e.data.Value() == nil {
			delete(p.byHash, k)
		}
	}
	p.sweepAt = max(minSweep, 2*len(p.byHash))
}

// minSweep is the smallest size at which a pool sweeps.
const minSweep = 4096

// stringPool hands out one copy of each string. Decoding gives every
// cached child its own copy of the label keys, images, flags, owner
// references and CA bundles that every gateway's children repeat; the
// pool makes them one. Held weakly (sharedPool): the pool never keeps
// what only deleted objects used (a deleted gateway's certificates and
// keys, say).
type stringPool struct{ *sharedPool[string] }

func newStringPool() *stringPool {
	return &stringPool{newSharedPool(func(a, b string) bool { return a == b },
		func(s string) (*byte, int) { return unsafe.StringData(s), len(s) },
		func(p *byte, n int) string { return unsafe.String(p, n) })} //nolint:gocritic // unsafe.String is a built-in, not a function value
}

var pool = newStringPool()

var (
	poolSeed  = maphash.MakeSeed()
	labelSets = newSharedPool(maps.Equal[map[string]string, map[string]string],
		// A map is a pointer to its header, which the pool holds weakly.
		func(m map[string]string) (*byte, int) { return *(**byte)(unsafe.Pointer(&m)), 0 },
		func(p *byte, _ int) map[string]string { return *(*map[string]string)(unsafe.Pointer(&p)) })
	ownerRefs = newSharedPool(func(a, b []metav1.OwnerReference) bool {
		return slices.EqualFunc(a, b, func(x, y metav1.OwnerReference) bool {
			return x.APIVersion == y.APIVersion && x.Kind == y.Kind && x.Name == y.Name && x.UID == y.UID &&
				equalBool(x.Controller, y.Controller) && equalBool(x.BlockOwnerDeletion, y.BlockOwnerDeletion)
		})
	},
		func(r []metav1.OwnerReference) (*byte, int) {
			return (*byte)(unsafe.Pointer(unsafe.SliceData(r))), len(r)
		},
		func(p *byte, n int) []metav1.OwnerReference {
			return unsafe.Slice((*metav1.OwnerReference)(unsafe.Pointer(p)), n)
		})
)

func equalBool(a, b *bool) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// sharedLabels returns the pooled instance of a label set equal to l.
func sharedLabels(l map[string]string) map[string]string {
	// Entries are hashed one by one and summed: the sum does not depend
	// on the map's order.
	var sum uint64
	for k, v := range l {
		var h maphash.Hash
		h.SetSeed(poolSeed)
		h.WriteString(k)
		h.WriteByte(0)
		h.WriteString(v)
		sum += h.Sum64()
	}
	return labelSets.get(sum, l, func(l map[string]string) map[string]string {
		out := make(map[string]string, len(l))
		for k, v := range l {
			out[pool.intern(k)] = pool.intern(v)
		}
		return out
	})
}

// sharedOwnerRefs returns the pooled instance of an owner reference list
// equal to refs; its capacity is its length, so an append copies.
func sharedOwnerRefs(refs []metav1.OwnerReference) []metav1.OwnerReference {
	var h maphash.Hash
	h.SetSeed(poolSeed)
	for _, r := range refs {
		for _, s := range []string{r.APIVersion, r.Kind, r.Name, string(r.UID)} {
			h.WriteString(s)
			h.WriteByte(0)
		}
		for _, p := range []*bool{r.Controller, r.BlockOwnerDeletion} {
			switch {
			case p == nil:
				h.WriteByte('-')
			case *p:
				h.WriteByte('t')
			default:
				h.WriteByte('f')
			}
		}
	}
	return ownerRefs.get(h.Sum64(), refs, func(refs []metav1.OwnerReference) []metav1.OwnerReference {
		out := slices.Clone(refs)
		for i := range out {
			internStrings(reflect.ValueOf(&out[i]).Elem())
		}
		return slices.Clip(out)
	})
}

// intern returns the pooled copy of s: one of the pool's own (a new
// allocation, so that a string which is part of a larger one, or not on
// the heap, is never what the pool refers to).
func (p *stringPool) intern(s string) string {
	if s == "" {
		return s
	}
	return p.get(maphash.String(poolSeed, s), s, strings.Clone)
}

// internBytes returns b's pooled copy. Cached objects are never written to
// (readers get deep copies), so sharing the bytes is safe; the capacity is
// the length, so an append copies.
func (p *stringPool) internBytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	// intern copies what it keeps: b is only read.
	s := p.intern(unsafe.String(&b[0], len(b)))
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

var objectMetaType = reflect.TypeFor[metav1.ObjectMeta]()

// internStrings replaces, in place, every string and byte slice of the
// object v points to with its pooled copy, but for what is unique to one
// object or nearly (UID, resourceVersion, render hash, name), which would
// only fill the pool.
func internStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(pool.intern(v.String()))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			internStrings(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == objectMetaType {
			internMeta(v.Addr().Interface().(*metav1.ObjectMeta))
			return
		}
		t := v.Type()
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				internStrings(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.IsNil() || !v.CanSet() {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes(pool.internBytes(v.Bytes()))
			return
		}
		for i := range v.Len() {
			internStrings(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		// Map entries cannot be changed in place: rebuild the map.
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(it.Key())
			internStrings(k)
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			internStrings(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

func internMeta(m *metav1.ObjectMeta) {
	// Not the name: a child's name is shared by a few children of other
	// kinds at most, and a pool entry costs more than those copies
	// (BenchmarkCachedChildren: 480 bytes a gateway more with names
	// pooled).
	m.Namespace = pool.intern(m.Namespace)
	m.GenerateName = pool.intern(m.GenerateName)
	if m.Labels != nil {
		m.Labels = sharedLabels(m.Labels)
	}
	if _, hashed := m.Annotations[apply.RenderHashAnnotation]; m.Annotations != nil && !hashed {
		// Without a render hash, the annotations of a child the cache
		// trims are like many others' (cachedAnnotations).
		m.Annotations = sharedLabels(m.Annotations)
	} else if m.Annotations != nil {
		a := make(map[string]string, len(m.Annotations))
		for k, v := range m.Annotations {
			if k != apply.RenderHashAnnotation {
				v = pool.intern(v)
			}
			a[pool.intern(k)] = v
		}
		m.Annotations = a
	}
	if len(m.OwnerReferences) > 0 {
		m.OwnerReferences = sharedOwnerRefs(m.OwnerReferences)
	}
	for i := range m.Finalizers {
		m.Finalizers[i] = pool.intern(m.Finalizers[i])
	}
}

// internTransform is a cache transform: managed fields go (nothing reads
// them), repeated strings are pooled.
func internTransform(in any) (any, error) {
	internObject(in)
	return in, nil
}

// internObject drops in's managed fields and pools its strings, in place.
func internObject(in any) {
	if o, ok := in.(metav1.Object); ok {
		o.SetManagedFields(nil)
	}
	if v := reflect.ValueOf(in); v.Kind() == reflect.Pointer && !v.IsNil() {
		internStrings(v.Elem())
	}
}
