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

// Package crdschema runs the IngressGateway CRD's structural schema outside
// the API server: defaults, OpenAPI validation, list-map keys and CEL rules,
// from the generated CRD itself. Offline rendering (`portico render`) thus
// accepts and rejects exactly what the API server does, with the same
// field paths and messages.
package crdschema

import (
	"context"
	"fmt"
	"sync"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/config/crd"
)

var (
	once       sync.Once
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	loadErr    error
)

func load() (*structuralschema.Structural, error) {
	once.Do(func() {
		var c apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(crd.IngressGatewayYAML, &c); err != nil {
			loadErr = fmt.Errorf("parse CRD: %w", err)
			return
		}
		for _, v := range c.Spec.Versions {
			if v.Name != v1alpha1.GroupVersion.Version {
				continue
			}
			var internal apiextensions.JSONSchemaProps
			if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
				loadErr = err
				return
			}
			structural, loadErr = structuralschema.NewStructural(&internal)
			if loadErr != nil {
				return
			}
			validator, _, loadErr = apiservervalidation.NewSchemaValidator(&internal)
			return
		}
		loadErr = fmt.Errorf("CRD has no version %s", v1alpha1.GroupVersion.Version)
	})
	return structural, loadErr
}

// GroupKind of IngressGateway, for API-server-style error messages.
var GroupKind = schema.GroupKind{Group: v1alpha1.GroupVersion.Group, Kind: "IngressGateway"}

// Decode turns one YAML or JSON document into a defaulted, validated
// IngressGateway, applying the same steps, in the same order, as the API
// server does on create: unknown fields are refused (kubectl's strict field
// validation), defaults applied, then the OpenAPI schema, list-map keys and
// CEL rules checked. A rejection is an *apierrors.StatusError whose message
// reads like the API server's.
func Decode(doc []byte) (*v1alpha1.IngressGateway, error) {
	s, err := load()
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	if err := u.UnmarshalJSON(j); err != nil {
		return nil, err
	}
	if gvk := u.GroupVersionKind(); gvk.GroupKind() != GroupKind || gvk.Version != v1alpha1.GroupVersion.Version {
		return nil, fmt.Errorf("%s %q is not an %s", gvk.Kind, u.GetName(), v1alpha1.GroupVersion.WithKind("IngressGateway"))
	}
	name := u.GetName()
	var errs field.ErrorList
	if name == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "name"), "name is required"))
	} else {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(name, false) {
			errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), name, msg))
		}
	}
	pruned := structuralpruning.PruneWithOptions(u.Object, s, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, p := range pruned {
		errs = append(errs, field.Invalid(field.NewPath(p), "", "unknown field \""+p+"\""))
	}
	structuraldefaulting.Default(u.Object, s)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.Object, validator)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, s, u.Object)...)
	// As the API server does: CEL rules run unless an error makes the
	// object's shape unreliable.
	if blocking(errs) {
		errs = append(errs, field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
	} else {
		celErrs, _ := cel.NewValidator(s, true, celconfig.PerCallLimit).
			Validate(context.Background(), nil, s, u.Object, nil, celconfig.RuntimeCELCostBudget)
		errs = append(errs, celErrs...)
	}
	if len(errs) > 0 {
		return nil, apierrors.NewInvalid(GroupKind, name, errs)
	}
	gw := &v1alpha1.IngressGateway{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, gw); err != nil {
		return nil, err
	}
	return gw, nil
}

func blocking(errs field.ErrorList) bool {
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}

// Default returns a copy of gw with the CRD's defaults applied.
func Default(gw *v1alpha1.IngressGateway) (*v1alpha1.IngressGateway, error) {
	s, err := load()
	if err != nil {
		return nil, err
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(gw)
	if err != nil {
		return nil, err
	}
	structuraldefaulting.Default(m, s)
	out := &v1alpha1.IngressGateway{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, out); err != nil {
		return nil, err
	}
	return out, nil
}
