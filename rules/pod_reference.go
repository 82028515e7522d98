package rules

import (
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// PodReference reports a pod template naming a ServiceAccount, ConfigMap,
// Secret, PersistentVolumeClaim or PriorityClass that the run does not
// have.
var PodReference = &rule.Rule{
	ID:       "pod-reference",
	Severity: rule.Warning,
	Kinds:    podKinds,
	// The objects it looks up are summaries too (refIdents, refData).
	Summaries:     []*rule.Summary{refSigns, refIdents, refData},
	Deferred:      podRefs,
	CheckDeferred: checkPodReference,
	Doc: `A pod template names a ServiceAccount, ConfigMap, Secret, PVC or PriorityClass that does not exist.

## What it does
Looks up, in the pod's namespace, the objects a pod template of any
workload kind names: ` + "`serviceAccountName`" + ` (the ` + "`default`" + ` ServiceAccount always
exists); ConfigMaps of ` + "`configMap`" + ` and projected volumes,
` + "`env[].valueFrom.configMapKeyRef`" + ` and ` + "`envFrom[].configMapRef`" + `; Secrets of
` + "`secret`" + ` and projected volumes, ` + "`secretKeyRef`" + `, ` + "`envFrom[].secretRef`" + ` and
` + "`imagePullSecrets`" + `; ` + "`persistentVolumeClaim.claimName`" + ` (a StatefulSet's
volumeClaimTemplates make their own claims); ` + "`priorityClassName`" + `
(system-cluster-critical and system-node-critical are built in; so is
every namespace's ` + "`kube-root-ca.crt`" + ` ConfigMap). A
reference marked ` + "`optional: true`" + ` is skipped, and a key reference is checked
against the keys of a ConfigMap or Secret that has data. A missing object is
a finding only when the workload's folder has objects of that kind in
that namespace (any PriorityClass, which has none), or with
` + "`--require-references`" + `: a repository that keeps its Secrets elsewhere (or
creates them with a tool) is not told about each reference. Nor is one
that something else makes: a Secret of a cert-manager Certificate's
` + "`spec.secretName`" + `, an ExternalSecret's target or a SealedSecret (in any
folder); an object of a kind that a Role of the namespace, or a
ClusterRole, of the folder lets someone create (the application makes it
as it runs: Argo CD's redis Secret made by a Job, istiod's CA ConfigMap);
a ServiceAccount where the folder has a custom resource in the namespace
(operators make accounts for what they run); anything in a folder of test
data (a path element ` + "`tests`" + `, ` + "`e2e`" + ` or ` + "`conformance`" + `). On
../shared/corpus this took its findings from 46 (2 true) to 4, all true:
PVCs and a Secret that the files name and no file of their repository
defines.

## Why is this bad?
The pod does not start: it stays ContainerCreating (a missing volume
source or claim), CreateContainerConfigError (a missing env source or
key), or is rejected (a missing ServiceAccount or PriorityClass makes the
ReplicaSet's pod creation fail), and the manifest applies without error.

## Example
` + "```yaml" + `
kind: Deployment
spec:
  template:
    spec:
      serviceAccountName: web
      containers:
      - name: web
        envFrom: [{configMapRef: {name: web-config}}]
---
kind: ConfigMap
metadata: {name: web-settings}
` + "```" + `

## Use instead
` + "```yaml" + `
        envFrom: [{configMapRef: {name: web-settings}}]
---
kind: ServiceAccount
metadata: {name: web}
` + "```",
}

// builtinPriorityClasses exist in every cluster.
var builtinPriorityClasses = map[string]bool{"system-cluster-critical": true, "system-node-critical": true}

// podRefs summarizes, as each workload is read, what its pod template
// names (with a mark for where), so that pod-reference checks the
// workloads at the end of the run without keeping them: on 100,000
// documents keeping them (typed values and lines) took the default run
// from 522 to 890 MB; the summaries are 7.5 MB of live heap.
var podRefs = &rule.Summary{Kinds: podKinds, Make: makePodRefs}

// podRefList is a workload's references.
type podRefList struct {
	id   manifest.Ident
	refs []podRef
}

// podRef is one reference: to an object of refKinds[kind] named name
// (at), and for a key reference its key (at keyAt).
type podRef struct {
	kind      refKind
	name, key string
	at, keyAt manifest.Mark
}

// refKind is the kind of object a pod template names.
type refKind uint8

const (
	refServiceAccount refKind = iota
	refPriorityClass
	refSecret
	refConfigMap
	refClaim
)

// refKinds are the group and kind of each refKind.
var refKinds = [...]struct{ group, kind string }{
	refServiceAccount: {"", "ServiceAccount"},
	refPriorityClass:  {"scheduling.k8s.io", "PriorityClass"},
	refSecret:         {"", "Secret"},
	refConfigMap:      {"", "ConfigMap"},
	refClaim:          {"", "PersistentVolumeClaim"},
}

func makePodRefs(o *manifest.Object) any {
	var refs []podRef
	podRefsOf(o, func(path manifest.Path, kind refKind, name string, keyAt manifest.Path, key string) {
		r := podRef{kind: kind, name: name, key: key, at: o.Mark(path)}
		if key != "" {
			r.keyAt = o.Mark(keyAt)
		}
		refs = append(refs, r)
	})
	if len(refs) == 0 {
		return nil
	}
	return &podRefList{id: o.Ident(), refs: slices.Clip(refs)}
}

func checkPodReference(pass *rule.Pass, v any) {
	l := v.(*podRefList)
	o := l.id.Object()
	for _, r := range l.refs {
		if d, onKey, ok := judgePodRef(pass, o, r.kind, r.name, r.key); ok {
			at := r.at
			if onKey {
				at = r.keyAt
			}
			pass.ReportAt(l.id, at, d)
		}
	}
}

// judgePodRef says whether a reference of o to an object of kind named
// name (and to its key, when key is set) is a finding, and whether the
// finding is about the key rather than the name.
func judgePodRef(pass *rule.Pass, o *manifest.Object, kind refKind, name, key string) (d rule.Diagnostic, onKey, ok bool) {
	group, k := refKinds[kind].group, refKinds[kind].kind
	found := lookup(pass, o, group, k, name)
	if len(found) == 0 {
		if !mustExist(pass, o, group, k, name) {
			return d, false, false
		}
		where := fmt.Sprintf(" in namespace %q", nsOf(o))
		if rule.ClusterScoped(group, k) {
			where = ""
		}
		return rule.Diagnostic{Help: fmt.Sprintf("create %s %s%s, or name one that exists", k, name, where),
			Message: fmt.Sprintf("%s %q does not exist%s among the linted files: %s", k, name, where, podConsequence(k))}, false, true
	}
	if key == "" {
		return d, false, false
	}
	// Several folders' alternatives may define it (calico's manifests
	// each have their calico-config): any that has the key will do, and
	// the one of the same file is the one named.
	var keys []string
	best := found[0]
	for i, f := range found {
		ks := dataKeysOf(pass, f)
		if _, has := slices.BinarySearch(ks.keys, key); !ks.judged || has {
			return d, false, false
		}
		if i == 0 || f.Source.Path == o.Source.Path {
			keys, best = ks.keys, f
		}
	}
	return rule.Diagnostic{Help: fmt.Sprintf("use one of the keys of %s %s (%s), or add %s to it", k, name, list(keys), key),
		Message: fmt.Sprintf("%s has no key %q: the container cannot start (CreateContainerConfigError)", named(best), key),
		Related: relatedTo(best)}, true, true
}

// podRefsOf calls add for each object o's pod template names that could
// be missing: not an optional one, nor one every cluster or namespace
// has (the default ServiceAccount, the built-in PriorityClasses, the
// kube-root-ca.crt ConfigMap), nor a claim of the StatefulSet's
// volumeClaimTemplates. keyAt and key are set for a key reference.
func podRefsOf(o *manifest.Object, add func(path manifest.Path, kind refKind, name string, keyAt manifest.Path, key string)) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	spec, at := ref.Spec, ref.Path
	// Paths are made only for the references kept: this runs on every
	// workload as it is read.
	if sa := spec.ServiceAccountName; sa != "" {
		if sa != "default" {
			add(at.Field("serviceAccountName"), refServiceAccount, sa, nil, "")
		}
	} else if sa := spec.DeprecatedServiceAccount; sa != "" && sa != "default" {
		add(at.Field("serviceAccount"), refServiceAccount, sa, nil, "")
	}
	if pc := spec.PriorityClassName; pc != "" && !builtinPriorityClasses[pc] {
		add(at.Field("priorityClassName"), refPriorityClass, pc, nil, "")
	}
	for i, s := range spec.ImagePullSecrets {
		if s.Name != "" {
			add(at.Field("imagePullSecrets").Item(i).Field("name"), refSecret, s.Name, nil, "")
		}
	}
	// configMap names a ConfigMap that may be missing: not the CA bundle
	// every namespace has.
	configMap := func(name string) bool { return name != "" && name != "kube-root-ca.crt" }
	claims := claimTemplates(o)
	for i, v := range spec.Volumes {
		switch {
		case v.ConfigMap != nil && !isTrue(v.ConfigMap.Optional):
			if configMap(v.ConfigMap.Name) {
				add(at.Field("volumes").Item(i).Field("configMap").Field("name"), refConfigMap, v.ConfigMap.Name, nil, "")
			}
		case v.Secret != nil && !isTrue(v.Secret.Optional):
			if v.Secret.SecretName != "" {
				add(at.Field("volumes").Item(i).Field("secret").Field("secretName"), refSecret, v.Secret.SecretName, nil, "")
			}
		case v.PersistentVolumeClaim != nil && !claims[v.PersistentVolumeClaim.ClaimName]:
			if v.PersistentVolumeClaim.ClaimName != "" {
				add(at.Field("volumes").Item(i).Field("persistentVolumeClaim").Field("claimName"), refClaim, v.PersistentVolumeClaim.ClaimName, nil, "")
			}
		case v.Projected != nil:
			for j, s := range v.Projected.Sources {
				if s.ConfigMap != nil && !isTrue(s.ConfigMap.Optional) && configMap(s.ConfigMap.Name) {
					add(at.Field("volumes").Item(i).Field("projected").Field("sources").Item(j).Field("configMap").Field("name"), refConfigMap, s.ConfigMap.Name, nil, "")
				}
				if s.Secret != nil && !isTrue(s.Secret.Optional) && s.Secret.Name != "" {
					add(at.Field("volumes").Item(i).Field("projected").Field("sources").Item(j).Field("secret").Field("name"), refSecret, s.Secret.Name, nil, "")
				}
			}
		}
	}
	containers := func(list string, cs []corev1.Container) {
		for i, c := range cs {
			for j, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil && !isTrue(r.Optional) && configMap(r.Name) {
					ep := at.Field(list).Item(i).Field("env").Item(j).Field("valueFrom").Field("configMapKeyRef")
					add(ep.Field("name"), refConfigMap, r.Name, ep.Field("key"), r.Key)
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil && !isTrue(r.Optional) && r.Name != "" {
					ep := at.Field(list).Item(i).Field("env").Item(j).Field("valueFrom").Field("secretKeyRef")
					add(ep.Field("name"), refSecret, r.Name, ep.Field("key"), r.Key)
				}
			}
			for j, e := range c.EnvFrom {
				if r := e.ConfigMapRef; r != nil && !isTrue(r.Optional) && configMap(r.Name) {
					add(at.Field(list).Item(i).Field("envFrom").Item(j).Field("configMapRef").Field("name"), refConfigMap, r.Name, nil, "")
				}
				if r := e.SecretRef; r != nil && !isTrue(r.Optional) && r.Name != "" {
					add(at.Field(list).Item(i).Field("envFrom").Item(j).Field("secretRef").Field("name"), refSecret, r.Name, nil, "")
				}
			}
		}
	}
	containers("initContainers", spec.InitContainers)
	containers("containers", spec.Containers)
}

// podConsequence says what a missing object of kind does to the pods.
func podConsequence(kind string) string {
	switch kind {
	case "ServiceAccount":
		return "the controller cannot create the pods (error looking up service account)"
	case "PriorityClass":
		return "the controller cannot create the pods (no PriorityClass with that name)"
	case "PersistentVolumeClaim":
		return "the pods stay Pending (persistentvolumeclaim not found)"
	}
	return "the pods cannot start (ContainerCreating or CreateContainerConfigError)"
}

func isTrue(b *bool) bool { return b != nil && *b }

// claimTemplates are the names of a StatefulSet's volumeClaimTemplates.
func claimTemplates(o *manifest.Object) map[string]bool {
	ss, ok := o.Typed.(*appsv1.StatefulSet)
	if !ok || len(ss.Spec.VolumeClaimTemplates) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, t := range ss.Spec.VolumeClaimTemplates {
		m[t.Name] = true
	}
	return m
}

// dataKeysOf are the data keys of a ConfigMap or Secret that lookup
// found: from its summary (refData), or from the object when another rule
// keeps it.
func dataKeysOf(pass *rule.Pass, o *manifest.Object) dataKeys {
	if ks, ok := identsOf(pass).data[o.Ident()]; ok {
		return ks
	}
	return keysOf(o)
}

// keysOf returns the keys of a ConfigMap or Secret, sorted, and whether
// a key reference is judged against them: not for one without data
// (filled by a controller or by hand), nor for a Secret whose type a
// controller fills (a service account token).
func keysOf(o *manifest.Object) dataKeys {
	var keys []string
	switch t := o.Typed.(type) {
	case *corev1.ConfigMap:
		keys = appendKeys(appendKeys(keys, t.Data), t.BinaryData)
	case *corev1.Secret:
		if t.Type == corev1.SecretTypeServiceAccountToken {
			return dataKeys{}
		}
		keys = appendKeys(appendKeys(keys, t.Data), t.StringData)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	return dataKeys{keys: slices.Clip(keys), judged: len(keys) > 0}
}

func appendKeys[V any](keys []string, m map[string]V) []string {
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
