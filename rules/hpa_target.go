package rules

import (
	"fmt"
	"strings"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// HPATarget reports an HPA whose scaleTargetRef names a workload the run
// does not have, or one that sets spec.replicas.
var HPATarget = &rule.Rule{
	ID:        "hpa-target",
	Severity:  rule.Warning,
	Off:       true,
	Kinds:     []string{"autoscaling/*/HorizontalPodAutoscaler"},
	Uses:      []string{"*/Deployment", "*/StatefulSet", "*/ReplicaSet", "v1/ReplicationController"},
	Summaries: []*rule.Summary{refSigns},
	Slim:      slimPods,
	Check:     checkHPATarget,
	Doc: `An HPA's scaleTargetRef names a missing workload, or one that sets spec.replicas.

## What it does
Looks up the Deployment, StatefulSet, ReplicaSet or ReplicationController
named by ` + "`spec.scaleTargetRef`" + ` in the HPA's namespace. A missing one is a finding
when the linted files have that kind in the namespace (or with
` + "`--require-references`" + `); one that sets ` + "`spec.replicas`" + ` is a finding too
(kube-score's check), when it is in the HPA's folder (anywhere with
` + "`--require-references`" + `: a Deployment of the same name in another folder
may be another application's). Targets of other kinds (custom resources such as
Argo Rollouts) are not judged. Off unless enabled for now: it keeps every workload of the run until
the end, which took the 100,000-document default run from 250 to 516 MB and
its CPU threefold (the heap limit's collector); a compact per-workload summary
would bring it back.

## Why is this bad?
An HPA without its target does nothing. A target that sets ` + "`spec.replicas`" + `
fights the HPA: every ` + "`kubectl apply`" + ` (and every GitOps sync) resets the
replica count to the manifest's, then the HPA scales it again.

## Example
` + "```yaml" + `
kind: HorizontalPodAutoscaler
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
---
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
` + "```" + `

## Use instead
` + "```yaml" + `
kind: Deployment
metadata: {name: web}
spec:            # no replicas: the HPA owns them
` + "```",
}

func checkHPATarget(pass *rule.Pass, o *manifest.Object) {
	kind, _ := o.Value("spec", "scaleTargetRef", "kind").(string)
	name, _ := o.Value("spec", "scaleTargetRef", "name").(string)
	av, _ := o.Value("spec", "scaleTargetRef", "apiVersion").(string)
	if kind == "" || name == "" || !rule.MatchKind(pass.Rule.Uses, "apps/v1", kind) && kind != "ReplicationController" {
		return
	}
	group := ""
	if g, _, ok := strings.Cut(av, "/"); ok {
		group = g
	}
	ref := manifest.Path{}.Field("spec").Field("scaleTargetRef")
	groups := sameKindGroups(group)
	var found []*manifest.Object
	must := false
	for _, g := range groups {
		found = append(found, lookup(pass, o, g, kind, name)...)
		must = must || mustExist(pass, o, g, kind, name)
	}
	if len(found) == 0 {
		if must {
			pass.Reportf(ref.Field("name"), fmt.Sprintf("name one of the %ss of namespace %s, or lint this HPA with its target", kind, nsOf(o)),
				"%s %q does not exist in namespace %q among the linted files: this HPA scales nothing", kind, name, nsOf(o))
		}
		return
	}
	t := found[0]
	// Only a target of the HPA's folder (of the run, with
	// --require-references) is the workload this HPA scales: on
	// ../shared/corpus, another folder's Deployment of the same name was
	// another application's (a test's HPA paired with an archived
	// example's Deployment).
	if !pass.Settings.Complete && folderOf(t) != folderOf(o) {
		return
	}
	if n, ok := explicitReplicas(t); ok {
		reportRef(pass, ref, t, fmt.Sprintf("remove spec.replicas from %s %s: the HPA owns the replica count", kind, name),
			"%s sets spec.replicas: %d while this HPA scales it: each apply resets the replicas to %d", named(t), n, n)
	}
}

// explicitReplicas is a workload's spec.replicas when the manifest sets it.
func explicitReplicas(o *manifest.Object) (int, bool) {
	if r, ok := replicasOf(o); ok && replicasSet(o) {
		return r, true
	}
	return 0, false
}

// sameKindGroups is group with the groups that serve the same workload
// kinds to the API server: apps and extensions (removed) are one
// Deployment, ReplicaSet and DaemonSet.
func sameKindGroups(group string) []string {
	switch group {
	case "apps":
		return []string{"apps", "extensions"}
	case "extensions":
		return []string{"extensions", "apps"}
	}
	return []string{group}
}
