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

package olmbundle

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// UI descriptors (OLM's x-descriptors) used below.
const (
	xBoolean    = "urn:alm:descriptor:com.tectonic.ui:booleanSwitch"
	xNumber     = "urn:alm:descriptor:com.tectonic.ui:number"
	xText       = "urn:alm:descriptor:com.tectonic.ui:text"
	xSelect     = "urn:alm:descriptor:com.tectonic.ui:select:"
	xPodCount   = "urn:alm:descriptor:com.tectonic.ui:podCount"
	xResources  = "urn:alm:descriptor:com.tectonic.ui:resourceRequirements"
	xAdvanced   = "urn:alm:descriptor:com.tectonic.ui:advanced"
	xSecret     = "urn:alm:descriptor:io.kubernetes:Secret"
	xService    = "urn:alm:descriptor:io.kubernetes:Service"
	xConditions = "urn:alm:descriptor:io.kubernetes.conditions"
)

// embedded are fields whose schema is a Kubernetes type: one descriptor
// describes them whole (the console has widgets for them), instead of one
// per field of, say, corev1.Affinity.
var embedded = map[string][]string{
	"controller.resources":               {xResources},
	"workload.affinity":                  {xAdvanced},
	"workload.tolerations":               {xAdvanced},
	"workload.topologySpreadConstraints": {xAdvanced},
	"status:conditions":                  {xConditions},
	"defaultCertificate.secretRef.name":  {xSecret},
	"vip.authSecretRef.name":             {xSecret},
	"defaultBackend.name":                {xService},
	"workload.replicas":                  {xPodCount},
}

// described is one CRD's descriptors.
type described struct {
	kind, version string
	spec, status  []any
}

// describe returns a descriptor for every field of the CRD's spec and status
// (nested fields included, list items as path[0].field), in path order. A
// field without a description is an error: the console shows it.
func describe(u *unstructured.Unstructured) (described, error) {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, crd); err != nil {
		return described{}, fmt.Errorf("CRD %s: %w", u.GetName(), err)
	}
	var version *apiextensionsv1.CustomResourceDefinitionVersion
	for i := range crd.Spec.Versions {
		if crd.Spec.Versions[i].Storage {
			version = &crd.Spec.Versions[i]
		}
	}
	if version == nil || version.Schema == nil || version.Schema.OpenAPIV3Schema == nil {
		return described{}, fmt.Errorf("CRD %s: no storage version with a schema", crd.Name)
	}
	root := version.Schema.OpenAPIV3Schema.Properties
	d := described{kind: crd.Spec.Names.Kind, version: version.Name}
	var errs []error
	if s, ok := root["spec"]; ok {
		walk(s, "", "", &d.spec, &errs)
	}
	if s, ok := root["status"]; ok {
		walk(s, "", "status:", &d.status, &errs)
	}
	return d, errors.Join(errs...)
}

// walk appends a descriptor for each property of s under path.
func walk(s apiextensionsv1.JSONSchemaProps, path, scope string, out *[]any, errs *[]error) {
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p := s.Properties[name]
		fp := name
		if path != "" {
			fp = path + "." + name
		}
		desc := firstParagraph(p.Description)
		if desc == "" {
			*errs = append(*errs, fmt.Errorf("%s%s: the CRD has no description for it", scope, fp))
		}
		d := map[string]any{"path": fp, "displayName": displayName(name), "description": desc}
		x, isEmbedded := embedded[scope+stripIndexes(fp)]
		if !isEmbedded {
			x = typeDescriptors(p)
		}
		if len(x) > 0 {
			xs := make([]any, len(x))
			for i, v := range x {
				xs[i] = v
			}
			d["x-descriptors"] = xs
		}
		*out = append(*out, d)
		if isEmbedded && len(x) > 0 && x[0] != xSecret && x[0] != xService && x[0] != xPodCount {
			continue
		}
		switch {
		case p.Type == "object" && len(p.Properties) > 0:
			walk(p, fp, scope, out, errs)
		case p.Type == "array" && p.Items != nil && p.Items.Schema != nil && len(p.Items.Schema.Properties) > 0:
			walk(*p.Items.Schema, fp+"[0]", scope, out, errs)
		}
	}
}

// typeDescriptors picks the console widget from the field's schema.
func typeDescriptors(p apiextensionsv1.JSONSchemaProps) []string {
	switch {
	case len(p.Enum) > 0:
		var out []string
		for _, e := range p.Enum {
			out = append(out, xSelect+strings.Trim(string(e.Raw), `"`))
		}
		return out
	case p.Type == "boolean":
		return []string{xBoolean}
	case p.Type == "integer":
		return []string{xNumber}
	case p.Type == "string" || p.XIntOrString:
		return []string{xText}
	}
	return nil
}

// stripIndexes turns tcp[0].port into tcp.port.
func stripIndexes(path string) string { return strings.ReplaceAll(path, "[0]", "") }

// firstParagraph is the description up to its first blank line, on one line.
func firstParagraph(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n\n")
	return strings.Join(strings.Fields(s), " ")
}

// acronyms are written in capitals in display names.
var acronyms = map[string]string{
	"vip": "VIP", "tcp": "TCP", "udp": "UDP", "http": "HTTP", "https": "HTTPS", "id": "ID",
	"ssl": "SSL", "ip": "IP", "cidr": "CIDR",
}

// displayName turns a JSON field name into words: advertIntervalMilliseconds
// becomes "Advert Interval Milliseconds", virtualRouterID "Virtual Router ID".
func displayName(name string) string {
	var words []string
	var cur []rune
	rs := []rune(name)
	for i, r := range rs {
		// A new word starts at an upper-case letter that follows a lower-case
		// one, or that starts a capitalised word after an acronym (IDs).
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
			words = append(words, string(cur))
			cur = nil
		}
		cur = append(cur, r)
	}
	words = append(words, string(cur))
	for i, w := range words {
		if a, ok := acronyms[strings.ToLower(w)]; ok {
			words[i] = a
			continue
		}
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
