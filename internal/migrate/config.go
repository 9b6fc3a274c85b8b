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

package migrate

import "github.com/portico-dev/portico/internal/facts"

// ProviderFlagPrefix starts the command-line flag of every option of
// Traefik's kubernetesIngressNGINX provider:
// ProviderFlagPrefix + option + "=" + converted value.
const ProviderFlagPrefix = facts.ProviderFlagPrefix

// EntryPointFlags are the flags of an entry-point option (facts.EntryPointOption)
// on the http and https entry points.
func EntryPointFlags(option, value string) string {
	return "--entryPoints.web." + option + "=" + value + " --entryPoints.websecure." + option + "=" + value
}

// ConfigOption is an ingress-nginx ConfigMap key Traefik's provider has an
// option for (facts holds the one table the renderer uses too).
type ConfigOption = facts.ConfigOption

// ConfigOptions returns the ConfigMap keys Traefik's provider has an
// option for, sorted by key.
func ConfigOptions() []ConfigOption { return facts.TraefikConfigOptions() }

// TraefikConfigOption is facts.TraefikConfigOption: the translation the
// traefik driver renders and admission enforces.
func TraefikConfigOption(key, value string) (option, converted string, ok bool, err error) {
	return facts.TraefikConfigOption(key, value)
}
