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

// Package testenv starts a private kube-apiserver and etcd on loopback (the
// envtest binaries hack/build-k8s-binaries.sh builds) with Portico's CRD and
// data-plane ClusterRoles installed. Tests, benchmarks and `make demo` use it;
// it never talks to the user's cluster.
package testenv

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/containment"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
)

// K8sVersion is the version hack/build-k8s-binaries.sh builds by default.
const K8sVersion = "1.37.1"

// RepoRoot returns the repository root, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// BinaryDir returns where the control-plane binaries are: $KUBEBUILDER_ASSETS,
// else the cache directory hack/build-k8s-binaries.sh fills.
func BinaryDir() (string, error) {
	if d := os.Getenv("KUBEBUILDER_ASSETS"); d != "" {
		return d, nil
	}
	root := os.Getenv("PORTICO_CACHE")
	if root == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(home, ".cache")
		}
		root = filepath.Join(base, "portico")
	}
	dir := filepath.Join(root, "k8s", K8sVersion+"-"+runtime.GOOS+"-"+runtime.GOARCH)
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		return "", fmt.Errorf("no kube-apiserver in %s: run `make k8s-binaries` (or set KUBEBUILDER_ASSETS)", dir)
	}
	return dir, nil
}

// Env is a running control plane.
type Env struct {
	*envtest.Environment
	Config *rest.Config
	Client client.Client
}

// Options tune the control plane.
type Options struct {
	// AuditPolicyFile and AuditLogPath turn on the API server's audit log.
	AuditPolicyFile, AuditLogPath string
	// Profiling serves the API server's /debug/pprof (benchmarks).
	Profiling bool
	// Webhook installs admission webhook configurations (Paths) pointed at
	// a local server; Start fills in LocalServingHost, LocalServingPort and
	// LocalServingCertDir (with a certificate the API server trusts), read
	// them back from Env.WebhookInstallOptions.
	Webhook envtest.WebhookInstallOptions
}

// Start starts etcd and kube-apiserver and installs the CRD and the
// data-plane ClusterRoles.
func Start(ctx context.Context) (*Env, error) { return StartWithOptions(ctx, Options{}) }

// StartWithOptions is Start with options.
func StartWithOptions(ctx context.Context, o Options) (*Env, error) {
	dir, err := BinaryDir()
	if err != nil {
		return nil, err
	}
	e := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: dir,
		WebhookInstallOptions: o.Webhook,
		// A loaded 2-core machine (several suites in parallel, a simulated
		// cluster) can need more than the default 20 s to stop.
		ControlPlaneStopTimeout: time.Minute,
	}
	// Webhook calls go to the Service's endpoints rather than to its DNS
	// name: without a cluster DNS the name would resolve on the host, and a
	// test must never send traffic off this machine. Without endpoints (no
	// pod runs here) the call fails at once.
	e.ControlPlane.GetAPIServer().Configure().Set("enable-aggregator-routing", "true").
		// envtest's default /24 holds 254 Services: fewer than the two
		// per gateway of a 1,000-gateway benchmark.
		Set("service-cluster-ip-range", "10.0.0.0/16")
	if o.Profiling {
		e.ControlPlane.GetAPIServer().Configure().Set("profiling", "true")
	}
	if o.AuditLogPath != "" {
		e.ControlPlane.GetAPIServer().Configure().
			Set("audit-policy-file", o.AuditPolicyFile).
			Set("audit-log-path", o.AuditLogPath).
			Set("audit-log-format", "json")
	}
	cfg, err := e.Start()
	if err != nil {
		// Start may fail after etcd and kube-apiserver are up (installing
		// the CRD, say): never leave them running.
		_ = e.Stop()
		return nil, fmt.Errorf("start control plane: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: manager.Scheme()})
	if err != nil {
		_ = e.Stop()
		return nil, err
	}
	for _, cr := range render.DataPlaneClusterRoles(render.DefaultConfig()) {
		if err := c.Create(ctx, cr); err != nil && !apierrors.IsAlreadyExists(err) {
			_ = e.Stop()
			return nil, fmt.Errorf("install ClusterRole %s: %w", cr.Name, err)
		}
	}
	// The admission policies of config/policy, as every install has them:
	// without them the operator holds back cluster-scoped children; and
	// config/gateway-defaults, as installs on Kubernetes 1.36+ have it.
	vap, binding := classrules.Policy()
	for _, o := range append(append([]client.Object{vap, binding}, containment.Policies()...), containment.Defaults()...) {
		if err := c.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			_ = e.Stop()
			return nil, fmt.Errorf("install %s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
	}
	if err := awaitGatewayAdmission(ctx, c); err != nil {
		_ = e.Stop()
		return nil, err
	}
	return &Env{Environment: e, Config: cfg, Client: c}, nil
}

// awaitGatewayAdmission waits until the API server admits an IngressGateway:
// the MutatingAdmissionPolicy (containment.Defaults) refuses them with 503
// until it has read the new CRD's schema, which it polls every 5 s.
func awaitGatewayAdmission(ctx context.Context, c client.Client) error {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "admission-probe"}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := c.Create(ctx, gw.DeepCopy(), client.DryRunAll)
		if !apierrors.IsServiceUnavailable(err) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("IngressGateways are still not admitted 30 s after the CRD was installed: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ClusterRoles returns the shipped data-plane ClusterRoles (for checks).
func ClusterRoles() []*rbacv1.ClusterRole {
	return render.DataPlaneClusterRoles(render.DefaultConfig())
}

// Apply server-side applies objs in order, putting namespace-less namespaced
// objects into namespace. Namespaces are applied like any other object.
func Apply(ctx context.Context, c client.Client, namespace string, objs []*unstructured.Unstructured) error {
	for _, o := range objs {
		o = o.DeepCopy()
		namespaced, err := c.IsObjectNamespaced(o)
		if err != nil {
			return fmt.Errorf("%s %s: %w", o.GetKind(), o.GetName(), err)
		}
		if namespaced && o.GetNamespace() == "" {
			o.SetNamespace(namespace)
		}
		if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(o), client.FieldOwner("portico-test"), client.ForceOwnership); err != nil {
			return fmt.Errorf("apply %s %s: %w", o.GetKind(), o.GetName(), err)
		}
	}
	return nil
}

// WebhookServing reports whether the local webhook server envtest points
// the API server at accepts TLS connections yet (poll it with Eventually).
func (e *Env) WebhookServing() error {
	w := e.WebhookInstallOptions
	addr := net.JoinHostPort(w.LocalServingHost, strconv.Itoa(w.LocalServingPort))
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // only checks the port is served
	if err != nil {
		return err
	}
	return conn.Close()
}
