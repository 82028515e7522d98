package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/validate/apiserver"
)

// migrationFix is deprecated-api's fix: the object rewritten for the
// replacement apiVersion, with the field changes the move needs (an
// Ingress's backends and pathType), as text edits. It is offered only
// when the edited text decodes cleanly as the new version, and it is safe
// only when the API server's conversion of the old object (defaulted)
// equals the new one (defaulted): same fields, same defaults. A move
// whose defaults changed (extensions/v1beta1 Deployment → apps/v1) is
// offered as unsafe; one kvet cannot write (autoscaling/v2beta1's
// metrics) is not offered.
func migrationFix(o *manifest.Object, api kubeversion.API) *manifest.Fix {
	to := api.Replacement
	if to == "" || strings.ContainsAny(to, " (") {
		return nil
	}
	if o.Typed == nil {
		return renameOnlyFix(o, to)
	}
	e, ok := o.ReplaceString(apiVersionPath, to)
	if !ok {
		return nil
	}
	edits := []manifest.Edit{e}
	if sel, ok := selectorEdit(o, to); ok {
		edits = append(edits, sel)
	}
	if o.Kind == "Ingress" && to == "networking.k8s.io/v1" {
		more, ok := ingressV1Edits(o)
		if !ok {
			return nil
		}
		edits = append(edits, more...)
	}
	migrated, problems, err := o.WithEdits(edits)
	if err != nil || migrated.Typed == nil || !sameProblems(o, problems) {
		return nil
	}
	old, now := o.Typed, migrated.Typed
	same, err := apiserver.SameAfterMigration(old, now)
	if err != nil || !validAfter(o, old, migrated, now) {
		return nil
	}
	fix := &manifest.Fix{Title: "migrate to " + to, Safe: same, Edits: edits}
	if !same {
		fix.Title += " (some defaults or fields differ between the versions: review it)"
	}
	return fix
}

// ingressV1Edits rewrites an Ingress's backends from serviceName and
// servicePort to service: {name, port: {number | name}}, renames
// spec.backend to spec.defaultBackend, and gives each path the
// pathType its old version defaulted to (ImplementationSpecific), which
// networking.k8s.io/v1 requires.
func ingressV1Edits(o *manifest.Object) ([]manifest.Edit, bool) {
	var edits []manifest.Edit
	spec := manifest.Path{}.Field("spec")
	if loc := o.Locate(spec.Field("backend")); loc.Exact {
		more, ok := backendEdits(o, loc.Node)
		if !ok {
			return nil, false
		}
		e, ok := o.RenameKey(spec.Field("backend"), "defaultBackend")
		if !ok {
			return nil, false
		}
		edits = append(append(edits, e), more...)
	}
	rules := o.Locate(spec.Field("rules"))
	if !rules.Exact {
		return edits, true
	}
	if rules.Node.Kind != yaml.SequenceNode {
		return nil, false
	}
	for i := range rules.Node.Content {
		paths := o.Locate(spec.Field("rules").Item(i).Field("http").Field("paths"))
		if !paths.Exact {
			continue
		}
		if paths.Node.Kind != yaml.SequenceNode {
			return nil, false
		}
		for j := range paths.Node.Content {
			p := spec.Field("rules").Item(i).Field("http").Field("paths").Item(j)
			if loc := o.Locate(p.Field("backend")); loc.Exact {
				more, ok := backendEdits(o, loc.Node)
				if !ok {
					return nil, false
				}
				edits = append(edits, more...)
			}
			if !o.Locate(p.Field("pathType")).Exact {
				e, ok := o.InsertKey(p, "pathType", "ImplementationSpecific")
				if !ok {
					return nil, false
				}
				edits = append(edits, e)
			}
		}
	}
	return edits, true
}

// backendEdits rewrites one backend mapping (block style, serviceName and
// servicePort each alone on a line, or the first after a list's "- ").
func backendEdits(o *manifest.Object, m *yaml.Node) ([]manifest.Edit, bool) {
	if m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 {
		return nil, false
	}
	var nameKey, name, portKey, port *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch k, v := m.Content[i], m.Content[i+1]; k.Value {
		case "serviceName":
			nameKey, name = k, v
		case "servicePort":
			portKey, port = k, v
		case "resource":
			return nil, true // a resource backend has the same shape in v1
		default:
			return nil, false
		}
	}
	if nameKey == nil || portKey == nil || name.Kind != yaml.ScalarNode || port.Kind != yaml.ScalarNode ||
		nameKey.Line == portKey.Line || name.Line != nameKey.Line || port.Line != portKey.Line {
		return nil, false
	}
	nameRaw, ok1 := o.RawScalar(name)
	portRaw, ok2 := o.RawScalar(port)
	if !ok1 || !ok2 {
		return nil, false
	}
	first, second := nameKey, portKey
	firstEnd := name
	if portKey.Line < nameKey.Line {
		first, second, firstEnd = portKey, nameKey, port
	}
	// The second entry goes: its line must hold nothing else.
	secondLine := o.Source.Line(second.Line)
	if strings.TrimSpace(secondLine[:min(len(secondLine), second.Column-1)]) != "" {
		return nil, false
	}
	ind := strings.Repeat(" ", first.Column-1)
	portField := "number: " + portRaw
	if manifest.ScalarValue(port) != nil {
		if _, isString := manifest.ScalarValue(port).(string); isString {
			portField = "name: " + portRaw
		}
	}
	firstRaw, _ := o.RawScalar(firstEnd)
	replace := manifest.Edit{
		From: manifest.Position{Line: first.Line, Column: first.Column},
		To:   manifest.Position{Line: first.Line, Column: firstEnd.Column + len([]rune(firstRaw))},
		Text: "service:\n" + ind + "  name: " + nameRaw + "\n" + ind + "  port:\n" + ind + "    " + portField,
	}
	replace.Old = manifest.Columns(o.Source.Line(first.Line), replace.From.Column, replace.To.Column)
	remove := manifest.Edit{
		From: manifest.Position{Line: second.Line, Column: 1},
		To:   manifest.Position{Line: second.Line + 1, Column: 1},
		Old:  secondLine + "\n",
	}
	return []manifest.Edit{replace, remove}, true
}

// sameProblems reports whether the loader finds in the migrated object
// the problems it finds in o, no more (an unknown field of the new
// version, a type that changed): the fix must not add one. Each problem
// has its own fix.
func sameProblems(o *manifest.Object, migrated []manifest.Problem) bool {
	if len(migrated) == 0 {
		return true
	}
	_, before, err := o.WithEdits(nil)
	if err != nil {
		return false
	}
	seen := map[string]int{}
	for _, p := range before {
		seen[p.Code+" "+p.Path.String()]++
	}
	for _, p := range migrated {
		k := p.Code + " " + p.Path.String()
		if seen[k] == 0 {
			return false
		}
		seen[k]--
	}
	return true
}

// validAfter reports whether the API server's validation finds nothing in
// the migrated object that it does not find in the old one (an old
// version kvet does not validate counts as clean): a migration must not
// leave an object the server rejects.
func validAfter(o *manifest.Object, old runtime.Object, migrated *manifest.Object, now runtime.Object) bool {
	after, ok := apiserver.Validate(migrated.GVK(), now)
	if !ok || len(after) == 0 {
		return ok
	}
	var before field.ErrorList
	if old != nil {
		before, _ = apiserver.Validate(o.GVK(), old)
	}
	seen := map[string]int{}
	for _, e := range before {
		seen[e.Field+" "+string(e.Type)]++
	}
	for _, e := range after {
		k := e.Field + " " + string(e.Type)
		if seen[k] == 0 {
			return false
		}
		seen[k]--
	}
	return true
}

// selectorEdit gives a workload moving to apps/v1 the selector its old
// version defaulted to, and apps/v1 requires: the pod template's labels.
func selectorEdit(o *manifest.Object, to string) (manifest.Edit, bool) {
	if to != "apps/v1" {
		return manifest.Edit{}, false
	}
	spec := manifest.Path{}.Field("spec")
	if o.Locate(spec.Field("selector")).Exact {
		return manifest.Edit{}, false
	}
	labels := o.StringMap("spec", "template", "metadata", "labels")
	if len(labels) == 0 {
		return manifest.Edit{}, false
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("\n  matchLabels:")
	for _, k := range keys {
		fmt.Fprintf(&b, "\n    %s: %s", yamlString(k), yamlString(labels[k]))
	}
	return o.InsertKey(spec, "selector", b.String())
}

// yamlString writes s as a YAML string: plain when that reads back as s,
// else double-quoted.
func yamlString(s string) string {
	if manifest.PlainString(s) {
		return s
	}
	return strconv.Quote(s)
}

// sameSchema lists the moves whose old version Kubernetes no longer ships
// Go types for, so that no conversion can be checked, but whose schema is
// the new version's, field for field (the deprecation guide lists no
// change): the apiVersion alone changes, and the text must decode as the
// new version cleanly and pass its validation.
var sameSchema = map[string]string{
	"autoscaling/v2beta2/HorizontalPodAutoscaler": "autoscaling/v2",
}

func renameOnlyFix(o *manifest.Object, to string) *manifest.Fix {
	if sameSchema[o.APIVersion+"/"+o.Kind] != to {
		return nil
	}
	e, ok := o.ReplaceString(apiVersionPath, to)
	if !ok {
		return nil
	}
	migrated, problems, err := o.WithEdits([]manifest.Edit{e})
	if err != nil || migrated.Typed == nil || !sameProblems(o, problems) || !validAfter(o, nil, migrated, migrated.Typed) {
		return nil
	}
	return &manifest.Fix{Title: "migrate to " + to, Safe: true, Edits: []manifest.Edit{e}}
}
