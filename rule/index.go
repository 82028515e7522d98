package rule

import (
	"sort"
	"sync"

	"github.com/kvetdev/kvet/manifest"
)

// Index is a read-only view of every loaded object, built once per run,
// for rules that look across objects (a StatefulSet's Service).
type Index struct {
	byKind map[string][]*manifest.Object
	byName map[indexKey][]*manifest.Object
	inNS   map[indexKey]bool // group, kind and namespace seen
	all    []*manifest.Object
	memo   sync.Map // key -> *memoEntry
	sums   map[*Summary][]any
}

type memoEntry struct {
	once sync.Once
	v    any
}

// Memo returns the value build makes for key, built once per index (so
// once per run) however many objects and workers ask: a CRD's compiled
// schema, a policy's compiled expressions. build must not call Memo with
// the same key. Safe for concurrent use.
func (ix *Index) Memo(key any, build func() any) any {
	e, ok := ix.memo.Load(key)
	if !ok { // LoadOrStore alone would allocate an entry on every call
		e, _ = ix.memo.LoadOrStore(key, &memoEntry{})
	}
	m := e.(*memoEntry)
	m.once.Do(func() { m.v = build() })
	return m.v
}

type indexKey struct{ group, kind, namespace, name string }

// EffectiveNamespace is the namespace an object lands in when applied
// without -n: its own, or "default".
func EffectiveNamespace(o *manifest.Object) string {
	if o.Namespace == "" {
		return "default"
	}
	return o.Namespace
}

// NewIndex indexes objs.
func NewIndex(objs []*manifest.Object) *Index {
	ix := &Index{byKind: map[string][]*manifest.Object{}, byName: map[indexKey][]*manifest.Object{}, inNS: map[indexKey]bool{}, all: objs}
	for _, o := range objs {
		g := o.Group()
		ix.byKind[g+"/"+o.Kind] = append(ix.byKind[g+"/"+o.Kind], o)
		k := indexKey{g, o.Kind, ScopeNamespace(o), o.Name}
		ix.byName[k] = append(ix.byName[k], o)
		ix.inNS[indexKey{g, o.Kind, k.namespace, ""}] = true
	}
	return ix
}

// Get returns the objects of group and kind ("" for the core group) with
// this namespace ("" meaning default; ignored for cluster-scoped kinds) and
// name, in input order (file path, then line).
func (ix *Index) Get(group, kind, namespace, name string) []*manifest.Object {
	switch {
	case ClusterScoped(group, kind):
		namespace = ""
	case namespace == "":
		namespace = "default"
	}
	return ix.byName[indexKey{group, kind, namespace, name}]
}

// HasIn reports whether the index has an object of group and kind in
// the namespace ("" meaning default; ignored for cluster-scoped kinds):
// whether a reference to a missing one is a finding, when the run does
// not claim to be complete.
func (ix *Index) HasIn(group, kind, namespace string) bool {
	switch {
	case ClusterScoped(group, kind):
		namespace = ""
	case namespace == "":
		namespace = "default"
	}
	return ix.inNS[indexKey{group, kind, namespace, ""}]
}

// WithSummaries gives the index the summaries the engine made of the
// run's objects, each in input order (file path, then line); it returns
// ix. Called before the index is shared.
func (ix *Index) WithSummaries(sums map[*Summary][]any) *Index {
	ix.sums = sums
	return ix
}

// Summaries returns the values s made of the run's objects, in input
// order; they must not be modified.
func (ix *Index) Summaries(s *Summary) []any { return ix.sums[s] }

// ByKind returns every object of group and kind.
func (ix *Index) ByKind(group, kind string) []*manifest.Object { return ix.byKind[group+"/"+kind] }

// All returns every indexed object, in index order; it must not be
// modified.
func (ix *Index) All() []*manifest.Object { return ix.all }

// Len is the number of indexed objects.
func (ix *Index) Len() int { return len(ix.all) }

// Kinds lists the indexed group/kind keys, sorted.
func (ix *Index) Kinds() []string {
	out := make([]string, 0, len(ix.byKind))
	for k := range ix.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
