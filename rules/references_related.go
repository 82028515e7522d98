package rules

import (
	"fmt"
	"sort"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Related places of the reference rules' findings (issue 18): the other
// object a finding names, which the JSON, SARIF and LSP outputs carry as
// a related location.

// relatedTo is the place of another object, as Diagnostic.Related: its
// kind and name as the message. Nil for nil.
func relatedTo(o *manifest.Object) []rule.Related {
	if o == nil {
		return nil
	}
	return []rule.Related{rule.RelatedTo(o, o.Kind+" "+o.Name)}
}

// reportRef reports a reference finding at path with the other object's
// place as related.
func reportRef(pass *rule.Pass, path manifest.Path, other *manifest.Object, help, format string, args ...any) {
	pass.Report(rule.Diagnostic{Path: path, Message: fmt.Sprintf(format, args...), Help: help, Related: relatedTo(other)})
}

// closestObject is the object closest names: an indexed object of the
// namespace that has one of sel's keys, or nil.
func closestObject(li *rule.LabelIndex, ns string, sel map[string]string) *manifest.Object {
	keys := make([]string, 0, len(sel))
	for k := range sel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, c := range li.In(ns) {
			if _, ok := c.Labels[k]; ok {
				return c.Object
			}
		}
	}
	return nil
}
