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

// Package eventrecorder writes the operator's events (events.k8s.io/v1).
//
// client-go's events recorder keeps every event it sent for 6 to 12
// minutes, to fold repeats of one (same type, reason, action, regarding
// and related object, resourceVersions included) into a series. Portico's
// events name the gateway at its resourceVersion and never repeat that
// way, and after a burst of new gateways that cache held a kilobyte or two
// per gateway for nothing. This recorder sends each event once, from a
// bounded queue (Workers at a time): when the API server is QueueLength
// events behind, new events are dropped (and logged), as client-go drops
// them when its own queue is full.
package eventrecorder

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/tools/record/util"
	"k8s.io/client-go/tools/reference"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// QueueLength is how many events may wait to be sent: a burst of a few
// thousand new gateways, one event each, is not dropped.
const QueueLength = 4096

// Workers is how many events are sent at a time.
const Workers = 8

// attempts is how often a create that fails for a reason that may pass
// (timeouts, throttling, the API server restarting) is tried.
const attempts = 3

// Recorder is an events.EventRecorder; Start sends what it records.
type Recorder struct {
	client     client.Client
	scheme     *runtime.Scheme
	controller string
	instance   string
	queue      chan *eventsv1.Event
	log        logr.Logger
	// backoff is the wait before the second attempt, doubled after.
	backoff time.Duration
	// now is the clock of event times and names.
	now func() time.Time
}

var _ events.EventRecorder = &Recorder{}

// New returns a Recorder for reportingController that writes with c.
func New(c client.Client, scheme *runtime.Scheme, reportingController string, log logr.Logger) *Recorder {
	hostname, _ := os.Hostname()
	return &Recorder{client: c, scheme: scheme, controller: reportingController, instance: reportingController + "-" + hostname,
		queue: make(chan *eventsv1.Event, QueueLength), log: log, backoff: time.Second, now: time.Now}
}

// Eventf records an event about regarding (and related, which may be nil),
// as client-go's recorder does; it never blocks.
func (r *Recorder) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	message := fmt.Sprintf(note, args...)
	ref, err := reference.GetReference(r.scheme, regarding)
	if err != nil {
		r.log.Error(err, "Could not construct reference, will not report event", "eventType", eventtype, "reason", reason, "message", message)
		return
	}
	var relatedRef *corev1.ObjectReference
	if related != nil {
		if relatedRef, err = reference.GetReference(r.scheme, related); err != nil {
			r.log.V(1).Info("Could not construct reference", "err", err)
		}
	}
	if eventtype != corev1.EventTypeNormal && eventtype != corev1.EventTypeWarning {
		r.log.Error(nil, "Unsupported event type", "eventType", eventtype)
		return
	}
	now := r.now()
	namespace := ref.Namespace
	if namespace == "" {
		namespace = metav1.NamespaceDefault
	}
	ev := &eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: util.GenerateEventName(ref.Name, now.UnixNano()), Namespace: namespace},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: r.controller,
		ReportingInstance:   r.instance,
		Action:              action,
		Reason:              reason,
		Regarding:           *ref,
		Related:             relatedRef,
		Note:                message,
		Type:                eventtype,
	}
	r.log.V(1).Info("Event occurred", "object", ref.Namespace+"/"+ref.Name, "kind", ref.Kind, "type", eventtype, "reason", reason, "note", message)
	select {
	case r.queue <- ev:
	default:
		r.log.Error(nil, "Event queue full, dropping event", "object", ref.Namespace+"/"+ref.Name, "reason", reason, "note", message)
	}
}

// Start sends the recorded events until ctx is done.
func (r *Recorder) Start(ctx context.Context) error {
	var wg sync.WaitGroup
	for range Workers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case ev := <-r.queue:
					r.send(ctx, ev)
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// NeedLeaderElection is false: whoever records an event sends it.
func (r *Recorder) NeedLeaderElection() bool { return false }

func (r *Recorder) send(ctx context.Context, ev *eventsv1.Event) {
	wait := r.backoff
	for i := 1; ; i++ {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := r.client.Create(cctx, ev)
		cancel()
		if err == nil || apierrors.IsAlreadyExists(err) {
			return
		}
		if i == attempts || !retriable(err) {
			r.log.Error(err, "Could not write event", "object", ev.Regarding.Namespace+"/"+ev.Regarding.Name, "reason", ev.Reason, "note", ev.Note)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// retriable reports whether a failed create may succeed if tried again: not
// when the API server refused the event itself (invalid, forbidden, its
// namespace gone or terminating).
func retriable(err error) bool {
	return !apierrors.IsInvalid(err) && !apierrors.IsForbidden(err) && !apierrors.IsNotFound(err) && !apierrors.IsBadRequest(err)
}
