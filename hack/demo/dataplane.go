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

package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/demonet"
	"github.com/portico-dev/portico/internal/pki"
	"github.com/portico-dev/portico/internal/render"
)

// simulationWarning goes with every answer: no ingress-nginx runs here.
const simulationWarning = "simulated by make demo: no ingress-nginx runs on the simulated nodes, so the nginx configuration of this Ingress was not checked"

// simAdmission stands in for ingress-nginx's admission webhook on the
// simulated controller pods: it listens, inside the demo's network
// namespace, on every port a Portico webhook Service's endpoints name, and
// answers with the serving certificate the operator issued for the gateway
// the API server asks for (by TLS server name). It checks the one rule
// that needs no nginx (snippet annotations against the gateway's
// allow-snippet-annotations) and admits everything else with a warning
// that says it is a simulation.
type simAdmission struct {
	c   client.Client
	net *demonet.Network

	mu    sync.Mutex
	ports map[int32]bool
}

// run opens listeners as webhook endpoints appear, until ctx ends.
func (s *simAdmission) run(ctx context.Context) {
	s.ports = map[int32]bool{}
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		slices := &discoveryv1.EndpointSliceList{}
		if err := s.c.List(ctx, slices, client.MatchingLabels{render.ManagedByLabel: render.ManagedByValue}); err == nil {
			for _, sl := range slices.Items {
				if !strings.HasSuffix(sl.Labels[discoveryv1.LabelServiceName], "-admission") {
					continue
				}
				for _, p := range sl.Ports {
					if p.Port != nil {
						s.listen(ctx, *p.Port)
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *simAdmission) listen(ctx context.Context, port int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ports[port] {
		return
	}
	l, err := s.net.Listen(fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		fmt.Printf("demo: cannot serve the simulated admission webhook on port %d: %v\n", port, err)
		s.ports[port] = true // do not retry every tick
		return
	}
	s.ports[port] = true
	srv := &http.Server{
		Handler:           http.HandlerFunc(s.review),
		ReadHeaderTimeout: 5 * time.Second,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: s.certificate},
	}
	go func() { _ = srv.ServeTLS(l, "", "") }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
}

// gatewayOf finds the gateway behind a webhook Service's DNS name
// (<service>.<namespace>.svc), which the API server sends as server name.
func (s *simAdmission) gatewayOf(ctx context.Context, serverName string) (*v1alpha1.IngressGateway, error) {
	parts := strings.Split(serverName, ".")
	if len(parts) < 3 || parts[2] != "svc" {
		return nil, fmt.Errorf("unexpected server name %q", serverName)
	}
	svc := &corev1.Service{}
	if err := s.c.Get(ctx, client.ObjectKey{Namespace: parts[1], Name: parts[0]}, svc); err != nil {
		return nil, err
	}
	gw := &v1alpha1.IngressGateway{}
	key := client.ObjectKey{Namespace: svc.Labels[render.GatewayNamespaceLabel], Name: svc.Labels[render.GatewayNameLabel]}
	if err := s.c.Get(ctx, key, gw); err != nil {
		return nil, err
	}
	return gw, nil
}

// certificate serves the gateway's own serving certificate, as the
// controller pod mounts it, so the API server's caBundle check is real.
func (s *simAdmission) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gw, err := s.gatewayOf(ctx, hello.ServerName)
	if err != nil {
		return nil, err
	}
	sec := &corev1.Secret{}
	if err := s.c.Get(ctx, render.WebhookCertSecretName(gw), sec); err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(sec.Data[pki.ServingCertKey], sec.Data[pki.ServingKeyKey])
	return &cert, err
}

func (s *simAdmission) review(w http.ResponseWriter, r *http.Request) {
	in := &admissionv1.AdmissionReview{}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 9<<20)).Decode(in); err != nil || in.Request == nil {
		http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	resp := &admissionv1.AdmissionResponse{UID: in.Request.UID, Allowed: true, Warnings: []string{simulationWarning}}
	if err := s.judge(r.Context(), r.TLS.ServerName, in.Request.Object.Raw); err != nil {
		resp.Allowed, resp.Warnings = false, nil
		resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusBadRequest, Message: err.Error()}
	}
	out := admissionv1.AdmissionReview{TypeMeta: in.TypeMeta, Response: resp}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// judge applies the check ingress-nginx makes without nginx: snippet
// annotations are refused unless the gateway's ConfigMap allows them.
func (s *simAdmission) judge(ctx context.Context, serverName string, raw []byte) error {
	ing := &networkingv1.Ingress{}
	if err := json.Unmarshal(raw, ing); err != nil {
		return fmt.Errorf("simulated admission: cannot decode the Ingress: %w", err)
	}
	gw, err := s.gatewayOf(ctx, serverName)
	if err != nil {
		return fmt.Errorf("simulated admission: %w", err)
	}
	cm := &corev1.ConfigMap{}
	if err := s.c.Get(ctx, render.MainConfigMapName(gw), cm); err != nil {
		return fmt.Errorf("simulated admission: %w", err)
	}
	if cm.Data["allow-snippet-annotations"] == "true" {
		return nil
	}
	var snippets []string
	for k := range ing.Annotations {
		if strings.HasPrefix(k, "nginx.ingress.kubernetes.io/") && strings.HasSuffix(k, "-snippet") {
			snippets = append(snippets, k)
		}
	}
	if len(snippets) == 0 {
		return nil
	}
	return errors.New("(simulated ingress-nginx admission) " + strings.Join(snippets, ", ") +
		": snippet annotations are disabled for IngressGateway " + gw.Namespace + "/" + gw.Name +
		" (its ConfigMap has allow-snippet-annotations \"false\"); remove the annotation, or have the gateway set spec.controller.allowSnippetAnnotations, which its IngressGatewayClass must allow")
}
