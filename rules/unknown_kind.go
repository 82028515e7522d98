package rules

import (
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// UnknownKind reports each object kvet has no schema for (off unless
// enabled, like kubeconform's -strict on missing schemas).
var UnknownKind = &rule.Rule{
	ID:       "unknown-kind",
	Severity: rule.Info,
	Off:      true,
	Context:  crdKinds,
	// Reads CRDs through their typed value only.
	ContextTyped: true,
	Check:        checkUnknownKind,
	Doc: `An object's kind is not built-in, so kvet could not check its fields.

## What it does
Reports, at its kind, each object whose kind kvet has no schema for: custom
resources (cert-manager's Certificate, Gateway API's HTTPRoute, ...) whose
CustomResourceDefinition is neither among the linted files nor given with
` + "`--crds`" + `, so nothing but YAML syntax, duplicate keys and the Rego policies
you enable looked at them. The summary line and the JSON summary
count them in any case (notChecked, unchecked); this rule, turned on with
` + "`--enable unknown-kind`" + `, lists each one, as kubeconform's -strict does.

## Why is this bad?
An object nobody checked may hold a typo or a wrong type that only the
cluster will find. Turn the rule on where every object must be checked,
and ignore it for the objects you check otherwise.

## Example
` + "```yaml" + `
apiVersion: cert-manager.io/v1
kind: Certificate
` + "```" + `

## Use instead
Give kvet its CRD (` + "`kvet lint --crds path/to/crds/ ...`" + `, or lint the CRD's
file with it), and kvet validates it (see cr-validation); or check it
another way and silence the rule where that is done:
` + "```yaml" + `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  annotations:
    kvet.dev/ignore: unknown-kind
    kvet.dev/ignore.unknown-kind: "checked by the dry run in CI"
` + "```",
}

func checkUnknownKind(pass *rule.Pass, o *manifest.Object) {
	if !o.Unchecked() {
		return
	}
	if gvk := o.GVK(); len(crdRegistry(pass.Index)[groupKind{gvk.Group, gvk.Kind}]) > 0 {
		return // its CRD is known: cr-validation's
	}
	pass.Reportf(kindPath, "give kvet its CustomResourceDefinition (--crds PATH, or lint it with its CRD's file), or ignore unknown-kind for it",
		"kvet has no schema for %s (%s): its fields were not checked", o.Kind, o.APIVersion)
}
