package rules

import (
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// CronJobStartingDeadline warns about startingDeadlineSeconds below 10.
var CronJobStartingDeadline = &rule.Rule{
	ID:       "cronjob-starting-deadline",
	Severity: rule.Warning,
	Kinds:    []string{"batch/*/CronJob"},
	Check:    checkCronJobStartingDeadline,
	Doc: `A CronJob's startingDeadlineSeconds is below 10 seconds.

## What it does
Warns when ` + "`spec.startingDeadlineSeconds`" + ` is less than 10.

## Why is this bad?
The CronJob controller checks schedules about every 10 seconds. A deadline
shorter than that lets a run's window close before the controller looks, so
runs are skipped (and counted as missed).

## Example
` + "```yaml" + `
spec:
  schedule: "*/5 * * * *"
  startingDeadlineSeconds: 5
` + "```" + `

## Use instead
` + "```yaml" + `
spec:
  schedule: "*/5 * * * *"
  startingDeadlineSeconds: 60
` + "```",
}

func checkCronJobStartingDeadline(pass *rule.Pass, o *manifest.Object) {
	d, ok := o.Value("spec", "startingDeadlineSeconds").(int64)
	if !ok || d >= 10 {
		return
	}
	pass.Reportf(manifest.Path{}.Field("spec").Field("startingDeadlineSeconds"),
		"use at least 10 seconds (the controller's check interval), e.g. 60, or remove it for no deadline",
		"startingDeadlineSeconds is %d: below 10 seconds the CronJob controller may miss the window and skip runs", d)
}
