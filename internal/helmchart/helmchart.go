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

// Package helmchart generates the Helm chart charts/portico from
// config/default (and config/prometheus, config/grafana), so the chart
// cannot drift from the kustomize install: `make helm-chart` writes it and
// `make verify` fails when it is stale. With default values the chart
// renders exactly config/default's objects, minus the Namespace (Helm's
// --create-namespace makes the release namespace) and with the CRDs in
// crds/ (Helm installs those once and never upgrades them).
//
// The generator works on the built objects, not on text: it swaps the
// values a user may set for placeholder strings, writes YAML, and turns the
// placeholders into template expressions. Each placeholder must be found
// exactly where expected, or generation fails: a changed config/ is never
// silently half-templated.
package helmchart

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/kustomize"
)

// Dir is where the chart is written, relative to the repository root.
const Dir = "charts/portico"

const (
	// namespace is config/default's namespace; the chart uses the release's.
	namespace   = "portico-system"
	managerName = "portico-controller-manager"
	// certSecret is the Secret cert-manager writes the webhook's serving
	// certificate into, when values.webhook.certManager.enabled.
	certSecret = "portico-webhook-server-cert"
	certDir    = "/tmp/k8s-webhook-server/serving-certs"
)

// Placeholders: plain words, so YAML writes them as plain scalars exactly
// where the values they stand for were.
const (
	phNamespace = "PORTICOHELMNAMESPACE"
	phImage     = "PORTICOHELMIMAGE"
	phDataPlane = "PORTICOHELMDATAPLANEIMAGE"
	phResources = "PORTICOHELMRESOURCES"
	phEnvExtra  = "PORTICOHELMENVEXTRA"
	phArgsExtra = "PORTICOHELMARGSEXTRA"
	phMounts    = "PORTICOHELMMOUNTS"
	phVolumes   = "PORTICOHELMVOLUMES"
	phVWCAnnot  = "PORTICOHELMVWCANNOTATIONS"
	phClassSpec = "PORTICOHELMCLASSSPEC"
)

// Generate returns the chart's files by path relative to Dir.
func Generate(root string) (map[string][]byte, error) {
	objs, err := kustomize.Build(filepath.Join(root, "config", "default"))
	if err != nil {
		return nil, err
	}
	version, err := releaseVersion(root)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	values := map[string]any{}
	var templates []string
	for _, o := range objs {
		switch o.GetKind() {
		case "Namespace":
			continue
		case "CustomResourceDefinition":
			b, err := yaml.Marshal(o.Object)
			if err != nil {
				return nil, err
			}
			files["crds/"+o.GetName()+".yaml"] = b
			continue
		}
		replaceStrings(o.Object, namespace, phNamespace)
		var wrap [2]string
		switch {
		case o.GetKind() == "Deployment" && o.GetName() == managerName:
			if err := templateManager(o, values); err != nil {
				return nil, err
			}
		case o.GetKind() == "ValidatingWebhookConfiguration":
			ann := o.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[phVWCAnnot] = "x"
			o.SetAnnotations(ann)
		case o.GetKind() == "IngressGatewayClass" && o.GetName() == "default":
			values["defaultClass"] = map[string]any{"enabled": true, "spec": o.Object["spec"]}
			o.Object["spec"] = phClassSpec
			// The operator's webhook (failurePolicy Fail) judges classes,
			// and Helm orders kinds it does not know last, after the
			// webhook registration: create the class once the release's
			// pods are up (helm install --wait), as a hook.
			ann := o.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann["helm.sh/hook"] = "post-install,post-upgrade"
			ann["helm.sh/hook-delete-policy"] = "before-hook-creation"
			o.SetAnnotations(ann)
			wrap = [2]string{"{{- if .Values.defaultClass.enabled }}\n", "{{- end }}\n"}
		}
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		text, err := substitute(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.GetKind(), o.GetName(), err)
		}
		templates = append(templates, wrap[0]+text+wrap[1])
	}
	files["templates/install.yaml"] = []byte(strings.Join(templates, "---\n"))
	files["templates/cert-manager.yaml"] = []byte(certManagerTemplate)

	optional := []struct {
		dir, value, file, help string
		// cond is the template condition of an object of that kind.
		cond func(kind string) string
	}{
		{"config/prometheus", "serviceMonitor", "templates/prometheus.yaml", "the ServiceMonitor and the PrometheusRule need the monitoring.coreos.com CRDs",
			func(kind string) string {
				if kind == "PrometheusRule" {
					return ".Values.alerts.enabled"
				}
				return ".Values.serviceMonitor.enabled"
			}},
		// Installed where the API server serves it (Kubernetes 1.36+).
		{"config/gateway-defaults", "gatewayDefaultsPolicy", "templates/gateway-defaults.yaml", "the MutatingAdmissionPolicy needs Kubernetes 1.36 or later; it is installed where the API server serves it",
			func(kind string) string {
				return `and .Values.gatewayDefaultsPolicy.enabled (.Capabilities.APIVersions.Has "admissionregistration.k8s.io/v1/` + kind + `")`
			}},
	}
	for _, opt := range optional {
		more, err := kustomize.Build(filepath.Join(root, opt.dir))
		if err != nil {
			return nil, err
		}
		var parts []string
		for _, o := range more {
			if o.GetNamespace() != "" { // cluster-scoped objects stay so
				o.SetNamespace(phNamespace)
			}
			cond := opt.cond(o.GetKind())
			b, err := yaml.Marshal(o.Object)
			if err != nil {
				return nil, err
			}
			text, err := substitute(string(b))
			if err != nil {
				return nil, err
			}
			parts = append(parts, "{{- if "+cond+" }}\n"+text+"{{- end }}\n")
		}
		files[opt.file] = []byte("# " + opt.help + ".\n" + strings.Join(parts, "---\n"))
	}
	values["serviceMonitor"] = map[string]any{"enabled": false}
	values["gatewayDefaultsPolicy"] = map[string]any{"enabled": true}
	values["alerts"] = map[string]any{"enabled": false}

	if dash, err := os.ReadFile(filepath.Join(root, "config", "grafana", "portico-dashboard.json")); err == nil {
		files["dashboards/portico-dashboard.json"] = dash
		files["templates/grafana-dashboard.yaml"] = []byte(dashboardTemplate)
		values["grafanaDashboard"] = map[string]any{"enabled": false}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	values["webhook"] = map[string]any{"certManager": map[string]any{"enabled": false}}

	v, err := valuesYAML(values)
	if err != nil {
		return nil, err
	}
	files["values.yaml"] = v
	files["Chart.yaml"] = []byte(fmt.Sprintf(chartYAML, version, version))
	files[".helmignore"] = []byte("# Generated by make helm-chart (internal/helmchart).\n*.orig\n")
	return files, nil
}

// templateManager swaps the manager Deployment's settable values for
// placeholders and records their defaults in values.
func templateManager(o *unstructured.Unstructured, values map[string]any) error {
	containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
	if len(containers) != 1 {
		return fmt.Errorf("Deployment %s: want one container, have %d", o.GetName(), len(containers))
	}
	c := containers[0].(map[string]any)
	img, _ := c["image"].(string)
	repo, digest, ok := strings.Cut(img, "@")
	if !ok {
		return fmt.Errorf("Deployment %s: image %q is not pinned by digest", o.GetName(), img)
	}
	values["image"] = map[string]any{"repository": repo, "digest": digest}
	c["image"] = phImage
	values["resources"] = c["resources"]
	c["resources"] = phResources
	env, _ := c["env"].([]any)
	found := false
	for _, e := range env {
		m := e.(map[string]any)
		if m["name"] == "RELATED_IMAGE_INGRESS_NGINX" {
			values["dataPlane"] = map[string]any{"image": m["value"], "keepalivedImage": ""}
			m["value"] = phDataPlane
			found = true
		}
	}
	if !found {
		return fmt.Errorf("Deployment %s: no RELATED_IMAGE_INGRESS_NGINX", o.GetName())
	}
	c["env"] = append(env, phEnvExtra)
	args, _ := c["args"].([]any)
	c["args"] = append(args, phArgsExtra)
	mounts, _ := c["volumeMounts"].([]any)
	c["volumeMounts"] = append(mounts, phMounts)
	containers[0] = c
	if err := unstructured.SetNestedSlice(o.Object, containers, "spec", "template", "spec", "containers"); err != nil {
		return err
	}
	vols, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "volumes")
	return unstructured.SetNestedSlice(o.Object, append(vols, phVolumes), "spec", "template", "spec", "volumes")
}

// literal escapes text Helm must not read as template actions, such as
// the PrometheusRule's own {{ $labels.gateway }}: one pass, so the
// escapes are not escaped again.
var literal = strings.NewReplacer("{{", "{{`{{`}}", "}}", "{{`}}`}}")

// substitute turns the placeholders of one object's YAML into templates;
// everything else stays literal.
func substitute(text string) (string, error) {
	text = literal.Replace(text)
	text = strings.ReplaceAll(text, phNamespace, "{{ .Release.Namespace }}")
	text = strings.ReplaceAll(text, phImage, `{{ printf "%s@%s" .Values.image.repository .Values.image.digest | quote }}`)
	text = strings.ReplaceAll(text, phDataPlane, "{{ .Values.dataPlane.image | quote }}")
	lineSubs := []struct{ marker, tmpl string }{
		{"resources: " + phResources, "%[2]sresources:\n{{- toYaml .Values.resources | nindent %[1]d }}"},
		{"- " + phEnvExtra, "{{- with .Values.dataPlane.keepalivedImage }}\n%[2]s- name: RELATED_IMAGE_KEEPALIVED\n%[2]s  value: {{ . | quote }}\n{{- end }}"},
		{"- " + phArgsExtra, "{{- if .Values.webhook.certManager.enabled }}\n%[2]s- --webhook-cert-mode=external\n{{- end }}"},
		{"- " + phMounts, "{{- if .Values.webhook.certManager.enabled }}\n%[2]s- name: webhook-cert\n%[2]s  mountPath: " + certDir + "\n%[2]s  readOnly: true\n{{- end }}"},
		{"- " + phVolumes, "{{- if .Values.webhook.certManager.enabled }}\n%[2]s- name: webhook-cert\n%[2]s  secret:\n%[2]s    secretName: " + certSecret + "\n{{- end }}"},
		{phVWCAnnot + ": x", "{{- if .Values.webhook.certManager.enabled }}\n%[2]scert-manager.io/inject-ca-from: {{ .Release.Namespace }}/" + certSecret + "\n{{- end }}"},
		{"spec: " + phClassSpec, "%[2]sspec:\n{{- toYaml .Values.defaultClass.spec | nindent %[1]d }}"},
	}
	for _, s := range lineSubs {
		text = replaceLine(text, s.marker, s.tmpl)
	}
	if strings.Contains(text, "PORTICOHELM") {
		return "", fmt.Errorf("a placeholder was left in:\n%s", text)
	}
	return text, nil
}

// replaceLine replaces the line holding marker (if any) with tmpl, given
// the marker's indentation plus two (%[1]d, for nindent) and the
// indentation itself (%[2]s). An annotation map holding only the marker
// becomes empty when nothing is added.
func replaceLine(text, marker, tmpl string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		if trimmed != marker {
			continue
		}
		indent := len(l) - len(trimmed)
		lines[i] = fmt.Sprintf(tmpl, indent+2, strings.Repeat(" ", indent))
		if strings.HasPrefix(marker, phVWCAnnot) && i > 0 && strings.TrimSpace(lines[i-1]) == "annotations:" {
			// annotations: holding only the marker: emit the key only when
			// something goes under it.
			lines[i-1] = "{{- if .Values.webhook.certManager.enabled }}\n" + lines[i-1] + "\n{{- end }}"
		}
		return strings.Join(lines, "\n")
	}
	return text
}

// replaceStrings replaces old with repl in every string of v.
func replaceStrings(v any, old, repl string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok {
				t[k] = strings.ReplaceAll(s, old, repl)
				continue
			}
			replaceStrings(x, old, repl)
		}
	case []any:
		for i, x := range t {
			if s, ok := x.(string); ok {
				t[i] = strings.ReplaceAll(s, old, repl)
				continue
			}
			replaceStrings(x, old, repl)
		}
	}
}

func releaseVersion(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "config", "manifests", "release.yaml"))
	if err != nil {
		return "", err
	}
	var r struct {
		Version string `json:"version"`
	}
	if err := yaml.Unmarshal(b, &r); err != nil {
		return "", fmt.Errorf("config/manifests/release.yaml: no version (%w)", err)
	}
	if r.Version == "" {
		return "", errors.New("config/manifests/release.yaml: no version")
	}
	return r.Version, nil
}

// valuesYAML writes values with a comment per key, in a fixed order.
func valuesYAML(values map[string]any) ([]byte, error) {
	help := map[string]string{
		"image":                 "The operator image, pinned by digest.",
		"dataPlane":             "Data-plane images new gateways get when their class names none (RELATED_IMAGE_INGRESS_NGINX, RELATED_IMAGE_KEEPALIVED). Pin them by digest.",
		"defaultClass":          "The install's IngressGatewayClass \"default\": who may run a fleet, where, with what (docs/security.md). spec is the class's spec as in config/class.",
		"resources":             "The operator container's resources.",
		"webhook":               "The operator's admission webhook certificate: self-signed and rotated by the operator (default), or issued by cert-manager (certManager.enabled: a self-signed Issuer and a Certificate; needs cert-manager's CRDs).",
		"serviceMonitor":        "A prometheus-operator ServiceMonitor for the operator's metrics (needs the monitoring.coreos.com CRDs).",
		"alerts":                "The PrometheusRule portico-alerts (docs/operations.md has a runbook per alert).",
		"grafanaDashboard":      "The Grafana dashboard as a ConfigMap labelled grafana_dashboard: \"1\" (for Grafana's dashboard sidecar).",
		"gatewayDefaultsPolicy": "The MutatingAdmissionPolicy portico-gateway-defaults: each new gateway's finalizer and shard label set as it is created, one write fewer per gateway (installed only where the API server serves MutatingAdmissionPolicy, Kubernetes 1.36+).",
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	order := []string{"image", "dataPlane", "resources", "webhook", "defaultClass", "gatewayDefaultsPolicy", "serviceMonitor", "alerts", "grafanaDashboard"}
	sort.SliceStable(keys, func(i, j int) bool { return indexOf(order, keys[i]) < indexOf(order, keys[j]) })
	var b bytes.Buffer
	b.WriteString("# Generated by make helm-chart from config/ (internal/helmchart): edit config/, not this file.\n")
	for _, k := range keys {
		// Through JSON, so numbers and maps are written as YAML writes them.
		j, err := json.Marshal(map[string]any{k: values[k]})
		if err != nil {
			return nil, err
		}
		y, err := yaml.JSONToYAML(j)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "\n# %s\n%s", help[k], y)
	}
	return b.Bytes(), nil
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return len(s)
}

const chartYAML = `# Generated by make helm-chart from config/ (internal/helmchart).
apiVersion: v2
name: portico
description: The Portico operator, which turns IngressGateway resources into ingress controller fleets.
type: application
version: %s
appVersion: %q
kubeVersion: ">=1.31.0-0"
home: https://github.com/portico-dev/portico
`

const certManagerTemplate = `{{- if .Values.webhook.certManager.enabled }}
# cert-manager issues the operator's webhook serving certificate; its CA
# injector writes the caBundle of the ValidatingWebhookConfiguration.
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: portico-selfsigned
  namespace: {{ .Release.Namespace }}
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: ` + certSecret + `
  namespace: {{ .Release.Namespace }}
spec:
  secretName: ` + certSecret + `
  dnsNames:
  - portico-webhook-service.{{ .Release.Namespace }}.svc
  - portico-webhook-service.{{ .Release.Namespace }}.svc.cluster.local
  issuerRef:
    kind: Issuer
    name: portico-selfsigned
{{- end }}
`

const dashboardTemplate = `{{- if .Values.grafanaDashboard.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: portico-dashboard
  namespace: {{ .Release.Namespace }}
  labels:
    grafana_dashboard: "1"
    app.kubernetes.io/name: portico
data:
  portico-dashboard.json: |-
{{ .Files.Get "dashboards/portico-dashboard.json" | indent 4 }}
{{- end }}
`

// Write writes files into root/Dir, removing files the chart no longer has.
func Write(root string, files map[string][]byte) (changed int, err error) {
	dir := filepath.Join(root, Dir)
	existing := map[string]bool{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			existing[rel] = true
		}
		return nil
	})
	for rel, b := range files {
		delete(existing, rel)
		p := filepath.Join(dir, rel)
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return changed, err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return changed, err
		}
		changed++
	}
	for rel := range existing {
		if err := os.Remove(filepath.Join(dir, rel)); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}
