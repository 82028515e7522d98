package rules

import (
	"fmt"
	"strings"

	"github.com/kvetdev/kvet/policies"
	"github.com/kvetdev/kvet/rule"
)

// PolicyRules describes the bundled Rego policies (policies/) as rules, so
// that they are listed, explained, selected and documented like the Go
// rules. The engine evaluates them (validate.Policies); Check is nil.
func PolicyRules() []*rule.Rule {
	list, err := policies.List()
	if err != nil {
		// The policies are embedded and tested; a broken one is a build bug.
		panic(fmt.Sprintf("bundled policies: %v", err))
	}
	out := make([]*rule.Rule, 0, len(list))
	for _, p := range list {
		sev, err := rule.ParsePolicySeverity(p.Severity)
		if err != nil {
			panic(fmt.Sprintf("bundled policy %s (%s): METADATA custom.severity: %v", p.ID, p.File, err))
		}
		doc := func(key string) string { s, _ := p.Doc[key].(string); return strings.TrimSpace(s) }
		out = append(out, &rule.Rule{
			ID: p.ID, Severity: sev, Group: p.Group,
			Doc: fmt.Sprintf("%s\n\n## What it does\n%s\n\nA bundled Rego policy (policies/%s, package %s, group %s).\n\n## Why is this bad?\n%s\n\n## Example\n```yaml\n%s\n```\n\n## Use instead\n%s\n",
				p.Description, doc("what"), p.File, p.Package, p.Group, doc("why"), doc("example"), doc("fix")),
		})
	}
	return out
}

// PolicyPackage returns the Rego package of a bundled policy rule.
func PolicyPackage(id string) string {
	list, _ := policies.List()
	for _, p := range list {
		if p.ID == id {
			return p.Package
		}
	}
	return ""
}
