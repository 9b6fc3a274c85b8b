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

// Package trust_test attacks the trust model as a namespace editor would,
// against a real kube-apiserver with RBAC on, the operator running under
// its own ServiceAccount (config/default's RBAC) and its webhook served,
// and the gateway-class admission policy installed. Every hostile case is
// judged by the three enforcement points: the operator's webhook, the
// reconciler (webhook bypassed) and the API server's policy (operator
// stopped); they must agree.
package trust_test

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/servingcert"
	"github.com/portico-dev/portico/internal/testenv"
)

const (
	// operatorUser is the operator's ServiceAccount as config/default makes it.
	operatorUser = "system:serviceaccount:portico-system:portico-controller-manager"
	// editor has edit rights in teamNS only, plus gateway rights there (what
	// OLM's aggregation gives every editor).
	editor = "alice"
	teamNS = "team-a"
)

var (
	env      *testenv.Env
	admin    client.Client
	alice    client.Client
	aliceCfg *rest.Config
	stopOp   context.CancelFunc
	// metricsAddr is the operator's metrics endpoint (HTTPS).
	metricsAddr string
)

func TestTrust(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Trust model (envtest, RBAC, operator as its ServiceAccount)")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	ctx := context.Background()

	var err error
	env, err = testenv.StartWithOptions(ctx, testenv.Options{Webhook: envtest.WebhookInstallOptions{
		Paths: []string{filepath.Join(testenv.RepoRoot(), "config", "webhook", "manifests.yaml")},
	}})
	Expect(err).NotTo(HaveOccurred())
	admin = env.Client

	By("installing config/default as a cluster admin would (no operator pod: it runs in this process)")
	objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "default"))
	Expect(err).NotTo(HaveOccurred())
	var install, classes []*unstructured.Unstructured
	for _, o := range objs {
		switch o.GetKind() {
		case "CustomResourceDefinition", "Deployment", "ValidatingWebhookConfiguration":
			// envtest installed the CRDs and a webhook configuration
			// pointed at this process.
		case "IngressGatewayClass":
			// Admitted by the operator's webhook: applied once it serves.
			classes = append(classes, o)
		default:
			install = append(install, o)
		}
	}
	Expect(testenv.Apply(ctx, admin, "portico-system", install)).To(Succeed())

	By("a namespace editor: edit rights in " + teamNS + " and gateway rights there")
	for _, ns := range []string{teamNS, "team-b", "certs", "ingress"} {
		Expect(admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	}
	Expect(admin.Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "portico-gateway-editor"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"ingress.portico.dev"},
			Resources: []string{"ingressgateways", "ingressgatewaygrants"}, Verbs: []string{"*"}}},
	})).To(Succeed())
	// envtest runs no clusterrole-aggregation controller: bind the roles
	// the edit role aggregates (TokenRequest included).
	for _, role := range []string{"system:aggregate-to-edit", "system:aggregate-to-view", "portico-gateway-editor"} {
		Expect(admin.Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "alice-" + role[len(role)-4:]},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: editor}},
		})).To(Succeed())
	}
	aliceCfg = rest.CopyConfig(env.Config)
	aliceCfg.Impersonate = rest.ImpersonationConfig{UserName: editor, Groups: []string{"system:authenticated"}}
	alice, err = client.New(aliceCfg, client.Options{Scheme: manager.Scheme()})
	Expect(err).NotTo(HaveOccurred())

	By("running the operator as its ServiceAccount, with its webhook")
	opCfg := rest.CopyConfig(env.Config)
	opCfg.Impersonate = rest.ImpersonationConfig{UserName: operatorUser,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:portico-system", "system:authenticated"}}
	w := env.WebhookInstallOptions
	// The metrics endpoint as shipped: HTTPS, callers authorized by the API
	// server.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	metricsAddr = l.Addr().String()
	Expect(l.Close()).To(Succeed())
	mgr, err := manager.New(opCfg, manager.Options{
		MetricsAddr: metricsAddr, MetricsSecure: true, ProbeAddr: "0", Render: render.DefaultConfig(),
		Webhook: manager.WebhookOptions{Enabled: true, CertMode: servingcert.CertModeExternal,
			Host: w.LocalServingHost, Port: w.LocalServingPort, CertDir: w.LocalServingCertDir},
	})
	Expect(err).NotTo(HaveOccurred())
	var opCtx context.Context
	opCtx, stopOp = context.WithCancel(ctx)
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(opCtx)).To(Succeed())
	}()
	Eventually(env.WebhookServing).Should(Succeed())

	By("the install's default class, and the classes the cases use")
	Eventually(func() error { return testenv.Apply(ctx, admin, "", classes) }).Should(Succeed())
	createClasses(ctx)
})

var _ = AfterSuite(func() {
	if stopOp != nil {
		stopOp()
	}
	if env != nil {
		Expect(env.Stop()).To(Succeed())
	}
})
