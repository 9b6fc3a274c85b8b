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

package manager

import (
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/rest"

	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/servingcert"
)

func TestWebhookFlagDefaults(t *testing.T) {
	t.Setenv(NamespaceEnv, "portico-system")
	var o Options
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	o.BindFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	want := WebhookOptions{
		Enabled:           true,
		Port:              9443,
		CertDir:           DefaultWebhookCertDir,
		CertMode:          servingcert.CertModeSelfSigned,
		Namespace:         "portico-system",
		SecretName:        "portico-webhook-server-cert",
		ServiceName:       "portico-webhook-service",
		ConfigurationName: "portico-validating-webhook-configuration",
	}
	if diff := cmp.Diff(want, o.Webhook); diff != "" {
		t.Errorf("webhook flag defaults (-want +got):\n%s", diff)
	}
	if err := o.Webhook.validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
}

// TestRenderFlagDefaults: the operator binary renders with the same
// defaults as render.DefaultConfig (a role name left empty would make every
// ClusterRoleBinding of that kind invalid).
// TestClientConfig: no client-side rate limit and no compression unless
// asked for; the caller's config is left as it was.
func TestClientConfig(t *testing.T) {
	in := &rest.Config{Host: "https://127.0.0.1:6443", QPS: 5, Burst: 10}
	for _, tc := range []struct {
		args        []string
		qps         float32
		burst       int
		compression bool
	}{
		{nil, -1, 10, false},
		{[]string{"--kube-api-qps=50", "--kube-api-burst=100", "--kube-api-compression"}, 50, 100, true},
	} {
		var o Options
		fs := flag.NewFlagSet("manager", flag.ContinueOnError)
		o.BindFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		got := clientConfig(in, o)
		if got.QPS != tc.qps || got.Burst != tc.burst || got.DisableCompression == tc.compression {
			t.Errorf("%v: QPS %v, burst %d, compression %v; want %v, %d, %v", tc.args, got.QPS, got.Burst, !got.DisableCompression, tc.qps, tc.burst, tc.compression)
		}
	}
	if in.QPS != 5 || in.Burst != 10 || in.DisableCompression {
		t.Errorf("the caller's config changed: %+v", in)
	}
}

func TestRenderFlagDefaults(t *testing.T) {
	t.Setenv(ImageEnv, "")
	var o Options
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	o.BindFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(render.DefaultConfig(), o.Render); diff != "" {
		t.Errorf("render flag defaults (-want +got):\n%s", diff)
	}
}

// TestWebhookOffByDefault: tests, the benchmark and the demo build Options
// directly and have no way to reach a webhook server.
func TestWebhookOffByDefault(t *testing.T) {
	srv, certs, err := webhookServer(Options{}.Webhook)
	if srv != nil || certs != nil || err != nil {
		t.Errorf("webhookServer(zero) = %v, %v, %v; want nothing", srv, certs, err)
	}
}

func TestWebhookOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    WebhookOptions
		want string
	}{
		{name: "external needs nothing else", w: WebhookOptions{Enabled: true, CertMode: servingcert.CertModeExternal}},
		{name: "unknown mode", w: WebhookOptions{Enabled: true, CertMode: "cert-manager"}, want: `--webhook-cert-mode "cert-manager": want self-signed or external`},
		{
			name: "self-signed without a namespace",
			w:    WebhookOptions{Enabled: true, CertMode: servingcert.CertModeSelfSigned, SecretName: "s", ServiceName: "s", ConfigurationName: "c"},
			want: "set $POD_NAMESPACE or --webhook-namespace",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.w.validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
