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

package cli

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/crdschema"
)

// The default controller image's version, as the report names it.
const defaultVersion = "v1.15.1"

const digest = "@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1"

var controllerLabels = map[string]string{"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}

// controller returns an upstream-style controller Deployment in namespace
// ingress-nginx, changed by mutate.
func controller(mutate func(*appsv1.Deployment)) *appsv1.Deployment {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "ingress-nginx-controller", Namespace: "ingress-nginx"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: controllerLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: controllerLabels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "controller",
					Image: "registry.k8s.io/ingress-nginx/controller:v1.15.1" + digest,
					Args:  []string{"/nginx-ingress-controller", "--ingress-class=nginx"},
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}, {Name: "https", ContainerPort: 443}},
				}}},
			},
		},
	}
	if mutate != nil {
		mutate(d)
	}
	return d
}

func ingressClass(name, controller string, isDefault bool) *networkingv1.IngressClass {
	ic := &networkingv1.IngressClass{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "IngressClass"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       networkingv1.IngressClassSpec{Controller: controller},
	}
	if isDefault {
		ic.Annotations = map[string]string{"ingressclass.kubernetes.io/is-default-class": "true"}
	}
	return ic
}

func ingress(ns, name, class, annotation string) *networkingv1.Ingress {
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: networkingv1.IngressSpec{DefaultBackend: &networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: name, Port: networkingv1.ServiceBackendPort{Number: 80}},
		}},
	}
	if class != "" {
		ing.Spec.IngressClassName = ptr.To(class)
	}
	if annotation != "" {
		ing.Annotations = map[string]string{"kubernetes.io/ingress.class": annotation}
	}
	return ing
}

// importObjects runs portico import on a dump of objs.
func importObjects(t *testing.T, objs ...any) (int, string, string) {
	t.Helper()
	var docs []string
	for _, o := range objs {
		b, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	f := filepath.Join(t.TempDir(), "dump.yaml")
	if err := os.WriteFile(f, []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return run(t, "import", "-f", f)
}

// imported decodes the gateway an import printed.
func imported(t *testing.T, out string) *v1alpha1.IngressGateway {
	t.Helper()
	gw, err := crdschema.Decode([]byte(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return gw
}

// section returns the lines of one report section.
func section(report, title string) []string {
	_, rest, ok := strings.Cut(report, "\n"+title+":\n")
	if !ok {
		return nil
	}
	var out []string
	for _, l := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(l, "  ") {
			break
		}
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

func hasLine(lines []string, fragments ...string) bool {
	return slices.ContainsFunc(lines, func(l string) bool {
		for _, f := range fragments {
			if !strings.Contains(l, f) {
				return false
			}
		}
		return true
	})
}

// TestImportOldImage: a controller older than v1.0.0 cannot run the flags
// Portico renders, so its image is replaced by the default and the report
// names both versions; an image whose version cannot be read is kept or
// dropped as before, and the report says the version was not checked.
func TestImportOldImage(t *testing.T) {
	hex := strings.TrimPrefix(digest, "@sha256:")
	cases := []struct {
		image     string
		keep      bool
		reportHas []string
		unchecked bool
	}{
		{image: "gcr.io/google_containers/nginx-ingress-controller:0.8.3",
			reportHas: []string{"ingress-nginx 0.8.3 is older than v1.0.0", "ingress-nginx " + defaultVersion}},
		{image: "quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.26.1@sha256:" + hex,
			reportHas: []string{"ingress-nginx 0.26.1 is older than v1.0.0", "ingress-nginx " + defaultVersion}},
		{image: "registry.k8s.io/ingress-nginx/controller:v1.15.1" + digest, keep: true},
		{image: "registry.k8s.io/ingress-nginx/controller:v1.12.1", reportHas: []string{"not pinned by digest"}},
		{image: "registry.k8s.io/ingress-nginx/controller@sha256:" + hex, keep: true, unchecked: true},
		{image: "mirror.local/ingress/controller:prod", unchecked: true, reportHas: []string{"not pinned by digest"}},
	}
	for _, tc := range cases {
		t.Run(tc.image, func(t *testing.T) {
			code, out, report := importObjects(t, controller(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = tc.image }))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, report)
			}
			gw := imported(t, out)
			if keep := gw.Spec.Controller.Image == tc.image; keep != tc.keep {
				t.Errorf("spec.controller.image %q, want kept: %v", gw.Spec.Controller.Image, tc.keep)
			}
			if !tc.keep && gw.Spec.Controller.Image != "" {
				t.Errorf("spec.controller.image %q, want empty (the default image)", gw.Spec.Controller.Image)
			}
			for _, want := range tc.reportHas {
				if !strings.Contains(report, want) {
					t.Errorf("report lacks %q:\n%s", want, report)
				}
			}
			if unchecked := strings.Contains(report, "version could not be checked"); unchecked != tc.unchecked {
				t.Errorf("report says the version could not be checked: %v, want %v:\n%s", unchecked, tc.unchecked, report)
			}
		})
	}
}

// TestImportIngressesWithoutClass: Ingresses without a class are counted
// and named, with the two settings that would serve them.
func TestImportIngressesWithoutClass(t *testing.T) {
	t.Run("legacy", func(t *testing.T) {
		code, _, report := run(t, "import", "-f", filepath.Join("testdata", "import", "legacy-kube-system.yaml"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, report)
		}
		check := section(report, "Check before switching")
		if !hasLine(check, "3 Ingresses have neither spec.ingressClassName nor the kubernetes.io/ingress.class annotation: default/api, default/web, shop/store",
			"ingress-nginx 0.8.3 serves them", `watch-ingress-without-class: "true"`, "spec.ingressClass.default: true") {
			t.Errorf("no line on the Ingresses without a class:\n%s", strings.Join(check, "\n"))
		}
		if !hasLine(check, "no IngressClass objects", "is-default-class", "spec.ingressClass.default: true") {
			t.Errorf("no line on the IngressClass that could not be read:\n%s", strings.Join(check, "\n"))
		}
	})
	t.Run("capped", func(t *testing.T) {
		objs := []any{controller(nil), ingressClass("nginx", "k8s.io/ingress-nginx", false), ingress("a", "classed", "nginx", "")}
		for i := range 12 {
			objs = append(objs, ingress("apps", fmt.Sprintf("app-%02d", i), "", ""))
		}
		_, _, report := importObjects(t, objs...)
		if !hasLine(section(report, "Check before switching"), "12 Ingresses have neither", "apps/app-00, apps/app-01", "apps/app-09 and 2 more",
			"did not serve them (no --watch-ingress-without-class)") {
			t.Errorf("no capped line on the Ingresses without a class:\n%s", report)
		}
	})
	t.Run("watched", func(t *testing.T) {
		code, out, report := importObjects(t, controller(func(d *appsv1.Deployment) {
			c := &d.Spec.Template.Spec.Containers[0]
			c.Args = append(c.Args, "--watch-ingress-without-class=true")
		}), ingressClass("nginx", "k8s.io/ingress-nginx", true), ingress("a", "plain", "", ""))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, report)
		}
		if gw := imported(t, out); gw.Spec.Controller.ExtraArgs["watch-ingress-without-class"] != "true" || !gw.Spec.IngressClass.Default {
			t.Errorf("extraArgs %v, default %v", gw.Spec.Controller.ExtraArgs, gw.Spec.IngressClass.Default)
		}
		if !hasLine(section(report, "Check before switching"), "1 Ingress has neither", "a/plain", "the gateway serves them too") {
			t.Errorf("no line on the Ingress without a class:\n%s", report)
		}
		if strings.Contains(report, "could not be read") {
			t.Errorf("the IngressClass was in the input:\n%s", report)
		}
	})
}

// kubectlDelete finds the objects a plan tells the user to delete:
// "kubectl [-n ns] delete kind/name ...".
var kubectlDelete = regexp.MustCompile(`kubectl (?:-n (\S+) )?delete ((?:[a-z]+/[a-z0-9.:-]+ ?)+)`)

// TestImportPlanDeletesOnlyInputObjects checks every plan line of every
// fixture: each object it deletes is in the input.
func TestImportPlanDeletesOnlyInputObjects(t *testing.T) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "import", "*.yaml"))
	for _, f := range fixtures {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, _, report := run(t, "import", "-f", f)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, report)
			}
			docs, err := readDocuments(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			in := map[string]bool{}
			for _, d := range docs {
				var m metav1.PartialObjectMetadata
				if err := yaml.Unmarshal(d, &m); err != nil {
					t.Fatal(err)
				}
				in[strings.ToLower(m.Kind)+"/"+m.Namespace+"/"+m.Name] = true
			}
			plan := section(report, "Switch-over plan")
			if len(plan) == 0 {
				t.Fatalf("no plan:\n%s", report)
			}
			for _, l := range plan {
				for _, m := range kubectlDelete.FindAllStringSubmatch(l, -1) {
					for _, target := range strings.Fields(m[2]) {
						kind, name, _ := strings.Cut(target, "/")
						name = strings.TrimSuffix(name, ".") // the sentence's full stop
						if !in[kind+"/"+m[1]+"/"+name] {
							t.Errorf("the plan deletes %s in namespace %q, which is not in the input: %s", target, m[1], l)
						}
					}
				}
				// Kinds named in prose must be in the input too.
				for kind, phrase := range map[string]string{"validatingwebhookconfiguration": "ValidatingWebhookConfiguration", "job": "admission Jobs"} {
					if strings.Contains(l, phrase) && !slices.ContainsFunc(slices.Collect(maps.Keys(in)), func(k string) bool { return strings.HasPrefix(k, kind+"/") }) {
						t.Errorf("the plan names %s, and the input has none: %s", phrase, l)
					}
				}
			}
		})
	}
}

// TestImportPlanLists: the plan names the old install's objects the input
// holds and nothing it does not.
func TestImportPlanLists(t *testing.T) {
	for _, tc := range []struct {
		fixture    string
		has, lacks []string
	}{
		{fixture: "legacy-kube-system", lacks: []string{"kubectl delete ingressclass", "ValidatingWebhookConfiguration", "admission Jobs", "default-http-backend"},
			has: []string{"kubectl -n kube-system delete daemonset/nginx-ingress-controller", "kubectl -n kube-system delete configmap/nginx-load-balancer-conf"}},
		{fixture: "helm-hostnetwork",
			has: []string{"kubectl delete validatingwebhookconfiguration/ingress-nginx-admission", "kubectl delete ingressclass/nginx",
				"service/ingress-nginx-controller-admission", "configmap/ingress-nginx-controller", "serviceaccount/ingress-nginx", "role/ingress-nginx",
				"rolebinding/ingress-nginx", "clusterrole/ingress-nginx", "clusterrolebinding/ingress-nginx"},
			lacks: []string{"clusterrole/view", "ingress-nginx-view", "serviceaccount/default", "Jobs"}},
		{fixture: "microk8s", has: []string{"kubectl delete ingressclass/public ingressclass/nginx"},
			lacks: []string{"ValidatingWebhookConfiguration", "admission Jobs", "lose their controller"}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			code, _, report := run(t, "import", "-f", filepath.Join("testdata", "import", tc.fixture+".yaml"))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, report)
			}
			plan := strings.Join(section(report, "Switch-over plan"), "\n")
			for _, want := range tc.has {
				if !strings.Contains(plan, want) {
					t.Errorf("plan lacks %q:\n%s", want, plan)
				}
			}
			for _, bad := range tc.lacks {
				if strings.Contains(plan, bad) {
					t.Errorf("plan has %q:\n%s", bad, plan)
				}
			}
		})
	}
}

// TestImportDroppedPrivileges: every privilege of the old pods that the
// rendered fleet lacks gets its own line.
func TestImportDroppedPrivileges(t *testing.T) {
	code, _, report := importObjects(t, controller(func(d *appsv1.Deployment) {
		s := &d.Spec.Template.Spec
		s.HostPID, s.HostIPC = true, true
		s.InitContainers = []corev1.Container{{Name: "sysctl", Image: "busybox", Command: []string{"sysctl", "-w", "net.core.somaxconn=32768"},
			SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}}}
		s.Containers[0].SecurityContext = &corev1.SecurityContext{
			Privileged:               ptr.To(true),
			AllowPrivilegeEscalation: ptr.To(true),
			RunAsUser:                ptr.To[int64](0),
			Capabilities:             &corev1.Capabilities{Add: []corev1.Capability{"NET_BIND_SERVICE", "NET_ADMIN", "SYS_ADMIN"}},
		}
	}))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, report)
	}
	dropped := section(report, "Not carried over")
	for _, want := range [][]string{
		{"privileged: true (container controller)"}, {"privileged: true (init container sysctl)"},
		{"capabilities NET_ADMIN, SYS_ADMIN (container controller)"}, {"hostPID: true"}, {"hostIPC: true"},
		{"allowPrivilegeEscalation: true (container controller)"}, {"runAsUser: 0 (container controller)", "user 101"},
	} {
		if !hasLine(dropped, want...) {
			t.Errorf("no line with %q:\n%s", want, strings.Join(dropped, "\n"))
		}
	}
	if slices.ContainsFunc(dropped, func(l string) bool {
		what, _, _ := strings.Cut(l, "):")
		return strings.HasPrefix(what, "capabilities") && strings.Contains(what, "NET_BIND_SERVICE")
	}) {
		t.Errorf("NET_BIND_SERVICE is reported dropped, but the fleet keeps it:\n%s", strings.Join(dropped, "\n"))
	}

	// Root from the pod's securityContext counts as well.
	_, _, report = importObjects(t, controller(func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](0)}
	}))
	if !hasLine(section(report, "Not carried over"), "runAsUser: 0 (container controller)") {
		t.Errorf("root from the pod securityContext is not reported:\n%s", report)
	}

	// Upstream's own securityContext loses nothing.
	_, _, report = run(t, "import", "-f", filepath.Join("testdata", "import", "helm-hostnetwork.yaml"))
	for _, bad := range []string{"privileged", "capabilities", "runAsUser", "allowPrivilegeEscalation"} {
		if strings.Contains(strings.Join(section(report, "Not carried over"), "\n"), bad) {
			t.Errorf("the chart's securityContext reported as dropped (%s):\n%s", bad, report)
		}
	}
}

// TestImportControllerService: the controller Service selects the pods and
// forwards to their http/https ports; the admission Service (443 → webhook)
// is not it.
func TestImportControllerService(t *testing.T) {
	t.Run("helm host network", func(t *testing.T) {
		code, out, report := run(t, "import", "-f", filepath.Join("testdata", "import", "helm-hostnetwork.yaml"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, report)
		}
		if gw := imported(t, out); gw.Spec.Service.Type != v1alpha1.ServiceTypeNone {
			t.Errorf("service type %q, want None", gw.Spec.Service.Type)
		}
		if hasLine(section(report, "Carried over"), "Service ingress-nginx/ingress-nginx-controller-admission") {
			t.Errorf("the admission Service was carried over:\n%s", report)
		}
	})
	admission := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "ingress-nginx-controller-admission", Namespace: "ingress-nginx"},
		Spec: corev1.ServiceSpec{Selector: controllerLabels, Ports: []corev1.ServicePort{
			{Name: "https-webhook", Port: 443, TargetPort: intstr.FromString("webhook")}}},
	}
	withWebhook := func(d *appsv1.Deployment) {
		c := &d.Spec.Template.Spec.Containers[0]
		c.Args = append(c.Args, "--validating-webhook=:8443", "--http-port=8080", "--https-port=8444")
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}, {Name: "https", ContainerPort: 8444}, {Name: "webhook", ContainerPort: 8443}}
	}
	t.Run("admission only", func(t *testing.T) {
		code, out, report := importObjects(t, controller(withWebhook), admission)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, report)
		}
		if gw := imported(t, out); gw.Spec.Service.Type != v1alpha1.ServiceTypeClusterIP {
			t.Errorf("service type %q, want ClusterIP", gw.Spec.Service.Type)
		}
		if strings.Contains(strings.Join(section(report, "Carried over"), "\n"), "ingress-nginx-controller-admission") {
			t.Errorf("the admission Service was carried over:\n%s", report)
		}
	})
	t.Run("custom ports", func(t *testing.T) {
		svc := &corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: "ingress-nginx-controller", Namespace: "ingress-nginx"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: controllerLabels, Ports: []corev1.ServicePort{
				{Name: "web", Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 30080},
				{Name: "tls", Port: 443, TargetPort: intstr.FromString("https"), NodePort: 30443}}},
		}
		code, out, report := importObjects(t, controller(withWebhook), admission, svc)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, report)
		}
		gw := imported(t, out)
		np := gw.Spec.Service.NodePorts
		if gw.Spec.Service.Type != v1alpha1.ServiceTypeNodePort || np == nil || ptr.Deref(np.HTTP, 0) != 30080 || ptr.Deref(np.HTTPS, 0) != 30443 {
			t.Errorf("service %+v, want NodePort with 30080/30443", gw.Spec.Service)
		}
		if !hasLine(section(report, "Carried over"), "Service ingress-nginx/ingress-nginx-controller of type NodePort") {
			t.Errorf("the controller Service was not carried over:\n%s", report)
		}
	})
}

// TestImportPorticoManaged: Portico's own fleet is recognised, not imported,
// and its labels never become pod labels.
func TestImportPorticoManaged(t *testing.T) {
	code, rendered, errOut := run(t, "render", "-f", filepath.Join("..", "..", "config", "samples", "microk8s-hostnetwork.yaml"))
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, errOut)
	}
	fleet := filepath.Join(t.TempDir(), "fleet.yaml")
	if err := os.WriteFile(fleet, []byte(rendered), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, report := run(t, "import", "-f", fleet)
	if code != 1 || !strings.Contains(report, "managed by Portico (IngressGateway ingress/public)") || strings.Contains(report, "Helm chart") {
		t.Errorf("exit %d, want 1 and the gateway named:\n%s", code, report)
	}

	// Beside an old install, the old install is what is imported.
	code, out, report := run(t, "import", "-f", fleet, "-f", filepath.Join("testdata", "import", "microk8s.yaml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, report)
	}
	if !strings.HasPrefix(report, "Imported DaemonSet ingress/nginx-ingress-microk8s-controller (MicroK8s ingress addon)") ||
		!hasLine(section(report, "Check before switching"), "managed by Portico (IngressGateway ingress/public)", "not imported") {
		t.Errorf("the old install was not imported, or the fleet not named:\n%s", report)
	}
	if gw := imported(t, out); len(gw.Spec.Workload.PodLabels) != 0 {
		t.Errorf("pod labels %v", gw.Spec.Workload.PodLabels)
	}

	// Portico's label keys are never carried into podLabels.
	_, out, report = importObjects(t, controller(func(d *appsv1.Deployment) {
		d.Spec.Template.Labels = map[string]string{"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller",
			"ingress.portico.dev/gateway": "old", "ingress.portico.dev/gateway-namespace": "elsewhere", "app.kubernetes.io/managed-by": "Helm", "team": "web"}
	}))
	if gw := imported(t, out); !cmp.Equal(gw.Spec.Workload.PodLabels, map[string]string{"team": "web"}) {
		t.Errorf("pod labels %v, want only team:\n%s", gw.Spec.Workload.PodLabels, report)
	}
}

// TestImportAliases: several IngressClasses of the old controller become
// the gateway's class and its aliases.
func TestImportAliases(t *testing.T) {
	const ctrl = "k8s.io/ingress-nginx"
	cases := []struct {
		name    string
		flag    string
		classes []*networkingv1.IngressClass
		want    v1alpha1.IngressClassSpec
		report  []string
	}{
		{name: "flag picks", flag: "--ingress-class=public",
			classes: []*networkingv1.IngressClass{ingressClass("nginx", ctrl, false), ingressClass("public", ctrl, true), ingressClass("traefik", "traefik.io/ingress-controller", false)},
			want:    v1alpha1.IngressClassSpec{Name: "public", Default: true, Aliases: []string{"nginx"}},
			report:  []string{"IngressClass nginx → spec.ingressClass.aliases"}},
		{name: "default picks", classes: []*networkingv1.IngressClass{ingressClass("a", ctrl, false), ingressClass("b", ctrl, true)},
			want: v1alpha1.IngressClassSpec{Name: "b", Default: true, Aliases: []string{"a"}}},
		{name: "first picks", classes: []*networkingv1.IngressClass{ingressClass("a", ctrl, false), ingressClass("b", ctrl, false)},
			want: v1alpha1.IngressClassSpec{Name: "a", Aliases: []string{"b"}}},
		{name: "alias was default", flag: "--ingress-class=a",
			classes: []*networkingv1.IngressClass{ingressClass("a", ctrl, false), ingressClass("b", ctrl, true)},
			want:    v1alpha1.IngressClassSpec{Name: "a", Default: true, Aliases: []string{"b"}},
			report:  []string{"IngressClass b was the cluster default; aliases are never the default, so spec.ingressClass.default: true marks a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs := []any{controller(func(d *appsv1.Deployment) {
				c := &d.Spec.Template.Spec.Containers[0]
				c.Args = []string{"/nginx-ingress-controller"}
				if tc.flag != "" {
					c.Args = append(c.Args, tc.flag)
				}
			})}
			for _, ic := range tc.classes {
				objs = append(objs, ic)
			}
			code, out, report := importObjects(t, objs...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, report)
			}
			if diff := cmp.Diff(tc.want, imported(t, out).Spec.IngressClass); diff != "" {
				t.Errorf("spec.ingressClass:\n%s\n%s", diff, report)
			}
			for _, want := range tc.report {
				if !strings.Contains(report, want) {
					t.Errorf("report lacks %q:\n%s", want, report)
				}
			}
			if strings.Contains(report, "also served by this controller") {
				t.Errorf("an alias is reported as dropped:\n%s", report)
			}
		})
	}
}
