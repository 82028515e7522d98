package rules

import (
	"github.com/kvetdev/kvet/rule"

	"github.com/kvetdev/kvet/manifest"
)

// JobParallelismExceedsCompletions notes parallelism above completions.
var JobParallelismExceedsCompletions = &rule.Rule{
	ID:       "job-parallelism-exceeds-completions",
	Severity: rule.Info,
	Kinds:    []string{"batch/v1/Job", "batch/v1/CronJob"},
	Check:    checkJobParallelism,
	Doc: `A Job's parallelism is greater than its completions.

## What it does
Notes Jobs (and CronJob job templates) whose ` + "`spec.parallelism`" + ` is larger than
` + "`spec.completions`" + `.

## Why is this bad?
The Job controller never runs more pods than there are completions left, so the
extra parallelism does nothing; usually one of the two numbers is a mistake.
(` + "`completions`" + ` alone runs pods one after another; ` + "`parallelism`" + ` runs them at once.)

## Example
` + "```yaml" + `
spec:
  completions: 2
  parallelism: 5
` + "```" + `

## Use instead
` + "```yaml" + `
spec:
  completions: 5
  parallelism: 5
` + "```",
}

func checkJobParallelism(pass *rule.Pass, o *manifest.Object) {
	ref, ok := JobSpecOf(o)
	if !ok || ref.Spec.Parallelism == nil || ref.Spec.Completions == nil {
		return
	}
	p, c := *ref.Spec.Parallelism, *ref.Spec.Completions
	if p <= c {
		return
	}
	pass.Reportf(ref.Path.Field("parallelism"), "lower parallelism to at most completions, or raise completions",
		"parallelism %d is greater than completions %d: at most %d pods ever run at once", p, c, c)
}
