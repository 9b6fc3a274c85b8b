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

package controllers

import (
	"context"
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// TestWriteStatusAfterCacheCaughtUp: a pass that read the gateway before
// the cache showed this process's last status write, whose copy the memo
// has since dropped (memoStore.cachedAt), compares with the cache's
// gateway: it neither writes that status again nor announces it again.
// Without the version the memo keeps, it would do both.
func TestWriteStatusAfterCacheCaughtUp(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	now := metav1.NewTime(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	stale := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", UID: "uid-gw", ResourceVersion: "4", Generation: 1}}
	obs := observed{Now: now.Time, Completed: []string{phaseClass}, Failed: &PhaseError{Phase: phaseInputs, Err: errors.New("timeout")}}
	cached := stale.DeepCopy()
	cached.ResourceVersion = ""
	cached.Status = computeStatus(stale, obs, now)
	if degradedReason(cached.Status) == "" {
		t.Fatal("the status of this test is not Degraded: its event would prove nothing")
	}

	for _, tc := range []struct {
		name       string
		memo       *statusMemo
		wantWrites int
	}{
		{"the written version kept", &statusMemo{rv: "5"}, 0},
		{"no memo at all", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var writes int
			c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(cached.DeepCopy()).WithStatusSubresource(&v1alpha1.IngressGateway{}).
				WithInterceptorFuncs(interceptor.Funcs{SubResourcePatch: func(ctx context.Context, c client.Client, sub string, o client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
					writes++
					return c.SubResource(sub).Patch(ctx, o, p, opts...)
				}}).Build()
			rec := events.NewFakeRecorder(10)
			r := &Reconciler{Client: c, Recorder: rec, Now: func() metav1.Time { return now }, memo: newMemoStore()}
			if tc.memo != nil {
				r.memo.update(stale.UID, func(g *gatewayMemo) { g.status = tc.memo })
			}
			if err := r.writeStatus(context.Background(), stale.DeepCopy(), obs); err != nil {
				t.Fatal(err)
			}
			if writes != tc.wantWrites || len(rec.Events) != tc.wantWrites {
				t.Errorf("%d status writes and %d events, want %d of each", writes, len(rec.Events), tc.wantWrites)
			}
		})
	}
}
