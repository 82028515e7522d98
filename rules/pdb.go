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
	ID:        "pdb-selector",
	Severity:  rule.Warning,
	Kinds:     []string{"policy/*/PodDisruptionBudget"},
	Summaries: podSummaryList,
	TypedOnly: true,
	Check:     checkPDB,
	Doc: `A PodDisruptionBudget selects no pods, or allows no voluntary disruption.

## What it does
Matches ` + "`spec.selector`" + ` against the pod template labels of the workloads of the
PDB's namespace (a finding when there are workloads there and none matches,
or with ` + "`--require-references`" + `). For the pods it selects, reports
` + "`maxUnavailable`" + ` 0 (or 0%), and ` + "`minAvailable`" + ` (a number or a percentage, rounded
up as the disruption controller does) not below the replicas of the selected
Deployments, StatefulSets, ReplicaSets and Pods (skipped when a DaemonSet or
Job is selected: their pod count is not in the manifest); a workload that a
HorizontalPodAutoscaler of the folder scales counts its ` + "`minReplicas`" + ` pods, the
fewest it runs. A policy/v1 PDB that sets neither ` + "`minAvailable`" + ` nor
` + "`maxUnavailable`" + ` is a finding too, whatever it selects (kube-score's
poddisruptionbudget-has-policy): the disruption controller then wants no
pod healthy and allows every eviction (policy/v1beta1 defaulted
` + "`minAvailable`" + ` to 1, so its PDBs are not). "Selects no pods"
is judged as service-selector judges it: not where something else may make
the pods (a custom resource in the namespace, a CRD, templated workloads).

## Why is this bad?
A PDB that selects nothing, or sets no policy, protects nothing. One that allows zero
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
		if ps.MinAvailable == nil && ps.MaxUnavailable == nil {
			pass.Report(rule.Diagnostic{Path: manifest.Path{}.Field("spec"), Help: "set spec.maxUnavailable: 1 (or spec.minAvailable)",
				Message: fmt.Sprintf("PodDisruptionBudget %q sets neither minAvailable nor maxUnavailable: it allows every eviction, so it protects no pod", o.Name)})
			return
		}
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
	if err != nil || sel.Empty() || !plainSelector(pdb.Spec.Selector.MatchLabels) {
		return // the API validation reports a bad selector; {} selects every pod
	}
	spec := manifest.Path{}.Field("spec")
	p, ns := podsOf(pass, o)
	got := p.selectPods(ns, sel, pdb.Spec.Selector.MatchLabels)
	if len(got) == 0 {
		if p.judged(pass, o, ns) {
			near, _ := p.closest(ns, pdb.Spec.Selector.MatchLabels)
			pass.Report(rule.Diagnostic{Path: spec.Field("selector"), Help: "make spec.selector match the pod template labels of the workload this PDB protects", Related: relatedTo(near),
				Message: fmt.Sprintf("PodDisruptionBudget %q selects no pods: no %s in namespace %q among the linted files has labels %s",
					o.Name, podKindNames, nsOf(o), sel.String())})
		}
		return
	}
	if mu := pdb.Spec.MaxUnavailable; mu != nil && (mu.Type == intstr.Int && mu.IntVal == 0 || mu.Type == intstr.String && mu.StrVal == "0%") {
		pass.Report(rule.Diagnostic{Path: spec.Field("maxUnavailable"), Help: "set maxUnavailable to 1 (or more)", Related: relatedTo(got[0].Object),
			Message: fmt.Sprintf("maxUnavailable %s allows no voluntary disruption of the pods of %s: kubectl drain and node upgrades wait forever", mu.String(), named(got[0].Object))})
		return
	}
	ma := pdb.Spec.MinAvailable
	if ma == nil {
		return
	}
	total := 0
	var hpa *scaler
	for _, g := range got {
		n := g.Data.(*podSummary).replicas
		if sc := p.scalerOf(ns, g.Object); sc != nil {
			n, hpa = sc.min, sc // an HPA scales it: at its minReplicas at least
		}
		if n < 0 {
			return
		}
		total += int(n)
	}
	need, err := intstr.GetScaledValueFromIntOrPercent(ma, total, true)
	if err != nil || need < total || total == 0 {
		return
	}
	msg := fmt.Sprintf("minAvailable %s needs all %d pods of %s up: no pod may ever be evicted, so kubectl drain and node upgrades wait forever",
		ma.String(), total, named(got[0].Object))
	help := fmt.Sprintf("set minAvailable below %d, or use maxUnavailable: 1", total)
	if hpa != nil {
		msg = fmt.Sprintf("minAvailable %s needs all %d pods of %s up when %s scales it to its minReplicas %d: then no pod may be evicted, so kubectl drain and node upgrades wait",
			ma.String(), total, named(got[0].Object), named(hpa.id.Object()), hpa.min)
		help += ", or raise the HorizontalPodAutoscaler's minReplicas"
	}
	pass.Report(rule.Diagnostic{Path: spec.Field("minAvailable"), Help: help, Related: relatedTo(got[0].Object), Message: msg})
}
