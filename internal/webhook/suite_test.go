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
	"context"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/servingcert"
	"github.com/portico-dev/portico/internal/testenv"
)

// The suite installs config/webhook/manifests.yaml into a real API server,
// pointed at the operator's webhook server running in this process (the
// whole manager, controller included, as in production), and checks
// admission through the API server. envtest issues the serving certificate,
// so the server runs in external mode.
//
// Assertions read through k8sClient, which talks to the API server
// directly; cached reads only check what the webhook's cache has seen.
var (
	env       *testenv.Env
	k8sClient client.Client
	mgrClient client.Client
	cancel    context.CancelFunc
)

func TestWebhook(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "IngressGateway admission webhook (envtest)")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	SetDefaultEventuallyTimeout(20 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)

	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	var err error
	env, err = testenv.StartWithOptions(ctx, testenv.Options{Webhook: envtest.WebhookInstallOptions{
		Paths: []string{filepath.Join(testenv.RepoRoot(), "config", "webhook", "manifests.yaml")},
	}})
	Expect(err).NotTo(HaveOccurred())
	k8sClient = env.Client

	w := env.WebhookInstallOptions
	mgr, err := manager.New(env.Config, manager.Options{
		MetricsAddr: "0", ProbeAddr: "0", Render: render.DefaultConfig(),
		Webhook: manager.WebhookOptions{
			Enabled: true, CertMode: servingcert.CertModeExternal,
			Host: w.LocalServingHost, Port: w.LocalServingPort, CertDir: w.LocalServingCertDir,
		},
	})
	Expect(err).NotTo(HaveOccurred())
	mgrClient = mgr.GetClient()
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()

	By("waiting for the webhook server to serve")
	Eventually(env.WebhookServing).Should(Succeed())
	// The class webhook admits it: created once the server serves.
	Expect(testenv.CreatePermissiveClass(ctx, k8sClient)).To(Succeed())
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if env != nil {
		Expect(env.Stop()).To(Succeed())
	}
})

func newNamespace(ctx context.Context) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "t-" + rand.String(8)}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}
