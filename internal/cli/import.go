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
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/importer"
)

func runImport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("portico import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files stringList
	fs.Var(&files, "f", "dump of the install (kubectl get ds,deploy,cm,svc,sa,role,rolebinding,job -n NS -o yaml; kubectl get ingressclass,clusterrole,clusterrolebinding,validatingwebhookconfiguration -o yaml; kubectl get ingress -A -o yaml); repeatable; - for stdin")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster to read the install from (default: $KUBECONFIG or ~/.kube/config, as kubectl)")
	kubeContext := fs.String("context", "", "kubeconfig context (default: the current context)")
	namespace := fs.String("namespace", "", "namespace of the install, read from the cluster (without -f)")
	opts := importer.Options{}
	fs.StringVar(&opts.Name, "name", "", "name of the IngressGateway (default: the IngressClass name)")
	fs.StringVar(&opts.Workload, "workload", "", "name of the controller DaemonSet/Deployment when there are several")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: portico import (-f dump.yaml | --namespace NS [--kubeconfig FILE] [--context NAME]) [flags]")
		fmt.Fprintln(stderr, "Writes the equivalent IngressGateway to stdout and the report and switch-over plan to stderr.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	var objs []*unstructured.Unstructured
	switch {
	case len(files) > 0 && *kubeconfig == "" && *kubeContext == "":
		for _, f := range files {
			docs, err := readDocuments(f, stdin)
			if err != nil {
				fmt.Fprintf(stderr, "error: %v\n", err)
				return 1
			}
			for _, d := range docs {
				u := &unstructured.Unstructured{}
				j, err := yaml.YAMLToJSON(d)
				if err == nil {
					err = u.UnmarshalJSON(j)
				}
				if err != nil {
					fmt.Fprintf(stderr, "%s: %v\n", f, err)
					return 1
				}
				objs = append(objs, u)
			}
		}
	case len(files) == 0:
		if *namespace == "" {
			fmt.Fprintln(stderr, "error: --namespace is required to read an install from the cluster (or give a dump with -f)")
			fs.Usage()
			return 2
		}
		var err error
		objs, opts.Unread, err = fromCluster(context.Background(), *kubeconfig, *kubeContext, *namespace)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		opts.Live = true
	default:
		fs.Usage()
		return 2
	}

	res, err := importer.Import(objs, opts)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	out, err := yaml.Marshal(res.Gateway)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	out = []byte(strings.Replace(string(out), "  creationTimestamp: null\n", "", 1))
	// The result must pass the same validation the API server applies.
	if _, err := crdschema.Decode(out); err != nil {
		fmt.Fprintf(stderr, "error: the imported gateway is not valid, fix the install or edit the output:\n%v\n", err)
		_, _ = stdout.Write(out)
		return 1
	}
	writeReport(stderr, res.Report)
	fmt.Fprintf(stdout, "# Imported by portico import from %s (%s).\n", res.Report.Source, res.Report.Layout)
	_, _ = stdout.Write(out)
	// The class (and grants) that admit the gateway, for a cluster admin.
	for _, o := range append([]any{res.Class}, grantsOf(res)...) {
		b, err := yaml.Marshal(o)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "---\n%s", strings.Replace(string(b), "  creationTimestamp: null\n", "", 1))
	}
	return 0
}

func writeReport(w io.Writer, r importer.Report) {
	fmt.Fprintf(w, "Imported %s (%s)\n", r.Source, r.Layout)
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, l := range lines {
			fmt.Fprintf(w, "  - %s\n", l)
		}
	}
	section("Carried over", r.Carried)
	section("Carried verbatim into spec.controller.extraArgs", r.ExtraArgs)
	var dropped []string
	for _, d := range r.Dropped {
		dropped = append(dropped, d.What+": "+d.Why)
	}
	section("Not carried over", dropped)
	var streams []string
	for _, s := range r.Streams {
		l := fmt.Sprintf("%q: %q: %s", s.Key, s.Value, s.Reason)
		if s.Suggestion != "" {
			l += fmt.Sprintf("; probably meant %q (add it to spec.tcp/udp yourself)", s.Suggestion)
		}
		streams = append(streams, l)
	}
	section("tcp/udp entries ingress-nginx ignores (not imported)", streams)
	section("Check before switching", r.Check)
	if len(r.Plan) > 0 {
		fmt.Fprintln(w, "\nSwitch-over plan:")
		for i, p := range r.Plan {
			fmt.Fprintf(w, "  %d. %s\n", i+1, p)
		}
	}
}

// fromCluster reads the objects an import looks at from a cluster, and
// names the kinds it was not allowed to list among those only the report
// and plan need.
func fromCluster(ctx context.Context, kubeconfig, kubeContext, namespace string) ([]*unstructured.Unstructured, []string, error) {
	// As kubectl: --kubeconfig, else $KUBECONFIG, else ~/.kube/config,
	// and the current context unless one is named.
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, nil, err
	}
	var out []*unstructured.Unstructured
	var unread []string
	const inNamespace, clusterWide, allNamespaces = 0, 1, 2
	kinds := []struct {
		gvk   schema.GroupVersionKind
		scope int
		// optional kinds feed only the report and plan: without the
		// right to list them the import still works.
		optional bool
	}{
		{schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSetList"}, inNamespace, false},
		{schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DeploymentList"}, inNamespace, false},
		{schema.GroupVersionKind{Version: "v1", Kind: "ConfigMapList"}, inNamespace, false},
		{schema.GroupVersionKind{Version: "v1", Kind: "ServiceList"}, inNamespace, false},
		{schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "IngressClassList"}, clusterWide, false},
		// Every namespace's Ingresses: those without a class are reported.
		{schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "IngressList"}, allNamespaces, true},
		{schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccountList"}, inNamespace, true},
		{schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleList"}, inNamespace, true},
		{schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBindingList"}, inNamespace, true},
		{schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "JobList"}, inNamespace, true},
		{schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleList"}, clusterWide, true},
		{schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBindingList"}, clusterWide, true},
		{schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingWebhookConfigurationList"}, clusterWide, true},
	}
	for _, k := range kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(k.gvk)
		var opts []client.ListOption
		if k.scope == inNamespace {
			opts = append(opts, client.InNamespace(namespace))
		}
		if err := c.List(ctx, list, opts...); err != nil {
			if k.optional && apierrors.IsForbidden(err) {
				kind := strings.TrimSuffix(k.gvk.Kind, "List")
				if strings.HasSuffix(kind, "s") {
					kind += "e"
				}
				unread = append(unread, kind+"s")
				continue
			}
			return nil, nil, fmt.Errorf("list %s: %w", strings.TrimSuffix(k.gvk.Kind, "List"), err)
		}
		for i := range list.Items {
			it := list.Items[i]
			it.SetKind(strings.TrimSuffix(k.gvk.Kind, "List"))
			it.SetAPIVersion(k.gvk.GroupVersion().String())
			out = append(out, &it)
		}
	}
	return out, unread, nil
}

func grantsOf(res *importer.Result) []any {
	out := make([]any, 0, len(res.Grants))
	for _, g := range res.Grants {
		out = append(out, g)
	}
	return out
}
