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

package rbaccheck_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/portico-dev/portico/internal/kustomize"
	"github.com/portico-dev/portico/internal/rbaccheck"
	"github.com/portico-dev/portico/internal/testenv"
)

// managerRole is the operator's ClusterRole (generated from the
// +kubebuilder:rbac markers).
const managerRole = "ClusterRole portico-manager-role"

// secretWritePolicy confines the operator's Secret writes in kustomize
// installs (config/rbac/secret_write_policy.yaml); controllers/
// packaging_test.go proves the API server enforces it.
const secretWritePolicy = "portico-manager-secret-writes"

// Why the operator writes Secrets at all: every gateway's data-plane
// admission webhook gets a CA Secret and a serving-certificate Secret in the
// gateway's namespace (any namespace, names derived from the gateway), and
// the operator's own webhook keeps its self-signed certificate in a Secret
// of its namespace. RBAC cannot express "Secrets with my labels", and
// resourceNames cannot restrict create, so the rule is cluster-wide; the
// guard is the ValidatingAdmissionPolicy (kustomize) or, under OLM, which
// cannot ship one, the operator's ownership check (it never writes or
// deletes a Secret without its labels; controllers' NameConflict test).
var kustomizeSecretWriter = rbaccheck.Exception{Role: managerRole,
	Reason: "per-gateway webhook CA/serving Secrets and the operator's webhook certificate; confined by ValidatingAdmissionPolicy " + secretWritePolicy}

// installs are the kustomize builds users apply.
func installs() []string {
	dirs := []string{"config/default"}
	overlays, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "overlays", "*", "kustomization.yaml"))
	for _, o := range overlays {
		rel, _ := filepath.Rel(testenv.RepoRoot(), filepath.Dir(o))
		dirs = append(dirs, rel)
	}
	return dirs
}

func TestShippedRBACIsLeastPrivilege(t *testing.T) {
	dirs := installs()
	if len(dirs) < 5 {
		t.Fatalf("found installs %v: want config/default and the four overlays", dirs)
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			objs, err := kustomize.Build(filepath.Join(testenv.RepoRoot(), dir))
			if err != nil {
				t.Fatal(err)
			}
			var roles []rbaccheck.Role
			var shipped []string
			policy, binding := false, false
			for _, o := range objs {
				switch o.GetKind() {
				case "ClusterRole", "Role":
					r := &rbacv1.ClusterRole{}
					if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, r); err != nil {
						t.Fatal(err)
					}
					roles = append(roles, rbaccheck.Role{Name: o.GetKind() + " " + o.GetName(), Rules: r.Rules})
					if o.GetKind() == "ClusterRole" {
						shipped = append(shipped, o.GetName())
					}
				case "ValidatingAdmissionPolicy":
					policy = policy || o.GetName() == secretWritePolicy
				case "ValidatingAdmissionPolicyBinding":
					actions, _, _ := unstructured.NestedStringSlice(o.Object, "spec", "validationActions")
					name, _, _ := unstructured.NestedString(o.Object, "spec", "policyName")
					binding = binding || (name == secretWritePolicy && slices.Contains(actions, "Deny"))
				}
			}
			listRules(t, roles)
			var writers []rbaccheck.Exception
			if policy && binding {
				writers = append(writers, kustomizeSecretWriter)
			} else {
				t.Logf("no enforcing %s in this install: Secret writes are not excepted", secretWritePolicy)
			}
			for _, f := range rbaccheck.Check(roles, shipped, writers) {
				t.Errorf("least privilege: %v", f)
			}
		})
	}
}

// TestBundleRBACIsLeastPrivilege checks the CSV's permissions and the
// ClusterRoles the bundle ships.
func TestBundleRBACIsLeastPrivilege(t *testing.T) {
	dir := filepath.Join(testenv.RepoRoot(), "bundle", "manifests")
	var csv struct {
		Spec struct {
			Install struct {
				Spec struct {
					Permissions        []struct{ Rules []rbacv1.PolicyRule } `json:"permissions"`
					ClusterPermissions []struct{ Rules []rbacv1.PolicyRule } `json:"clusterPermissions"`
				} `json:"spec"`
			} `json:"install"`
		} `json:"spec"`
	}
	readYAML(t, filepath.Join(dir, "portico.clusterserviceversion.yaml"), &csv)
	var roles []rbaccheck.Role
	var shipped []string
	for _, p := range csv.Spec.Install.Spec.ClusterPermissions {
		roles = append(roles, rbaccheck.Role{Name: "CSV clusterPermissions", Rules: p.Rules})
	}
	for _, p := range csv.Spec.Install.Spec.Permissions {
		roles = append(roles, rbaccheck.Role{Name: "CSV permissions", Rules: p.Rules})
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*_clusterrole.yaml"))
	for _, f := range files {
		r := &rbacv1.ClusterRole{}
		readYAML(t, f, r)
		roles = append(roles, rbaccheck.Role{Name: "ClusterRole " + r.Name, Rules: r.Rules})
		shipped = append(shipped, r.Name)
	}
	if len(roles) < 3 {
		t.Fatalf("bundle: found %d roles, want the CSV's and the data-plane ClusterRoles", len(roles))
	}
	listRules(t, roles)
	writers := []rbaccheck.Exception{{Role: "CSV clusterPermissions",
		Reason: "per-gateway webhook Secrets; a registry+v1 bundle cannot ship the ValidatingAdmissionPolicy, so the operator's ownership check is the guard under OLM"}}
	for _, f := range rbaccheck.Check(roles, shipped, writers) {
		t.Errorf("least privilege: %v", f)
	}
}

// TestCheckRejects proves every rule of the check fires.
func TestCheckRejects(t *testing.T) {
	rule := func(groups, resources, verbs []string, names ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{APIGroups: groups, Resources: resources, Verbs: verbs, ResourceNames: names}
	}
	core, rbac := []string{""}, []string{"rbac.authorization.k8s.io"}
	for _, tc := range []struct {
		rule rbacv1.PolicyRule
		want string
	}{
		{rule([]string{"apps"}, []string{"deployments"}, []string{"*"}), `verb "*"`},
		{rule(core, []string{"*"}, []string{"get"}), `resource "*"`},
		{rule([]string{"*"}, []string{"pods"}, []string{"get"}), `apiGroup "*"`},
		{rule(rbac, []string{"clusterroles"}, []string{"escalate"}), "escalate"},
		{rule(core, []string{"users"}, []string{"impersonate"}), "impersonate"},
		{rule(rbac, []string{"clusterroles"}, []string{"bind"}), "restrict it with resourceNames"},
		{rule(rbac, []string{"clusterroles"}, []string{"bind"}, "cluster-admin"), "does not ship"},
		{rule(core, []string{"secrets"}, []string{"get", "patch"}), "writes Secrets"},
		{rule(core, []string{"secrets", "configmaps"}, []string{"deletecollection"}), "writes Secrets"},
		{rule([]string{"apiextensions.k8s.io"}, []string{"customresourcedefinitions"}, []string{"create"}), "CustomResourceDefinitions"},
	} {
		got := rbaccheck.Check([]rbaccheck.Role{{Name: "ClusterRole x", Rules: []rbacv1.PolicyRule{tc.rule}}}, []string{"shipped"}, nil)
		if len(got) == 0 || !strings.Contains(got[0].Reason, tc.want) {
			t.Errorf("%s: got %v, want a finding %q", rbaccheck.FormatRule(tc.rule), got, tc.want)
		}
	}
	// What passes: reads, bind on a shipped role, and Secret writes of an
	// excepted role.
	ok := []rbacv1.PolicyRule{
		rule(core, []string{"secrets"}, []string{"get", "list", "watch"}),
		rule(rbac, []string{"clusterroles"}, []string{"bind"}, "shipped"),
	}
	if got := rbaccheck.Check([]rbaccheck.Role{{Name: "ClusterRole x", Rules: ok}}, []string{"shipped"}, nil); len(got) != 0 {
		t.Errorf("least-privilege rules rejected: %v", got)
	}
	writes := []rbacv1.PolicyRule{rule(core, []string{"secrets"}, []string{"create"})}
	if got := rbaccheck.Check([]rbaccheck.Role{{Name: "ClusterRole x", Rules: writes}}, nil, []rbaccheck.Exception{{Role: "ClusterRole x"}}); len(got) != 0 {
		t.Errorf("excepted Secret writer rejected: %v", got)
	}
}

// listRules logs every rule, so the test output is the RBAC review.
func listRules(t *testing.T, roles []rbaccheck.Role) {
	t.Helper()
	for _, r := range roles {
		for _, rule := range r.Rules {
			t.Logf("%s: %s", r.Name, rbaccheck.FormatRule(rule))
		}
	}
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
