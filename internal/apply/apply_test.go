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

package apply

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func cm(rv string, data map[string]string, ann map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns", ResourceVersion: rv, Annotations: ann}, Data: data}
}

// TestOutcome: the write's outcome comes from the resourceVersions, and
// what changed is never an empty list.
func TestOutcome(t *testing.T) {
	live := cm("2", nil, nil)
	cases := []struct {
		name string
		p    Plan
		live *corev1.ConfigMap
		want Outcome
	}{
		{"created", Plan{}, live, Created},
		{"same resourceVersion: unchanged", Plan{Current: cm("2", nil, nil)}, live, Unchanged},
		{"a hand edit reverted", Plan{Current: cm("1", nil, nil), Reverted: true}, live, Reverted},
		{"a new rendering", Plan{Current: cm("1", nil, nil)}, live, Updated},
	}
	for _, tc := range cases {
		if got := tc.p.Outcome(tc.live); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	for _, p := range []Plan{
		{Current: cm("1", nil, nil)},
		{Current: cm("1", nil, map[string]string{RenderHashAnnotation: "x"})},
		{Current: cm("1", nil, nil), Drift: []string{"data"}},
	} {
		if len(p.Changed()) == 0 {
			t.Errorf("%+v: no field group named", p)
		}
	}
	if got := (&Plan{Current: cm("1", nil, nil)}).Changed(); !slices.Equal(got, []string{"annotation " + RenderHashAnnotation}) {
		t.Errorf("a child without the render hash: %v", got)
	}
}

// TestDrift: everything rendered must be there; what the API server or
// another manager adds is not drift, a ConfigMap key added by hand is.
func TestDrift(t *testing.T) {
	desired := cm("", map[string]string{"a": "1"}, nil)
	for _, tc := range []struct {
		name    string
		current *corev1.ConfigMap
		want    []string
	}{
		{"as rendered", cm("5", map[string]string{"a": "1"}, nil), nil},
		{"an annotation added by another controller", cm("5", map[string]string{"a": "1"}, map[string]string{"x": "y"}), nil},
		{"a value edited", cm("5", map[string]string{"a": "2"}, nil), []string{"data"}},
		{"a key added by hand", cm("5", map[string]string{"a": "1", "b": "2"}, nil), []string{"data"}},
	} {
		got, err := drift(desired, tc.current)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: drift %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestUnchanged: a remembered apply of the same rendering to the same
// object is trusted while the object is at (or, in a lagging cache,
// before) the resourceVersion that apply returned.
func TestUnchanged(t *testing.T) {
	rec := Record{UID: "u", RV: "10", Hash: Digest{1}}
	cur := cm("10", nil, nil)
	cur.UID = "u"
	if !unchanged(rec, true, Digest{1}, cm("", nil, nil), cur) {
		t.Error("the object the last apply left is not unchanged")
	}
	if unchanged(rec, true, Digest{2}, cm("", nil, nil), cur) {
		t.Error("a new rendering is unchanged")
	}
	if unchanged(rec, false, Digest{1}, cm("", nil, nil), cur) {
		t.Error("unchanged without a record")
	}
	older := cm("9", nil, nil)
	older.UID = "u"
	if !unchanged(rec, true, Digest{1}, cm("", nil, nil), older) {
		t.Error("a cache behind our own write is taken for a change")
	}
	newer := cm("11", nil, nil)
	newer.UID = "u"
	if unchanged(rec, true, Digest{1}, cm("", nil, nil), newer) {
		t.Error("an edit after our write (no generation to compare) is unchanged")
	}
}
