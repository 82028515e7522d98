package manifest

import yaml "go.yaml.in/yaml/v3"

// A Document is one non-empty document of a file, whatever its shape (a
// mapping, a list, a scalar): what `kvet test` evaluates, as conftest does,
// where `kvet lint` only keeps Kubernetes objects. It is handed over when
// parsing with Options.Documents (ParseDocuments), after the same syntax
// recovery, limits and duplicate-key scan as objects.
type Document struct {
	Source *Source
	// Index is the 0-based index of the document in its file.
	Index int
	// Node is the document's root node.
	Node *yaml.Node

	limits     Limits
	uniqueKeys bool
}

// Value returns the document as plain Go values (map[string]any, []any,
// string, int64, float64, bool, nil), as Object.Raw does.
func (d *Document) Value() any {
	b := builder{src: d.Source, limits: d.limits.withDefaults()}
	return b.value(d.Node, 0)
}

// RawOf returns n, the document's root or a node under it, as Value has
// it (see Object.RawOf).
func (d *Document) RawOf(n *yaml.Node) any {
	b := builder{src: d.Source, limits: d.limits.withDefaults()}
	return b.value(n, 0)
}

// UniqueKeys reports whether the loader found no key written twice in the
// document (see Object.UniqueKeys).
func (d *Document) UniqueKeys() bool { return d.uniqueKeys }

// Locate finds path in the document, falling back to the nearest parent
// that exists, as Object.Locate.
func (d *Document) Locate(path Path) Location { return locate(d.Node, path) }

// Pos returns the position of the document's root node.
func (d *Document) Pos() Position { return nodePos(d.Node) }

// ParseDocuments is ParseEach for Documents: every non-empty document is
// handed over in Parsed.Docs (no objects are built, no typed decoding is
// done), and the last batch of the file, empty or not, has Last set.
func ParseDocuments(src *Source, limits Limits, fn func(Parsed)) {
	limits = limits.withDefaults()
	out := &flusher{fn: fn, documents: true}
	defer out.final()
	out.parse(src, limits)
}

// addRawDocument is addDocument for ParseDocuments: the limits and the
// duplicate-key scan run on any root, and the document is kept whatever
// its shape.
func (out *Parsed) addRawDocument(src *Source, doc *yaml.Node, docIndex int, limits Limits) {
	if len(doc.Content) == 0 {
		return
	}
	root := doc.Content[0]
	if r := resolveAlias(root); r.Kind == yaml.ScalarNode && r.ShortTag() == "!!null" {
		return // empty or comment-only document
	}
	out.Documents++
	b := builder{src: src, limits: limits, docIndex: docIndex, scan: true}
	b.value(root, 0)
	out.Problems = append(out.Problems, b.problems...)
	if b.exhausted {
		return
	}
	unique := true
	for _, p := range b.problems {
		unique = unique && p.Code != CodeDuplicateKey
	}
	out.Docs = append(out.Docs, &Document{Source: src, Index: docIndex, Node: root, limits: limits, uniqueKeys: unique})
}
