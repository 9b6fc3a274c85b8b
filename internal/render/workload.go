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
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// ControllerContainerName is the name of the ingress controller container.
const ControllerContainerName = "controller"

// workloadWith returns the DaemonSet or the Deployment that runs the
// controller, whichever spec.workload.kind asks for, with the keepalived
// sidecar when there is a VIP and scoped to the gateway's namespace when
// the class says so.
func workloadWith(gw *v1alpha1.IngressGateway, image, keepalivedImage string, scoped bool) client.Object {
	if workloadKind(gw) == v1alpha1.WorkloadDeployment {
		d := Deployment(gw, image)
		addKeepalived(gw, &d.Spec.Template.Spec, keepalivedImage)
		watchOwnNamespace(gw, &d.Spec.Template.Spec, scoped)
		return d
	}
	ds := DaemonSet(gw, image)
	addKeepalived(gw, &ds.Spec.Template.Spec, keepalivedImage)
	watchOwnNamespace(gw, &ds.Spec.Template.Spec, scoped)
	return ds
}

// watchOwnNamespace confines a namespace-scoped fleet's controller to its
// gateway's namespace: its informers (Ingress, Service, EndpointSlice,
// Secret, ConfigMap) then list only there, which its RBAC matches.
func watchOwnNamespace(gw *v1alpha1.IngressGateway, spec *corev1.PodSpec, scoped bool) {
	if !scoped {
		return
	}
	for i := range spec.Containers {
		if spec.Containers[i].Name == ControllerContainerName {
			spec.Containers[i].Args = append(spec.Containers[i].Args, "--watch-namespace="+gw.Namespace)
		}
	}
}

// addKeepalived adds the VIP sidecar and its volumes to a pod spec.
func addKeepalived(gw *v1alpha1.IngressGateway, spec *corev1.PodSpec, image string) {
	if gw.Spec.VIP == nil {
		return
	}
	spec.Containers = append(spec.Containers, keepalivedContainer(gw, image))
	spec.Volumes = append(spec.Volumes, keepalivedVolumes(gw)...)
}

// DaemonSet returns the controller DaemonSet: one pod per matching node.
func DaemonSet(gw *v1alpha1.IngressGateway, image string) *appsv1.DaemonSet {
	n := WorkloadName(gw)
	rolling := &appsv1.RollingUpdateDaemonSet{MaxUnavailable: maxUnavailable(gw)}
	if facts.UsesHostPorts(gw) {
		// A surge pod would need the same host ports on the same node.
		rolling.MaxSurge = ptr.To(intstr.FromInt32(0))
	}
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: objectMeta(gw, n.Name),
		Spec: appsv1.DaemonSetSpec{
			Selector:             &metav1.LabelSelector{MatchLabels: SelectorLabels(gw)},
			Template:             podTemplate(gw, image),
			UpdateStrategy:       appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: rolling},
			RevisionHistoryLimit: ptr.To[int32](10),
		},
	}
}

// Deployment returns the controller Deployment: spec.workload.replicas pods.
func Deployment(gw *v1alpha1.IngressGateway, image string) *appsv1.Deployment {
	n := WorkloadName(gw)
	rolling := &appsv1.RollingUpdateDeployment{MaxUnavailable: maxUnavailable(gw)}
	if facts.UsesHostPorts(gw) {
		// A surge pod may land on a node whose host ports its predecessor
		// still holds and stay Pending; replace pods in place instead.
		rolling.MaxSurge = ptr.To(intstr.FromInt32(0))
	}
	replicas := gw.Spec.Workload.Replicas
	if replicas == nil {
		replicas = ptr.To[int32](1)
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(gw, n.Name),
		Spec: appsv1.DeploymentSpec{
			Replicas:             ptr.To(*replicas),
			Selector:             &metav1.LabelSelector{MatchLabels: SelectorLabels(gw)},
			Template:             podTemplate(gw, image),
			Strategy:             appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: rolling},
			RevisionHistoryLimit: ptr.To[int32](10),
		},
	}
}

func maxUnavailable(gw *v1alpha1.IngressGateway) *intstr.IntOrString {
	if mu := gw.Spec.Workload.MaxUnavailable; mu != nil {
		return ptr.To(*mu)
	}
	return ptr.To(intstr.FromInt32(1))
}

// podTemplate returns the controller pod template shared by both workload
// kinds. It depends on nothing that changes with tcp/udp entries unless
// hostPorts mode needs the ports mapped on the node.
func podTemplate(gw *v1alpha1.IngressGateway, image string) corev1.PodTemplateSpec {
	w := gw.Spec.Workload
	nodeSelector := map[string]string{corev1.LabelOSStable: "linux"}
	maps.Copy(nodeSelector, w.NodeSelector)
	dnsPolicy := corev1.DNSClusterFirst
	if w.HostNetwork {
		// Without it a host-network pod resolves with the node's resolver
		// and cannot reach cluster Services by name.
		dnsPolicy = corev1.DNSClusterFirstWithHostNet
	}
	var annotations map[string]string
	if len(w.PodAnnotations) > 0 {
		annotations = maps.Clone(w.PodAnnotations)
	}
	grace := w.TerminationGracePeriodSeconds
	if grace == nil {
		grace = ptr.To[int64](300)
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: podLabels(gw), Annotations: annotations},
		Spec: corev1.PodSpec{
			ServiceAccountName:            ServiceAccountName(gw).Name,
			AutomountServiceAccountToken:  ptr.To(true),
			HostNetwork:                   w.HostNetwork,
			DNSPolicy:                     dnsPolicy,
			NodeSelector:                  nodeSelector,
			Tolerations:                   slices.Clone(w.Tolerations),
			Affinity:                      w.Affinity.DeepCopy(),
			TopologySpreadConstraints:     slices.Clone(w.TopologySpreadConstraints),
			PriorityClassName:             w.PriorityClassName,
			TerminationGracePeriodSeconds: ptr.To(*grace),
			Containers:                    []corev1.Container{controllerContainer(gw, image)},
			Volumes:                       webhookVolumes(gw),
		},
	}
}

// controllerContainer returns the ingress-nginx controller container, as
// upstream's manifests define it (args, env, probes, securityContext).
func controllerContainer(gw *v1alpha1.IngressGateway, image string) corev1.Container {
	p := gw.Spec.Ports
	resources := corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("100m"),
		corev1.ResourceMemory: resource.MustParse("90Mi"),
	}}
	if gw.Spec.Controller.Resources != nil {
		resources = *gw.Spec.Controller.Resources.DeepCopy()
	}
	probe := func(failureThreshold int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/healthz", Port: intstr.FromInt32(p.Healthz), Scheme: corev1.URISchemeHTTP,
			}},
			InitialDelaySeconds: 10, PeriodSeconds: 10, TimeoutSeconds: 1,
			SuccessThreshold: 1, FailureThreshold: failureThreshold,
		}
	}
	return corev1.Container{
		Name:            ControllerContainerName,
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Args:            ControllerArgs(gw),
		Env: []corev1.EnvVar{
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
			{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
			{Name: "LD_PRELOAD", Value: "/usr/local/lib/libmimalloc.so"},
		},
		Ports:          containerPorts(gw),
		VolumeMounts:   webhookVolumeMounts(gw),
		LivenessProbe:  probe(5),
		ReadinessProbe: probe(3),
		Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{
			Exec: &corev1.ExecAction{Command: []string{"/wait-shutdown"}},
		}},
		Resources: resources,
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			Capabilities: &corev1.Capabilities{
				Add:  []corev1.Capability{"NET_BIND_SERVICE"},
				Drop: []corev1.Capability{"ALL"},
			},
			ReadOnlyRootFilesystem: ptr.To(false),
			RunAsNonRoot:           ptr.To(true),
			RunAsUser:              ptr.To[int64](101),
			RunAsGroup:             ptr.To[int64](82),
			SeccompProfile:         &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
}

// containerPorts returns http, https and metrics; in hostPorts mode also one
// port per tcp/udp entry, each mapped onto the node. On the host network the
// declared ports double as host ports, which lets the scheduler refuse a node
// whose ports another fleet already holds.
func containerPorts(gw *v1alpha1.IngressGateway) []corev1.ContainerPort {
	p := gw.Spec.Ports
	w := gw.Spec.Workload
	hostPort := func(port int32) int32 {
		if facts.UsesHostPorts(gw) {
			return port
		}
		return 0
	}
	ports := []corev1.ContainerPort{
		{Name: "http", ContainerPort: p.HTTP, HostPort: hostPort(p.HTTP), Protocol: corev1.ProtocolTCP},
		{Name: "https", ContainerPort: p.HTTPS, HostPort: hostPort(p.HTTPS), Protocol: corev1.ProtocolTCP},
		{Name: "metrics", ContainerPort: p.Healthz, Protocol: corev1.ProtocolTCP},
	}
	if facts.WebhookEnabled(gw) {
		ports = append(ports, corev1.ContainerPort{Name: webhookPortName, ContainerPort: facts.WebhookPort(gw), Protocol: corev1.ProtocolTCP})
	}
	if w.HostNetwork {
		// Host-network pods bind every declared port on the node anyway;
		// declaring them lets the scheduler see clashes.
		for i := 2; i < len(ports); i++ {
			ports[i].HostPort = ports[i].ContainerPort
		}
	}
	if w.HostPorts {
		for _, e := range gw.Spec.TCP {
			ports = append(ports, corev1.ContainerPort{Name: streamPortName("tcp", e.Port), ContainerPort: e.Port, HostPort: e.Port, Protocol: corev1.ProtocolTCP})
		}
		for _, e := range gw.Spec.UDP {
			ports = append(ports, corev1.ContainerPort{Name: streamPortName("udp", e.Port), ContainerPort: e.Port, HostPort: e.Port, Protocol: corev1.ProtocolUDP})
		}
	}
	return ports
}

// ControllerArgs returns the controller's command line: the flags the
// operator owns, in a fixed order, then spec.controller.extraArgs sorted by
// name so the pod template is deterministic.
func ControllerArgs(gw *v1alpha1.IngressGateway) []string {
	args := []string{
		"/nginx-ingress-controller",
		"--election-id=" + ElectionID(gw),
		"--controller-class=" + ControllerClass(gw),
		"--ingress-class=" + IngressClassName(gw),
		"--configmap=$(POD_NAMESPACE)/" + MainConfigMapName(gw).Name,
		// Always passed, even for empty maps: adding the first entry then
		// only edits a ConfigMap, which the controller hot-reloads.
		"--tcp-services-configmap=$(POD_NAMESPACE)/" + TCPConfigMapName(gw).Name,
		"--udp-services-configmap=$(POD_NAMESPACE)/" + UDPConfigMapName(gw).Name,
	}
	args = append(args, publishArgs(gw)...)
	if key, ok := facts.DefaultCertificateKey(gw); ok {
		args = append(args, "--default-ssl-certificate="+key.String())
	}
	if key, ok := facts.DefaultBackendKey(gw); ok {
		args = append(args, "--default-backend-service="+key.String())
	}
	for _, cp := range facts.ControllerPorts(gw) {
		if cp.Flag != "" {
			args = append(args, fmt.Sprintf("--%s=%d", cp.Flag, cp.Port))
		}
	}
	args = append(args, webhookArgs(gw)...)
	if lv := gw.Spec.Controller.LogLevel; lv != nil {
		args = append(args, fmt.Sprintf("--v=%d", *lv))
	}
	for _, k := range slices.Sorted(maps.Keys(gw.Spec.Controller.ExtraArgs)) {
		if v := gw.Spec.Controller.ExtraArgs[k]; v != "" {
			args = append(args, "--"+k+"="+v)
		} else {
			args = append(args, "--"+k)
		}
	}
	return args
}

// publishArgs chooses where the controller takes the address it writes into
// Ingress status: the user's addresses, the Service (ClusterIP and
// LoadBalancer), or the InternalIP of the nodes running ready pods (host
// network, host ports, NodePort), matching what status.addresses reports.
func publishArgs(gw *v1alpha1.IngressGateway) []string {
	if len(gw.Spec.StatusAddresses) > 0 {
		return []string{"--publish-status-address=" + strings.Join(gw.Spec.StatusAddresses, ",")}
	}
	if gw.Spec.VIP != nil {
		return []string{vipPublishArg(gw)}
	}
	switch EffectiveServiceType(gw) {
	case v1alpha1.ServiceTypeClusterIP, v1alpha1.ServiceTypeLoadBalancer:
		return []string{"--publish-service=$(POD_NAMESPACE)/" + ServiceName(gw).Name}
	default:
		return []string{"--report-node-internal-ip-address"}
	}
}

// PublishesNodeAddresses reports whether the gateway's address is the set of
// nodes running its ready pods (as opposed to a Service or fixed addresses).
func PublishesNodeAddresses(gw *v1alpha1.IngressGateway) bool {
	if len(gw.Spec.StatusAddresses) > 0 || gw.Spec.VIP != nil {
		return false
	}
	t := EffectiveServiceType(gw)
	return t == v1alpha1.ServiceTypeNone || t == v1alpha1.ServiceTypeNodePort
}

func resourceMust(q string) resource.Quantity { return resource.MustParse(q) }
