package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Doc is one document of an input file.
type Doc struct {
	Index int // position in the file, from 0
	Line  int // line where the document's content starts, from 1
	Value any // plain Go value: map[string]any, []any, string, int64, float64, bool, nil
	node  *yaml.Node
}

// InputFile is a parsed input file.
type InputFile struct {
	Path string
	Docs []Doc
}

// readInputs reads and parses the given files ("-" is stdin, named stdinName
// in results when set). YAML streams are split by the YAML parser, so "---"
// separators never produce empty documents; JSON is YAML.
//
// This is the single place that knows how inputs are read: kvet's manifest
// loader replaces it later.
func readInputs(paths []string, stdin io.Reader, stdinName string) ([]InputFile, error) {
	out := make([]InputFile, 0, len(paths))
	for _, p := range paths {
		var data []byte
		var err error
		name := p
		if p == "-" {
			if stdin == nil {
				stdin = os.Stdin
			}
			data, err = io.ReadAll(stdin)
			if stdinName != "" {
				name = stdinName
			}
		} else {
			data, err = os.ReadFile(p)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		docs, err := parseDocs(data)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		out = append(out, InputFile{Path: name, Docs: docs})
	}
	return out, nil
}

func parseDocs(data []byte) ([]Doc, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []Doc
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
			continue
		}
		root := n.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // empty document
		}
		v, err := nodeValue(root, 0)
		if err != nil {
			return nil, err
		}
		docs = append(docs, Doc{Index: len(docs), Line: root.Line, Value: v, node: root})
	}
	return docs, nil
}

// nodeValue converts a YAML node to JSON-like Go values. Timestamps and other
// unknown tags stay strings (as a YAML→JSON conversion would give).
func nodeValue(n *yaml.Node, depth int) (any, error) {
	if depth > 1000 {
		return nil, errors.New("document nested too deeply")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0], depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merged, err := nodeValue(v, depth+1)
				if err != nil {
					return nil, err
				}
				addMerge(out, merged)
				continue
			}
			val, err := nodeValue(v, depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			return b, nil
		case "!!int":
			if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
				return i, nil
			}
			var i int64
			if err := n.Decode(&i); err == nil {
				return i, nil
			}
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			return f, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return n.Value, nil
			}
			return f, nil
		default:
			return n.Value, nil
		}
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func addMerge(out map[string]any, merged any) {
	switch m := merged.(type) {
	case map[string]any:
		for k, v := range m {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	case []any:
		for _, e := range m {
			addMerge(out, e)
		}
	}
}

// lineOf returns the line of the node at path inside doc (the deepest node
// found), or the document's line.
func (d Doc) lineOf(path []any) int {
	n := d.node
	if n == nil {
		return d.Line
	}
	line := n.Line
	for _, p := range path {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			key := fmt.Sprint(p)
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					next = n.Content[i+1]
					line = n.Content[i].Line
					break
				}
			}
		case yaml.SequenceNode:
			if i, ok := p.(int); ok && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}
