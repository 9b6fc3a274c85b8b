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

// Package olmbundle generates Portico's OLM registry+v1 bundle (bundle/,
// bundle.Dockerfile) and its file-based catalog (catalog/) from
// config/manifests and config/manifests/release.yaml. `make bundle` writes
// the files; the package's test fails when the checked-in ones drift.
//
// It does what `operator-sdk generate bundle` does for this project, without
// a binary to build: the manager's RBAC becomes CSV permissions, the
// operator's ValidatingWebhookConfiguration becomes webhookdefinitions (OLM
// then issues the certificate), the samples become alm-examples, and the CRD
// schema yields a spec or status descriptor for every field.
package olmbundle

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/kustomize"
)

// Package is the OLM package name.
const Package = "portico"

// Paths relative to the repository root.
const (
	ManifestsDir   = "config/manifests"
	ReleaseFile    = "config/manifests/release.yaml"
	IconFile       = "config/manifests/icon.svg"
	ScorecardFile  = "config/scorecard/config.yaml"
	BundleDir      = "bundle"
	CatalogDir     = "catalog"
	BundleDocker   = "bundle.Dockerfile"
	managerName    = "portico-controller-manager"
	managerCtrName = "manager"
)

// ExtraSamples are sample files outside config/samples' kustomization that
// become alm-examples too.
var ExtraSamples = []string{"config/samples/vip-failover.yaml"}

// Release is config/manifests/release.yaml.
type Release struct {
	Version        string   `json:"version"`
	Replaces       string   `json:"replaces,omitempty"`
	SkipRange      string   `json:"skipRange,omitempty"`
	Channels       []string `json:"channels"`
	DefaultChannel string   `json:"defaultChannel"`
	BundleImage    string   `json:"bundleImage"`
	CreatedAt      string   `json:"createdAt"`
	MinKubeVersion string   `json:"minKubeVersion"`
	Images         Images   `json:"images"`
}

// Images are the images the bundle pins; each must carry a digest.
type Images struct {
	Operator     string `json:"operator"`
	IngressNginx string `json:"ingressNginx"`
	Traefik      string `json:"traefik"`
	Keepalived   string `json:"keepalived"`
}

var (
	semverRE  = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$`)
	digestRE  = regexp.MustCompile(`^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+)?@sha256:[0-9a-f]{64}$`)
	channelRE = regexp.MustCompile(`^(candidate|fast|stable)`)
)

// LoadRelease reads and checks the release file.
func LoadRelease(path string) (Release, error) {
	var r Release
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := yaml.UnmarshalStrict(b, &r); err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Validate reports every field that cannot make a bundle.
func (r Release) Validate() error {
	var errs []error
	if !semverRE.MatchString(r.Version) {
		errs = append(errs, fmt.Errorf("version %q: want a semantic version such as 0.1.0, without a leading v", r.Version))
	}
	if r.Replaces != "" && !strings.HasPrefix(r.Replaces, Package+".v") {
		errs = append(errs, fmt.Errorf("replaces %q: want the CSV name of an earlier release (%s.vX.Y.Z)", r.Replaces, Package))
	}
	if !semverRE.MatchString(r.MinKubeVersion) {
		errs = append(errs, fmt.Errorf("minKubeVersion %q: want a version such as 1.31.0", r.MinKubeVersion))
	}
	if len(r.Channels) == 0 {
		errs = append(errs, errors.New("channels: want at least one"))
	}
	for _, c := range r.Channels {
		if !channelRE.MatchString(c) {
			errs = append(errs, fmt.Errorf("channel %q: OLM's good practices want a name starting with candidate, fast or stable", c))
		}
	}
	if !contains(r.Channels, r.DefaultChannel) {
		errs = append(errs, fmt.Errorf("defaultChannel %q is not one of channels %v", r.DefaultChannel, r.Channels))
	}
	if r.BundleImage == "" {
		errs = append(errs, errors.New("bundleImage: required (the catalog refers to it)"))
	}
	if r.CreatedAt == "" {
		errs = append(errs, errors.New("createdAt: required (fixed per release so regeneration is reproducible)"))
	}
	for name, img := range map[string]string{"operator": r.Images.Operator, "ingressNginx": r.Images.IngressNginx, "traefik": r.Images.Traefik, "keepalived": r.Images.Keepalived} {
		if !digestRE.MatchString(img) {
			errs = append(errs, fmt.Errorf("images.%s %q: pin it by digest (registry/repository[:tag]@sha256:<64 hex>)", name, img))
		}
	}
	return errors.Join(errs...)
}

// CSVName is the ClusterServiceVersion's name for the release.
func (r Release) CSVName() string { return Package + ".v" + r.Version }

// Files maps paths relative to the repository root to their content.
type Files map[string][]byte

// Generate builds the bundle and catalog files for the repository at root.
func Generate(root string) (Files, error) {
	rel, err := LoadRelease(filepath.Join(root, ReleaseFile))
	if err != nil {
		return nil, err
	}
	return GenerateRelease(root, rel)
}

// GenerateRelease is Generate with the release given.
func GenerateRelease(root string, rel Release) (Files, error) {
	if err := rel.Validate(); err != nil {
		return nil, err
	}
	objs, err := kustomize.Build(filepath.Join(root, ManifestsDir))
	if err != nil {
		return nil, err
	}
	// Samples config/samples' kustomization leaves out (their fleets clash
	// with another sample's) are examples all the same; kustomize will
	// not read a file outside config/manifests.
	for _, f := range ExtraSamples {
		more, err := kustomize.ReadFile(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		objs = append(objs, more...)
	}
	in, err := sortInputs(objs)
	if err != nil {
		return nil, err
	}
	in.root = root
	icon, err := os.ReadFile(filepath.Join(root, IconFile))
	if err != nil {
		return nil, err
	}
	scorecard, err := os.ReadFile(filepath.Join(root, ScorecardFile))
	if err != nil {
		return nil, err
	}
	csv, err := buildCSV(in, rel, icon)
	if err != nil {
		return nil, err
	}
	files := Files{}
	put := func(path string, obj any) error {
		b, err := yaml.Marshal(obj)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		files[path] = b
		return nil
	}
	manifests := BundleDir + "/manifests/"
	if err := put(manifests+Package+".clusterserviceversion.yaml", csv); err != nil {
		return nil, err
	}
	for _, crd := range in.crds {
		group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
		plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
		if err := put(manifests+group+"_"+plural+".yaml", crd.Object); err != nil {
			return nil, err
		}
	}
	for _, o := range in.extra {
		gv := strings.ReplaceAll(o.GetAPIVersion(), "/", "_")
		if err := put(manifests+o.GetName()+"_"+gv+"_"+strings.ToLower(o.GetKind())+".yaml", o.Object); err != nil {
			return nil, err
		}
	}
	annotations := bundleAnnotations(rel)
	if err := put(BundleDir+"/metadata/annotations.yaml", map[string]any{"annotations": annotations}); err != nil {
		return nil, err
	}
	files[BundleDir+"/tests/scorecard/config.yaml"] = scorecard
	files[BundleDocker] = dockerfile(annotations)
	cat, err := catalog(rel, csv, in)
	if err != nil {
		return nil, err
	}
	files[CatalogDir+"/"+Package+"/index.yaml"] = cat
	files["catalog.Dockerfile"] = []byte(catalogDockerfile)
	return files, nil
}

// managed lists the directories whose files Generate owns entirely: Write
// removes files there that Generate no longer produces.
var managed = []string{BundleDir, CatalogDir}

// Write writes files under root and removes stale files in the generated
// directories.
func (f Files) Write(root string) error {
	for _, stale := range f.Diff(root) {
		if _, ok := f[stale]; !ok {
			if err := os.Remove(filepath.Join(root, stale)); err != nil {
				return err
			}
		}
	}
	for path, b := range f {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Diff lists the paths whose content under root differs from f: changed,
// missing, and extra files in the generated directories.
func (f Files) Diff(root string) []string {
	var out []string
	for path, want := range f {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil || !bytes.Equal(got, want) {
			out = append(out, path)
		}
	}
	for _, dir := range managed {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if _, ok := f[rel]; !ok {
				out = append(out, rel)
			}
			return nil
		})
	}
	sort.Strings(out)
	return out
}

// inputs are config/manifests' objects, sorted by what becomes of them.
type inputs struct {
	// root is the repository root.
	root       string
	base       *unstructured.Unstructured
	crds       []*unstructured.Unstructured
	deployment *unstructured.Unstructured
	webhooks   []*unstructured.Unstructured
	roles      map[string]*unstructured.Unstructured // "Kind/name"
	bindings   []*unstructured.Unstructured
	samples    []*unstructured.Unstructured
	// extra are bundle manifests as they are (kinds registry+v1 allows).
	extra []*unstructured.Unstructured
	// dropped lists what the bundle leaves out, for the record.
	dropped []string
}

// sortInputs assigns every object a place in the bundle, or fails on one it
// has no rule for: a kind added to config/default must be decided on.
func sortInputs(objs []*unstructured.Unstructured) (*inputs, error) {
	in := &inputs{roles: map[string]*unstructured.Unstructured{}}
	var services []*unstructured.Unstructured
	var errs []error
	for _, o := range objs {
		switch o.GetKind() {
		case "ClusterServiceVersion":
			if in.base != nil {
				errs = append(errs, errors.New("config/manifests holds more than one ClusterServiceVersion"))
			}
			in.base = o
		case "CustomResourceDefinition":
			in.crds = append(in.crds, o)
		case "Deployment":
			if o.GetName() != managerName {
				errs = append(errs, fmt.Errorf("Deployment %s: only %s belongs in the CSV", o.GetName(), managerName))
				continue
			}
			in.deployment = o
		case "ValidatingWebhookConfiguration":
			in.webhooks = append(in.webhooks, o)
		case "Role", "ClusterRole":
			in.roles[o.GetKind()+"/"+o.GetName()] = o
		case "RoleBinding", "ClusterRoleBinding":
			in.bindings = append(in.bindings, o)
		case "IngressGateway", "IngressGatewayClass", "IngressGatewayGrant":
			// Custom resources are examples (alm-examples): a bundle cannot
			// install them, so the default class is a documented step.
			in.samples = append(in.samples, o)
		case "Service":
			services = append(services, o)
		case "ServiceAccount":
			// The CSV's install strategy names it; OLM creates it.
			in.dropped = append(in.dropped, "ServiceAccount/"+o.GetName()+": OLM creates the CSV deployment's ServiceAccount")
		case "Namespace":
			in.dropped = append(in.dropped, "Namespace/"+o.GetName()+": OLM installs into the OperatorGroup's namespace; samples' namespaces are the user's")
		case "Ingress":
			in.dropped = append(in.dropped, "Ingress/"+o.GetName()+": a sample's companion object, not part of the operator")
		case "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding":
			in.dropped = append(in.dropped, o.GetKind()+"/"+o.GetName()+": registry+v1 bundles cannot carry it; under OLM the operator's own ownership check (it never writes a Secret without its labels) is the only guard")
		default:
			errs = append(errs, fmt.Errorf("%s %s: no rule for this kind in the bundle; add one to internal/olmbundle", o.GetKind(), o.GetName()))
		}
	}
	if in.base == nil {
		errs = append(errs, errors.New("config/manifests: no base ClusterServiceVersion"))
	}
	if in.deployment == nil {
		errs = append(errs, fmt.Errorf("config/manifests: no Deployment %s", managerName))
	}
	if len(in.crds) == 0 {
		errs = append(errs, errors.New("config/manifests: no CustomResourceDefinition"))
	}
	if len(in.samples) == 0 {
		errs = append(errs, errors.New("config/manifests: no IngressGateway sample for alm-examples"))
	}
	// The webhook's Service is replaced by the one OLM creates for the
	// deployment; every other Service ships as is.
	webhookServices := map[string]bool{}
	for _, w := range in.webhooks {
		hooks, _, _ := unstructured.NestedSlice(w.Object, "webhooks")
		for _, h := range hooks {
			if name, ok, _ := unstructured.NestedString(h.(map[string]any), "clientConfig", "service", "name"); ok {
				webhookServices[name] = true
			}
		}
	}
	for _, s := range services {
		if webhookServices[s.GetName()] {
			in.dropped = append(in.dropped, "Service/"+s.GetName()+": OLM creates "+managerName+"-service for the webhook")
			continue
		}
		in.extra = append(in.extra, s)
	}
	// ClusterRoles nobody binds to the operator ship as they are (the
	// data-plane roles the operator binds each fleet to).
	bound := map[string]bool{}
	for _, b := range in.bindings {
		ref, _, _ := unstructured.NestedStringMap(b.Object, "roleRef")
		bound[ref["kind"]+"/"+ref["name"]] = true
	}
	for _, key := range sortedKeys(in.roles) {
		if !bound[key] {
			if r := in.roles[key]; r.GetKind() == "ClusterRole" {
				in.extra = append(in.extra, r)
			} else {
				errs = append(errs, fmt.Errorf("%s is bound to nobody", key))
			}
		}
	}
	for _, o := range in.extra {
		stripNamespace(o)
	}
	return in, errors.Join(errs...)
}

// stripNamespace removes what the kustomize install added: OLM installs
// bundle objects into the operator's namespace.
func stripNamespace(o *unstructured.Unstructured) {
	o.SetNamespace("")
	unstructured.RemoveNestedField(o.Object, "metadata", "creationTimestamp")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// buildCSV completes the base CSV.
func buildCSV(in *inputs, rel Release, icon []byte) (map[string]any, error) {
	csv := in.base.DeepCopy().Object
	meta := csv["metadata"].(map[string]any)
	meta["name"] = rel.CSVName()
	delete(meta, "namespace")
	delete(meta, "creationTimestamp")
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
		meta["annotations"] = ann
	}
	examples, err := almExamples(in.samples)
	if err != nil {
		return nil, err
	}
	ann["alm-examples"] = examples
	ann["containerImage"] = rel.Images.Operator
	ann["createdAt"] = rel.CreatedAt
	ann["operators.operatorframework.io/internal-objects"] = "[]"
	if rel.SkipRange != "" {
		ann["olm.skipRange"] = rel.SkipRange
	}
	spec := csv["spec"].(map[string]any)
	spec["version"] = rel.Version
	spec["minKubeVersion"] = rel.MinKubeVersion
	if rel.Replaces != "" {
		spec["replaces"] = rel.Replaces
	}
	spec["icon"] = []any{map[string]any{"base64data": base64.StdEncoding.EncodeToString(icon), "mediatype": "image/svg+xml"}}
	spec["relatedImages"] = []any{
		map[string]any{"name": "portico", "image": rel.Images.Operator},
		map[string]any{"name": "ingress-nginx", "image": rel.Images.IngressNginx},
		map[string]any{"name": "traefik", "image": rel.Images.Traefik},
		map[string]any{"name": "keepalived", "image": rel.Images.Keepalived},
	}
	install, err := installStrategy(in, rel)
	if err != nil {
		return nil, err
	}
	spec["install"] = install
	hooks, err := webhookDefinitions(in)
	if err != nil {
		return nil, err
	}
	if len(hooks) > 0 {
		spec["webhookdefinitions"] = hooks
	}
	owned, err := ownedCRDs(in, spec)
	if err != nil {
		return nil, err
	}
	spec["customresourcedefinitions"] = map[string]any{"owned": owned}
	return csv, nil
}

// almExamples is the samples as a JSON array, without namespaces (the
// console creates them in the namespace the user is in).
func almExamples(samples []*unstructured.Unstructured) (string, error) {
	var list []any
	for _, s := range samples {
		o := s.DeepCopy()
		o.SetNamespace("")
		list = append(list, o.Object)
	}
	b, err := json.MarshalIndent(list, "", "  ")
	return string(b), err
}

// installStrategy is spec.install: the manager Deployment with the release's
// images, and the RBAC bound to its ServiceAccount.
func installStrategy(in *inputs, rel Release) (map[string]any, error) {
	d := in.deployment.DeepCopy()
	podSpec, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec")
	sa, _ := podSpec["serviceAccountName"].(string)
	if sa == "" {
		return nil, fmt.Errorf("Deployment %s: no serviceAccountName", managerName)
	}
	containers, _ := podSpec["containers"].([]any)
	found := false
	for _, c := range containers {
		c := c.(map[string]any)
		if c["name"] != managerCtrName {
			continue
		}
		found = true
		c["image"] = rel.Images.Operator
		env, _ := c["env"].([]any)
		env = setEnv(env, "RELATED_IMAGE_INGRESS_NGINX", rel.Images.IngressNginx)
		env = setEnv(env, "RELATED_IMAGE_TRAEFIK", rel.Images.Traefik)
		env = setEnv(env, "RELATED_IMAGE_KEEPALIVED", rel.Images.Keepalived)
		c["env"] = env
		for _, m := range asSlice(c["volumeMounts"]) {
			if p, _ := m.(map[string]any)["mountPath"].(string); strings.HasPrefix(p, "/tmp/k8s-webhook-server") {
				return nil, fmt.Errorf("Deployment %s mounts %s: OLM mounts the webhook certificate there; remove the volume from config/manifests", managerName, p)
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("Deployment %s: no container %q", managerName, managerCtrName)
	}
	if err := unstructured.SetNestedMap(d.Object, podSpec, "spec", "template", "spec"); err != nil {
		return nil, err
	}
	depSpec, _, _ := unstructured.NestedMap(d.Object, "spec")
	var permissions, clusterPermissions []any
	var errs []error
	for _, b := range in.bindings {
		subjects, _, _ := unstructured.NestedSlice(b.Object, "subjects")
		bindsSA := false
		for _, s := range subjects {
			s := s.(map[string]any)
			if s["kind"] == "ServiceAccount" && s["name"] == sa {
				bindsSA = true
			} else {
				errs = append(errs, fmt.Errorf("%s %s binds %v %v: only the operator's ServiceAccount can be turned into CSV permissions", b.GetKind(), b.GetName(), s["kind"], s["name"]))
			}
		}
		if !bindsSA {
			continue
		}
		ref, _, _ := unstructured.NestedStringMap(b.Object, "roleRef")
		role, ok := in.roles[ref["kind"]+"/"+ref["name"]]
		if !ok {
			errs = append(errs, fmt.Errorf("%s %s refers to %s %s, which config/manifests does not contain", b.GetKind(), b.GetName(), ref["kind"], ref["name"]))
			continue
		}
		rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
		entry := map[string]any{"serviceAccountName": sa, "rules": rules}
		if b.GetKind() == "ClusterRoleBinding" {
			clusterPermissions = append(clusterPermissions, entry)
		} else {
			permissions = append(permissions, entry)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return map[string]any{
		"strategy": "deployment",
		"spec": map[string]any{
			"deployments": []any{map[string]any{
				"name":  d.GetName(),
				"label": toAny(d.GetLabels()),
				"spec":  depSpec,
			}},
			"permissions":        permissions,
			"clusterPermissions": clusterPermissions,
		},
	}, nil
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// setEnv sets name to value, replacing an existing entry.
func setEnv(env []any, name, value string) []any {
	for _, e := range env {
		if e := e.(map[string]any); e["name"] == name {
			delete(e, "valueFrom")
			e["value"] = value
			return env
		}
	}
	return append(env, map[string]any{"name": name, "value": value})
}

// webhookDefinitions turns the operator's ValidatingWebhookConfiguration
// into spec.webhookdefinitions. OLM generates the namespaceSelector, the
// Service and the certificate.
func webhookDefinitions(in *inputs) ([]any, error) {
	var out []any
	port := webhookTargetPort(in.deployment)
	for _, w := range in.webhooks {
		hooks, _, _ := unstructured.NestedSlice(w.Object, "webhooks")
		for _, h := range hooks {
			h := h.(map[string]any)
			path, _, _ := unstructured.NestedString(h, "clientConfig", "service", "path")
			if path == "" {
				return nil, fmt.Errorf("webhook %v: no clientConfig.service.path", h["name"])
			}
			if _, ok := h["namespaceSelector"]; ok {
				return nil, fmt.Errorf("webhook %v sets namespaceSelector: OLM generates it from the OperatorGroup", h["name"])
			}
			def := map[string]any{
				"type":                    "ValidatingAdmissionWebhook",
				"generateName":            h["name"],
				"deploymentName":          managerName,
				"containerPort":           int64(443),
				"targetPort":              port,
				"webhookPath":             path,
				"admissionReviewVersions": h["admissionReviewVersions"],
				"sideEffects":             h["sideEffects"],
				"failurePolicy":           h["failurePolicy"],
				"rules":                   h["rules"],
			}
			for _, k := range []string{"timeoutSeconds", "matchPolicy", "objectSelector"} {
				if v, ok := h[k]; ok {
					def[k] = v
				}
			}
			out = append(out, def)
		}
	}
	return out, nil
}

// webhookTargetPort is the manager's webhook-server container port.
func webhookTargetPort(d *unstructured.Unstructured) int64 {
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, c := range containers {
		for _, p := range asSlice(c.(map[string]any)["ports"]) {
			if p := p.(map[string]any); p["name"] == "webhook-server" {
				if n, ok := p["containerPort"].(int64); ok {
					return n
				}
			}
		}
	}
	return 9443
}

// ownedCRDs completes the base CSV's owned entries from the CRDs: version,
// the kinds the operator creates, and a descriptor for every field.
func ownedCRDs(in *inputs, spec map[string]any) ([]any, error) {
	base := map[string]map[string]any{}
	if crds, ok := spec["customresourcedefinitions"].(map[string]any); ok {
		for _, o := range asSlice(crds["owned"]) {
			o := o.(map[string]any)
			base[fmt.Sprint(o["name"])] = o
		}
	}
	var out []any
	for _, crd := range in.crds {
		entry, ok := base[crd.GetName()]
		if !ok {
			return nil, fmt.Errorf("CRD %s has no owned entry in the base CSV (displayName and description are written by hand)", crd.GetName())
		}
		if entry["description"] == "" || entry["displayName"] == "" {
			return nil, fmt.Errorf("owned CRD %s: the base CSV needs displayName and description", crd.GetName())
		}
		d, err := describe(crd)
		if err != nil {
			return nil, err
		}
		if entry["kind"] != d.kind || entry["version"] != d.version {
			return nil, fmt.Errorf("owned CRD %s: base CSV says %v %v, the CRD serves %s %s", crd.GetName(), entry["kind"], entry["version"], d.kind, d.version)
		}
		// Only gateways own children; classes and grants are policy.
		if d.kind == "IngressGateway" {
			entry["resources"] = childResources
		}
		entry["specDescriptors"] = d.spec
		if len(d.status) > 0 {
			entry["statusDescriptors"] = d.status
		}
		out = append(out, entry)
		delete(base, crd.GetName())
	}
	for name := range base {
		return nil, fmt.Errorf("base CSV owns %s, which config/manifests does not contain", name)
	}
	return out, nil
}

// childResources are the kinds the operator creates for a gateway
// (internal/render), all of them served at version v1.
var childResources = []any{
	v1Resource("ClusterRoleBinding"),
	v1Resource("ConfigMap"),
	v1Resource("DaemonSet"),
	v1Resource("Deployment"),
	v1Resource("IngressClass"),
	v1Resource("Lease"),
	v1Resource("Role"),
	v1Resource("RoleBinding"),
	v1Resource("Secret"),
	v1Resource("Service"),
	v1Resource("ServiceAccount"),
	v1Resource("ValidatingWebhookConfiguration"),
}

func v1Resource(kind string) any {
	return map[string]any{"kind": kind, "name": "", "version": "v1"}
}

// bundleAnnotations are metadata/annotations.yaml's, also the Dockerfile's
// labels.
func bundleAnnotations(rel Release) map[string]string {
	return map[string]string{
		"operators.operatorframework.io.bundle.mediatype.v1":       "registry+v1",
		"operators.operatorframework.io.bundle.manifests.v1":       "manifests/",
		"operators.operatorframework.io.bundle.metadata.v1":        "metadata/",
		"operators.operatorframework.io.bundle.package.v1":         Package,
		"operators.operatorframework.io.bundle.channels.v1":        strings.Join(rel.Channels, ","),
		"operators.operatorframework.io.bundle.channel.default.v1": rel.DefaultChannel,
		"operators.operatorframework.io.test.mediatype.v1":         "scorecard+v1",
		"operators.operatorframework.io.test.config.v1":            "tests/scorecard/",
	}
}

func dockerfile(annotations map[string]string) []byte {
	var b strings.Builder
	b.WriteString("# Generated by make bundle (internal/olmbundle); do not edit.\n")
	b.WriteString("# Build: docker build -f bundle.Dockerfile -t <bundleImage> .\nFROM scratch\n\n")
	for _, k := range sortedKeys(annotations) {
		fmt.Fprintf(&b, "LABEL %s=%s\n", k, annotations[k])
	}
	b.WriteString("\nCOPY bundle/manifests /manifests/\nCOPY bundle/metadata /metadata/\nCOPY bundle/tests/scorecard /tests/scorecard/\n")
	return []byte(b.String())
}
