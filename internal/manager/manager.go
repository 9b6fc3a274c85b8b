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
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/portico-dev/portico/controllers"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/scheme"
	"github.com/portico-dev/portico/internal/servingcert"
	"github.com/portico-dev/portico/internal/webhook"
)

// ImageEnv and KeepalivedImageEnv name the environment variables of the
// default images (see render.BindFlags).
const (
	ImageEnv           = render.ImageEnv
	KeepalivedImageEnv = render.KeepalivedImageEnv
)

// Options are the operator's settings, bound to command-line flags.
type Options struct {
	MetricsAddr string
	// MetricsSecure serves metrics over HTTPS with authentication and
	// authorization by the API server (TokenReview, SubjectAccessReview).
	MetricsSecure bool
	ProbeAddr     string
	// PprofAddr serves net/http/pprof (off by default).
	PprofAddr        string
	LeaderElection   bool
	LeaderElectionNS string
	// LeaseDuration, RenewDeadline and RetryPeriod tune leader election: a
	// killed leader is replaced within LeaseDuration+RetryPeriod.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	Render                                    render.Config
	// QPS and Burst limit the operator's requests to the API server.
	QPS   float64
	Burst int
	// Compression asks the API server to gzip its responses
	// (--kube-api-compression).
	Compression bool
	// MaxConcurrentReconciles is how many gateways are reconciled at once.
	MaxConcurrentReconciles int
	// SyncPeriod is how often every gateway is reconciled even without a
	// change (0: controller-runtime's default of about 10 hours).
	SyncPeriod time.Duration
	// SkipNameValidation lets tests start several managers in one process.
	SkipNameValidation bool
	// WrapClient, when set, wraps the reconciler's client (tests count writes).
	WrapClient func(client.Client) client.Client
	// Webhook configures the operator's own admission webhook.
	Webhook WebhookOptions
}

// WebhookOptions configure the operator's validating admission webhook for
// IngressGateway. The zero value leaves it off: the API server must be able
// to reach the server, which the envtest suites, the benchmark and the demo
// cannot arrange; cmd/manager turns it on through its flags.
type WebhookOptions struct {
	// Enabled serves the webhook.
	Enabled bool
	// Host and Port are where the server listens ("" means every address;
	// 0 means 9443).
	Host string
	Port int
	// CertDir holds tls.crt and tls.key.
	CertDir string
	// CertMode says who provides the files: the operator itself
	// (self-signed) or an installer such as OLM or cert-manager (external).
	CertMode servingcert.CertMode
	// Namespace is the operator's namespace, where the self-signed
	// certificate Secret SecretName and the Service ServiceName live.
	Namespace, SecretName, ServiceName string
	// ConfigurationName is the ValidatingWebhookConfiguration whose
	// caBundle the operator keeps in self-signed mode.
	ConfigurationName string
}

// Defaults of the webhook flags; config/webhook installs objects of these
// names.
const (
	DefaultWebhookPort              = 9443
	DefaultWebhookSecretName        = "portico-webhook-server-cert"
	DefaultWebhookServiceName       = "portico-webhook-service"
	DefaultWebhookConfigurationName = "portico-validating-webhook-configuration"
	// NamespaceEnv is set to the pod's namespace by config/manager.
	NamespaceEnv = "POD_NAMESPACE"
)

// DefaultWebhookCertDir is controller-runtime's default certificate
// directory, which OLM also mounts its certificates at.
var DefaultWebhookCertDir = filepath.Join(os.TempDir(), "k8s-webhook-server", "serving-certs")

// validate reports options the webhook cannot run with.
func (w WebhookOptions) validate() error {
	switch w.CertMode {
	case servingcert.CertModeExternal:
		return nil
	case servingcert.CertModeSelfSigned:
	default:
		return fmt.Errorf("--webhook-cert-mode %q: want %s or %s", w.CertMode, servingcert.CertModeSelfSigned, servingcert.CertModeExternal)
	}
	var errs []error
	if w.Namespace == "" {
		errs = append(errs, errors.New("self-signed webhook certificates need the operator's namespace: set $"+NamespaceEnv+" or --webhook-namespace"))
	}
	if w.SecretName == "" || w.ServiceName == "" || w.ConfigurationName == "" {
		errs = append(errs, errors.New("self-signed webhook certificates need --webhook-secret-name, --webhook-service-name and --webhook-configuration-name"))
	}
	return errors.Join(errs...)
}

// BindFlags registers the options on fs, with their defaults.
func (o *Options) BindFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.MetricsAddr, "metrics-bind-address", "0", "Address of the metrics endpoint (e.g. :8443); 0 disables it.")
	fs.BoolVar(&o.MetricsSecure, "metrics-secure", true,
		"Serve metrics over HTTPS (TLS 1.2 or later, a self-signed certificate) to callers whose bearer token the API server authenticates and authorizes for GET /metrics (ClusterRole portico-metrics-reader); false serves plain HTTP to anyone (tests on loopback).")
	fs.StringVar(&o.ProbeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz endpoints; 0 disables them.")
	fs.StringVar(&o.PprofAddr, "pprof-bind-address", "", "Address of the Go profiler's /debug/pprof endpoints (e.g. 127.0.0.1:6060); empty disables it.")
	fs.BoolVar(&o.LeaderElection, "leader-elect", false, "Elect a leader so only one operator replica reconciles.")
	fs.StringVar(&o.LeaderElectionNS, "leader-election-namespace", "", "Namespace of the leader-election Lease (default: the pod's namespace).")
	fs.DurationVar(&o.LeaseDuration, "leader-election-lease-duration", 15*time.Second,
		"How long followers wait after the leader's last renewal before taking over (a killed leader is replaced within about this plus three retry periods).")
	fs.DurationVar(&o.RenewDeadline, "leader-election-renew-deadline", 10*time.Second, "How long the leader keeps retrying to renew before it gives up leadership (and exits).")
	fs.DurationVar(&o.RetryPeriod, "leader-election-retry-period", 2*time.Second, "How often candidates try to acquire or renew the lease.")
	fs.Float64Var(&o.QPS, "kube-api-qps", 0, "Client-side limit of requests per second to the API server; 0 sets none, so the API server's priority and fairness decides how fast the operator may go (client-go waits as its 429 Retry-After says).")
	fs.IntVar(&o.Burst, "kube-api-burst", 0, "Requests in a burst under --kube-api-qps (0: client-go's default).")
	fs.BoolVar(&o.Compression, "kube-api-compression", false,
		"Ask the API server to gzip its responses, watch streams included. Off by default: the API server compresses each watch event as it "+
			"sends it, which costs it more CPU than the bytes save next to it, and the operator a decompressor per watch.")
	fs.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", 8, "Gateways reconciled in parallel (reconciles mostly wait on the API server).")
	fs.DurationVar(&o.SyncPeriod, "sync-period", 0, "Reconcile every gateway at least this often (0: about every 10h).")
	o.Render = render.DefaultConfig()
	render.BindFlags(fs, &o.Render)

	w := &o.Webhook
	fs.BoolVar(&w.Enabled, "enable-webhook", true, "Serve the validating admission webhook for IngressGateway (conflicts between gateways).")
	fs.IntVar(&w.Port, "webhook-port", DefaultWebhookPort, "Port the webhook server listens on.")
	fs.StringVar((*string)(&w.CertMode), "webhook-cert-mode", string(servingcert.CertModeSelfSigned),
		"Who provides the webhook's serving certificate: self-signed (the operator issues and rotates it, and keeps the caBundle) "+
			"or external (OLM or cert-manager put tls.crt and tls.key into --webhook-cert-dir and inject the caBundle).")
	fs.StringVar(&w.CertDir, "webhook-cert-dir", DefaultWebhookCertDir, "Directory of the webhook's tls.crt and tls.key.")
	fs.StringVar(&w.Namespace, "webhook-namespace", os.Getenv(NamespaceEnv),
		"Namespace of the webhook Service and certificate Secret (default: $"+NamespaceEnv+").")
	fs.StringVar(&w.SecretName, "webhook-secret-name", DefaultWebhookSecretName, "Secret holding the self-signed webhook certificates.")
	fs.StringVar(&w.ServiceName, "webhook-service-name", DefaultWebhookServiceName, "Service the API server reaches the webhook through.")
	fs.StringVar(&w.ConfigurationName, "webhook-configuration-name", DefaultWebhookConfigurationName,
		"ValidatingWebhookConfiguration whose caBundle the operator keeps in self-signed mode.")
}

// Scheme returns the scheme with the built-in kinds and the Portico API.
func Scheme() *runtime.Scheme { return scheme.New() }

// clientConfig is cfg as the operator's clients use it.
func clientConfig(cfg *rest.Config, o Options) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	// No client-side limit unless asked for: the API server's priority and
	// fairness knows what it can take, a fixed QPS does not.
	cfg.QPS = -1
	if o.QPS > 0 {
		cfg.QPS = float32(o.QPS)
	}
	if o.Burst > 0 {
		cfg.Burst = o.Burst
	}
	// Compressing watch events cost the API server 1.7 % of its CPU in a
	// 1,000-gateway burst (a profile of a quick bench run), for bytes that
	// travel next to it.
	cfg.DisableCompression = !o.Compression
	return cfg
}

// New builds the manager with the IngressGateway controller registered.
func New(cfg *rest.Config, o Options) (ctrl.Manager, error) {
	mgr, _, err := Build(cfg, o)
	return mgr, err
}

// Build is New that also returns the reconciler, for tests that drive it.
func Build(cfg *rest.Config, o Options) (ctrl.Manager, *controllers.Reconciler, error) {
	cfg = clientConfig(cfg, o)
	cacheOpts := controllers.CacheOptions()
	if o.SyncPeriod > 0 {
		cacheOpts.SyncPeriod = &o.SyncPeriod
	}
	whServer, certs, err := webhookServer(o.Webhook)
	if err != nil {
		return nil, nil, err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  Scheme(),
		Cache:                   cacheOpts,
		Metrics:                 metricsOptions(o),
		HealthProbeBindAddress:  o.ProbeAddr,
		PprofBindAddress:        o.PprofAddr,
		LeaderElection:          o.LeaderElection,
		LeaderElectionID:        "portico-operator.ingress.portico.dev",
		LeaderElectionNamespace: o.LeaderElectionNS,
		// Lets a new leader start at once when the old one stops cleanly.
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 nonZero(o.LeaseDuration),
		RenewDeadline:                 nonZero(o.RenewDeadline),
		RetryPeriod:                   nonZero(o.RetryPeriod),
		Controller:                    ctrlConfig(o),
		WebhookServer:                 whServer,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create manager: %w", err)
	}
	r, err := controllers.NewReconciler(mgr, o.Render)
	if err != nil {
		return nil, nil, fmt.Errorf("set up the event recorder: %w", err)
	}
	if o.WrapClient != nil {
		r.Client = o.WrapClient(r.Client)
		r.Applier.Client = r.Client
	}
	// Default certificates live in any namespace and may be of any type
	// (a wrong one is reported): watch the metadata of Secrets, trimmed,
	// in a cache of its own (the manager's cache holds only Portico's own
	// Secrets, by label).
	tlsOpts := controllers.SecretMetaCacheOptions()
	tlsOpts.Scheme, tlsOpts.Mapper = mgr.GetScheme(), mgr.GetRESTMapper()
	if o.SyncPeriod > 0 {
		tlsOpts.SyncPeriod = &o.SyncPeriod
	}
	tlsSecrets, err := cache.New(cfg, tlsOpts)
	if err != nil {
		return nil, nil, fmt.Errorf("create Secret metadata cache: %w", err)
	}
	if err := mgr.Add(tlsSecrets); err != nil {
		return nil, nil, err
	}
	r.SecretMeta = tlsSecrets
	// tcp/udp backends: every Service's metadata, in a cache of its own too.
	svcOpts := controllers.ServiceCacheOptions()
	svcOpts.Scheme, svcOpts.Mapper, svcOpts.SyncPeriod = tlsOpts.Scheme, tlsOpts.Mapper, tlsOpts.SyncPeriod
	services, err := cache.New(cfg, svcOpts)
	if err != nil {
		return nil, nil, fmt.Errorf("create backend Service cache: %w", err)
	}
	if err := mgr.Add(services); err != nil {
		return nil, nil, err
	}
	r.ServiceMeta = services
	if err := r.SetupWithManager(mgr, tlsSecrets, services); err != nil {
		return nil, nil, fmt.Errorf("set up controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, nil, err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return nil, nil, err
	}
	if o.Webhook.Enabled {
		if err := setupWebhook(mgr, certs); err != nil {
			return nil, nil, err
		}
	}
	return mgr, r, nil
}

// webhookServer returns the webhook server for w, and in self-signed mode
// the runnable that provides its certificates (the server waits for them);
// nil, nil when the webhook is off.
func webhookServer(w WebhookOptions) (crwebhook.Server, *servingcert.SelfSignedCerts, error) {
	if !w.Enabled {
		return nil, nil, nil
	}
	if err := w.validate(); err != nil {
		return nil, nil, err
	}
	srv := crwebhook.NewServer(crwebhook.Options{
		Host:    w.Host,
		Port:    w.Port,
		CertDir: w.CertDir,
		TLSOpts: []func(*tls.Config){serverTLS},
	})
	if w.CertMode != servingcert.CertModeSelfSigned {
		return srv, nil, nil
	}
	certs := &servingcert.SelfSignedCerts{
		Namespace:         w.Namespace,
		SecretName:        w.SecretName,
		ServiceName:       w.ServiceName,
		ConfigurationName: w.ConfigurationName,
		CertDir:           w.CertDir,
	}
	return servingcert.ServeAfter(srv, certs.Ready()), certs, nil
}

// setupWebhook registers the validator and, in self-signed mode, the
// certificate runnable. The pod is ready only once the server serves, so
// the Service never routes admission reviews to a replica that cannot
// answer them.
func setupWebhook(mgr ctrl.Manager, certs *servingcert.SelfSignedCerts) error {
	if certs != nil {
		// Uncached reads: the cache holds neither this Secret nor the
		// configuration (neither carries Portico's child labels).
		certs.Client, certs.Reader = mgr.GetClient(), mgr.GetAPIReader()
		if err := mgr.Add(certs); err != nil {
			return err
		}
	}
	if err := webhook.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up webhook: %w", err)
	}
	return mgr.AddReadyzCheck("webhook", mgr.GetWebhookServer().StartedChecker())
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

// nonZero maps an unset duration to nil (controller-runtime's default).
func nonZero(d time.Duration) *time.Duration {
	if d == 0 {
		return nil
	}
	return &d
}

// serverTLS is every TLS server's floor: TLS 1.2 or later, stated rather
// than left to library defaults, and HTTP/1.1 only. HTTP/2 stays off, as
// kubebuilder scaffolds it: nothing here needs it, and it widened the Rapid
// Reset attack surface (CVE-2023-44487, CVE-2023-39325).
func serverTLS(c *tls.Config) {
	c.MinVersion = tls.VersionTLS12
	c.NextProtos = []string{"http/1.1"}
}

// metricsOptions serves /metrics over HTTPS to callers the API server
// authenticates and authorizes (a TokenReview and a SubjectAccessReview for
// GET /metrics, see metricsAuth), unless MetricsSecure is off.
func metricsOptions(o Options) metricsserver.Options {
	m := metricsserver.Options{BindAddress: o.MetricsAddr}
	if o.MetricsSecure {
		m.SecureServing = true
		m.FilterProvider = metricsAuth
		m.TLSOpts = []func(*tls.Config){serverTLS}
	}
	return m
}
