package rules

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// UnusedVolumeClaimTemplate reports volumeClaimTemplates no container
// mounts.
var UnusedVolumeClaimTemplate = &rule.Rule{
	ID:       "unused-volume-claim-template",
	Severity: rule.Warning,
	Kinds:    []string{"apps/v1/StatefulSet"},
	Check:    checkUnusedVolumeClaimTemplate,
	Doc: `A StatefulSet's volumeClaimTemplate is not mounted by any container.

## What it does
Checks that each ` + "`spec.volumeClaimTemplates[].metadata.name`" + ` is used by a
` + "`volumeMounts`" + ` or ` + "`volumeDevices`" + ` entry of a container or init container.

## Why is this bad?
Kubernetes still creates (and bills) one PVC per pod, but nothing writes to it:
usually the volumeMount's name has a typo, and the data goes to the container's
ephemeral filesystem instead.

## Example
` + "```yaml" + `
containers:
- name: db
  volumeMounts: [{name: date, mountPath: /var/lib/db}]
volumeClaimTemplates:
- metadata: {name: data}
` + "```" + `

## Use instead
` + "```yaml" + `
containers:
- name: db
  volumeMounts: [{name: data, mountPath: /var/lib/db}]
volumeClaimTemplates:
- metadata: {name: data}
` + "```",
}

func checkUnusedVolumeClaimTemplate(pass *rule.Pass, o *manifest.Object) {
	ss, ok := o.Typed.(*appsv1.StatefulSet)
	if !ok {
		return
	}
	used := map[string]bool{}
	pod := ss.Spec.Template.Spec
	for _, cs := range [][]corev1.Container{pod.Containers, pod.InitContainers} {
		for _, c := range cs {
			for _, m := range c.VolumeMounts {
				used[m.Name] = true
			}
			for _, d := range c.VolumeDevices {
				used[d.Name] = true
			}
		}
	}
	for i, t := range ss.Spec.VolumeClaimTemplates {
		if t.Name == "" || used[t.Name] {
			continue
		}
		path := manifest.Path{}.Field("spec").Field("volumeClaimTemplates").Item(i).Field("metadata").Field("name")
		pass.Reportf(path, fmt.Sprintf("mount it: add volumeMounts: [{name: %s, mountPath: ...}] to the container that needs it, or remove the template", t.Name),
			"volumeClaimTemplate %q is not mounted by any container: each pod gets a PVC that nothing uses", t.Name)
	}
}
