package admission

import (
	"cmp"
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/predicates/namespace"
)

// bindingIndex finds the bindings that may match an object without
// asking the plugin's matcher about every binding of every policy: a
// repository that binds its policies per team or per environment, each
// binding selecting its own objects or namespaces by a label, would
// otherwise run every object through every binding (and every policy
// that has one), work that grows with objects times bindings.
//
// A binding whose matchResources' objectSelector has matchLabels is
// filed under one of them (key=value): the matcher answers "no match",
// without error, for an object without that label, whatever else the
// binding says (matching.Matcher.Matches returns at the object selector
// before it looks at resources or at the namespace selector's error). A
// binding with no such objectSelector but a namespaceSelector with
// matchLabels is filed under one of those: no match for an object whose
// namespace (as the matcher finds it: the Namespace of the run, or one
// with only its name label) lacks the label; a cluster-scoped object's
// request ignores namespace selectors, and meets them all. Every other
// binding (no matchResources, selectors the matcher cannot parse, only
// matchExpressions) may match anything. The matcher still judges every
// binding the index lets through.
type bindingIndex struct {
	// keyed: some binding is filed under a label; else every binding
	// may match every object, and Evaluate does not use the index.
	keyed bool
	// open are the bindings that may match any object.
	open []bindingRef
	// byLabel are the bindings whose objectSelector requires a label.
	byLabel map[labelPair][]bindingRef
	// byNamespaceLabel are the bindings whose namespaceSelector requires
	// a label of the object's namespace; namespaceKeyed lists them all.
	byNamespaceLabel map[labelPair][]bindingRef
	namespaceKeyed   []bindingRef
}

// bindingRef is binding b of hook h (indexes into Policies.hooks and
// hook.bindings, whose order the decisions follow).
type bindingRef struct{ hook, binding int32 }

type labelPair struct{ key, value string }

func newBindingIndex(hooks []*hook) bindingIndex {
	var ix bindingIndex
	for hi, h := range hooks {
		for bi, b := range h.bindings {
			ref := bindingRef{int32(hi), int32(bi)}
			mr := b.Spec.MatchResources
			switch {
			case mr == nil || mr.ObjectSelector == nil || mr.NamespaceSelector == nil || !selectorsParse(mr):
				ix.open = append(ix.open, ref)
			case len(mr.ObjectSelector.MatchLabels) > 0:
				if ix.byLabel == nil {
					ix.byLabel = map[labelPair][]bindingRef{}
				}
				l := firstLabel(mr.ObjectSelector.MatchLabels)
				ix.byLabel[l] = append(ix.byLabel[l], ref)
				ix.keyed = true
			case len(mr.NamespaceSelector.MatchLabels) > 0:
				if ix.byNamespaceLabel == nil {
					ix.byNamespaceLabel = map[labelPair][]bindingRef{}
				}
				l := firstLabel(mr.NamespaceSelector.MatchLabels)
				ix.byNamespaceLabel[l] = append(ix.byNamespaceLabel[l], ref)
				ix.namespaceKeyed = append(ix.namespaceKeyed, ref)
				ix.keyed = true
			default:
				ix.open = append(ix.open, ref)
			}
		}
	}
	return ix
}

// firstLabel is the least key of labels, and its value.
func firstLabel(labels map[string]string) labelPair {
	first := true
	var l labelPair
	for k, v := range labels {
		if first || k < l.key {
			l, first = labelPair{k, v}, false
		}
	}
	return l
}

// selectorsParse reports whether mr's selectors, when set, are ones the
// matcher can parse (it reports an error for the others).
func selectorsParse(mr *admissionregistrationv1.MatchResources) bool {
	if mr == nil {
		return false
	}
	for _, s := range []*metav1.LabelSelector{mr.ObjectSelector, mr.NamespaceSelector} {
		if s == nil {
			return false
		}
		if _, err := metav1.LabelSelectorAsSelector(s); err != nil {
			return false
		}
	}
	return true
}

// candidates returns the bindings that may match the request attr, in
// hook and binding order; nsLabels gives the labels of its namespace as
// the matcher sees them (false: unknown, and every namespace-keyed
// binding is a candidate).
func (ix *bindingIndex) candidates(attr admission.Attributes, nsLabels func(admission.Attributes) (map[string]string, bool)) []bindingRef {
	out := slices.Clone(ix.open)
	if len(ix.byLabel) > 0 {
		if acc, err := meta.Accessor(attr.GetObject()); err == nil {
			for k, v := range acc.GetLabels() {
				out = append(out, ix.byLabel[labelPair{k, v}]...)
			}
		}
	}
	if len(ix.namespaceKeyed) > 0 {
		if attr.GetNamespace() == "" && attr.GetResource().Resource != "namespaces" {
			// A cluster-scoped object: namespace selectors do not apply.
			out = append(out, ix.namespaceKeyed...)
		} else if labels, ok := nsLabels(attr); !ok {
			out = append(out, ix.namespaceKeyed...)
		} else {
			for k, v := range labels {
				out = append(out, ix.byNamespaceLabel[labelPair{k, v}]...)
			}
		}
	}
	slices.SortFunc(out, func(a, b bindingRef) int {
		if c := cmp.Compare(a.hook, b.hook); c != 0 {
			return c
		}
		return cmp.Compare(a.binding, b.binding)
	})
	return out
}

// namespaceLabels are the labels of the request's namespace as the
// plugin's namespace matcher reads them (for a Namespace's own request,
// the object's labels).
func (ps *Policies) namespaceLabels(attr admission.Attributes) (map[string]string, bool) {
	m := namespace.Matcher{NamespaceLister: namespaceLister{ps.namespaces}}
	labels, err := m.GetNamespaceLabels(attr)
	return labels, err == nil
}
