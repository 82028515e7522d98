package rules

import (
	"fmt"
	"slices"

	"github.com/distribution/reference"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// ContainerCPULimit asks containers for a CPU limit (for teams moving from
// kube-score or polaris; kvet itself does not recommend CPU limits).
var ContainerCPULimit = &rule.Rule{
	ID: "container-cpu-limit", Severity: rule.Info, Kinds: podKinds, Off: true,
	Check: checkContainerCPULimit,
	Doc: bpDoc("A container has no CPU limit.",
		`Reports every container and init container without resources.limits.cpu.
kvet does not put this rule in a group: it is in the kube-score and
polaris sets, whose default checks ask for a CPU limit.`,
		`Without a CPU limit a container may use every idle core of its node, and a
busy neighbour can then slow it down to its request; some teams want every
container's CPU bounded for predictable latency and chargeback. Others
avoid CPU limits because they throttle a container even when the node is
idle: choose, and set the request in any case (container-resources).`,
		`resources:
  requests: {cpu: 100m, memory: 128Mi}`,
		`resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {cpu: "1", memory: 256Mi}`),
}

func checkContainerCPULimit(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	eachContainer(ref, func(list string, i int, c *corev1.Container) {
		if _, ok := c.Resources.Limits[corev1.ResourceCPU]; ok {
			return
		}
		pass.Reportf(containerPath(ref, list, i).Field("resources").Field("limits").Field("cpu"),
			"set resources.limits.cpu on the container",
			"container %q has no CPU limit (resources.limits.cpu)", c.Name)
	})
}

// ContainerEphemeralStorage asks containers for an ephemeral-storage
// request and limit.
var ContainerEphemeralStorage = &rule.Rule{
	ID: "container-ephemeral-storage", Severity: rule.Warning, Kinds: podKinds, Off: true, Sets: []string{"reliability"},
	Check: checkContainerEphemeralStorage,
	Doc: bpDoc("A container has no ephemeral-storage request or limit.",
		`Reports a container or init container without
resources.requests.ephemeral-storage or resources.limits.ephemeral-storage
(one finding naming what is missing).`,
		`Logs, emptyDir volumes and the container's writable layer use the node's
disk. Without a limit one container can fill it, and the kubelet then
evicts every pod of the node under disk pressure; without a request the
scheduler places pods on nodes without room for them.`,
		`resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {memory: 256Mi}`,
		`resources:
  requests: {cpu: 100m, memory: 128Mi, ephemeral-storage: 1Gi}
  limits: {memory: 256Mi, ephemeral-storage: 2Gi}`),
}

func checkContainerEphemeralStorage(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	eachContainer(ref, func(list string, i int, c *corev1.Container) {
		_, req := c.Resources.Requests[corev1.ResourceEphemeralStorage]
		_, lim := c.Resources.Limits[corev1.ResourceEphemeralStorage]
		if req && lim {
			return
		}
		field, missing := "requests", "request and limit"
		switch {
		case req:
			field, missing = "limits", "limit"
		case lim:
			missing = "request"
		}
		pass.Reportf(containerPath(ref, list, i).Field("resources").Field(field).Field("ephemeral-storage"),
			"set resources.requests.ephemeral-storage and resources.limits.ephemeral-storage on the container",
			"container %q has no ephemeral-storage %s", c.Name, missing)
	})
}

// ImagePullPolicy asks for imagePullPolicy Always on images not pinned by
// digest.
var ImagePullPolicy = &rule.Rule{
	ID: "image-pull-policy", Severity: rule.Info, Kinds: podKinds, Off: true, Sets: []string{"reliability"},
	Check: checkImagePullPolicy,
	Doc: bpDoc("A container's image is pulled only when the node does not have it, and its tag can move.",
		`Reports a container or init container whose image is named by a tag (not a
digest) and whose pull policy, as Kubernetes defaults it (Always for
:latest and untagged images, IfNotPresent otherwise), is not Always.
kube-score and polaris ask for an explicit Always on every image; kvet
accepts digests, which cannot move, and the defaulted Always.`,
		`A tag can be pushed again. With IfNotPresent, nodes that already have the
tag keep running the old image while new nodes pull the new one, so one
Deployment runs two versions; and a pod can start from an image cached by
another tenant's pod without its own imagePullSecrets being checked.`,
		`containers:
  - name: web
    image: registry.example.com/shop/web:2.3`,
		`containers:
  - name: web
    image: registry.example.com/shop/web@sha256:…   # or imagePullPolicy: Always`),
}

func checkImagePullPolicy(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	eachContainer(ref, func(list string, i int, c *corev1.Container) {
		if c.Image == "" || c.ImagePullPolicy == corev1.PullAlways {
			return
		}
		named, err := parseImage(c.Image)
		if err != nil {
			return // image-pinned reports it
		}
		if _, digested := named.(reference.Digested); digested {
			return
		}
		policy := c.ImagePullPolicy
		if policy == "" {
			if t, ok := named.(reference.Tagged); !ok || t.Tag() == "latest" {
				return // defaulted to Always
			}
			policy = corev1.PullIfNotPresent + " (the default for a tagged image)"
		}
		pass.Reportf(containerPath(ref, list, i).Field("imagePullPolicy"),
			"pin the image by digest, or set imagePullPolicy: Always",
			"container %q: image %q can move, and imagePullPolicy is %s", c.Name, c.Image, policy)
	})
}

// ReplicaSpread asks replicated workloads to spread over nodes.
var ReplicaSpread = &rule.Rule{
	ID: "replica-spread", Severity: rule.Warning, Kinds: []string{"apps/v1/Deployment", "apps/v1/StatefulSet"}, Off: true, Sets: []string{"reliability"},
	Check: checkReplicaSpread,
	Doc: bpDoc("A Deployment or StatefulSet with several replicas does not spread them over nodes.",
		`Reports a Deployment or StatefulSet with 2 or more replicas whose pod
template has no topologySpreadConstraints and no pod anti-affinity
(required or preferred) whose label selector matches the template's
labels in the workload's own namespace (a term whose namespaces list
leaves it out keeps other pods away, not these). kube-score also warns about a StatefulSet of one replica (or with
replicas unset); kvet does not: one pod has nothing to spread.`,
		`The scheduler may put every replica on one node; when that node fails or
is drained, all of them go at once and the replicas protected nothing.`,
		`spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27.2"}]`,
		`spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector: {matchLabels: {app: web}}`),
}

// workloadOf returns an apps/v1 Deployment's or StatefulSet's replicas
// and pod template.
func workloadOf(o *manifest.Object) (*int32, *corev1.PodTemplateSpec, bool) {
	switch t := o.Typed.(type) {
	case *appsv1.Deployment:
		return t.Spec.Replicas, &t.Spec.Template, true
	case *appsv1.StatefulSet:
		return t.Spec.Replicas, &t.Spec.Template, true
	}
	return nil, nil, false
}

func selects(sel *metav1.LabelSelector, lbls map[string]string) bool {
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && !s.Empty() && s.Matches(labels.Set(lbls))
}

// spreads reports whether an anti-affinity term keeps the workload's own
// pods apart: it has a topology key, selects their labels, and looks in
// their namespace (no namespaces and no namespaceSelector, a list that
// names it, or a namespaceSelector, whose match kvet cannot know).
func spreads(t *corev1.PodAffinityTerm, ns string, lbls map[string]string) bool {
	if t.TopologyKey == "" || !selects(t.LabelSelector, lbls) {
		return false
	}
	return len(t.Namespaces) == 0 || t.NamespaceSelector != nil || slices.Contains(t.Namespaces, ns)
}

func checkReplicaSpread(pass *rule.Pass, o *manifest.Object) {
	replicas, tmpl, ok := workloadOf(o)
	if !ok || replicas == nil || *replicas < 2 || len(tmpl.Spec.TopologySpreadConstraints) > 0 {
		return
	}
	if a := tmpl.Spec.Affinity; a != nil && a.PodAntiAffinity != nil {
		ns := rule.EffectiveNamespace(o)
		for _, t := range a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
			if spreads(&t, ns, tmpl.Labels) {
				return
			}
		}
		for _, w := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			if spreads(&w.PodAffinityTerm, ns, tmpl.Labels) {
				return
			}
		}
	}
	pass.Reportf(pathTemplateSpec.Field("affinity").Field("podAntiAffinity"),
		"add topologySpreadConstraints (topologyKey kubernetes.io/hostname) or a podAntiAffinity whose labelSelector matches the pod's labels",
		"%s %q runs %d replicas but nothing spreads them over nodes: one node failure can take all of them", o.Kind, o.Name, *replicas)
}

// RollingUpdate reports workloads that do not update by rolling.
var RollingUpdate = &rule.Rule{
	ID: "rolling-update", Severity: rule.Warning, Kinds: []string{"apps/v1/Deployment", "apps/v1/StatefulSet"}, Off: true, Sets: []string{"reliability"},
	Check: checkRollingUpdate,
	Doc: bpDoc("A Deployment updates by Recreate, or a StatefulSet by OnDelete.",
		`Reports a Deployment whose spec.strategy.type is Recreate and a StatefulSet
whose spec.updateStrategy.type is OnDelete. (DaemonSets are
daemonset-rolling-update's.)`,
		`Recreate stops every pod before starting the new ones: each rollout is an
outage, and a new version that does not start leaves nothing running.
OnDelete never updates a pod until someone deletes it, so a changed
template silently does not roll out. Recreate is right when two versions
must never run together (a ReadWriteOnce volume): ignore the finding there.`,
		`kind: Deployment
spec:
  strategy:
    type: Recreate`,
		`kind: Deployment
spec:
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}`),
}

func checkRollingUpdate(pass *rule.Pass, o *manifest.Object) {
	switch t := o.Typed.(type) {
	case *appsv1.Deployment:
		if t.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
			pass.Reportf(pathSpec.Field("strategy").Field("type"),
				"use strategy type RollingUpdate, unless two versions must never run at once",
				"Deployment %q stops every pod before starting new ones (strategy Recreate): each rollout is an outage", o.Name)
		}
	case *appsv1.StatefulSet:
		if t.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType {
			pass.Reportf(pathSpec.Field("updateStrategy").Field("type"),
				"use updateStrategy type RollingUpdate",
				"StatefulSet %q updates a pod only when it is deleted (updateStrategy OnDelete): template changes do not roll out", o.Name)
		}
	}
}

// ProbesIdentical reports a container whose liveness and readiness probes
// are the same.
var ProbesIdentical = &rule.Rule{
	ID: "probes-identical", Severity: rule.Warning, Kinds: podKinds, Off: true, Sets: []string{"reliability"},
	Check: checkProbesIdentical,
	Doc: bpDoc("A container's liveness probe is the same as its readiness probe.",
		`Reports a container whose livenessProbe equals its readinessProbe (same
check, same timings and thresholds).`,
		`Readiness takes a pod out of traffic while it cannot serve (a dependency
is down, it is overloaded); liveness restarts it. When both are the same,
every time the pod should merely be taken out of traffic it is also
restarted, at the same moment, and an outage of a shared dependency
restarts every replica in a loop.`,
		`livenessProbe:  {httpGet: {path: /ready, port: 8080}, periodSeconds: 10}
readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 10}`,
		`livenessProbe:  {httpGet: {path: /healthz, port: 8080}, failureThreshold: 6}
readinessProbe: {httpGet: {path: /ready, port: 8080}}`),
}

func checkProbesIdentical(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	eachContainer(ref, func(list string, i int, c *corev1.Container) {
		if c.LivenessProbe == nil || c.ReadinessProbe == nil || !equality.Semantic.DeepEqual(c.LivenessProbe, c.ReadinessProbe) {
			return
		}
		pass.Reportf(containerPath(ref, list, i).Field("livenessProbe"),
			"give the liveness probe its own endpoint (the process is alive) or a higher failureThreshold than readiness",
			"container %q: livenessProbe is the same as readinessProbe, so a pod taken out of traffic is also restarted", c.Name)
	})
}

// HPAReplicas asks HorizontalPodAutoscalers for room: minReplicas ≥ 2 and
// maxReplicas above it.
var HPAReplicas = &rule.Rule{
	ID: "hpa-replicas", Severity: rule.Warning, Kinds: []string{"autoscaling/*/HorizontalPodAutoscaler"}, Off: true, Sets: []string{"reliability"},
	Check: checkHPAReplicas,
	Doc: bpDoc("A HorizontalPodAutoscaler may scale down to one pod, or cannot scale at all.",
		`Reports an HPA whose minReplicas is below 2 (1 when unset), and one whose
maxReplicas is not above minReplicas. kube-linter's
hpa-minimum-three-replicas asks for 3; kvet for 2, the least that survives
an eviction.`,
		`At one replica every node drain, eviction or crash is an outage until a
new pod is ready. With maxReplicas equal to minReplicas the autoscaler
never scales: the HPA does nothing but hide a fixed replica count.`,
		`kind: HorizontalPodAutoscaler
spec:
  maxReplicas: 1`,
		`kind: HorizontalPodAutoscaler
spec:
  minReplicas: 2
  maxReplicas: 10`),
}

func checkHPAReplicas(pass *rule.Pass, o *manifest.Object) {
	var minR *int32
	var maxR int32
	switch t := o.Typed.(type) {
	case *autoscalingv2.HorizontalPodAutoscaler:
		minR, maxR = t.Spec.MinReplicas, t.Spec.MaxReplicas
	case *autoscalingv1.HorizontalPodAutoscaler:
		minR, maxR = t.Spec.MinReplicas, t.Spec.MaxReplicas
	default:
		return
	}
	lo := int32(1)
	if minR != nil {
		lo = *minR
	}
	if lo < 2 {
		what := fmt.Sprintf("minReplicas is %d", lo)
		if minR == nil {
			what = "minReplicas is 1 (the default)"
		}
		pass.Reportf(pathSpec.Field("minReplicas"), "set spec.minReplicas to 2 or more",
			"HorizontalPodAutoscaler %q may scale down to one pod: %s", o.Name, what)
	}
	if maxR > 0 && maxR <= lo {
		pass.Reportf(pathSpec.Field("maxReplicas"), "set spec.maxReplicas above spec.minReplicas",
			"HorizontalPodAutoscaler %q cannot scale: maxReplicas %d is not above minReplicas %d", o.Name, maxR, lo)
	}
}

var hpaKinds = []string{"autoscaling/*/HorizontalPodAutoscaler"}

type hpaTargetsKey struct{}

// hpaTargets is the set of "namespace/Kind/name" scaled by an HPA of the
// run, built once per run.
func hpaTargets(ix *rule.Index) map[string]bool {
	return ix.Memo(hpaTargetsKey{}, func() any {
		m := map[string]bool{}
		for _, v := range []string{"autoscaling"} {
			for _, h := range ix.ByKind(v, "HorizontalPodAutoscaler") {
				var ref autoscalingv1.CrossVersionObjectReference
				switch t := h.Typed.(type) {
				case *autoscalingv2.HorizontalPodAutoscaler:
					ref = autoscalingv1.CrossVersionObjectReference{Kind: t.Spec.ScaleTargetRef.Kind, Name: t.Spec.ScaleTargetRef.Name}
				case *autoscalingv1.HorizontalPodAutoscaler:
					ref = t.Spec.ScaleTargetRef
				default:
					continue
				}
				m[rule.EffectiveNamespace(h)+"/"+ref.Kind+"/"+ref.Name] = true
			}
		}
		return m
	}).(map[string]bool)
}

func scaledByHPA(pass *rule.Pass, o *manifest.Object) bool {
	return hpaTargets(pass.Index)[rule.EffectiveNamespace(o)+"/"+o.Kind+"/"+o.Name]
}

// WorkloadReplicas asks Deployments for 2 replicas or more.
var WorkloadReplicas = &rule.Rule{
	ID: "workload-replicas", Severity: rule.Warning, Kinds: []string{"apps/v1/Deployment"}, Off: true, Sets: []string{"reliability"},
	Context: hpaKinds, ContextTyped: true,
	Check: checkWorkloadReplicas,
	Doc: bpDoc("A Deployment runs a single replica.",
		`Reports a Deployment whose spec.replicas is below 2 (1 when unset), unless a
HorizontalPodAutoscaler in the run scales it (then replicas should be
unset). kube-linter's minimum-three-replicas asks for 3; kvet for 2.`,
		`With one replica every node drain, eviction, crash or rollout that fails
to start is an outage until a new pod is ready.`,
		`kind: Deployment
spec:
  replicas: 1`,
		`kind: Deployment
spec:
  replicas: 2   # or let a HorizontalPodAutoscaler set it`),
}

func checkWorkloadReplicas(pass *rule.Pass, o *manifest.Object) {
	d, ok := o.Typed.(*appsv1.Deployment)
	if !ok || d.Spec.Replicas != nil && *d.Spec.Replicas != 1 || scaledByHPA(pass, o) {
		return // 0 is a deliberate scale-down
	}
	what := "replicas is 1"
	if d.Spec.Replicas == nil {
		what = "replicas is unset, so 1"
	}
	pass.Reportf(pathSpec.Field("replicas"), "set spec.replicas to 2 or more, or scale the Deployment with a HorizontalPodAutoscaler",
		"Deployment %q runs a single pod (%s): every eviction or crash is an outage", o.Name, what)
}

// DeprecatedServiceAccountField reports the deprecated spec.serviceAccount.
var DeprecatedServiceAccountField = &rule.Rule{
	ID: "deprecated-service-account-field", Severity: rule.Warning, Kinds: podKinds, Off: true, Sets: []string{"reliability"},
	Check: checkDeprecatedServiceAccountField,
	Doc: bpDoc("A pod template sets the deprecated serviceAccount field.",
		`Reports spec.serviceAccount, the deprecated alias of
spec.serviceAccountName, and says so more strongly when the two differ.`,
		`When both are set, serviceAccountName wins and serviceAccount is
silently ignored, so a reader (or a tool) that looks at the old field sees
the wrong identity; tools that only write one of them leave the other
stale.`,
		`spec:
  serviceAccount: backup`,
		`spec:
  serviceAccountName: backup`),
}

func checkDeprecatedServiceAccountField(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok || ref.Spec.DeprecatedServiceAccount == "" {
		return
	}
	sa, name := ref.Spec.DeprecatedServiceAccount, ref.Spec.ServiceAccountName
	switch {
	case name == "":
		pass.Reportf(ref.Path.Field("serviceAccount"), "rename serviceAccount to serviceAccountName",
			"serviceAccount is deprecated: write serviceAccountName: %s", sa)
	case name != sa:
		pass.Reportf(ref.Path.Field("serviceAccount"), "remove serviceAccount; serviceAccountName is the one used",
			"serviceAccount %q is ignored: serviceAccountName %q wins", sa, name)
	default:
		pass.Reportf(ref.Path.Field("serviceAccount"), "remove serviceAccount; serviceAccountName says the same",
			"serviceAccount is deprecated and repeats serviceAccountName")
	}
}
