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

package servingcert

import (
	"context"

	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
)

// ServeAfter returns s, starting only once ready is closed. The manager
// starts webhook servers before any other runnable, and controller-runtime's
// server fails when its certificate files are missing; in self-signed mode
// they exist only after SelfSignedCerts' first pass.
func ServeAfter(s crwebhook.Server, ready <-chan struct{}) crwebhook.Server {
	return &gatedServer{Server: s, ready: ready}
}

// gatedServer is still a webhook.Server, so the manager starts it with the
// webhook servers, and readiness checks see it unstarted until it serves.
type gatedServer struct {
	crwebhook.Server
	ready <-chan struct{}
}

// Start waits for the certificates, then serves until ctx ends.
func (s *gatedServer) Start(ctx context.Context) error {
	select {
	case <-s.ready:
	case <-ctx.Done():
		return nil
	}
	return s.Server.Start(ctx)
}
