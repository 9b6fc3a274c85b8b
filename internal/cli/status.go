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

package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/render"
	"github.com/portico-dev/portico/internal/scheme"
)

// StatusReport is what `portico status -o json` prints. Scripts depend on
// it: add fields, never rename or remove one.
type StatusReport struct {
	Gateways []GatewayReport `json:"gateways"`
}

// GatewayReport is one gateway's fleet.
type GatewayReport struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Class is spec.gatewayClassName, else status.gatewayClassName (the
	// default class the operator resolved); "" before the first reconcile.
	Class string `json:"class"`
	// Driver is the class's spec.dataPlane.driver; "" when the class could
	// not be read.
	Driver string `json:"driver"`
	// Workload is DaemonSet or Deployment.
	Workload    string `json:"workload"`
	HostNetwork bool   `json:"hostNetwork"`
	// Ready is status.ready, "ready/desired" pods.
	Ready        string `json:"ready"`
	IngressClass string `json:"ingressClass"`
	// Generation and ObservedGeneration differ while the operator has not
	// acted on the latest spec: the conditions are then stale.
	Generation         int64    `json:"generation"`
	ObservedGeneration int64    `json:"observedGeneration"`
	Addresses          []string `json:"addresses"`
	// Service is nil when the gateway has none (service type None, the
	// default with hostNetwork) or it does not exist (see Problems).
	Service *ServiceReport `json:"service"`
	// VIP is status.vip, nil without spec.vip.
	VIP        *VIPReport        `json:"vip"`
	Pods       []PodReport       `json:"pods"`
	Conditions []ConditionReport `json:"conditions"`
	// Events are the last events regarding the gateway, newest last.
	Events []EventReport `json:"events"`
	// Problems lists what could not be read (forbidden, not found), so an
	// empty section is never mistaken for "nothing there".
	Problems []string `json:"problems"`
}

// ServiceReport is the Service in front of the pods.
type ServiceReport struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	ClusterIP string `json:"clusterIP"`
	// LoadBalancer holds status.loadBalancer.ingress (IPs or hostnames).
	LoadBalancer []string `json:"loadBalancer"`
	// Ports are "port[:nodePort]/protocol", as kubectl get svc shows them.
	Ports []string `json:"ports"`
}

// VIPReport is status.vip.
type VIPReport struct {
	Addresses []string `json:"addresses"`
	// Holder is the node holding the addresses, "" when none does.
	Holder   string `json:"holder"`
	RouterID int32  `json:"routerID"`
}

// PodReport is one controller pod and its node.
type PodReport struct {
	// Node is "" while the pod is not scheduled.
	Node  string `json:"node"`
	Name  string `json:"name"`
	Ready string `json:"ready"`
	// Status is the phase, or what kubectl shows instead (a container's
	// waiting reason, Terminating).
	Status   string `json:"status"`
	Restarts int32  `json:"restarts"`
	// Image is the controller container's image.
	Image string `json:"image"`
	// HoldsVIP is true on the node status.vip.holder names.
	HoldsVIP bool `json:"holdsVIP"`
}

// ConditionReport is one status condition.
type ConditionReport struct {
	Type               string    `json:"type"`
	Status             string    `json:"status"`
	Reason             string    `json:"reason"`
	Message            string    `json:"message"`
	ObservedGeneration int64     `json:"observedGeneration"`
	LastTransitionTime time.Time `json:"lastTransitionTime,omitzero"`
}

// EventReport is one events.k8s.io/v1 Event regarding the gateway.
type EventReport struct {
	Type   string `json:"type"`
	Reason string `json:"reason"`
	Note   string `json:"note"`
	// Count is how often the event was seen (its series), at least 1.
	Count    int32     `json:"count"`
	LastSeen time.Time `json:"lastSeen,omitzero"`
}

const statusUsage = `Usage: portico status [GATEWAY] [-n NAMESPACE | -A] [-o json] [--kubeconfig FILE] [--context NAME]
Shows each IngressGateway's fleet: class and driver, pods per node, the VIP
holder, addresses, conditions and last events.
`

// runStatus is `portico status`: one screen per gateway instead of the
// five kubectl commands it takes otherwise.
func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("portico status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config, as kubectl)")
	kubeContext := fs.String("context", "", "kubeconfig context (default: the current context)")
	var namespace string
	fs.StringVar(&namespace, "namespace", "", "namespace of the gateways (default: the context's namespace, else default)")
	fs.StringVar(&namespace, "n", "", "shorthand for --namespace")
	var all bool
	fs.BoolVar(&all, "all-namespaces", false, "every namespace's gateways")
	fs.BoolVar(&all, "A", false, "shorthand for --all-namespaces")
	var output string
	fs.StringVar(&output, "output", "", "output format: json (default: text)")
	fs.StringVar(&output, "o", "", "shorthand for --output")
	events := fs.Int("events", 5, "how many of each gateway's last events to show")
	fs.Usage = func() {
		fmt.Fprint(stderr, statusUsage)
		fs.PrintDefaults()
	}
	// Flags may follow the gateway's name, as with kubectl.
	var names []string
	for {
		if err := fs.Parse(args); err != nil {
			return parseExit(err)
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(names) > 1:
		fmt.Fprintf(stderr, "error: one gateway at most, got %s\n", strings.Join(names, " "))
		return 2
	case len(names) == 1 && all:
		fmt.Fprintln(stderr, "error: a gateway name cannot be combined with --all-namespaces (give its --namespace)")
		return 2
	case output != "" && output != "json":
		fmt.Fprintf(stderr, "error: --output %q: only json is supported\n", output)
		return 2
	case *events < 0:
		fmt.Fprintln(stderr, "error: --events cannot be negative")
		return 2
	}
	name := ""
	if len(names) == 1 {
		name = names[0]
	}

	cc := kubeClientConfig(*kubeconfig, *kubeContext)
	cfg, err := cc.ClientConfig()
	if err != nil {
		fmt.Fprintf(stderr, "error: kubeconfig: %v\n", err)
		return 1
	}
	// kubectl sets no request timeout; a status view should not hang on a
	// server that stops answering.
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if namespace == "" && !all {
		if namespace, _, err = cc.Namespace(); err != nil {
			fmt.Fprintf(stderr, "error: kubeconfig: %v\n", err)
			return 1
		}
	}
	if all {
		namespace = ""
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme.New()})
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	report, err := gatherStatus(context.Background(), c, namespace, name, *events)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if output == "json" {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	if len(report.Gateways) == 0 {
		// As kubectl get: an empty result is not an error.
		if all {
			fmt.Fprintln(stderr, "No IngressGateways found.")
		} else {
			fmt.Fprintf(stderr, "No IngressGateways found in namespace %s.\n", namespace)
		}
		return 0
	}
	writeStatus(stdout, report, time.Now())
	return 0
}

// kubeClientConfig loads the connection as kubectl does: --kubeconfig,
// else $KUBECONFIG, else ~/.kube/config, and the current context unless one
// is named. import's fromCluster builds the same.
func kubeClientConfig(kubeconfig, kubeContext string) clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
}

// gatherStatus reads the gateways of namespace ("" for all of them), or
// the one named, with their classes, pods, Services and last events.
func gatherStatus(ctx context.Context, c client.Reader, namespace, name string, events int) (*StatusReport, error) {
	var gws []v1alpha1.IngressGateway
	if name != "" {
		gw := v1alpha1.IngressGateway{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &gw); err != nil {
			return nil, gatewayError(ctx, c, namespace, name, err)
		}
		gws = append(gws, gw)
	} else {
		list := &v1alpha1.IngressGatewayList{}
		if err := c.List(ctx, list, client.InNamespace(namespace)); err != nil {
			return nil, gatewayError(ctx, c, namespace, "", err)
		}
		gws = list.Items
	}
	slices.SortFunc(gws, func(a, b v1alpha1.IngressGateway) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	report := &StatusReport{Gateways: []GatewayReport{}}
	classes := map[string]*v1alpha1.IngressGatewayClass{}
	for i := range gws {
		g, err := gatewayStatus(ctx, c, &gws[i], classes, events)
		if err != nil {
			return nil, err
		}
		report.Gateways = append(report.Gateways, *g)
	}
	return report, nil
}

// gatewayError says which gateway could not be read, where, and why.
func gatewayError(ctx context.Context, c client.Reader, namespace, name string, err error) error {
	where := "in namespace " + namespace
	if namespace == "" {
		where = "in any namespace"
	}
	what := "list IngressGateways " + where
	if name != "" {
		what = fmt.Sprintf("get IngressGateway %q %s", name, where)
	}
	switch {
	case apierrors.IsNotFound(err) && name != "":
		msg := fmt.Sprintf("IngressGateway %q not found in namespace %s", name, namespace)
		// A wrong namespace is the usual cause: say where it is.
		list := &v1alpha1.IngressGatewayList{}
		if c.List(ctx, list) == nil {
			var elsewhere []string
			for _, gw := range list.Items {
				if gw.Name == name {
					elsewhere = append(elsewhere, gw.Namespace)
				}
			}
			if len(elsewhere) > 0 {
				msg += fmt.Sprintf(" (it exists in namespace %s: use -n)", strings.Join(elsewhere, ", "))
			}
		}
		return errors.New(msg)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("not allowed to %s: %w", what, err)
	case meta.IsNoMatchError(err) || apierrors.IsNotFound(err):
		return fmt.Errorf("the cluster does not serve IngressGateways (%s): is Portico's CRD installed? %w", v1alpha1.GroupVersion, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// gatewayStatus reads what one gateway's report needs. Reads refused by
// RBAC, or of objects that do not exist, become Problems: the rest is
// still worth showing. Other errors end the command.
func gatewayStatus(ctx context.Context, c client.Reader, gw *v1alpha1.IngressGateway, classes map[string]*v1alpha1.IngressGatewayClass, events int) (*GatewayReport, error) {
	r := &GatewayReport{
		Namespace:          gw.Namespace,
		Name:               gw.Name,
		Class:              cmp.Or(gw.Spec.GatewayClassName, gw.Status.GatewayClassName),
		Workload:           string(cmp.Or(gw.Spec.Workload.Kind, v1alpha1.WorkloadDaemonSet)),
		HostNetwork:        gw.Spec.Workload.HostNetwork,
		Ready:              gw.Status.Ready,
		IngressClass:       cmp.Or(gw.Status.IngressClassName, render.IngressClassName(gw)),
		Generation:         gw.Generation,
		ObservedGeneration: gw.Status.ObservedGeneration,
		Addresses:          append([]string{}, gw.Status.Addresses...),
		Pods:               []PodReport{},
		Conditions:         []ConditionReport{},
		Events:             []EventReport{},
		Problems:           []string{},
	}
	ref := gw.Namespace + "/" + gw.Name
	// unreadable turns a refusal or absence into a Problem, and anything
	// else into the command's error.
	unreadable := func(what string, err error) error {
		switch {
		case apierrors.IsForbidden(err):
			r.Problems = append(r.Problems, "not allowed to read "+what)
			return nil
		case apierrors.IsNotFound(err):
			r.Problems = append(r.Problems, what+" not found")
			return nil
		}
		return fmt.Errorf("IngressGateway %s: read %s: %w", ref, what, err)
	}

	if r.Class == "" {
		r.Problems = append(r.Problems, "no class yet: the operator has not reconciled the gateway")
	} else {
		class, seen := classes[r.Class]
		if !seen {
			class = &v1alpha1.IngressGatewayClass{}
			if err := c.Get(ctx, types.NamespacedName{Name: r.Class}, class); err != nil {
				class = nil
				if err := unreadable("IngressGatewayClass "+r.Class, err); err != nil {
					return nil, err
				}
			}
			classes[r.Class] = class
		}
		if class != nil {
			r.Driver = string(cmp.Or(class.Spec.DataPlane.Driver, v1alpha1.DriverIngressNGINX))
		}
	}

	if v := gw.Status.VIP; v != nil {
		r.VIP = &VIPReport{Addresses: append([]string{}, v.Addresses...), Holder: v.Holder, RouterID: v.RouterID}
	}

	pods := &corev1.PodList{}
	if err := c.List(ctx, pods, client.InNamespace(gw.Namespace), client.MatchingLabels(render.SelectorLabels(gw))); err != nil {
		if err := unreadable("pods in namespace "+gw.Namespace, err); err != nil {
			return nil, err
		}
	}
	for i := range pods.Items {
		p := podReport(&pods.Items[i])
		p.HoldsVIP = r.VIP != nil && r.VIP.Holder != "" && p.Node == r.VIP.Holder
		r.Pods = append(r.Pods, p)
	}
	// By node, unscheduled pods last.
	slices.SortFunc(r.Pods, func(a, b PodReport) int {
		return cmp.Or(cmpBool(a.Node == "", b.Node == ""), strings.Compare(a.Node, b.Node), strings.Compare(a.Name, b.Name))
	})

	if render.EffectiveServiceType(gw) != v1alpha1.ServiceTypeNone {
		n := render.ServiceName(gw)
		svc := &corev1.Service{}
		if err := c.Get(ctx, n, svc); err != nil {
			if err := unreadable("Service "+n.String(), err); err != nil {
				return nil, err
			}
		} else {
			r.Service = serviceReport(svc)
		}
	}

	for _, cond := range gw.Status.Conditions {
		r.Conditions = append(r.Conditions, ConditionReport{Type: cond.Type, Status: string(cond.Status), Reason: cond.Reason,
			Message: cond.Message, ObservedGeneration: cond.ObservedGeneration, LastTransitionTime: cond.LastTransitionTime.Time})
	}

	if events > 0 {
		evs := &eventsv1.EventList{}
		// By UID: events of an earlier gateway of the same name are not this one's.
		sel := fields.OneTermEqualSelector("regarding.uid", string(gw.UID))
		if err := c.List(ctx, evs, client.InNamespace(gw.Namespace), client.MatchingFieldsSelector{Selector: sel}); err != nil {
			if err := unreadable("events in namespace "+gw.Namespace, err); err != nil {
				return nil, err
			}
		}
		r.Events = lastEvents(evs.Items, gw.UID, events)
	}
	return r, nil
}

// podReport summarises a pod as kubectl get pods does.
func podReport(p *corev1.Pod) PodReport {
	out := PodReport{Node: p.Spec.NodeName, Name: p.Name, Status: string(p.Status.Phase)}
	for _, c := range p.Spec.Containers {
		if c.Name == render.ControllerContainerName || out.Image == "" {
			out.Image = c.Image
		}
	}
	ready := 0
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			ready++
		}
		out.Restarts += cs.RestartCount
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			out.Status = cs.State.Waiting.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "":
			out.Status = cs.State.Terminated.Reason
		}
	}
	if p.DeletionTimestamp != nil {
		out.Status = "Terminating"
	}
	out.Ready = fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers))
	return out
}

// serviceReport summarises a Service as kubectl get svc does.
func serviceReport(svc *corev1.Service) *ServiceReport {
	out := &ServiceReport{Name: svc.Name, Type: string(svc.Spec.Type), ClusterIP: svc.Spec.ClusterIP,
		LoadBalancer: []string{}, Ports: []string{}}
	for _, in := range svc.Status.LoadBalancer.Ingress {
		out.LoadBalancer = append(out.LoadBalancer, cmp.Or(in.IP, in.Hostname))
	}
	for _, p := range svc.Spec.Ports {
		s := fmt.Sprint(p.Port)
		if p.NodePort != 0 {
			s += fmt.Sprintf(":%d", p.NodePort)
		}
		out.Ports = append(out.Ports, s+"/"+string(p.Protocol))
	}
	return out
}

// lastEvents returns the last n events regarding uid, newest last.
func lastEvents(evs []eventsv1.Event, uid types.UID, n int) []EventReport {
	out := []EventReport{}
	for _, e := range evs {
		// The field selector already did this, unless the server ignored it.
		if e.Regarding.UID != uid {
			continue
		}
		er := EventReport{Type: e.Type, Reason: e.Reason, Note: e.Note, Count: 1, LastSeen: e.EventTime.Time}
		if e.Series != nil {
			er.Count, er.LastSeen = e.Series.Count, e.Series.LastObservedTime.Time
		} else if e.DeprecatedCount > 1 {
			er.Count = e.DeprecatedCount
		}
		// Events written through the core/v1 API have no eventTime.
		if er.LastSeen.IsZero() {
			er.LastSeen = cmp.Or(e.DeprecatedLastTimestamp.Time, e.CreationTimestamp.Time)
		}
		out = append(out, er)
	}
	slices.SortStableFunc(out, func(a, b EventReport) int { return a.LastSeen.Compare(b.LastSeen) })
	return out[max(0, len(out)-n):]
}

// writeStatus prints the report for people; ages are relative to now.
func writeStatus(w io.Writer, report *StatusReport, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer func() { _ = tw.Flush() }() // as the writes: nowhere to report a failed one
	for i, g := range report.Gateways {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "IngressGateway %s/%s\n", g.Namespace, g.Name)
		class := cmp.Or(g.Class, "<none yet>")
		if g.Driver != "" {
			class += " (driver " + g.Driver + ")"
		}
		fmt.Fprintf(tw, "  Class:\t%s\n", class)
		workload := g.Workload
		if g.HostNetwork {
			workload += ", host network"
		}
		if g.Ready != "" {
			workload += ", " + g.Ready + " pods ready"
		}
		fmt.Fprintf(tw, "  Workload:\t%s\n", workload)
		fmt.Fprintf(tw, "  IngressClass:\t%s\n", g.IngressClass)
		fmt.Fprintf(tw, "  Addresses:\t%s\n", listOr(g.Addresses, "<none>"))
		fmt.Fprintf(tw, "  Service:\t%s\n", serviceLine(g))
		if v := g.VIP; v != nil {
			held := "held by no node"
			if v.Holder != "" {
				held = "held by " + v.Holder
			}
			fmt.Fprintf(tw, "  VIP:\t%s (router ID %d), %s\n", listOr(v.Addresses, "<none>"), v.RouterID, held)
		}
		switch {
		case g.ObservedGeneration == 0:
			fmt.Fprintln(tw, "  Status:\tnone: the operator has not reconciled this gateway yet (is it running?)")
		case g.ObservedGeneration != g.Generation:
			fmt.Fprintf(tw, "  Status:\tfor generation %d, the spec is at %d: the operator has not caught up, conditions may be stale\n", g.ObservedGeneration, g.Generation)
		}
		for _, p := range g.Problems {
			fmt.Fprintf(tw, "  Problem:\t%s\n", p)
		}

		fmt.Fprintln(tw)
		if len(g.Pods) == 0 {
			fmt.Fprintln(tw, "  No controller pods.")
		} else {
			fmt.Fprintln(tw, "  NODE\tPOD\tREADY\tSTATUS\tRESTARTS\tIMAGE")
			for _, p := range g.Pods {
				node := cmp.Or(p.Node, "<none>")
				if p.HoldsVIP {
					node += " (VIP)"
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\n", node, p.Name, p.Ready, p.Status, p.Restarts, p.Image)
			}
		}

		fmt.Fprintln(tw)
		if len(g.Conditions) == 0 {
			fmt.Fprintln(tw, "  No conditions yet.")
		} else {
			fmt.Fprintln(tw, "  CONDITION\tSTATUS\tREASON\tMESSAGE")
			for _, c := range g.Conditions {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Type, c.Status, c.Reason, oneLine(c.Message))
			}
		}

		fmt.Fprintln(tw)
		if len(g.Events) == 0 {
			fmt.Fprintln(tw, "  No recent events.")
		} else {
			fmt.Fprintln(tw, "  LAST SEEN\tTYPE\tREASON\tMESSAGE")
			for _, e := range g.Events {
				age := "<unknown>"
				if !e.LastSeen.IsZero() {
					age = duration.HumanDuration(now.Sub(e.LastSeen))
				}
				if e.Count > 1 {
					age += fmt.Sprintf(" (x%d)", e.Count)
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", age, e.Type, e.Reason, oneLine(e.Note))
			}
		}
	}
}

// serviceLine describes the gateway's Service, or why it has none.
func serviceLine(g GatewayReport) string {
	s := g.Service
	if s == nil {
		if g.HostNetwork {
			return "<none> (host network: the addresses are the nodes')"
		}
		return "<none>"
	}
	out := fmt.Sprintf("%s %s, cluster IP %s", s.Name, s.Type, cmp.Or(s.ClusterIP, "<none>"))
	if s.Type == string(corev1.ServiceTypeLoadBalancer) {
		out += ", load balancer " + listOr(s.LoadBalancer, "<pending>")
	}
	return out + ", ports " + strings.Join(s.Ports, " ")
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func listOr(l []string, none string) string {
	if len(l) == 0 {
		return none
	}
	return strings.Join(l, ", ")
}

// oneLine keeps a multi-line message from breaking the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
