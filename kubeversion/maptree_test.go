package kubeversion

import (
	"strings"

	"github.com/kvetdev/kvet/manifest"
)

// MapTree is a Tree over plain decoded values, the reference the tests
// hold kvet's node search to: maps may be map[string]any or map[any]any,
// lists []any or []map[string]any.
type MapTree map[string]any

// Each implements Tree.
func (m MapTree) Each(pattern string, found func(path manifest.Path)) {
	walk(map[string]any(m), splitPath(pattern), nil, found)
}

// segment is one step of a path: a map key, optionally followed by [*].
type segment struct {
	key  string
	list bool
}

func splitPath(p string) []segment {
	parts := strings.Split(p, ".")
	segs := make([]segment, len(parts))
	for i, part := range parts {
		key, isList := strings.CutSuffix(part, "[*]")
		segs[i] = segment{key: key, list: isList}
	}
	return segs
}

// walk follows segs through node and calls found with the concrete path of
// every non-null value at the end.
func walk(node any, segs []segment, prefix manifest.Path, found func(manifest.Path)) {
	if len(segs) == 0 {
		found(prefix)
		return
	}
	val, ok := lookup(node, segs[0].key)
	if !ok || val == nil {
		return
	}
	path := prefix.Field(segs[0].key)
	if !segs[0].list {
		walk(val, segs[1:], path, found)
		return
	}
	items, ok := val.([]any)
	if !ok {
		if maps, isMaps := val.([]map[string]any); isMaps {
			for i, m := range maps {
				walkItem(m, segs[1:], path.Item(i), found)
			}
		}
		return
	}
	for i, item := range items {
		walkItem(item, segs[1:], path.Item(i), found)
	}
}

func walkItem(item any, segs []segment, path manifest.Path, found func(manifest.Path)) {
	if item == nil {
		return
	}
	walk(item, segs, path, found)
}

// lookup returns node[key] for the map types YAML decoders produce.
func lookup(node any, key string) (any, bool) {
	switch m := node.(type) {
	case map[string]any:
		v, ok := m[key]
		return v, ok
	case map[any]any:
		v, ok := m[key]
		return v, ok
	}
	return nil, false
}
