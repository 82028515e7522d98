package rules

import (
	"fmt"
	"strings"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// vpaTargetKinds are the workload kinds a VerticalPodAutoscaler's
// targetRef is judged for (others, custom resources with a scale
// subresource, are not).
var vpaTargetKinds = []string{"*/Deployment", "*/StatefulSet", "*/DaemonSet", "*/ReplicaSet", "v1/ReplicationController", "batch/*/Job", "batch/*/CronJob"}

// VPATarget reports a VerticalPodAutoscaler whose targetRef names a
// workload the run does not have.
var VPATarget = &rule.Rule{
	ID:        "vpa-target",
	Severity:  rule.Warning,
	Kinds:     []string{"autoscaling.k8s.io/*/VerticalPodAutoscaler"},
	Summaries: []*rule.Summary{refSigns, podSummaries},
	Check:     checkVPATarget,
	Doc: `A VerticalPodAutoscaler's targetRef names a workload that does not exist.

## What it does
Looks up the Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, Job or CronJob named by ` + "`spec.targetRef`" + ` in the VPA's
namespace (apps and extensions Deployments are one). A missing one is a
finding when the VPA's folder, or a folder above it, has that kind in the
namespace, or with
` + "`--require-references`" + `; targets of other kinds (custom resources) are not
judged, nor is one that something else makes (a folder of test data).
hpa-target is its sibling for HorizontalPodAutoscalers; both read the
workloads from the pod-selecting rules' summaries. ../shared/corpus has no
VerticalPodAutoscaler.

## Why is this bad?
A VPA without its target recommends nothing and resizes nothing: the
pods keep requests that nobody tunes, and nothing reports it.

## Example
` + "```yaml" + `
kind: VerticalPodAutoscaler
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web-server}
---
kind: Deployment
metadata: {name: web}
` + "```" + `

## Use instead
` + "```yaml" + `
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
` + "```",
}

func checkVPATarget(pass *rule.Pass, o *manifest.Object) {
	kind, _ := o.Value("spec", "targetRef", "kind").(string)
	name, _ := o.Value("spec", "targetRef", "name").(string)
	av, _ := o.Value("spec", "targetRef", "apiVersion").(string)
	group := ""
	if g, _, ok := strings.Cut(av, "/"); ok {
		group = g
	}
	if kind == "" || name == "" || !rule.MatchKind(vpaTargetKinds, av, kind) {
		return
	}
	groups := sameKindGroups(group)
	must := false
	for _, g := range groups {
		if len(lookupWorkload(pass, o, g, kind, name)) > 0 {
			return
		}
		must = must || mustExist(pass, o, g, kind, name)
	}
	if must {
		pass.Reportf(manifest.Path{}.Field("spec").Field("targetRef").Field("name"),
			fmt.Sprintf("name one of the %ss of namespace %s, or lint this VPA with its target", kind, nsOf(o)),
			"%s %q does not exist in namespace %q among the linted files: this VPA resizes nothing", kind, name, nsOf(o))
	}
}
