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

package controllers_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/controllers"
	"github.com/portico-dev/portico/internal/apply"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// ---- helpers ----------------------------------------------------------

func newNamespace(ctx context.Context) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "t-" + rand.String(8)}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	// The specs reference Services and Secrets in these namespaces; their
	// consent is what the class requires for cross-namespace references.
	Expect(testenv.GrantAll(ctx, k8sClient, ns.Name, "service-foo", "default", "certs", "kube-system")).To(Succeed())
	return ns.Name
}

func createGateway(ctx context.Context, ns, name string, mutate func(*v1alpha1.IngressGateway)) *v1alpha1.IngressGateway {
	gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if mutate != nil {
		mutate(gw)
	}
	Expect(k8sClient.Create(ctx, gw)).To(Succeed())
	return gw
}

func getGateway(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway) *v1alpha1.IngressGateway {
	out := &v1alpha1.IngressGateway{}
	g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), out)).To(Succeed())
	return out
}

// updateGateway re-reads the gateway and applies mutate, retrying on conflicts.
func updateGateway(ctx context.Context, gw *v1alpha1.IngressGateway, mutate func(*v1alpha1.IngressGateway)) {
	Eventually(func(g Gomega) {
		cur := getGateway(ctx, g, gw)
		mutate(cur)
		g.Expect(k8sClient.Update(ctx, cur)).To(Succeed())
	}).Should(Succeed())
}

func condition(gw *v1alpha1.IngressGateway, t string) *metav1.Condition {
	return meta.FindStatusCondition(gw.Status.Conditions, t)
}

// expectCondition waits until the gateway's condition has status and reason,
// at the gateway's current generation.
func expectCondition(ctx context.Context, gw *v1alpha1.IngressGateway, t string, status metav1.ConditionStatus, reason string) *v1alpha1.IngressGateway {
	var out *v1alpha1.IngressGateway
	EventuallyWithOffset(1, func(g Gomega) {
		out = getGateway(ctx, g, gw)
		c := condition(out, t)
		g.Expect(c).NotTo(BeNil(), "condition %s missing", t)
		g.Expect(c.Status).To(Equal(status), "condition %s: %s", t, c.Message)
		g.Expect(c.Reason).To(Equal(reason), "condition %s: %s", t, c.Message)
		g.Expect(c.ObservedGeneration).To(Equal(out.Generation))
	}).Should(Succeed())
	return out
}

func key(ns, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: ns, Name: name}
}

func getDaemonSet(ctx context.Context, g Gomega, gw *v1alpha1.IngressGateway) *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{}
	g.Expect(k8sClient.Get(ctx, render.WorkloadName(gw), ds)).To(Succeed())
	return ds
}

func getConfigMap(ctx context.Context, g Gomega, n types.NamespacedName) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{}
	g.Expect(k8sClient.Get(ctx, n, cm)).To(Succeed())
	return cm
}

// setDaemonSetStatus plays the DaemonSet controller, which envtest lacks.
func setDaemonSetStatus(ctx context.Context, gw *v1alpha1.IngressGateway, desired, updated, available int32) {
	Eventually(func(g Gomega) {
		ds := getDaemonSet(ctx, g, gw)
		ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, DesiredNumberScheduled: desired,
			CurrentNumberScheduled: desired, UpdatedNumberScheduled: updated, NumberAvailable: available, NumberReady: available}
		g.Expect(k8sClient.Status().Update(ctx, ds)).To(Succeed())
	}).Should(Succeed())
}

func containerArgs(spec corev1.PodSpec) []string { return spec.Containers[0].Args }

func hostNetworkGateway(gw *v1alpha1.IngressGateway) {
	gw.Spec.Workload.HostNetwork = true
	gw.Spec.IngressClass.Default = true
	gw.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: "certs", Name: "wildcard"}}
	gw.Spec.TCP = []v1alpha1.TCPService{{Port: 8888, Backend: v1alpha1.Backend{Namespace: "service-foo", Name: "tcp-service", Port: intstr.FromInt32(8888)}}}
}

// testRecords is an applier's memory, starting empty as after a restart.
type testRecords struct {
	mu sync.Mutex
	m  map[string]apply.Record
}

func (t *testRecords) Record(gw types.UID, key string) (apply.Record, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.m[string(gw)+"/"+key]
	return r, ok
}

func (t *testRecords) Remember(gw types.UID, key string, rec apply.Record) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]apply.Record{}
	}
	t.m[string(gw)+"/"+key] = rec
}

func (t *testRecords) ForgetChild(gw types.UID, key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, string(gw)+"/"+key)
}

// ---- specs --------------------------------------------------------------

var _ = Describe("IngressGateway", func() {
	var ctx context.Context
	var ns string

	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
	})

	It("creates every child of a host-network DaemonSet fleet with the right content", func() {
		gw := createGateway(ctx, ns, "pub", hostNetworkGateway)

		By("the ServiceAccount, RBAC and ConfigMaps")
		Eventually(func(g Gomega) {
			sa := &corev1.ServiceAccount{}
			g.Expect(k8sClient.Get(ctx, render.ServiceAccountName(gw), sa)).To(Succeed())
			g.Expect(sa.OwnerReferences).To(HaveLen(1))
			g.Expect(*sa.OwnerReferences[0].Controller).To(BeTrue())

			rb := &rbacv1.RoleBinding{}
			g.Expect(k8sClient.Get(ctx, render.RoleBindingName(gw), rb)).To(Succeed())
			g.Expect(rb.RoleRef.Name).To(Equal(render.DefaultNamespacedClusterRole))
			role := &rbacv1.Role{}
			g.Expect(k8sClient.Get(ctx, render.LeaderElectionRoleName(gw), role)).To(Succeed())
			g.Expect(role.Rules[0].ResourceNames).To(Equal([]string{"pub-leader"}))

			crb := &rbacv1.ClusterRoleBinding{}
			g.Expect(k8sClient.Get(ctx, key("", render.ClusterRoleBindingName(gw)), crb)).To(Succeed())
			g.Expect(crb.RoleRef.Name).To(Equal(render.DefaultClusterRole))
			g.Expect(crb.Subjects[0].Namespace).To(Equal(ns))

			tcp := getConfigMap(ctx, g, render.TCPConfigMapName(gw))
			g.Expect(tcp.Data).To(Equal(map[string]string{"8888": "service-foo/tcp-service:8888"}))
			getConfigMap(ctx, g, render.UDPConfigMapName(gw))
			getConfigMap(ctx, g, render.MainConfigMapName(gw))
		}).Should(Succeed())

		By("the DaemonSet on the host network with the operator's flags")
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			spec := ds.Spec.Template.Spec
			g.Expect(spec.HostNetwork).To(BeTrue())
			g.Expect(spec.DNSPolicy).To(Equal(corev1.DNSClusterFirstWithHostNet))
			g.Expect(ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge.IntValue()).To(Equal(0))
			g.Expect(containerArgs(spec)).To(ContainElements(
				"--election-id=pub-leader",
				"--controller-class=portico.dev/"+ns+".pub",
				"--ingress-class=pub",
				"--default-ssl-certificate=certs/wildcard",
				"--tcp-services-configmap=$(POD_NAMESPACE)/pub-tcp",
				"--udp-services-configmap=$(POD_NAMESPACE)/pub-udp",
				"--report-node-internal-ip-address",
			))
			g.Expect(spec.Containers[0].Image).To(Equal(render.DefaultControllerImage))
		}).Should(Succeed())

		By("no Service: host network defaults to type None")
		Consistently(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, render.ServiceName(gw), &corev1.Service{}))
		}, "1s").Should(BeTrue())

		By("the IngressClass, marked default, with a controller value unique to the gateway")
		ic := &networkingv1.IngressClass{}
		Eventually(func() error { return k8sClient.Get(ctx, key("", "pub"), ic) }).Should(Succeed())
		Expect(ic.Spec.Controller).To(Equal("portico.dev/" + ns + ".pub"))
		Expect(ic.Annotations).To(HaveKeyWithValue(render.DefaultClassAnnotation, "true"))

		By("honest status while no pod runs yet")
		cur := expectCondition(ctx, gw, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonWorkloadPending)
		Expect(cur.Status.IngressClassName).To(Equal("pub"))
		Expect(cur.Status.ControllerClass).To(Equal("portico.dev/" + ns + ".pub"))
		Expect(cur.Status.Image).To(Equal(render.DefaultControllerImage))
		Expect(cur.Finalizers).To(ContainElement(controllers.Finalizer))
		Expect(condition(cur, v1alpha1.ConditionDegraded).Status).To(Equal(metav1.ConditionFalse))
	})

	It("reports Ready, Progressing and Degraded from the workload's rollout", func() {
		gw := createGateway(ctx, ns, "edge", hostNetworkGateway)
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())

		By("a rollout in progress")
		setDaemonSetStatus(ctx, gw, 3, 1, 2)
		cur := expectCondition(ctx, gw, v1alpha1.ConditionProgressing, metav1.ConditionTrue, v1alpha1.ReasonRollingOut)
		Expect(condition(cur, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionFalse))
		Expect(cur.Status.Ready).To(Equal("2/3"))

		By("a complete rollout")
		setDaemonSetStatus(ctx, gw, 3, 3, 3)
		cur = expectCondition(ctx, gw, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonAvailable)
		Expect(condition(cur, v1alpha1.ConditionProgressing).Reason).To(Equal(v1alpha1.ReasonRolloutComplete))
		Expect(cur.Status.Replicas).To(Equal(v1alpha1.ReplicaStatus{Desired: 3, Ready: 3, Updated: 3, Available: 3}))
		Expect(cur.Status.ObservedGeneration).To(Equal(cur.Generation))

		By("a spec change makes the workload controller catch up first")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.Ports.HTTP = 8080 })
		expectCondition(ctx, gw, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonWorkloadPending)

		By("no node matches the selector")
		setDaemonSetStatus(ctx, gw, 0, 0, 0)
		cur = expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonNoMatchingNodes)
		Expect(condition(cur, v1alpha1.ConditionReady).Reason).To(Equal(v1alpha1.ReasonNoMatchingNodes))
	})

	It("publishes the InternalIP of nodes running ready pods as the address", func() {
		gw := createGateway(ctx, ns, "metal", hostNetworkGateway)
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())
		for i, ip := range []string{"127.0.0.12", "127.0.0.11"} {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("metal-controller-%d", i),
				Labels: render.Labels(gw)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "controller", Image: "x"}}}}
			Expect(k8sClient.Create(ctx, pod)).To(Succeed())
			pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, HostIP: ip, PodIP: ip,
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}
			Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())
		}
		Eventually(func(g Gomega) {
			g.Expect(getGateway(ctx, g, gw).Status.Addresses).To(Equal([]string{"127.0.0.11", "127.0.0.12"}))
		}).Should(Succeed())
	})

	It("follows tcp/udp edits without restarting pods, and ports, Service and kind edits", func() {
		gw := createGateway(ctx, ns, "lb", func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeLoadBalancer
		})
		var generation int64
		Eventually(func(g Gomega) {
			svc := &corev1.Service{}
			g.Expect(k8sClient.Get(ctx, render.ServiceName(gw), svc)).To(Succeed())
			g.Expect(svc.Spec.Type).To(Equal(corev1.ServiceTypeLoadBalancer))
			g.Expect(svc.Spec.Ports).To(HaveLen(2))
			ds := getDaemonSet(ctx, g, gw)
			g.Expect(containerArgs(ds.Spec.Template.Spec)).To(ContainElement("--publish-service=$(POD_NAMESPACE)/lb-controller"))
			generation = ds.Generation
		}).Should(Succeed())

		// The cache holds Services without their spec but for addresses
		// (childService): status reads them from there, a hand edit is
		// compared with the rendering after a read.
		By("the load balancer's address, set on the Service, is the gateway's")
		svc := &corev1.Service{}
		Expect(k8sClient.Get(ctx, render.ServiceName(gw), svc)).To(Succeed())
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "127.0.0.50"}}
		Expect(k8sClient.Status().Update(ctx, svc)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(getGateway(ctx, g, gw).Status.Addresses).To(Equal([]string{"127.0.0.50"}))
		}).Should(Succeed())
		By("a hand edit of the Service's selector is reverted")
		Expect(k8sClient.Get(ctx, render.ServiceName(gw), svc)).To(Succeed())
		want := maps.Clone(svc.Spec.Selector)
		Expect(want).NotTo(BeEmpty())
		for k := range svc.Spec.Selector {
			svc.Spec.Selector[k] = "elsewhere"
		}
		Expect(k8sClient.Update(ctx, svc)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx, render.ServiceName(gw), svc)).To(Succeed())
			g.Expect(svc.Spec.Selector).To(Equal(want))
		}).Should(Succeed())

		By("adding tcp and udp entries")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{
				{Port: 9000, Backend: v1alpha1.Backend{Namespace: "default", Name: "redis", Port: intstr.FromInt32(6379)}},
				{Port: 5432, Backend: v1alpha1.Backend{Name: "pg", Port: intstr.FromString("postgres")},
					ProxyProtocol: &v1alpha1.ProxyProtocol{Decode: true, Encode: true}},
			}
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Namespace: "kube-system", Name: "kube-dns", Port: intstr.FromInt32(53)}}}
		})
		Eventually(func(g Gomega) {
			g.Expect(getConfigMap(ctx, g, render.TCPConfigMapName(gw)).Data).To(Equal(map[string]string{
				"9000": "default/redis:6379", "5432": ns + "/pg:postgres:PROXY:PROXY"}))
			g.Expect(getConfigMap(ctx, g, render.UDPConfigMapName(gw)).Data).To(Equal(map[string]string{"53": "kube-system/kube-dns:53"}))
			svc := &corev1.Service{}
			g.Expect(k8sClient.Get(ctx, render.ServiceName(gw), svc)).To(Succeed())
			var names []string
			for _, p := range svc.Spec.Ports {
				names = append(names, fmt.Sprintf("%s/%d/%s", p.Name, p.Port, p.Protocol))
			}
			g.Expect(names).To(ConsistOf("http/80/TCP", "https/443/TCP", "tcp-9000/9000/TCP", "tcp-5432/5432/TCP", "udp-53/53/UDP"))
		}).Should(Succeed())
		By("the pod template did not change, so no pod restarts")
		Consistently(func(g Gomega) {
			g.Expect(getDaemonSet(ctx, g, gw).Generation).To(Equal(generation))
		}, "1s").Should(Succeed())

		By("removing an entry")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.TCP = g.Spec.TCP[:1]; g.Spec.UDP = nil })
		Eventually(func(g Gomega) {
			g.Expect(getConfigMap(ctx, g, render.TCPConfigMapName(gw)).Data).To(Equal(map[string]string{"9000": "default/redis:6379"}))
			g.Expect(getConfigMap(ctx, g, render.UDPConfigMapName(gw)).Data).To(BeEmpty())
		}).Should(Succeed())

		By("changing ports rolls the pods with the new flags")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.Ports.HTTP = 8080; g.Spec.Ports.Healthz = 11254 })
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			g.Expect(containerArgs(ds.Spec.Template.Spec)).To(ContainElements("--http-port=8080", "--healthz-port=11254"))
			g.Expect(ds.Spec.Template.Spec.Containers[0].ReadinessProbe.HTTPGet.Port.IntValue()).To(Equal(11254))
		}).Should(Succeed())

		By("NodePort with pinned node ports")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeNodePort
			g.Spec.Service.NodePorts = &v1alpha1.NodePorts{HTTP: ptr.To[int32](31234)}
		})
		Eventually(func(g Gomega) {
			svc := &corev1.Service{}
			g.Expect(k8sClient.Get(ctx, render.ServiceName(gw), svc)).To(Succeed())
			g.Expect(svc.Spec.Type).To(Equal(corev1.ServiceTypeNodePort))
			g.Expect(svc.Spec.Ports[0].NodePort).To(Equal(int32(31234)))
		}).Should(Succeed())

		By("back to ClusterIP: the allocated node ports go away")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeClusterIP
			g.Spec.Service.NodePorts = nil
		})
		Eventually(func(g Gomega) {
			svc := &corev1.Service{}
			g.Expect(k8sClient.Get(ctx, render.ServiceName(gw), svc)).To(Succeed())
			g.Expect(svc.Spec.Type).To(Equal(corev1.ServiceTypeClusterIP))
		}).Should(Succeed())

		By("switching to a Deployment removes the DaemonSet")
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.Kind = v1alpha1.WorkloadDeployment
			g.Spec.Workload.Replicas = ptr.To[int32](2)
		})
		Eventually(func(g Gomega) {
			d := &appsv1.Deployment{}
			g.Expect(k8sClient.Get(ctx, render.WorkloadName(gw), d)).To(Succeed())
			g.Expect(*d.Spec.Replicas).To(Equal(int32(2)))
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, render.WorkloadName(gw), &appsv1.DaemonSet{}))).To(BeTrue())
		}).Should(Succeed())

		By("the Deployment's rollout drives Ready")
		Eventually(func(g Gomega) {
			d := &appsv1.Deployment{}
			g.Expect(k8sClient.Get(ctx, render.WorkloadName(gw), d)).To(Succeed())
			d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2}
			g.Expect(k8sClient.Status().Update(ctx, d)).To(Succeed())
		}).Should(Succeed())
		cur := expectCondition(ctx, gw, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonAvailable)
		Expect(cur.Status.Addresses).NotTo(BeEmpty(), "a ClusterIP Service publishes its cluster IP")
	})

	It("removes the old workload first when switching kind with host ports", func() {
		gw := createGateway(ctx, ns, "hp", func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.HostPorts = true
			g.Spec.Service.Type = v1alpha1.ServiceTypeNone
		})
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.Workload.Kind = v1alpha1.WorkloadDeployment })

		By("the DaemonSet is deleted in the foreground and the Deployment waits")
		expectCondition(ctx, gw, v1alpha1.ConditionProgressing, metav1.ConditionTrue, v1alpha1.ReasonSwitchingWorkload)
		Consistently(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, render.WorkloadName(gw), &appsv1.Deployment{}))
		}, "1s").Should(BeTrue())

		By("once the garbage collector has removed its pods (played here), the Deployment starts")
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			g.Expect(ds.DeletionTimestamp).NotTo(BeNil())
			ds.Finalizers = nil
			g.Expect(k8sClient.Update(ctx, ds)).To(Succeed())
		}).Should(Succeed())
		Eventually(func() error { return k8sClient.Get(ctx, render.WorkloadName(gw), &appsv1.Deployment{}) }).Should(Succeed())
	})

	It("reports HostPortConflict for a hostPorts fleet that publishes statusAddresses (the MicroK8s overlay)", func() {
		gw := createGateway(ctx, ns, "clash", func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.HostPorts = true
			g.Spec.StatusAddresses = []string{"192.0.2.10"}
		})
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())
		By("a controller pod the scheduler cannot place: its host ports are taken on node-7")
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "clash-controller-x", Labels: render.Labels(gw)},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "controller", Image: "example.org/c:1"}},
				Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
					NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{
						{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"node-7"}}}}}}}},
			},
		}
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
			Message: "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports."}}
		Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())
		cur := expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonHostPortConflict)
		Expect(condition(cur, v1alpha1.ConditionDegraded).Message).To(ContainSubstring("on node(s) node-7"))
		Expect(cur.Status.Addresses).To(Equal([]string{"192.0.2.10"}))
	})

	It("reaches a fixed point: a second reconcile sends no write", func() {
		gw := createGateway(ctx, ns, "still", func(g *v1alpha1.IngressGateway) {
			hostNetworkGateway(g)
			// As `kubectl apply` leaves it.
			g.Annotations = map[string]string{corev1.LastAppliedConfigAnnotation: `{"kind":"IngressGateway"}`}
			g.Spec.Service.Type = v1alpha1.ServiceTypeNodePort
			g.Spec.Controller.Config = map[string]string{"use-forwarded-headers": "true"}
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Name: "dns", Port: intstr.FromInt32(53)}}}
		})
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())
		setDaemonSetStatus(ctx, gw, 1, 1, 1)
		expectCondition(ctx, gw, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonAvailable)

		req := reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)}
		// Let the cache catch up with every write of the convergence.
		Eventually(func(g Gomega) {
			_, err := reconciler.Reconcile(ctx, req)
			g.Expect(err).NotTo(HaveOccurred())
			writes.Reset()
			_, err = reconciler.Reconcile(ctx, req)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(writes.Counts()).To(BeEmpty())
		}).Should(Succeed())
		for range 3 {
			writes.Reset()
			_, err := reconciler.Reconcile(ctx, req)
			Expect(err).NotTo(HaveOccurred())
			Expect(writes.Writes()).To(BeZero(), "writes: %v", writes.Counts())
		}
		// The cache keeps no copy of kubectl's manifest; the gateway does.
		cachedGW := &v1alpha1.IngressGateway{}
		Expect(reconciler.Client.Get(ctx, req.NamespacedName, cachedGW)).To(Succeed())
		Expect(cachedGW.Annotations).NotTo(HaveKey(corev1.LastAppliedConfigAnnotation))
		liveGW := &v1alpha1.IngressGateway{}
		Expect(k8sClient.Get(ctx, req.NamespacedName, liveGW)).To(Succeed())
		Expect(liveGW.Annotations).To(HaveKey(corev1.LastAppliedConfigAnnotation))

		By("an operator restart (nothing in memory) writes nothing and says nothing; it reads each child the cache trims once")
		events := len(gatewayEvents(ctx, Default, gw, ""))
		writes.Reset()
		apiReads.Take()
		reconciler.ForgetEverything()
		_, err := reconciler.Reconcile(ctx, req)
		Expect(err).NotTo(HaveOccurred())
		Expect(writes.Writes()).To(BeZero(), "writes: %v", writes.Counts())
		// (Reads of the default certificate and the udp backend's Service
		// are the memos of referenced objects being rebuilt.)
		childReads := func() []string {
			var out []string
			for _, read := range apiReads.Take() {
				kind, key, _ := strings.Cut(read, " ")
				if _, name, _ := strings.Cut(key, "/"); slices.Contains(render.ChildNames(gw)[kind], name) {
					out = append(out, read)
				}
			}
			return out
		}
		restartReads := childReads()
		Expect(restartReads).To(ContainElements("DaemonSet "+render.WorkloadName(gw).String(), "ConfigMap "+render.MainConfigMapName(gw).String(),
			"Service "+render.ServiceName(gw).String()))
		for i, read := range restartReads {
			Expect(restartReads[:i]).NotTo(ContainElement(read), "read twice")
			// Secrets and Leases are cached whole.
			Expect(read).NotTo(Or(HavePrefix("Secret "), HavePrefix("Lease ")))
		}
		Consistently(func(g Gomega) {
			g.Expect(gatewayEvents(ctx, g, gw, "")).To(HaveLen(events))
		}, "1s").Should(Succeed())
		_, err = reconciler.Reconcile(ctx, req)
		Expect(err).NotTo(HaveOccurred())
		Expect(childReads()).To(BeEmpty(), "the next pass reads no child")
		// The DaemonSet (ingress-nginx's) is cached without its pod
		// template, the ConfigMap as metadata, both without the render
		// hash; the cache-only mark never reaches the API server.
		cached := &appsv1.DaemonSet{}
		Expect(reconciler.Client.Get(ctx, render.WorkloadName(gw), cached)).To(Succeed())
		Expect(cached.Annotations).To(HaveKeyWithValue(apply.SpecTrimmedAnnotation, "true"))
		Expect(cached.Annotations).NotTo(HaveKey(apply.RenderHashAnnotation))
		Expect(cached.Spec.Template.Spec.Containers).To(BeEmpty())
		Expect(cached.Spec.Selector).To(BeNil())
		live := getDaemonSet(ctx, Default, gw)
		Expect(live.Annotations).NotTo(HaveKey(apply.SpecTrimmedAnnotation))
		Expect(live.Annotations).To(HaveKey(apply.RenderHashAnnotation))
		cachedCM := &metav1.PartialObjectMetadata{}
		cachedCM.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
		Expect(reconciler.Client.Get(ctx, render.MainConfigMapName(gw), cachedCM)).To(Succeed())
		Expect(cachedCM.Annotations).To(BeEmpty())
		Expect(cachedCM.ManagedFields).To(BeNil())

		By("hand edits made while the operator was down are reverted and told apart from a new rendering")
		reconciler.ForgetEverything()
		var edited, editedCM string
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			ds.Spec.Template.Spec.Containers[0].Image = "example.org/tampered:1"
			g.Expect(k8sClient.Update(ctx, ds)).To(Succeed())
			edited = ds.ResourceVersion
		}).Should(Succeed())
		// An edit that only removes a key leaves no field manager behind:
		// only the content tells.
		Eventually(func(g Gomega) {
			cm := getConfigMap(ctx, g, render.MainConfigMapName(gw))
			delete(cm.Data, "use-forwarded-headers")
			g.Expect(k8sClient.Update(ctx, cm)).To(Succeed())
			editedCM = cm.ResourceVersion
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(getDaemonSet(ctx, g, gw).Spec.Template.Spec.Containers[0].Image).NotTo(Equal("example.org/tampered:1"))
			g.Expect(getConfigMap(ctx, g, render.MainConfigMapName(gw)).Data).To(HaveKeyWithValue("use-forwarded-headers", "true"))
			g.Expect(gatewayEvents(ctx, g, gw, v1alpha1.ReasonDriftReverted)).To(ContainElements(
				"Reverted a change made outside Portico to DaemonSet "+render.WorkloadName(gw).String()+" (spec.template) at resourceVersion "+edited,
				"Reverted a change made outside Portico to ConfigMap "+render.MainConfigMapName(gw).String()+" (data) at resourceVersion "+editedCM))
		}).Should(Succeed())
	})

	It("restarts from a fresh cache (its informers list, and transform each object twice): each trimmed child read once, nothing written", func() {
		gw := createGateway(ctx, ns, "listed", func(g *v1alpha1.IngressGateway) { g.Spec.AdmissionWebhook.Enabled = ptr.To(false) })
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), gw)).To(Succeed())
		res, err := render.Render(gw, render.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())

		opts := controllers.CacheOptions()
		opts.Scheme = reconciler.Applier.Scheme
		fresh, err := cache.New(env.Config, opts)
		Expect(err).NotTo(HaveOccurred())
		cctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() { _ = fresh.Start(cctx) }()
		Expect(fresh.WaitForCacheSync(cctx)).To(BeTrue())
		reads := &readLog{Reader: k8sClient}
		cached, err := client.New(env.Config, client.Options{Scheme: opts.Scheme, Cache: &client.CacheOptions{Reader: fresh}})
		Expect(err).NotTo(HaveOccurred())
		a := &apply.Applier{Client: cached, Reader: reads, Scheme: opts.Scheme, Records: &testRecords{}}
		var trimmedKinds int
		for _, o := range res.Objects {
			// A Get starts the kind's informer and waits for its list.
			p, err := a.Check(ctx, gw, o, apply.Digest{}, false)
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Write).To(BeFalse(), "%T %s", o, o.GetName())
			// Trimmed: the kinds cached as metadata, workloads, Services.
			if k, _ := render.KindOf(o.GetObjectKind().GroupVersionKind()); k.MetadataOnly || k.Workload || k.GVK.Kind == "Service" {
				trimmedKinds++
			}
		}
		Expect(trimmedKinds).To(BeNumerically(">", 5))
		Expect(reads.Take()).To(HaveLen(trimmedKinds))
		By("remembered: the next pass reads nothing")
		for _, o := range res.Objects {
			p, err := a.Check(ctx, gw, o, apply.Digest{}, false)
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Write).To(BeFalse())
		}
		Expect(reads.Take()).To(BeEmpty())
	})

	It("reverts drift on the children it owns", func() {
		gw := createGateway(ctx, ns, "drift", hostNetworkGateway)
		Eventually(func(g Gomega) { getDaemonSet(ctx, g, gw) }).Should(Succeed())

		By("an edited and an added tcp-services key")
		Eventually(func(g Gomega) {
			cm := getConfigMap(ctx, g, render.TCPConfigMapName(gw))
			cm.Data["8888"] = "evil/service:1"
			cm.Data["7777"] = "evil/service:2"
			g.Expect(k8sClient.Update(ctx, cm)).To(Succeed())
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(getConfigMap(ctx, g, render.TCPConfigMapName(gw)).Data).To(Equal(map[string]string{"8888": "service-foo/tcp-service:8888"}))
		}).Should(Succeed())

		By("edited DaemonSet flags")
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			ds.Spec.Template.Spec.Containers[0].Args = []string{"/nginx-ingress-controller"}
			ds.Spec.Template.Spec.HostNetwork = false
			ds.Spec.Template.Spec.DNSPolicy = corev1.DNSClusterFirst
			g.Expect(k8sClient.Update(ctx, ds)).To(Succeed())
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			g.Expect(ds.Spec.Template.Spec.HostNetwork).To(BeTrue())
			g.Expect(containerArgs(ds.Spec.Template.Spec)).To(ContainElement("--ingress-class=drift"))
		}).Should(Succeed())

		By("a deleted ConfigMap, Role and IngressClass")
		Expect(k8sClient.Delete(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: render.MainConfigMapName(gw).Name}})).To(Succeed())
		Expect(k8sClient.Delete(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: render.LeaderElectionRoleName(gw).Name}})).To(Succeed())
		Expect(k8sClient.Delete(ctx, &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "drift"}})).To(Succeed())
		Eventually(func(g Gomega) {
			getConfigMap(ctx, g, render.MainConfigMapName(gw))
			g.Expect(k8sClient.Get(ctx, render.LeaderElectionRoleName(gw), &rbacv1.Role{})).To(Succeed())
			g.Expect(k8sClient.Get(ctx, key("", "drift"), &networkingv1.IngressClass{})).To(Succeed())
		}).Should(Succeed())
	})

	It("never takes over an object it did not create", func() {
		foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "taken-tcp"},
			Data: map[string]string{"1234": "mine/svc:1"}}
		Expect(k8sClient.Create(ctx, foreign)).To(Succeed())
		userSecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "tls"}, Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"tls.crt": []byte("x"), "tls.key": []byte("y")}}
		Expect(k8sClient.Create(ctx, userSecret)).To(Succeed())

		gw := createGateway(ctx, ns, "taken", func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "tls"}}
		})
		cur := expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonNameConflict)
		Expect(condition(cur, v1alpha1.ConditionDegraded).Message).To(ContainSubstring("ConfigMap " + ns + "/taken-tcp already exists"))
		Expect(condition(cur, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionFalse))

		By("the foreign ConfigMap and the user's Secret are untouched")
		Consistently(func(g Gomega) {
			cm := getConfigMap(ctx, g, key(ns, "taken-tcp"))
			g.Expect(cm.ResourceVersion).To(Equal(foreign.ResourceVersion))
			s := &corev1.Secret{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(userSecret), s)).To(Succeed())
			g.Expect(s.ResourceVersion).To(Equal(userSecret.ResourceVersion))
		}).Should(Succeed())

		By("a Warning event tells the user")
		Eventually(func(g Gomega) {
			evs := &corev1.EventList{}
			g.Expect(k8sClient.List(ctx, evs, client.InNamespace(ns))).To(Succeed())
			g.Expect(slices.ContainsFunc(evs.Items, func(e corev1.Event) bool {
				return e.Reason == v1alpha1.ReasonNameConflict && e.Type == corev1.EventTypeWarning && e.InvolvedObject.Name == "taken"
			})).To(BeTrue())
		}).Should(Succeed())

		By("the conflict clears once the user removes the object")
		Expect(k8sClient.Delete(ctx, foreign)).To(Succeed())
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.Controller.LogLevel = ptr.To[int32](2) })
		// What is left is the user's Opaque Secret, which cannot serve as
		// a default certificate: reported, and still never modified.
		expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonDefaultCertificateNotReady)
		expectCondition(ctx, gw, v1alpha1.ConditionDefaultCertificateReady, metav1.ConditionFalse, "WrongType")
	})

	It("refuses an IngressClass name held by a class Portico does not manage", func() {
		ic := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx-" + ns}, Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}}
		Expect(k8sClient.Create(ctx, ic)).To(Succeed())
		gw := createGateway(ctx, ns, "classy", func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Name = "nginx-" + ns })
		expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonNameConflict)
		Consistently(func(g Gomega) {
			cur := &networkingv1.IngressClass{}
			g.Expect(k8sClient.Get(ctx, key("", ic.Name), cur)).To(Succeed())
			g.Expect(cur.Spec.Controller).To(Equal("k8s.io/ingress-nginx"))
			g.Expect(cur.Labels).To(BeEmpty())
		}, "1s").Should(Succeed())
	})

	It("removes the cluster-scoped children on delete and lets the namespaced ones go with it", func() {
		gw := createGateway(ctx, ns, "gone", hostNetworkGateway)
		Eventually(func() error {
			return k8sClient.Get(ctx, key("", render.ClusterRoleBindingName(gw)), &rbacv1.ClusterRoleBinding{})
		}).Should(Succeed())
		Eventually(func() error { return k8sClient.Get(ctx, key("", "gone"), &networkingv1.IngressClass{}) }).Should(Succeed())

		cur := &v1alpha1.IngressGateway{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
		Expect(k8sClient.Delete(ctx, cur)).To(Succeed())

		Eventually(func(g Gomega) {
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), &v1alpha1.IngressGateway{}))).To(BeTrue())
			crbs := &rbacv1.ClusterRoleBindingList{}
			g.Expect(k8sClient.List(ctx, crbs, client.MatchingLabels(render.OwnerLabels(ns, "gone")))).To(Succeed())
			g.Expect(crbs.Items).To(BeEmpty())
			ics := &networkingv1.IngressClassList{}
			g.Expect(k8sClient.List(ctx, ics, client.MatchingLabels(render.OwnerLabels(ns, "gone")))).To(Succeed())
			g.Expect(ics.Items).To(BeEmpty())
		}).Should(Succeed())

		By("every namespaced child is owned by the gateway, for the garbage collector")
		cms := &corev1.ConfigMapList{}
		Expect(k8sClient.List(ctx, cms, client.InNamespace(ns), client.MatchingLabels(render.OwnerLabels(ns, "gone")))).To(Succeed())
		Expect(cms.Items).To(HaveLen(3))
		for _, cm := range cms.Items {
			Expect(metav1.GetControllerOf(&cm).UID).To(Equal(cur.UID))
		}
	})

	It("prunes the Service when the type becomes None", func() {
		gw := createGateway(ctx, ns, "np", func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.HostNetwork = true
			g.Spec.Service.Type = v1alpha1.ServiceTypeNodePort
		})
		Eventually(func() error { return k8sClient.Get(ctx, render.ServiceName(gw), &corev1.Service{}) }).Should(Succeed())
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.Service.Type = v1alpha1.ServiceTypeNone })
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, render.ServiceName(gw), &corev1.Service{}))
		}).Should(BeTrue())
	})
})

// ---- schema validation ------------------------------------------------------

var _ = Describe("IngressGateway validation", func() {
	ctx := context.Background()
	var ns string
	BeforeEach(func() { ns = newNamespace(ctx) })

	DescribeTable("rejects a bad spec with the field path and what to do",
		func(mutate func(*v1alpha1.IngressGateway), wantErrors ...string) {
			gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad"}}
			mutate(gw)
			err := k8sClient.Create(ctx, gw)
			Expect(err).To(HaveOccurred())
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), err.Error())
			for _, want := range wantErrors {
				Expect(err.Error()).To(ContainSubstring(want))
			}

			By("offline validation (portico render) gives the very same message")
			gw.APIVersion, gw.Kind = v1alpha1.GroupVersion.String(), "IngressGateway"
			doc, merr := yaml.Marshal(gw)
			Expect(merr).NotTo(HaveOccurred())
			_, localErr := crdschema.Decode(doc)
			Expect(localErr).To(HaveOccurred())
			Expect(localErr.Error()).To(Equal(err.Error()), "server: %s\nlocal:  %s", err, localErr)
		},
		Entry("replicas on a DaemonSet", func(g *v1alpha1.IngressGateway) { g.Spec.Workload.Replicas = ptr.To[int32](2) },
			"spec.workload", "replicas applies to kind Deployment only"),
		Entry("hostNetwork and hostPorts together", func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.HostNetwork, g.Spec.Workload.HostPorts = true, true
		}, "spec.workload", "hostPorts is implied by hostNetwork"),
		Entry("a port out of range", func(g *v1alpha1.IngressGateway) { g.Spec.Ports.HTTPS = 70000 },
			"spec.ports.https", "65535"),
		Entry("two ports the same", func(g *v1alpha1.IngressGateway) { g.Spec.Ports.HTTP = 443 },
			"spec.ports", "ports must all be distinct"),
		Entry("a tcp entry on the https port", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 443, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.tcp: Invalid value: spec.tcp[0].port: 443/TCP is also spec.ports.https", "pick another port for the entry"),
		Entry("a udp entry on the healthz port", func(g *v1alpha1.IngressGateway) {
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 10254, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.udp: Invalid value: spec.udp[0].port: 10254/UDP is also spec.ports.healthz"),
		Entry("duplicate tcp ports", func(g *v1alpha1.IngressGateway) {
			b := v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: b}, {Port: 9000, Backend: b}}
		}, "spec.tcp[1]", "Duplicate value"),
		Entry("a backend port that is neither number nor name", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromString("Not_A_Name")}}}
		}, "spec.tcp[0].backend.port", "Service port number (1-65535) or a Service port name"),
		Entry("a backend name that is not a DNS label", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "Redis.Svc", Port: intstr.FromInt32(1)}}}
		}, "spec.tcp[0].backend.name"),
		Entry("an owned flag in extraArgs", func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.ExtraArgs = map[string]string{"default-ssl-certificate": "a/b"}
		}, "spec.controller", "extraArgs may not set a flag the operator owns"),
		Entry("an extraArgs key with dashes", func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.ExtraArgs = map[string]string{"--enable-metrics": "true"}
		}, "spec.controller.extraArgs", "without the leading '--'"),
		Entry("nodePorts without a NodePort Service", func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeClusterIP
			g.Spec.Service.NodePorts = &v1alpha1.NodePorts{HTTP: ptr.To[int32](30080)}
		}, "spec.service.nodePorts: Invalid value: spec.service.nodePorts needs a Service with node ports, but the Service type is ClusterIP"),
		Entry("a node port outside the range", func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeNodePort
			g.Spec.Service.NodePorts = &v1alpha1.NodePorts{HTTP: ptr.To[int32](80)}
		}, "spec.service.nodePorts.http", "30000"),
		Entry("Service None without host ports", func(g *v1alpha1.IngressGateway) { g.Spec.Service.Type = v1alpha1.ServiceTypeNone },
			"spec", "service.type None leaves the fleet unreachable"),
		Entry("an unknown workload kind", func(g *v1alpha1.IngressGateway) { g.Spec.Workload.Kind = "StatefulSet" },
			"spec.workload.kind", "Unsupported value"),
		Entry("a name too long for its children", func(g *v1alpha1.IngressGateway) { g.Name = strings.Repeat("a", 64) },
			"metadata: Invalid value: metadata.name must be at most 63 characters, not 64"),
		// Admission webhook.
		Entry("the webhook port on the https port", func(g *v1alpha1.IngressGateway) { g.Spec.AdmissionWebhook.Port = 443 },
			"spec.admissionWebhook.port: Invalid value: spec.admissionWebhook.port: 443/TCP is also spec.ports.https"),
		Entry("the webhook port on the healthz port", func(g *v1alpha1.IngressGateway) { g.Spec.AdmissionWebhook.Port = 10254 },
			"spec.admissionWebhook.port", "pick another port"),
		Entry("a tcp entry on the webhook port", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 8443, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.tcp: Invalid value: spec.tcp[0].port: 8443/TCP is also spec.admissionWebhook.port"),
		Entry("an unknown failure policy", func(g *v1alpha1.IngressGateway) { g.Spec.AdmissionWebhook.FailurePolicy = "Sometimes" },
			"spec.admissionWebhook.failurePolicy", "Unsupported value"),
		Entry("a webhook timeout over 30s", func(g *v1alpha1.IngressGateway) { g.Spec.AdmissionWebhook.TimeoutSeconds = ptr.To[int32](31) },
			"spec.admissionWebhook.timeoutSeconds", "30"),
		Entry("a webhook port out of range", func(g *v1alpha1.IngressGateway) { g.Spec.AdmissionWebhook.Port = 70000 },
			"spec.admissionWebhook.port", "65535"),
		Entry("the webhook flag in extraArgs", func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.ExtraArgs = map[string]string{"validating-webhook": ":9443"}
		}, "spec.controller", "extraArgs may not set a flag the operator owns"),
		// Snippets stay off unless opted in.
		Entry("allow-snippet-annotations in the ConfigMap", func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.Config = map[string]string{"allow-snippet-annotations": "true"}
		}, "spec.controller.config", "use spec.controller.allowSnippetAnnotations to opt in"),
		Entry("annotations-risk-level Critical without the opt-in", func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.Config = map[string]string{"annotations-risk-level": "Critical"}
		}, "spec.controller.config", "set spec.controller.allowSnippetAnnotations to opt in explicitly"),
		// Ports and node ports.
		Entry("a tcp nodePort without a NodePort Service", func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeClusterIP
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, NodePort: ptr.To[int32](30900), Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.service.type: Invalid value: spec.tcp[0].nodePort needs a Service with node ports, but the Service type is ClusterIP"),
		Entry("a udp nodePort on a host-network fleet without a Service", func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.HostNetwork = true
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 5353, NodePort: ptr.To[int32](30053), Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.service.type: Invalid value: spec.udp[0].nodePort needs a Service with node ports, but the Service type is None (the default with workload.hostNetwork)"),
		Entry("a tcp nodePort outside the range", func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeNodePort
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, NodePort: ptr.To[int32](8080), Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.tcp[0].nodePort", "30000"),
		Entry("a tcp port of 0", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 0, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.tcp[0].port", "1"),
		Entry("a udp port over 65535", func(g *v1alpha1.IngressGateway) {
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 65536, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.udp[0].port", "65535"),
		Entry("duplicate udp ports", func(g *v1alpha1.IngressGateway) {
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}, {Port: 53, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.udp[1]", "Duplicate value"),
		Entry("the http port of 0", func(g *v1alpha1.IngressGateway) { g.Spec.Ports.Healthz = -1 },
			"spec.ports.healthz", "1"),
		// Backends.
		Entry("a backend namespace that is not a DNS label", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: "Bad_NS", Name: "x", Port: intstr.FromInt32(1)}}}
		}, "spec.tcp[0].backend.namespace"),
		Entry("a backend port of 0", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(0)}}}
		}, "spec.tcp[0].backend.port", "Service port number (1-65535) or a Service port name"),
		Entry("a backend port over 65535", func(g *v1alpha1.IngressGateway) {
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(65536)}}}
		}, "spec.udp[0].backend.port", "Service port number (1-65535)"),
		Entry("a udp backend name with a dot", func(g *v1alpha1.IngressGateway) {
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Name: "dns.kube", Port: intstr.FromInt32(53)}}}
		}, "spec.udp[0].backend.name"),
		Entry("a default backend name that is not a DNS label", func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultBackend = &v1alpha1.ServiceReference{Name: "Default_Backend"}
		}, "spec.defaultBackend.name"),
		// References and names.
		Entry("a default certificate Secret name with capitals", func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Name: "Wildcard"}}
		}, "spec.defaultCertificate.secretRef.name"),
		Entry("a default certificate namespace that is not a DNS label", func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: "certs.example", Name: "w"}}
		}, "spec.defaultCertificate.secretRef.namespace"),
		Entry("an IngressClass name with capitals", func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Name = "Public" },
			"spec.ingressClass.name"),
		Entry("a status address with a space", func(g *v1alpha1.IngressGateway) { g.Spec.StatusAddresses = []string{"10.0.0.1 10.0.0.2"} },
			"spec.statusAddresses[0]"),
		// Workload, Service and controller.
		Entry("negative replicas", func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.Kind, g.Spec.Workload.Replicas = v1alpha1.WorkloadDeployment, ptr.To[int32](-1)
		}, "spec.workload.replicas", "0"),
		Entry("a negative termination grace period", func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.TerminationGracePeriodSeconds = ptr.To[int64](-1)
		}, "spec.workload.terminationGracePeriodSeconds"),
		Entry("a load balancer class on a NodePort Service", func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeNodePort
			g.Spec.Service.LoadBalancerClass = ptr.To("metallb")
		}, "spec.service", "loadBalancerClass and loadBalancerSourceRanges require service.type LoadBalancer"),
		Entry("an unknown external traffic policy", func(g *v1alpha1.IngressGateway) { g.Spec.Service.ExternalTrafficPolicy = "Nearest" },
			"spec.service.externalTrafficPolicy", "Unsupported value"),
		Entry("an unknown Service type", func(g *v1alpha1.IngressGateway) { g.Spec.Service.Type = "ExternalName" },
			"spec.service.type", "Unsupported value"),
		Entry("a log level over 10", func(g *v1alpha1.IngressGateway) { g.Spec.Controller.LogLevel = ptr.To[int32](11) },
			"spec.controller.logLevel", "10"),
		Entry("an image name over 512 characters", func(g *v1alpha1.IngressGateway) { g.Spec.Controller.Image = strings.Repeat("r", 513) },
			"spec.controller.image", "512"),
		Entry("an empty value for a flag that takes one", func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.ExtraArgs = map[string]string{"sync-rate-limit": ""}
		}, "spec.controller.extraArgs", "only boolean flags accept"),
	)

	It("rejects PROXY protocol on a udp entry (strict field validation, as kubectl applies)", func() {
		gw := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": v1alpha1.GroupVersion.String(), "kind": "IngressGateway",
			"metadata": map[string]any{"namespace": ns, "name": "udp-proxy"},
			"spec": map[string]any{"udp": []any{map[string]any{"port": int64(53),
				"backend": map[string]any{"name": "dns", "port": int64(53)}, "proxyProtocol": map[string]any{"decode": true}}}},
		}}
		err := k8sClient.Create(ctx, gw, client.FieldValidation("Strict"))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring(`unknown field "spec.udp[0].proxyProtocol"`))
	})

	It("keeps ingressClass.name immutable, but lets the implied name be spelled out", func() {
		// A unique name: the class (and its webhook) is cluster-wide.
		name := "imm-" + rand.String(6)
		gw := createGateway(ctx, ns, name, nil)
		// Spelling out the default class name changes nothing.
		updateGateway(ctx, gw, func(g *v1alpha1.IngressGateway) { g.Spec.IngressClass.Name = name })
		var err error
		Eventually(func() bool {
			cur := &v1alpha1.IngressGateway{}
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
			cur.Spec.IngressClass.Name = name + "-2"
			err = k8sClient.Update(ctx, cur)
			return apierrors.IsConflict(err)
		}).Should(BeFalse())
		Expect(err).To(HaveOccurred())
		Expect(apierrors.IsInvalid(err)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring("spec.ingressClass.name"))
		Expect(err.Error()).To(ContainSubstring("ingressClass.name is immutable"))
		Expect(err.Error()).To(ContainSubstring("create a new IngressGateway"))
	})

	DescribeTable("accepts valid edge cases",
		func(mutate func(*v1alpha1.IngressGateway)) {
			gw := &v1alpha1.IngressGateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "edge-" + rand.String(5)}}
			mutate(gw)
			Expect(k8sClient.Create(ctx, gw)).To(Succeed())
		},
		Entry("a tcp entry on 8443 with the webhook disabled", func(g *v1alpha1.IngressGateway) {
			g.Spec.AdmissionWebhook.Enabled = ptr.To(false)
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 8443, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}),
		Entry("a tcp entry on 8443 with the webhook moved", func(g *v1alpha1.IngressGateway) {
			g.Spec.AdmissionWebhook.Port = 9443
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 8443, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}),
		Entry("a udp entry on a custom webhook port: the webhook binds TCP only", func(g *v1alpha1.IngressGateway) {
			g.Spec.AdmissionWebhook.Port = 9443
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 9443, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}),
		// Node ports no other spec or sample of this suite allocates: the
		// gateway's Service stays, and a clash would fail another spec.
		Entry("nodePorts with the Service type left at its default, LoadBalancer", func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.NodePorts = &v1alpha1.NodePorts{HTTP: ptr.To[int32](31080)}
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, NodePort: ptr.To[int32](31900), Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}),
		Entry("the same port number for tcp and udp", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 53, Backend: v1alpha1.Backend{Name: "dns", Port: intstr.FromString("dns-tcp")}}}
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 53, Backend: v1alpha1.Backend{Name: "dns", Port: intstr.FromString("dns")}}}
		}),
		Entry("ports at both ends of the range", func(g *v1alpha1.IngressGateway) {
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 1, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(65535)}},
				{Port: 65535, Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}),
		Entry("snippets with the explicit opt-in and risk level Critical", func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.AllowSnippetAnnotations = true
			g.Spec.Controller.Config = map[string]string{"annotations-risk-level": "Critical"}
		}),
		Entry("a lower annotations risk level without the opt-in", func(g *v1alpha1.IngressGateway) {
			g.Spec.Controller.Config = map[string]string{"annotations-risk-level": "High"}
		}),
		Entry("node ports on tcp and udp entries of a LoadBalancer Service", func(g *v1alpha1.IngressGateway) {
			g.Spec.Service.Type = v1alpha1.ServiceTypeLoadBalancer
			g.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, NodePort: ptr.To[int32](30900), Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
			g.Spec.UDP = []v1alpha1.UDPService{{Port: 9000, NodePort: ptr.To[int32](32767), Backend: v1alpha1.Backend{Name: "x", Port: intstr.FromInt32(1)}}}
		}),
		Entry("a Deployment scaled to zero", func(g *v1alpha1.IngressGateway) {
			g.Spec.Workload.Kind, g.Spec.Workload.Replicas = v1alpha1.WorkloadDeployment, ptr.To[int32](0)
		}),
		Entry("a default certificate in another namespace", func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultCertificate = &v1alpha1.DefaultCertificate{SecretRef: v1alpha1.SecretReference{Namespace: "certs", Name: "wild.card"}}
		}),
	)

	It("accepts and defaults an empty spec", func() {
		gw := createGateway(ctx, ns, "empty", nil)
		cur := &v1alpha1.IngressGateway{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
		Expect(cur.Spec.Workload.Kind).To(Equal(v1alpha1.WorkloadDaemonSet))
		Expect(cur.Spec.Ports).To(Equal(v1alpha1.PortsSpec{HTTP: 80, HTTPS: 443, Healthz: 10254, DefaultServer: 8181,
			Status: 10246, Stream: 10247, Profiler: 10245, SSLPassthroughProxy: 442}))
		Expect(*cur.Spec.Workload.TerminationGracePeriodSeconds).To(Equal(int64(300)))
	})
})

var _ = Describe("IngressGateway default backend", func() {
	ctx := context.Background()

	It("does not roll pods onto a missing default backend Service and recovers when it appears", func() {
		ns := newNamespace(ctx)
		gw := createGateway(ctx, ns, "dbe", func(g *v1alpha1.IngressGateway) {
			g.Spec.DefaultBackend = &v1alpha1.ServiceReference{Name: "default-http-backend"}
		})
		cur := expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionTrue, v1alpha1.ReasonDefaultBackendMissing)
		Expect(condition(cur, v1alpha1.ConditionDegraded).Message).To(ContainSubstring("Service " + ns + "/default-http-backend does not exist"))
		Expect(condition(cur, v1alpha1.ConditionReady).Reason).To(Equal(v1alpha1.ReasonDefaultBackendMissing))
		By("everything but the workload is in place")
		Expect(k8sClient.Get(ctx, render.TCPConfigMapName(gw), &corev1.ConfigMap{})).To(Succeed())
		Consistently(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, render.WorkloadName(gw), &appsv1.DaemonSet{}))
		}, "1s").Should(BeTrue())

		By("the user creates the Service: the operator notices on its own, at once (the Service is watched by name)")
		backend := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "default-http-backend"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
		Expect(k8sClient.Create(ctx, backend)).To(Succeed())
		Eventually(func(g Gomega) {
			ds := getDaemonSet(ctx, g, gw)
			g.Expect(containerArgs(ds.Spec.Template.Spec)).To(ContainElement("--default-backend-service=" + ns + "/default-http-backend"))
		}, "5s").Should(Succeed())
		expectCondition(ctx, gw, v1alpha1.ConditionDegraded, metav1.ConditionFalse, v1alpha1.ReasonAsExpected)
		By("the user's Service is not modified")
		cur2 := &corev1.Service{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(backend), cur2)).To(Succeed())
		Expect(cur2.ResourceVersion).To(Equal(backend.ResourceVersion))
	})
})
