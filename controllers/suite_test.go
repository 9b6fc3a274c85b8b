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
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/portico-dev/portico/controllers"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
	"github.com/portico-dev/portico/internal/writecount"
)

// The suite runs the real manager against a real kube-apiserver and etcd.
// Assertions read through k8sClient, which talks to the API server directly:
// reading through the manager's cache would make the tests racy.
var (
	env        *testenv.Env
	k8sClient  client.Client
	reconciler *controllers.Reconciler
	writes     *writecount.Client
	apiReads   *readLog
	cancel     context.CancelFunc
)

// readLog records the reconciler's reads from the API server (not from
// the cache), as "Kind namespace/name".
type readLog struct {
	client.Reader
	mu    sync.Mutex
	reads []string
}

func (r *readLog) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	err := r.Reader.Get(ctx, key, obj, opts...)
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	if kind == "" {
		kind = reflect.TypeOf(obj).Elem().Name()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reads = append(r.reads, kind+" "+key.String())
	return err
}

// Take returns the reads since the last Take.
func (r *readLog) Take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reads
	r.reads = nil
	return out
}

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "IngressGateway controller (envtest)")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	// Generous: CI runs this suite beside the e2e suite's simulated
	// cluster and the demo on two cores; a passing Eventually returns at
	// once whatever its timeout.
	SetDefaultEventuallyTimeout(45 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	SetDefaultConsistentlyDuration(2 * time.Second)

	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	var err error
	env, err = testenv.Start(ctx)
	Expect(err).NotTo(HaveOccurred())
	k8sClient = env.Client
	Expect(testenv.CreatePermissiveClass(ctx, k8sClient)).To(Succeed())

	opts := manager.Options{MetricsAddr: "0", ProbeAddr: "0", Render: render.DefaultConfig(),
		WrapClient: func(c client.Client) client.Client {
			writes = writecount.Wrap(c)
			return writes
		}}
	// hostNetworkGateway's default certificate, valid for a year.
	certPEM, keyPEM := selfSigned(time.Now().Add(-time.Hour), time.Now().Add(365*24*time.Hour), "*.example.test")
	putTLSSecret(ctx, "certs", "wildcard", certPEM, keyPEM)

	mgr, r, err := manager.Build(env.Config, opts)
	Expect(err).NotTo(HaveOccurred())
	reconciler = r
	apiReads = &readLog{Reader: r.Applier.Reader}
	r.Applier.Reader = apiReads
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if env != nil {
		Expect(env.Stop()).To(Succeed())
	}
})
