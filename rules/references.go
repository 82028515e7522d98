package rules

import (
	"fmt"
	"iter"
	"path/filepath"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Helpers of the reference rules (issue 18): the pods of the run's
// workloads by namespace and labels, and how a message names another
// object.

// podKindNames is how messages list podKinds.
const podKindNames = "Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod"

// folderOf is the folder of an object's file.
func folderOf(o *manifest.Object) string { return filepath.Dir(o.Source.Path) }

// lookup returns the objects of group and kind named name in o's
// namespace: in o's folder unless the run is complete.
func lookup(pass *rule.Pass, o *manifest.Object, group, kind, name string) []*manifest.Object {
	return lookupIn(pass, o, group, kind, o.Namespace, name)
}

// lookupIn is lookup in namespace ns ("" meaning default; ignored for a
// cluster-scoped kind): the objects of that name in o's folder, else in
// the rest of the run. Whether a missing target is a finding is judged
// by folder (mustExist), but a target found in another folder of the run
// exists: on ../shared/corpus, Gateway API's conformance routes name
// Services of their base/ folder (212 false route-backend findings when
// the lookup kept to the folder).
func lookupIn(pass *rule.Pass, o *manifest.Object, group, kind, ns, name string) []*manifest.Object {
	found := pass.Index.Get(group, kind, ns, name)
	if len(found) == 0 {
		found = identsOf(pass).get(group, kind, ns, name)
	}
	if pass.Settings.Complete || len(found) <= 1 {
		return found
	}
	dir := folderOf(o)
	var out []*manifest.Object
	for _, f := range found {
		if folderOf(f) == dir {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return found
	}
	return out
}

type kindsKey struct{ group, kind string }

// mustExist reports whether a reference to an object of group, kind and
// name that the run does not have is a finding: when the run claims to be
// the whole application, or o's folder or one of its parent folders (the
// application o is part of: an HPA in hpa/ beside its Deployment's
// folder) has that kind in o's namespace; and no sign says that
// something else makes it (madeElsewhere).
func mustExist(pass *rule.Pass, o *manifest.Object, group, kind, name string) bool {
	return mustExistIn(pass, o, group, kind, o.Namespace, name)
}

// mustExistIn is mustExist for a reference into namespace ns (ignored for
// a cluster-scoped kind: then any object of the kind in o's folder
// counts).
func mustExistIn(pass *rule.Pass, o *manifest.Object, group, kind, ns, name string) bool {
	if rule.ClusterScoped(group, kind) {
		ns = ""
	} else if ns == "" {
		ns = "default"
	}
	if madeElsewhere(pass, o, kind, ns, name) {
		return false
	}
	if pass.Settings.Complete {
		return true
	}
	in := pass.Index.Memo(kindsKey{group, kind}, func() any {
		m := map[string]bool{}
		for _, x := range pass.Index.ByKind(group, kind) {
			m[rule.ScopedNS(folderOf(x), rule.ScopeNamespace(x))] = true
		}
		for _, id := range identsOf(pass).byKind[kindsKey{group, kind}] {
			m[rule.ScopedNS(filepath.Dir(id.Path), identNS(group, kind, id.Namespace))] = true
		}
		for _, w := range workloadsOf(pass).byKind[kindsKey{group, kind}] {
			m[rule.ScopedNS(filepath.Dir(w.id.Path), identNS(group, kind, w.id.Namespace))] = true
		}
		return m
	}).(map[string]bool)
	for dir := range foldersUp(folderOf(o)) {
		if in[rule.ScopedNS(dir, ns)] {
			return true
		}
	}
	return false
}

// foldersUp yields dir and each folder above it, the nearest first: the
// application an object of dir is part of.
func foldersUp(dir string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for {
			if !yield(dir) {
				return
			}
			up := filepath.Dir(dir)
			if up == dir {
				return
			}
			dir = up
		}
	}
}

// within reports whether folder dir is folder app or below it.
func within(dir, app string) bool {
	rel, err := filepath.Rel(app, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// named is how a message names another object: Deployment "web"
// (deploy.yaml:3).
func named(o *manifest.Object) string {
	return fmt.Sprintf("%s %q (%s:%d)", o.Kind, o.Name, o.Source.Path, o.Pos().Line)
}

// nsOf is a namespace for messages.
func nsOf(o *manifest.Object) string { return rule.EffectiveNamespace(o) }

// selectorText renders equality labels as k=v,k2=v2, sorted.
func selectorText(m map[string]string) string { return labels.Set(m).String() }

// replicasOf is how many pods an object runs, and whether that is known
// (DaemonSets, Jobs and CronJobs: not from the manifest).
func replicasOf(o *manifest.Object) (int, bool) {
	var r *int32
	switch t := o.Typed.(type) {
	case *appsv1.Deployment:
		r = t.Spec.Replicas
	case *appsv1.StatefulSet:
		r = t.Spec.Replicas
	case *appsv1.ReplicaSet:
		r = t.Spec.Replicas
	case *corev1.ReplicationController:
		r = t.Spec.Replicas
	case *corev1.Pod:
		return 1, true
	default:
		return 0, false
	}
	if r == nil {
		return 1, true
	}
	return int(*r), true
}

// list joins names for a message, at most five.
func list(names []string) string {
	if len(names) > 5 {
		names = append(names[:5:5], "...")
	}
	return strings.Join(names, ", ")
}

// replicasSet reports whether the manifest sets spec.replicas (the typed
// value is decoded from the source, not defaulted).
func replicasSet(o *manifest.Object) bool {
	switch t := o.Typed.(type) {
	case *appsv1.Deployment:
		return t.Spec.Replicas != nil
	case *appsv1.StatefulSet:
		return t.Spec.Replicas != nil
	case *appsv1.ReplicaSet:
		return t.Spec.Replicas != nil
	case *corev1.ReplicationController:
		return t.Spec.Replicas != nil
	}
	return false
}

// refIdents keeps the identity and place of the objects that reference
// rules only look up by name (role-binding-reference's Roles,
// ClusterRoles and ServiceAccounts, pvc-storage-class's StorageClasses,
// pod-reference's ServiceAccounts, PersistentVolumeClaims and
// PriorityClasses), instead of the objects themselves: on 100,000
// documents keeping them took 40 MB.
var refIdents = &rule.Summary{
	Kinds: []string{"rbac.authorization.k8s.io/*/Role", "rbac.authorization.k8s.io/*/ClusterRole", "v1/ServiceAccount",
		"storage.k8s.io/*/StorageClass", "v1/PersistentVolumeClaim", "scheduling.k8s.io/*/PriorityClass"},
	Make: func(o *manifest.Object) any { return o.Ident() },
}

// refData keeps of a ConfigMap or Secret its identity, place and data
// keys (pod-reference's key references), instead of the object.
var refData = &rule.Summary{Kinds: []string{"v1/ConfigMap", "v1/Secret"}, Make: makeDataKeys}

// dataIdent is a ConfigMap's or Secret's identity and data keys.
type dataIdent struct {
	id manifest.Ident
	dataKeys
}

// dataKeys are the sorted keys of a ConfigMap's or Secret's data, and
// whether a key reference is judged against them (see keysOf).
type dataKeys struct {
	keys   []string
	judged bool
}

func makeDataKeys(o *manifest.Object) any {
	return &dataIdent{id: o.Ident(), dataKeys: keysOf(o)}
}

// idents are refIdents and refData by name and by kind, and the data keys
// of refData's.
type idents struct {
	byName map[identKey][]manifest.Ident
	byKind map[kindsKey][]manifest.Ident
	data   map[manifest.Ident]dataKeys
}

type identKey struct{ group, kind, ns, name string }

type identsKey struct{}

// identNS is the namespace that identifies an object of group and kind
// written in namespace ns: "" for a cluster-scoped kind, default for none.
func identNS(group, kind, ns string) string {
	switch {
	case rule.ClusterScoped(group, kind):
		return ""
	case ns == "":
		return "default"
	}
	return ns
}

func identsOf(pass *rule.Pass) *idents {
	return pass.Index.Memo(identsKey{}, func() any {
		ix := &idents{byName: map[identKey][]manifest.Ident{}, byKind: map[kindsKey][]manifest.Ident{}, data: map[manifest.Ident]dataKeys{}}
		add := func(id manifest.Ident) {
			group := apiGroupOf(id.APIVersion)
			k := identKey{group, id.Kind, identNS(group, id.Kind, id.Namespace), id.Name}
			ix.byName[k] = append(ix.byName[k], id)
			ix.byKind[kindsKey{group, id.Kind}] = append(ix.byKind[kindsKey{group, id.Kind}], id)
		}
		for _, v := range pass.Index.Summaries(refIdents) {
			add(v.(manifest.Ident))
		}
		for _, v := range pass.Index.Summaries(refData) {
			d := v.(*dataIdent)
			add(d.id)
			ix.data[d.id] = d.dataKeys
		}
		return ix
	}).(*idents)
}

// get is Index.Get of the summarized objects, as objects that have only
// an identity and a place.
func (ix *idents) get(group, kind, ns, name string) []*manifest.Object {
	ids := ix.byName[identKey{group, kind, identNS(group, kind, ns), name}]
	if len(ids) == 0 {
		return nil
	}
	out := make([]*manifest.Object, len(ids))
	for i, id := range ids {
		out[i] = id.Object()
	}
	return out
}

// workloads are the run's podSummaries by name and by kind, for the
// rules that look a workload up by name (hpa-target, vpa-target) without
// keeping the workloads.
type workloads struct {
	byName map[identKey][]*podSummary
	byKind map[kindsKey][]*podSummary
}

type workloadsKey struct{}

func apiGroupOf(apiVersion string) string {
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		return g
	}
	return ""
}

func workloadsOf(pass *rule.Pass) *workloads {
	return pass.Index.Memo(workloadsKey{}, func() any {
		w := &workloads{byName: map[identKey][]*podSummary{}, byKind: map[kindsKey][]*podSummary{}}
		for _, v := range pass.Index.Summaries(podSummaries) {
			s := v.(*podSummary)
			g := apiGroupOf(s.id.APIVersion)
			k := identKey{g, s.id.Kind, identNS(g, s.id.Kind, s.id.Namespace), s.id.Name}
			w.byName[k] = append(w.byName[k], s)
			w.byKind[kindsKey{g, s.id.Kind}] = append(w.byKind[kindsKey{g, s.id.Kind}], s)
		}
		return w
	}).(*workloads)
}

// lookupWorkload is lookup of a workload from its summary: those of o's
// folder, else of the run.
func lookupWorkload(pass *rule.Pass, o *manifest.Object, group, kind, name string) []*podSummary {
	found := workloadsOf(pass).byName[identKey{group, kind, identNS(group, kind, o.Namespace), name}]
	if pass.Settings.Complete || len(found) <= 1 {
		return found
	}
	dir := folderOf(o)
	var out []*podSummary
	for _, f := range found {
		if filepath.Dir(f.id.Path) == dir {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return found
	}
	return out
}
