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

package importer

import (
	"slices"
	"testing"

	"github.com/portico-dev/portico/api/v1alpha1"
	"github.com/portico-dev/portico/internal/facts"
)

// TestOwnedFlagsNeverBecomeExtraArgs: every flag the operator owns is
// mapped onto its field or dropped with a reason, never carried into
// spec.controller.extraArgs, which the CRD would refuse.
func TestOwnedFlagsNeverBecomeExtraArgs(t *testing.T) {
	for _, name := range facts.OwnedFlags() {
		t.Run(name, func(t *testing.T) {
			r := &importRun{o: &objects{}, gw: &v1alpha1.IngressGateway{}}
			r.flags([]string{name, "enable-metrics"}, map[string]string{name: "ns/value", "enable-metrics": "true"})
			if _, ok := r.gw.Spec.Controller.ExtraArgs[name]; ok {
				t.Errorf("--%s became an extraArg", name)
			}
			if !slices.Contains(r.report.ExtraArgs, "--enable-metrics=true") {
				t.Errorf("a flag the operator does not own was not carried: %v", r.report.ExtraArgs)
			}
		})
	}
}
