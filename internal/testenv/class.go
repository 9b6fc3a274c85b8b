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

package testenv

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// TestClassName is the permissive default class test suites create.
const TestClassName = "portico-test"

// PermissiveClass is an IngressGatewayClass that allows every namespace
// and every capability (VIPs anywhere, any image a test names): suites that
// test the fleet's mechanics, not the trust model, run under it. No real
// install should ship such a class.
func PermissiveClass() *v1alpha1.IngressGatewayClass {
	return &v1alpha1.IngressGatewayClass{
		ObjectMeta: metav1.ObjectMeta{Name: TestClassName},
		Spec: v1alpha1.IngressGatewayClassSpec{
			Default:           true,
			AllowedNamespaces: v1alpha1.AllowedNamespaces{All: true},
			DataPlane: v1alpha1.DataPlaneSpec{Driver: v1alpha1.DriverIngressNGINX, Scope: v1alpha1.ScopeCluster,
				// The keepalived images the suites name on gateways.
				AllowedImages: []string{
					"example.org/keepalived:2.2.7@sha256:" + strings.Repeat("1", 64),
					"example.org/keepalived@sha256:" + strings.Repeat("2", 64),
				}},
			Capabilities: v1alpha1.ClassCapabilities{
				HostNetwork: true, HostPorts: true, DefaultIngressClass: true, IngressClassAliases: true, Snippets: true,
				VIP:         &v1alpha1.VIPCapability{AddressPools: []string{"0.0.0.0/0", "::/0"}},
				ExtraArgs:   []string{"enable-metrics", "enable-ssl-passthrough", "v", "update-status", "sync-period"},
				Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			},
			References: v1alpha1.ClassReferences{CrossNamespace: true},
		},
	}
}

// CreatePermissiveClass creates PermissiveClass (once).
func CreatePermissiveClass(ctx context.Context, c client.Client) error {
	if err := c.Create(ctx, PermissiveClass()); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create IngressGatewayClass %s: %w", TestClassName, err)
	}
	return nil
}

// GrantAll lets gateways of namespace from reference every Secret and
// Service in each of the namespaces to (created when missing).
func GrantAll(ctx context.Context, c client.Client, from string, to ...string) error {
	for _, ns := range to {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		g := &v1alpha1.IngressGatewayGrant{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "from-" + from},
			Spec: v1alpha1.IngressGatewayGrantSpec{
				From: []v1alpha1.GrantFrom{{Namespace: from}},
				To:   []v1alpha1.GrantTo{{Kind: "Secret"}, {Kind: "Service"}},
			},
		}
		if err := c.Create(ctx, g); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create IngressGatewayGrant %s/%s: %w", ns, g.Name, err)
		}
	}
	return nil
}
