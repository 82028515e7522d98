package rules

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// JobRestartPolicy checks that a Job's pods (and a CronJob's) end.
var JobRestartPolicy = &rule.Rule{
	ID:       "job-restart-policy",
	Severity: rule.Error,
	Kinds:    []string{"batch/v1/Job", "batch/*/CronJob"},
	Check:    checkJobRestartPolicy,
	Doc: `A Job's pod template must set restartPolicy to Never or OnFailure.

## What it does
Checks the pod template of every Job, and the job template of every CronJob,
for ` + "`restartPolicy: Never`" + ` or ` + "`restartPolicy: OnFailure`" + `.

## Why is this bad?
A Job is done when its pods have run and exited successfully (Completed).
A pod with ` + "`restartPolicy: Always`" + ` never completes, so the API server rejects
such a Job. Leaving restartPolicy out is the same mistake: the pod default
is Always.

## Example
` + "```yaml" + `
apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      containers:
      - name: hello
        image: busybox:1.36
` + "```" + `

## Use instead
` + "```yaml" + `
apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      restartPolicy: Never   # or OnFailure to retry in the same pod
      containers:
      - name: hello
        image: busybox:1.36
` + "```",
}

func checkJobRestartPolicy(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok || !ref.InJob {
		return
	}
	path := ref.Path.Field("restartPolicy")
	help := "set " + path.String() + " to Never or OnFailure"
	switch p := ref.Spec.RestartPolicy; p {
	case corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure:
	case "":
		d := rule.Diagnostic{Path: path, Help: help,
			Message: fmt.Sprintf("%s has no restartPolicy; it defaults to Always, which a %s's pods may not use", ref.Path.String(), o.Kind)}
		if e, ok := o.InsertKey(ref.Path, "restartPolicy", "Never"); ok {
			// The API server rejects the object as it is: any valid
			// value is a change, and Never (a failed pod is replaced,
			// not restarted in place) is the Job's usual choice.
			d.Fix = &manifest.Fix{Title: "set restartPolicy: Never", Safe: true, Edits: []manifest.Edit{e}}
		}
		pass.Report(d)
	default:
		d := rule.Diagnostic{Path: path, Help: help,
			Message: fmt.Sprintf("restartPolicy is %s; a %s's pods must end, so it must be Never or OnFailure", p, o.Kind)}
		if e, ok := o.ReplaceScalar(path, "Never"); ok {
			// Never or OnFailure is the author's choice to make.
			d.Fix = &manifest.Fix{Title: "set restartPolicy: Never (or choose OnFailure)", Safe: false, Edits: []manifest.Edit{e}}
		}
		pass.Report(d)
	}
}
