package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Limits bound the work one document may cause, so that hostile input
// (alias bombs, absurd nesting) is reported instead of exhausting memory.
type Limits struct {
	// MaxNodes is the most YAML nodes one document may expand to, aliases
	// expanded (default 1,000,000).
	MaxNodes int
	// MaxDepth is the deepest nesting allowed (default 200).
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxNodes <= 0 {
		l.MaxNodes = 1_000_000
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 200
	}
	return l
}

// Parsed is what one source yields.
type Parsed struct {
	Objects  []*Object
	Problems []Problem
	// Documents counts the non-empty documents seen, broken ones included.
	Documents int
	// Docs are the documents, with ParseDocuments only.
	Docs []*Document
	// Last is set on a file's last batch, with ParseDocuments only.
	Last bool
}

// parserProblems are yaml.v3's parser (not scanner) messages; see
// parserc.go. Their line is 0-based and names where the enclosing
// collection starts.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

var errLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse splits src into documents, builds objects and reports problems.
// A broken document is reported and parsing resumes at the next document
// marker, so one bad document never hides the others.
func Parse(src *Source, limits Limits) Parsed {
	var all Parsed
	ParseEach(src, limits, func(p Parsed) {
		all.Objects = append(all.Objects, p.Objects...)
		all.Problems = append(all.Problems, p.Problems...)
		all.Documents += p.Documents
	})
	return all
}

// batch is how many documents ParseEach hands over at once: small enough
// that a file of 50,000 documents never has more than this many node
// trees alive, large enough to keep the hand-over cheap.
const batch = 64

// ParseEach is Parse handing over what it finds in batches of documents
// as it goes, so that a huge file never has all its node trees in memory.
func ParseEach(src *Source, limits Limits, fn func(Parsed)) {
	limits = limits.withDefaults()
	out := &flusher{fn: fn}
	defer out.flush()
	out.parse(src, limits)
}

// flusher accumulates a batch of documents and hands it over.
type flusher struct {
	Parsed
	fn        func(Parsed)
	docs      int
	documents bool // ParseDocuments: keep every document, build no objects
}

// final hands over the last batch; with ParseDocuments, even an empty one.
func (f *flusher) final() {
	if f.documents {
		f.Last = true
		f.fn(f.Parsed)
		f.Parsed = Parsed{}
		return
	}
	f.flush()
}

func (f *flusher) flush() {
	if f.Documents > 0 || len(f.Objects) > 0 || len(f.Problems) > 0 {
		f.fn(f.Parsed)
	}
	f.Parsed, f.docs = Parsed{}, 0
}

// document marks the end of one document; every batch-th, the batch goes.
func (f *flusher) document() {
	if f.docs++; f.docs >= batch {
		f.flush()
	}
}

func (out *flusher) parse(src *Source, limits Limits) {
	if i := bytes.IndexByte(src.Data, 0); i >= 0 {
		line := 1 + bytes.Count(src.Data[:i], []byte{'\n'})
		out.Problems = append(out.Problems, Problem{
			Code: CodeSyntax, Source: src, Pos: Position{Line: line, Column: 1},
			Message: "file contains a NUL byte: it is binary, not YAML or JSON",
			Help:    "lint only YAML and JSON manifests; exclude this file",
		})
		out.Documents++
		return
	}
	data := src.Data
	if bad := invalidUTF8(data); bad >= 0 {
		line := 1 + bytes.Count(data[:bad], []byte{'\n'})
		col := 1 + utf8.RuneCount(data[bytes.LastIndexByte(data[:bad], '\n')+1:bad])
		out.Problems = append(out.Problems, Problem{
			Code: CodeSyntax, Source: src, Pos: Position{Line: line, Column: col},
			Message: fmt.Sprintf("invalid UTF-8 byte 0x%02x", data[bad]),
			Help:    "save the file as UTF-8; kubectl rejects other encodings",
		})
		// Check the rest anyway, with the bad bytes replaced.
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	offset, lineBase, docIndex := 0, 0, 0
	lastGood := 0 // line where the last good document's content started
	for offset <= len(data) {
		dec := yaml.NewDecoder(bytes.NewReader(data[offset:]))
		resumed := false
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				line, msg := 0, err.Error()
				if m := errLine.FindStringSubmatch(msg); m != nil {
					line, _ = strconv.Atoi(m[1])
					msg = m[2]
					if parserProblems[msg] {
						// yaml.v3 reports parser (not scanner) errors with a
						// 0-based line: that of the enclosing collection.
						line++
					}
				} else {
					msg = strings.TrimPrefix(msg, "yaml: ")
				}
				if line > 0 {
					line += lineBase
				} else {
					line = lastGood + 1
				}
				out.Documents++
				out.Problems = append(out.Problems, Problem{
					Code: CodeSyntax, Source: src, Pos: Position{Line: line, Column: 1}, DocIndex: docIndex,
					Message: "YAML syntax error: " + msg,
					Help:    "fix the syntax of this document; the other documents in the file are still checked",
				})
				docIndex++
				out.document()
				nextOff, nextLine := nextDocument(data, max(lastGood, lineBase+1), line)
				if nextOff <= offset {
					return
				}
				offset, lineBase = nextOff, nextLine-1
				resumed = true
				break
			}
			if lineBase > 0 {
				shiftLines(&doc, lineBase, 0)
			}
			if len(doc.Content) > 0 {
				lastGood = doc.Content[0].Line
			}
			if out.documents {
				out.addRawDocument(src, &doc, docIndex, limits)
			} else {
				out.addDocument(src, &doc, docIndex, limits)
			}
			out.document()
			docIndex++
		}
		if !resumed {
			return
		}
	}
}

// nextDocument finds where parsing can resume after a syntax error at
// errLine: the first document marker (--- at column 0) after the start of
// the broken document. It returns the byte offset and 1-based line of
// that marker, or -1.
func nextDocument(data []byte, lastGood, errLine int) (int, int) {
	type marker struct{ off, line int }
	var markers []marker
	line, off := 1, 0
	for off < len(data) {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		l := data[off:next]
		if bytes.HasPrefix(l, []byte("---")) && (len(l) == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\n' || l[3] == '\r') {
			markers = append(markers, marker{off, line})
		}
		off = next
		line++
	}
	brokenStart := lastGood
	for _, m := range markers {
		if m.line > lastGood && m.line <= errLine {
			brokenStart = m.line
		}
	}
	for _, m := range markers {
		if m.line > brokenStart && m.line >= errLine {
			return m.off, m.line
		}
	}
	return -1, 0
}

// invalidUTF8 returns the offset of the first byte that is not valid
// UTF-8, or -1. UTF-16 input (with a byte order mark) is left to the YAML
// reader, which decodes it.
func invalidUTF8(data []byte) int {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) || utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func shiftLines(n *yaml.Node, by, depth int) {
	if n == nil || depth > 10000 {
		return
	}
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by, depth+1)
	}
}

func (out *Parsed) addDocument(src *Source, doc *yaml.Node, docIndex int, limits Limits) {
	if len(doc.Content) == 0 {
		return
	}
	root := resolveAlias(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return // empty or comment-only document
	}
	out.Documents++
	problem := func(n *yaml.Node, path, msg, help string) {
		out.Problems = append(out.Problems, Problem{
			Code: CodeInvalidObject, Source: src, Pos: nodePos(n), Path: path, DocIndex: docIndex,
			Message: msg, Help: help,
		})
	}
	if root.Kind != yaml.MappingNode {
		problem(root, "", fmt.Sprintf("document is %s, not a Kubernetes object", describeNode(root)),
			"a manifest document must be a mapping with apiVersion, kind and metadata")
		return
	}
	b := builder{src: src, limits: limits, docIndex: docIndex, scan: true}
	b.value(root, 0)
	out.Problems = append(out.Problems, b.problems...)
	if b.exhausted {
		return
	}
	unique := true // no mapping of the document writes a key twice
	for _, p := range b.problems {
		unique = unique && p.Code != CodeDuplicateKey
	}
	if _, items := mappingLookup(root, "items"); items != nil && strings.HasSuffix(stringAt(root, "kind"), "List") {
		if items = resolveAlias(items); items.Kind == yaml.SequenceNode {
			for i, it := range items.Content {
				n := resolveAlias(it)
				if n.Kind != yaml.MappingNode {
					problem(n, fmt.Sprintf("items[%d]", i), fmt.Sprintf("list item is %s, not a Kubernetes object", describeNode(n)),
						"each item of a List must be an object with apiVersion and kind")
					continue
				}
				out.addObject(src, n, docIndex, i, limits, fmt.Sprintf("items[%d].", i), unique)
			}
			return
		}
	}
	out.addObject(src, root, docIndex, -1, limits, "", unique)
}

// stringAt returns the string scalar at keys below n, or "".
func stringAt(n *yaml.Node, keys ...string) string {
	s, _ := scalarAt(n, keys...).(string)
	return s
}

func (out *Parsed) addObject(src *Source, n *yaml.Node, docIndex, item int, limits Limits, prefix string, uniqueKeys bool) {
	o := &Object{Source: src, DocIndex: docIndex, Item: item, Node: n, limits: limits, uniqueKeys: uniqueKeys}
	o.APIVersion = stringAt(n, "apiVersion")
	o.Kind = stringAt(n, "kind")
	o.Name = stringAt(n, "metadata", "name")
	o.Namespace = stringAt(n, "metadata", "namespace")
	if o.Name == "" {
		o.Name = stringAt(n, "metadata", "generateName")
	}
	var missing []string
	if o.APIVersion == "" {
		missing = append(missing, "apiVersion")
	}
	if o.Kind == "" {
		missing = append(missing, "kind")
	}
	if len(missing) > 0 {
		out.Problems = append(out.Problems, Problem{
			Code: CodeInvalidObject, Source: src, Pos: o.Pos(), DocIndex: docIndex, Path: strings.TrimSuffix(prefix, "."),
			Message: "object has no " + strings.Join(missing, " and "),
			Help:    "every Kubernetes object needs apiVersion and kind, e.g. apiVersion: apps/v1 and kind: Deployment",
		})
		return
	}
	out.Problems = append(out.Problems, decodeTyped(o, limits)...)
	out.Objects = append(out.Objects, o)
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("a scalar (%s)", truncate(n.Value, 40))
	default:
		return "not a mapping"
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
