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

package alerts_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/manager"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
	"github.com/portico-dev/portico/test/alerts"
)

// notExported are metric names the rules and dashboard may use that the
// operator does not export, and why.
var notExported = map[string]string{
	"up": "Prometheus records it for every target it scrapes",
}

// use is where a metric is used, and the label values it selects there.
type use struct {
	where string
	equal map[string]string
}

// referencedMetrics returns the selectors of the alerts (expressions and
// the queries their annotations run) and of the dashboard, by metric name.
func referencedMetrics(t *testing.T) map[string][]use {
	t.Helper()
	out := map[string][]use{}
	add := func(where, expr string) {
		for _, s := range alerts.Selectors(expr) {
			out[s.Name] = append(out[s.Name], use{where, s.Equal})
		}
	}
	annotationQuery := regexp.MustCompile("printf `([^`]*)`")
	for _, g := range groups(t) {
		for _, r := range g.Rules {
			add("alert "+r.Alert, r.Expr)
			for name, text := range r.Annotations {
				for _, m := range annotationQuery.FindAllStringSubmatch(text, -1) {
					add("alert "+r.Alert+" annotation "+name, strings.ReplaceAll(m[1], "%s", alerts.Variable))
				}
			}
		}
	}
	qs, err := alerts.DashboardQueries(repo(alerts.DashboardFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		add("dashboard "+q.Where, q.Expr)
	}
	return out
}

// scrape returns the samples of the text exposition at url, one line each.
func scrape(url string) ([]string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	var samples []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			samples = append(samples, l)
		}
	}
	return samples, sc.Err()
}

var sampleLabel = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"`)

// parseSample returns the metric name of an exposition line (histograms
// and summaries appear as their _bucket, _sum and _count series) and its
// labels.
func parseSample(line string) (string, map[string]string) {
	name, rest, _ := strings.Cut(line, "{")
	labels := map[string]string{}
	if name == line {
		name, _, _ = strings.Cut(line, " ")
		return name, labels
	}
	rest = rest[:strings.LastIndex(rest, "}")]
	for _, m := range sampleLabel.FindAllStringSubmatch(rest, -1) {
		labels[m[1]] = m[2]
	}
	return name, labels
}

// TestReferencedMetricsAreExported runs the operator against envtest with
// gateways that fill every per-gateway series (a default certificate, the
// data-plane webhook, a VIP whose holder moves twice), scrapes its /metrics
// over HTTP and checks that every metric the alerts and the dashboard use
// is there: a renamed or dropped metric would leave an alert that can never
// fire.
func TestReferencedMetricsAreExported(t *testing.T) {
	g := NewWithT(t)
	g.SetDefaultEventuallyTimeout(90 * time.Second)
	g.SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
	logf.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	referenced := referencedMetrics(t)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env, err := testenv.Start(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { g.Expect(env.Stop()).To(Succeed()) }()
	c := env.Client
	g.Expect(testenv.CreatePermissiveClass(ctx, c)).To(Succeed())

	l, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	addr := l.Addr().String()
	g.Expect(l.Close()).To(Succeed())
	mgr, _, err := manager.Build(env.Config, manager.Options{MetricsAddr: addr, ProbeAddr: "0", Render: render.DefaultConfig()})
	g.Expect(err).NotTo(HaveOccurred())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Logf("operator stopped: %v", err)
		}
	}()

	const ns = "alerts"
	g.Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	certPEM, keyPEM := selfSigned(t, time.Now().Add(30*24*time.Hour))
	g.Expect(c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "wildcard"}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM}})).To(Succeed())
	edge := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "edge"},
		Spec: v1alpha1.IngressGatewaySpec{DefaultCertificate: &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "wildcard"}}}}
	g.Expect(c.Create(ctx, edge)).To(Succeed())
	vip := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "vip"}}
	vip.Spec.Workload.HostNetwork = true
	vip.Spec.AdmissionWebhook.Enabled = ptr.To(false)
	vip.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"192.168.40.15/24"},
		Image: "example.org/keepalived:2.2.7@sha256:" + strings.Repeat("1", 64)}
	g.Expect(c.Create(ctx, vip)).To(Succeed())

	// keepalived reports the holder in the Lease; the operator copies it
	// into status.vip.holder, and each move to a node counts.
	for _, node := range []string{"node-a", "node-b"} {
		g.Eventually(func(g Gomega) {
			lease := &coordinationv1.Lease{}
			g.Expect(c.Get(ctx, render.VIPLeaseName(vip), lease)).To(Succeed())
			lease.Spec.HolderIdentity = ptr.To(node)
			g.Expect(c.Update(ctx, lease)).To(Succeed())
		}).Should(Succeed())
		g.Eventually(func(g Gomega) {
			cur := &v1alpha1.IngressGateway{}
			g.Expect(c.Get(ctx, client.ObjectKeyFromObject(vip), cur)).To(Succeed())
			g.Expect(cur.Status.VIP).NotTo(BeNil())
			g.Expect(cur.Status.VIP.Holder).To(Equal(node))
		}).Should(Succeed())
	}

	var samples []string
	g.Eventually(func(g Gomega) {
		samples, err = scrape("http://" + addr + "/metrics")
		g.Expect(err).NotTo(HaveOccurred())
		// Each label a selector matches by equality must have that value
		// on some series of the metric (not necessarily on the same one:
		// no gateway here is Degraded, say).
		values := map[string]map[string]bool{} // metric → label=value
		for _, s := range samples {
			name, labels := parseSample(s)
			if values[name] == nil {
				values[name] = map[string]bool{}
			}
			for k, v := range labels {
				values[name][k+"="+v] = true
			}
		}
		var missing []string
		for name, uses := range referenced {
			if notExported[name] != "" {
				continue
			}
			if values[name] == nil {
				missing = append(missing, fmt.Sprintf("%s (used by %s)", name, uses[0].where))
				continue
			}
			for _, u := range uses {
				for k, v := range u.equal {
					if !values[name][k+"="+v] {
						missing = append(missing, fmt.Sprintf("%s{%s=%q} (used by %s)", name, k, v, u.where))
					}
				}
			}
		}
		slices.Sort(missing)
		g.Expect(missing).To(BeEmpty(), "referenced but not exported")
		// The series the gateways above must fill; a trailing space ends a
		// prefix, anything else is the whole sample with its value.
		var absent []string
		for _, want := range []string{
			`portico_gateway_vip_holder_present{gateway="vip",gateway_namespace="alerts"} 1`,
			`portico_gateway_vip_holder_changes_total{gateway="vip",gateway_namespace="alerts"} 2`,
			`portico_gateway_default_certificate_not_after_seconds{gateway="edge",gateway_namespace="alerts"} `,
			`portico_gateway_webhook_certificate_not_after_seconds{gateway="edge",gateway_namespace="alerts"} `,
			`portico_gateway_condition{gateway="edge",gateway_namespace="alerts",reason=`,
			`portico_gateway_replicas{gateway="edge",gateway_namespace="alerts",state="desired"} `,
		} {
			if !slices.ContainsFunc(samples, func(s string) bool {
				return s == want || (strings.HasSuffix(want, " ") || strings.HasSuffix(want, "=")) && strings.HasPrefix(s, want)
			}) {
				absent = append(absent, want)
			}
		}
		g.Expect(absent).To(BeEmpty(), "series not scraped (or not with that value)")
	}).Should(Succeed())
	names := slices.Sorted(maps.Keys(referenced))
	t.Logf("%d metric names referenced by the alerts and dashboard are exported or allowed absent (%v): %s",
		len(names), notExported, strings.Join(names, ", "))
}

// selfSigned returns a certificate for *.example.test and its key.
func selfSigned(t *testing.T, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "*.example.test"},
		DNSNames: []string{"*.example.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}
