//go:build linux

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

package vip_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
)

const testToken = "portico-vip-test-token"

// leaseEvent is one accepted write to the Lease.
type leaseEvent struct {
	at     time.Time
	holder string
	method string
}

// fakeAPI serves just enough of the Kubernetes API for notify.sh: GET,
// merge-PATCH (with the resourceVersion precondition) and POST of Leases,
// over TLS with a bearer token. It records every accepted write.
type fakeAPI struct {
	mu      sync.Mutex
	leases  map[string]map[string]any // "ns/name" -> object
	version int
	events  []leaseEvent
	errors  []string
	// conflicts counts conditional writes refused because the Lease
	// changed meanwhile (answered 409, as the API server would).
	conflicts int
	srv       *http.Server
}

// startFakeAPI listens on addr inside ns and writes ca.crt and token into
// saDir, as the kubelet would into a pod.
func startFakeAPI(t testing.TB, ns, addr, saDir string) *fakeAPI {
	t.Helper()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, cert := issue(t, net.ParseIP(host))
	if err := os.MkdirAll(saDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"ca.crt": caPEM, "token": []byte(testToken)} {
		if err := os.WriteFile(filepath.Join(saDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := listenIn(ns, addr)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeAPI{leases: map[string]map[string]any{}}
	f.srv = &http.Server{
		Handler:           f,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = f.srv.ServeTLS(l, "", "") }()
	t.Cleanup(func() { _ = f.srv.Close() })
	return f
}

// issue creates a CA and a serving certificate for ip.
func issue(t testing.TB, ip net.IP) (caPEM []byte, cert tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "portico-vip-test-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		IPAddresses:  []net.IP{ip},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// put stores a Lease as the operator would have created it.
func (f *fakeAPI) put(ns, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version++
	f.leases[ns+"/"+name] = map[string]any{
		"apiVersion": "coordination.k8s.io/v1",
		"kind":       "Lease",
		"metadata":   map[string]any{"name": name, "namespace": ns, "resourceVersion": strconv.Itoa(f.version)},
		"spec":       map[string]any{},
	}
}

// tamper sets the holder behind the nodes' backs, as a lost notification
// or a stray writer would leave it; it is not recorded as a write.
func (f *fakeAPI) tamper(ns, name, holder string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	obj := f.leases[ns+"/"+name]
	obj["spec"].(map[string]any)["holderIdentity"] = holder
	f.version++
	obj["metadata"].(map[string]any)["resourceVersion"] = strconv.Itoa(f.version)
}

// holder is the Lease's current holderIdentity ("" when unset or absent).
func (f *fakeAPI) holder(ns, name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return holderOf(f.leases[ns+"/"+name])
}

func (f *fakeAPI) history() ([]leaseEvent, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]leaseEvent(nil), f.events...), append([]string(nil), f.errors...)
}

func holderOf(obj map[string]any) string {
	spec, _ := obj["spec"].(map[string]any)
	h, _ := spec["holderIdentity"].(string)
	return h
}

func (f *fakeAPI) fail(w http.ResponseWriter, code int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	f.errors = append(f.errors, fmt.Sprintf("%d %s", code, msg))
	f.respond(w, code, msg)
}

func (f *fakeAPI) respond(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": msg, "code": code})
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		f.fail(w, http.StatusUnauthorized, "bad token")
		return
	}
	// /apis/coordination.k8s.io/v1/namespaces/NS/leases[/NAME]
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 6 || parts[0] != "apis" || parts[1] != "coordination.k8s.io" || parts[2] != "v1" || parts[3] != "namespaces" || parts[5] != "leases" {
		f.fail(w, http.StatusNotFound, "no route %s", r.URL.Path)
		return
	}
	ns := parts[4]
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	switch {
	case len(parts) == 7 && r.Method == http.MethodGet:
		obj, ok := f.leases[ns+"/"+parts[6]]
		if !ok {
			// Expected before the first claim: not recorded as an error.
			f.reply(w, http.StatusNotFound, map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})
			return
		}
		f.reply(w, http.StatusOK, obj)
	case len(parts) == 7 && r.Method == http.MethodPatch:
		if ct := r.Header.Get("Content-Type"); ct != "application/merge-patch+json" {
			f.fail(w, http.StatusUnsupportedMediaType, "content type %q", ct)
			return
		}
		key := ns + "/" + parts[6]
		obj, ok := f.leases[key]
		if !ok {
			f.fail(w, http.StatusNotFound, "leases %q not found", parts[6])
			return
		}
		var patch map[string]any
		if err := json.Unmarshal(body, &patch); err != nil {
			f.fail(w, http.StatusBadRequest, "patch: %v", err)
			return
		}
		// A resourceVersion in the patch is a precondition, as in the API server.
		if meta, ok := patch["metadata"].(map[string]any); ok {
			if rv, ok := meta["resourceVersion"].(string); ok {
				cur := obj["metadata"].(map[string]any)["resourceVersion"]
				if rv != cur {
					// A conditional release losing to a newer claim is the
					// designed outcome, not a rejected request.
					f.conflicts++
					f.respond(w, http.StatusConflict, fmt.Sprintf("resourceVersion %s is stale (now %v)", rv, cur))
					return
				}
			}
		}
		next, _ := mergePatch(deepCopy(obj), patch).(map[string]any)
		f.store(w, key, next, r.Method, http.StatusOK)
	case len(parts) == 6 && r.Method == http.MethodPost:
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil {
			f.fail(w, http.StatusBadRequest, "create: %v", err)
			return
		}
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		if _, exists := f.leases[ns+"/"+name]; exists {
			f.fail(w, http.StatusConflict, "leases %q already exists", name)
			return
		}
		f.store(w, ns+"/"+name, obj, r.Method, http.StatusCreated)
	default:
		f.fail(w, http.StatusMethodNotAllowed, "%s %s", r.Method, r.URL.Path)
	}
}

// store validates obj as a coordination/v1 Lease (strictly, so a malformed
// renewTime or a typo in notify.sh fails the test), bumps its version and
// records the write.
func (f *fakeAPI) store(w http.ResponseWriter, key string, obj map[string]any, method string, code int) {
	raw, _ := json.Marshal(obj)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var lease coordinationv1.Lease
	if err := dec.Decode(&lease); err != nil {
		f.fail(w, http.StatusUnprocessableEntity, "invalid Lease %s: %v", raw, err)
		return
	}
	f.version++
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	meta["resourceVersion"] = strconv.Itoa(f.version)
	f.leases[key] = obj
	f.events = append(f.events, leaseEvent{at: time.Now(), holder: holderOf(obj), method: method})
	f.reply(w, code, obj)
}

func (f *fakeAPI) reply(w http.ResponseWriter, code int, obj map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(obj)
}

// mergePatch applies an RFC 7386 JSON merge patch.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}

func deepCopy(m map[string]any) map[string]any {
	raw, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}
