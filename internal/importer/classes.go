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
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/portico-dev/portico/internal/render"
)

const (
	// defaultControllerClass is ingress-nginx's --controller-class default.
	defaultControllerClass = "k8s.io/ingress-nginx"
	// maxAliases is spec.ingressClass.aliases' MaxItems.
	maxAliases = 8
	// maxNamed caps how many Ingresses a report line names.
	maxNamed = 10
)

// ingressClass names the gateway's IngressClass and its aliases after the
// classes the old controller served: every IngressClass whose
// spec.controller is its --controller-class (ingress-nginx serves them all).
// The one matching --ingress-class, else the cluster default, else the
// first becomes spec.ingressClass.name.
func (r *importRun) ingressClass(flags map[string]string) {
	controllerClass := flags["controller-class"]
	if controllerClass == "" {
		controllerClass = defaultControllerClass
	}
	want := flags["ingress-class"]
	byName := isTrue(flags, "ingress-class-by-name")
	var served []*networkingv1.IngressClass
	for _, ic := range r.o.classes {
		if ic.Spec.Controller == controllerClass || byName && want != "" && ic.Name == want {
			served = append(served, ic)
		}
	}
	r.class = primaryClass(served, want)
	spec := &r.gw.Spec.IngressClass
	spec.Name = want
	if r.class != nil {
		spec.Name = r.class.Name
	}
	if spec.Name == "" {
		spec.Name = "nginx" // the controller's default --ingress-class
	}
	r.carried("IngressClass %s", spec.Name)
	for _, ic := range served {
		if ic == r.class {
			continue
		}
		if len(spec.Aliases) == maxAliases {
			r.dropped("IngressClass "+ic.Name, fmt.Sprintf("also served by the old controller, but a gateway serves at most %d aliases; import a second gateway for it, or move its Ingresses to %s", maxAliases, spec.Name))
			continue
		}
		spec.Aliases = append(spec.Aliases, ic.Name)
		r.aliases = append(r.aliases, ic)
		r.carried("IngressClass %s → spec.ingressClass.aliases (its spec.controller is %s too, so the old controller served it as well; the gateway serves it under the same name)", ic.Name, controllerClass)
	}
	for _, ic := range append([]*networkingv1.IngressClass{r.class}, r.aliases...) {
		if ic == nil || ic.Annotations[render.DefaultClassAnnotation] != "true" {
			continue
		}
		spec.Default = true
		if ic == r.class {
			r.carried("default IngressClass")
		} else {
			r.carried("IngressClass %s was the cluster default; aliases are never the default, so spec.ingressClass.default: true marks %s: Ingresses created without a class now get %s, served by the same gateway",
				ic.Name, spec.Name, spec.Name)
		}
		break
	}
	if want != "" && r.class != nil && r.class.Name != want {
		r.dropped("--ingress-class="+want, fmt.Sprintf("the gateway passes its IngressClass name, %s, as --ingress-class, so Ingresses annotated %s: %s lose their controller; set spec.ingressClassName: %s on them before switching",
			spec.Name, classAnnotation, want, spec.Name))
	}
	// Portico creates no IngressClass over one it did not create.
	for _, ic := range r.o.classes {
		if ic.Name == spec.Name && !slices.Contains(served, ic) {
			r.dropped("IngressClass "+ic.Name, fmt.Sprintf("exists with spec.controller %s, another controller's, so the gateway cannot create its class under that name; set spec.ingressClass.name to an unused name (and move the old controller's Ingresses to it), or delete that class if nothing uses it",
				ic.Spec.Controller))
		}
	}
	if r.class != nil {
		return
	}
	switch {
	case r.opts.Live:
		r.check("The cluster has no IngressClass whose spec.controller is %s: the old controller served Ingresses by their %s annotation only. "+
			"The gateway creates IngressClass %s, not the cluster default: set spec.ingressClass.default: true if Ingresses created without a class should get it",
			controllerClass, classAnnotation, spec.Name)
	case len(r.o.classes) == 0:
		r.check("The input holds no IngressClass objects, so IngressClass %[1]s could not be read: neither whether it exists nor whether it is the cluster default (annotation %[2]s). "+
			"The gateway creates IngressClass %[1]s, not default. Run kubectl get ingressclass: if %[1]s is marked (default), set spec.ingressClass.default: true; "+
			"if it exists at all, re-run the import with kubectl get ingressclass -o yaml in the dump, so the plan replaces it",
			spec.Name, render.DefaultClassAnnotation)
	default:
		var names []string
		for _, ic := range r.o.classes {
			names = append(names, ic.Name)
		}
		r.check("None of the input's IngressClasses (%s) has spec.controller %s: the old controller served Ingresses by their %s annotation only. "+
			"The gateway creates IngressClass %s, not the cluster default: set spec.ingressClass.default: true if Ingresses created without a class should get it",
			strings.Join(names, ", "), controllerClass, classAnnotation, spec.Name)
	}
}

// primaryClass returns the class named want, else the default one, else
// the first; nil when there is none.
func primaryClass(served []*networkingv1.IngressClass, want string) *networkingv1.IngressClass {
	for _, match := range []func(*networkingv1.IngressClass) bool{
		func(ic *networkingv1.IngressClass) bool { return want != "" && ic.Name == want },
		func(ic *networkingv1.IngressClass) bool {
			return ic.Annotations[render.DefaultClassAnnotation] == "true"
		},
		func(*networkingv1.IngressClass) bool { return true },
	} {
		if i := slices.IndexFunc(served, match); i >= 0 {
			return served[i]
		}
	}
	return nil
}

// isTrue reports whether a boolean flag is on (a bare flag counts).
func isTrue(flags map[string]string, name string) bool {
	v, ok := flags[name]
	return ok && (v == "" || v == "true")
}

// claimsClassless says why the old controller serves Ingresses without a
// class, or "" when it does not.
func (r *importRun) claimsClassless(flags map[string]string) string {
	switch want := flags["ingress-class"]; {
	case isTrue(flags, "watch-ingress-without-class"):
		return "--watch-ingress-without-class"
	case r.version != nil && r.version.LessThan(minControllerVersion) && (want == "" || want == "nginx"):
		// Before v1.0.0 the default class claimed every Ingress without one.
		return "ingress-nginx " + imageTag(r.oldImage)
	}
	return ""
}

// ingressesWithoutClass reports the Ingresses the gateway will not serve
// unless told to: those with neither spec.ingressClassName nor the class
// annotation.
func (r *importRun) ingressesWithoutClass(flags map[string]string) {
	why := r.claimsClassless(flags)
	class := r.gw.Spec.IngressClass.Name
	unread := r.opts.Live && slices.Contains(r.opts.Unread, "Ingresses")
	if len(r.o.ingresses) == 0 && (!r.opts.Live || unread) {
		if why != "" && !isTrue(flags, "watch-ingress-without-class") {
			source := "The input holds no Ingress objects"
			if unread {
				source = "The import was not allowed to list Ingresses"
			}
			r.check("%s, so Ingresses without a class could not be looked for: %s serves them, the gateway will not. "+
				"Find them (kubectl get ingress -A; the CLASS column shows <none>, check the %s annotation too) and choose for them as the report would: "+
				`spec.controller.extraArgs: {watch-ingress-without-class: "true"}, or spec.ingressClassName: %s on each`, source, why, classAnnotation, class)
		}
		return
	}
	var names []string
	for _, ing := range r.o.ingresses {
		if ing.className == "" && ing.annotation == "" {
			names = append(names, ing.namespace+"/"+ing.name)
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	n := len(names)
	list := strings.Join(names[:min(n, maxNamed)], ", ")
	if n > maxNamed {
		list += fmt.Sprintf(" and %d more", n-maxNamed)
	}
	noun := "Ingresses have"
	if n == 1 {
		noun = "Ingress has"
	}
	l := fmt.Sprintf("%d %s neither spec.ingressClassName nor the %s annotation: %s. ", n, noun, classAnnotation, list)
	switch {
	case isTrue(flags, "watch-ingress-without-class"):
		r.check(l+"The old controller served them (--watch-ingress-without-class), and the gateway serves them too: the flag is carried over into spec.controller.extraArgs. "+
			"To do without it, set spec.ingressClassName: %s on each", class)
		return
	case why != "":
		l += why + " serves them (releases before v1.0.0 claim Ingresses without a class); the gateway's controller does not, so they lose their controller at the switch. "
	default:
		l += "The old controller did not serve them (no --watch-ingress-without-class), and neither will the gateway. "
	}
	l += fmt.Sprintf(`To have the gateway serve them, choose: spec.controller.extraArgs: {watch-ingress-without-class: "true"} serves them as they are (let at most one controller in the cluster do so); `+
		"or spec.ingressClass.default: true makes the API server give class %s to Ingresses created from now on, while these keep no class: set spec.ingressClassName: %s on each", class, class)
	if r.gw.Spec.IngressClass.Default {
		l += " (spec.ingressClass.default is already true, carried over)"
	}
	r.check("%s", l)
}

// defaultName is the gateway's name when the user gives none.
func (r *importRun) defaultName() string {
	if n := r.gw.Spec.IngressClass.Name; n != "" {
		return n
	}
	return strings.TrimSuffix(r.w.name, "-controller")
}
