package manifest

import (
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// Position is a 1-based line and column in a source file.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// IsValid reports whether the position points into a file.
func (p Position) IsValid() bool { return p.Line > 0 }

// Location is where a field path is found in an object's source.
type Location struct {
	// Key is the position of the mapping key (for list items, of the
	// item itself). Value is the position of the value.
	Key, Value Position
	// Found is the longest prefix of the requested path that exists in
	// the source: equal to the requested path when it exists, shorter
	// when the lookup fell back to the nearest parent.
	Found Path
	// Exact reports whether the whole path was found.
	Exact bool
	// Node is the value node at Found; nil for the object root.
	Node *yaml.Node
}

// Locate finds path in the object's source. When the path does not exist
// (a missing field), it falls back to the nearest parent that does.
func (o *Object) Locate(path Path) Location {
	return locate(o.Node, path)
}

// Span is how many columns the text a finding about the location covers:
// a scalar's value (with its quotes), a block collection's key, or, for a
// missing field, its nearest parent's key.
func (l Location) Span() int {
	n := l.Node
	if n == nil {
		return 1
	}
	if !l.Exact || l.blockCollection() {
		if len(l.Found) > 0 {
			return len(l.Found[len(l.Found)-1].Key)
		}
		return 1
	}
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		w := len([]rune(n.Value))
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			w += 2
		}
		return max(w, 1)
	}
	return 1
}

// blockCollection reports whether the location is a block mapping or
// list under a key, whose findings point at the key.
func (l Location) blockCollection() bool {
	n := l.Node
	return n != nil && len(l.Found) > 0 && l.Found[len(l.Found)-1].Key != "" &&
		(n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0
}

func nodePos(n *yaml.Node) Position { return Position{Line: n.Line, Column: n.Column} }

func locate(root *yaml.Node, path Path) Location {
	loc := Location{Key: nodePos(root), Value: nodePos(root), Node: root}
	cur := root
	for i, seg := range path {
		cur = resolveAlias(cur)
		var key, val *yaml.Node
		switch {
		case cur.Kind == yaml.MappingNode && (seg.Key != "" || seg.Index < 0):
			key, val = mappingLookup(cur, seg.Key)
		case cur.Kind == yaml.MappingNode:
			// [123] on a mapping is a key that looks like a number.
			key, val = mappingLookup(cur, strconv.Itoa(seg.Index))
		case cur.Kind == yaml.SequenceNode && seg.Key == "" && seg.Index >= 0 && seg.Index < len(cur.Content):
			val = cur.Content[seg.Index]
			key = val
		}
		if val == nil {
			return loc
		}
		loc.Key, loc.Value, loc.Node = nodePos(key), nodePos(val), val
		loc.Found = path[:i+1]
		cur = val
	}
	loc.Exact = true
	return loc
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// mappingLookup returns the key and value nodes for name in a mapping
// node, following merge keys (<<). The last occurrence wins, as in the
// decoded value.
func mappingLookup(m *yaml.Node, name string) (key, val *yaml.Node) {
	for i := len(m.Content) - 2; i >= 0; i -= 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name && k.Tag != "!!merge" {
			return k, m.Content[i+1]
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Tag == "!!merge" {
			src := resolveAlias(m.Content[i+1])
			srcs := []*yaml.Node{src}
			if src.Kind == yaml.SequenceNode {
				srcs = src.Content // a list of mappings: the first that has it wins
			}
			for _, s := range srcs {
				if s = resolveAlias(s); s.Kind == yaml.MappingNode && s != m {
					if k2, v2 := mappingLookup(s, name); v2 != nil {
						return k2, v2
					}
				}
			}
		}
	}
	return nil, nil
}
