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

package render

import (
	"flag"
	"os"
)

// ImageEnv names the environment variable OLM sets to the controller image
// it mirrored (RELATED_IMAGE_*); it is the default of --default-controller-image.
const ImageEnv = "RELATED_IMAGE_INGRESS_NGINX"

// TraefikImageEnv names the environment variable with the default image of
// the traefik driver; it is the default of --default-traefik-image.
const TraefikImageEnv = "RELATED_IMAGE_TRAEFIK"

// KeepalivedImageEnv names the environment variable with the default
// keepalived sidecar image (OLM's RELATED_IMAGE_* convention).
const KeepalivedImageEnv = "RELATED_IMAGE_KEEPALIVED"

// BindFlags registers the flags that configure rendering on fs, with
// cfg's values (after the environment's images) as defaults. The operator
// and `portico render` both call it, so the advice in a rendering error
// (pass --default-keepalived-image, say) holds for either.
func BindFlags(fs *flag.FlagSet, cfg *Config) {
	if img := os.Getenv(ImageEnv); img != "" {
		cfg.ControllerImage = img
	}
	if img := os.Getenv(KeepalivedImageEnv); img != "" {
		cfg.KeepalivedImage = img
	}
	if img := os.Getenv(TraefikImageEnv); img != "" {
		cfg.TraefikImage = img
	}
	fs.StringVar(&cfg.ControllerImage, "default-controller-image", cfg.ControllerImage,
		"Controller image for gateways (and classes) that set none; pin it by digest. Defaults to $"+ImageEnv+" when set.")
	fs.StringVar(&cfg.TraefikImage, "default-traefik-image", cfg.TraefikImage,
		"Traefik image for gateways of traefik-driver classes that set none; pin it by digest. Defaults to $"+TraefikImageEnv+" when set.")
	fs.StringVar(&cfg.KeepalivedImage, "default-keepalived-image", cfg.KeepalivedImage,
		"keepalived sidecar image for gateways with spec.vip that set none (keepalived, /bin/sh, ip, curl); pin it by digest. Defaults to $"+KeepalivedImageEnv+".")
	fs.StringVar(&cfg.ClusterRole, "dataplane-clusterrole", cfg.ClusterRole, "ClusterRole bound to every fleet cluster-wide.")
	fs.StringVar(&cfg.NamespacedClusterRole, "dataplane-namespaced-clusterrole", cfg.NamespacedClusterRole,
		"ClusterRole bound to every fleet in its own namespace.")
	fs.StringVar(&cfg.ScopedClusterRole, "dataplane-scoped-clusterrole", cfg.ScopedClusterRole,
		"ClusterRole bound cluster-wide to fleets whose class has scope GatewayNamespace (IngressClasses and Nodes, no Secrets).")
	fs.StringVar(&cfg.TraefikClusterRole, "traefik-clusterrole", cfg.TraefikClusterRole, "ClusterRole bound to every traefik fleet cluster-wide.")
	fs.StringVar(&cfg.TraefikNamespacedClusterRole, "traefik-namespaced-clusterrole", cfg.TraefikNamespacedClusterRole,
		"ClusterRole bound to traefik fleets of scope GatewayNamespace in their own namespace.")
	fs.StringVar(&cfg.TraefikScopedClusterRole, "traefik-scoped-clusterrole", cfg.TraefikScopedClusterRole,
		"ClusterRole bound cluster-wide to traefik fleets of scope GatewayNamespace (IngressClasses only).")
}
