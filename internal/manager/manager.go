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

// Package manager assembles the operator: scheme, cache, controller and
// probes. cmd/manager, the demo and the tests all start it the same way.
package manager

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/controllers"
	"github.com/portico-dev/portico/internal/render"
)

// ImageEnv names the environment variable OLM sets to the controller image
// it mirrored (RELATED_IMAGE_*); it is the default of --default-controller-image.
const ImageEnv = "RELATED_IMAGE_INGRESS_NGINX"

// Options are the operator's settings, bound to command-line flags.
type Options struct {
	MetricsAddr      string
	ProbeAddr        string
	LeaderElection   bool
	LeaderElectionNS string
	Render           render.Config
	// QPS and Burst limit the operator's requests to the API server.
	QPS   float64
	Burst int
	// MaxConcurrentReconciles is how many gateways are reconciled at once.
	MaxConcurrentReconciles int
	// SyncPeriod is how often every gateway is reconciled even without a
	// change (0: controller-runtime's default of about 10 hours).
	SyncPeriod time.Duration
	// SkipNameValidation lets tests start several managers in one process.
	SkipNameValidation bool
	// WrapClient, when set, wraps the reconciler's client (tests count writes).
	WrapClient func(client.Client) client.Client
}

// BindFlags registers the options on fs, with their defaults.
func (o *Options) BindFlags(fs *flag.FlagSet) {
	def := render.DefaultConfig()
	if img := os.Getenv(ImageEnv); img != "" {
		def.ControllerImage = img
	}
	fs.StringVar(&o.MetricsAddr, "metrics-bind-address", "0", "Address of the metrics endpoint (e.g. :8080); 0 disables it.")
	fs.StringVar(&o.ProbeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz endpoints; 0 disables them.")
	fs.BoolVar(&o.LeaderElection, "leader-elect", false, "Elect a leader so only one operator replica reconciles.")
	fs.StringVar(&o.LeaderElectionNS, "leader-election-namespace", "", "Namespace of the leader-election Lease (default: the pod's namespace).")
	fs.Float64Var(&o.QPS, "kube-api-qps", 500, "Requests per second to the API server (sustained); the API server protects itself with priority and fairness.")
	fs.IntVar(&o.Burst, "kube-api-burst", 1000, "Requests to the API server in a burst.")
	fs.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", 8, "Gateways reconciled in parallel (reconciles mostly wait on the API server).")
	fs.DurationVar(&o.SyncPeriod, "sync-period", 0, "Reconcile every gateway at least this often (0: about every 10h).")
	fs.StringVar(&o.Render.ControllerImage, "default-controller-image", def.ControllerImage,
		"Controller image for gateways that set none; pin it by digest. Defaults to $"+ImageEnv+" when set.")
	fs.StringVar(&o.Render.ClusterRole, "dataplane-clusterrole", def.ClusterRole, "ClusterRole bound to every fleet cluster-wide.")
	fs.StringVar(&o.Render.NamespacedClusterRole, "dataplane-namespaced-clusterrole", def.NamespacedClusterRole,
		"ClusterRole bound to every fleet in its own namespace.")
}

// Scheme returns the scheme with the built-in kinds and the Portico API.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1alpha1.AddToScheme(s))
	return s
}

// New builds the manager with the IngressGateway controller registered.
func New(cfg *rest.Config, o Options) (ctrl.Manager, error) {
	mgr, _, err := Build(cfg, o)
	return mgr, err
}

// Build is New that also returns the reconciler, for tests that drive it.
func Build(cfg *rest.Config, o Options) (ctrl.Manager, *controllers.Reconciler, error) {
	cfg = rest.CopyConfig(cfg)
	if o.QPS > 0 {
		cfg.QPS = float32(o.QPS)
	}
	if o.Burst > 0 {
		cfg.Burst = o.Burst
	}
	cacheOpts := controllers.CacheOptions()
	if o.SyncPeriod > 0 {
		cacheOpts.SyncPeriod = &o.SyncPeriod
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  Scheme(),
		Cache:                   cacheOpts,
		Client:                  controllers.ClientOptions(),
		Metrics:                 metricsserver.Options{BindAddress: o.MetricsAddr},
		HealthProbeBindAddress:  o.ProbeAddr,
		LeaderElection:          o.LeaderElection,
		LeaderElectionID:        "portico-operator.ingress.portico.dev",
		LeaderElectionNamespace: o.LeaderElectionNS,
		// Lets a new leader start at once when the old one stops cleanly.
		LeaderElectionReleaseOnCancel: true,
		Controller:                    ctrlConfig(o),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create manager: %w", err)
	}
	r := controllers.NewReconciler(mgr, o.Render)
	if o.WrapClient != nil {
		r.Client = o.WrapClient(r.Client)
		r.Applier.Client = r.Client
	}
	// Default certificates live in any namespace: watch the metadata of
	// TLS Secrets only, in a cache of its own (the manager's cache holds
	// only Portico's own Secrets, by label).
	tlsOpts := controllers.TLSSecretCacheOptions()
	tlsOpts.Scheme, tlsOpts.Mapper = mgr.GetScheme(), mgr.GetRESTMapper()
	if o.SyncPeriod > 0 {
		tlsOpts.SyncPeriod = &o.SyncPeriod
	}
	tlsSecrets, err := cache.New(cfg, tlsOpts)
	if err != nil {
		return nil, nil, fmt.Errorf("create TLS Secret cache: %w", err)
	}
	if err := mgr.Add(tlsSecrets); err != nil {
		return nil, nil, err
	}
	r.SecretMeta = tlsSecrets
	if err := r.SetupWithManager(mgr, tlsSecrets); err != nil {
		return nil, nil, fmt.Errorf("set up controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, nil, err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return nil, nil, err
	}
	return mgr, r, nil
}

// Run starts the operator and blocks until ctx ends.
func Run(ctx context.Context, cfg *rest.Config, o Options) error {
	mgr, err := New(cfg, o)
	if err != nil {
		return err
	}
	return mgr.Start(ctx)
}

// ctrlConfig lets tests start several managers in one process (controller
// names must otherwise be unique per process).
func ctrlConfig(o Options) ctrlconfig.Controller {
	workers := o.MaxConcurrentReconciles
	if workers <= 0 {
		workers = 8
	}
	return ctrlconfig.Controller{SkipNameValidation: &o.SkipNameValidation, MaxConcurrentReconciles: workers}
}
