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
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/version"

	"github.com/portico-dev/portico/internal/render"
)

// minControllerVersion is the oldest ingress-nginx the rendered fleet can
// run: v1.0.0 brought --controller-class, which Portico always passes, and
// --watch-ingress-without-class, and reads networking.k8s.io/v1 Ingresses.
var minControllerVersion = version.MustParseGeneric("1.0.0")

// imageTag returns img's tag without any digest, or "" when it has none.
func imageTag(img string) string {
	name, _, _ := strings.Cut(img, "@")
	i := strings.LastIndex(name, ":")
	if i < 0 || strings.Contains(name[i:], "/") {
		return "" // no tag, or the ':' was a registry port
	}
	return name[i+1:]
}

// imageVersion returns the version img's tag names, or nil when the tag is
// no version (digest only, latest, custom tags).
func imageVersion(img string) *version.Version {
	v, err := version.ParseGeneric(imageTag(img))
	if err != nil {
		return nil
	}
	return v
}

// image carries the controller image over when the fleet can run it: a
// class lets a gateway name only digest-pinned images, and the flags
// Portico renders need ingress-nginx v1.0.0 or newer.
func (r *importRun) image(c *corev1.Container) {
	tag := imageTag(c.Image)
	def := "ingress-nginx " + imageTag(render.DefaultControllerImage)
	runsDefault := "the gateway runs the class's dataPlane.image or the operator's default (" + def + ", pinned)"
	switch {
	case r.version != nil && r.version.LessThan(minControllerVersion):
		r.dropped("controller image "+c.Image, fmt.Sprintf("ingress-nginx %s is older than v1.0.0, the first release that accepts --controller-class (which Portico always passes) "+
			"and --watch-ingress-without-class and reads networking.k8s.io/v1 Ingresses; spec.controller.image is left empty, so %s. "+
			"Annotations, ConfigMap keys and the handling of Ingresses without a class changed between %s and %s: check your Ingresses against %s before switching",
			tag, runsDefault, tag, def, def))
	case pinnedByDigest(c.Image):
		r.gw.Spec.Controller.Image = c.Image
		r.carried("image %s (list it in the class's dataPlane.allowedImages, as the printed class does)", c.Image)
	default:
		r.dropped("controller image "+c.Image, "not pinned by digest, and an IngressGatewayClass lets a gateway name only pinned images; "+
			runsDefault+". To keep this image, pin it (name@sha256:…), list it in the class's dataPlane.allowedImages and set spec.controller.image")
	}
	if r.version != nil {
		return
	}
	why := "it has no tag"
	if tag != "" {
		why = fmt.Sprintf("its tag %q is not a version", tag)
	}
	if r.gw.Spec.Controller.Image != "" {
		r.check("Controller image %s: its version could not be checked (%s). The flags Portico renders need ingress-nginx v1.0.0 or newer: "+
			"if it is older, remove spec.controller.image so the gateway runs %s", c.Image, why, def)
		return
	}
	r.check("Controller image %s: its version could not be checked (%s), so neither could what changes with %s, which the gateway runs instead: "+
		"find the old version with kubectl -n %s exec %s/%s -- /nginx-ingress-controller --version", c.Image, why, def, r.w.namespace, strings.ToLower(r.w.kind), r.w.name)
}
