package rules

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// RouteBackend reports a Gateway API route backendRef naming a Service, or
// a port of a Service, that the run does not have. It is its own rule, not
// part of ingress-backend: the routes are custom resources of another
// project (their own API versions, a namespace per reference, kinds other
// than Service), and users enable, disable and judge the two apart.
var RouteBackend = &rule.Rule{
	ID:        "route-backend",
	Severity:  rule.Warning,
	Kinds:     routeKinds,
	Uses:      []string{"v1/Service"},
	Summaries: []*rule.Summary{refSigns, routeRefs},
	TypedOnly: true, // read through routeRefs
	Check:     checkRouteBackend,
	Doc: `A Gateway API route's backendRef names a Service, or a Service port, that does not exist.

## What it does
For every ` + "`spec.rules[].backendRefs[]`" + ` of an HTTPRoute, GRPCRoute, TCPRoute,
TLSRoute or UDPRoute (gateway.networking.k8s.io v1, v1beta1, v1alpha2) that
refers to a Service (` + "`kind`" + ` defaults to Service and ` + "`group`" + ` to the core
group), looks the Service up in the reference's namespace (the route's
unless ` + "`namespace`" + ` is set) and checks that one of its ports is ` + "`port`" + `. A
missing Service is a finding only when the route's folder, or a folder
above it, has Services in that namespace, or with ` + "`--require-references`" + `. Backends of other kinds
(a custom backend, an InferencePool) are not judged, nor is a missing
Service that something else makes: in a folder of test data (a path
element ` + "`tests`" + `, ` + "`e2e`" + ` or ` + "`conformance`" + `, whose harness creates the
backends), in a namespace where the folder has a custom resource that
runs something (an operator's Services), where a Role or ClusterRole of
the folder may create Services, or in kube-system and kube-public (the
cluster's add-ons). On ../shared/corpus this took its findings from 212,
all false (Gateway API's conformance tests), to none.

## Why is this bad?
The gateway cannot resolve the backend: the route's status says
ResolvedRefs false and its requests get a 500, while the manifest applies
without error.

## Example
` + "```yaml" + `
kind: HTTPRoute
spec:
  rules:
  - backendRefs: [{name: web, port: 8080}]
---
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
` + "```" + `

## Use instead
` + "```yaml" + `
  - backendRefs: [{name: web, port: 80}]
` + "```",
}

// routeKinds are the Gateway API route kinds route-backend checks.
var routeKinds = []string{"gateway.networking.k8s.io/*/HTTPRoute", "gateway.networking.k8s.io/*/GRPCRoute",
	"gateway.networking.k8s.io/*/TCPRoute", "gateway.networking.k8s.io/*/TLSRoute", "gateway.networking.k8s.io/*/UDPRoute"}

// routeRefs summarizes a route's backendRefs as it streams, so that the
// route itself is kept shelved (TypedOnly: its lines, not its node tree)
// until the end of the run: 2,609 HTTPRoutes of the 100,000-document
// bench set.
var routeRefs = &rule.Summary{Kinds: routeKinds, Make: makeRouteRefs}

// routeBackends are a route's backendRefs and its place.
type routeBackends struct {
	at   routePlace
	refs []routeRef
}

type routePlace struct {
	path         string
	line, column int
}

// routeRef is spec.rules[i].backendRefs[j].
type routeRef struct {
	i, j int
	ref  map[string]any
}

// summaryAt returns what summary s made of o, found by o's place in a
// map made once per run (memoized under key; split gives a summary's place
// and value). ok is false when o was not summarized (a run's context
// object) or two objects share its place: read o's own tree then.
func summaryAt[T any](pass *rule.Pass, key any, s *rule.Summary, o *manifest.Object, split func(any) (routePlace, T)) (v T, ok bool) {
	byPlace := pass.Index.Memo(key, func() any {
		m := map[routePlace]*T{}
		for _, sv := range pass.Index.Summaries(s) {
			at, val := split(sv)
			if _, twice := m[at]; twice {
				m[at] = nil
				continue
			}
			m[at] = &val
		}
		return m
	}).(map[routePlace]*T)
	if p := byPlace[placeOf(o)]; p != nil {
		return *p, true
	}
	return v, false
}

func placeOf(o *manifest.Object) routePlace {
	p := routePlace{line: o.Pos().Line, column: o.Pos().Column}
	if o.Source != nil {
		p.path = o.Source.Path
	}
	return p
}

func makeRouteRefs(o *manifest.Object) any {
	refs := backendRefsOf(o)
	if len(refs) == 0 {
		return nil
	}
	return &routeBackends{at: placeOf(o), refs: refs}
}

// backendRefsOf reads a route's backendRefs from its tree (RawOf, not
// Raw: the object would keep Raw's whole view until the end of the run).
func backendRefsOf(o *manifest.Object) []routeRef {
	n := o.Lookup("spec", "rules")
	if n == nil {
		return nil
	}
	rules, _ := o.RawOf(n).([]any)
	var out []routeRef
	for i, r := range rules {
		rm, _ := r.(map[string]any)
		refs, _ := rm["backendRefs"].([]any)
		for j, b := range refs {
			if bm, ok := b.(map[string]any); ok {
				out = append(out, routeRef{i, j, bm})
			}
		}
	}
	return out
}

type routeRefsKey struct{}

func checkRouteBackend(pass *rule.Pass, o *manifest.Object) {
	refs, ok := summaryAt(pass, routeRefsKey{}, routeRefs, o, func(v any) (routePlace, []routeRef) {
		b := v.(*routeBackends)
		return b.at, b.refs
	})
	if !ok || refs == nil {
		refs = backendRefsOf(o) // not summarized: a run's context object, or none
	}
	for _, r := range refs {
		path := manifest.Path{}.Field("spec").Field("rules").Item(r.i).Field("backendRefs").Item(r.j)
		checkRouteRef(pass, o, path, r.ref)
	}
}

// checkRouteRef checks one backendRef (a BackendObjectReference).
func checkRouteRef(pass *rule.Pass, o *manifest.Object, path manifest.Path, ref map[string]any) {
	str := func(k string) string { s, _ := ref[k].(string); return s }
	if g := str("group"); g != "" && g != "core" {
		return
	}
	if k, ok := ref["kind"]; ok && k != "Service" {
		return
	}
	name := str("name")
	if name == "" {
		return
	}
	ns := o.Namespace
	if n := str("namespace"); n != "" {
		ns = n
	}
	if ns == "" {
		ns = "default"
	}
	found := lookupIn(pass, o, "", "Service", ns, name)
	if len(found) == 0 {
		if mustExistIn(pass, o, "", "Service", ns, name) {
			pass.Reportf(path.Field("name"), fmt.Sprintf("create Service %s in namespace %s, or name one of its Services", name, ns),
				"Service %q does not exist in namespace %q among the linted files: the gateway cannot resolve this backendRef", name, ns)
		}
		return
	}
	svc, ok := found[0].Typed.(*corev1.Service)
	if !ok {
		return
	}
	port, ok := ref["port"].(int64)
	if !ok {
		return // the API requires port for a Service; its validation says so
	}
	var ports []string
	for _, p := range svc.Spec.Ports {
		if int64(p.Port) == port {
			return
		}
		ports = append(ports, fmt.Sprint(p.Port))
	}
	reportRef(pass, path.Field("port"), found[0], "use one of the Service's ports: "+list(ports),
		"%s has no port %d (it exposes %s)", named(found[0]), port, list(ports))
}
