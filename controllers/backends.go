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
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// backendIndex indexes gateways by the Services their tcp/udp entries name.
const backendIndex = "spec.backends"

// ServiceCacheOptions configure the cache the tcp/udp backends are watched
// through: every Service, as its key and resourceVersion only
// (objectVersion), so a backend appearing or changing reconciles its
// gateways while the operator never holds Service specs.
func ServiceCacheOptions() cache.Options {
	return versionCacheOptions()
}

// backendRef is one tcp/udp entry's backend.
type backendRef struct {
	field    string // e.g. spec.tcp[0].backend
	key      types.NamespacedName
	port     intstr.IntOrString
	protocol corev1.Protocol // of the entry: TCP for tcp, UDP for udp
}

func backendRefs(gw *v1alpha1.IngressGateway) []backendRef {
	var out []backendRef
	ref := func(field string, b v1alpha1.Backend, proto corev1.Protocol) backendRef {
		return backendRef{field: field, key: facts.BackendKey(gw, b), port: b.Port, protocol: proto}
	}
	for i, e := range gw.Spec.TCP {
		out = append(out, ref(fmt.Sprintf("spec.tcp[%d].backend", i), e.Backend, corev1.ProtocolTCP))
	}
	for i, e := range gw.Spec.UDP {
		out = append(out, ref(fmt.Sprintf("spec.udp[%d].backend", i), e.Backend, corev1.ProtocolUDP))
	}
	return out
}

// backendKeys are the index values of a gateway: namespace/name of each
// Service it references (tcp/udp backends and the default backend), so a
// Service that appears, changes or goes reconciles the gateway at once.
func backendKeys(o client.Object) []string {
	gw := o.(*v1alpha1.IngressGateway)
	var out []string
	for _, b := range backendRefs(gw) {
		out = append(out, b.key.String())
	}
	if key, ok := facts.DefaultBackendKey(gw); ok {
		out = append(out, key.String())
	}
	return out
}

// servicePorts memoizes a Service's ports at one resourceVersion: the
// spec is read from the API server only when the version changes.
type servicePorts struct {
	rv    string
	ports []corev1.ServicePort
}

// resolveBackends checks every tcp/udp backend: its Service exists and has
// the port. It returns one problem per unresolved backend.
func (r *Reconciler) resolveBackends(ctx context.Context, gw *v1alpha1.IngressGateway) ([]string, error) {
	var problems []string
	for _, b := range backendRefs(gw) {
		ports, found, err := r.servicePorts(ctx, b.key)
		if err != nil {
			return nil, err
		}
		if !found {
			problems = append(problems, fmt.Sprintf("%s: Service %s does not exist", b.field, b.key))
			continue
		}
		if p := portProblem(ports, b.port, b.protocol); p != "" {
			problems = append(problems, fmt.Sprintf("%s: Service %s %s", b.field, b.key, p))
		}
	}
	return problems, nil
}

// portProblem says why ports lack the backend port want of protocol proto,
// or returns "" when one matches. It matches as ingress-nginx's
// tcp/udp-services parser does with the rendered "ns/name:port": a value
// that parses as an integer (6379, or "6379" quoted) is a port number,
// anything else a port name, and the port's protocol must be the entry's.
func portProblem(ports []corev1.ServicePort, want intstr.IntOrString, proto corev1.Protocol) string {
	n, err := strconv.Atoi(want.String())
	byNumber := err == nil
	matches := func(p corev1.ServicePort) bool {
		if byNumber {
			return int(p.Port) == n
		}
		return p.Name == want.StrVal
	}
	var have []string
	otherProtocol := false
	for _, p := range ports {
		pp := p.Protocol
		if pp == "" {
			pp = corev1.ProtocolTCP // the API server's default
		}
		if matches(p) {
			if pp == proto {
				return ""
			}
			otherProtocol = true
		}
		h := fmt.Sprintf("%d/%s", p.Port, pp)
		if p.Name != "" {
			h = p.Name + " " + h
		}
		have = append(have, h)
	}
	what := fmt.Sprintf("port %d/%s", n, proto)
	if !byNumber {
		what = fmt.Sprintf("port named %q with protocol %s", want.StrVal, proto)
	}
	msg := fmt.Sprintf("has no %s (its ports: %s)", what, strings.Join(have, ", "))
	if len(have) == 0 {
		msg = fmt.Sprintf("has no %s (it has no ports)", what)
	}
	if otherProtocol {
		msg += fmt.Sprintf("; ingress-nginx forwards a %s entry only to a %s Service port", strings.ToLower(string(proto)), proto)
	}
	return msg
}

func (r *Reconciler) servicePorts(ctx context.Context, key types.NamespacedName) ([]corev1.ServicePort, bool, error) {
	var rv string
	if r.ServiceMeta != nil {
		v, found, err := cachedVersion(ctx, r.ServiceMeta, corev1.SchemeGroupVersion.WithKind("Service"), key)
		if err != nil || !found {
			return nil, false, err
		}
		rv = v
		r.memo.mu.Lock()
		memo, ok := r.memo.services[key]
		r.memo.mu.Unlock()
		if ok && memo.rv == rv {
			return memo.ports, true, nil
		}
	}
	svc := &corev1.Service{}
	err := r.Applier.Reader.Get(ctx, key, svc)
	if apierrors.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	r.memo.mu.Lock()
	r.memo.services[key] = servicePorts{rv: svc.ResourceVersion, ports: svc.Spec.Ports}
	r.memo.mu.Unlock()
	return svc.Spec.Ports, true, nil
}

// backendsCondition (set only when there are tcp/udp entries) is True when
// every backend resolves. It never
// affects Ready: the HTTP routes and the other entries still serve.
func backendsCondition(gw *v1alpha1.IngressGateway, obs observed) metav1.Condition {
	c := metav1.Condition{Type: v1alpha1.ConditionBackendsResolved}
	n := len(gw.Spec.TCP) + len(gw.Spec.UDP)
	switch {
	case obs.BackendsErr != nil:
		c.Status, c.Reason, c.Message = metav1.ConditionUnknown, v1alpha1.ReasonBackendsUnknown, obs.BackendsErr.Error()
	case len(obs.BackendProblems) > 0:
		c.Status, c.Reason = metav1.ConditionFalse, v1alpha1.ReasonBackendNotFound
		c.Message = fmt.Sprintf("%d of %d tcp/udp backends do not resolve (their ports refuse connections until they do): %s",
			len(obs.BackendProblems), n, strings.Join(obs.BackendProblems, "; "))
	default:
		c.Status, c.Reason, c.Message = metav1.ConditionTrue, v1alpha1.ReasonBackendsResolved, fmt.Sprintf("All %d tcp/udp backends exist with their ports", n)
	}
	return c
}

// namedBackendPorts resolves the tcp/udp backends whose port is a name to
// the Service port's number (render.BackendPortKey), from the same memo
// resolveBackends fills; names that do not resolve are left out.
func (r *Reconciler) namedBackendPorts(ctx context.Context, gw *v1alpha1.IngressGateway) map[string]int32 {
	var out map[string]int32
	for _, b := range backendRefs(gw) {
		if _, err := strconv.Atoi(b.port.String()); err == nil {
			continue
		}
		ports, found, err := r.servicePorts(ctx, b.key)
		if err != nil || !found {
			continue
		}
		for _, p := range ports {
			proto := p.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			if p.Name == b.port.StrVal && proto == b.protocol {
				if out == nil {
					out = map[string]int32{}
				}
				out[render.BackendPortKey(b.key.Namespace, b.key.Name, b.port.StrVal)] = p.Port
			}
		}
	}
	return out
}
