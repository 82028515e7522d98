package rule

import (
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kvetdev/kvet/manifest"
)

// LabelIndex finds objects of some kinds by namespace and labels (the pods
// of workloads a Service, a PDB or a NetworkPolicy selects), built once per
// run: a selector's candidates are the objects carrying its first
// equality, not every object of the run.
type LabelIndex struct {
	byNS    map[string][]Labeled
	byLabel map[labelKey][]Labeled
}

// Labeled is an object and the labels a selector is matched against (a
// workload's pod template labels, not its own). Object may be only the
// identity and place of an object the run did not keep
// (manifest.Object.Identity), and Data what a summary kept of it.
type Labeled struct {
	Object *manifest.Object
	Labels map[string]string
	Data   any
}

type labelKey struct{ namespace, key, value string }

// Labels returns the label index of the objects of kinds (patterns as in
// Rule.Kinds) with the labels of gives them (false: not indexed), built
// once per index under key. Namespaces are keyed by scope(o) too when
// scope is not nil (a folder): lookups then pass that scope with the
// namespace, as ScopedNS makes it.
func (ix *Index) Labels(key string, kinds []string, of func(*manifest.Object) (map[string]string, bool), scope func(*manifest.Object) string) *LabelIndex {
	return ix.Memo(labelIndexKey(key), func() any {
		var items []Labeled
		for _, o := range ix.all {
			if !MatchKind(kinds, o.APIVersion, o.Kind) {
				continue
			}
			if lbl, ok := of(o); ok {
				items = append(items, Labeled{Object: o, Labels: lbl})
			}
		}
		return NewLabelIndex(items, func(l Labeled) string {
			if scope != nil {
				return ScopedNS(scope(l.Object), l.Object.Namespace)
			}
			return EffectiveNamespace(l.Object)
		})
	}).(*LabelIndex)
}

// NewLabelIndex indexes items by their labels within the namespace key
// that ns gives each (EffectiveNamespace of the object, or a ScopedNS).
func NewLabelIndex(items []Labeled, ns func(Labeled) string) *LabelIndex {
	li := &LabelIndex{byNS: map[string][]Labeled{}, byLabel: map[labelKey][]Labeled{}}
	for _, l := range items {
		n := ns(l)
		li.byNS[n] = append(li.byNS[n], l)
		for k, v := range l.Labels {
			li.byLabel[labelKey{n, k, v}] = append(li.byLabel[labelKey{n, k, v}], l)
		}
	}
	return li
}

type labelIndexKey string

// ScopedNS is the key of a namespace within a scope, for a LabelIndex
// built with one.
func ScopedNS(scope, namespace string) string {
	if namespace == "" {
		namespace = "default"
	}
	return scope + "\x00" + namespace
}

// Any reports whether the namespace ("" meaning default) has an indexed
// object.
func (li *LabelIndex) Any(namespace string) bool {
	if namespace == "" {
		namespace = "default"
	}
	return len(li.byNS[namespace]) > 0
}

// In returns the indexed objects of the namespace, in index order.
func (li *LabelIndex) In(namespace string) []Labeled {
	if namespace == "" {
		namespace = "default"
	}
	return li.byNS[namespace]
}

// Select returns the indexed objects of the namespace whose labels sel
// matches; eq, when not empty, are equalities sel requires (a
// matchLabels), which narrow the candidates to one label's objects.
func (li *LabelIndex) Select(namespace string, sel labels.Selector, eq map[string]string) []Labeled {
	return li.SelectFunc(namespace, eq, func(c Labeled) bool { return sel.Matches(labels.Set(c.Labels)) })
}

// SelectFunc returns the indexed objects of the namespace that match
// accepts, among those with the labels eq (when not empty: equalities
// match requires).
func (li *LabelIndex) SelectFunc(namespace string, eq map[string]string, match func(Labeled) bool) []Labeled {
	if namespace == "" {
		namespace = "default"
	}
	cands := li.byNS[namespace]
	for k, v := range eq {
		if c := li.byLabel[labelKey{namespace, k, v}]; len(c) < len(cands) {
			cands = c
		}
	}
	var out []Labeled
	for _, c := range cands {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}
