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
	"os"
	"reflect"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// TestRBACCoversEveryManagedKind: the operator's ClusterRole (generated from
// the +kubebuilder:rbac markers) lets it do everything the applier and the
// prune do to every kind in render.ManagedKinds, so a new kind cannot ship
// without its markers.
func TestRBACCoversEveryManagedKind(t *testing.T) {
	b, err := os.ReadFile("../config/rbac/role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	role := rbacv1.ClusterRole{}
	if err := yaml.Unmarshal(b, &role); err != nil {
		t.Fatal(err)
	}
	need := []string{"get", "list", "watch", "create", "update", "patch", "delete"}
	for _, k := range render.ManagedKinds {
		var have []string
		for _, r := range role.Rules {
			if slices.Contains(r.APIGroups, k.GVK.Group) && slices.Contains(r.Resources, k.Resource) && len(r.ResourceNames) == 0 {
				have = append(have, r.Verbs...)
			}
		}
		for _, v := range need {
			if !slices.Contains(have, v) {
				t.Errorf("%s (%s): the operator's ClusterRole lacks %q; add a +kubebuilder:rbac marker in controllers and run make manifests", k.GVK.Kind, k.Resource, v)
			}
		}
	}
}

func apiutilGVK(t *testing.T, o runtime.Object, scheme *runtime.Scheme) schema.GroupVersionKind {
	t.Helper()
	gvk, err := apiutil.GVKForObject(o, scheme)
	if err != nil {
		t.Fatal(err)
	}
	return gvk
}

// TestManagedKindsTable: every entry is complete and consistent, and the
// cache holds every kind (derived, so this guards the derivation).
func TestManagedKindsTable(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	// By kind, the type the cache holds it as.
	cached := map[schema.GroupVersionKind]reflect.Type{}
	for o := range CacheOptions().ByObject {
		gvk, err := apiutil.GVKForObject(o, scheme)
		if err != nil {
			t.Fatal(err)
		}
		cached[gvk] = reflect.TypeOf(o)
	}
	for _, k := range render.ManagedKinds {
		gvks, _, err := scheme.ObjectKinds(k.Object)
		if err != nil || len(gvks) == 0 || gvks[0] != k.GVK {
			t.Errorf("%s: Object is %T (%v), want an object of that kind", k.GVK, k.Object, gvks)
		}
		if k.Resource == "" {
			t.Errorf("%s: no resource name", k.GVK)
		}
		if !k.Namespaced && k.Watch != render.WatchLabels {
			t.Errorf("%s is cluster-scoped: it cannot carry an owner reference to a gateway, so it must be watched by labels", k.GVK)
		}
		want := reflect.TypeOf(k.Object)
		if k.MetadataOnly {
			want = reflect.TypeFor[*metav1.PartialObjectMetadata]()
		}
		if got := cached[k.GVK]; got != want {
			t.Errorf("%s is cached as %v, want %v", k.GVK, got, want)
		}
		// Compact says whether the cache's transform stores another type.
		by := CacheOptions().ByObject
		for o, opts := range by {
			if reflect.TypeOf(o) != want || apiutilGVK(t, o, scheme) != k.GVK {
				continue
			}
			fn := opts.Transform
			if fn == nil {
				fn = CacheOptions().DefaultTransform
			}
			stored, err := fn(k.CacheObject())
			if err != nil {
				t.Fatal(err)
			}
			if compact := reflect.TypeOf(stored) != want; compact != k.Compact {
				t.Errorf("%s: the cache stores it as %T; Compact is %v", k.GVK, stored, k.Compact)
			}
		}
		if k.MetadataOnly && k.Workload {
			t.Errorf("%s: a workload's status is read from the cache; it cannot be MetadataOnly", k.GVK)
		}
	}
}
