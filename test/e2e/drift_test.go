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

package e2e

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// tampering is how a user (or another controller) edits a child: a JSON
// patch replacing the value at path. The operator must put back what it
// had there.
type tampering struct {
	path  string // JSON pointer; "a|b": the first that exists
	value any
	// reissued: the operator repairs the value with a new one (a corrupted
	// certificate is replaced by a freshly issued one, not restored).
	reissued func(g Gomega, got any)
}

// partOf is a label every child carries.
const partOf = "/metadata/labels/app.kubernetes.io~1part-of"

// driftTable has one entry per kind Portico manages; the spec fails when
// the fleets render a kind missing here, so a new kind cannot be forgotten.
var driftTable = map[string]tampering{
	"ServiceAccount":                 {partOf, "tampered", nil},
	"Role":                           {"/rules", []any{}, nil},
	"RoleBinding":                    {"/subjects", []any{}, nil},
	"ClusterRoleBinding":             {"/subjects", []any{}, nil},
	"ConfigMap":                      {"/data", map[string]any{"tampered": "1"}, nil},
	"Service":                        {"/spec/selector", map[string]any{"tampered": "1"}, nil},
	"DaemonSet":                      {"/spec/template/spec/containers/0/image", "example.org/tampered:1", nil},
	"Deployment":                     {"/spec/replicas", 7, nil},
	"IngressClass":                   {partOf, "tampered", nil},
	"Secret":                         {"/data/cert|/data/tls.crt", "dGFtcGVyZWQ=", validCertificate},
	"ValidatingWebhookConfiguration": {"/webhooks/0/failurePolicy", "Ignore", nil},
	"Lease":                          {partOf, "tampered", nil},
	"PodDisruptionBudget":            {"/spec/maxUnavailable", 3, nil},
}

var _ = Describe("Drift", func() {
	It("reverts a field edit and a delete of every child of every kind", func() {
		ctx := context.Background()
		ns := newNamespace(ctx)
		group, _ := addNodes(ctx, 2)
		// Between them the two fleets render every kind: host-network
		// DaemonSet with VIP, webhook, tcp and udp; Deployment with two
		// replicas (and so a PodDisruptionBudget).
		full := createGateway(ctx, ns, "full", hostNetwork, onGroup(group), func(gw *v1alpha1.IngressGateway) {
			gw.Spec.TCP = []v1alpha1.TCPService{{Port: 9000, Backend: v1alpha1.Backend{Namespace: ns, Name: "redis", Port: intstr.FromInt32(6379)}}}
			gw.Spec.UDP = []v1alpha1.UDPService{{Port: 5353, Backend: v1alpha1.Backend{Namespace: ns, Name: "dns", Port: intstr.FromInt32(53)}}}
			gw.Spec.VIP = &v1alpha1.VIPSpec{Addresses: []string{"192.168.10.15/24"}}
		})
		dep := createGateway(ctx, ns, "dep", deployment(2))
		// The VIP is never held here (no keepalived runs): wait for the
		// children rather than Ready.
		var children []string
		for _, gw := range []*v1alpha1.IngressGateway{full, dep} {
			Eventually(func(g Gomega) {
				g.Expect(owned(ctx, g, gw)).To(Equal(renderedChildren(g, gw)))
			}).Should(Succeed())
			children = append(children, renderedChildren(Default, gw)...)
		}
		sort.Strings(children)

		kinds := map[string]bool{}
		for _, c := range children {
			kinds[strings.Fields(c)[0]] = true
		}
		for _, k := range render.ManagedKinds {
			Expect(kinds).To(HaveKey(k.GVK.Kind), "no fleet here renders %s: extend the gateways", k.GVK.Kind)
			Expect(driftTable).To(HaveKey(k.GVK.Kind), "add %s to driftTable", k.GVK.Kind)
		}

		var edits, deletes []time.Duration
		var report []string
		for _, c := range children {
			kind, key := strings.Fields(c)[0], strings.Fields(c)[1]
			nsName := strings.SplitN(key, "/", 2)
			obj := &unstructured.Unstructured{}
			obj.SetGroupVersionKind(gvkOf(kind))
			name := types.NamespacedName{Namespace: nsName[0], Name: nsName[1]}
			Expect(k8sClient.Get(ctx, name, obj)).To(Succeed(), c)

			By("editing " + c)
			t := driftTable[kind]
			for _, p := range strings.Split(t.path, "|") {
				if _, ok := pointer(obj.Object, p); ok {
					t.path = p
					break
				}
			}
			// Absent (an empty ConfigMap's data) must come back absent.
			want, found := pointer(obj.Object, t.path)
			if kind != "ConfigMap" {
				Expect(found).To(BeTrue(), "%s has nothing at %s: fix driftTable", c, t.path)
			}
			patch, err := json.Marshal([]map[string]any{{"op": "add", "path": t.path, "value": t.value}})
			Expect(err).NotTo(HaveOccurred())
			start := time.Now()
			Expect(k8sClient.Patch(ctx, obj, client.RawPatch(types.JSONPatchType, patch))).To(Succeed(), c)
			Eventually(func(g Gomega) {
				cur := &unstructured.Unstructured{}
				cur.SetGroupVersionKind(obj.GroupVersionKind())
				g.Expect(k8sClient.Get(ctx, name, cur)).To(Succeed())
				got, _ := pointer(cur.Object, t.path)
				if t.reissued != nil {
					t.reissued(g, got)
					return
				}
				g.Expect(equality.Semantic.DeepEqual(normalize(got), normalize(want))).To(BeTrue(), "%s %s = %v, want %v", c, t.path, got, want)
			}).WithPolling(20 * time.Millisecond).Should(Succeed())
			edit := time.Since(start)

			By("deleting " + c)
			uid := obj.GetUID()
			start = time.Now()
			Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, obj))).To(Succeed(), c)
			Eventually(func(g Gomega) {
				cur := &unstructured.Unstructured{}
				cur.SetGroupVersionKind(obj.GroupVersionKind())
				err := k8sClient.Get(ctx, name, cur)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(cur.GetUID()).NotTo(Equal(uid))
				g.Expect(cur.GetDeletionTimestamp()).To(BeNil())
			}).WithPolling(20 * time.Millisecond).Should(Succeed())
			del := time.Since(start)
			edits, deletes = append(edits, edit), append(deletes, del)
			report = append(report, fmt.Sprintf("%-70s edit %6s  delete %6s", c, edit.Round(time.Millisecond), del.Round(time.Millisecond)))
		}
		report = append(report, fmt.Sprintf("%d children: edit reverted median %s max %s; delete reverted median %s max %s",
			len(children), median(edits), maxOf(edits), median(deletes), maxOf(deletes)))
		AddReportEntry("time to revert drift", strings.Join(report, "\n"), ReportEntryVisibilityAlways)

		By("the Deployment fleet is Ready again, and no child is left over or missing")
		expectReady(ctx, dep)
		for _, gw := range []*v1alpha1.IngressGateway{full, dep} {
			Eventually(func(g Gomega) {
				g.Expect(owned(ctx, g, gw)).To(Equal(renderedChildren(g, gw)))
			}).Should(Succeed())
		}
	})
})

// validCertificate checks a Secret value holds a parseable PEM certificate.
func validCertificate(g Gomega, got any) {
	s, _ := got.(string)
	der, err := base64.StdEncoding.DecodeString(s)
	g.Expect(err).NotTo(HaveOccurred())
	block, _ := pem.Decode(der)
	g.Expect(block).NotTo(BeNil(), "not PEM: %q", der)
	_, err = x509.ParseCertificate(block.Bytes)
	g.Expect(err).NotTo(HaveOccurred())
}

func gvkOf(kind string) (gvk schema.GroupVersionKind) {
	for _, k := range render.ManagedKinds {
		if k.GVK.Kind == kind {
			return k.GVK
		}
	}
	Fail("unknown kind " + kind)
	return gvk
}

// pointer resolves a JSON pointer in a decoded object.
func pointer(obj map[string]any, path string) (any, bool) {
	var cur any = obj
	for _, raw := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		tok := strings.ReplaceAll(strings.ReplaceAll(raw, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// normalize makes JSON numbers comparable whatever their Go type.
func normalize(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration{}, ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Round(time.Millisecond)
}

func maxOf(ds []time.Duration) time.Duration {
	m := time.Duration(0)
	for _, d := range ds {
		m = max(m, d)
	}
	return m.Round(time.Millisecond)
}
