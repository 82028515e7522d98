package rules

import (
	policyv1 "k8s.io/api/policy/v1"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// PDBUnhealthyPodEvictionPolicy asks PodDisruptionBudgets to say how
// unhealthy pods are evicted (kube-linter's
// pdb-unhealthy-pod-eviction-policy).
var PDBUnhealthyPodEvictionPolicy = &rule.Rule{
	ID: "pdb-unhealthy-pod-eviction-policy", Severity: rule.Warning, Off: true, Sets: []string{"reliability"},
	Kinds: []string{"policy/v1/PodDisruptionBudget"},
	Check: checkPDBUnhealthyPodEvictionPolicy,
	Doc: bpDoc("A PodDisruptionBudget does not set unhealthyPodEvictionPolicy.",
		`Reports a policy/v1 PodDisruptionBudget without
spec.unhealthyPodEvictionPolicy, when the target Kubernetes version has the
field on by default (1.27 and later; it is GA in 1.31). As kube-linter's
pdb-unhealthy-pod-eviction-policy, which runs by default.`,
		`Unset, the policy is IfHealthyBudget: a pod that is running but not ready
(crash-looping, stuck on a failing probe) may be evicted only while the
budget is met. When enough pods are unhealthy the budget is never met, and
kubectl drain and node upgrades wait forever on pods that serve nothing.
AlwaysAllow lets those pods go.`,
		`kind: PodDisruptionBudget
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}`,
		`kind: PodDisruptionBudget
spec:
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector: {matchLabels: {app: web}}`),
}

// evictionPolicyFrom is the first release with unhealthyPodEvictionPolicy
// on by default (beta).
var evictionPolicyFrom, _ = kubeversion.Parse("1.27")

func checkPDBUnhealthyPodEvictionPolicy(pass *rule.Pass, o *manifest.Object) {
	pdb, ok := o.Typed.(*policyv1.PodDisruptionBudget)
	if !ok || pdb.Spec.UnhealthyPodEvictionPolicy != nil || pass.Settings.KubeVersion.Less(evictionPolicyFrom) {
		return
	}
	pass.Reportf(manifest.Path{}.Field("spec").Field("unhealthyPodEvictionPolicy"),
		"set spec.unhealthyPodEvictionPolicy: AlwaysAllow (or IfHealthyBudget, to keep today's behaviour explicitly)",
		"PodDisruptionBudget %q does not set unhealthyPodEvictionPolicy: unhealthy pods it covers can block node drains", o.Name)
}
