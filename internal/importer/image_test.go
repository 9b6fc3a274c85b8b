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

package importer

import (
	"testing"

	"github.com/portico-dev/portico/internal/render"
)

// TestImageVersion reads versions from tags only: a registry port or a
// digest is no version.
func TestImageVersion(t *testing.T) {
	const sha = "@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1"
	for _, tc := range []struct {
		image, tag string
		old, none  bool
	}{
		{image: "gcr.io/google_containers/nginx-ingress-controller:0.8.3", tag: "0.8.3", old: true},
		{image: "quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.26.1" + sha, tag: "0.26.1", old: true},
		{image: "registry.k8s.io/ingress-nginx/controller:v1.0.0", tag: "v1.0.0"},
		{image: "rancher/nginx-ingress-controller:nginx-1.9.4-rancher1", tag: "nginx-1.9.4-rancher1", none: true},
		{image: "registry.k8s.io/ingress-nginx/controller:v1.9.4-hardened1", tag: "v1.9.4-hardened1"},
		{image: "localhost:5000/ingress-nginx/controller" + sha, none: true},
		{image: "localhost:5000/controller:latest", tag: "latest", none: true},
		{image: render.DefaultControllerImage, tag: "v1.15.1"},
	} {
		if got := imageTag(tc.image); got != tc.tag {
			t.Errorf("imageTag(%q) = %q, want %q", tc.image, got, tc.tag)
		}
		v := imageVersion(tc.image)
		if (v == nil) != tc.none || v != nil && v.LessThan(minControllerVersion) != tc.old {
			t.Errorf("imageVersion(%q) = %v, want none %v, older than v1.0.0 %v", tc.image, v, tc.none, tc.old)
		}
	}
}

// TestWithoutSystemKeys: neither the old tooling's nor Portico's own keys
// are carried into podLabels or annotations.
func TestWithoutSystemKeys(t *testing.T) {
	got := withoutSystemKeys(map[string]string{
		render.ManagedByLabel: render.ManagedByValue, render.GatewayNameLabel: "g", render.GatewayNamespaceLabel: "ns",
		"portico.dev/x": "y", "helm.sh/chart": "c", "team": "web",
	})
	if len(got) != 1 || got["team"] != "web" {
		t.Errorf("withoutSystemKeys kept %v, want only team", got)
	}
}
