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
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/classrules"
	"github.com/portico-dev/portico/internal/crdschema"
	"github.com/portico-dev/portico/internal/facts"
	"github.com/portico-dev/portico/internal/render"
)

// placeholderUID stands in for the gateway's UID, which only the cluster
// assigns. It is deliberately not a UUID, so nobody mistakes it for one.
const placeholderUID = render.Placeholder

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runRender(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("portico render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files stringList
	fs.Var(&files, "f", "file or directory (its .yaml, .yml and .json files) with IngressGateways, several documents allowed; - for stdin; repeatable")
	namespace := fs.String("namespace", "default", "namespace of gateways that name none")
	// The operator's own rendering flags, so a rendering here is the
	// operator's and its advice names flags that exist.
	cfg := render.DefaultConfig()
	render.BindFlags(fs, &cfg)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: portico render -f gateway.yaml [-f more.yaml] [flags]")
		fmt.Fprintln(stderr, "Prints, in apply order, exactly the objects the operator applies for the gateways. No cluster needed.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	if len(files) == 0 {
		fs.Usage()
		return 2
	}
	var gws []*v1alpha1.IngressGateway
	var classes []v1alpha1.IngressGatewayClass
	var grants []v1alpha1.IngressGatewayGrant
	failed := false
	for _, f := range files {
		docs, err := readDocuments(f, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		for i, doc := range docs {
			kind, name := peekKind(doc)
			switch kind {
			case "IngressGatewayClass":
				c := v1alpha1.IngressGatewayClass{}
				if err := yaml.UnmarshalStrict(doc, &c); err != nil {
					fmt.Fprintf(stderr, "%s: document %d: IngressGatewayClass %q: %v\n", f, i+1, name, err)
					failed = true
				}
				classes = append(classes, c)
				continue
			case "IngressGatewayGrant":
				g := v1alpha1.IngressGatewayGrant{}
				if err := yaml.UnmarshalStrict(doc, &g); err != nil {
					fmt.Fprintf(stderr, "%s: document %d: IngressGatewayGrant %q: %v\n", f, i+1, name, err)
					failed = true
				}
				grants = append(grants, g)
				continue
			}
			if kind != "IngressGateway" {
				fmt.Fprintf(stderr, "%s: document %d: skipping %s %q (not an IngressGateway)\n", f, i+1, kind, name)
				continue
			}
			gw, err := decodeGateway(doc, *namespace)
			if err != nil {
				fmt.Fprintf(stderr, "%s: document %d: %v\n", f, i+1, err)
				failed = true
				continue
			}
			gws = append(gws, gw)
		}
	}
	if failed {
		return 1
	}
	if len(gws) == 0 {
		fmt.Fprintln(stderr, "error: no IngressGateway found")
		return 1
	}
	hasDefault := slices.ContainsFunc(classes, func(c v1alpha1.IngressGatewayClass) bool { return c.Spec.Default })
	var out bytes.Buffer
	for _, gw := range gws {
		gwCfg := cfg
		if gw.Spec.GatewayClassName == "" && !hasDefault {
			fmt.Fprintf(stderr, "IngressGateway %s/%s: note: its class (the cluster's default) is not in the input: class rules are not checked, and the class's images and scope are not applied (add the class with another -f, e.g. config/class/default.yaml)\n", gw.Namespace, gw.Name)
		} else {
			class, err := classrules.Resolve(gw, classes)
			if err != nil {
				fmt.Fprintf(stderr, "IngressGateway %s/%s: %v\n", gw.Namespace, gw.Name, err)
				return 1
			}
			if class.Spec.AllowedNamespaces.Selector != nil && !classrules.NamespaceAllowed(class, gw.Namespace, nil) {
				fmt.Fprintf(stderr, "IngressGateway %s/%s: note: IngressGatewayClass %q selects namespaces by label, which only the cluster knows; the namespace rule is not checked here\n", gw.Namespace, gw.Name, class.Name)
				class = class.DeepCopy()
				class.Spec.AllowedNamespaces.All = true
			}
			if vs := classrules.Check(classrules.Input{Gateway: gw, Class: class, Grants: grants}); len(vs) > 0 {
				for _, v := range vs {
					fmt.Fprintf(stderr, "IngressGateway %s/%s: %s\n", gw.Namespace, gw.Name, v)
				}
				return 1
			}
			gwCfg = cfg.ForClass(class)
			// As the operator does: the gateway as its driver runs it.
			gw = facts.ForDriver(gw, gwCfg.DriverName())
		}
		res, err := render.Render(gw, gwCfg)
		if err != nil {
			fmt.Fprintf(stderr, "IngressGateway %s/%s: %v\n", gw.Namespace, gw.Name, err)
			return 1
		}
		b, err := render.YAML(res.Objects)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		if out.Len() > 0 {
			out.WriteString("---\n")
		}
		fmt.Fprintf(&out, "# IngressGateway %s/%s: %d objects, in apply order.\n", gw.Namespace, gw.Name, len(res.Objects))
		if gw.UID == placeholderUID {
			fmt.Fprintf(&out, "# ownerReferences[].uid and the ingress.portico.dev/gateway-uid annotation are placeholders (%s): the cluster assigns the gateway's UID.\n", placeholderUID)
			fmt.Fprintf(&out, "# Review this output; apply the IngressGateway itself, not these objects.\n")
			fmt.Fprintf(stderr, "IngressGateway %s/%s: placeholder for input from the cluster: ownerReferences[].uid (the gateway's UID)\n", gw.Namespace, gw.Name)
		}
		if gw.Spec.AdmissionWebhook.IsEnabled() {
			// Key material is never printed: the operator issues it in the
			// cluster and keeps it there.
			fmt.Fprintf(&out, "# The admission webhook's certificates are placeholders (%s): the operator issues them into Secrets %s and %s and the caBundle.\n",
				render.Placeholder, render.WebhookCASecretName(gw).Name, render.WebhookCertSecretName(gw).Name)
			fmt.Fprintf(stderr, "IngressGateway %s/%s: placeholder for input from the cluster: the admission webhook's certificates (Secrets %s and %s, webhooks[].clientConfig.caBundle)\n",
				gw.Namespace, gw.Name, render.WebhookCASecretName(gw).Name, render.WebhookCertSecretName(gw).Name)
		}
		out.Write(b)
	}
	_, _ = stdout.Write(out.Bytes())
	return 0
}

// decodeGateway validates and defaults one IngressGateway document exactly
// as the API server would, filling in what only a cluster provides.
func decodeGateway(doc []byte, namespace string) (*v1alpha1.IngressGateway, error) {
	gw, err := crdschema.Decode(doc)
	if err != nil {
		return nil, err
	}
	if gw.Namespace == "" {
		gw.Namespace = namespace
	}
	if gw.UID == "" {
		gw.UID = placeholderUID
	}
	return gw, nil
}

// readDocuments splits a YAML/JSON stream into documents; `kind: List`
// documents are expanded into their items.
// parseExit is the exit code for a flag parsing error: 0 for -h, which
// asked for the usage the flag package printed, else 2.
func parseExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// readDocuments returns the documents of a file, of stdin ("-"), or of
// every .yaml, .yml and .json file of a directory (not its subdirectories,
// as kubectl apply -f without -R), in name order.
func readDocuments(path string, stdin io.Reader) ([][]byte, error) {
	if path != "-" {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			entries, err := os.ReadDir(path)
			if err != nil {
				return nil, err
			}
			var docs [][]byte
			for _, e := range entries {
				switch filepath.Ext(e.Name()) {
				case ".yaml", ".yml", ".json":
				default:
					continue
				}
				if e.IsDir() {
					continue
				}
				d, err := readDocuments(filepath.Join(path, e.Name()), stdin)
				if err != nil {
					return nil, err
				}
				docs = append(docs, d...)
			}
			if len(docs) == 0 {
				return nil, fmt.Errorf("%s: a directory without .yaml, .yml or .json files", path)
			}
			return docs, nil
		}
	}
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer func() { _ = f.Close() }() // read only
		r = f
	}
	dec := utilyaml.NewYAMLReader(bufioReader(r))
	var docs [][]byte
	for {
		doc, err := dec.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		items, err := expandList(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		docs = append(docs, items...)
	}
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// expandList returns the items of a `kind: List` document (what
// `kubectl get -o yaml` prints), or the document itself.
func expandList(doc []byte) ([][]byte, error) {
	kind, _ := peekKind(doc)
	if kind != "List" && !strings.HasSuffix(kind, "List") {
		return [][]byte{doc}, nil
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := yaml.Unmarshal(doc, &list); err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(list.Items))
	for _, it := range list.Items {
		b, err := yaml.Marshal(it)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// peekKind returns a document's kind and name without validating it.
func peekKind(doc []byte) (string, string) {
	u := &unstructured.Unstructured{}
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return "", ""
	}
	if err := u.UnmarshalJSON(j); err != nil {
		return "", ""
	}
	return u.GetKind(), u.GetName()
}
