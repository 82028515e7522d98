package rules

import (
	"fmt"

	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// PDBSelector reports a PodDisruptionBudget that selects no pods, or that
// allows no disruption of the pods it selects.
var PDBSelector = &rule.Rule{
	ID:       "pdb-selector",
	Severity: rule.Warning,
	Off:      true,
	Kinds:    []string{"policy/*/PodDisruptionBudget"},
	Uses:     podKinds,
	Slim:     slimPods,
	Check:    checkPDB,
	Doc: `A PodDisruptionBudget selects no pods, or allows no voluntary disruption.

## What it does
Matches ` + "`spec.selector`" + ` against the pod template labels of the workloads of the
PDB's namespace (a finding when there are workloads there and none matches,
or with ` + "`--require-references`" + `). For the pods it selects, reports
` + "`maxUnavailable`" + ` 0 (or 0%), and ` + "`minAvailable`" + ` (a number or a percentage, rounded
up as the disruption controller does) not below the replicas of the selected
Deployments, StatefulSets, ReplicaSets and Pods (skipped when a DaemonSet or
Job is selected: their pod count is not in the manifest). Off unless enabled for now: it keeps every workload of the run until
the end, which took the 100,000-document default run from 250 to 516 MB and
its CPU threefold (the heap limit's collector); a compact per-workload summary
would bring it back.

## Why is this bad?
A PDB that selects nothing protects nothing. One that allows zero
disruptions blocks ` + "`kubectl drain`" + `, node upgrades and the cluster autoscaler
forever: the eviction is refused until someone deletes the PDB.

## Example
` + "```yaml" + `
kind: PodDisruptionBudget
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
---
kind: Deployment
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
` + "```" + `

## Use instead
` + "```yaml" + `
kind: PodDisruptionBudget
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
` + "```",
}

func checkPDB(pass *rule.Pass, o *manifest.Object) {
	var ps policyv1.PodDisruptionBudgetSpec
	switch t := o.Typed.(type) {
	case *policyv1.PodDisruptionBudget:
		ps = t.Spec
	case *policyv1beta1.PodDisruptionBudget:
		// Removed, but judged alike: kvet fix's migration to policy/v1
		// must not reveal a finding that was there before.
		ps = policyv1.PodDisruptionBudgetSpec{MinAvailable: t.Spec.MinAvailable, Selector: t.Spec.Selector, MaxUnavailable: t.Spec.MaxUnavailable}
	default:
		return
	}
	pdb := &policyv1.PodDisruptionBudget{Spec: ps}
	if pdb.Spec.Selector == nil {
		return
	}
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil || sel.Empty() {
		return // the API validation reports a bad selector; {} selects every pod
	}
	spec := manifest.Path{}.Field("spec")
	li, ns := podIndex(pass, o)
	got := li.Select(ns, sel, pdb.Spec.Selector.MatchLabels)
	if len(got) == 0 {
		if pass.Settings.Complete || li.Any(ns) {
			reportRef(pass, spec.Field("selector"), closestObject(li, ns, pdb.Spec.Selector.MatchLabels), "make spec.selector match the pod template labels of the workload this PDB protects",
				"PodDisruptionBudget %q selects no pods: no %s in namespace %q among the linted files has labels %s",
				o.Name, podKindNames, nsOf(o), sel.String())
		}
		return
	}
	if mu := pdb.Spec.MaxUnavailable; mu != nil && (mu.Type == intstr.Int && mu.IntVal == 0 || mu.Type == intstr.String && mu.StrVal == "0%") {
		reportRef(pass, spec.Field("maxUnavailable"), got[0].Object, "set maxUnavailable to 1 (or more)",
			"maxUnavailable %s allows no voluntary disruption of the pods of %s: kubectl drain and node upgrades wait forever", mu.String(), named(got[0].Object))
		return
	}
	ma := pdb.Spec.MinAvailable
	if ma == nil {
		return
	}
	total := 0
	for _, g := range got {
		n, ok := replicasOf(g.Object)
		if !ok {
			return
		}
		total += n
	}
	need, err := intstr.GetScaledValueFromIntOrPercent(ma, total, true)
	if err != nil || need < total || total == 0 {
		return
	}
	reportRef(pass, spec.Field("minAvailable"), got[0].Object, fmt.Sprintf("set minAvailable below %d, or use maxUnavailable: 1", total),
		"minAvailable %s needs all %d pods of %s up: no pod may ever be evicted, so kubectl drain and node upgrades wait forever",
		ma.String(), total, named(got[0].Object))
}
