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
	"testing"
	"unsafe"

	"k8s.io/apimachinery/pkg/types"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/apply"
)

// TestMemoRecords: the memo gives back every record exactly as it was
// remembered, compact (an API server's UIDs and resourceVersions) or not.
func TestMemoRecords(t *testing.T) {
	m := newMemoStore()
	gw := types.UID("gw-uid")
	recs := map[string]apply.Record{
		"ConfigMap/ns/gw-controller":         {UID: "3f6c2b1e-9a0d-4c5e-8f7a-0123456789ab", RV: "123456", Generation: 1, Hash: apply.Digest{1}},
		"ServiceAccount/ns/gw":               {UID: "uid-1", RV: "7", Hash: apply.Digest{2}},                                  // not a UUID
		"Role/ns/gw":                         {UID: "3f6c2b1e-9a0d-4c5e-8f7a-0123456789ab", RV: "007", Hash: apply.Digest{3}}, // not canonical
		"DaemonSet/ns/gw-controller":         {UID: "3F6C2B1E-9A0D-4C5E-8F7A-0123456789AB", RV: "9", Hash: apply.Digest{4}},   // upper case
		"IngressClass.networking.k8s.io//gw": {UID: "3f6c2b1e-9a0d-4c5e-8f7a-0123456789ab", RV: "x1", Hash: apply.Digest{5}},
	}
	for k, r := range recs {
		m.Remember(gw, k, r)
	}
	for k, want := range recs {
		if got, ok := m.Record(gw, k); !ok || got != want {
			t.Errorf("%s: got %+v (found: %v), want %+v", k, got, ok, want)
		}
	}
	// A second apply replaces the record; forgetting one child keeps the rest.
	next := apply.Record{UID: "3f6c2b1e-9a0d-4c5e-8f7a-0123456789ab", RV: "123470", Generation: 2, Hash: apply.Digest{6}}
	m.Remember(gw, "ConfigMap/ns/gw-controller", next)
	m.ForgetChild(gw, "ServiceAccount/ns/gw")
	if got, _ := m.Record(gw, "ConfigMap/ns/gw-controller"); got != next {
		t.Errorf("after a second apply: %+v, want %+v", got, next)
	}
	if _, ok := m.Record(gw, "ServiceAccount/ns/gw"); ok {
		t.Error("a forgotten child still has a record")
	}
	if got, ok := m.Record(gw, "Role/ns/gw"); !ok || got != recs["Role/ns/gw"] {
		t.Errorf("another child's record changed: %+v", got)
	}
	m.read(gw, func(g *gatewayMemo) {
		if len(g.applied) != len(recs)-1 {
			t.Errorf("%d records kept, want %d", len(g.applied), len(recs)-1)
		}
	})
	if _, ok := m.Record("other", "Role/ns/gw"); ok {
		t.Error("another gateway has this gateway's record")
	}
	m.Forget(gw)
	if _, ok := m.Record(gw, "Role/ns/gw"); ok {
		t.Error("Forget kept a record")
	}
	if n := unsafe.Sizeof(childRecord{}); n != 80 {
		t.Errorf("a child's record is %d bytes, said to be 80", n)
	}
}

// TestMemoCachedAt: the copies of a written status and Secret go once the
// cache shows that version or a later one, not before.
func TestMemoCachedAt(t *testing.T) {
	m := newMemoStore()
	gw := types.UID("gw")
	ca, serving := types.NamespacedName{Namespace: "ns", Name: "ca"}, types.NamespacedName{Namespace: "ns", Name: "serving"}
	m.update(gw, func(g *gatewayMemo) {
		g.status = &statusMemo{rv: "20", status: &v1alpha1.IngressGatewayStatus{}}
		g.secrets = map[types.NamespacedName]secretMemo{ca: {rv: "10"}, serving: {rv: "11"}}
	})
	held := func() (bool, int) {
		var status bool
		var secrets int
		m.read(gw, func(g *gatewayMemo) { status, secrets = g.status.status != nil, len(g.secrets) })
		return status, secrets
	}
	m.cachedAt(gw, nil, "19")
	m.cachedAt(gw, &ca, "9")
	m.cachedAt(gw, &serving, "not a version")
	if status, secrets := held(); !status || secrets != 2 {
		t.Fatalf("older versions dropped copies: status %v, %d Secrets", status, secrets)
	}
	m.cachedAt(gw, nil, "20")
	m.cachedAt(gw, &ca, "12")
	if status, secrets := held(); status || secrets != 1 {
		t.Fatalf("after the cache caught up: status %v, %d Secrets, want none and the serving Secret", status, secrets)
	}
	m.cachedAt(gw, &serving, "11")
	m.read(gw, func(g *gatewayMemo) {
		if g.secrets != nil {
			t.Errorf("an empty Secret memo is kept: %v", g.secrets)
		}
		// The version written stays (writeStatus: a pass with an older
		// copy of the gateway reads it again).
		if g.status == nil || g.status.rv != "20" {
			t.Errorf("the status memo's version went: %+v", g.status)
		}
	})
	// A gateway without a memo gets none.
	m.cachedAt("other", nil, "5")
	m.cachedAt("other", &ca, "5")
	m.read("other", func(g *gatewayMemo) {
		if g != nil {
			t.Error("cachedAt created a memo")
		}
	})
}

func TestParseUUID(t *testing.T) {
	for _, s := range []string{"3f6c2b1e-9a0d-4c5e-8f7a-0123456789ab", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
		u, ok := parseUUID(s)
		if !ok || formatUUID(u) != s {
			t.Errorf("%s: parsed %v (%v), formatted back %s", s, u, ok, formatUUID(u))
		}
	}
	for _, s := range []string{"", "3f6c2b1e-9a0d-4c5e-8f7a-0123456789a", "3f6c2b1e9a0d-4c5e-8f7a-0123456789abc", "3f6c2b1e-9a0d-4c5e-8f7a-0123456789aG", "3F6C2B1E-9A0D-4C5E-8F7A-0123456789AB"} {
		if _, ok := parseUUID(s); ok {
			t.Errorf("%q parsed as a canonical UUID", s)
		}
	}
}
