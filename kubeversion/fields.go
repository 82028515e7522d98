package kubeversion

import (
	"strings"
	"sync"

	"github.com/kvetdev/kvet/manifest"
)

// Field is a manifest field that only works, with default feature gates, from
// MinVersion on. Older API servers drop such fields silently (or reject the
// value), so a manifest that sets one does not do what it says.
type Field struct {
	// Group is the API group of Kind ("" for the core group).
	Group string
	Kind  string
	// Path is where the field sits in the YAML of this kind, with [*] for
	// every item of a list: "spec.template.spec.containers[*].resizePolicy".
	Path string
	// MinVersion is the first release where the field is usable without
	// changing feature gates (beta on by default, or GA).
	MinVersion Version
	// Stage is "beta" or "GA": the feature's stage in MinVersion.
	Stage string
	// FeatureGate names the Kubernetes feature gate behind the field, if any.
	FeatureGate string
	Note        string
}

// FieldUse is a Field that an object sets, at a concrete path with list
// indexes filled in: "spec.template.spec.containers[1].resizePolicy".
type FieldUse struct {
	Path  manifest.Path
	Field Field
}

// scope says where a fieldSpec's path is rooted.
type scope int

const (
	// inPodSpec: path is relative to a pod spec and applies to every kind
	// with a pod template.
	inPodSpec scope = iota
	// inJobSpec: path is relative to a Job spec and applies to Job and to
	// CronJob's job template.
	inJobSpec
	// inObject: path is from the object root of the listed group and kinds.
	inObject
)

const (
	beta = "beta"
	ga   = "GA"
)

// fieldSpec is one row of fieldTable.
type fieldSpec struct {
	in    scope
	group string   // inObject only
	kinds []string // inObject only
	// apiVersion, if set, limits the row to that exact apiVersion.
	apiVersion string
	path       string
	min        Version
	stage      string
	gate       string
	note       string
}

// podSpecPrefix returns where the pod spec sits in an object of group and
// kind, with a trailing dot, and whether the kind has one.
func podSpecPrefix(group, kind string) (string, bool) {
	switch group + "/" + kind {
	case "/Pod":
		return "spec.", true
	case "/PodTemplate":
		return "template.spec.", true
	case "/ReplicationController",
		"apps/Deployment", "apps/ReplicaSet", "apps/StatefulSet", "apps/DaemonSet",
		"batch/Job":
		return "spec.template.spec.", true
	case "batch/CronJob":
		return "spec.jobTemplate.spec.template.spec.", true
	}
	return "", false
}

// jobSpecPrefix is podSpecPrefix for Job specs.
func jobSpecPrefix(group, kind string) (string, bool) {
	switch group + "/" + kind {
	case "batch/Job":
		return "spec.", true
	case "batch/CronJob":
		return "spec.jobTemplate.spec.", true
	}
	return "", false
}

// fieldTable lists fields that need a newer Kubernetes than some supported
// targets. MinVersion is the first release where the field's feature gate is
// on by default (beta or GA). Sources: the feature gate stage history in the
// Kubernetes documentation (kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/
// and feature-gates-removed/) and, for gates still present, the versioned
// feature specs in k8s.io/kubernetes v1.37.2 pkg/features/kube_features.go;
// field names and +featureGate tags checked against k8s.io/api v0.37.2.
var fieldTable = []fieldSpec{
	// --- pod spec (Pod, PodTemplate, ReplicationController, Deployment,
	// ReplicaSet, StatefulSet, DaemonSet, Job, CronJob) ---
	{in: inPodSpec, path: "containers[*].resizePolicy", min: ver(1, 33), stage: beta, gate: "InPlacePodVerticalScaling",
		note: "in-place container resize policy"},
	{in: inPodSpec, path: "initContainers[*].restartPolicy", min: ver(1, 29), stage: beta, gate: "SidecarContainers",
		note: "sidecar containers (init containers with restartPolicy: Always)"},
	{in: inPodSpec, path: "containers[*].restartPolicyRules", min: ver(1, 35), stage: beta, gate: "ContainerRestartRules",
		note: "per-container restart rules"},
	{in: inPodSpec, path: "schedulingGates", min: ver(1, 27), stage: beta, gate: "PodSchedulingReadiness",
		note: "pod scheduling gates"},
	{in: inPodSpec, path: "hostUsers", min: ver(1, 33), stage: beta, gate: "UserNamespacesSupport",
		note: "user namespaces (beta but off by default in 1.30-1.32)"},
	{in: inPodSpec, path: "topologySpreadConstraints[*].minDomains", min: ver(1, 27), stage: beta, gate: "MinDomainsInPodTopologySpread",
		note: "topology spread minDomains (beta but off by default in 1.25-1.26)"},
	{in: inPodSpec, path: "topologySpreadConstraints[*].matchLabelKeys", min: ver(1, 27), stage: beta, gate: "MatchLabelKeysInPodTopologySpread",
		note: "topology spread matchLabelKeys"},
	{in: inPodSpec, path: "topologySpreadConstraints[*].nodeAffinityPolicy", min: ver(1, 26), stage: beta, gate: "NodeInclusionPolicyInPodTopologySpread",
		note: "topology spread node inclusion policy"},
	{in: inPodSpec, path: "topologySpreadConstraints[*].nodeTaintsPolicy", min: ver(1, 26), stage: beta, gate: "NodeInclusionPolicyInPodTopologySpread",
		note: "topology spread node inclusion policy"},
	{in: inPodSpec, path: "resources", min: ver(1, 34), stage: beta, gate: "PodLevelResources",
		note: "pod-level resource requests and limits"},
	{in: inPodSpec, path: "hostnameOverride", min: ver(1, 35), stage: beta, gate: "HostnameOverride",
		note: "pod hostname override"},
	{in: inPodSpec, path: "securityContext.supplementalGroupsPolicy", min: ver(1, 33), stage: beta, gate: "SupplementalGroupsPolicy",
		note: "supplemental groups policy"},
	{in: inPodSpec, path: "volumes[*].image", min: ver(1, 35), stage: beta, gate: "ImageVolume",
		note: "image volumes (beta but off by default in 1.33-1.34)"},
	{in: inPodSpec, path: "containers[*].env[*].valueFrom.fileKeyRef", min: ver(1, 35), stage: beta, gate: "EnvFiles",
		note: "environment variables read from a file"},

	// --- Job spec (Job, and CronJob's jobTemplate) ---
	{in: inJobSpec, path: "ttlSecondsAfterFinished", min: ver(1, 21), stage: beta, gate: "TTLAfterFinished",
		note: "TTL after finished (GA in 1.23)"},
	{in: inJobSpec, path: "suspend", min: ver(1, 22), stage: beta, gate: "SuspendJob",
		note: "suspending Jobs (GA in 1.24)"},
	{in: inJobSpec, path: "completionMode", min: ver(1, 22), stage: beta, gate: "IndexedJob",
		note: "Indexed Jobs (GA in 1.24)"},
	{in: inJobSpec, path: "podFailurePolicy", min: ver(1, 26), stage: beta, gate: "JobPodFailurePolicy",
		note: "pod failure policy (GA in 1.31)"},
	{in: inJobSpec, path: "backoffLimitPerIndex", min: ver(1, 29), stage: beta, gate: "JobBackoffLimitPerIndex",
		note: "backoff limit per index (GA in 1.33)"},
	{in: inJobSpec, path: "maxFailedIndexes", min: ver(1, 29), stage: beta, gate: "JobBackoffLimitPerIndex",
		note: "backoff limit per index (GA in 1.33)"},
	{in: inJobSpec, path: "podReplacementPolicy", min: ver(1, 29), stage: beta, gate: "JobPodReplacementPolicy",
		note: "pod replacement policy (GA in 1.34)"},
	{in: inJobSpec, path: "successPolicy", min: ver(1, 31), stage: beta, gate: "JobSuccessPolicy",
		note: "Job success policy (GA in 1.33)"},
	{in: inJobSpec, path: "managedBy", min: ver(1, 32), stage: beta, gate: "JobManagedBy",
		note: "delegating a Job to an external controller (GA in 1.35)"},

	// --- other kinds ---
	{in: inObject, group: "batch", kinds: []string{"CronJob"}, path: "spec.timeZone", min: ver(1, 25), stage: beta, gate: "CronJobTimeZone",
		note: "CronJob time zones (GA in 1.27)"},
	{in: inObject, group: "apps", kinds: []string{"StatefulSet"}, path: "spec.minReadySeconds", min: ver(1, 23), stage: beta, gate: "StatefulSetMinReadySeconds",
		note: "StatefulSet minReadySeconds (GA in 1.25)"},
	{in: inObject, group: "apps", kinds: []string{"StatefulSet"}, path: "spec.persistentVolumeClaimRetentionPolicy", min: ver(1, 27), stage: beta, gate: "StatefulSetAutoDeletePVC",
		note: "StatefulSet PVC retention policy (GA in 1.32)"},
	{in: inObject, group: "apps", kinds: []string{"StatefulSet"}, path: "spec.ordinals", min: ver(1, 27), stage: beta, gate: "StatefulSetStartOrdinal",
		note: "StatefulSet start ordinal (GA in 1.31)"},
	{in: inObject, group: "apps", kinds: []string{"StatefulSet"}, path: "spec.updateStrategy.rollingUpdate.maxUnavailable", min: ver(1, 37), stage: beta, gate: "MaxUnavailableStatefulSet",
		note: "StatefulSet rolling update maxUnavailable (beta but off by default in 1.35-1.36)"},
	{in: inObject, group: "apps", kinds: []string{"StatefulSet"}, path: "spec.volumeClaimTemplates[*].spec.volumeAttributesClassName", min: ver(1, 34), stage: ga, gate: "VolumeAttributesClass",
		note: "VolumeAttributesClass (beta but off by default in 1.31-1.33)"},
	{in: inObject, group: "apps", kinds: []string{"DaemonSet"}, path: "spec.updateStrategy.rollingUpdate.maxSurge", min: ver(1, 22), stage: beta, gate: "DaemonSetUpdateSurge",
		note: "DaemonSet rolling update maxSurge (GA in 1.25)"},
	{in: inObject, group: "", kinds: []string{"PersistentVolumeClaim"}, path: "spec.volumeAttributesClassName", min: ver(1, 34), stage: ga, gate: "VolumeAttributesClass",
		note: "VolumeAttributesClass (beta but off by default in 1.31-1.33)"},
	{in: inObject, group: "", kinds: []string{"Service"}, path: "spec.internalTrafficPolicy", min: ver(1, 22), stage: beta, gate: "ServiceInternalTrafficPolicy",
		note: "Service internal traffic policy (GA in 1.26)"},
	{in: inObject, group: "", kinds: []string{"Service"}, path: "spec.trafficDistribution", min: ver(1, 31), stage: beta, gate: "ServiceTrafficDistribution",
		note: "Service traffic distribution (GA in 1.33)"},
	{in: inObject, group: "autoscaling", kinds: []string{"HorizontalPodAutoscaler"}, apiVersion: "autoscaling/v2", path: "spec.behavior", min: ver(1, 23), stage: ga,
		note: "HPA scaling behavior in autoscaling/v2, which is served from 1.23"},
	{in: inObject, group: "autoscaling", kinds: []string{"HorizontalPodAutoscaler"}, apiVersion: "autoscaling/v2", path: "spec.behavior.scaleUp.tolerance", min: ver(1, 35), stage: beta, gate: "HPAConfigurableTolerance",
		note: "configurable HPA tolerance (GA in 1.37)"},
	{in: inObject, group: "autoscaling", kinds: []string{"HorizontalPodAutoscaler"}, apiVersion: "autoscaling/v2", path: "spec.behavior.scaleDown.tolerance", min: ver(1, 35), stage: beta, gate: "HPAConfigurableTolerance",
		note: "configurable HPA tolerance (GA in 1.37)"},
}

// groupOf returns the API group of an apiVersion: "" for "v1", "apps" for
// "apps/v1".
func groupOf(apiVersion string) string {
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// FieldsFor returns the fields of the table that an object of apiVersion and
// kind can carry, with paths written for that kind. Rows match on the API
// group of apiVersion (and a few on the exact apiVersion). It returns nil for
// kinds with no such fields. The slice is shared: do not modify it.
func FieldsFor(apiVersion, kind string) []Field {
	key := apiVersion + "/" + kind
	if fs, ok := fieldsFor.Load(key); ok {
		return fs.([]Field)
	}
	fs, _ := fieldsFor.LoadOrStore(key, fieldsOf(apiVersion, kind))
	return fs.([]Field)
}

// fieldsFor caches FieldsFor by apiVersion/kind: field-min-version asks
// for every object.
var fieldsFor sync.Map

func fieldsOf(apiVersion, kind string) []Field {
	group := groupOf(apiVersion)
	var out []Field
	for _, s := range fieldTable {
		var prefix string
		var ok bool
		switch s.in {
		case inPodSpec:
			prefix, ok = podSpecPrefix(group, kind)
		case inJobSpec:
			prefix, ok = jobSpecPrefix(group, kind)
		case inObject:
			ok = s.group == group && contains(s.kinds, kind)
		}
		if !ok || (s.apiVersion != "" && s.apiVersion != apiVersion) {
			continue
		}
		out = append(out, Field{
			Group:       group,
			Kind:        kind,
			Path:        prefix + s.path,
			MinVersion:  s.min,
			Stage:       s.stage,
			FeatureGate: s.gate,
			Note:        s.note,
		})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Tree is an object PresentFields can search. Each calls found with the
// concrete path of every non-null value that pattern matches: dotted keys,
// a key followed by [*] standing for every item of its list. A
// manifest.Object is one (searching its YAML nodes).
type Tree interface {
	Each(pattern string, found func(path manifest.Path))
}

// PresentFields returns the fields of FieldsFor(apiVersion, kind) newer
// than the version after (all of them for the zero Version) that obj sets,
// one FieldUse per concrete path, in table order and then list order. A
// field counts as set when its key is present with a non-null value; only
// the fields newer than after are looked for (with kvet's newest version as
// the target, none is).
func PresentFields(apiVersion, kind string, obj Tree, after Version) []FieldUse {
	var out []FieldUse
	for _, f := range FieldsFor(apiVersion, kind) {
		if !after.Less(f.MinVersion) {
			continue
		}
		obj.Each(f.Path, func(path manifest.Path) {
			out = append(out, FieldUse{Path: path, Field: f})
		})
	}
	return out
}
