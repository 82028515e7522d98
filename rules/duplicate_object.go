package rules

import (
	"fmt"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// DuplicateObject reports an object defined twice in one run: the same API
// group, kind, namespace and name.
var DuplicateObject = &rule.Rule{
	ID:       "duplicate-object",
	Severity: rule.Error,
	Uses:     []string{"*/*"},
	InFile:   true,
	Check:    checkDuplicateObject,
	Doc: `The same object (API group, kind, namespace and name) must be defined once.

## What it does
Reports every object after the first with the same API group (not version:
` + "`apps/v1`" + ` and ` + "`apps/v1beta1`" + ` Deployments are one object), kind, namespace and
` + "`metadata.name`" + ` in the same file, and names the first one's line. With
` + "`--require-references`" + ` (the linted files are the whole application) copies in
other files count too; without it they do not, as repositories keep
alternatives side by side (` + "`install.yaml`" + ` and ` + "`namespace-install.yaml`" + `, a variant
per cloud or per version) that are never applied together.
The namespace is the object's own, or ` + "`default`" + ` when it has none; cluster-scoped
kinds (Namespace, ClusterRole, StorageClass, ...) have none. Items of a ` + "`List`" + `
count; objects with only ` + "`metadata.generateName`" + ` get a new name on each create and
are skipped. "First" is in file path order, then line.

## Why is this bad?
` + "`kubectl apply`" + ` applies both, in order: the later one silently overwrites the
earlier, so what runs depends on file order, and a change to the first copy
has no effect. Server-side apply and GitOps tools (Argo CD, Flux) reject or
flap between the two.

## Example
` + "```yaml" + `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}   # the same Deployment again
` + "```" + `

## Use instead
` + "```yaml" + `
# keep one definition, or give the second its own name or namespace
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-canary, namespace: prod}
` + "```",
}

func checkDuplicateObject(pass *rule.Pass, o *manifest.Object) {
	if name, _ := o.Value("metadata", "name").(string); name == "" || o.Kind == "" {
		return // generateName only, or no name at all (another rule's finding)
	}
	// By default only a copy in the same file clashes: other files are
	// often alternatives (install.yaml and namespace-install.yaml, a
	// variant per cloud, per version, per environment) that nobody
	// applies together. --require-references says they are one
	// application.
	ns := rule.ScopeNamespace(o)
	var where string
	var first rule.Related
	if pass.File != nil {
		// Not Complete: only a copy in the same file clashes (other files
		// are often alternatives that nobody applies together).
		line, dup := pass.File.First(o.Pos().Line, o.Group(), o.Kind, ns, o.Name)
		if !dup {
			return
		}
		where = fmt.Sprintf("%s:%d", o.Source.Path, line)
		first = rule.Related{File: o.Source.Path, Line: line}
	} else {
		// In path order; the index files a generateName under Name too.
		for _, s := range pass.Index.Get(o.Group(), o.Kind, ns, o.Name) {
			if s == o {
				return
			}
			if n, _ := s.Value("metadata", "name").(string); n != "" {
				where = fmt.Sprintf("%s:%d", s.Source.Path, s.Pos().Line)
				first = rule.RelatedTo(s, "")
				break
			}
		}
	}
	what := fmt.Sprintf("%s %q", o.Kind, o.Name)
	if ns != "" {
		what += fmt.Sprintf(" in namespace %q", ns)
	}
	first.Message = "the first definition of " + what
	pass.Report(rule.Diagnostic{Path: manifest.Path{}.Field("metadata").Field("name"),
		Help:    fmt.Sprintf("keep one definition of %s %q, or give this one another name or namespace", o.Kind, o.Name),
		Message: fmt.Sprintf("%s is defined twice: first at %s; kubectl apply would let the later one overwrite the earlier", what, where),
		Related: []rule.Related{first}})
}
