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
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/keepalived"
)

const (
	// KeepalivedContainerName is the VIP sidecar's name.
	KeepalivedContainerName = "keepalived"
	keepalivedVolumeName    = "keepalived-config"
	keepalivedRunVolume     = "keepalived-run"
	keepalivedConfigDir     = "/etc/portico-keepalived/"
)

// VIPInputs are the VIP values only the cluster knows.
type VIPInputs struct {
	// RouterID is the allocated VRRP router ID.
	RouterID int32
	// Peers are the addresses of the nodes the fleet runs on.
	Peers []string
}

// placeholderVIP stands in for the router ID and peers offline.
func placeholderVIP(gw *v1alpha1.IngressGateway) *VIPInputs {
	id := int32(1)
	if v := gw.Spec.VIP.VirtualRouterID; v != nil {
		id = *v
	}
	return &VIPInputs{RouterID: id}
}

// VIPAddresses returns the floating addresses without their prefix length,
// as they are published in Ingress status.
func VIPAddresses(gw *v1alpha1.IngressGateway) []string {
	if gw.Spec.VIP == nil {
		return nil
	}
	out := make([]string, 0, len(gw.Spec.VIP.Addresses))
	for _, a := range gw.Spec.VIP.Addresses {
		if p, err := netip.ParsePrefix(a); err == nil {
			out = append(out, p.Addr().String())
		}
	}
	return out
}

// keepalivedConfig returns the keepalived settings of gw.
func keepalivedConfig(gw *v1alpha1.IngressGateway, in *VIPInputs, cfg Config) keepalived.Config {
	v := gw.Spec.VIP
	garp := keepalived.DefaultGARPRefreshSeconds
	if v.GARPRefreshSeconds != nil {
		garp = int(*v.GARPRefreshSeconds)
	}
	return keepalived.Config{
		Instance:                   "portico_" + gw.Namespace + "_" + gw.Name,
		RouterID:                   int(in.RouterID),
		Addresses:                  v.Addresses,
		Interface:                  v.Interface,
		Unicast:                    v.Unicast == nil || *v.Unicast,
		Peers:                      in.Peers,
		AdvertIntervalMilliseconds: int(v.AdvertIntervalMilliseconds),
		GARPRefreshSeconds:         garp,
		PreferredNodes:             v.PreferredNodes,
		Preempt:                    v.Preempt,
		PreemptDelaySeconds:        int(ptr.Deref(v.PreemptDelaySeconds, 0)),
		Auth:                       v.AuthSecretRef != nil,
		HealthzURL:                 fmt.Sprintf("http://127.0.0.1:%d%s", gw.Spec.Ports.Healthz, healthPath(cfg)),
		LeaseName:                  VIPLeaseName(gw).Name,
	}
}

// keepalivedImage returns the sidecar image: the gateway's, else the
// operator's default.
func keepalivedImage(gw *v1alpha1.IngressGateway, cfg Config) string {
	if gw.Spec.VIP != nil && gw.Spec.VIP.Image != "" {
		return gw.Spec.VIP.Image
	}
	return cfg.KeepalivedImage
}

// keepalivedContainer returns the VIP sidecar. It gets only the
// capabilities VRRP needs (adding addresses, raw VRRP and ARP sockets); the
// controller container keeps its own minimal set.
func keepalivedContainer(gw *v1alpha1.IngressGateway, image string) corev1.Container {
	field := func(path string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}
	}
	env := []corev1.EnvVar{
		{Name: "NODE_IP", ValueFrom: field("status.hostIP")},
		{Name: "NODE_NAME", ValueFrom: field("spec.nodeName")},
		{Name: "POD_NAMESPACE", ValueFrom: field("metadata.namespace")},
		{Name: "RUN_DIR", Value: "/run/portico-keepalived"},
	}
	if ref := gw.Spec.VIP.AuthSecretRef; ref != nil {
		key := ref.Key
		if key == "" {
			key = "password"
		}
		env = append(env, corev1.EnvVar{Name: "VRRP_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}, Key: key}}})
	}
	return corev1.Container{
		Name:            KeepalivedContainerName,
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         []string{"/bin/sh", keepalivedConfigDir + keepalived.EntrypointFile},
		Env:             env,
		VolumeMounts: []corev1.VolumeMount{
			{Name: keepalivedVolumeName, MountPath: keepalivedConfigDir, ReadOnly: true},
			{Name: keepalivedRunVolume, MountPath: "/run/portico-keepalived"},
		},
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resourceMust("10m"), corev1.ResourceMemory: resourceMust("16Mi"),
		}},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			// NET_ADMIN adds the addresses, NET_RAW opens the VRRP and ARP
			// sockets, NET_BROADCAST as upstream's keepalived pods have it.
			// SETGID because keepalived calls setgroups() before every
			// script: without it no health check or notify ever runs and
			// the VIP is silently no longer tied to the controller's health.
			Capabilities: &corev1.Capabilities{
				Add:  []corev1.Capability{"NET_ADMIN", "NET_RAW", "NET_BROADCAST", "SETGID"},
				Drop: []corev1.Capability{"ALL"},
			},
			// Added capabilities reach only root's effective set.
			RunAsUser:              ptr.To[int64](0),
			ReadOnlyRootFilesystem: ptr.To(true),
			SeccompProfile:         &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
}

// keepalivedVolumes mounts the ConfigMap as a directory (not subPath, which
// the kubelet never updates) and a writable run directory.
func keepalivedVolumes(gw *v1alpha1.IngressGateway) []corev1.Volume {
	return []corev1.Volume{
		{Name: keepalivedVolumeName, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: KeepalivedConfigMapName(gw).Name}, DefaultMode: ptr.To[int32](0o555)}}},
		{Name: keepalivedRunVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}},
	}
}

// healthPath is the data plane's health endpoint on spec.ports.healthz:
// ingress-nginx's /healthz, Traefik's ping (503 once it shuts down).
func healthPath(cfg Config) string {
	if cfg.traefik() {
		return traefikPingPath
	}
	return "/healthz"
}

// vipPublishArg publishes the floating addresses into Ingress status.
func vipPublishArg(gw *v1alpha1.IngressGateway) string {
	return "--publish-status-address=" + strings.Join(VIPAddresses(gw), ",")
}
