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
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/migrate"
	"github.com/portico-dev/portico/internal/scheme"
)

const migrateCheckUsage = `Usage: portico migrate-check [-f DUMP|-] [--kubeconfig FILE] [--context NAME] [-n NAMESPACE] [-o text|json] GATEWAY
Says what moving the gateway's IngressGatewayClass to the traefik driver
(Traefik ` + migrate.TraefikVersion + `) changes: each Ingress the gateway serves, with a verdict
(works, works with differences, breaks) and every annotation that behaves
differently or is ignored, then the gateway's own fields (ConfigMap keys,
snippets, extraArgs, admission webhook, status addresses). Reads a dump with
-f (YAML documents or kubectl get -o yaml Lists: the IngressGateway, its
IngressGatewayClass, the Ingresses and the IngressClasses), else the cluster.
Exit status: 0 when every Ingress works (with or without differences), 1 when
one breaks, 2 when the check cannot run.
`

// migrateInput is what a check reads.
type migrateInput struct {
	gateways       []*v1alpha1.IngressGateway
	classes        []v1alpha1.IngressGatewayClass
	ingresses      []networkingv1.Ingress
	ingressClasses []networkingv1.IngressClass
}

// runMigrateCheck is `portico migrate-check`.
func runMigrateCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("portico migrate-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files stringList
	fs.Var(&files, "f", "dump to read instead of the cluster (kubectl get ingressgateways,ingressgatewayclasses,ingresses,ingressclasses -A -o yaml); repeatable; - for stdin")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config, as kubectl)")
	kubeContext := fs.String("context", "", "kubeconfig context (default: the current context)")
	var namespace string
	fs.StringVar(&namespace, "namespace", "", "namespace of the gateway (default: the context's namespace; with -f, the one namespace holding a gateway of that name)")
	fs.StringVar(&namespace, "n", "", "shorthand for --namespace")
	var output string
	fs.StringVar(&output, "output", "text", "output format: text or json")
	fs.StringVar(&output, "o", "text", "shorthand for --output")
	fs.Usage = func() {
		fmt.Fprint(stderr, migrateCheckUsage)
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
	case len(names) != 1:
		fmt.Fprintf(stderr, "error: name one IngressGateway, got %d\n", len(names))
		fs.Usage()
		return 2
	case output != "text" && output != "json":
		fmt.Fprintf(stderr, "error: --output %q: text or json\n", output)
		return 2
	case len(files) > 0 && (*kubeconfig != "" || *kubeContext != ""):
		fmt.Fprintln(stderr, "error: -f reads a dump; --kubeconfig and --context read a cluster: give one or the other")
		return 2
	}

	var (
		gw     *v1alpha1.IngressGateway
		class  *v1alpha1.IngressGatewayClass
		in     migrateInput
		err    error
		notice []string
	)
	if len(files) > 0 {
		in, err = readMigrateDump(files, stdin, namespace)
		if err == nil {
			gw, err = pickGateway(in.gateways, names[0], namespace)
		}
		if err == nil {
			class = dumpClass(gw, in.classes)
		}
	} else {
		gw, class, in, notice, err = readMigrateCluster(context.Background(), *kubeconfig, *kubeContext, namespace, names[0])
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 2
	}
	for _, n := range notice {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}

	report := migrate.Check(gw, class, in.ingresses, in.ingressClasses)
	if output == "json" {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		writeMigrateCheck(stdout, &report)
	}
	if report.Breaks() {
		return 1
	}
	return 0
}

// readMigrateDump reads the objects of the dump files; other kinds are
// skipped. Objects without a namespace take namespace, else "default".
func readMigrateDump(files []string, stdin io.Reader, namespace string) (migrateInput, error) {
	var in migrateInput
	defaultNS := cmp.Or(namespace, "default")
	for _, f := range files {
		docs, err := readDocuments(f, stdin)
		if err != nil {
			return in, err
		}
		for i, doc := range docs {
			u := &unstructured.Unstructured{}
			j, err := yaml.YAMLToJSON(doc)
			if err == nil {
				err = u.UnmarshalJSON(j)
			}
			if err != nil {
				return in, fmt.Errorf("%s: document %d: %w", f, i+1, err)
			}
			gvk := u.GroupVersionKind()
			var target any
			switch {
			case gvk.Group == v1alpha1.GroupVersion.Group && gvk.Kind == "IngressGateway":
				target = &v1alpha1.IngressGateway{}
			case gvk.Group == v1alpha1.GroupVersion.Group && gvk.Kind == "IngressGatewayClass":
				target = &v1alpha1.IngressGatewayClass{}
			case gvk == networkingv1.SchemeGroupVersion.WithKind("Ingress"):
				target = &networkingv1.Ingress{}
			case gvk == networkingv1.SchemeGroupVersion.WithKind("IngressClass"):
				target = &networkingv1.IngressClass{}
			default:
				continue
			}
			// Not strict: a dump of a cluster carries status and
			// managedFields, and objects a newer CRD may have moved on from.
			if err := json.Unmarshal(j, target); err != nil {
				return in, fmt.Errorf("%s: document %d: %s %q: %w", f, i+1, gvk.Kind, u.GetName(), err)
			}
			switch o := target.(type) {
			case *v1alpha1.IngressGateway:
				o.Namespace = cmp.Or(o.Namespace, defaultNS)
				// The API server defaults what a hand-written dump leaves out.
				d, err := crdschema.Default(o)
				if err != nil {
					return in, fmt.Errorf("%s: document %d: IngressGateway %q: %w", f, i+1, o.Name, err)
				}
				in.gateways = append(in.gateways, d)
			case *v1alpha1.IngressGatewayClass:
				in.classes = append(in.classes, *o)
			case *networkingv1.Ingress:
				o.Namespace = cmp.Or(o.Namespace, defaultNS)
				in.ingresses = append(in.ingresses, *o)
			case *networkingv1.IngressClass:
				in.ingressClasses = append(in.ingressClasses, *o)
			}
		}
	}
	return in, nil
}

// pickGateway finds the gateway named name: in namespace when given, else
// the only one of that name.
func pickGateway(gws []*v1alpha1.IngressGateway, name, namespace string) (*v1alpha1.IngressGateway, error) {
	var found []*v1alpha1.IngressGateway
	var where []string
	for _, gw := range gws {
		if gw.Name == name {
			where = append(where, gw.Namespace)
			if namespace == "" || gw.Namespace == namespace {
				found = append(found, gw)
			}
		}
	}
	slices.Sort(where)
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return nil, fmt.Errorf("the input holds IngressGateway %q in namespaces %s: give one with -n", name, strings.Join(where, ", "))
	case len(where) > 0:
		return nil, fmt.Errorf("the input holds no IngressGateway %q in namespace %s (it does in %s: use -n)", name, namespace, strings.Join(where, ", "))
	}
	return nil, fmt.Errorf("the input holds no IngressGateway %q (kubectl get ingressgateways -A -o yaml adds them)", name)
}

// dumpClass returns gw's class from a dump: the one it names (or the
// operator resolved, status.gatewayClassName), else the default class; nil
// when the dump does not hold it.
func dumpClass(gw *v1alpha1.IngressGateway, classes []v1alpha1.IngressGatewayClass) *v1alpha1.IngressGatewayClass {
	if name := cmp.Or(gw.Spec.GatewayClassName, gw.Status.GatewayClassName); name != "" {
		for i := range classes {
			if classes[i].Name == name {
				return &classes[i]
			}
		}
		return nil
	}
	class, err := classrules.Resolve(gw, classes)
	if err != nil {
		return nil
	}
	return class
}

// readMigrateCluster reads the gateway, its class, the Ingresses it may
// serve and the IngressClasses from the cluster. notice says what could
// not be read but the check goes on without.
func readMigrateCluster(ctx context.Context, kubeconfig, kubeContext, namespace, name string) (*v1alpha1.IngressGateway, *v1alpha1.IngressGatewayClass, migrateInput, []string, error) {
	var in migrateInput
	var notice []string
	cc := kubeClientConfig(kubeconfig, kubeContext)
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, nil, in, nil, fmt.Errorf("kubeconfig: %w", err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if namespace == "" {
		if namespace, _, err = cc.Namespace(); err != nil {
			return nil, nil, in, nil, fmt.Errorf("kubeconfig: %w", err)
		}
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme.New()})
	if err != nil {
		return nil, nil, in, nil, err
	}
	gw := &v1alpha1.IngressGateway{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, gw); err != nil {
		return nil, nil, in, nil, gatewayError(ctx, c, namespace, name, err)
	}

	var class *v1alpha1.IngressGatewayClass
	if cn := cmp.Or(gw.Spec.GatewayClassName, gw.Status.GatewayClassName); cn != "" {
		class = &v1alpha1.IngressGatewayClass{}
		if err := c.Get(ctx, types.NamespacedName{Name: cn}, class); err != nil {
			notice = append(notice, fmt.Sprintf("IngressGatewayClass %q could not be read (%v): the gateway's scope is taken as Cluster", cn, reason(err)))
			class = nil
		}
	} else {
		list := &v1alpha1.IngressGatewayClassList{}
		if err := c.List(ctx, list); err != nil {
			notice = append(notice, fmt.Sprintf("IngressGatewayClasses could not be listed (%v): the gateway's scope is taken as Cluster", reason(err)))
		} else if class, err = classrules.Resolve(gw, list.Items); err != nil {
			notice = append(notice, fmt.Sprintf("%v: the gateway's scope is taken as Cluster", err))
			class = nil
		}
	}

	var opts []client.ListOption
	where := "in every namespace"
	if class != nil && class.Spec.DataPlane.Scope == v1alpha1.ScopeGatewayNamespace {
		opts = append(opts, client.InNamespace(gw.Namespace))
		where = "in namespace " + gw.Namespace
	}
	ings := &networkingv1.IngressList{}
	if err := c.List(ctx, ings, opts...); err != nil {
		return nil, nil, in, nil, fmt.Errorf("list Ingresses %s: %w", where, err)
	}
	in.ingresses = ings.Items
	ics := &networkingv1.IngressClassList{}
	if err := c.List(ctx, ics); err != nil {
		notice = append(notice, fmt.Sprintf("IngressClasses could not be listed (%v): only the gateway's own class and aliases are taken as its", reason(err)))
	} else {
		in.ingressClasses = ics.Items
	}
	return gw, class, in, notice, nil
}

// reason shortens an API error for a notice.
func reason(err error) string {
	var s apierrors.APIStatus
	if errors.As(err, &s) {
		return string(s.Status().Reason) + ": " + s.Status().Message
	}
	return err.Error()
}

// writeMigrateCheck prints the report for a terminal.
func writeMigrateCheck(w io.Writer, r *migrate.Report) {
	class := "class unknown"
	if r.GatewayClass != "" {
		class = fmt.Sprintf("class %s, driver %s", r.GatewayClass, r.Driver)
	}
	fmt.Fprintf(w, "IngressGateway %s/%s (%s) under Traefik %s\n", r.Namespace, r.Name, class, r.Traefik)
	fmt.Fprintf(w, "IngressClasses: %s\n", strings.Join(r.IngressClasses, ", "))
	n := len(r.Ingresses)
	if n == 0 {
		fmt.Fprintln(w, "Verdict: works: the gateway serves no Ingress")
	} else {
		var parts []string
		for _, v := range []struct {
			verdict          migrate.Verdict
			singular, plural string
		}{{migrate.Breaks, "breaks", "break"}, {migrate.WorksWithDifferences, "works with differences", "work with differences"}, {migrate.Works, "works", "work"}} {
			if c := r.Count(v.verdict); c > 0 {
				word := v.plural
				if c == 1 {
					word = v.singular
				}
				parts = append(parts, fmt.Sprintf("%d %s", c, word))
			}
		}
		noun := "Ingresses"
		if n == 1 {
			noun = "Ingress"
		}
		fmt.Fprintf(w, "Verdict: %s (%d %s: %s)\n", r.Verdict, n, noun, strings.Join(parts, ", "))
	}
	for _, i := range r.Ingresses {
		fmt.Fprintf(w, "\nIngress %s/%s: %s (%s)\n", i.Namespace, i.Name, i.Verdict, i.SelectedBy)
		for _, f := range i.Findings {
			fmt.Fprintf(w, "  - %s %s: %s\n", label(f.Verdict, false), f.Subject, f.Reason)
		}
	}
	if len(r.Gateway) > 0 {
		fmt.Fprintf(w, "\nGateway %s/%s:\n", r.Namespace, r.Name)
		for _, f := range r.Gateway {
			subject := f.Field
			if f.Value != "" {
				subject += fmt.Sprintf(" %q", f.Value)
			}
			fmt.Fprintf(w, "  - %s %s: %s\n", label(f.Verdict, f.Refused), subject, f.Message)
		}
	}
}

// label is a finding's fixed-width tag.
func label(v migrate.Verdict, refused bool) string {
	switch {
	case refused:
		return "[refused]"
	case v == migrate.Breaks:
		return "[breaks] "
	case v == migrate.WorksWithDifferences:
		return "[differs]"
	}
	return "[ok]     "
}
