package rules

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// hpaTargetKinds are the kinds an HPA's target is judged for.
var hpaTargetKinds = []string{"*/Deployment", "*/StatefulSet", "*/ReplicaSet", "v1/ReplicationController"}

// HPATarget reports an HPA whose scaleTargetRef names a workload the run
// does not have, or one that sets spec.replicas.
var HPATarget = &rule.Rule{
	ID:        "hpa-target",
	Severity:  rule.Warning,
	Kinds:     []string{"autoscaling/*/HorizontalPodAutoscaler"},
	Summaries: []*rule.Summary{refSigns, podSummaries},
	Check:     checkHPATarget,
	Doc: `An HPA's scaleTargetRef names a missing workload, or one that sets spec.replicas.

## What it does
Looks up the Deployment, StatefulSet, ReplicaSet or ReplicationController
named by ` + "`spec.scaleTargetRef`" + ` in the HPA's namespace. A missing one is a finding
when the HPA's folder or a parent folder has that kind in the namespace (or
with ` + "`--require-references`" + `); one that sets ` + "`spec.replicas`" + ` is a finding too
(kube-score's check), when it is in the HPA's folder or the nearest parent
folder that has one (anywhere with ` + "`--require-references`" + `: a Deployment of the
same name in a sibling folder may be another application's). Targets of other kinds (custom resources such as
Argo Rollouts) are not judged. The workloads are read from the summaries
the pod-selecting rules keep (identity, replicas), not kept themselves.
On ../shared/corpus its 10 findings are true: GKE samples and
kubernetes/examples' vLLM (HPAs in a folder below their Deployment's)
that set ` + "`replicas`" + ` on the Deployment their HPA scales.

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
	if kind == "" || name == "" || !rule.MatchKind(hpaTargetKinds, "apps/v1", kind) && kind != "ReplicationController" {
		return
	}
	group := ""
	if g, _, ok := strings.Cut(av, "/"); ok {
		group = g
	}
	ref := manifest.Path{}.Field("spec").Field("scaleTargetRef")
	groups := sameKindGroups(group)
	var found []*podSummary
	must := false
	for _, g := range groups {
		found = append(found, lookupWorkload(pass, o, g, kind, name)...)
		must = must || mustExist(pass, o, g, kind, name)
	}
	if len(found) == 0 {
		if must {
			pass.Reportf(ref.Field("name"), fmt.Sprintf("name one of the %ss of namespace %s, or lint this HPA with its target", kind, nsOf(o)),
				"%s %q does not exist in namespace %q among the linted files: this HPA scales nothing", kind, name, nsOf(o))
		}
		return
	}
	w := found[0]
	// Only a target of the HPA's folder or of a parent folder (of the
	// run, with --require-references) is the workload this HPA scales,
	// the nearest one: on ../shared/corpus, another folder's Deployment of
	// the same name was another application's (a test's HPA paired with
	// an archived example's Deployment), while an HPA of hpa/ scales the
	// Deployment of the folder above.
	if !pass.Settings.Complete {
		dir, near := folderOf(o), ""
		w = nil
		for _, f := range found {
			if d := filepath.Dir(f.id.Path); within(dir, d) && (w == nil || len(d) > len(near)) {
				w, near = f, d
			}
		}
		if w == nil {
			return
		}
	}
	t := w.id.Object()
	if n := w.replicas; w.replicasSet {
		reportRef(pass, ref, t, fmt.Sprintf("remove spec.replicas from %s %s: the HPA owns the replica count", kind, name),
			"%s sets spec.replicas: %d while this HPA scales it: each apply resets the replicas to %d", named(t), n, n)
	}
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
