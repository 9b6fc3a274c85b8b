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
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// renderedPod returns the pod the operator renders for a plain gateway:
// what the fleet's pods are allowed, whatever the old ones were.
func renderedPod() corev1.PodSpec {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: "import", Name: "import"}}
	gw.Spec.Workload.Kind = v1alpha1.WorkloadDaemonSet
	res, err := render.Render(gw, render.DefaultConfig())
	if err != nil {
		panic(fmt.Sprintf("render a plain gateway: %v", err)) // a bug, not an input problem
	}
	for _, o := range res.Objects {
		if ds, ok := o.(*appsv1.DaemonSet); ok {
			return ds.Spec.Template.Spec
		}
	}
	panic("render a plain gateway: no DaemonSet")
}

// privileges reports every privilege of the old pods the fleet's pods lack:
// the operator renders upstream's unprivileged controller, whatever the
// old install allowed.
func (r *importRun) privileges() {
	want := renderedPod()
	wc := want.Containers[0]
	wsc := ptr.Deref(wc.SecurityContext, corev1.SecurityContext{})
	var wantCaps []corev1.Capability
	if wsc.Capabilities != nil {
		wantCaps = wsc.Capabilities.Add
	}
	fleet := fmt.Sprintf("the gateway's controller runs unprivileged, as user %d, with no capability but %s",
		ptr.Deref(wsc.RunAsUser, 0), joinCaps(wantCaps))
	old := r.w.template.Spec
	if old.HostPID && !want.HostPID {
		r.dropped("hostPID: true", "the gateway's pods do not see the node's processes; ingress-nginx does not need to. If a tool relied on it, run it apart from the fleet")
	}
	if old.HostIPC && !want.HostIPC {
		r.dropped("hostIPC: true", "the gateway's pods do not share the node's IPC namespace; ingress-nginx does not need to. If a tool relied on it, run it apart from the fleet")
	}
	podUser := ptr.Deref(old.SecurityContext, corev1.PodSecurityContext{}).RunAsUser
	var containers []string
	var all []corev1.Container
	for _, c := range old.InitContainers {
		containers, all = append(containers, "init container "+c.Name), append(all, c)
	}
	for _, c := range old.Containers {
		containers, all = append(containers, "container "+c.Name), append(all, c)
	}
	for i, c := range all {
		where := " (" + containers[i] + ")"
		sc := ptr.Deref(c.SecurityContext, corev1.SecurityContext{})
		if ptr.Deref(sc.Privileged, false) && !ptr.Deref(wsc.Privileged, false) {
			r.dropped("privileged: true"+where, fleet+"; ingress-nginx v1.0.0 and newer needs no more. "+
				"If the old pods used it for something else (sysctls, host files), do that on the nodes instead")
		}
		if sc.Capabilities != nil {
			var extra []corev1.Capability
			for _, cp := range sc.Capabilities.Add {
				if !slices.Contains(wantCaps, cp) {
					extra = append(extra, cp)
				}
			}
			if len(extra) > 0 {
				r.dropped("capabilities "+joinCaps(extra)+where, fleet+"; ingress-nginx needs no others (only its controller-chroot image adds SYS_CHROOT, and the fleet runs the standard image)")
			}
		}
		if ptr.Deref(sc.AllowPrivilegeEscalation, false) && !ptr.Deref(wsc.AllowPrivilegeEscalation, true) {
			r.dropped("allowPrivilegeEscalation: true"+where, fleet+", and without privilege escalation (only the controller-chroot image needs it; the fleet runs the standard image)")
		}
		user := sc.RunAsUser
		if user == nil {
			user = podUser
		}
		if user != nil && *user == 0 && ptr.Deref(wsc.RunAsUser, 0) != 0 {
			r.dropped("runAsUser: 0"+where, fleet+" (root is not needed to bind ports below 1024 with NET_BIND_SERVICE)")
		}
		if p := sc.SeccompProfile; p != nil && p.Type == corev1.SeccompProfileTypeUnconfined && wsc.SeccompProfile != nil {
			r.dropped("seccompProfile Unconfined"+where, fmt.Sprintf("the gateway's controller runs with the %s seccomp profile", wsc.SeccompProfile.Type))
		}
	}
}

func joinCaps(caps []corev1.Capability) string {
	s := make([]string, len(caps))
	for i, c := range caps {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}
