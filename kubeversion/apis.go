package kubeversion

// API is one (apiVersion, kind) that Kubernetes deprecated and stopped
// serving.
type API struct {
	APIVersion string
	Kind       string
	// DeprecatedIn is the release that started warning about this
	// apiVersion; zero when not known.
	DeprecatedIn Version
	// RemovedIn is the first release that no longer serves it.
	RemovedIn Version
	// Replacement is the apiVersion to migrate to (same kind). It is empty
	// only where Kubernetes offers no replacement API (PodSecurityPolicy).
	Replacement string
	// Notes says what else changes when migrating, for users; empty when the
	// guide lists no notable changes.
	Notes string
}

// Status is how an API stands in a given Kubernetes release.
type Status int

const (
	// OK means the API is served and not deprecated.
	OK Status = iota
	// Deprecated means the API is still served but deprecated.
	Deprecated
	// Removed means the API is no longer served.
	Removed
)

func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case Deprecated:
		return "Deprecated"
	case Removed:
		return "Removed"
	}
	return "Status(?)"
}

// Status returns whether a is removed, deprecated or fine in target.
func (a API) Status(target Version) Status {
	switch {
	case !a.RemovedIn.IsZero() && target.AtLeast(a.RemovedIn):
		return Removed
	case !a.DeprecatedIn.IsZero() && target.AtLeast(a.DeprecatedIn):
		return Deprecated
	}
	return OK
}

// LookupAPI returns the deprecation entry for apiVersion and kind, if any.
// Matching is exact ("apps/v1beta2", "Deployment").
func LookupAPI(apiVersion, kind string) (API, bool) {
	for _, a := range apiTable {
		if a.APIVersion == apiVersion && a.Kind == kind {
			return a, true
		}
	}
	return API{}, false
}

// APIs returns a copy of every entry in the table, in table order.
func APIs() []API {
	return append([]API(nil), apiTable...)
}

// Notes shared by several kinds.
const (
	notesSelectorRequired = "spec.selector is now required and immutable after creation; use the existing template labels as the selector."
	notesWebhooks         = "webhooks[*].failurePolicy defaults to Fail (was Ignore); matchPolicy defaults to Equivalent (was Exact); timeoutSeconds defaults to 10s (was 30s); sideEffects is required (None or NoneOnDryRun); admissionReviewVersions is required; webhooks[*].name must be unique."
	notesSAR              = "spec.group is renamed to spec.groups."
	notesHPA              = "targetAverageUtilization is replaced by target.averageUtilization with target.type: Utilization."
	notesFlowcontrolV1    = notesFlowcontrolAvail + " In flowcontrol.apiserver.k8s.io/v1, PriorityLevelConfiguration spec.limited.assuredConcurrencyShares is renamed to spec.limited.nominalConcurrencyShares; it defaults to 30 only when unset, and an explicit 0 stays 0."
	notesFlowcontrolAvail = "flowcontrol.apiserver.k8s.io/v1 is served from 1.29; on 1.26-1.28 use v1beta3."
	notesIngress          = "spec.backend is renamed to spec.defaultBackend; backend serviceName becomes service.name; numeric servicePort becomes service.port.number and a named one service.port.name; pathType is required on every path (ImplementationSpecific matches the old behaviour)."
)

// apiTable lists every removal in the Kubernetes "Deprecated API Migration
// Guide", https://kubernetes.io/docs/reference/using-api/deprecation-guide/,
// checked against Kubernetes v1.37 (the guide lists no removal after v1.32).
// DeprecatedIn comes from the prerelease-lifecycle tags in k8s.io/api v0.37.2
// and k8s.io/apiextensions-apiserver v0.37.2 (the versions the API server puts
// in its "is deprecated in v1.X+" warnings), or from those warnings where the
// type is no longer in the module. Replacement and Notes follow the guide,
// except that Replacement names the API to use today (flowcontrol v1 rather
// than the since-removed v1beta2/v1beta3) and Notes says when it is served.
var apiTable = []API{
	// --- v1.16 ---
	{APIVersion: "extensions/v1beta1", Kind: "NetworkPolicy", DeprecatedIn: ver(1, 9), RemovedIn: ver(1, 16), Replacement: "networking.k8s.io/v1"},
	{APIVersion: "extensions/v1beta1", Kind: "DaemonSet", DeprecatedIn: ver(1, 8), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: "spec.templateGeneration is removed; " + notesSelectorRequired + " spec.updateStrategy.type defaults to RollingUpdate (was OnDelete)."},
	{APIVersion: "apps/v1beta2", Kind: "DaemonSet", DeprecatedIn: ver(1, 9), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: "spec.templateGeneration is removed; " + notesSelectorRequired},
	{APIVersion: "extensions/v1beta1", Kind: "Deployment", DeprecatedIn: ver(1, 8), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: "spec.rollbackTo is removed; " + notesSelectorRequired + " spec.progressDeadlineSeconds defaults to 600 (was no deadline); spec.revisionHistoryLimit defaults to 10 (was keep all); maxSurge and maxUnavailable default to 25% (was 1)."},
	{APIVersion: "apps/v1beta1", Kind: "Deployment", DeprecatedIn: ver(1, 8), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: "spec.rollbackTo is removed; " + notesSelectorRequired + " spec.revisionHistoryLimit defaults to 10 (was 2)."},
	{APIVersion: "apps/v1beta2", Kind: "Deployment", DeprecatedIn: ver(1, 9), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: notesSelectorRequired},
	{APIVersion: "apps/v1beta1", Kind: "StatefulSet", DeprecatedIn: ver(1, 8), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: notesSelectorRequired + " spec.updateStrategy.type defaults to RollingUpdate (was OnDelete)."},
	{APIVersion: "apps/v1beta2", Kind: "StatefulSet", DeprecatedIn: ver(1, 9), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: notesSelectorRequired},
	{APIVersion: "extensions/v1beta1", Kind: "ReplicaSet", DeprecatedIn: ver(1, 8), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: notesSelectorRequired},
	{APIVersion: "apps/v1beta1", Kind: "ReplicaSet", DeprecatedIn: ver(1, 8), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: notesSelectorRequired},
	{APIVersion: "apps/v1beta2", Kind: "ReplicaSet", DeprecatedIn: ver(1, 9), RemovedIn: ver(1, 16), Replacement: "apps/v1",
		Notes: notesSelectorRequired},
	{APIVersion: "extensions/v1beta1", Kind: "PodSecurityPolicy", RemovedIn: ver(1, 16), Replacement: "policy/v1beta1",
		Notes: "policy/v1beta1 PodSecurityPolicy is itself removed in 1.25; plan a move to Pod Security Admission."},

	// --- v1.22 ---
	{APIVersion: "admissionregistration.k8s.io/v1beta1", Kind: "MutatingWebhookConfiguration", DeprecatedIn: ver(1, 16), RemovedIn: ver(1, 22), Replacement: "admissionregistration.k8s.io/v1", Notes: notesWebhooks},
	{APIVersion: "admissionregistration.k8s.io/v1beta1", Kind: "ValidatingWebhookConfiguration", DeprecatedIn: ver(1, 16), RemovedIn: ver(1, 22), Replacement: "admissionregistration.k8s.io/v1", Notes: notesWebhooks},
	{APIVersion: "apiextensions.k8s.io/v1beta1", Kind: "CustomResourceDefinition", DeprecatedIn: ver(1, 16), RemovedIn: ver(1, 22), Replacement: "apiextensions.k8s.io/v1",
		Notes: "spec.scope must be set (no longer defaults to Namespaced); spec.version, spec.validation, spec.subresources and spec.additionalPrinterColumns move into spec.versions[*] (schema, subresources, additionalPrinterColumns); spec.conversion.webhookClientConfig and conversionReviewVersions move under spec.conversion.webhook; spec.versions[*].schema.openAPIV3Schema is required and must be structural; spec.preserveUnknownFields: true is disallowed (use x-kubernetes-preserve-unknown-fields); printer column JSONPath is renamed jsonPath."},
	{APIVersion: "apiregistration.k8s.io/v1beta1", Kind: "APIService", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "apiregistration.k8s.io/v1"},
	{APIVersion: "authentication.k8s.io/v1beta1", Kind: "TokenReview", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "authentication.k8s.io/v1"},
	{APIVersion: "authorization.k8s.io/v1beta1", Kind: "LocalSubjectAccessReview", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "authorization.k8s.io/v1", Notes: notesSAR},
	{APIVersion: "authorization.k8s.io/v1beta1", Kind: "SelfSubjectAccessReview", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "authorization.k8s.io/v1", Notes: notesSAR},
	{APIVersion: "authorization.k8s.io/v1beta1", Kind: "SubjectAccessReview", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "authorization.k8s.io/v1", Notes: notesSAR},
	{APIVersion: "authorization.k8s.io/v1beta1", Kind: "SelfSubjectRulesReview", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "authorization.k8s.io/v1"},
	{APIVersion: "certificates.k8s.io/v1beta1", Kind: "CertificateSigningRequest", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "certificates.k8s.io/v1",
		Notes: "spec.signerName is required (kubernetes.io/legacy-unknown cannot be requested); spec.usages is required, without duplicates, known usages only; status.conditions may not repeat a type and need status; status.certificate must be PEM CERTIFICATE blocks."},
	{APIVersion: "coordination.k8s.io/v1beta1", Kind: "Lease", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "coordination.k8s.io/v1"},
	{APIVersion: "extensions/v1beta1", Kind: "Ingress", DeprecatedIn: ver(1, 14), RemovedIn: ver(1, 22), Replacement: "networking.k8s.io/v1", Notes: notesIngress},
	{APIVersion: "networking.k8s.io/v1beta1", Kind: "Ingress", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "networking.k8s.io/v1", Notes: notesIngress},
	{APIVersion: "networking.k8s.io/v1beta1", Kind: "IngressClass", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "networking.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "ClusterRole", DeprecatedIn: ver(1, 17), RemovedIn: ver(1, 22), Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "ClusterRoleBinding", DeprecatedIn: ver(1, 17), RemovedIn: ver(1, 22), Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "Role", DeprecatedIn: ver(1, 17), RemovedIn: ver(1, 22), Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "RoleBinding", DeprecatedIn: ver(1, 17), RemovedIn: ver(1, 22), Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "scheduling.k8s.io/v1beta1", Kind: "PriorityClass", DeprecatedIn: ver(1, 14), RemovedIn: ver(1, 22), Replacement: "scheduling.k8s.io/v1"},
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "CSIDriver", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "storage.k8s.io/v1"},
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "CSINode", DeprecatedIn: ver(1, 17), RemovedIn: ver(1, 22), Replacement: "storage.k8s.io/v1"},
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "StorageClass", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "storage.k8s.io/v1"},
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "VolumeAttachment", DeprecatedIn: ver(1, 19), RemovedIn: ver(1, 22), Replacement: "storage.k8s.io/v1"},

	// --- v1.25 ---
	{APIVersion: "batch/v1beta1", Kind: "CronJob", DeprecatedIn: ver(1, 21), RemovedIn: ver(1, 25), Replacement: "batch/v1"},
	{APIVersion: "discovery.k8s.io/v1beta1", Kind: "EndpointSlice", DeprecatedIn: ver(1, 21), RemovedIn: ver(1, 25), Replacement: "discovery.k8s.io/v1",
		Notes: "Use the per-endpoint nodeName field instead of topology[\"kubernetes.io/hostname\"] and zone instead of topology[\"topology.kubernetes.io/zone\"]; topology becomes deprecatedTopology, which is read-only."},
	{APIVersion: "events.k8s.io/v1beta1", Kind: "Event", DeprecatedIn: ver(1, 22), RemovedIn: ver(1, 25), Replacement: "events.k8s.io/v1",
		Notes: "type is limited to Normal and Warning; involvedObject is renamed regarding; action, reason, reportingController and reportingInstance are required; use eventTime, series.lastObservedTime, series.count, reportingController and reportingInstance instead of firstTimestamp, lastTimestamp, count, source.component and source.host (renamed deprecated* and not allowed in new Events)."},
	{APIVersion: "autoscaling/v2beta1", Kind: "HorizontalPodAutoscaler", DeprecatedIn: ver(1, 22), RemovedIn: ver(1, 25), Replacement: "autoscaling/v2", Notes: notesHPA},
	{APIVersion: "policy/v1beta1", Kind: "PodDisruptionBudget", DeprecatedIn: ver(1, 21), RemovedIn: ver(1, 25), Replacement: "policy/v1",
		Notes: "An empty spec.selector ({}) now selects every pod in the namespace (in v1beta1 it selected none); an unset spec.selector still selects none."},
	{APIVersion: "policy/v1beta1", Kind: "PodSecurityPolicy", DeprecatedIn: ver(1, 21), RemovedIn: ver(1, 25),
		Notes: "No replacement API: migrate to Pod Security Admission or a third-party admission webhook."},
	{APIVersion: "node.k8s.io/v1beta1", Kind: "RuntimeClass", DeprecatedIn: ver(1, 22), RemovedIn: ver(1, 25), Replacement: "node.k8s.io/v1"},

	// --- v1.26 ---
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta1", Kind: "FlowSchema", DeprecatedIn: ver(1, 23), RemovedIn: ver(1, 26), Replacement: "flowcontrol.apiserver.k8s.io/v1", Notes: notesFlowcontrolAvail},
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta1", Kind: "PriorityLevelConfiguration", DeprecatedIn: ver(1, 23), RemovedIn: ver(1, 26), Replacement: "flowcontrol.apiserver.k8s.io/v1", Notes: notesFlowcontrolV1},
	// The guide repeats the v2beta1 note here, but v2beta2 already uses
	// target.averageUtilization, so no manifest change is needed.
	{APIVersion: "autoscaling/v2beta2", Kind: "HorizontalPodAutoscaler", DeprecatedIn: ver(1, 23), RemovedIn: ver(1, 26), Replacement: "autoscaling/v2"},

	// --- v1.27 ---
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "CSIStorageCapacity", DeprecatedIn: ver(1, 24), RemovedIn: ver(1, 27), Replacement: "storage.k8s.io/v1"},

	// --- v1.29 ---
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta2", Kind: "FlowSchema", DeprecatedIn: ver(1, 26), RemovedIn: ver(1, 29), Replacement: "flowcontrol.apiserver.k8s.io/v1", Notes: notesFlowcontrolAvail},
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta2", Kind: "PriorityLevelConfiguration", DeprecatedIn: ver(1, 26), RemovedIn: ver(1, 29), Replacement: "flowcontrol.apiserver.k8s.io/v1", Notes: notesFlowcontrolV1},

	// --- v1.32 ---
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta3", Kind: "FlowSchema", DeprecatedIn: ver(1, 29), RemovedIn: ver(1, 32), Replacement: "flowcontrol.apiserver.k8s.io/v1"},
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta3", Kind: "PriorityLevelConfiguration", DeprecatedIn: ver(1, 29), RemovedIn: ver(1, 32), Replacement: "flowcontrol.apiserver.k8s.io/v1",
		Notes: "spec.limited.nominalConcurrencyShares defaults to 30 only when unset; an explicit 0 stays 0."},
}
