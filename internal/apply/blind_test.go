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
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/scheme"
)

type records map[string]Record

func (r records) Record(_ types.UID, key string) (Record, bool) { rec, ok := r[key]; return rec, ok }
func (r records) Remember(_ types.UID, key string, rec Record)  { r[key] = rec }
func (r records) ForgetChild(_ types.UID, key string)           { delete(r, key) }

// TestBlindApply: with the API server guarding adoption, a child the cache
// does not hold is applied without a read; when the apply is refused
// because a user's object holds the name, that object is read then and
// reported as a conflict, never written. Without the guard it is read
// first, as before.
func TestBlindApply(t *testing.T) {
	ctx := context.Background()
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw", UID: "a1"}}
	child := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-controller", Labels: render.Labels(gw)}}
	users := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gw-controller"}, Data: map[string]string{"mine": "yes"}}
	s := scheme.New()
	var reads, patches int
	reader := fake.NewClientBuilder().WithScheme(s).WithObjects(users).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			reads++
			return c.Get(ctx, key, obj, opts...)
		}}).Build()
	cache := fake.NewClientBuilder().WithScheme(s).WithInterceptorFuncs(interceptor.Funcs{
		Patch: func(context.Context, client.WithWatch, client.Object, client.Patch, ...client.PatchOption) error {
			patches++
			return apierrors.NewForbidden(corev1.Resource("configmaps"), "gw-controller",
				errors.New("ValidatingAdmissionPolicy 'portico-operator-writes' with binding 'portico-operator-writes' denied request"))
		}}).Build()
	a := &Applier{Client: cache, Reader: reader, Scheme: s, Records: records{}}

	p, err := a.Check(ctx, gw, child, Digest{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if reads != 0 || !p.Blind || p.Current != nil || !p.Write {
		t.Fatalf("guarded check: %d reads, blind %v, current %v, write %v; want no read and a blind write", reads, p.Blind, p.Current, p.Write)
	}
	_, err = a.Write(ctx, child, p)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || reads != 1 || patches != 1 {
		t.Fatalf("refused blind apply: %v after %d reads and %d patches; want a conflict after one of each", err, reads, patches)
	}

	reads = 0
	if _, err := a.Check(ctx, gw, child, Digest{}, false); !errors.As(err, &conflict) || reads != 1 {
		t.Fatalf("unguarded check: %v after %d reads; want a conflict after one read", err, reads)
	}
	// A child the records know is read, guarded or not: it existed.
	a.Records.Remember(gw.UID, RecordKey(corev1.SchemeGroupVersion.WithKind("ConfigMap"), "ns", "gw-controller"), Record{UID: "x"})
	reads = 0
	if _, err := a.Check(ctx, gw, child, Digest{}, true); !errors.As(err, &conflict) || reads != 1 {
		t.Fatalf("guarded check of a remembered child: %v after %d reads; want a conflict after one read", err, reads)
	}
}

// TestShardNotSeen: the refusal of a binding that finds no gateway of the
// child's shard (422, reason Invalid, as the API server sends it) is
// recognized, so a creation right after the gateway got its shard label is
// retried; other refusals are not.
func TestShardNotSeen(t *testing.T) {
	status := func(code int32, msg string) error {
		return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: code, Reason: metav1.StatusReasonInvalid, Message: msg}}
	}
	lag := status(422, `configmaps "gw-tcp" is forbidden: ValidatingAdmissionPolicy 'portico-operator-namespaces' with binding 'portico-operator-namespaces-1' denied request: failed to configure binding: no params found for policy binding with `+"`Deny`"+` parameterNotFoundAction`)
	if !shardNotSeen(lag) || !denied(lag) {
		t.Error("the shard lag is not recognized")
	}
	for _, err := range []error{
		status(403, "ValidatingAdmissionPolicy 'portico-operator-writes' with binding 'portico-operator-writes' denied request: ..."),
		status(422, `ConfigMap "x" is invalid: data: Invalid value`),
	} {
		if shardNotSeen(err) {
			t.Errorf("%v taken for the shard lag", err)
		}
	}
	if denied(status(422, `ConfigMap "x" is invalid: data: Invalid value`)) {
		t.Error("a validation error taken for an admission refusal")
	}
}

// TestExistedBefore: an apply's response tells a creation from an update
// of an object the cache had not seen by the API server's own times.
func TestExistedBefore(t *testing.T) {
	created := metav1.Unix(100, 0)
	obj := func(applied int64) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: created, ManagedFields: []metav1.ManagedFieldsEntry{
			{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationUpdate, Time: ptrTime(metav1.Unix(500, 0))},
			{Manager: FieldOwner, Operation: metav1.ManagedFieldsOperationApply, Time: ptrTime(metav1.Unix(applied, 0))},
		}}}
	}
	if existedBefore(obj(100)) {
		t.Error("an object applied in the second it was created passes for old")
	}
	if !existedBefore(obj(160)) {
		t.Error("an object created a minute before the apply passes for new")
	}
}

func ptrTime(t metav1.Time) *metav1.Time { return &t }
