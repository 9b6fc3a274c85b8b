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

package render_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/golden"
	"github.com/portico-dev/portico/internal/render"
)

// load reads a gateway from testdata/input and applies the CRD's defaults,
// as the API server would before the operator sees it.
func load(t *testing.T, name string) *v1alpha1.IngressGateway {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "input", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	gw := &v1alpha1.IngressGateway{}
	if err := yaml.UnmarshalStrict(b, gw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out, err := crdschema.Default(gw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGolden renders every input gateway and compares the whole YAML stream,
// every child kind included, with testdata/output.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/input/*.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			res, err := render.Render(load(t, name), render.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			out, err := render.YAML(res.Objects)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "output", name+".yaml"), out)

			// Prune and deletion touch only names ChildNames lists.
			gw := load(t, name)
			names := render.ChildNames(gw)
			for _, o := range res.Objects {
				kind := o.GetObjectKind().GroupVersionKind().Kind
				if !slices.Contains(names[kind], o.GetName()) {
					t.Errorf("%s %s is not among ChildNames %v", kind, o.GetName(), names[kind])
				}
			}

			// Rendering is deterministic: a second pass is byte-identical.
			again, _ := render.Render(load(t, name), render.DefaultConfig())
			out2, _ := render.YAML(again.Objects)
			if !bytes.Equal(out, out2) {
				t.Error("two renders of the same gateway differ")
			}
		})
	}
}

// TestGoldenTraefik renders every input gateway with the traefik driver
// into testdata/output-traefik: a gateway the driver cannot honour renders
// the error admission would give instead.
func TestGoldenTraefik(t *testing.T) {
	inputs, err := filepath.Glob("testdata/input/*.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			gw, cfg := traefik(load(t, name))
			var out []byte
			res, err := render.Render(gw, cfg)
			if err != nil {
				out = []byte("# not rendered: " + err.Error() + "\n")
			} else if out, err = render.YAML(res.Objects); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "output-traefik", name+".yaml"), out)
			if err != nil {
				return
			}
			names := render.ChildNames(gw)
			for _, o := range res.Objects {
				kind := o.GetObjectKind().GroupVersionKind().Kind
				if !slices.Contains(names[kind], o.GetName()) {
					t.Errorf("%s %s is not among ChildNames %v", kind, o.GetName(), names[kind])
				}
				if _, ok := o.(*corev1.Secret); ok {
					t.Errorf("Secret %s rendered: the traefik driver has no webhook certificates", o.GetName())
				}
			}
		})
	}
}

// traefik returns gw as a traefik class runs it, and the configuration.
func traefik(gw *v1alpha1.IngressGateway) (*v1alpha1.IngressGateway, render.Config) {
	class := &v1alpha1.IngressGatewayClass{Spec: v1alpha1.IngressGatewayClassSpec{DataPlane: v1alpha1.DataPlaneSpec{Driver: v1alpha1.DriverTraefik}}}
	return facts.ForDriver(gw, v1alpha1.DriverTraefik), render.DefaultConfig().ForClass(class)
}

// TestDataPlaneClusterRoles keeps the shipped ClusterRoles in step with the
// Go definition the operator binds.
func TestDataPlaneClusterRoles(t *testing.T) {
	var objs []client.Object
	for _, cr := range render.DataPlaneClusterRoles(render.DefaultConfig()) {
		objs = append(objs, cr)
	}
	out, err := render.YAML(objs)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("..", "..", "config", "dataplane-rbac", "clusterroles.yaml"), out)
}

func TestManagedKindsCoverEveryRenderedKind(t *testing.T) {
	known := map[string]bool{}
	for _, k := range render.ManagedKinds {
		known[k.GVK.GroupVersion().String()+"/"+k.GVK.Kind] = true
	}
	for _, name := range []string{"minimal", "daemonset-hostnetwork", "deployment-loadbalancer", "hostports-tcp-udp-proxy"} {
		res, err := render.Render(load(t, name), render.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Objects {
			u, _ := render.ToApply(o)
			key := u.GetAPIVersion() + "/" + u.GetKind()
			if !known[key] {
				t.Errorf("%s renders %s, which render.ManagedKinds does not list (it would never be pruned)", name, key)
			}
			if u.GetKind() == "" || u.GetAPIVersion() == "" {
				t.Errorf("%s renders an object without TypeMeta: %s", name, u.GetName())
			}
		}
	}
}

func podTemplateOf(t *testing.T, gw *v1alpha1.IngressGateway) corev1.PodTemplateSpec {
	t.Helper()
	res, err := render.Render(gw, render.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Objects {
		switch w := o.(type) {
		case *appsv1.DaemonSet:
			return w.Spec.Template
		case *appsv1.Deployment:
			return w.Spec.Template
		}
	}
	t.Fatal("no workload rendered")
	return corev1.PodTemplateSpec{}
}

// TestStreamEditsKeepThePodTemplate: adding or changing tcp/udp entries must
// not roll the fleet, except in hostPorts mode where the kubelet maps host
// ports only at pod creation.
func TestStreamEditsKeepThePodTemplate(t *testing.T) {
	for _, name := range []string{"minimal", "daemonset-hostnetwork", "nodeport"} {
		gw := load(t, name)
		before := podTemplateOf(t, gw)
		edited := gw.DeepCopy()
		edited.Spec.TCP = append(edited.Spec.TCP, v1alpha1.TCPService{Port: 7000,
			Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(7)}})
		edited.Spec.UDP = nil
		if diff := cmp.Diff(before, podTemplateOf(t, edited)); diff != "" {
			t.Errorf("%s: a tcp/udp edit changed the pod template:\n%s", name, diff)
		}
	}
	gw := load(t, "hostports-tcp-udp-proxy")
	before := podTemplateOf(t, gw)
	gw.Spec.TCP = gw.Spec.TCP[:1]
	if reflect.DeepEqual(before, podTemplateOf(t, gw)) {
		t.Error("hostPorts mode: removing a tcp entry must remove its host port")
	}
}

// TestSelectorIgnoresUserLabels: workload selectors are immutable, so they
// must not depend on podLabels, and operator labels win over user ones.
func TestSelectorIgnoresUserLabels(t *testing.T) {
	gw := load(t, "deployment-loadbalancer")
	res, _ := render.Render(gw, render.DefaultConfig())
	var d *appsv1.Deployment
	for _, o := range res.Objects {
		if x, ok := o.(*appsv1.Deployment); ok {
			d = x
		}
	}
	if d == nil {
		t.Fatal("no Deployment")
	}
	if !reflect.DeepEqual(d.Spec.Selector.MatchLabels, render.SelectorLabels(gw)) {
		t.Errorf("selector %v", d.Spec.Selector.MatchLabels)
	}
	if got := d.Spec.Template.Labels["app.kubernetes.io/component"]; got != "controller" {
		t.Errorf("podLabels overrode an operator label: component=%q", got)
	}
	if d.Spec.Template.Labels["team"] != "edge" {
		t.Error("podLabels missing from the pod template")
	}
}

func TestChildNamesStayValid(t *testing.T) {
	gw := load(t, "long-name")
	res, err := render.Render(gw, render.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range res.Objects {
		u, _ := render.ToApply(o)
		if o.GetNamespace() != "" && len(o.GetName()) > 63 {
			t.Errorf("%s %s is longer than 63 characters", u.GetKind(), o.GetName())
		}
		key := u.GetKind() + "/" + o.GetName()
		if seen[key] {
			t.Errorf("two children named %s", key)
		}
		seen[key] = true
	}
	if e := render.ElectionID(gw); len(e) > 63 || !strings.HasSuffix(e, "-leader") {
		t.Errorf("election id %q", e)
	}
}

func TestOwnedFlagsAreNotDuplicatedByExtraArgs(t *testing.T) {
	gw := load(t, "deployment-loadbalancer")
	args := render.ControllerArgs(gw)
	seen := map[string]bool{}
	for _, a := range args[1:] {
		flagName := strings.SplitN(strings.TrimPrefix(a, "--"), "=", 2)[0]
		if seen[flagName] {
			t.Errorf("flag --%s passed twice", flagName)
		}
		seen[flagName] = true
	}
	if !slices.Contains(args, "--watch-ingress-without-class") || !slices.Contains(args, "--enable-metrics=true") {
		t.Errorf("extraArgs not rendered: %v", args)
	}
}

func TestPodDisruptionBudgetOnlyForReplicatedDeployments(t *testing.T) {
	for _, tc := range []struct {
		name     string
		kind     v1alpha1.WorkloadKind
		replicas *int32
		want     bool
	}{
		{"DaemonSet", v1alpha1.WorkloadDaemonSet, nil, false},
		{"Deployment, replicas unset (1)", v1alpha1.WorkloadDeployment, nil, false},
		{"Deployment, 1 replica", v1alpha1.WorkloadDeployment, ptr.To[int32](1), false},
		{"Deployment, 2 replicas", v1alpha1.WorkloadDeployment, ptr.To[int32](2), true},
	} {
		gw := &v1alpha1.IngressGateway{}
		gw.Namespace, gw.Name = "ns", "gw"
		gw.Spec.Workload.Kind, gw.Spec.Workload.Replicas = tc.kind, tc.replicas
		pdb := render.PodDisruptionBudget(gw)
		if (pdb != nil) != tc.want {
			t.Errorf("%s: budget rendered = %v, want %v", tc.name, pdb != nil, tc.want)
			continue
		}
		if pdb != nil && (pdb.Spec.MaxUnavailable.IntValue() != 1 || pdb.Spec.Selector.MatchLabels[render.GatewayNameLabel] != "gw") {
			t.Errorf("%s: budget %+v", tc.name, pdb.Spec)
		}
	}
}

// TestTraefikUnusableCertificateRestartsNothing: a default certificate
// Secret that goes missing (or comes back) changes only the dynamic
// configuration, never the pod template.
func TestTraefikUnusableCertificateRestartsNothing(t *testing.T) {
	gw, cfg := traefik(load(t, "daemonset-hostnetwork"))
	if gw.Spec.DefaultCertificate == nil {
		t.Fatal("the input needs a default certificate")
	}
	usable, err := render.RenderWith(gw, cfg, render.Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	unusable, err := render.RenderWith(gw, cfg, render.Inputs{DefaultCertificateUnusable: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range usable.Objects {
		u := unusable.Objects[i]
		if tmpl := render.PodTemplate(o); tmpl != nil {
			if !reflect.DeepEqual(tmpl, render.PodTemplate(u)) {
				t.Errorf("%s: the pod template depends on the certificate's usability", o.GetName())
			}
		}
		if cm, ok := o.(*corev1.ConfigMap); ok && cm.Name == render.TraefikConfigMapName(gw).Name {
			if !strings.Contains(cm.Data["dynamic.yaml"], "defaultCertificate") || strings.Contains(u.(*corev1.ConfigMap).Data["dynamic.yaml"], "defaultCertificate") {
				t.Errorf("the dynamic configuration should name the certificate only while it is usable:\n%s\n---\n%s", cm.Data["dynamic.yaml"], u.(*corev1.ConfigMap).Data["dynamic.yaml"])
			}
		}
	}
}
