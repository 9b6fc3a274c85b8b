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

package render

import (
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// Service returns the Service in front of the controller pods, with http,
// https and one port per tcp/udp entry, or nil when the effective type is
// None (the apply layer then removes any earlier one).
func Service(gw *v1alpha1.IngressGateway) *corev1.Service {
	typ := EffectiveServiceType(gw)
	if typ == v1alpha1.ServiceTypeNone {
		return nil
	}
	spec := gw.Spec.Service
	n := ServiceName(gw)
	meta := objectMeta(gw, n.Name)
	if len(spec.Annotations) > 0 {
		meta.Annotations = maps.Clone(spec.Annotations)
	}
	withNodePort := typ == v1alpha1.ServiceTypeNodePort || typ == v1alpha1.ServiceTypeLoadBalancer
	nodePort := func(p *int32) int32 {
		if withNodePort && p != nil {
			return *p
		}
		return 0
	}
	var httpNP, httpsNP *int32
	if spec.NodePorts != nil {
		httpNP, httpsNP = spec.NodePorts.HTTP, spec.NodePorts.HTTPS
	}
	ports := []corev1.ServicePort{
		{Name: "http", Port: gw.Spec.Ports.HTTP, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("http"),
			AppProtocol: ptr.To("http"), NodePort: nodePort(httpNP)},
		{Name: "https", Port: gw.Spec.Ports.HTTPS, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("https"),
			AppProtocol: ptr.To("https"), NodePort: nodePort(httpsNP)},
	}
	// Stream ports target the port number, not a container port name: the
	// pod template then does not change when an entry is added, so tcp/udp
	// edits never restart pods (outside hostPorts mode).
	for _, e := range gw.Spec.TCP {
		ports = append(ports, corev1.ServicePort{Name: streamPortName("tcp", e.Port), Port: e.Port,
			Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(e.Port), NodePort: nodePort(e.NodePort)})
	}
	for _, e := range gw.Spec.UDP {
		ports = append(ports, corev1.ServicePort{Name: streamPortName("udp", e.Port), Port: e.Port,
			Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(e.Port), NodePort: nodePort(e.NodePort)})
	}
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta,
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceType(typ),
			Selector: SelectorLabels(gw),
			Ports:    ports,
		},
	}
	if withNodePort {
		svc.Spec.ExternalTrafficPolicy = spec.ExternalTrafficPolicy
	}
	if typ == v1alpha1.ServiceTypeLoadBalancer {
		svc.Spec.LoadBalancerClass = spec.LoadBalancerClass
		svc.Spec.LoadBalancerSourceRanges = spec.LoadBalancerSourceRanges
	}
	return svc
}

// streamPortName names the Service and container port of a tcp/udp entry,
// as the upstream chart does ("<port>-tcp"), but protocol first so the name
// is a valid IANA service name for every port number.
func streamPortName(proto string, port int32) string {
	return fmt.Sprintf("%s-%d", proto, port)
}

// WebhookService returns the ClusterIP Service the API server calls the
// webhook through, or nil when the webhook is disabled.
func WebhookService(gw *v1alpha1.IngressGateway) *corev1.Service {
	if !facts.WebhookEnabled(gw) {
		return nil
	}
	n := WebhookServiceName(gw)
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(gw, n.Name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: SelectorLabels(gw),
			Ports: []corev1.ServicePort{{
				Name: "https-webhook", Port: 443, Protocol: corev1.ProtocolTCP,
				TargetPort: intstr.FromString(webhookPortName), AppProtocol: ptr.To("https"),
			}},
		},
	}
}
