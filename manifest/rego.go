package manifest

import (
	"github.com/open-policy-agent/opa/v1/ast"
	yaml "go.yaml.in/yaml/v3"
)

// RegoValue returns the object as OPA's input value: the value
// ast.InterfaceToValue(o.Raw()) gives, built from the node tree directly.
// Building Raw's maps only to convert them again took about a sixth of
// each workload's policy evaluation on the corpus; building the value
// directly saves about 115,000 instructions per workload (callgrind). It
// is built on first use and kept, like Raw. Safe for concurrent use; the value
// must not be modified.
func (o *Object) RegoValue() ast.Value {
	o.regoOnce.Do(func() {
		if o.Node == nil {
			o.rego = ast.NewObject()
			return
		}
		if !o.uniqueKeys {
			// A key written twice keeps its last value in Raw's map;
			// ast.NewObject takes keys known to be distinct.
			v, err := ast.InterfaceToValue(o.Raw())
			if err != nil {
				v = ast.NewObject()
			}
			o.rego = v
			return
		}
		o.rego = regoOf(o.Source, o.limits, o.Node)
		if _, ok := o.rego.(ast.Object); !ok {
			o.rego = ast.NewObject() // as Raw: an object that is not a mapping has no raw view
		}
	})
	return o.rego
}

// regoOf converts n as the builder would, then ast.InterfaceToValue,
// for a document without repeated keys. A mapping with merge keys (<<) is
// left to the builder itself, whose rules for what a merge brings in (and
// which keys it may repeat) it would otherwise restate.
func regoOf(src *Source, limits Limits, n *yaml.Node) ast.Value {
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return ast.NullValue
		}
		return regoOf(src, limits, n.Alias)
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return regoOf(src, limits, n.Content[0])
		}
		return ast.NullValue
	case yaml.ScalarNode:
		v, err := ast.InterfaceToValue(scalarValue(n))
		if err != nil { // scalarValue gives only JSON types
			return ast.NullValue
		}
		return v
	case yaml.SequenceNode:
		terms := make([]ast.Term, len(n.Content))
		elems := make([]*ast.Term, len(n.Content))
		for i, c := range n.Content {
			terms[i].Value = regoOf(src, limits, c)
			elems[i] = &terms[i]
		}
		return ast.NewArray(elems...)
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			if n.Content[i].Tag == "!!merge" {
				b := builder{src: src, limits: limits.withDefaults()}
				v, err := ast.InterfaceToValue(b.value(n, 0))
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
			k.Value = ast.String(keyString(n.Content[2*i]))
			v.Value = regoOf(src, limits, n.Content[2*i+1])
			tuples[i] = [2]*ast.Term{k, v}
		}
		return ast.NewObject(tuples...)
	}
	return ast.NullValue
}
