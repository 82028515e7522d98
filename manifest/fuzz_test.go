package manifest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

func addSeeds(f *testing.F) {
	for _, pattern := range []string{"../rules/testdata/*/*.yaml", "../testdata/lint/*.yaml", "../examples/*/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("---\n- [\n---\nkind: List\nitems: [1, {kind: X}]\n"))
	// Issue 15's shapes: merge keys of lists, control characters read
	// ahead, UTF-16, complex and null keys, a leading document end.
	f.Add([]byte("<<: [&a [x], &b [*a, *a]]\n---\na: {<<: [{b: 1}, 5]}\n"))
	f.Add([]byte("a: b\n---\nc: \"\x1b\"\n---\nd: \x7f\n"))
	f.Add([]byte("\xff\xfea\x00:\x00 \x00b\x00\n\x00"))
	f.Add([]byte("...\n? [a, b]\n: c\n~: d\n"))
}

// FuzzParse: the loader never panics, whatever the bytes, and every
// problem and object has a position inside the input.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		src := &Source{Path: "fuzz.yaml", Data: data}
		start := time.Now()
		p := Parse(src, Limits{MaxNodes: 20_000, MaxDepth: 50})
		// A slow input is a failure too: FuzzParse once sat at 0 execs/s
		// for 80 s. Inputs here are a few kilobytes.
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("parsing %d bytes took %v", len(data), d)
		}
		lines := CountLines(data)
		for _, pr := range p.Problems {
			if pr.Pos.Line < 1 || pr.Pos.Line > lines+1 {
				t.Fatalf("problem %q at line %d of a %d-line input", pr.Message, pr.Pos.Line, lines)
			}
		}
		for _, o := range p.Objects {
			if l := o.Pos().Line; l < 1 || l > lines {
				t.Fatalf("object at line %d of a %d-line input", l, lines)
			}
		}
	})
}

// FuzzLocate: for every scalar in a parsed document, locating its path
// finds exactly that node.
func FuzzLocate(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Parse(&Source{Path: "fuzz.yaml", Data: data}, Limits{MaxNodes: 20_000, MaxDepth: 50})
		for _, o := range p.Objects {
			checked := 0
			var walk func(n *yaml.Node, path Path, depth int)
			walk = func(n *yaml.Node, path Path, depth int) {
				if depth > 20 || checked > 200 {
					return
				}
				switch n.Kind {
				case yaml.MappingNode:
					count := map[string]int{}
					for i := 0; i+1 < len(n.Content); i += 2 {
						count[n.Content[i].Value]++
						if n.Content[i].Tag == "!!merge" || n.Content[i].Kind != yaml.ScalarNode {
							return // merges and complex keys: skip this mapping
						}
					}
					for i := 0; i+1 < len(n.Content); i += 2 {
						if k := n.Content[i]; count[k.Value] == 1 {
							walk(n.Content[i+1], path.Field(k.Value), depth+1)
						}
					}
				case yaml.SequenceNode:
					for i, c := range n.Content {
						walk(c, path.Item(i), depth+1)
					}
				case yaml.ScalarNode:
					checked++
					loc := o.Locate(path)
					if !loc.Exact || loc.Node != n {
						t.Fatalf("Locate(%s) = %+v, want the node at %d:%d", path, loc, n.Line, n.Column)
					}
					// The string form parses back to the same path.
					back, err := ParsePath(path.String())
					if err == nil && back.String() != path.String() {
						t.Fatalf("path %q round-trips to %q", path.String(), back.String())
					}
				}
			}
			walk(o.Node, nil, 0)
		}
	})
}
