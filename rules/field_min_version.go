package rules

import (
	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// FieldMinVersion reports fields that need a newer Kubernetes than the
// target.
var FieldMinVersion = &rule.Rule{
	ID:       "field-min-version",
	Severity: rule.Warning,
	Check:    checkFieldMinVersion,
	Doc: `A field needs a newer Kubernetes than the target version.

## What it does
Compares the fields an object sets with the release where each became usable
by default (beta on by default, or GA) — CronJob ` + "`timeZone`" + ` (1.27), StatefulSet
` + "`persistentVolumeClaimRetentionPolicy`" + ` (1.27), Job ` + "`podFailurePolicy`" + ` (1.26), sidecar
containers, and more (package kubeversion) — and warns when ` + "`--kube-version`" + ` is older.

## Why is this bad?
An API server that does not know a field (or has its feature gate off) drops it
silently: the CronJob runs in the controller's time zone, the PVCs are kept,
the failure policy is ignored.

## Example
` + "```yaml" + `
# kvet lint --kube-version 1.24
kind: CronJob
spec:
  timeZone: Europe/Zurich
` + "```" + `

## Use instead
Upgrade the cluster, or do without the field on older clusters (for a CronJob,
write the schedule in the controller's time zone).`,
}

func checkFieldMinVersion(pass *rule.Pass, o *manifest.Object) {
	targets := pass.Settings.Targets()
	for _, use := range kubeversion.PresentFields(o.APIVersion, o.Kind, o, targets[0]) {
		f := use.Field
		note := ""
		if f.Note != "" {
			note = " (" + f.Note + ")"
		}
		var older []kubeversion.Version
		for _, t := range targets {
			if t.Less(f.MinVersion) {
				older = append(older, t)
			}
		}
		ignored := "the target is " + older[0].String() + ", whose API server ignores it"
		if len(older) > 1 {
			ignored = "the targets " + kubeversion.JoinVersions(older) + " are older, and their API servers ignore it"
		} else if len(targets) > 1 {
			ignored = "the target " + older[0].String() + " is older, and its API server ignores it"
		}
		pass.Reportf(use.Path, "raise --kube-version if the cluster is newer, or remove the field for clusters older than "+f.MinVersion.String(),
			"%s needs Kubernetes %s or newer (%s there); %s%s",
			use.Path, f.MinVersion, f.Stage, ignored, note)
	}
}
