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

package webhook_test

import (
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/portico-dev/portico/api/v1alpha1"
)

// Gateway mutations shared by the envtest specs.

func hostNetwork(gw *v1alpha1.IngressGateway) { gw.Spec.Workload.HostNetwork = true }
func hostPorts(gw *v1alpha1.IngressGateway)   { gw.Spec.Workload.HostPorts = true }

func tcp(port int32) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.TCP = append(gw.Spec.TCP, v1alpha1.TCPService{Port: port, Backend: v1alpha1.Backend{Name: "svc", Port: intstr.FromInt32(port)}})
	}
}

func udp(port int32) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) {
		gw.Spec.UDP = append(gw.Spec.UDP, v1alpha1.UDPService{Port: port, Backend: v1alpha1.Backend{Name: "svc", Port: intstr.FromInt32(port)}})
	}
}

func class(name string) func(*v1alpha1.IngressGateway) {
	return func(gw *v1alpha1.IngressGateway) { gw.Spec.IngressClass.Name = name }
}

func port(p int32) intstr.IntOrString { return intstr.FromInt32(p) }
