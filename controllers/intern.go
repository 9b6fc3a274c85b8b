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
	"reflect"
	"sync"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/portico-dev/portico/internal/apply"
)

// internGeneration is how many strings one generation of the pool holds;
// two generations at most are kept, so the pool stays bounded however
// many gateways come and go.
const internGeneration = 1 << 16

// stringPool hands out one copy of each string. Decoding gives every
// cached child its own copy of the label keys, images, flags, owner
// references and CA bundles that every gateway's children repeat; the
// pool makes them one. Strings unused for a generation are dropped from it
// (objects keep theirs), so it never grows without bound.
type stringPool struct {
	mu       sync.Mutex
	cur, old map[string]string
}

var pool = &stringPool{cur: map[string]string{}}

func (p *stringPool) intern(s string) string {
	if s == "" {
		return s
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.cur[s]; ok {
		return c
	}
	if c, ok := p.old[s]; ok {
		s = c
	}
	if len(p.cur) >= internGeneration {
		p.old, p.cur = p.cur, make(map[string]string, internGeneration/4)
	}
	p.cur[s] = s
	return s
}

// internBytes returns b's pooled copy. Cached objects are never written to
// (readers get deep copies), so sharing the bytes is safe; the capacity is
// the length, so an append copies.
func (p *stringPool) internBytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	s := p.intern(string(b))
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

var objectMetaType = reflect.TypeFor[metav1.ObjectMeta]()

// internStrings replaces, in place, every string and byte slice of the
// object v points to with its pooled copy, but for what is unique to one
// object (UID, resourceVersion, render hash), which would only fill the
// pool.
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
	m.Name = pool.intern(m.Name)
	m.Namespace = pool.intern(m.Namespace)
	m.GenerateName = pool.intern(m.GenerateName)
	if m.Labels != nil {
		l := make(map[string]string, len(m.Labels))
		for k, v := range m.Labels {
			l[pool.intern(k)] = pool.intern(v)
		}
		m.Labels = l
	}
	if m.Annotations != nil {
		a := make(map[string]string, len(m.Annotations))
		for k, v := range m.Annotations {
			if k != apply.RenderHashAnnotation {
				v = pool.intern(v)
			}
			a[pool.intern(k)] = v
		}
		m.Annotations = a
	}
	for i := range m.OwnerReferences {
		internStrings(reflect.ValueOf(&m.OwnerReferences[i]).Elem())
	}
	for i := range m.Finalizers {
		m.Finalizers[i] = pool.intern(m.Finalizers[i])
	}
}

// internTransform is a cache transform: managed fields go (nothing reads
// them), repeated strings are pooled.
func internTransform(in any) (any, error) {
	if o, ok := in.(metav1.Object); ok {
		o.SetManagedFields(nil)
	}
	if v := reflect.ValueOf(in); v.Kind() == reflect.Pointer && !v.IsNil() {
		internStrings(v.Elem())
	}
	return in, nil
}
