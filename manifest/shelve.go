package manifest

import (
	"bytes"

	yaml "go.yaml.in/yaml/v3"
)

// Shelve lets go of the object's node tree, as DropTree does, but keeps
// the object's own lines, so that Unshelve can parse them again when a
// finding needs a position: for an object that cross-object rules check
// at the end of a run through its typed value only (a Service whose
// selector is matched against the run's pods). On 100,000 documents the
// trees of the Services, PodDisruptionBudgets and NetworkPolicies kept
// for those rules were 105 MB. It reports false, and keeps the tree, when
// the lines alone would not parse back into the same tree: an item of a
// List, a flow mapping, a mapping not starting at column 1.
func (o *Object) Shelve() bool {
	n := o.Node
	if n == nil || o.shelved || o.Item >= 0 || o.Source == nil || n.Kind != yaml.MappingNode ||
		n.Style&yaml.FlowStyle != 0 || n.Column != 1 || len(n.Content) == 0 {
		return false
	}
	last := o.LastLine()
	src := o.Source.Excerpt(n.Line, last)
	if len(src.Data) == 0 {
		return false
	}
	o.DropTree()
	o.Source = src
	o.shelved = true
	return true
}

// Unshelve parses a shelved object's lines again into its node tree,
// with the lines of the file, so that Locate finds its fields. It does
// nothing for an object that is not shelved. Not safe for concurrent use
// with readers of the object's tree.
func (o *Object) Unshelve() {
	if !o.shelved {
		return
	}
	o.shelved = false
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(o.Source.Data)).Decode(&doc); err != nil ||
		len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return // the lines parsed once; keep the position of the first
	}
	root := doc.Content[0]
	shiftLines(root, o.Source.firstLine, 0)
	if root.Line != o.Node.Line || root.Column != o.Node.Column {
		return
	}
	o.Node = root
}

// Ident is an object's identity and place, without the object: what a
// summary keeps to name an object in messages and related places.
type Ident struct {
	APIVersion, Kind, Namespace, Name string
	Path                              string
	Line, Column                      int32
}

// Ident returns o's identity and place.
func (o *Object) Ident() Ident {
	id := Ident{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}
	if o.Source != nil {
		id.Path = o.Source.Path
	}
	pos := o.Pos()
	id.Line, id.Column = int32(pos.Line), int32(pos.Column)
	return id
}

// Object returns a new object with the identity and place only (no
// tree, typed value or source lines), for messages and related places
// that take an object.
func (id Ident) Object() *Object {
	return &Object{Item: -1, APIVersion: id.APIVersion, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name,
		Source: &Source{Path: id.Path}, Node: &yaml.Node{Kind: yaml.MappingNode, Line: int(id.Line), Column: int(id.Column)}}
}
