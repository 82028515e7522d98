package rules

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// PodSecurity evaluates the Pod Security Standards as the PodSecurity
// admission controller does, with its own code (k8s.io/pod-security-admission).
var PodSecurity = &rule.Rule{
	ID:       "pod-security",
	Severity: rule.Error,
	// The kinds the admission controller's DefaultPodSpecExtractor reads
	// (k8s.io/pod-security-admission/admission), and the Namespaces whose
	// labels it parses.
	Kinds: []string{"v1/Pod", "v1/PodTemplate", "v1/ReplicationController", "apps/v1/Deployment", "apps/v1/StatefulSet",
		"apps/v1/DaemonSet", "apps/v1/ReplicaSet", "batch/v1/Job", "batch/v1/CronJob", "v1/Namespace"},
	Context: []string{"v1/Namespace"},
	Check:   checkPodSecurity,
	Doc: `A pod template violates the Pod Security Standard its namespace enforces, warns or audits.

## What it does
Runs the PodSecurity admission controller's own checks
(k8s.io/pod-security-admission, the evaluator the API server runs) on the
pod of every Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
CronJob, ReplicationController and PodTemplate, at the level its namespace
sets: the ` + "`pod-security.kubernetes.io/enforce`" + ` (error), ` + "`warn`" + `
(warning) and ` + "`audit`" + ` (info) labels and their ` + "`-version`" + ` labels
on the Namespace objects of the run (any file), parsed as the admission
controller parses them. A namespace that no label sets takes the level of
` + "`--pod-security LEVEL[:VERSION]`" + ` (or ` + "`podSecurity:`" + ` in .kvet.yaml) as
its enforce level, as the cluster's admission configuration default would;
objects without a namespace are in "default". With neither a label nor the
flag, nothing is checked. Each finding names the upstream check
(` + "`runAsNonRoot`" + `, ` + "`capabilities_restricted`" + `, ...) and the level, and
points at the offending field of each container (or of the pod, or of a
volume); a problem found at several modes is reported once, at the most
severe. An invalid Pod Security label on a Namespace is an error at the
label: the API server refuses to create such a Namespace.

## Why is this bad?
In a namespace that enforces a level, the API server rejects a pod that
violates it: a Deployment is accepted, but its ReplicaSet never gets a pod.
Warn and audit levels show what will break when the namespace is tightened.

## Example
` + "```yaml" + `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27.2
` + "```" + `

## Use instead
` + "```yaml" + `
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: web
          image: nginxinc/nginx-unprivileged:1.27.2
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
` + "```",
}

// SecurityGroup is the name of the retired Rego group "security": its
// checks are Pod Security Standards checks, so enabling it makes
// restricted the default level (DefaultPodSecurity).
const SecurityGroup = "security"

// ParsePodSecurity reads a level as --pod-security and podSecurity: give
// it, LEVEL[:VERSION] (privileged, baseline or restricted; v1.NN or
// latest), with the admission controller's parsers.
func ParsePodSecurity(s string) (psaapi.LevelVersion, error) {
	level, version, hasVersion := strings.Cut(s, ":")
	lv := psaapi.LevelVersion{Version: psaapi.LatestVersion()}
	var err error
	if lv.Level, err = psaapi.ParseLevel(level); err != nil {
		return lv, fmt.Errorf("level %q: %w (optionally followed by :v1.NN or :latest)", level, err)
	}
	if hasVersion {
		if lv.Version, err = psaapi.ParseVersion(version); err != nil {
			return lv, fmt.Errorf("version %q: %w", version, err)
		}
	}
	return lv, nil
}

// DefaultPodSecurity is the default level a run uses: the flag's or the
// configuration's value (said by source), else restricted when the
// retired group "security" is enabled, else none; and what set it.
func DefaultPodSecurity(value, source string, securityGroup bool) (level, from string) {
	if value == "" && securityGroup {
		return string(psaapi.LevelRestricted), "--enable " + SecurityGroup
	}
	return value, source
}

// pssMode is one of the admission controller's three modes.
type pssMode struct {
	name     string // enforce, warn, audit
	label    string // its level label
	severity rule.Severity
	verb     string // enforced, warned, audited
}

var pssModes = [3]pssMode{
	{"enforce", psaapi.EnforceLevelLabel, rule.Error, "enforced"},
	{"warn", psaapi.WarnLevelLabel, rule.Warning, "warned"},
	{"audit", psaapi.AuditLevelLabel, rule.Info, "audited"},
}

func (p *pssPolicy) level(i int) psaapi.LevelVersion {
	switch i {
	case 0:
		return p.policy.Enforce
	case 1:
		return p.policy.Warn
	}
	return p.policy.Audit
}

// pssPolicy is a namespace's policy and where each mode's level comes
// from.
type pssPolicy struct {
	policy psaapi.Policy
	// namespace is the Namespace object's name, "" when the run does not
	// define it; fromLabel[i] says mode i was set by its labels.
	namespace string
	fromLabel [3]bool
}

// pssRun is what the rule builds once per run.
type pssRun struct {
	eval       policy.Evaluator
	source     string // what set the default level, for messages
	defaults   psaapi.Policy
	namespaces map[string]*pssPolicy
	fallback   *pssPolicy // namespaces the run does not define
	err        error      // an invalid --pod-security (the CLI refuses it first)
}

// pssChecks are the upstream default checks, each result marked with its
// check's id (EvaluatePod returns results without them).
var pssChecks = sync.OnceValue(func() []policy.Check {
	checks := policy.DefaultChecks()
	for i := range checks {
		id := string(checks[i].ID)
		for j := range checks[i].Versions {
			check := checks[i].Versions[j].CheckPod
			checks[i].Versions[j].CheckPod = func(m *metav1.ObjectMeta, s *corev1.PodSpec) policy.CheckResult {
				r := check(m, s)
				if !r.Allowed {
					r.ForbiddenReason = id + "\x00" + r.ForbiddenReason
				}
				return r
			}
		}
	}
	return checks
})

// newPSSEvaluator builds the upstream evaluator, whose "latest" is the
// target Kubernetes version's policy.
func newPSSEvaluator(target kubeversion.Version) (policy.Evaluator, error) {
	var emulate *psaapi.Version
	if !target.IsZero() {
		v := psaapi.MajorMinorVersion(target.Major, target.Minor)
		emulate = &v
	}
	return policy.NewEvaluator(pssChecks(), emulate)
}

// pssMemoKey is the key of the run's pssRun in Index.Memo.
type pssMemoKey struct{}

func pssRunOf(pass *rule.Pass) *pssRun {
	return pass.Index.Memo(pssMemoKey{}, func() any {
		run := &pssRun{source: "--pod-security"}
		privileged := psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()}
		run.defaults = psaapi.Policy{Enforce: privileged, Warn: privileged, Audit: privileged}
		var target kubeversion.Version
		if pass.Settings != nil {
			target = pass.Settings.KubeVersion
			if pass.Settings.PodSecuritySource != "" {
				run.source = pass.Settings.PodSecuritySource
			}
			if s := pass.Settings.PodSecurity; s != "" {
				if run.defaults.Enforce, run.err = ParsePodSecurity(s); run.err != nil {
					return run
				}
			}
		}
		if run.eval, run.err = newPSSEvaluator(target); run.err != nil {
			return run
		}
		run.fallback = &pssPolicy{policy: run.defaults}
		run.namespaces = map[string]*pssPolicy{}
		for _, ns := range pass.Index.ByKind("", "Namespace") {
			if _, dup := run.namespaces[ns.Name]; dup {
				continue
			}
			labels := ns.StringMap("metadata", "labels")
			p, _ := psaapi.PolicyToEvaluate(labels, run.defaults)
			pp := &pssPolicy{policy: p, namespace: ns.Name}
			for i := range pssModes {
				_, set := labels[pssModes[i].label]
				pp.fromLabel[i] = set || pp.level(i) != run.fallback.level(i)
			}
			run.namespaces[ns.Name] = pp
		}
		return run
	}).(*pssRun)
}

func checkPodSecurity(pass *rule.Pass, o *manifest.Object) {
	if ns, ok := o.Typed.(*corev1.Namespace); ok {
		checkNamespaceLabels(pass, ns)
		return
	}
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	run := pssRunOf(pass)
	if run.err != nil {
		return
	}
	p := run.fallback
	if np := run.namespaces[rule.EffectiveNamespace(o)]; np != nil {
		p = np
	}
	if p.policy.FullyPrivileged() {
		return
	}
	e := pssEval{pass: pass, o: o, ref: ref, eval: run.eval, source: run.source}
	var done []psaapi.LevelVersion
	for i := range pssModes {
		lv := p.level(i)
		if lv.Level == psaapi.LevelPrivileged || containsLevel(done, lv) {
			continue
		}
		done = append(done, lv)
		e.mode(&pssModes[i], lv, p, p.fromLabel[i])
	}
}

func containsLevel(list []psaapi.LevelVersion, lv psaapi.LevelVersion) bool {
	for _, x := range list {
		if x.Equivalent(&lv) {
			return true
		}
	}
	return false
}

// checkNamespaceLabels reports Pod Security labels the admission
// controller cannot parse: it refuses to create such a Namespace.
func checkNamespaceLabels(pass *rule.Pass, ns *corev1.Namespace) {
	_, errs := psaapi.PolicyToEvaluate(ns.Labels, psaapi.Policy{})
	if len(errs) == 0 {
		return
	}
	keys := make([]string, 0, len(errs))
	for k := range ns.Labels {
		if strings.HasPrefix(k, "pod-security.kubernetes.io/") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := ns.Labels[k]
		var err error
		if strings.HasSuffix(k, "-version") {
			_, err = psaapi.ParseVersion(v)
		} else if k == psaapi.EnforceLevelLabel || k == psaapi.WarnLevelLabel || k == psaapi.AuditLevelLabel {
			_, err = psaapi.ParseLevel(v)
		}
		if err == nil {
			continue
		}
		help := "write privileged, baseline or restricted"
		if strings.HasSuffix(k, "-version") {
			help = `write latest or a version such as v1.30`
		}
		pass.Report(rule.Diagnostic{
			Path:    manifest.Path{}.Field("metadata").Field("labels").Field(k),
			Message: fmt.Sprintf("label %s is %q: it %v; the PodSecurity admission controller refuses to create this Namespace", k, v, err),
			Help:    help,
		})
	}
}

// pssEval evaluates one object's pod.
type pssEval struct {
	pass   *rule.Pass
	o      *manifest.Object
	ref    PodSpecRef
	eval   policy.Evaluator
	source string
	seen   map[string]bool // check family and path already reported
}

// pssUnit is a part of the pod a check can be blamed on: the pod's own
// fields, one container, or one volume.
type pssUnit struct {
	kind      int // unitPod, unitContainer, unitVolume
	list      string
	index     int
	container *corev1.Container
	volume    *corev1.Volume
	failed    map[string]policy.CheckResult
}

const (
	unitPod = iota
	unitContainer
	unitVolume
)

// failures runs the evaluator and returns the failed checks by id, in the
// evaluator's order.
func (e *pssEval) failures(lv psaapi.LevelVersion, spec *corev1.PodSpec) (ids []string, byID map[string]policy.CheckResult) {
	for _, r := range e.eval.EvaluatePod(lv, e.ref.Meta, spec) {
		if r.Allowed {
			continue
		}
		id, reason, ok := strings.Cut(r.ForbiddenReason, "\x00")
		if !ok {
			id, reason = "unknown", r.ForbiddenReason
		}
		r.ForbiddenReason = reason
		if byID == nil {
			byID = map[string]policy.CheckResult{}
		}
		if _, dup := byID[id]; !dup {
			ids = append(ids, id)
		}
		byID[id] = r
	}
	return ids, byID
}

// units evaluates the pod's own fields, each container alone and each
// volume alone, so that a failed check is reported where it fails.
func (e *pssEval) units(lv psaapi.LevelVersion) []pssUnit {
	spec := e.ref.Spec
	bare := *spec
	bare.InitContainers, bare.Containers, bare.EphemeralContainers, bare.Volumes = nil, nil, nil, nil
	var out []pssUnit
	_, failed := e.failures(lv, &bare)
	out = append(out, pssUnit{kind: unitPod, failed: failed})
	one := func(list string, i int, c *corev1.Container) {
		s := bare
		switch list {
		case "initContainers":
			s.InitContainers = spec.InitContainers[i : i+1]
		case "containers":
			s.Containers = spec.Containers[i : i+1]
		default:
			s.EphemeralContainers = spec.EphemeralContainers[i : i+1]
		}
		_, failed := e.failures(lv, &s)
		out = append(out, pssUnit{kind: unitContainer, list: list, index: i, container: c, failed: failed})
	}
	for i := range spec.InitContainers {
		one("initContainers", i, &spec.InitContainers[i])
	}
	for i := range spec.Containers {
		one("containers", i, &spec.Containers[i])
	}
	for i := range spec.EphemeralContainers {
		one("ephemeralContainers", i, (*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon))
	}
	for i := range spec.Volumes {
		s := bare
		s.Volumes = spec.Volumes[i : i+1]
		_, failed := e.failures(lv, &s)
		out = append(out, pssUnit{kind: unitVolume, index: i, volume: &spec.Volumes[i], failed: failed})
	}
	return out
}

// mode evaluates the pod at one mode's level and reports each failed
// check once per pod, container or volume it fails for.
func (e *pssEval) mode(m *pssMode, lv psaapi.LevelVersion, p *pssPolicy, fromLabel bool) {
	ids, full := e.failures(lv, e.ref.Spec)
	if len(ids) == 0 {
		return
	}
	where := fmt.Sprintf("%s by the labels of namespace %q", m.verb, p.namespace)
	if !fromLabel {
		where = fmt.Sprintf("%s in namespace %q by %s, as no label sets a level", m.verb, rule.EffectiveNamespace(e.o), e.source)
	}
	units := e.units(lv)
	for _, id := range ids {
		place := pssPlaceOf(id)
		reported := false
		podFailed := false
		for _, u := range units {
			r, failed := u.failed[id]
			if !failed {
				continue
			}
			var path manifest.Path
			switch u.kind {
			case unitPod:
				podFailed = true
				path = e.ref.Path
				if place.pod != nil {
					path = appendPath(path, place.pod(e.ref.Spec))
				}
				if place.meta != nil {
					if m := place.meta(e.ref.Meta, e.ref.Spec); m != nil {
						// The template's metadata is beside its spec.
						path = appendPath(e.ref.Path[:len(e.ref.Path)-1].Field("metadata"), m)
					}
				}
			case unitContainer:
				path = e.ref.Path.Field(u.list).Item(u.index)
				if place.container != nil {
					path = appendPath(path, place.container(u.container))
				}
				// Each part is evaluated with the pod's own fields: when
				// they fail the check, a container is blamed too only for
				// a value it sets itself.
				if podFailed && (place.container == nil || !e.o.Locate(path).Exact) {
					continue
				}
			case unitVolume:
				path = e.ref.Path.Field("volumes").Item(u.index)
				if place.volume != nil {
					path = appendPath(path, place.volume(u.volume))
				}
				if podFailed && (place.volume == nil || !e.o.Locate(path).Exact) {
					continue
				}
			}
			e.report(m, lv, id, r, path, place, where)
			reported = true
		}
		if !reported {
			// No part fails alone (or no mapping): the pod spec's line.
			e.report(m, lv, id, full[id], e.ref.Path, place, where)
		}
	}
}

func appendPath(base, rel manifest.Path) manifest.Path {
	out := make(manifest.Path, 0, len(base)+len(rel))
	return append(append(out, base...), rel...)
}

func (e *pssEval) report(m *pssMode, lv psaapi.LevelVersion, id string, r policy.CheckResult, path manifest.Path, place pssPlace, where string) {
	family := strings.TrimSuffix(strings.TrimSuffix(id, "_restricted"), "_baseline")
	key := family + "\x00" + path.String()
	if e.seen[key] {
		return
	}
	if e.seen == nil {
		e.seen = map[string]bool{}
	}
	e.seen[key] = true
	detail := r.ForbiddenDetail // names the container and the value
	if detail == "" {
		detail = r.ForbiddenReason
	}
	help := place.help
	if help == "" {
		help = "see https://kubernetes.io/docs/concepts/security/pod-security-standards/ for what the " + string(lv.Level) + " level allows"
	}
	consequence := ""
	if m.name == "enforce" {
		consequence = "; the API server rejects the pod"
	}
	e.pass.Report(rule.Diagnostic{
		Path:     path,
		Severity: m.severity,
		Message:  fmt.Sprintf("%s: %s (PodSecurity %q, %s%s)", id, detail, lv.String(), where, consequence),
		Help:     help,
	})
}
