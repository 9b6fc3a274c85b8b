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

package testenv

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestClusterRunsADaemonSet checks the simulated cluster does what the e2e
// suite relies on: a DaemonSet gets one running, ready pod per node.
func TestClusterRunsADaemonSet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated cluster")
	}
	ctx := context.Background()
	start := time.Now()
	c, err := StartCluster(ctx, ClusterOptions{Nodes: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	}()
	t.Logf("cluster with 2 Ready nodes in %s", time.Since(start).Round(time.Millisecond))

	labels := map[string]string{"app": "probe"}
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "probe"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					HostNetwork: true,
					Containers: []corev1.Container{{Name: "c", Image: "example.org/probe:1",
						Ports: []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}}},
				},
			},
		},
	}
	if err := c.Client.Create(ctx, ds); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		got := &appsv1.DaemonSet{}
		if err := c.Client.Get(ctx, client.ObjectKeyFromObject(ds), got); err != nil {
			return false, err
		}
		return got.Status.NumberReady == 2 && got.Status.DesiredNumberScheduled == 2, nil
	})
	if err != nil {
		t.Fatalf("DaemonSet not ready on 2 nodes: %v\n%s", err, c.Logs())
	}
	pods := &corev1.PodList{}
	if err := c.Client.List(ctx, pods, client.InNamespace("default"), client.MatchingLabels(labels)); err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodRunning || p.Spec.NodeName == "" || p.Status.PodIP == "" {
			t.Errorf("pod %s: phase %s on %q", p.Name, p.Status.Phase, p.Spec.NodeName)
		}
		t.Logf("pod %s on %s, IP %s", p.Name, p.Spec.NodeName, p.Status.PodIP)
	}
	t.Logf("DaemonSet ready on every node %s after start", time.Since(start).Round(time.Millisecond))
}
