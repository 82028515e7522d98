package rules

import (
	batchv1 "k8s.io/api/batch/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// JobTTL suggests ttlSecondsAfterFinished on standalone Jobs.
var JobTTL = &rule.Rule{
	ID:       "job-ttl",
	Severity: rule.Info,
	Kinds:    []string{"batch/v1/Job"},
	Check:    checkJobTTL,
	Doc: `A Job has no ttlSecondsAfterFinished, so it and its pods are never cleaned up.

## What it does
Notes Jobs without ` + "`spec.ttlSecondsAfterFinished`" + `. Jobs created by a CronJob are
not checked: the CronJob's history limits clean those up.

## Why is this bad?
A finished Job and its completed pods stay in the cluster until deleted by hand:
they pile up, clutter ` + "`kubectl get pods`" + ` and keep their logs' node storage.

## Example
` + "```yaml" + `
kind: Job
spec:
  template: {...}
` + "```" + `

## Use instead
` + "```yaml" + `
kind: Job
spec:
  ttlSecondsAfterFinished: 86400   # delete a day after it finishes
  template: {...}
` + "```",
}

func checkJobTTL(pass *rule.Pass, o *manifest.Object) {
	job, ok := o.Typed.(*batchv1.Job)
	if !ok || job.Spec.TTLSecondsAfterFinished != nil {
		return
	}
	for _, ref := range job.OwnerReferences {
		if ref.Kind == "CronJob" {
			return
		}
	}
	pass.Reportf(manifest.Path{}.Field("spec").Field("ttlSecondsAfterFinished"),
		"set spec.ttlSecondsAfterFinished (e.g. 86400 for a day) so the finished Job and its pods are deleted",
		"Job has no ttlSecondsAfterFinished: when it finishes, it and its pods stay until deleted by hand")
}
