// Package rules holds kvet's built-in rules, one file per rule with its
// documentation, and testdata/<rule-id>/ cases with "# want" comments.
package rules

import (
	"sort"
	"sync"

	"github.com/kvetdev/kvet/rule"
)

// All returns every rule, sorted by id. The slice is new on each call; the rules themselves must
// not be modified.
func All() []*rule.Rule {
	return append([]*rule.Rule(nil), registry()...)
}

var registry = sync.OnceValue(func() []*rule.Rule {
	rs := []*rule.Rule{
		YAMLSyntax, DuplicateKey, UnknownField, InvalidType, InvalidObject, InputLimit, RenderError, UnusedIgnore, InternalError,
		JobRestartPolicy, JobTTL, JobParallelismExceedsCompletions, ImagePinned,
		CronJobSchedule, CronJobStartingDeadline,
		DuplicateObject, StatefulSetHeadlessService, StatefulSetPVCRetention, UnusedVolumeClaimTemplate,
		DaemonSetRollingUpdate, DaemonSetControlPlaneTolerations,
		DeprecatedAPI, FieldMinVersion, InvalidKind, UnknownKind, PodSecurity,
		KustomizeBuild,
		CRDInvalid, CRValidation, CRVersion, CRSchema, CRUnknownField, CRCEL, CRNotValidated,
		ServiceSelector, ServiceTargetPort, IngressBackend, RouteBackend, PodReference, PVCStorageClass, RoleBindingReference, MonitorSelector, HPATarget, VPATarget, PDBSelector, NetworkPolicySelector, ProbePort, DuplicateEnv,
		APIValidation, APIRequired, APIInvalid, APINotSupported, APIForbidden, APIDuplicate, APINotFound, APITooLong, APIInternal,
		AdmissionPolicy,
	}
	rs = append(rs, bestPractice...)
	peerSets(rs)
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	return rs
})

// Lookup returns the rule with this id, or nil.
func Lookup(id string) *rule.Rule {
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	return nil
}
