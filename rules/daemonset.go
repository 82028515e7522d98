package rules

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// DaemonSetRollingUpdate reports a rolling update that can never progress.
var DaemonSetRollingUpdate = &rule.Rule{
	ID:       "daemonset-rolling-update",
	Severity: rule.Error,
	Kinds:    []string{"apps/v1/DaemonSet"},
	Check:    checkDaemonSetRollingUpdate,
	Doc: `A DaemonSet's rolling update has maxUnavailable 0 and maxSurge 0, so it can never progress.

## What it does
Checks ` + "`spec.updateStrategy.rollingUpdate`" + `: maxUnavailable of 0 (or 0%) with
maxSurge 0 or unset (its default is 0).

## Why is this bad?
The controller may neither take a node's old pod down before the new one is
ready nor start the new one beside it: the rollout cannot make any step. The
API server rejects it.

## Example
` + "```yaml" + `
updateStrategy:
  type: RollingUpdate
  rollingUpdate:
    maxUnavailable: 0
` + "```" + `

## Use instead
` + "```yaml" + `
updateStrategy:
  type: RollingUpdate
  rollingUpdate:
    maxUnavailable: 0
    maxSurge: 1        # start the new pod before stopping the old one
` + "```",
}

func isZero(v *intstr.IntOrString) bool {
	if v == nil {
		return false
	}
	if v.Type == intstr.Int {
		return v.IntVal == 0
	}
	return v.StrVal == "0%" || v.StrVal == "0"
}

func checkDaemonSetRollingUpdate(pass *rule.Pass, o *manifest.Object) {
	ds, ok := o.Typed.(*appsv1.DaemonSet)
	if !ok {
		return
	}
	st := ds.Spec.UpdateStrategy
	if st.Type == appsv1.OnDeleteDaemonSetStrategyType || st.RollingUpdate == nil {
		return
	}
	ru := st.RollingUpdate
	if isZero(ru.MaxUnavailable) && (ru.MaxSurge == nil || isZero(ru.MaxSurge)) {
		pass.Reportf(manifest.Path{}.Field("spec").Field("updateStrategy").Field("rollingUpdate").Field("maxUnavailable"),
			"set maxSurge: 1 to replace pods surge-first, or maxUnavailable: 1",
			"maxUnavailable is 0 and maxSurge is 0: the rolling update can never replace a pod")
	}
}

// DaemonSetControlPlaneTolerations notes node agents in kube-system that
// would skip control-plane nodes.
var DaemonSetControlPlaneTolerations = &rule.Rule{
	ID:       "daemonset-control-plane-tolerations",
	Severity: rule.Info,
	Kinds:    []string{"apps/v1/DaemonSet"},
	Check:    checkDaemonSetTolerations,
	Doc: `A node-agent DaemonSet in kube-system does not tolerate control-plane taints.

## What it does
For DaemonSets in kube-system that look like node agents (host network, host
PID, hostPath volumes or privileged containers), notes when no toleration covers
the ` + "`node-role.kubernetes.io/control-plane`" + ` taint.

## Why is this bad?
Control-plane nodes are tainted NoSchedule. Networking, logging and monitoring
agents (kube-proxy, calico) usually must run there too; without a toleration
those nodes are left without the agent.

## Example
` + "```yaml" + `
kind: DaemonSet
metadata: {namespace: kube-system}
spec:
  template:
    spec:
      hostNetwork: true
` + "```" + `

## Use instead
` + "```yaml" + `
    spec:
      hostNetwork: true
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
` + "```",
}

func checkDaemonSetTolerations(pass *rule.Pass, o *manifest.Object) {
	ds, ok := o.Typed.(*appsv1.DaemonSet)
	if !ok || o.Namespace != "kube-system" {
		return
	}
	pod := &ds.Spec.Template.Spec
	if !looksLikeNodeAgent(pod) {
		return
	}
	for _, t := range pod.Tolerations {
		if t.Operator == corev1.TolerationOpExists && t.Key == "" {
			return // tolerates everything
		}
		if t.Key == "node-role.kubernetes.io/control-plane" || t.Key == "node-role.kubernetes.io/master" {
			return
		}
	}
	pass.Reportf(manifest.Path{}.Field("spec").Field("template").Field("spec").Field("tolerations"),
		"add a toleration {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule} if the agent must run on control-plane nodes",
		"this node agent does not tolerate the control-plane taint, so it will not run on control-plane nodes")
}

func looksLikeNodeAgent(pod *corev1.PodSpec) bool {
	if pod.HostNetwork || pod.HostPID {
		return true
	}
	for _, v := range pod.Volumes {
		if v.HostPath != nil {
			return true
		}
	}
	for _, c := range pod.Containers {
		if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
			return true
		}
	}
	return false
}
