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

package apply

import (
	"context"
	"fmt"
	"maps"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// Outcome is what a write of a child did, as the API server's answer
// shows: a resourceVersion that did not move means nothing changed.
type Outcome string

// The outcomes of a write (they label portico_children_applied_total).
const (
	Created   Outcome = "create"
	Updated   Outcome = "update"
	Reverted  Outcome = "revert"
	Unchanged Outcome = "unchanged"
)

// Outcome classifies the write of p that returned live.
func (p *Plan) Outcome(live client.Object) Outcome {
	switch {
	case p.Current == nil:
		return Created
	case live != nil && live.GetResourceVersion() == p.Current.GetResourceVersion():
		// A server-side apply that changes nothing keeps the
		// resourceVersion: the child was already as rendered.
		return Unchanged
	case p.Reverted:
		return Reverted
	}
	return Updated
}

// Changed names the field groups a write changed, never empty: with no
// drift found, everything rendered was there and the write removed fields
// the rendering no longer sets (or added the render hash an older
// operator did not record).
func (p *Plan) Changed() []string {
	switch {
	case len(p.Drift) > 0:
		return p.Drift
	case p.Current != nil && p.Current.GetAnnotations()[RenderHashAnnotation] == "":
		return []string{"annotation " + RenderHashAnnotation}
	}
	return []string{"fields no longer rendered"}
}

// NeedsMetadata reports whether gw lacks render.Finalizer or its shard label.
func NeedsMetadata(gw *v1alpha1.IngressGateway) bool {
	return !controllerutil.ContainsFinalizer(gw, render.Finalizer) || gw.Labels[render.ShardLabel] != render.Shard(gw)
}

// EnsureMetadata adds render.Finalizer and the shard label (render.ShardLabel,
// which the API server's containment policy selects gateways by) to gw in
// one write, patching a copy so the children applied meanwhile read a
// stable gw.
func EnsureMetadata(ctx context.Context, c client.Client, gw *v1alpha1.IngressGateway) error {
	cp := gw.DeepCopy()
	patch := client.MergeFrom(gw.DeepCopy())
	controllerutil.AddFinalizer(cp, render.Finalizer)
	labels := maps.Clone(cp.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[render.ShardLabel] = render.Shard(gw)
	cp.Labels = labels
	if err := c.Patch(ctx, cp, patch, client.FieldOwner(FieldOwner)); err != nil {
		return fmt.Errorf("add the finalizer and shard label: %w", err)
	}
	return nil
}

// RemoveFinalizer removes render.Finalizer from gw; a gateway already gone is no
// error.
func RemoveFinalizer(ctx context.Context, c client.Client, gw *v1alpha1.IngressGateway) error {
	patch := client.MergeFrom(gw.DeepCopy())
	controllerutil.RemoveFinalizer(gw, render.Finalizer)
	if err := client.IgnoreNotFound(c.Patch(ctx, gw, patch, client.FieldOwner(FieldOwner))); err != nil {
		return fmt.Errorf("remove finalizer: %w", err)
	}
	return nil
}

// WriteStatus writes st as gw's status (a merge patch against gw as read,
// so only what changed is sent); gw then holds the written status and its
// new resourceVersion. A gateway deleted meanwhile is no error; written
// says whether the write happened.
func WriteStatus(ctx context.Context, c client.Client, gw *v1alpha1.IngressGateway, st v1alpha1.IngressGatewayStatus) (written bool, err error) {
	patch := client.MergeFrom(gw.DeepCopy())
	gw.Status = st
	if err := c.Status().Patch(ctx, gw, patch, client.FieldOwner(FieldOwner)); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("write the status of IngressGateway %s: %w", client.ObjectKeyFromObject(gw), err)
	}
	return true, nil
}
