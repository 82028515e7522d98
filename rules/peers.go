package rules

import (
	"slices"
	"strings"

	"github.com/kvetdev/kvet/rule"
)

// PodSecurityRule is the id of the rule that applies the Pod Security
// Standards (k8s.io/pod-security-admission); peer checks that the
// standards cover map to it. Until that rule is in the registry, they
// map to nothing.
const PodSecurityRule = "pod-security"

// Peer linters whose default checks kvet can run as a set: --enable
// kube-score turns on the rules that stand for kube-score's default
// checks.
const (
	KubeScore  = "kube-score"
	KubeLinter = "kube-linter"
	Polaris    = "polaris"
)

// PeerCheck maps one check of a peer linter to the kvet rules that catch
// the same problem.
type PeerCheck struct {
	Peer  string
	Check string
	// Default is whether the peer runs the check by default; only those
	// are in the peer's set.
	Default bool
	// Rules are the kvet rules that catch it; empty when kvet does not
	// port it (Note says why).
	Rules []string
	// Note says how kvet differs, or why it does not port the check.
	Note string
}

// Notes shared by several rows.
const (
	notePSS     = "Pod Security Standards (baseline/restricted), applied by the pod-security rule"
	noteConvent = "not ported: an organisation's convention, not a risk; write it as a Rego policy"
)

// PeerChecks is the table of kube-linter's built-in checks, kube-score's
// checks and polaris's checks against kvet's rules. kube-linter also
// checks OpenShift DeploymentConfigs, a custom resource whose pod template
// kvet's rules do not read. The README's peer
// table and the peer sets are generated from it.
var PeerChecks = []PeerCheck{
	// kube-linter (docs/generated/checks.md, pkg/builtinchecks)
	{KubeLinter, "access-to-create-pods", false, []string{"rbac-create-pods"}, ""},
	{KubeLinter, "access-to-secrets", false, []string{"rbac-secrets-access"}, ""},
	{KubeLinter, "cluster-admin-role-binding", false, []string{"rbac-cluster-admin"}, ""},
	{KubeLinter, "dangling-service", true, []string{"service-selector"}, "judged within the Service's folder, and not where an operator, a CRD or a template may make the pods"},
	{KubeLinter, "dangling-ingress", false, []string{"ingress-backend"}, "rules and defaultBackend, Service and port; only where the Ingress's folder has Services in that namespace, or with --require-references"},
	{KubeLinter, "dangling-horizontalpodautoscaler", false, []string{"hpa-target"}, "only where the HPA's folder has that kind, or with --require-references"},
	{KubeLinter, "dangling-networkpolicy", false, []string{"networkpolicy-selector"}, "judged within the policy's folder, and not where an operator, a CRD or a template may make the pods"},
	{KubeLinter, "dangling-networkpolicypeer-podselector", false, []string{"networkpolicy-selector"}, "peers without a namespaceSelector only (others select in namespaces kvet does not see)"},
	{KubeLinter, "dangling-servicemonitor", false, []string{"monitor-selector"}, "only where the monitor's folder has Services, or with --require-references; PodMonitors too"},
	{KubeLinter, "env-value-from", false, []string{"pod-reference"}, "also volumes, envFrom, imagePullSecrets, PVCs, the ServiceAccount and the PriorityClass; keys of ConfigMaps and Secrets that have data"},
	{KubeLinter, "schema-validation", false, []string{"unknown-field", "invalid-type", "api-required"}, "kvet checks every built-in object against its schema and the API server's validation by default"},
	{KubeLinter, "default-service-account", false, nil, "not ported: the default ServiceAccount is harmless when it has no RBAC bindings and its token is not mounted (service-account-token)"},
	{KubeLinter, "deprecated-service-account-field", true, []string{"deprecated-service-account-field"}, ""},
	{KubeLinter, "dnsconfig-options", false, nil, noteConvent},
	{KubeLinter, "docker-sock", true, []string{"docker-socket"}, "kvet also knows the containerd and CRI-O sockets"},
	{KubeLinter, "drop-net-raw-capability", true, []string{PodSecurityRule}, notePSS + " (restricted: drop ALL)"},
	{KubeLinter, "duplicate-env-var", true, []string{"duplicate-env"}, ""},
	{KubeLinter, "env-var-secret", true, []string{"secret-in-env"}, "kvet skips names ending in _FILE, _PATH, _NAME, _REF or _KEY_ID (they name a secret, they do not hold it) and empty values"},
	{KubeLinter, "exposed-services", false, []string{"service-node-port"}, "kvet reports NodePort only: a LoadBalancer is how a public service is meant to be exposed"},
	{KubeLinter, "host-ipc", true, []string{PodSecurityRule}, notePSS},
	{KubeLinter, "host-network", true, []string{PodSecurityRule}, notePSS},
	{KubeLinter, "host-pid", true, []string{PodSecurityRule}, notePSS},
	{KubeLinter, "hpa-minimum-three-replicas", false, []string{"hpa-replicas"}, "kvet asks for minReplicas of 2, the least that survives one eviction"},
	{KubeLinter, "invalid-target-ports", true, []string{"api-invalid"}, "the API server's validation of port names"},
	{KubeLinter, "job-ttl-seconds-after-finished", true, []string{"job-ttl"}, ""},
	{KubeLinter, "latest-tag", true, []string{"image-pinned"}, ""},
	{KubeLinter, "liveness-port", true, []string{"probe-port"}, ""},
	{KubeLinter, "readiness-port", true, []string{"probe-port"}, ""},
	{KubeLinter, "startup-port", true, []string{"probe-port"}, ""},
	{KubeLinter, "minimum-three-replicas", false, []string{"workload-replicas"}, "kvet asks for 2 replicas, the least that survives one eviction; OpenShift DeploymentConfigs are not checked"},
	{KubeLinter, "mismatching-selector", true, []string{"api-invalid"}, "the API server's validation (selector does not match template labels)"},
	{KubeLinter, "no-anti-affinity", true, []string{"replica-spread"}, "kvet also accepts topologySpreadConstraints"},
	{KubeLinter, "no-extensions-v1beta", true, []string{"deprecated-api"}, ""},
	{KubeLinter, "no-liveness-probe", false, []string{"workload-probes"}, "Jobs and CronJobs are not checked"},
	{KubeLinter, "no-readiness-probe", false, []string{"workload-probes"}, "Jobs and CronJobs are not checked"},
	{KubeLinter, "no-node-affinity", false, nil, noteConvent},
	{KubeLinter, "no-read-only-root-fs", true, []string{"read-only-root-filesystem"}, ""},
	{KubeLinter, "no-rolling-update-strategy", false, []string{"rolling-update", "api-not-supported"}, "a strategy type other than Recreate and RollingUpdate is the API server's api-not-supported"},
	{KubeLinter, "non-existent-service-account", true, []string{"pod-reference"}, "pod-reference also checks ConfigMaps, Secrets, PVCs and the PriorityClass; only where the folder has ServiceAccounts, or with --require-references"},
	{KubeLinter, "non-isolated-pod", false, []string{"network-policy-missing"}, ""},
	{KubeLinter, "pdb-max-unavailable", true, []string{"pdb-selector"}, ""},
	{KubeLinter, "pdb-min-available", true, []string{"pdb-selector"}, "with the minReplicas of the HPA that scales a selected workload"},
	{KubeLinter, "pdb-unhealthy-pod-eviction-policy", true, []string{"pdb-unhealthy-pod-eviction-policy"}, "only when the target Kubernetes version has the field on by default (1.27 and later)"},
	{KubeLinter, "priority-class-name", false, nil, noteConvent},
	{KubeLinter, "privilege-escalation-container", true, []string{PodSecurityRule}, notePSS},
	{KubeLinter, "privileged-container", true, []string{PodSecurityRule}, notePSS},
	{KubeLinter, "privileged-ports", false, nil, "not ported: containerPort is informational; binding a port below 1024 needs NET_BIND_SERVICE, which the restricted Pod Security Standard drops"},
	{KubeLinter, "read-secret-from-env-var", false, nil, "not ported: secretKeyRef is Kubernetes' documented way to pass a secret; a literal secret is secret-in-env"},
	{KubeLinter, "required-annotation-email", false, nil, noteConvent},
	{KubeLinter, "required-label-owner", false, nil, noteConvent},
	{KubeLinter, "restart-policy", false, []string{"job-restart-policy", "api-not-supported"}, "kvet deliberately differs: restartPolicy Never is right for a Job or a Pod, kube-linter reports it; a Deployment's, DaemonSet's or ReplicaSet's other than Always is the API server's api-not-supported"},
	{KubeLinter, "run-as-non-root", true, []string{PodSecurityRule}, notePSS + " (restricted)"},
	{KubeLinter, "scc-deny-privileged-container", false, []string{PodSecurityRule}, "OpenShift SecurityContextConstraints; the privileged check is " + notePSS},
	{KubeLinter, "sensitive-host-mounts", true, []string{PodSecurityRule}, notePSS + " (hostPath volumes)"},
	{KubeLinter, "sorted-keys", false, nil, "not ported: key order is style"},
	{KubeLinter, "ssh-port", true, []string{"ssh-port"}, ""},
	{KubeLinter, "unsafe-proc-mount", false, []string{PodSecurityRule}, notePSS},
	{KubeLinter, "unsafe-sysctls", true, []string{PodSecurityRule}, notePSS},
	{KubeLinter, "unset-cpu-requirements", true, []string{"container-resources", "container-cpu-limit"}, "container-resources asks for the CPU request; container-cpu-limit, which kvet does not recommend, for the limit"},
	{KubeLinter, "unset-memory-requirements", true, []string{"container-resources"}, ""},
	{KubeLinter, "use-namespace", false, nil, noteConvent},
	{KubeLinter, "wildcard-in-rules", false, []string{"rbac-wildcard"}, ""},
	{KubeLinter, "writable-host-mount", false, []string{PodSecurityRule}, notePSS + " (hostPath volumes)"},

	// kube-score (README_CHECKS.md, score/)
	{KubeScore, "container-cpu-requests-equal-limits", false, nil, "not ported: Guaranteed QoS is a choice, not a defect"},
	{KubeScore, "container-ephemeral-storage-request-and-limit", true, []string{"container-ephemeral-storage"}, ""},
	{KubeScore, "container-image-pull-policy", true, []string{"image-pull-policy"}, "kvet takes the policy Kubernetes defaults to (Always for :latest and untagged images) and accepts digests"},
	{KubeScore, "container-image-tag", true, []string{"image-pinned"}, ""},
	{KubeScore, "container-memory-requests-equal-limits", false, nil, "not ported: Guaranteed QoS is a choice, not a defect"},
	{KubeScore, "container-ports-check", false, []string{"api-invalid"}, "the API server's validation of port names"},
	{KubeScore, "container-resource-requests-equal-limits", false, nil, "not ported: Guaranteed QoS is a choice, not a defect"},
	{KubeScore, "container-resources", true, []string{"container-resources", "container-cpu-limit"}, "container-cpu-limit is kube-score's CPU limit (its --ignore-container-cpu-limit turns it off)"},
	{KubeScore, "container-seccomp-profile", false, []string{PodSecurityRule}, notePSS + " (restricted)"},
	{KubeScore, "container-security-context-privileged", true, []string{PodSecurityRule}, notePSS},
	{KubeScore, "container-security-context-readonlyrootfilesystem", true, []string{"read-only-root-filesystem"}, ""},
	{KubeScore, "container-security-context-user-group-id", true, []string{PodSecurityRule}, notePSS + " (runAsNonRoot, runAsUser 0); kube-score's threshold of UID 10000 is a convention kvet does not port"},
	{KubeScore, "cronjob-has-deadline", true, []string{"cronjob-starting-deadline"}, ""},
	{KubeScore, "cronjob-restartpolicy", true, []string{"job-restart-policy"}, ""},
	{KubeScore, "deployment-has-host-podantiaffinity", true, []string{"replica-spread"}, "kvet also accepts topologySpreadConstraints"},
	{KubeScore, "deployment-has-poddisruptionbudget", true, []string{"pdb-missing"}, "kvet does not ask a single replica for a budget"},
	{KubeScore, "deployment-pod-selector-labels-match-template-metadata-labels", true, []string{"api-invalid"}, "the API server's validation"},
	{KubeScore, "deployment-replicas", false, []string{"workload-replicas"}, ""},
	{KubeScore, "deployment-strategy", false, []string{"rolling-update"}, ""},
	{KubeScore, "deployment-targeted-by-hpa-does-not-have-replicas-set", true, []string{"hpa-target"}, "StatefulSets, ReplicaSets and ReplicationControllers too"},
	{KubeScore, "environment-variable-key-duplication", true, []string{"duplicate-env"}, ""},
	{KubeScore, "horizontalpodautoscaler-has-target", true, []string{"hpa-target"}, "only where the HPA's folder has that kind, or with --require-references"},
	{KubeScore, "horizontalpodautoscaler-replicas", true, []string{"hpa-replicas"}, ""},
	{KubeScore, "ingress-targets-service", true, []string{"ingress-backend"}, "only where the Ingress's folder has Services in that namespace, or with --require-references"},
	{KubeScore, "label-values", true, []string{"api-invalid"}, "the API server's validation of label values"},
	{KubeScore, "networkpolicy-targets-pod", true, []string{"networkpolicy-selector"}, "judged within the policy's folder, and not where an operator, a CRD or a template may make the pods"},
	{KubeScore, "pod-networkpolicy", true, []string{"network-policy-missing"}, ""},
	{KubeScore, "pod-probes", true, []string{"workload-probes"}, "workload-probes checks Deployments, StatefulSets and DaemonSets; bare Pods behind a Service are not checked yet"},
	{KubeScore, "pod-probes-identical", true, []string{"probes-identical"}, ""},
	{KubeScore, "poddisruptionbudget-has-policy", true, []string{"pdb-selector"}, "policy/v1 only: policy/v1beta1 defaulted minAvailable to 1"},
	{KubeScore, "service-targets-pod", true, []string{"service-selector"}, "judged within the Service's folder, and not where an operator, a CRD or a template may make the pods"},
	{KubeScore, "service-type", true, []string{"service-node-port"}, ""},
	{KubeScore, "stable-version", true, []string{"deprecated-api"}, ""},
	{KubeScore, "statefulset-has-host-podantiaffinity", true, []string{"replica-spread"}, "kvet also accepts topologySpreadConstraints, and does not ask one replica to spread"},
	{KubeScore, "statefulset-has-poddisruptionbudget", true, []string{"pdb-missing"}, "kvet does not ask a single replica for a budget"},
	{KubeScore, "statefulset-has-servicename", true, []string{"statefulset-headless-service"}, ""},
	{KubeScore, "statefulset-pod-selector-labels-match-template-metadata-labels", true, []string{"api-invalid"}, "the API server's validation"},
	{KubeScore, "pod-topology-spread-constraints", true, []string{"api-invalid"}, "checks that the constraints are valid: the API server's validation"},

	// polaris (pkg/config/default.yaml, checks/)
	{Polaris, "automountServiceAccountToken", true, []string{"service-account-token"}, "kvet looks at the pod only, not at its ServiceAccount"},
	{Polaris, "clusterrolePodExecAttach", true, []string{"rbac-pod-exec"}, "kvet does not exempt roles by a system: or gce: name prefix, only Kubernetes' own roles"},
	{Polaris, "clusterrolebindingClusterAdmin", true, []string{"rbac-cluster-admin"}, "kvet does not exempt bindings by a system: or gce: name prefix"},
	{Polaris, "clusterrolebindingPodExecAttach", true, []string{"rbac-pod-exec"}, "reported once, at the role's rule, not again at each binding"},
	{Polaris, "cpuLimitsMissing", true, []string{"container-cpu-limit"}, ""},
	{Polaris, "cpuRequestsMissing", true, []string{"container-resources"}, ""},
	{Polaris, "dangerousCapabilities", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "deploymentMissingReplicas", true, []string{"workload-replicas"}, "kvet does not ask for replicas of a Deployment an HPA in the run scales"},
	{Polaris, "hostIPCSet", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "hostNetworkSet", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "hostPIDSet", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "hostPathSet", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "hostPortSet", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "hostProcess", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "hpaMaxAvailability", true, []string{"hpa-replicas"}, ""},
	{Polaris, "hpaMinAvailability", true, []string{"hpa-replicas"}, "kvet also reports minReplicas unset, which means 1"},
	{Polaris, "insecureCapabilities", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "linuxHardening", true, []string{PodSecurityRule}, notePSS + " (seccomp, AppArmor, SELinux)"},
	{Polaris, "livenessProbeMissing", true, []string{"workload-probes"}, ""},
	{Polaris, "memoryLimitsMissing", true, []string{"container-resources"}, ""},
	{Polaris, "memoryRequestsMissing", true, []string{"container-resources"}, ""},
	{Polaris, "metadataAndInstanceMismatched", true, nil, noteConvent},
	{Polaris, "missingNetworkPolicy", true, []string{"network-policy-missing"}, "a policy that lists Egress with no egress rules denies all egress: kvet takes it as limiting egress, polaris reports it"},
	{Polaris, "missingPodDisruptionBudget", true, []string{"pdb-missing"}, "kvet does not ask a single replica for a budget"},
	{Polaris, "notReadOnlyRootFilesystem", true, []string{"read-only-root-filesystem"}, ""},
	{Polaris, "pdbDisruptionsIsZero", true, []string{"pdb-selector"}, "judged against the replicas of the workloads the PDB selects"},
	{Polaris, "pdbMinAvailableGreaterThanOrEqualToHPAMinReplicas", true, []string{"pdb-selector"}, "with the minReplicas of the HPA that scales a selected workload (minAvailable as a number or a percentage)"},
	{Polaris, "priorityClassNotSet", true, nil, noteConvent},
	{Polaris, "privilegeEscalationAllowed", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "procMount", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "pullPolicyNotAlways", true, []string{"image-pull-policy"}, "kvet takes the policy Kubernetes defaults to (Always for untagged and :latest images) and accepts digests"},
	{Polaris, "readinessProbeMissing", true, []string{"workload-probes"}, ""},
	{Polaris, "rolePodExecAttach", true, []string{"rbac-pod-exec"}, "kvet does not exempt roles by a system: or gce: name prefix, only Kubernetes' own roles"},
	{Polaris, "rolebindingClusterAdminClusterRole", true, []string{"rbac-cluster-admin"}, ""},
	{Polaris, "rolebindingClusterAdminRole", true, []string{"rbac-cluster-admin"}, ""},
	{Polaris, "rolebindingClusterRolePodExecAttach", true, []string{"rbac-pod-exec"}, "reported once, at the role's rule"},
	{Polaris, "rolebindingRolePodExecAttach", true, []string{"rbac-pod-exec"}, "reported once, at the role's rule"},
	{Polaris, "runAsPrivileged", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "runAsRootAllowed", true, []string{PodSecurityRule}, notePSS},
	{Polaris, "sensitiveConfigmapContent", true, []string{"secret-in-configmap"}, ""},
	{Polaris, "sensitiveContainerEnvVar", true, []string{"secret-in-env"}, ""},
	{Polaris, "tagNotSpecified", true, []string{"image-pinned"}, ""},
	{Polaris, "tlsSettingsMissing", true, []string{"ingress-tls"}, ""},
	{Polaris, "topologySpreadConstraint", true, []string{"replica-spread"}, "kvet also accepts a pod anti-affinity on the node, and does not ask one replica to spread"},
}

// Groups of rules: each is a set a user enables by name.
var goGroups = []string{"security", "reliability", "rbac", "networking"}

// peerSets adds to each rule the peers whose default checks it stands
// for (called once, by the registry).
func peerSets(rs []*rule.Rule) {
	byID := make(map[string]*rule.Rule, len(rs))
	for _, r := range rs {
		byID[r.ID] = r
	}
	for _, pc := range PeerChecks {
		if !pc.Default {
			continue
		}
		for _, id := range pc.Rules {
			if r := byID[id]; r != nil && !slices.Contains(r.Sets, pc.Peer) {
				r.Sets = append(r.Sets, pc.Peer)
			}
		}
	}
}

// groupOf returns the Go rule's group (the first of its sets that is a
// group), or "".
func groupOf(r *rule.Rule) string {
	for _, s := range r.Sets {
		if slices.Contains(goGroups, s) {
			return s
		}
	}
	return ""
}

// PeerTable is the README's peer table (between <!-- peers:begin --> and
// <!-- peers:end -->).
func PeerTable() string {
	var b strings.Builder
	b.WriteString("| peer | check | peer default | kvet rule | note |\n|---|---|---|---|---|\n")
	for _, pc := range PeerChecks {
		def := "no"
		if pc.Default {
			def = "yes"
		}
		kv := "—"
		if len(pc.Rules) > 0 {
			kv = "`" + strings.Join(pc.Rules, "`, `") + "`"
		}
		b.WriteString("| " + pc.Peer + " | `" + pc.Check + "` | " + def + " | " + kv + " | " + mdCell(pc.Note) + " |\n")
	}
	return b.String()
}
