package rules

import (
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/validate"
)

// UnusedIgnore reports ignore directives that silence nothing. The engine
// reports it after applying ignores.
var UnusedIgnore = &rule.Rule{ID: validate.UnusedIgnore, Severity: rule.Warning, Doc: `An ignore directive matches no finding.

## What it does
Reports each rule id named by a ` + "`kvet.dev/ignore`" + ` annotation or a ` + "`# kvet:ignore`" + ` comment
that silenced nothing in its scope.

## Why is this bad?
Stale ignores hide the next real problem of that rule, and a misspelt rule id
ignores nothing at all. Ignores should shrink as the manifests get fixed.

## Example
` + "```yaml" + `
metadata:
  annotations:
    kvet.dev/ignore: job-ttl      # the Job now sets ttlSecondsAfterFinished
spec:
  ttlSecondsAfterFinished: 600
` + "```" + `

## Use instead
Remove the ignore, or the rule id from it.`}
