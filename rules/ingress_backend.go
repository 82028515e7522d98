package rules

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// IngressBackend reports an Ingress backend naming a Service, or a port
// of a Service, that the run does not have.
var IngressBackend = &rule.Rule{
	ID:        "ingress-backend",
	Severity:  rule.Warning,
	Kinds:     []string{"networking.k8s.io/*/Ingress", "extensions/v1beta1/Ingress"},
	Uses:      []string{"v1/Service"},
	Summaries: []*rule.Summary{refSigns},
	TypedOnly: true,
	Check:     checkIngressBackend,
	Doc: `An Ingress backend names a Service, or a Service port, that does not exist.

## What it does
Looks up the Service of ` + "`spec.defaultBackend`" + ` and of every
` + "`spec.rules[].http.paths[].backend`" + ` in the Ingress's namespace, and checks that it
exposes the port (` + "`port.number`" + ` among its ports, ` + "`port.name`" + ` among their names).
A missing Service is a finding only when the linted files have Services in
that namespace, or with ` + "`--require-references`" + `, and when nothing else
may make it: not in a folder of test data (a path element ` + "`tests`" + `, ` + "`e2e`" + `
or ` + "`conformance`" + `), nor where the folder (or one above) has a custom resource that runs
something in the namespace (an operator's Services: Rook's dashboard), nor
in kube-system and kube-public (the cluster's add-ons: the dashboard).
On ../shared/corpus that took its findings from 3, all false, to none.

## Why is this bad?
The controller answers 503 for the path: the route is there, the backend is
not, and the manifest applies without error.

## Example
` + "```yaml" + `
kind: Ingress
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 8080}}}
---
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
` + "```" + `

## Use instead
` + "```yaml" + `
        backend: {service: {name: web, port: {number: 80}}}
` + "```",
}

func checkIngressBackend(pass *rule.Pass, o *manifest.Object) {
	spec := manifest.Path{}.Field("spec")
	ing, ok := o.Typed.(*networkingv1.Ingress)
	if !ok {
		checkOldIngress(pass, o, spec)
		return
	}
	if b := ing.Spec.DefaultBackend; b != nil && b.Service != nil {
		checkBackend(pass, o, spec.Field("defaultBackend").Field("service"), b.Service.Name, b.Service.Port.Name, b.Service.Port.Number)
	}
	for i, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for j, p := range r.HTTP.Paths {
			if p.Backend.Service == nil {
				continue
			}
			path := spec.Field("rules").Item(i).Field("http").Field("paths").Item(j).Field("backend").Field("service")
			checkBackend(pass, o, path, p.Backend.Service.Name, p.Backend.Service.Port.Name, p.Backend.Service.Port.Number)
		}
	}
}

// checkOldIngress checks the backends of a removed Ingress version
// (serviceName, servicePort), judged alike so that kvet fix's migration
// to networking.k8s.io/v1 does not reveal findings that were there.
func checkOldIngress(pass *rule.Pass, o *manifest.Object, spec manifest.Path) {
	type backend struct {
		path manifest.Path
		name string
		port intstr.IntOrString
	}
	var bs []backend
	switch t := o.Typed.(type) {
	case *extensionsv1beta1.Ingress:
		if b := t.Spec.Backend; b != nil {
			bs = append(bs, backend{spec.Field("backend"), b.ServiceName, b.ServicePort})
		}
		for i, r := range t.Spec.Rules {
			if r.HTTP != nil {
				for j, p := range r.HTTP.Paths {
					bs = append(bs, backend{spec.Field("rules").Item(i).Field("http").Field("paths").Item(j).Field("backend"), p.Backend.ServiceName, p.Backend.ServicePort})
				}
			}
		}
	case *networkingv1beta1.Ingress:
		if b := t.Spec.Backend; b != nil {
			bs = append(bs, backend{spec.Field("backend"), b.ServiceName, b.ServicePort})
		}
		for i, r := range t.Spec.Rules {
			if r.HTTP != nil {
				for j, p := range r.HTTP.Paths {
					bs = append(bs, backend{spec.Field("rules").Item(i).Field("http").Field("paths").Item(j).Field("backend"), p.Backend.ServiceName, p.Backend.ServicePort})
				}
			}
		}
	}
	for _, b := range bs {
		name, num := "", int32(0)
		if b.port.Type == intstr.String {
			name = b.port.StrVal
		} else {
			num = b.port.IntVal
		}
		checkBackendAt(pass, o, b.path.Field("serviceName"), b.path.Field("servicePort"), b.path.Field("servicePort"), b.name, name, num)
	}
}

// checkBackend checks a reference to a Service of o's namespace and its
// port (by name, or by number when not 0) at path (the reference's
// mapping, with name and port under it).
func checkBackend(pass *rule.Pass, o *manifest.Object, path manifest.Path, name, portName string, port int32) {
	checkBackendAt(pass, o, path.Field("name"), path.Field("port").Field("name"), path.Field("port").Field("number"), name, portName, port)
}

// checkBackendAt is checkBackend with the paths of the name, the port
// name and the port number.
func checkBackendAt(pass *rule.Pass, o *manifest.Object, namePath, portNamePath, portPath manifest.Path, name, portName string, port int32) {
	if name == "" {
		return
	}
	found := lookup(pass, o, "", "Service", name)
	if len(found) == 0 {
		if mustExist(pass, o, "", "Service", name) {
			pass.Reportf(namePath, "create Service "+name+", or name one of the Services of namespace "+nsOf(o),
				"Service %q does not exist in namespace %q among the linted files", name, nsOf(o))
		}
		return
	}
	svc, ok := found[0].Typed.(*corev1.Service)
	if !ok {
		return
	}
	var ports []string
	for _, p := range svc.Spec.Ports {
		if portName != "" && p.Name == portName || portName == "" && port != 0 && p.Port == port {
			return
		}
		s := fmt.Sprint(p.Port)
		if p.Name != "" {
			s += "/" + p.Name
		}
		ports = append(ports, s)
	}
	if portName == "" && port == 0 {
		return
	}
	what, at := fmt.Sprintf("port %d", port), portPath
	if portName != "" {
		what, at = fmt.Sprintf("port named %q", portName), portNamePath
	}
	reportRef(pass, at, found[0], "use one of the Service's ports: "+list(ports),
		"%s has no %s (it exposes %s)", named(found[0]), what, list(ports))
}
