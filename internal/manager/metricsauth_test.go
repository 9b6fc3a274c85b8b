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
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

// TestMetricsAuth: no token is 401 without a review; the API server's
// verdict decides (401, 403 naming the user, or the metrics), is reused
// for a minute per token and path, and a failed review is never reused.
func TestMetricsAuth(t *testing.T) {
	now := time.Unix(0, 0)
	reviews := 0
	fail := false
	c := &metricsAuthorizer{
		review: func(_ context.Context, token, verb, path string) (int, string, error) {
			reviews++
			switch {
			case fail:
				return 0, "", errors.New("API server unreachable")
			case verb != "get" || path != "/metrics":
				return http.StatusForbidden, "prometheus", nil
			case token == "prometheus":
				return http.StatusOK, "prometheus", nil
			case token == "nosy":
				return http.StatusForbidden, "nosy", nil
			}
			return http.StatusUnauthorized, "", nil
		},
		verdicts: map[[32]byte]verdict{},
		now:      func() time.Time { return now },
	}
	h, err := c.filter(logr.Discard(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("metrics")) }))
	if err != nil {
		t.Fatal(err)
	}
	get := func(token, path string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, _ := get("", "/metrics"); code != http.StatusUnauthorized || reviews != 0 {
		t.Errorf("no token: %d after %d reviews, want 401 after none", code, reviews)
	}
	if code, body := get("prometheus", "/metrics"); code != http.StatusOK || body != "metrics" {
		t.Errorf("an authorized caller: %d %q", code, body)
	}
	if code, body := get("nosy", "/metrics"); code != http.StatusForbidden || body != "Authorization denied for user nosy\n" {
		t.Errorf("an authenticated, unauthorized caller: %d %q", code, body)
	}
	if code, _ := get("forged", "/metrics"); code != http.StatusUnauthorized {
		t.Errorf("an unknown token: %d", code)
	}
	if code, _ := get("prometheus", "/debug"); code != http.StatusForbidden {
		t.Errorf("another path: %d", code)
	}
	before := reviews
	get("prometheus", "/metrics")
	if reviews != before {
		t.Error("a verdict was not reused within its minute")
	}
	now = now.Add(2 * time.Minute)
	fail = true
	if code, _ := get("prometheus", "/metrics"); code != http.StatusInternalServerError {
		t.Errorf("a failed review after expiry: %d, want 500", code)
	}
	fail = false
	if code, _ := get("prometheus", "/metrics"); code != http.StatusOK || reviews != before+2 {
		t.Errorf("after a failed review: %d after %d reviews; the failure must not be cached", code, reviews-before)
	}
}
