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
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/golden"
	"github.com/portico-dev/portico/internal/render"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRenderMatchesTheOperatorsRenderer(t *testing.T) {
	sample := filepath.Join("..", "..", "config", "samples", "microk8s-hostnetwork.yaml")
	code, out, errOut := run(t, "render", "-f", sample)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "skipping Namespace \"ingress\"") {
		t.Errorf("the Namespace document is not reported as skipped: %s", errOut)
	}
	if !strings.Contains(errOut, "placeholder for input from the cluster: ownerReferences[].uid") {
		t.Errorf("the UID placeholder is not named on stderr: %s", errOut)
	}
	// The same objects, from the same code path the operator applies.
	b, _ := os.ReadFile(sample)
	docs := bytes.Split(b, []byte("\n---\n"))
	gw, err := crdschema.Decode(docs[len(docs)-1])
	if err != nil {
		t.Fatal(err)
	}
	gw.UID = placeholderUID
	res, err := render.Render(gw, render.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := render.YAML(res.Objects)
	start := strings.Index(out, "apiVersion:")
	if start < 0 {
		t.Fatalf("no apiVersion: in the render output:\n%s", out)
	}
	body := out[start:]
	if body != string(want) {
		t.Errorf("render output differs from the operator's rendering:\n%s", cmp.Diff(string(want), body))
	}
	if strings.Count(out, "\n---\n") != len(res.Objects)-1 || !strings.HasPrefix(out, "# IngressGateway ingress/public: 15 objects") {
		t.Errorf("unexpected header or object count:\n%s", out[:200])
	}
}

func TestRenderAllSamplesAndFlags(t *testing.T) {
	samples, _ := filepath.Glob(filepath.Join("..", "..", "config", "samples", "*.yaml"))
	args := []string{"render", "--namespace", "demo", "--default-controller-image", "mirror.local/ingress-nginx@sha256:abc"}
	for _, s := range samples {
		if filepath.Base(s) != "kustomization.yaml" {
			args = append(args, "-f", s)
		}
	}
	code, out, errOut := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"# IngressGateway ingress/public", "# IngressGateway ingress/redis-edge", "# IngressGateway ingress/web",
		"# IngressGateway ingress/nodeport", "# IngressGateway ingress/edge-vip", "image: mirror.local/ingress-nginx@sha256:abc",
		// The VIP sample's class pins the keepalived image.
		"image: ghcr.io/portico-dev/keepalived:2.2.7@sha256:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestRenderChecksTheClass: with the class in the input, render applies its
// rules and data-plane settings as the operator would.
func TestRenderChecksTheClass(t *testing.T) {
	dir := t.TempDir()
	class := filepath.Join("..", "..", "config", "class", "default.yaml")
	gw := filepath.Join(dir, "gw.yaml")
	write := func(body string) {
		if err := os.WriteFile(gw, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("apiVersion: ingress.portico.dev/v1alpha1\nkind: IngressGateway\nmetadata: {name: g, namespace: ingress}\nspec: {workload: {hostNetwork: true}}\n")
	if code, _, errOut := run(t, "render", "-f", class, "-f", gw); code != 0 {
		t.Fatalf("a gateway the default class allows: exit %d: %s", code, errOut)
	}
	write("apiVersion: ingress.portico.dev/v1alpha1\nkind: IngressGateway\nmetadata: {name: g, namespace: team-a}\nspec: {controller: {image: evil/x:latest}}\n")
	code, _, errOut := run(t, "render", "-f", class, "-f", gw)
	for _, want := range []string{`metadata.namespace: IngressGatewayClass "default" forbids it (spec.allowedNamespaces, rule namespace)`,
		`spec.controller.image: IngressGatewayClass "default" forbids it (spec.dataPlane.allowedImages, rule image)`} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("exit %d, want 1 and %q in:\n%s", code, want, errOut)
		}
	}
	write("apiVersion: ingress.portico.dev/v1alpha1\nkind: IngressGateway\nmetadata: {name: g, namespace: ingress}\nspec: {gatewayClassName: gold}\n")
	if code, _, errOut := run(t, "render", "-f", class, "-f", gw); code != 1 || !strings.Contains(errOut, `IngressGatewayClass "gold" does not exist`) {
		t.Errorf("missing class: exit %d: %s", code, errOut)
	}
}

func TestRenderRejectsInvalidGatewaysLikeTheAPIServer(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(`apiVersion: ingress.portico.dev/v1alpha1
kind: IngressGateway
metadata: {name: bad}
spec:
  workload: {kind: DaemonSet, replicas: 3}
  tcp:
  - {port: 443, backend: {name: x, port: 1}}
  bogus: true
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "render", "-f", bad)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q: an invalid gateway must fail and print nothing", code, out)
	}
	for _, want := range []string{`IngressGateway.ingress.portico.dev "bad" is invalid`, `unknown field "spec.bogus"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// Without the unknown field, the CEL rules speak.
	if err := os.WriteFile(bad, []byte(`apiVersion: ingress.portico.dev/v1alpha1
kind: IngressGateway
metadata: {name: bad}
spec:
  workload: {kind: DaemonSet, replicas: 3}
  tcp:
  - {port: 443, backend: {name: x, port: 1}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, errOut = run(t, "render", "-f", bad)
	for _, want := range []string{"spec.workload: Invalid value: replicas applies to kind Deployment only",
		"spec.tcp: Invalid value: spec.tcp[0].port: 443/TCP is also spec.ports.https"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, _ := run(t); code != 2 {
		t.Errorf("no command: exit %d", code)
	}
	if code, _, _ := run(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
	if code, _, _ := run(t, "render"); code != 2 {
		t.Errorf("render without -f: exit %d", code)
	}
	if code, _, errOut := run(t, "render", "-f", "does-not-exist.yaml"); code != 1 || !strings.Contains(errOut, "does-not-exist.yaml") {
		t.Errorf("missing file: exit %d %s", code, errOut)
	}
	// Asking for help is not an error.
	for _, cmd := range []string{"render", "import"} {
		if code, _, errOut := run(t, cmd, "-h"); code != 0 || !strings.Contains(errOut, "Usage: portico "+cmd) {
			t.Errorf("%s -h: exit %d: %s", cmd, code, errOut)
		}
	}
	if code, _, errOut := run(t, "import"); code != 2 || !strings.Contains(errOut, "--namespace is required") {
		t.Errorf("import with neither -f nor --namespace: exit %d: %s", code, errOut)
	}
}

// TestRenderDirectory: -f takes a directory, as kubectl apply -f does.
func TestRenderDirectory(t *testing.T) {
	dir := filepath.Join("..", "..", "config", "samples")
	code, out, errOut := run(t, "render", "-f", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"# IngressGateway ingress/public", "# IngressGateway ingress/edge-vip", "# IngressGateway ingress/redis-edge"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if code, _, errOut := run(t, "render", "-f", t.TempDir()); code != 1 || !strings.Contains(errOut, "a directory without .yaml, .yml or .json files") {
		t.Errorf("empty directory: exit %d: %s", code, errOut)
	}
}

// importCases are the install layouts, each with what must survive an
// import → render round trip.
var importCases = []struct {
	fixture        string
	kind           string
	hostNetwork    bool
	hostPorts      bool
	args           []string
	tcp, udp, main map[string]string
	ports          []string // name/containerPort/hostPort of the rendered controller container
	reportHas      []string
}{
	{
		fixture: "microk8s", kind: "DaemonSet", hostPorts: true,
		args: []string{"--ingress-class=public", "--publish-status-address=127.0.0.1"},
		tcp:  map[string]string{"9000": "default/redis:6379"},
		udp:  map[string]string{"53": "kube-system/kube-dns:53"},
		main: map[string]string{"use-forwarded-headers": "true"},
		// 8888 is not mapped: its entry was invalid and is reported instead.
		ports: []string{"http/80/80", "https/443/443", "metrics/10254/0", "tcp-9000/9000/9000", "udp-53/53/53"},
		reportHas: []string{`"tcp 8888": "tcp-service:8888": the Service reference has no namespace; ingress-nginx skips the entry; probably meant "service-foo/tcp-service:8888"`,
			"IngressClass nginx → spec.ingressClass.aliases", "kubectl delete ingressclass/public ingressclass/nginx", "MicroK8s ingress addon"},
	},
	{
		fixture: "static-baremetal", kind: "Deployment", hostNetwork: true,
		args:  []string{"--ingress-class=nginx", "--default-ssl-certificate=ingress-nginx/wildcard-tls"},
		tcp:   map[string]string{"9000": "default/redis:6379:PROXY"},
		ports: []string{"http/80/80", "https/443/443", "metrics/10254/10254", "webhook/8443/8443"},
		reportHas: []string{`"tcp 443": "default/https-thing:443": port 443 is reserved for the controller itself`,
			"--validating-webhook=:8443 → spec.admissionWebhook (Portico issues and rotates its certificates",
			"--election-id=ingress-nginx-leader: Portico gives every gateway its own leader-election Lease",
			"Service ingress-nginx/ingress-nginx-controller of type NodePort"},
	},
	{
		fixture: "helm-daemonset", kind: "DaemonSet",
		args: []string{"--ingress-class=edge", "--enable-metrics=true", "--watch-ingress-without-class=true", "--v=2",
			"--publish-service=$(POD_NAMESPACE)/edge-controller"},
		tcp:   map[string]string{"2222": "git/ssh:22::PROXY"},
		udp:   map[string]string{"5353": "dns/coredns:dns"},
		main:  map[string]string{"proxy-body-size": "16m", "use-gzip": "true"},
		ports: []string{"http/80/0", "https/443/0", "metrics/10254/0"},
		reportHas: []string{`"tcp 70000": "git/ssh:22": port 70000 is outside 1-65535`,
			"--controller-class=example.com/edge: Portico gives every gateway a controller value of its own",
			"--enable-metrics=true", "the load balancer"},
	},
	{
		fixture: "legacy-kube-system", kind: "DaemonSet", hostPorts: true,
		args:  []string{"--ingress-class=nginx", "--default-backend-service=kube-system/default-http-backend"},
		main:  map[string]string{"proxy-read-timeout": "300"},
		ports: []string{"http/80/80", "https/443/443", "metrics/10254/0"},
		reportHas: []string{"ingress-nginx 0.8.3 is older than v1.0.0", "privileged: true (container nginx-ingress-lb)",
			"3 Ingresses have neither spec.ingressClassName nor the kubernetes.io/ingress.class annotation"},
	},
	{
		fixture: "helm-hostnetwork", kind: "DaemonSet", hostNetwork: true,
		args:      []string{"--ingress-class=nginx"},
		ports:     []string{"http/80/80", "https/443/443", "metrics/10254/10254", "webhook/8443/8443"},
		reportHas: []string{"no Service (host ports only)", "kubectl delete validatingwebhookconfiguration/ingress-nginx-admission"},
	},
}

func TestImportRoundTrip(t *testing.T) {
	for _, tc := range importCases {
		t.Run(tc.fixture, func(t *testing.T) {
			fixture := filepath.Join("testdata", "import", tc.fixture+".yaml")
			code, out, errOut := run(t, "import", "-f", fixture)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden.Check(t, filepath.Join("testdata", "import", tc.fixture+".gateway.golden"), []byte(out))
			golden.Check(t, filepath.Join("testdata", "import", tc.fixture+".report.golden"), []byte(errOut))
			for _, want := range tc.reportHas {
				if !strings.Contains(errOut, want) {
					t.Errorf("report lacks %q", want)
				}
			}

			// The class and grants printed with the gateway admit it.
			imported := filepath.Join(t.TempDir(), "imported.yaml")
			if err := os.WriteFile(imported, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := run(t, "render", "-f", imported); code != 0 || !strings.Contains(out, "kind: IngressGatewayClass") {
				t.Errorf("render of the import with its class: exit %d: %s", code, errOut)
			}

			gw, err := crdschema.Decode([]byte(out))
			if err != nil {
				t.Fatal(err)
			}
			gw.UID = placeholderUID
			res, err := render.Render(gw, render.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			var tpl corev1.PodTemplateSpec
			data := map[string]map[string]string{}
			for _, o := range res.Objects {
				switch x := o.(type) {
				case *appsv1.DaemonSet:
					tpl = x.Spec.Template
					if tc.kind != "DaemonSet" {
						t.Errorf("kind DaemonSet, want %s", tc.kind)
					}
				case *appsv1.Deployment:
					tpl = x.Spec.Template
					if tc.kind != "Deployment" {
						t.Errorf("kind Deployment, want %s", tc.kind)
					}
				case *corev1.ConfigMap:
					data[x.Name] = maps.Clone(x.Data)
					// Portico spells out upstream's default (snippets off).
					if x.Name == render.MainConfigMapName(gw).Name && x.Data["allow-snippet-annotations"] == "false" {
						delete(data[x.Name], "allow-snippet-annotations")
					}
				}
			}
			if tpl.Spec.HostNetwork != tc.hostNetwork {
				t.Errorf("hostNetwork %v", tpl.Spec.HostNetwork)
			}
			c := tpl.Spec.Containers[0]
			for _, a := range tc.args {
				a = strings.ReplaceAll(a, "edge-controller", render.ServiceName(gw).Name)
				if !slices.Contains(c.Args, a) {
					t.Errorf("rendered args lack %s: %v", a, c.Args)
				}
			}
			var ports []string
			for _, p := range c.Ports {
				ports = append(ports, p.Name+"/"+itoa(p.ContainerPort)+"/"+itoa(p.HostPort))
			}
			if !slices.Equal(ports, tc.ports) {
				t.Errorf("container ports %v, want %v", ports, tc.ports)
			}
			for name, want := range map[string]map[string]string{
				render.TCPConfigMapName(gw).Name:  tc.tcp,
				render.UDPConfigMapName(gw).Name:  tc.udp,
				render.MainConfigMapName(gw).Name: tc.main,
			} {
				if len(want) == 0 && len(data[name]) == 0 {
					continue
				}
				if diff := cmp.Diff(want, data[name]); diff != "" {
					t.Errorf("ConfigMap %s:\n%s", name, diff)
				}
			}
		})
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// TestGoldenSamplesPerDriver renders every sample under the install's
// default class (config/class/default.yaml) and under its traefik twin
// (config/class/traefik.yaml), a sample's own classes switched to the same
// driver, into testdata/samples/<sample>.<driver>.yaml.
func TestGoldenSamplesPerDriver(t *testing.T) {
	samples, _ := filepath.Glob(filepath.Join("..", "..", "config", "samples", "*.yaml"))
	for _, driver := range []v1alpha1.DataPlaneDriver{v1alpha1.DriverIngressNGINX, v1alpha1.DriverTraefik} {
		class := filepath.Join("..", "..", "config", "class", "default.yaml")
		if driver == v1alpha1.DriverTraefik {
			class = filepath.Join("..", "..", "config", "class", "traefik.yaml")
		}
		for _, s := range samples {
			name := strings.TrimSuffix(filepath.Base(s), ".yaml")
			if name == "kustomization" {
				continue
			}
			t.Run(name+"/"+string(driver), func(t *testing.T) {
				raw, err := os.ReadFile(s)
				if err != nil {
					t.Fatal(err)
				}
				// A sample's own class (vip-failover's) runs the driver too.
				in := filepath.Join(t.TempDir(), filepath.Base(s))
				text := string(raw)
				if driver == v1alpha1.DriverTraefik {
					text = strings.ReplaceAll(text, "  dataPlane:\n", "  dataPlane:\n    driver: traefik\n")
				}
				if err := os.WriteFile(in, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				code, out, errOut := run(t, "render", "-f", class, "-f", in)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				golden.Check(t, filepath.Join("testdata", "samples", name+"."+string(driver)+".yaml"), []byte(out))
			})
		}
	}
}
