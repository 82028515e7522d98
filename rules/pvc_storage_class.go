package rules

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// PVCStorageClass reports a PersistentVolumeClaim, or a StatefulSet's
// volumeClaimTemplate, naming a StorageClass that the run does not have.
var PVCStorageClass = &rule.Rule{
	ID:        "pvc-storage-class",
	Severity:  rule.Warning,
	Off:       true,
	Kinds:     []string{"v1/PersistentVolumeClaim", "apps/v1/StatefulSet"},
	Uses:      []string{"storage.k8s.io/*/StorageClass", "v1/PersistentVolume"},
	Summaries: []*rule.Summary{refSigns},
	Check:     checkPVCStorageClass,
	Doc: `A PersistentVolumeClaim names a StorageClass that does not exist.

## What it does
Looks up the StorageClass (cluster-scoped) named by a PVC's
` + "`spec.storageClassName`" + ` and by each of a StatefulSet's
` + "`spec.volumeClaimTemplates[].spec.storageClassName`" + `. An empty name asks for
no class and an absent one for the default class: neither is judged, nor a
claim bound by ` + "`volumeName`" + `, nor a class that a PersistentVolume of the
same folder carries (static provisioning needs no StorageClass object). A
missing class is a finding only when the claim's folder has StorageClasses,
or with ` + "`--require-references`" + `. Off unless enabled: on ../shared/corpus its 8
findings were classes that another folder or the storage system's own
install defines (Longhorn's, Rook's examples).

## Why is this bad?
No provisioner serves the claim: it stays Pending, and so do the pods that
mount it, while the manifest applies without error.

## Example
` + "```yaml" + `
kind: PersistentVolumeClaim
spec:
  storageClassName: fast-ssd
---
kind: StorageClass
metadata: {name: ssd}
` + "```" + `

## Use instead
` + "```yaml" + `
kind: PersistentVolumeClaim
spec:
  storageClassName: ssd
` + "```",
}

type pvClassesKey struct{}

func checkPVCStorageClass(pass *rule.Pass, o *manifest.Object) {
	check := func(at manifest.Path, spec *corev1.PersistentVolumeClaimSpec) {
		sc := spec.StorageClassName
		if sc == nil || *sc == "" || spec.VolumeName != "" {
			return
		}
		if len(lookup(pass, o, "storage.k8s.io", "StorageClass", *sc)) > 0 || !mustExist(pass, o, "storage.k8s.io", "StorageClass", *sc) {
			return
		}
		pvs := pass.Index.Memo(pvClassesKey{}, func() any {
			m := map[string]bool{}
			for _, pv := range pass.Index.ByKind("", "PersistentVolume") {
				if t, ok := pv.Typed.(*corev1.PersistentVolume); ok && t.Spec.StorageClassName != "" {
					m[t.Spec.StorageClassName] = true
					m[folderOf(pv)+"\x00"+t.Spec.StorageClassName] = true
				}
			}
			return m
		}).(map[string]bool)
		if pass.Settings.Complete && pvs[*sc] || pvs[folderOf(o)+"\x00"+*sc] {
			return
		}
		pass.Reportf(at.Field("storageClassName"), fmt.Sprintf("name one of the StorageClasses of the files, or create StorageClass %s", *sc),
			"StorageClass %q does not exist among the linted files: no provisioner serves this claim, so it stays Pending", *sc)
	}
	switch t := o.Typed.(type) {
	case *corev1.PersistentVolumeClaim:
		check(manifest.Path{}.Field("spec"), &t.Spec)
	case *appsv1.StatefulSet:
		for i := range t.Spec.VolumeClaimTemplates {
			check(manifest.Path{}.Field("spec").Field("volumeClaimTemplates").Item(i).Field("spec"), &t.Spec.VolumeClaimTemplates[i].Spec)
		}
	}
}
