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
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/keepalived"
)

// Main ConfigMap keys the operator sets itself.
const (
	allowSnippetAnnotationsKey = "allow-snippet-annotations"
	annotationsRiskLevelKey    = "annotations-risk-level"
)

// MainConfigMap returns the controller's main ConfigMap (--configmap), holding
// spec.controller.config. The controller hot-reloads it, so no pod-template
// hash of it is kept: an edit never restarts pods.
func MainConfigMap(gw *v1alpha1.IngressGateway) *corev1.ConfigMap {
	n := MainConfigMapName(gw)
	data := map[string]string{}
	maps.Copy(data, gw.Spec.Controller.Config)
	// Explicit, so that a changed upstream default can never turn snippets
	// on behind the user's back (CVE-2025-1974 class of risk).
	data[allowSnippetAnnotationsKey] = "false"
	if gw.Spec.Controller.AllowSnippetAnnotations {
		data[allowSnippetAnnotationsKey] = "true"
		// Snippet annotations are rated Critical; the default risk level
		// (High) would still reject them.
		data[annotationsRiskLevelKey] = "Critical"
	}
	return configMap(gw, n.Name, data)
}

// TCPConfigMap returns the tcp-services ConfigMap: one entry per spec.tcp
// item, "<port>": "<namespace>/<service>:<port>[:PROXY][:PROXY]". It always
// exists, even when empty, so adding the first entry never changes the
// controller's flags.
func TCPConfigMap(gw *v1alpha1.IngressGateway) (*corev1.ConfigMap, error) {
	data := map[string]string{}
	for i, e := range gw.Spec.TCP {
		v, err := streamEntry(gw, e.Backend, e.ProxyProtocol)
		if err != nil {
			return nil, fmt.Errorf("spec.tcp[%d].backend: %w", i, err)
		}
		data[strconv.Itoa(int(e.Port))] = v
	}
	return configMap(gw, TCPConfigMapName(gw).Name, data), nil
}

// UDPConfigMap returns the udp-services ConfigMap, like TCPConfigMap.
func UDPConfigMap(gw *v1alpha1.IngressGateway) (*corev1.ConfigMap, error) {
	data := map[string]string{}
	for i, e := range gw.Spec.UDP {
		v, err := streamEntry(gw, e.Backend, nil)
		if err != nil {
			return nil, fmt.Errorf("spec.udp[%d].backend: %w", i, err)
		}
		data[strconv.Itoa(int(e.Port))] = v
	}
	return configMap(gw, UDPConfigMapName(gw).Name, data), nil
}

// streamEntry formats one tcp/udp map value. The third field decodes and the
// fourth encodes the PROXY protocol; an empty third field keeps decoding off
// when only encoding is wanted.
func streamEntry(gw *v1alpha1.IngressGateway, b v1alpha1.Backend, pp *v1alpha1.ProxyProtocol) (string, error) {
	var port string
	switch b.Port.Type {
	case intstr.Int:
		if b.Port.IntVal < 1 || b.Port.IntVal > 65535 {
			return "", fmt.Errorf("port: Invalid value: %d: must be between 1 and 65535", b.Port.IntVal)
		}
		port = strconv.Itoa(int(b.Port.IntVal))
	default:
		if b.Port.StrVal == "" {
			return "", fmt.Errorf("port: Required value: a Service port number or name")
		}
		port = b.Port.StrVal
	}
	v := fmt.Sprintf("%s:%s", facts.BackendKey(gw, b), port)
	if pp != nil && (pp.Decode || pp.Encode) {
		decode := ""
		if pp.Decode {
			decode = "PROXY"
		}
		v += ":" + decode
		if pp.Encode {
			v += ":PROXY"
		}
	}
	return v, nil
}

func configMap(gw *v1alpha1.IngressGateway, name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(gw, name),
		Data:       data,
	}
}

// KeepalivedConfigMap returns the keepalived configuration template, its
// scripts and the peer list, or nil without spec.vip. The sidecars render
// their per-node configuration from it at start and reload (not restart)
// when it changes, so peer changes never restart controller pods.
func KeepalivedConfigMap(gw *v1alpha1.IngressGateway, in *VIPInputs, cfg Config) (*corev1.ConfigMap, error) {
	if gw.Spec.VIP == nil {
		return nil, nil
	}
	files, err := keepalived.Files(keepalivedConfig(gw, in, cfg))
	if err != nil {
		return nil, fmt.Errorf("spec.vip: %w", err)
	}
	return configMap(gw, KeepalivedConfigMapName(gw).Name, files), nil
}
