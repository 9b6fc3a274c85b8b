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

package controllers_test

import (
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/testenv"
)

// TestServiceMonitorSelectsTheMetricsService: config/prometheus builds into
// a ServiceMonitor and the PrometheusRule portico-alerts, and the
// ServiceMonitor selects config/default's metrics Service by labels and
// port name (the monitoring CRDs are not in envtest, so this is checked on
// the built manifests).
func TestServiceMonitorSelectsTheMetricsService(t *testing.T) {
	objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "prometheus"))
	var mon []*unstructured.Unstructured
	var rule string
	for _, o := range objs {
		switch o.GetKind() {
		case "ServiceMonitor":
			mon = append(mon, o)
		case "PrometheusRule":
			rule = o.GetName()
		}
	}
	if err != nil || len(objs) != 2 || len(mon) != 1 || rule != "portico-alerts" {
		t.Fatalf("config/prometheus: %v, %d objects, want a ServiceMonitor and the PrometheusRule portico-alerts", err, len(objs))
	}
	install, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "default"))
	if err != nil {
		t.Fatal(err)
	}
	sel, _, _ := unstructured.NestedStringMap(mon[0].Object, "spec", "selector", "matchLabels")
	endpoints, _, _ := unstructured.NestedSlice(mon[0].Object, "spec", "endpoints")
	port, _, _ := unstructured.NestedString(endpoints[0].(map[string]any), "port")
	matched := 0
	for _, o := range install {
		if o.GetKind() != "Service" || o.GetNamespace() != mon[0].GetNamespace() {
			continue
		}
		labels := o.GetLabels()
		ok := len(sel) > 0
		for k, v := range sel {
			ok = ok && labels[k] == v
		}
		if !ok {
			continue
		}
		ports, _, _ := unstructured.NestedSlice(o.Object, "spec", "ports")
		for _, p := range ports {
			if name, _, _ := unstructured.NestedString(p.(map[string]any), "name"); name == port {
				matched++
			}
		}
	}
	if matched != 1 {
		t.Fatalf("the ServiceMonitor (selector %v, port %q) matches %d Services of config/default with that port, want 1", sel, port, matched)
	}
}
