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

package crdschema

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// benchObject is make bench's gateway (host network, one tcp entry, a
// default certificate), defaulted as the API server stores it.
func benchObject(b *testing.B) map[string]any {
	s, err := load()
	if err != nil {
		b.Fatal(err)
	}
	gw := gateway(func(gw *v1alpha1.IngressGateway) {
		gw.Spec.Workload.HostNetwork = true
		gw.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "default-tls"}}
		gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: "default", Name: "redis", Port: intstr.FromInt32(6379)}}}
	})
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(gw)
	if err != nil {
		b.Fatal(err)
	}
	structuraldefaulting.Default(m, s)
	return m
}

// BenchmarkCRDRules is what the API server's CEL costs per write of the
// bench gateway: on create, and on an update that leaves the spec as it
// is (the operator's finalizer patch and every status patch).
func BenchmarkCRDRules(b *testing.B) {
	s, err := load()
	if err != nil {
		b.Fatal(err)
	}
	v := cel.NewValidator(s, true, celconfig.PerCallLimit)
	obj, old := benchObject(b), benchObject(b)
	for _, c := range []struct {
		name string
		old  map[string]any
	}{{"create", nil}, {"update", old}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if errs, _ := v.Validate(context.Background(), nil, s, obj, c.old, celconfig.RuntimeCELCostBudget); len(errs) > 0 {
					b.Fatal(errs)
				}
			}
		})
	}
}

// BenchmarkCRDRuleEach is each CRD rule alone on the bench gateway's
// update, to find the costly ones (go test -run '^$' -bench CRDRuleEach
// ./internal/crdschema).
func BenchmarkCRDRuleEach(b *testing.B) {
	s, err := load()
	if err != nil {
		b.Fatal(err)
	}
	obj, old := benchObject(b), benchObject(b)
	type ref struct {
		path string
		i    int
	}
	var refs []ref
	var walk func(n *structuralschema.Structural, path string, f func(n *structuralschema.Structural, path string))
	walk = func(n *structuralschema.Structural, path string, f func(n *structuralschema.Structural, path string)) {
		if n == nil {
			return
		}
		f(n, path)
		for k := range n.Properties {
			p := n.Properties[k]
			walk(&p, path+"."+k, f)
			n.Properties[k] = p
		}
		walk(n.Items, path+"[]", f)
		if n.AdditionalProperties != nil {
			walk(n.AdditionalProperties.Structural, path+"{}", f)
		}
	}
	walk(s.DeepCopy(), "", func(n *structuralschema.Structural, path string) {
		for i := range n.XValidations {
			refs = append(refs, ref{path, i})
		}
	})
	slices.SortFunc(refs, func(x, y ref) int { return cmp.Or(strings.Compare(x.path, y.path), x.i-y.i) })
	for _, r := range refs {
		one := s.DeepCopy()
		walk(one, "", func(n *structuralschema.Structural, path string) {
			if path != r.path {
				n.XValidations = nil
				return
			}
			n.XValidations = n.XValidations[r.i : r.i+1]
		})
		v := cel.NewValidator(one, true, celconfig.PerCallLimit)
		b.Run(fmt.Sprintf("%s#%d", r.path, r.i), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v.Validate(context.Background(), nil, one, obj, old, celconfig.RuntimeCELCostBudget)
			}
		})
	}
}
