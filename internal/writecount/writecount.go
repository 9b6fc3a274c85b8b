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

// Package writecount wraps a controller-runtime client and counts every
// write request it sends (create, update, patch, apply, delete, status
// included). Tests and benchmarks use it to prove a converged reconcile
// writes nothing.
package writecount

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Client counts the writes sent through it.
type Client struct {
	client.Client
	mu     sync.Mutex
	counts map[string]int
}

// Wrap returns a counting wrapper around c.
func Wrap(c client.Client) *Client { return &Client{Client: c, counts: map[string]int{}} }

func (c *Client) count(verb string) {
	c.mu.Lock()
	c.counts[verb]++
	c.mu.Unlock()
}

// Writes returns the number of writes so far.
func (c *Client) Writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// Counts returns the writes so far by verb.
func (c *Client) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// Reset sets every count back to zero.
func (c *Client) Reset() {
	c.mu.Lock()
	c.counts = map[string]int{}
	c.mu.Unlock()
}

// Create implements client.Client.
func (c *Client) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	c.count("create")
	return c.Client.Create(ctx, obj, opts...)
}

// Update implements client.Client.
func (c *Client) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	c.count("update")
	return c.Client.Update(ctx, obj, opts...)
}

// Patch implements client.Client.
func (c *Client) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	c.count("patch")
	return c.Client.Patch(ctx, obj, patch, opts...)
}

// Apply implements client.Client.
func (c *Client) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
	c.count("apply")
	return c.Client.Apply(ctx, obj, opts...)
}

// Delete implements client.Client.
func (c *Client) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	c.count("delete")
	return c.Client.Delete(ctx, obj, opts...)
}

// DeleteAllOf implements client.Client.
func (c *Client) DeleteAllOf(ctx context.Context, obj client.Object, opts ...client.DeleteAllOfOption) error {
	c.count("deletecollection")
	return c.Client.DeleteAllOf(ctx, obj, opts...)
}

// Status implements client.Client.
func (c *Client) Status() client.SubResourceWriter { return &subWriter{c: c, w: c.Client.Status()} }

// SubResource implements client.Client.
func (c *Client) SubResource(name string) client.SubResourceClient {
	return &subClient{SubResourceClient: c.Client.SubResource(name), c: c}
}

type subWriter struct {
	c *Client
	w client.SubResourceWriter
}

func (s *subWriter) Create(ctx context.Context, obj, sub client.Object, opts ...client.SubResourceCreateOption) error {
	s.c.count("status")
	return s.w.Create(ctx, obj, sub, opts...)
}

func (s *subWriter) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	s.c.count("status")
	return s.w.Update(ctx, obj, opts...)
}

func (s *subWriter) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	s.c.count("status")
	return s.w.Patch(ctx, obj, patch, opts...)
}

func (s *subWriter) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.SubResourceApplyOption) error {
	s.c.count("status")
	return s.w.Apply(ctx, obj, opts...)
}

type subClient struct {
	client.SubResourceClient
	c *Client
}

func (s *subClient) Create(ctx context.Context, obj, sub client.Object, opts ...client.SubResourceCreateOption) error {
	s.c.count("subresource")
	return s.SubResourceClient.Create(ctx, obj, sub, opts...)
}

func (s *subClient) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	s.c.count("subresource")
	return s.SubResourceClient.Update(ctx, obj, opts...)
}

func (s *subClient) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	s.c.count("subresource")
	return s.SubResourceClient.Patch(ctx, obj, patch, opts...)
}

func (s *subClient) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.SubResourceApplyOption) error {
	s.c.count("subresource")
	return s.SubResourceClient.Apply(ctx, obj, opts...)
}
