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

// Command promrules writes the files hack/promtool.sh hands to promtool
// into -out: the PrometheusRule's spec as a plain rule file (the rules
// exist only in config/prometheus/alerts.yaml) and the dashboard's queries
// as recording rules, so promtool parses those too.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/portico-dev/portico/test/alerts"
)

func main() {
	root := flag.String("root", ".", "repository root")
	out := flag.String("out", "", "directory to write "+alerts.RuleFileName+" and dashboard.rules.yaml into")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "promrules: -out is required")
		os.Exit(2)
	}
	if err := run(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "promrules:", err)
		os.Exit(1)
	}
}

func run(root, out string) error {
	rules, err := alerts.RuleFile(filepath.Join(root, alerts.AlertsFile))
	if err != nil {
		return err
	}
	queries, err := alerts.DashboardQueries(filepath.Join(root, alerts.DashboardFile))
	if err != nil {
		return err
	}
	dash, err := alerts.DashboardRuleFile(queries)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, alerts.RuleFileName), rules, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "dashboard.rules.yaml"), dash, 0o644)
}
