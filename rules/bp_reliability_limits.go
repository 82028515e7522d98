package rules

import (
	batchv1 "k8s.io/api/batch/v1"
	batchv1beta1 "k8s.io/api/batch/v1beta1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// The reliability group's first four rules, once bundled Rego policies
// (policies/resources.rego, probes.rego, cronjob_history.rego,
// job_limits.rego): the same ids, severities, messages, help and field
// paths, read from the typed objects (evaluating the Rego cost about one
// YAML parse per object). The Rego files stay as examples of user
// policies; TestRegoExamplesAgree holds each rule to its Rego twin.

// ContainerResources asks containers for CPU and memory requests and a
// memory limit.
var ContainerResources = &rule.Rule{
	ID: "container-resources", Severity: rule.Warning, Kinds: podKinds, Off: true, Sets: []string{"reliability"},
	Check: checkContainerResources,
	Doc: bpDoc("Every container requests CPU and memory and sets a memory limit.",
		`Reports a container (not an init container) without
resources.requests.cpu, resources.requests.memory or
resources.limits.memory, one finding for each, at the container's
resources (or at the container when it has none).
policies/resources.rego is the same check written as a Rego policy; it
matches kinds by name, so it also reports custom resources named like a
workload (OpenKruise's apps.kruise.io StatefulSet), which this rule, on
the Kubernetes API's kinds only, does not read.`,
		`Without requests the scheduler packs pods blindly and they are the first
evicted under pressure; without a memory limit one leaking container can
take the whole node's memory.`,
		`containers:
  - name: web
    image: nginx:1.27.2`,
		`resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {memory: 256Mi}`),
}

// resourceChecks are the quantities container-resources asks for.
var resourceChecks = []struct {
	limit bool
	name  corev1.ResourceName
	field string // as the message writes it, under resources.
	what  string
}{
	{false, corev1.ResourceCPU, "requests.cpu", "CPU request"},
	{false, corev1.ResourceMemory, "requests.memory", "memory request"},
	{true, corev1.ResourceMemory, "limits.memory", "memory limit"},
}

func checkContainerResources(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	for i := range ref.Spec.Containers {
		c := &ref.Spec.Containers[i]
		var path manifest.Path
		for _, chk := range resourceChecks {
			list := c.Resources.Requests
			if chk.limit {
				list = c.Resources.Limits
			}
			if _, ok := list[chk.name]; ok {
				continue
			}
			if path == nil {
				// At resources when the block is written, else at the
				// container.
				path = containerPath(ref, "containers", i)
				if res := path.Field("resources"); o.Locate(res).Exact {
					path = res
				}
			}
			pass.Reportf(path, "set resources.requests.cpu, resources.requests.memory and resources.limits.memory on the container",
				"%s %s: container %q has no %s (resources.%s)", o.Kind, o.Name, c.Name, chk.what, chk.field)
		}
	}
}

// WorkloadProbes asks the containers of long-running workloads for
// liveness and readiness probes.
var WorkloadProbes = &rule.Rule{
	ID: "workload-probes", Severity: rule.Warning, Kinds: []string{"*/Deployment", "*/StatefulSet", "*/DaemonSet"}, Off: true, Sets: []string{"reliability"},
	Check: checkWorkloadProbes,
	Doc: bpDoc("Containers of Deployments, StatefulSets and DaemonSets define liveness and readiness probes.",
		`Reports a container (not an init container) of a Deployment, StatefulSet
or DaemonSet without a livenessProbe or without a readinessProbe, one
finding for each, at the container. Jobs and CronJobs are never checked:
their pods are meant to finish. policies/probes.rego is the same check
written as a Rego policy (which also reports custom resources named like
these kinds; this rule reads the Kubernetes API's kinds only).`,
		`Without a readiness probe traffic reaches pods before they can serve it
and rollouts cannot tell a broken version; without a liveness probe a
hung process is never restarted.`,
		`containers:
  - name: web
    image: nginx:1.27.2`,
		`readinessProbe:
  httpGet: {path: /healthz, port: 8080}
livenessProbe:
  httpGet: {path: /healthz, port: 8080}`),
}

func checkWorkloadProbes(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	for i := range ref.Spec.Containers {
		c := &ref.Spec.Containers[i]
		for _, p := range [...]struct {
			name  string
			probe *corev1.Probe
		}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}} {
			if p.probe == nil {
				pass.Reportf(containerPath(ref, "containers", i),
					"add a readinessProbe and a livenessProbe (httpGet, tcpSocket, grpc or exec) to the container",
					"%s %s: container %q has no %s", o.Kind, o.Name, c.Name, p.name)
			}
		}
	}
}

// CronJobHistoryLimits asks CronJobs to state their history limits.
var CronJobHistoryLimits = &rule.Rule{
	ID: "cronjob-history-limits", Severity: rule.Info, Kinds: []string{"batch/*/CronJob"}, Off: true, Sets: []string{"reliability"},
	Check: checkCronJobHistoryLimits,
	Doc: bpDoc("CronJobs set successfulJobsHistoryLimit and failedJobsHistoryLimit.",
		`Reports a CronJob that does not set spec.successfulJobsHistoryLimit or
spec.failedJobsHistoryLimit, one finding for each, at spec.
policies/cronjob_history.rego is the same check written as a Rego policy.`,
		`The defaults keep finished Jobs and their pods around; stating the
limits keeps the namespace tidy and makes the retention a decision.`,
		`kind: CronJob
spec:
  schedule: "0 * * * *"`,
		`spec:
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 1`),
}

func checkCronJobHistoryLimits(pass *rule.Pass, o *manifest.Object) {
	var succeeded, failed *int32
	switch t := o.Typed.(type) {
	case *batchv1.CronJob:
		succeeded, failed = t.Spec.SuccessfulJobsHistoryLimit, t.Spec.FailedJobsHistoryLimit
	case *batchv1beta1.CronJob:
		succeeded, failed = t.Spec.SuccessfulJobsHistoryLimit, t.Spec.FailedJobsHistoryLimit
	default:
		return
	}
	reportUnset(pass, o, "set spec.successfulJobsHistoryLimit and spec.failedJobsHistoryLimit (e.g. 3 and 1)",
		"successfulJobsHistoryLimit", succeeded == nil, "failedJobsHistoryLimit", failed == nil)
}

// JobLimits asks Jobs for a TTL and a deadline.
var JobLimits = &rule.Rule{
	ID: "job-limits", Severity: rule.Info, Kinds: []string{"batch/v1/Job"}, Off: true, Sets: []string{"reliability"},
	Check: checkJobLimits,
	Doc: bpDoc("Jobs set ttlSecondsAfterFinished and activeDeadlineSeconds.",
		`Reports a Job without spec.ttlSecondsAfterFinished or without
spec.activeDeadlineSeconds, one finding for each, at spec (job-ttl, on by
default, also reports a missing TTL, except on a CronJob's Jobs).
policies/job_limits.rego is the same check written as a Rego policy.`,
		`Without a TTL finished Jobs and their pods pile up in the cluster;
without a deadline a stuck Job runs (and holds its resources) for ever.`,
		`kind: Job
spec:
  template: ...`,
		`spec:
  ttlSecondsAfterFinished: 3600
  activeDeadlineSeconds: 600`),
}

func checkJobLimits(pass *rule.Pass, o *manifest.Object) {
	job, ok := o.Typed.(*batchv1.Job)
	if !ok {
		return
	}
	reportUnset(pass, o, "set spec.ttlSecondsAfterFinished (e.g. 3600) and spec.activeDeadlineSeconds (e.g. 600)",
		"ttlSecondsAfterFinished", job.Spec.TTLSecondsAfterFinished == nil, "activeDeadlineSeconds", job.Spec.ActiveDeadlineSeconds == nil)
}

// reportUnset reports, at spec, each of the two fields that is unset.
func reportUnset(pass *rule.Pass, o *manifest.Object, help, field1 string, unset1 bool, field2 string, unset2 bool) {
	if unset1 {
		pass.Reportf(pathSpec, help, "%s %s: spec.%s is not set", o.Kind, o.Name, field1)
	}
	if unset2 {
		pass.Reportf(pathSpec, help, "%s %s: spec.%s is not set", o.Kind, o.Name, field2)
	}
}
