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
	"fmt"
	mrand "math/rand/v2"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
)

// The specs here stop the shared operator and run their own processes;
// they must not run in parallel with the others.
var _ = Describe("Reliability", Serial, func() {
	var ctx context.Context
	BeforeEach(func() {
		ctx = context.Background()
		operator.stop()
		DeferCleanup(func() {
			operator.stop() // a spec may have replaced it with its own
			operator = startOperator("main")
		})
	})

	It("converges with no duplicate or orphaned object after 20 kills at random points while 50 gateways reconcile", func() {
		ns := newNamespace(ctx)
		var gws []*v1alpha1.IngressGateway
		for i := range 50 {
			gws = append(gws, createGateway(ctx, ns, fmt.Sprintf("gw-%02d", i), deployment(1)))
		}
		for i := range 20 {
			p := startOperator(fmt.Sprintf("restart-%02d", i))
			// Kill anywhere from cache sync to mid-apply to after convergence.
			time.Sleep(time.Duration(200+mrand.IntN(1800)) * time.Millisecond)
			if i%4 == 1 {
				// Specs change under the restarts too.
				for _, gw := range gws[i : i+5] {
					updateGateway(ctx, gw, func(gw *v1alpha1.IngressGateway) {
						gw.Spec.TCP = append(gw.Spec.TCP, v1alpha1.TCPService{Port: int32(9000 + i),
							Backend: v1alpha1.Backend{Namespace: ns, Name: "db", Port: intstr.FromInt32(5432)}})
					})
				}
			}
			Expect(p.exited()).To(BeFalse(), "operator died on its own:\n%s", p.tail(40))
			p.kill()
		}

		By("after the last restart every gateway converges")
		operator = startOperator("after-restarts")
		start := time.Now()
		for _, gw := range gws {
			expectReady(ctx, gw)
		}
		AddReportEntry("convergence after 20 kills", fmt.Sprintf("50 gateways Ready %s after the final start", time.Since(start).Round(time.Millisecond)),
			ReportEntryVisibilityAlways)

		By("every gateway has exactly its rendered children, one ReplicaSet and one pod")
		Eventually(func(g Gomega) {
			for _, gw := range gws {
				cur := getGateway(ctx, g, gw)
				g.Expect(owned(ctx, g, cur)).To(Equal(renderedChildren(g, cur)), cur.Name)
				rs := &appsv1.ReplicaSetList{}
				g.Expect(k8sClient.List(ctx, rs, client.InNamespace(ns), client.MatchingLabels{render.GatewayNameLabel: gw.Name})).To(Succeed())
				g.Expect(rs.Items).To(HaveLen(1), "%s: a restart rolled the pod template", gw.Name)
				g.Expect(fleetPods(ctx, g, gw)).To(HaveLen(1), gw.Name)
				tcp := &corev1.ConfigMap{}
				g.Expect(k8sClient.Get(ctx, render.TCPConfigMapName(cur), tcp)).To(Succeed())
				g.Expect(tcp.Data).To(HaveLen(len(cur.Spec.TCP)), gw.Name)
			}
		}).Should(Succeed())
	})

	It("writes no log line for no-op reconciles at the default verbosity", func() {
		ns := newNamespace(ctx)
		// Resync every 2 s: each one reconciles every gateway, changing nothing.
		operator = startOperator("quiet", "--sync-period=2s")
		for i := range 5 {
			expectReady(ctx, createGateway(ctx, ns, fmt.Sprintf("quiet-%d", i), deployment(1)))
		}
		time.Sleep(time.Second) // the last status writes' echoes
		before := operator.tail(100000)
		time.Sleep(7 * time.Second)
		after := operator.tail(100000)
		Expect(strings.TrimPrefix(after, before)).To(BeEmpty(), "lines logged while idle")
	})

	It("lets only the leader reconcile and hands over when it is killed or stopped", func() {
		ns := newNamespace(ctx)
		// Short timings keep the spec quick; the bound is the same with
		// the defaults (15 s / 10 s / 2 s).
		const lease, retry = 6 * time.Second, time.Second
		election := []string{"--leader-elect", "--leader-election-lease-duration=6s",
			"--leader-election-renew-deadline=4s", "--leader-election-retry-period=1s"}
		a := startOperator("leader-a", election...)
		b := startOperator("leader-b", election...)
		DeferCleanup(func() { a.stop(); b.stop() })
		acquired := func(p *operatorProcess) bool {
			data, _ := os.ReadFile(p.log)
			return strings.Contains(string(data), "Successfully acquired lease")
		}
		var leader, follower *operatorProcess
		Eventually(func() bool {
			switch {
			case acquired(a):
				leader, follower = a, b
			case acquired(b):
				leader, follower = b, a
			}
			return leader != nil
		}).Should(BeTrue(), func() string { return "no leader; a:\n" + a.tail(30) + "\nb:\n" + b.tail(30) })

		first := createGateway(ctx, ns, "first", deployment(1))
		expectReady(ctx, first)
		Expect(acquired(follower)).To(BeFalse())
		Expect(follower.tail(1000)).NotTo(ContainSubstring("Starting workers"), "the follower started its controllers")

		By("killing the leader (no release): the follower takes over once the lease expires")
		t0 := time.Now()
		leader.kill()
		second := createGateway(ctx, ns, "second", deployment(1))
		Eventually(func() bool { return acquired(follower) }).WithPolling(20 * time.Millisecond).Should(BeTrue())
		killed := time.Since(t0)
		expectReady(ctx, second)
		killedReady := time.Since(t0)
		// client-go: a follower counts the lease from when it last saw it
		// change (up to one retry late), and retries with up to 1.2x
		// jitter after expiry.
		Expect(killed).To(BeNumerically("<=", lease+retry+retry*22/10+500*time.Millisecond))

		By("stopping the new leader gracefully releases the lease at once")
		c := startOperator("leader-c", election...)
		DeferCleanup(c.stop)
		Consistently(func() bool { return acquired(c) }, "3s").Should(BeFalse())
		t0 = time.Now()
		follower.stop()
		third := createGateway(ctx, ns, "third", deployment(1))
		Eventually(func() bool { return acquired(c) }).WithPolling(20 * time.Millisecond).Should(BeTrue())
		released := time.Since(t0)
		expectReady(ctx, third)
		releasedReady := time.Since(t0)
		Expect(released).To(BeNumerically("<=", retry*22/10+time.Second))
		AddReportEntry("leader handover (lease 6 s, retry 1 s)", fmt.Sprintf(
			"SIGKILL of the leader: new leader after %s, next gateway Ready after %s\nSIGTERM (lease released): new leader after %s, next gateway Ready after %s",
			killed.Round(time.Millisecond), killedReady.Round(time.Millisecond), released.Round(time.Millisecond), releasedReady.Round(time.Millisecond)),
			ReportEntryVisibilityAlways)
	})
})
