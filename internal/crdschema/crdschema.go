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

// Package crdschema applies the IngressGateway CRD's structural schema
// (defaults) outside the API server, so offline rendering and tests see a
// gateway exactly as the API server would store it.
package crdschema

import (
	"fmt"
	"sync"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
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
			return
		}
		loadErr = fmt.Errorf("CRD has no version %s", v1alpha1.GroupVersion.Version)
	})
	return structural, loadErr
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
