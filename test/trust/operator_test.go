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

package trust_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/testenv"
)

// theOperatorIsConfined is run inside the ordered suite, once gateway ok is
// reconciled and while the operator runs.
func theOperatorIsConfined(ctx context.Context) {
	abuseFixtures(ctx)
	gw := &v1alpha1.IngressGateway{}
	Expect(admin.Get(ctx, client.ObjectKey{Namespace: teamNS, Name: "ok"}, gw)).To(Succeed())
	op := operatorClient()
	cases := abuses(gw)
	Expect(len(cases)).To(BeNumerically(">=", 20))
	var report strings.Builder
	for _, a := range cases {
		var by string
		Eventually(func(g Gomega) {
			err := a.do(ctx, op)
			by = refusedBy(err)
			g.Expect(by).NotTo(BeEmpty(), "%s: %v", a.name, err)
		}).Should(Succeed())
		fmt.Fprintf(&report, "%-85s | refused by %s\n", a.name, by)
	}
	GinkgoWriter.Print("\n" + report.String())
	AddReportEntry("operator abuses", report.String())
}

// theOperatorStillWorks applies every sample (host network, host ports, a
// VIP, tcp entries, the data-plane webhook, default certificates) and
// deletes one: every write the operator needs passes its containment.
func theOperatorStillWorks(ctx context.Context) {
	objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), "config", "samples"))
	Expect(err).NotTo(HaveOccurred())
	vip, err := kustomize.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "vip-failover.yaml"))
	Expect(err).NotTo(HaveOccurred())
	objs = append(objs, vip...)
	// The host-network samples public and edge-vip bind the same node
	// ports, which the operator's webhook refuses (so the kustomization
	// leaves vip-failover.yaml out): edge-vip goes first and is deleted
	// (the deletion path), then public comes.
	var first, later []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "IngressGateway" && o.GetName() == "public" {
			later = append(later, o)
		} else {
			first = append(first, o)
		}
	}
	expectFleets(ctx, first)
	By("deleting a sample: the finalizer removes its cluster-scoped children")
	gw := &v1alpha1.IngressGateway{}
	Expect(admin.Get(ctx, client.ObjectKey{Namespace: "ingress", Name: "edge-vip"}, gw)).To(Succeed())
	Expect(admin.Delete(ctx, gw)).To(Succeed())
	Eventually(func() bool { return apierrors.IsNotFound(admin.Get(ctx, client.ObjectKeyFromObject(gw), gw)) }).Should(BeTrue())
	Expect(apierrors.IsNotFound(admin.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, &rbacv1.ClusterRoleBinding{}))).To(BeTrue())
	Expect(apierrors.IsNotFound(admin.Get(ctx, client.ObjectKey{Name: render.IngressClassName(gw)}, &networkingv1.IngressClass{}))).To(BeTrue())
	expectFleets(ctx, later)
}

// expectFleets applies sample objects as an admin and waits until the
// operator built each gateway's fleet, never refused by its containment.
func expectFleets(ctx context.Context, objs []*unstructured.Unstructured) {
	GinkgoHelper()
	Expect(testenv.ApplySamples(ctx, admin, "ingress", objs)).To(Succeed())
	gateways, _ := testenv.SplitGateways(objs)
	for _, o := range gateways {
		gw := &v1alpha1.IngressGateway{}
		Expect(admin.Get(ctx, client.ObjectKey{Namespace: "ingress", Name: o.GetName()}, gw)).To(Succeed())
		Eventually(func(g Gomega) {
			var w client.Object = &appsv1.DaemonSet{}
			if gw.Spec.Workload.Kind == v1alpha1.WorkloadDeployment {
				w = &appsv1.Deployment{}
			}
			g.Expect(admin.Get(ctx, render.WorkloadName(gw), w)).To(Succeed())
			g.Expect(admin.Get(ctx, client.ObjectKey{Name: render.ClusterRoleBindingName(gw)}, &rbacv1.ClusterRoleBinding{})).To(Succeed())
			g.Expect(admin.Get(ctx, client.ObjectKey{Name: render.IngressClassName(gw)}, &networkingv1.IngressClass{})).To(Succeed())
			if gw.Spec.AdmissionWebhook.IsEnabled() {
				g.Expect(admin.Get(ctx, render.WebhookCertSecretName(gw), &corev1.Secret{})).To(Succeed())
				g.Expect(admin.Get(ctx, client.ObjectKey{Name: render.ValidatingWebhookConfigurationName(gw)}, &admissionregistrationv1.ValidatingWebhookConfiguration{})).To(Succeed())
			}
			if gw.Spec.VIP != nil {
				g.Expect(admin.Get(ctx, render.VIPLeaseName(gw), &coordinationv1.Lease{})).To(Succeed())
			}
			cur := &v1alpha1.IngressGateway{}
			g.Expect(admin.Get(ctx, client.ObjectKeyFromObject(gw), cur)).To(Succeed())
			for _, c := range cur.Status.Conditions {
				if c.Type == v1alpha1.ConditionDegraded {
					g.Expect(c.Reason).NotTo(Equal(v1alpha1.ReasonApplyFailed), c.Message)
				}
			}
		}).Should(Succeed(), "gateway ingress/"+gw.Name)
	}
}

// abuse is one write a compromised operator tries with its own token.
type abuse struct {
	name string
	// do performs the write as the operator.
	do func(ctx context.Context, op client.Client) error
}

// operatorClient acts with the operator's ServiceAccount, as anyone who
// holds its token would.
func operatorClient() client.Client {
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: operatorUser,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:portico-system", "system:authenticated"}}
	c, err := client.New(cfg, client.Options{Scheme: admin.Scheme()})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// abuses builds the cases against gateway gw (reconciled, in teamNS).
func abuses(gw *v1alpha1.IngressGateway) []abuse {
	owned := render.Labels(gw)
	portico := map[string]string{"app.kubernetes.io/part-of": "portico", render.ManagedByLabel: render.ManagedByValue}
	meta := func(ns, name string, labels map[string]string, controlled bool) metav1.ObjectMeta {
		m := metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels}
		if controlled {
			m.OwnerReferences = []metav1.OwnerReference{render.OwnerReference(gw)}
		}
		return m
	}
	create := func(o client.Object) func(context.Context, client.Client) error {
		return func(ctx context.Context, op client.Client) error { return op.Create(ctx, o) }
	}
	privilegedPod := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}},
		Spec: corev1.PodSpec{ServiceAccountName: "x-controller", HostPID: true, Containers: []corev1.Container{{Name: "c", Image: "x",
			SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}}}},
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}}
	return []abuse{
		{"a Secret labelled part-of=portico in kube-system", create(&corev1.Secret{ObjectMeta: meta("kube-system", "loot", portico, false)})},
		{"a service-account-token Secret for a cluster-admin ServiceAccount, dressed as the gateway's", create(&corev1.Secret{
			ObjectMeta: func() metav1.ObjectMeta {
				m := meta(teamNS, gw.Name+"-admission", owned, true)
				m.Annotations = map[string]string{corev1.ServiceAccountNameKey: "default"}
				return m
			}(), Type: corev1.SecretTypeServiceAccountToken})},
		{"a bootstrap token Secret in kube-system", create(&corev1.Secret{ObjectMeta: meta("kube-system", "bootstrap-token-abcdef", portico, false),
			Type: "bootstrap.kubernetes.io/token", StringData: map[string]string{"token-id": "abcdef", "token-secret": "0123456789abcdef"}})},
		{"binding a secret-reader ClusterRole to a user", create(&rbacv1.ClusterRoleBinding{ObjectMeta: meta("", "portico:"+teamNS+":"+gw.Name, owned, false),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "secret-reader"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "mallory"}}})},
		{"binding the shipped data-plane ClusterRole to a user", create(&rbacv1.ClusterRoleBinding{ObjectMeta: meta("", "portico:"+teamNS+":"+gw.Name, owned, false),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: render.DefaultClusterRole},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "mallory"}}})},
		{"binding cluster-admin to the fleet's ServiceAccount", create(&rbacv1.ClusterRoleBinding{ObjectMeta: meta("", "portico:"+teamNS+":"+gw.Name, owned, false),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: teamNS, Name: gw.Name + "-controller"}}})},
		{"a Role in kube-system", create(&rbacv1.Role{ObjectMeta: meta("kube-system", "x-leader-election", portico, false),
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{"x"}, Verbs: []string{"get"}}}})},
		{"a RoleBinding in kube-system", create(&rbacv1.RoleBinding{ObjectMeta: meta("kube-system", "x-controller", portico, false),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: render.DefaultNamespacedClusterRole},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "kube-system", Name: "x-controller"}}})},
		{"a Role reading Secrets in the gateway's namespace", create(&rbacv1.Role{ObjectMeta: meta(teamNS, gw.Name+"-leader-election-2", owned, true),
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list"}}}})},
		{"binding cluster-admin in the gateway's namespace", create(&rbacv1.RoleBinding{ObjectMeta: meta(teamNS, gw.Name+"-controller-2", owned, true),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: teamNS, Name: gw.Name + "-controller"}}})},
		{"deleting another product's ValidatingWebhookConfiguration", func(ctx context.Context, op client.Client) error {
			return op.Delete(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "other-product"}})
		}},
		{"a webhook configuration that receives every Secret write", create(&admissionregistrationv1.ValidatingWebhookConfiguration{
			ObjectMeta: meta("", "portico."+teamNS+"."+gw.Name, owned, false),
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{Name: "steal.example.test", SideEffects: ptr.To(admissionregistrationv1.SideEffectClassNone),
				AdmissionReviewVersions: []string{"v1"}, ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:1/steal")},
				Rules: []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{"*"},
					Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"secrets"}}}}}}})},
		{"rewriting kube-system/coredns", func(ctx context.Context, op client.Client) error {
			cm := &corev1.ConfigMap{}
			if err := admin.Get(ctx, client.ObjectKey{Namespace: "kube-system", Name: "coredns"}, cm); err != nil {
				return err
			}
			cm.Data = map[string]string{"Corefile": ". { forward . 127.0.0.1 }"}
			return op.Update(ctx, cm)
		}},
		{"deleting a platform team's ClusterRoleBinding", func(ctx context.Context, op client.Client) error {
			return op.Delete(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "platform-team"}})
		}},
		{"a privileged hostPID DaemonSet in kube-system as a cluster-admin ServiceAccount", create(&appsv1.DaemonSet{
			ObjectMeta: meta("kube-system", "x-controller", portico, false),
			Spec:       appsv1.DaemonSetSpec{Selector: sel, Template: privilegedPod}})},
		{"a privileged DaemonSet dressed as the gateway's", create(&appsv1.DaemonSet{
			ObjectMeta: meta(teamNS, gw.Name+"-controller-2", owned, true),
			Spec:       appsv1.DaemonSetSpec{Selector: sel, Template: privilegedPod}})},
		{"a Deployment adding SYS_ADMIN", create(&appsv1.Deployment{ObjectMeta: meta(teamNS, gw.Name+"-controller-3", owned, true),
			Spec: appsv1.DeploymentSpec{Selector: sel, Template: corev1.PodTemplateSpec{ObjectMeta: privilegedPod.ObjectMeta,
				Spec: corev1.PodSpec{ServiceAccountName: gw.Name + "-controller", Containers: []corev1.Container{{Name: "c", Image: "x",
					SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_ADMIN"}}}}}}}}})},
		{"taking over the kube-scheduler Lease", func(ctx context.Context, op client.Client) error {
			return op.Create(ctx, &coordinationv1.Lease{ObjectMeta: meta("kube-system", "kube-scheduler", portico, false),
				Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To("mallory")}})
		}},
		{"a Service with externalIPs", create(&corev1.Service{ObjectMeta: meta(teamNS, gw.Name+"-admission-2", owned, true),
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 443}}, ExternalIPs: []string{"10.0.0.10"}}})},
		{"a ConfigMap claiming the gateway by labels alone", create(&corev1.ConfigMap{ObjectMeta: meta(teamNS, gw.Name+"-tcp-2", owned, false)})},
		{"labelling a user's ConfigMap as Portico's", func(ctx context.Context, op client.Client) error {
			cm := &corev1.ConfigMap{}
			if err := admin.Get(ctx, client.ObjectKey{Namespace: teamNS, Name: "users"}, cm); err != nil {
				return err
			}
			cm.Labels = owned
			return op.Update(ctx, cm)
		}},
		{"deleting a user's Secret", func(ctx context.Context, op client.Client) error {
			return op.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "users"}})
		}},
		{"hijacking another controller's IngressClass", create(&networkingv1.IngressClass{ObjectMeta: meta("", "nginx", owned, false),
			Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}})},
		{"a ServiceAccount outside the fleet's naming", create(&corev1.ServiceAccount{ObjectMeta: meta(teamNS, "admin", owned, true)})},
		{"moving the gateway's ConfigMap to another gateway by relabelling it", func(ctx context.Context, op client.Client) error {
			cm := &corev1.ConfigMap{}
			if err := admin.Get(ctx, render.MainConfigMapName(gw), cm); err != nil {
				return err
			}
			cm.Labels[render.GatewayNameLabel] = "other"
			return op.Update(ctx, cm)
		}},
		{"taking over the gateway's ConfigMap for a gateway of the same name with another UID", func(ctx context.Context, op client.Client) error {
			cm := &corev1.ConfigMap{}
			if err := admin.Get(ctx, render.MainConfigMapName(gw), cm); err != nil {
				return err
			}
			cm.OwnerReferences[0].UID = "00000000-0000-0000-0000-000000000000"
			cm.Labels[render.ShardLabel] = "0"
			return op.Update(ctx, cm)
		}},
		{"a child whose shard label is not its controller's", create(&corev1.ConfigMap{ObjectMeta: func() metav1.ObjectMeta {
			m := meta(teamNS, gw.Name+"-tcp-3", owned, true)
			m.Labels = maps.Clone(owned)
			m.Labels[render.ShardLabel] = otherShard(render.Shard(gw))
			return m
		}()})},
	}
}

// otherShard is a shard that is not s.
func otherShard(s string) string {
	if s == "0" {
		return "1"
	}
	return "0"
}

// abuseFixtures are the foreign objects the cases aim at.
func abuseFixtures(ctx context.Context) {
	for _, o := range []client.Object{
		&admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "other-product"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "platform-team"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "platform"}}},
		// A role whose rights the operator holds, so RBAC's escalation check
		// lets the binding through and only the policy stands in the way.
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "secret-reader"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list", "watch"}}}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "coredns"}, Data: map[string]string{"Corefile": ". { forward . /etc/resolv.conf }"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "users"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "users"}},
	} {
		Expect(client.IgnoreAlreadyExists(admin.Create(ctx, o))).To(Succeed())
	}
}

// refusedBy names what refused a write: one of the operator's containment
// policies, or RBAC's escalation check (binding rights the operator does
// not hold itself); "" when nothing did.
func refusedBy(err error) string {
	// A policy binding that finds no parameters refuses with 422 (reason
	// Invalid).
	st := (apierrors.APIStatus)(nil)
	if err == nil || !errors.As(err, &st) || st.Status().Code != http.StatusForbidden && st.Status().Code != http.StatusUnprocessableEntity {
		return ""
	}
	for _, p := range []string{"portico-operator-writes", "portico-operator-namespaces", "portico-manager-secret-writes"} {
		if strings.Contains(err.Error(), "ValidatingAdmissionPolicy '"+p+"'") {
			return "policy " + p
		}
	}
	if strings.Contains(err.Error(), "attempting to grant RBAC permissions not currently held") {
		return "RBAC escalation check"
	}
	return ""
}

// metricsAreGuarded: the metrics endpoint answers only callers the API
// server authenticates and authorizes for GET /metrics, over TLS 1.2+.
func metricsAreGuarded(ctx context.Context) {
	By("a ServiceAccount bound to portico-metrics-reader, as Prometheus would be")
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "portico-system", Name: "prometheus"}}
	Expect(admin.Create(ctx, sa)).To(Succeed())
	Expect(admin.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "prometheus-portico-metrics"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "portico-metrics-reader"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: sa.Namespace, Name: sa.Name}}})).To(Succeed())
	cs, err := kubernetes.NewForConfig(env.Config)
	Expect(err).NotTo(HaveOccurred())
	token := func(ns, name string) string {
		tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authenticationv1.TokenRequest{
			Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		return tr.Status.Token
	}
	Expect(admin.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: teamNS, Name: "nosy"}})).To(Succeed())
	scrape := func(bearer string, maxTLS uint16) (int, error) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MaxVersion: maxTLS}} //nolint:gosec // the endpoint's certificate is self-signed
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+metricsAddr+"/metrics", nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			return 0, err
		}
		defer func() { _ = resp.Body.Close() }()
		return resp.StatusCode, nil
	}
	Eventually(func() (int, error) { return scrape(token(sa.Namespace, sa.Name), 0) }).Should(Equal(http.StatusOK))
	Expect(scrape("", 0)).To(Equal(http.StatusUnauthorized))
	Expect(scrape(token(teamNS, "nosy"), 0)).To(Equal(http.StatusForbidden))
	_, err = scrape(token(sa.Namespace, sa.Name), tls.VersionTLS11)
	Expect(err).To(HaveOccurred(), "TLS 1.1 is refused")
}
