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
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	authnclient "k8s.io/client-go/kubernetes/typed/authentication/v1"
	authzclient "k8s.io/client-go/kubernetes/typed/authorization/v1"
	"k8s.io/client-go/rest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// metricsAuthTTL is how long a caller's verdict is reused: a scrape every
// few seconds costs the API server two reviews a minute, not two a scrape.
const metricsAuthTTL = time.Minute

// metricsAuth serves the metrics endpoint only to callers the API server
// authenticates (TokenReview of their bearer token) and authorizes for the
// request's verb and path (SubjectAccessReview), as controller-runtime's
// filters package does. That package links the API server's authentication
// libraries and CEL, which cost the operator about 14 MiB of RSS; these two
// reviews are all it needs.
func metricsAuth(cfg *rest.Config, httpClient *http.Client) (metricsserver.Filter, error) {
	authn, err := authnclient.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	authz, err := authzclient.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	c := &metricsAuthorizer{
		review: func(ctx context.Context, token, verb, path string) (int, string, error) {
			tr, err := authn.TokenReviews().Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: token}}, metav1.CreateOptions{})
			if err != nil {
				return 0, "", fmt.Errorf("token review: %w", err)
			}
			if !tr.Status.Authenticated {
				return http.StatusUnauthorized, "", nil
			}
			u := tr.Status.User
			extra := map[string]authorizationv1.ExtraValue{}
			for k, v := range u.Extra {
				extra[k] = authorizationv1.ExtraValue(v)
			}
			sar, err := authz.SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User: u.Username, UID: u.UID, Groups: u.Groups, Extra: extra,
				NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: verb, Path: path},
			}}, metav1.CreateOptions{})
			if err != nil {
				return 0, u.Username, fmt.Errorf("subject access review: %w", err)
			}
			if !sar.Status.Allowed {
				return http.StatusForbidden, u.Username, nil
			}
			return http.StatusOK, u.Username, nil
		},
		verdicts: map[[32]byte]verdict{},
		now:      time.Now,
	}
	return c.filter, nil
}

type verdict struct {
	code    int
	user    string
	expires time.Time
}

// metricsAuthorizer keeps each caller's verdict for metricsAuthTTL, keyed
// by a hash of its token, verb and path (the token itself is not kept).
type metricsAuthorizer struct {
	review   func(ctx context.Context, token, verb, path string) (code int, user string, err error)
	mu       sync.Mutex
	verdicts map[[32]byte]verdict
	now      func() time.Time
}

func (c *metricsAuthorizer) filter(log logr.Logger, next http.Handler) (http.Handler, error) {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		verb, path := strings.ToLower(req.Method), req.URL.Path
		key := sha256.Sum256([]byte(token + "\x00" + verb + "\x00" + path))
		now := c.now()
		c.mu.Lock()
		v, cached := c.verdicts[key]
		if cached && now.After(v.expires) {
			delete(c.verdicts, key)
			cached = false
		}
		c.mu.Unlock()
		if !cached {
			code, user, err := c.review(req.Context(), token, verb, path)
			if err != nil {
				// Not cached: the next scrape asks again.
				log.Error(err, "Authorizing a metrics request failed")
				http.Error(w, "Authorization failed", http.StatusInternalServerError)
				return
			}
			v = verdict{code: code, user: user, expires: now.Add(metricsAuthTTL)}
			c.mu.Lock()
			if len(c.verdicts) > 1000 {
				// Many distinct callers: start over rather than grow.
				clear(c.verdicts)
			}
			c.verdicts[key] = v
			c.mu.Unlock()
		}
		switch v.code {
		case http.StatusOK:
			next.ServeHTTP(w, req)
		case http.StatusForbidden:
			http.Error(w, fmt.Sprintf("Authorization denied for user %s", v.user), http.StatusForbidden)
		default:
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
		}
	}), nil
}
