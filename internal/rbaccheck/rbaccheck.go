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

// Package rbaccheck is the least-privilege check on the RBAC Portico ships
// (config/default, every overlay and the OLM bundle's CSV). It fails on:
//   - "*" in verbs, resources or apiGroups, and nonResourceURLs;
//   - the verbs escalate and impersonate;
//   - bind, unless restricted by resourceNames to ClusterRoles the same
//     install ships (the data-plane roles the operator binds fleets to:
//     holding bind on exactly them is what spares it escalate);
//   - create/update/patch/delete/deletecollection on Secrets, unless the rule
//     is an Exception and the install confines it (see SecretWriteGuard);
//   - create/update/patch/delete on CustomResourceDefinitions (OLM's
//     good practices: an operator does not manage CRDs).
package rbaccheck

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Role is one set of rules under a name (a ClusterRole, a Role, or a CSV
// permission entry).
type Role struct {
	// Name says where the rules come from, e.g. "ClusterRole portico-manager-role".
	Name  string
	Rules []rbacv1.PolicyRule
}

// Exception lets one role write Secrets, with the reason.
type Exception struct {
	Role   string
	Reason string
}

// Finding is one rule the check rejects.
type Finding struct {
	Role   string
	Rule   rbacv1.PolicyRule
	Reason string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Role, FormatRule(f.Rule), f.Reason)
}

var secretWrites = []string{"create", "update", "patch", "delete", "deletecollection"}
var crdWrites = []string{"create", "update", "patch", "delete", "deletecollection"}

// Check returns every rule of roles that breaks least privilege.
// shippedClusterRoles are the ClusterRoles the same install contains (bind
// may name only those); secretWriters are the roles allowed to write
// Secrets (only valid when the caller has checked the install confines
// those writes).
func Check(roles []Role, shippedClusterRoles []string, secretWriters []Exception) []Finding {
	var out []Finding
	for _, r := range roles {
		for _, rule := range r.Rules {
			bad := func(reason string) { out = append(out, Finding{Role: r.Name, Rule: rule, Reason: reason}) }
			if slices.Contains(rule.Verbs, "*") {
				bad(`verb "*"`)
			}
			if slices.Contains(rule.Resources, "*") || slices.ContainsFunc(rule.Resources, func(s string) bool { return strings.HasSuffix(s, "/*") }) {
				bad(`resource "*"`)
			}
			if slices.Contains(rule.APIGroups, "*") {
				bad(`apiGroup "*"`)
			}
			// GET /metrics alone is the metrics reader's (for Prometheus,
			// not the operator): read-only, no object contents.
			if len(rule.NonResourceURLs) > 0 && !(slices.Equal(rule.NonResourceURLs, []string{"/metrics"}) && slices.Equal(rule.Verbs, []string{"get"})) {
				bad("nonResourceURLs beyond GET /metrics")
			}
			for _, v := range []string{"escalate", "impersonate"} {
				if slices.Contains(rule.Verbs, v) {
					bad("verb " + v)
				}
			}
			if slices.Contains(rule.Verbs, "bind") {
				switch {
				case len(rule.ResourceNames) == 0:
					bad("bind on any role: restrict it with resourceNames to the roles the operator hands out")
				case !slices.Equal(rule.Resources, []string{"clusterroles"}) || !slices.Equal(rule.APIGroups, []string{rbacv1.GroupName}):
					bad("bind on anything but the shipped ClusterRoles")
				default:
					for _, n := range rule.ResourceNames {
						if !slices.Contains(shippedClusterRoles, n) {
							bad("bind on ClusterRole " + n + ", which this install does not ship")
						}
					}
				}
			}
			if matches(rule, "", "secrets") && slices.ContainsFunc(rule.Verbs, func(v string) bool { return slices.Contains(secretWrites, v) }) &&
				!slices.ContainsFunc(secretWriters, func(e Exception) bool { return e.Role == r.Name }) {
				bad("writes Secrets, and nothing confines it to the Secrets Portico owns")
			}
			if matches(rule, "apiextensions.k8s.io", "customresourcedefinitions") && slices.ContainsFunc(rule.Verbs, func(v string) bool { return slices.Contains(crdWrites, v) }) {
				bad("writes CustomResourceDefinitions: the installer owns the CRD")
			}
		}
	}
	return out
}

// matches reports whether rule covers resource in group.
func matches(rule rbacv1.PolicyRule, group, resource string) bool {
	return (slices.Contains(rule.APIGroups, group) || slices.Contains(rule.APIGroups, "*")) &&
		(slices.Contains(rule.Resources, resource) || slices.Contains(rule.Resources, "*"))
}

// FormatRule prints a rule on one line, for listings.
func FormatRule(r rbacv1.PolicyRule) string {
	groups := make([]string, len(r.APIGroups))
	for i, g := range r.APIGroups {
		if g == "" {
			g = "core"
		}
		groups[i] = g
	}
	s := fmt.Sprintf("[%s] %s: %s", strings.Join(groups, ","), strings.Join(r.Resources, ","), strings.Join(r.Verbs, ","))
	if len(r.ResourceNames) > 0 {
		s += " (names " + strings.Join(r.ResourceNames, ",") + ")"
	}
	if len(r.NonResourceURLs) > 0 {
		s += " urls " + strings.Join(r.NonResourceURLs, ",")
	}
	return s
}
