package rules

import "github.com/kvetdev/kvet/rule"

// KustomizeBuild is a kustomization kvet could not build: the engine does
// not run it on objects; render/kustomize reports it at the
// kustomization's line (see render/kustomize.RuleID).
var KustomizeBuild = &rule.Rule{ID: "kustomize-build", Severity: rule.Error, Doc: `A kustomization could not be built, so its resources were not checked.

## What it does
kvet builds every folder that holds a ` + "`kustomization.yaml`" + ` (or ` + "`.yml`" + `,
` + "`Kustomization`" + `) with kustomize's own library, as ` + "`kubectl kustomize`" + ` does, and
lints what it builds. This finding says why a build did not happen: an entry
(` + "`resources`" + `, ` + "`patches`" + `, a generator's file) that does not exist, a remote base
kvet was not allowed to fetch (` + "`--kustomize-allow-remote`" + `), ` + "`helmCharts`" + ` (not
supported yet), or kustomize's own error. It points at the kustomization line
that names the culprit when it can.

## Why is this bad?
` + "`kubectl apply -k`" + ` fails the same way, and nothing of that kustomization was
checked. Every other input of the run still is.

## Example
` + "```yaml" + `
# overlays/prod/kustomization.yaml
resources:
- ../../base
- ingres.yaml      # no such file
` + "```" + `

## Use instead
` + "```yaml" + `
resources:
- ../../base
- ingress.yaml
` + "```"}
