package rules

import (
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// NetworkPolicySelector reports a NetworkPolicy pod selector that selects
// no pods of the run's workloads.
var NetworkPolicySelector = &rule.Rule{
	ID:        "networkpolicy-selector",
	Severity:  rule.Warning,
	Kinds:     []string{"networking.k8s.io/v1/NetworkPolicy"},
	Summaries: podSummaryList,
	TypedOnly: true,
	Check:     checkNetworkPolicySelector,
	Doc: `A NetworkPolicy's podSelector, or a peer's, selects no pods.

## What it does
Matches ` + "`spec.podSelector`" + ` and the ` + "`podSelector`" + ` of every ingress ` + "`from`" + ` and egress
` + "`to`" + ` peer without a ` + "`namespaceSelector`" + ` (so in the policy's own namespace) against
the pod template labels of the workloads of the namespace. An empty selector
(every pod) is fine. A selector that matches nothing is a finding when the
linted files of the policy's folder have workloads in the namespace, or with
` + "`--require-references`" + `, and no sign that something else makes pods there
(a custom resource in the namespace, a CRD, templated workloads: see
service-selector).

## Why is this bad?
A policy whose podSelector selects nothing isolates nothing, and a peer that
selects nothing allows nothing: the traffic the policy was written for is
blocked, or never was restricted.

## Example
` + "```yaml" + `
kind: NetworkPolicy
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: api}}}]   # pods are role: api
` + "```" + `

## Use instead
` + "```yaml" + `
  ingress:
  - from: [{podSelector: {matchLabels: {role: api}}}]
` + "```",
}

func checkNetworkPolicySelector(pass *rule.Pass, o *manifest.Object) {
	np, ok := o.Typed.(*networkingv1.NetworkPolicy)
	if !ok {
		return
	}
	p, ns := podsOf(pass, o)
	if !p.judged(pass, o, ns) {
		return
	}
	spec := manifest.Path{}.Field("spec")
	check := func(path manifest.Path, ls *metav1.LabelSelector, what string) {
		sel, err := metav1.LabelSelectorAsSelector(ls)
		if err != nil || sel.Empty() || !plainSelector(ls.MatchLabels) {
			return
		}
		if len(p.selectPods(ns, sel, ls.MatchLabels)) > 0 {
			return
		}
		near, _ := p.closest(ns, ls.MatchLabels)
		pass.Report(rule.Diagnostic{Path: path, Help: "make the selector match the pod template labels of the workloads it is meant for", Related: relatedTo(near),
			Message: fmt.Sprintf("%s selects no pods: no %s in namespace %q among the linted files has labels %s", what, podKindNames, nsOf(o), sel.String())})
	}
	check(spec.Field("podSelector"), &np.Spec.PodSelector, "spec.podSelector")
	for i, r := range np.Spec.Ingress {
		for j, p := range r.From {
			if p.PodSelector != nil && p.NamespaceSelector == nil {
				check(spec.Field("ingress").Item(i).Field("from").Item(j).Field("podSelector"), p.PodSelector, "this ingress peer")
			}
		}
	}
	for i, r := range np.Spec.Egress {
		for j, p := range r.To {
			if p.PodSelector != nil && p.NamespaceSelector == nil {
				check(spec.Field("egress").Item(i).Field("to").Item(j).Field("podSelector"), p.PodSelector, "this egress peer")
			}
		}
	}
}
