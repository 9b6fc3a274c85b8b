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

package webhook_test

import (
	"path/filepath"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/testenv"
)

// TestInstallMatchesFlagDefaults: config/default installs the webhook under
// the names the operator's flags default to, reachable at the port it
// serves on, so a plain install needs no webhook flag. No API server needed.
func TestInstallMatchesFlagDefaults(t *testing.T) {
	objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "default"))
	if err != nil {
		t.Fatal(err)
	}
	var (
		vwc    admissionregistrationv1.ValidatingWebhookConfiguration
		svc    corev1.Service
		deploy appsv1.Deployment
	)
	found := map[string]bool{}
	for _, o := range objs {
		var into any
		switch {
		case o.GetKind() == "ValidatingWebhookConfiguration":
			into = &vwc
		case o.GetKind() == "Service" && o.GetName() == manager.DefaultWebhookServiceName:
			into = &svc
		case o.GetKind() == "Deployment":
			into = &deploy
		default:
			continue
		}
		found[o.GetKind()] = true
		if err := fromUnstructured(o, into); err != nil {
			t.Fatal(err)
		}
	}
	if len(found) != 3 {
		t.Fatalf("config/default lacks one of the webhook configuration, the Service %s and the Deployment: found %v", manager.DefaultWebhookServiceName, found)
	}

	if vwc.Name != manager.DefaultWebhookConfigurationName {
		t.Errorf("ValidatingWebhookConfiguration %q, want --webhook-configuration-name's default %q", vwc.Name, manager.DefaultWebhookConfigurationName)
	}
	for _, w := range vwc.Webhooks {
		ref := w.ClientConfig.Service
		if ref == nil || ref.Name != svc.Name || ref.Namespace != deploy.Namespace {
			t.Errorf("webhook %s calls %+v, want the Service %s/%s", w.Name, ref, deploy.Namespace, svc.Name)
		}
	}
	if svc.Namespace != deploy.Namespace {
		t.Errorf("Service in %q, operator in %q", svc.Namespace, deploy.Namespace)
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(deploy.Spec.Template.Labels)) {
		t.Errorf("Service selector %v does not match the operator pods %v", svc.Spec.Selector, deploy.Spec.Template.Labels)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 443 || svc.Spec.Ports[0].TargetPort.IntValue() != manager.DefaultWebhookPort {
		t.Errorf("Service ports %+v, want 443 → %d", svc.Spec.Ports, manager.DefaultWebhookPort)
	}

	c := deploy.Spec.Template.Spec.Containers[0]
	served, namespaced := false, false
	for _, p := range c.Ports {
		served = served || (p.Name == "webhook-server" && p.ContainerPort == manager.DefaultWebhookPort)
	}
	for _, e := range c.Env {
		namespaced = namespaced || (e.Name == manager.NamespaceEnv && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil &&
			e.ValueFrom.FieldRef.FieldPath == "metadata.namespace")
	}
	if !served {
		t.Errorf("the manager container declares no port webhook-server %d: %+v", manager.DefaultWebhookPort, c.Ports)
	}
	if !namespaced {
		t.Errorf("the manager container lacks %s from metadata.namespace", manager.NamespaceEnv)
	}
}

func fromUnstructured(u *unstructured.Unstructured, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into)
}
