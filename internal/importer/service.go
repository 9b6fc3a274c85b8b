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

package importer

import (
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// service finds the Service in front of the controller pods: one that
// selects them and forwards to their http or https port. Port 443 alone
// is no sign: the admission webhook's Service also listens on 443 (and
// forwards to the webhook port).
func (r *importRun) service(c *corev1.Container) {
	podLabels := labels.Set(r.w.template.Labels)
	for _, s := range r.o.services {
		if s.Namespace != r.w.namespace || len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(podLabels) {
			continue
		}
		r.podServices = append(r.podServices, s)
		if r.svc == nil && slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool { return r.httpTarget(c, p) != 0 }) {
			r.svc = s
		}
	}
	spec := &r.gw.Spec.Service
	if r.svc == nil {
		if r.gw.Spec.Workload.HostNetwork || r.gw.Spec.Workload.HostPorts {
			spec.Type = v1alpha1.ServiceTypeNone
			r.carried("no Service (host ports only)")
		}
		return
	}
	s := r.svc
	spec.Type = v1alpha1.ServiceType(s.Spec.Type)
	r.carried("Service %s/%s of type %s", s.Namespace, s.Name, s.Spec.Type)
	if s.Spec.Type == corev1.ServiceTypeNodePort || s.Spec.Type == corev1.ServiceTypeLoadBalancer {
		np := &v1alpha1.NodePorts{}
		for _, p := range s.Spec.Ports {
			switch {
			case p.NodePort == 0:
			case r.httpTarget(c, p) == r.ports.HTTP:
				np.HTTP = ptr.To(p.NodePort)
			case r.httpTarget(c, p) == r.ports.HTTPS:
				np.HTTPS = ptr.To(p.NodePort)
			default:
				r.streamNodePort(p)
			}
		}
		if np.HTTP != nil || np.HTTPS != nil {
			spec.NodePorts = np
			r.carried("node ports of http/https")
		}
		if s.Spec.ExternalTrafficPolicy != "" {
			spec.ExternalTrafficPolicy = s.Spec.ExternalTrafficPolicy
		}
	}
	if s.Spec.Type == corev1.ServiceTypeLoadBalancer {
		spec.LoadBalancerClass = s.Spec.LoadBalancerClass
		spec.LoadBalancerSourceRanges = s.Spec.LoadBalancerSourceRanges
	}
	if a := withoutSystemKeys(s.Annotations); len(a) > 0 {
		spec.Annotations = a
		r.carried("Service annotations %v", slices.Sorted(maps.Keys(a)))
	}
	if s.Spec.Type == corev1.ServiceTypeLoadBalancer {
		r.dropped("the load balancer address", "Portico creates its own Service, so the load balancer may get a new address; update DNS, or reserve the address with spec.service.annotations / loadBalancerIP support of your load balancer")
	}
}

// httpTarget returns the controller's http or https port that p forwards
// to, or 0 when it forwards elsewhere. A named targetPort is looked up
// among the controller container's ports, as kube-proxy does.
func (r *importRun) httpTarget(c *corev1.Container, p corev1.ServicePort) int32 {
	target := p.Port
	switch {
	case p.TargetPort.Type == intstr.String && p.TargetPort.StrVal != "":
		target = 0
		for _, cp := range c.Ports {
			if cp.Name == p.TargetPort.StrVal {
				target = cp.ContainerPort
			}
		}
	case p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal != 0:
		target = p.TargetPort.IntVal
	}
	if target == r.ports.HTTP || target == r.ports.HTTPS {
		return target
	}
	return 0
}
