package rules

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// bestPractice lists the opt-in best-practice rules (rules/bp_*.go): each
// belongs to a group (security, reliability, rbac, networking) and to the
// peer sets of the checks it stands for (PeerChecks).
var bestPractice = []*rule.Rule{
	ReadOnlyRootFilesystem, DockerSocket, ServiceAccountToken, SecretInEnv, SecretInConfigMap, SSHPort,
	RBACWildcard, RBACClusterAdmin, RBACSecretsAccess, RBACPodExec, RBACCreatePods,
	IngressTLS, ServiceNodePort,
	ContainerCPULimit, ContainerEphemeralStorage, ImagePullPolicy, ReplicaSpread, RollingUpdate,
	ProbesIdentical, HPAReplicas, WorkloadReplicas, DeprecatedServiceAccountField, PDBMissing, NetworkPolicyMissing,
	PDBUnhealthyPodEvictionPolicy,
	ContainerResources, WorkloadProbes, CronJobHistoryLimits, JobLimits,
}

// podKinds are the kinds that carry a pod template (PodSpecOf).
var podKinds = []string{"v1/Pod", "v1/PodTemplate", "v1/ReplicationController", "*/Deployment", "*/StatefulSet",
	"*/DaemonSet", "*/ReplicaSet", "batch/*/Job", "batch/*/CronJob"}

// bpDoc writes a rule's doc in kvet's four parts; example and fix are
// YAML.
func bpDoc(summary, what, why, example, fix string) string {
	const fence = "```"
	return summary + "\n\n## What it does\n" + what + "\n\n## Why is this bad?\n" + why +
		"\n\n## Example\n" + fence + "yaml\n" + strings.TrimSpace(example) + "\n" + fence +
		"\n\n## Use instead\n" + fence + "yaml\n" + strings.TrimSpace(fix) + "\n" + fence
}

// eachContainer calls fn for every init container and container of the
// pod spec, with the name of its list; path builds the container's path
// only when a finding needs it.
func eachContainer(ref PodSpecRef, fn func(list string, i int, c *corev1.Container)) {
	for i := range ref.Spec.InitContainers {
		fn("initContainers", i, &ref.Spec.InitContainers[i])
	}
	for i := range ref.Spec.Containers {
		fn("containers", i, &ref.Spec.Containers[i])
	}
}

// containerPath is the path of container i of list in the pod spec.
func containerPath(ref PodSpecRef, list string, i int) manifest.Path {
	return ref.Path.Field(list).Item(i)
}

// isWindows reports whether the pod runs on Windows nodes.
func isWindows(spec *corev1.PodSpec) bool {
	return spec.OS != nil && spec.OS.Name == corev1.Windows
}
