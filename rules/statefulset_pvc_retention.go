package rules

import (
	appsv1 "k8s.io/api/apps/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// StatefulSetPVCRetention asks for a deliberate choice about the PVCs that
// volumeClaimTemplates create.
var StatefulSetPVCRetention = &rule.Rule{
	ID:       "statefulset-pvc-retention",
	Severity: rule.Warning,
	Kinds:    []string{"apps/v1/StatefulSet"},
	Check:    checkStatefulSetPVCRetention,
	Doc: `A StatefulSet with volumeClaimTemplates should say what happens to its PVCs.

## What it does
Warns when a StatefulSet has ` + "`volumeClaimTemplates`" + ` but no
` + "`persistentVolumeClaimRetentionPolicy`" + `, and adds an info note when
` + "`whenDeleted: Delete`" + ` means deleting the StatefulSet deletes the data.

## Why is this bad?
The PVCs created from volumeClaimTemplates outlive the StatefulSet: deleting it
or scaling it down keeps them (and the storage bill) until someone deletes them
by hand. That is a safe default for databases, but it should be a choice, not
a surprise.

## Example
` + "```yaml" + `
kind: StatefulSet
spec:
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
` + "```" + `

## Use instead
` + "```yaml" + `
kind: StatefulSet
spec:
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain   # keep the data when the StatefulSet is deleted
    whenScaled: Delete    # drop the PVCs of pods removed by scaling down
  volumeClaimTemplates: [...]
` + "```",
}

func checkStatefulSetPVCRetention(pass *rule.Pass, o *manifest.Object) {
	ss, ok := o.Typed.(*appsv1.StatefulSet)
	if !ok || len(ss.Spec.VolumeClaimTemplates) == 0 {
		return
	}
	spec := manifest.Path{}.Field("spec")
	policy := ss.Spec.PersistentVolumeClaimRetentionPolicy
	if policy == nil {
		d := rule.Diagnostic{Path: spec.Field("volumeClaimTemplates"),
			Help:    "set spec.persistentVolumeClaimRetentionPolicy: whenDeleted: Retain (keep the data, the default) or Delete, and whenScaled: Retain or Delete",
			Message: "the PVCs of these volumeClaimTemplates outlive the StatefulSet: deleting or scaling it down keeps them until deleted by hand; make it a deliberate choice with persistentVolumeClaimRetentionPolicy"}
		if e, ok := o.InsertKey(spec, "persistentVolumeClaimRetentionPolicy", "\n  whenDeleted: Retain\n  whenScaled: Retain"); ok {
			// The defaults, made explicit: nothing changes but the text.
			d.Fix = &manifest.Fix{Title: "write the default retention policy (Retain, Retain) explicitly", Safe: true, Edits: []manifest.Edit{e}}
		}
		pass.Report(d)
		return
	}
	if policy.WhenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
		pass.Report(rule.Diagnostic{Path: spec.Field("persistentVolumeClaimRetentionPolicy").Field("whenDeleted"), Severity: rule.Info,
			Message: "whenDeleted: Delete: deleting this StatefulSet deletes its PVCs, and with them the data",
			Help:    "keep it if the data is disposable; use Retain for data that must survive a redeploy"})
	}
}
