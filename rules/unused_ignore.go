package rules

import (
	"github.com/kvetdev/kvet/rule"
)

// UnusedIgnore reports ignore directives that silence nothing. The engine
// reports it after applying ignores.
var UnusedIgnore = &rule.Rule{ID: rule.UnusedIgnore, Severity: rule.Warning, Doc: `An ignore directive matches no finding.

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

// InternalError is a rule or policy that failed on an object: it crashed,
// timed out or ran out of its memory budget. The engine reports it in place
// of that check's findings on that object.
var InternalError = &rule.Rule{ID: rule.InternalError, Severity: rule.Error, Doc: `A check could not run to its end on this object.

## What it does
Reports a built-in rule that crashed, or a Rego policy whose evaluation failed,
timed out (` + "`--policy-timeout`" + `) or exceeded its memory budget, on one object. The
other checks of that object, and every other object, are still reported.

## Why is this bad?
The object was not fully checked: a problem the failed check looks for may be
there unseen. For a built-in rule it is a bug in kvet; please report it with the
manifest. For your own policy it is usually a policy bug or an input the policy
did not expect.

## Example
` + "```text" + `
error[internal-error]: policy evaluation failed: team.pdb: eval_conflict_error: ...
` + "```" + `

## Use instead
Fix the policy (` + "`kvet verify`" + ` runs its tests), raise ` + "`--policy-timeout`" + ` for a slow
one, or report the crash. To go on while it is fixed, ignore ` + "`internal-error`" + ` on that
object.`}
