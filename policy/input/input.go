// Package input builds a policy's input from a loaded manifest: OPA's
// ast.Value of an object or document, the value
// ast.InterfaceToValue(o.Raw()) gives, built from the node tree directly.
// It is the Rego side's view of manifest's model, kept here so that the
// loader does not depend on OPA; scalars and keys are read through
// manifest (ScalarValue, KeyString), so there is one reading of YAML.
package input

import (
	"github.com/open-policy-agent/opa/v1/ast"
	yaml "go.yaml.in/yaml/v3"

	"github.com/kvetdev/kvet/manifest"
)

// objectValue keeps each object's value once built.
var objectValue = manifest.NewMemo[ast.Value]()

// Object returns the object as OPA's input value. Building Raw's maps only
// to convert them again took about a sixth of each workload's policy
// evaluation on the corpus; building the value directly saves about
// 115,000 instructions per workload (callgrind). It is built on first use
// and kept with the object, like Raw. Safe for concurrent use; the value
// must not be modified.
func Object(o *manifest.Object) ast.Value {
	return objectValue.Get(o, buildObject)
}

func buildObject(o *manifest.Object) ast.Value {
	if o.Node == nil {
		return ast.NewObject()
	}
	if !o.UniqueKeys() {
		// A key written twice keeps its last value in Raw's map;
		// ast.NewObject takes keys known to be distinct.
		v, err := ast.InterfaceToValue(o.Raw())
		if err != nil {
			return ast.NewObject()
		}
		return v
	}
	v := valueOf(o, o.Node)
	if _, ok := v.(ast.Object); !ok {
		return ast.NewObject() // as Raw: an object that is not a mapping has no raw view
	}
	return v
}

// Document returns a document of any shape (kvet test's input) as OPA's
// input value: the value ast.InterfaceToValue(d.Value()) gives, built from
// the node tree directly. It is not kept: each document is evaluated once.
func Document(d *manifest.Document) ast.Value {
	if !d.UniqueKeys() {
		v, err := ast.InterfaceToValue(d.Value())
		if err != nil {
			return ast.NullValue
		}
		return v
	}
	return valueOf(d, d.Node)
}

// rawOf is what valueOf needs of an object or document: the raw view of
// one of its nodes.
type rawOf interface {
	RawOf(n *yaml.Node) any
}

// valueOf converts n as the raw view would, then ast.InterfaceToValue,
// for a document without repeated keys. A mapping with merge keys (<<) is
// left to the raw view itself, whose rules for what a merge brings in (and
// which keys it may repeat) it would otherwise restate.
func valueOf(src rawOf, n *yaml.Node) ast.Value {
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return ast.NullValue
		}
		return valueOf(src, n.Alias)
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return valueOf(src, n.Content[0])
		}
		return ast.NullValue
	case yaml.ScalarNode:
		v, err := ast.InterfaceToValue(manifest.ScalarValue(n))
		if err != nil { // ScalarValue gives only JSON types
			return ast.NullValue
		}
		return v
	case yaml.SequenceNode:
		terms := make([]ast.Term, len(n.Content))
		elems := make([]*ast.Term, len(n.Content))
		for i, c := range n.Content {
			terms[i].Value = valueOf(src, c)
			elems[i] = &terms[i]
		}
		return ast.NewArray(elems...)
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			if n.Content[i].Tag == "!!merge" {
				v, err := ast.InterfaceToValue(src.RawOf(n))
				if err != nil {
					return ast.NullValue
				}
				return v
			}
		}
		pairs := len(n.Content) / 2
		terms := make([]ast.Term, 2*pairs)
		tuples := make([][2]*ast.Term, pairs)
		for i := range pairs {
			k, v := &terms[2*i], &terms[2*i+1]
			k.Value = ast.String(manifest.KeyString(n.Content[2*i]))
			v.Value = valueOf(src, n.Content[2*i+1])
			tuples[i] = [2]*ast.Term{k, v}
		}
		return ast.NewObject(tuples...)
	}
	return ast.NullValue
}
