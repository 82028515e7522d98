package manifest

import (
	"fmt"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// builder turns a YAML node tree into plain Go values (the raw view),
// reporting duplicate keys and enforcing the limits. With scan set it only
// checks: it walks the tree as building would (aliases and merge keys
// expanded, so the limits count the same nodes) but allocates no values,
// and value returns nil. Loading scans every document; the raw view of an
// object is built only when something asks for it (Object.Raw).
type builder struct {
	src       *Source
	limits    Limits
	docIndex  int
	nodes     int
	scan      bool
	exhausted bool
	problems  []Problem
	// alias is the outermost alias being expanded, where a limit hit
	// inside an expansion is reported.
	alias *yaml.Node
	// path is where the walk is, for problems.
	path pathStack
}

func (b *builder) fail(n *yaml.Node, msg, help string) {
	b.exhausted = true
	if b.alias != nil {
		n = b.alias
	}
	b.problems = append(b.problems, Problem{
		Code: CodeLimit, Source: b.src, Pos: nodePos(n), Path: b.path.Path(), DocIndex: b.docIndex,
		Message: msg, Help: help,
	})
}

func (b *builder) value(n *yaml.Node, depth int) any {
	if b.exhausted {
		return nil
	}
	b.nodes++
	if b.nodes > b.limits.MaxNodes {
		b.fail(n, fmt.Sprintf("document expands to more than %d YAML nodes (an alias bomb?)", b.limits.MaxNodes),
			"remove the repeated aliases, or raise the limit with --max-nodes")
		return nil
	}
	if depth > b.limits.MaxDepth {
		b.fail(n, fmt.Sprintf("document is nested deeper than %d levels", b.limits.MaxDepth),
			"flatten the document, or raise the limit with --max-depth")
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil
		}
		if b.alias == nil {
			b.alias = n
			defer func() { b.alias = nil }()
		}
		return b.value(n.Alias, depth+1)
	case yaml.MappingNode:
		if b.scan {
			b.scanMapping(n, depth)
			return nil
		}
		m := make(map[string]any, len(n.Content)/2)
		var explicit map[string]*yaml.Node // only built when a key repeats or merges happen
		merged := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merged = true
				b.merge(m, v, depth)
				continue
			}
			key := keyString(k)
			b.path.field(key)
			if _, dup := m[key]; dup {
				if explicit == nil {
					explicit = firstKeys(n, i)
				}
				if first, ok := explicit[key]; ok {
					b.duplicate(k, first, key)
				}
			} else if merged && explicit != nil {
				explicit[key] = k
			}
			m[key] = b.value(v, depth+1)
			b.path.pop()
		}
		return m
	case yaml.SequenceNode:
		if b.scan {
			for i, c := range n.Content {
				b.path.item(i)
				b.value(c, depth+1)
				b.path.pop()
			}
			return nil
		}
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			b.path.item(i)
			s[i] = b.value(c, depth+1)
			b.path.pop()
		}
		return s
	case yaml.ScalarNode:
		if b.scan {
			return nil
		}
		return scalarValue(n)
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return b.value(n.Content[0], depth)
		}
	}
	return nil
}

// duplicate reports key k, at the current path, written again after first.
func (b *builder) duplicate(k, first *yaml.Node, key string) {
	b.problems = append(b.problems, Problem{
		Code: CodeDuplicateKey, Source: b.src, Pos: nodePos(k), Path: b.path.Path(), DocIndex: b.docIndex,
		Message: fmt.Sprintf("duplicate key %q: already defined at line %d", key, first.Line),
		Help:    "remove one of them; kubectl rejects a mapping with the same key twice",
	})
}

// smallMapping is the size up to which scanMapping finds a repeated key by
// comparing with the keys before it rather than with a set.
const smallMapping = 16

// scanMapping is value's mapping case in scan mode: the same walk and the
// same duplicate-key problems (a key written twice, not one a merge key
// brought in), without building the map.
func (b *builder) scanMapping(n *yaml.Node, depth int) {
	var seen map[string]*yaml.Node
	if len(n.Content) > 2*smallMapping {
		seen = make(map[string]*yaml.Node, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			b.merge(nil, v, depth)
			continue
		}
		if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
			if b.badKey(k) {
				return
			}
		}
		key := keyString(k)
		var first *yaml.Node
		if seen != nil {
			if first = seen[key]; first == nil {
				seen[key] = k
			}
		} else {
			for j := 0; j < i; j += 2 {
				if kj := n.Content[j]; kj.Tag != "!!merge" && keyString(kj) == key {
					first = kj
					break
				}
			}
		}
		b.path.field(key)
		if first != nil {
			b.duplicate(k, first, key)
		}
		b.value(v, depth+1)
		b.path.pop()
	}
}

// firstKeys maps each key written explicitly before index end to its node.
func firstKeys(n *yaml.Node, end int) map[string]*yaml.Node {
	out := make(map[string]*yaml.Node)
	for i := 0; i < end; i += 2 {
		k := n.Content[i]
		if k.Tag == "!!merge" {
			continue
		}
		if _, ok := out[keyString(k)]; !ok {
			out[keyString(k)] = k
		}
	}
	return out
}

// merge brings the keys of a merge key's value (<<) into m: a mapping,
// or a list of mappings (earlier ones win), aliases followed. Every node
// it visits counts towards MaxNodes. Anything else (a scalar, a list of
// lists) is an error, as kubectl's reader (yaml.v2) says: following
// nested lists of aliases would expand without bound.
func (b *builder) merge(m map[string]any, v *yaml.Node, depth int) {
	r := resolveAlias(v)
	switch r.Kind {
	case yaml.MappingNode:
		b.mergeMapping(m, r, depth)
	case yaml.SequenceNode:
		b.nodes++
		for _, c := range r.Content {
			if b.exhausted {
				return
			}
			if rc := resolveAlias(c); rc.Kind == yaml.MappingNode {
				b.mergeMapping(m, rc, depth+1)
				continue
			}
			b.badMerge(c, "a list holding "+describeNode(resolveAlias(c)))
			return
		}
	default:
		b.badMerge(v, describeNode(r))
	}
}

func (b *builder) mergeMapping(m map[string]any, v *yaml.Node, depth int) {
	if mm, ok := b.value(v, depth+1).(map[string]any); ok {
		for k, x := range mm {
			if _, exists := m[k]; !exists {
				m[k] = x
			}
		}
	}
}

// badKey reports a mapping key kubectl cannot turn into a JSON key: a
// list or a mapping (? [a, b] : c), or null (~); the document is not read
// further. It returns false for a key that is fine after all (an alias
// of a string).
func (b *builder) badKey(k *yaml.Node) bool {
	r := resolveAlias(k)
	var msg, help string
	switch {
	case r.Kind == yaml.ScalarNode && r.ShortTag() != "!!null":
		return false
	case r.Kind == yaml.ScalarNode:
		msg = fmt.Sprintf("the key %s is null; kubectl rejects a null key (unsupported map key of type <nil>)", strconv.Quote(r.Value))
		help = fmt.Sprintf("quote the key ('%s') if it is a name, or remove the entry", r.Value)
	default:
		msg = fmt.Sprintf("a mapping key must be a string, not %s; kubectl rejects it (invalid map key)", describeNode(r))
		help = "write the key as a string; a key that is a list or mapping (? [a, b] : c) has no JSON form"
	}
	if !b.exhausted {
		b.exhausted = true
		b.problems = append(b.problems, Problem{
			Code: CodeSyntax, Source: b.src, Pos: nodePos(k), Path: b.path.Path(), DocIndex: b.docIndex,
			Message: msg, Help: help,
		})
	}
	return true
}

// badMerge reports a merge key whose value is not a mapping or a list of
// mappings; the document is not read further.
func (b *builder) badMerge(n *yaml.Node, what string) {
	if b.exhausted {
		return
	}
	b.exhausted = true
	b.problems = append(b.problems, Problem{
		Code: CodeSyntax, Source: b.src, Pos: nodePos(n), Path: b.path.Path(), DocIndex: b.docIndex,
		Message: "merge key (<<) value is " + what + ", not a mapping or a list of mappings; kubectl rejects it (map merge requires map or sequence of maps as the value)",
		Help:    "merge a mapping (<<: *defaults) or a list of mappings (<<: [*base, *extra])",
	})
}

// KeyString returns a mapping key as the raw view has it: the string JSON
// would use.
func KeyString(k *yaml.Node) string { return keyString(k) }

// keyString renders a mapping key as the string JSON would use.
func keyString(k *yaml.Node) string {
	k = resolveAlias(k)
	if k.Kind == yaml.ScalarNode {
		return k.Value
	}
	return fmt.Sprint(k.Value)
}

// ScalarValue returns a scalar node's value as the raw view has it:
// resolved as kubectl resolves it (YAML 1.1, see yaml11.go) into a string,
// int64, float64, bool or nil. Views of an object built from its node tree
// read scalars through it, so that there is one reading of YAML.
func ScalarValue(n *yaml.Node) any { return scalarValue(n) }

// scalarValue resolves a scalar as kubectl does (YAML 1.1, see
// yaml11.go) into the types unstructured Kubernetes objects use: string,
// int64, float64, bool or nil.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!str":
		if b, ok := yaml11Bool(n); ok {
			return b
		}
		return n.Value
	case "!!binary", "!!timestamp":
		return n.Value
	case "!!null":
		return nil
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
		var v bool
		if n.Decode(&v) == nil {
			return v
		}
		return n.Value
	case "!!int":
		if v, ok := yaml11Int(n.Value); ok {
			return v
		}
		return n.Value
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
		return n.Value
	}
	return n.Value
}
