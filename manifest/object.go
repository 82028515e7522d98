package manifest

import (
	"bytes"
	"encoding/binary"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Source is one input file (or stdin) as read.
type Source struct {
	// Path is the path as the user gave it (or the stdin name).
	Path string
	// Data is the file's content (for an excerpt, only its lines).
	Data []byte
	// Origin, for rendered text (a Helm chart's output), maps its
	// positions back to the files the user edits; nil for a plain file.
	Origin Origin
	// firstLine is the line number of Data's first line, minus one
	// (0 for a whole file).
	firstLine int
	once      sync.Once
	// marks are the offsets where lines 1, 1+lineStride, 1+2*lineStride...
	// start, and nlines the number of lines (one more than the newlines),
	// built on first use: a sparse index, so that a file of millions of
	// lines costs a few hundred kilobytes, not a slice entry per line.
	marks  []int
	nlines int

	hasMu sync.Mutex
	has   map[string]bool

	longMu sync.Mutex
	long   map[int]*longLine // by line (of Data), for Snippet
}

// longLine is where a line longer than longLineMin ends, and where every
// runeStride-th character of it starts: found once, so that the snippets
// of many findings on one minified line cost each a short scan, not one
// from the line's start.
type longLine struct {
	end   int
	marks []int // offsets in the line of characters 0, runeStride, 2*runeStride...
}

const (
	longLineMin = 4096
	runeStride  = 1024
)

// lineAt returns the 1-based line n (1..nlines) of Data without its line
// ending, and its index if it is long.
func (s *Source) lineAt(n int) ([]byte, *longLine) {
	start := s.lineStart(n)
	s.longMu.Lock()
	ll := s.long[n]
	s.longMu.Unlock()
	if ll == nil {
		end := len(s.Data)
		if i := bytes.IndexByte(s.Data[start:], '\n'); i >= 0 {
			end = start + i
		}
		if end-start <= longLineMin {
			return s.Data[start:end], nil
		}
		ll = &longLine{end: end}
		line := s.Data[start:end]
		for i, r := 0, 0; i < len(line); r++ {
			if r%runeStride == 0 {
				ll.marks = append(ll.marks, i)
			}
			if line[i] < utf8.RuneSelf {
				i++
			} else {
				_, size := utf8.DecodeRune(line[i:])
				i += size
			}
		}
		s.longMu.Lock()
		if s.long == nil {
			s.long = map[int]*longLine{}
		}
		s.long[n] = ll
		s.longMu.Unlock()
	}
	return s.Data[start:ll.end], ll
}

// Has reports whether the text occurs anywhere in the source: a cheap
// test, remembered per text, before looking for something in every
// object of a file.
func (s *Source) Has(text string) bool {
	s.hasMu.Lock()
	defer s.hasMu.Unlock()
	if v, ok := s.has[text]; ok {
		return v
	}
	if s.has == nil {
		s.has = map[string]bool{}
	}
	v := bytes.Contains(s.Data, []byte(text))
	s.has[text] = v
	return v
}

const lineStride = 32

// longExcerpt is the mean line length above which Excerpt shares the
// file's data rather than copying it.
const longExcerpt = 1024

// Excerpt returns a Source with only lines first..last of s, which keep
// their numbers: what an object kept until the end of a run needs for
// snippets, without holding on to the whole file.
func (s *Source) Excerpt(first, last int) *Source {
	s.index()
	first -= s.firstLine
	last -= s.firstLine
	if first < 1 || last < first || first > s.nlines {
		return &Source{Path: s.Path, firstLine: s.firstLine, Origin: s.Origin}
	}
	start := s.lineStart(first)
	end := len(s.Data)
	if last < s.nlines {
		end = s.lineStart(last + 1)
	}
	data := s.Data[start:end]
	if 2*len(data) < len(s.Data) && len(data) <= longExcerpt*(last-first+1) {
		// A copy, so as not to keep the whole file alive. An excerpt of
		// most of the file, or of long lines (minified JSON, where every
		// object of the file is on the same line), shares the file's
		// data instead: one copy per object would be quadratic.
		data = append([]byte(nil), data...)
	}
	return &Source{Path: s.Path, Data: data, firstLine: s.firstLine + first - 1, Origin: s.Origin}
}

func (s *Source) index() {
	s.once.Do(func() {
		s.marks = append(make([]int, 0, len(s.Data)/(lineStride*40)+1), 0)
		off, line := 0, 1
		for {
			i := bytes.IndexByte(s.Data[off:], '\n')
			if i < 0 {
				break
			}
			off += i + 1
			if line++; (line-1)%lineStride == 0 {
				s.marks = append(s.marks, off)
			}
		}
		s.nlines = line
	})
}

// lineStart returns the offset where the 1-based line n (1..nlines) of
// Data starts.
func (s *Source) lineStart(n int) int {
	i := (n - 1) / lineStride
	off := s.marks[i]
	for k := i*lineStride + 1; k < n; k++ {
		off += bytes.IndexByte(s.Data[off:], '\n') + 1
	}
	return off
}

// Line returns the text of the 1-based line n without its line ending,
// or "" when n is out of range.
func (s *Source) Line(n int) string {
	if s == nil {
		return ""
	}
	n -= s.firstLine
	if n < 1 {
		return ""
	}
	s.index()
	if n > s.nlines {
		return ""
	}
	start := s.lineStart(n)
	end := len(s.Data)
	if i := bytes.IndexByte(s.Data[start:], '\n'); i >= 0 {
		end = start + i
	}
	return strings.TrimSuffix(string(s.Data[start:end]), "\r")
}

// Snippet bounds: a snippet keeps at most snippetBefore bytes of its line
// before the column and snippetAfter from it, so that a finding on a
// one-line minified JSON file costs a couple of hundred bytes, not a copy
// of the file.
const (
	snippetBefore = 60
	snippetAfter  = 120
)

// Snippet returns the text of the 1-based line n around the 1-based
// column col (in characters), without its line ending: the whole line
// when it is short, else at most about 180 bytes around col, with "…"
// where it was cut. shift is what to subtract from col to find its column
// in the snippet (0 for a whole line). It is "" when n is out of range.
func (s *Source) Snippet(n, col int) (text string, shift int) {
	if s == nil {
		return "", 0
	}
	n -= s.firstLine
	if n < 1 {
		return "", 0
	}
	s.index()
	if n > s.nlines {
		return "", 0
	}
	line, ll := s.lineAt(n)
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) <= snippetBefore+snippetAfter {
		return string(line), 0
	}
	at, runes := 0, col-1 // the column's offset, found from the nearest mark
	if ll != nil && len(ll.marks) > 0 {
		m := min(runes/runeStride, len(ll.marks)-1)
		at, runes = ll.marks[m], runes-m*runeStride
	}
	at += byteOffset(line[at:], runes)
	from := max(at-snippetBefore, 0)
	for from > 0 && !utf8.RuneStart(line[from]) {
		from--
	}
	to := min(at+snippetAfter, len(line))
	for to < len(line) && !utf8.RuneStart(line[to]) {
		to--
	}
	var b strings.Builder
	b.Grow(to - from + 2*len("…"))
	if from > 0 {
		b.WriteString("…")
		shift = col - 1 - utf8.RuneCount(line[from:at]) - 1
	}
	b.Write(line[from:to])
	if to < len(line) {
		b.WriteString("…")
	}
	return b.String(), shift
}

// byteOffset returns the offset in line of the character after the
// first runes ones (len(line) when the line is shorter).
func byteOffset(line []byte, runes int) int {
	i := 0
	for runes > 0 && i < len(line) {
		// Runs of ASCII eight bytes at a time: the usual case, and a long
		// minified line is where it matters.
		if runes >= 8 && i+8 <= len(line) && binary.LittleEndian.Uint64(line[i:])&0x8080808080808080 == 0 {
			i += 8
			runes -= 8
			continue
		}
		if line[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRune(line[i:])
			i += size
		}
		runes--
	}
	return i
}

// Object is one Kubernetes object loaded from a document (or from an
// item of a List document).
type Object struct {
	Source *Source
	// DocIndex is the 0-based index of the document in its file.
	DocIndex int
	// Item is the index within a List document, or -1.
	Item int

	APIVersion string
	Kind       string
	Namespace  string
	Name       string

	// Typed is the object decoded into its k8s.io/api type, or nil for
	// kinds kvet does not know (custom resources). Fields whose values
	// had the wrong type are left at their zero value; see InvalidPaths.
	Typed runtime.Object
	// InvalidPaths are the field paths whose values had the wrong type
	// (already reported); findings about them or below them are dropped.
	InvalidPaths []Path
	// Node is the object's mapping node: the root of its position index.
	Node *yaml.Node

	limits  Limits
	rawOnce sync.Once
	raw     map[string]any
	memos   atomic.Pointer[memo] // Memo values (memo.go)
	// uniqueKeys: the loader found no key written twice in the object's
	// document (see UniqueKeys).
	uniqueKeys bool
	// shelved: the tree was dropped by Shelve, and Source holds the
	// object's lines to parse it again from.
	shelved bool
}

// Raw returns the object as plain Go values (map[string]any, []any,
// string, int64, float64, bool, nil), as unstructured code and the
// policies' data.kvet.objects expect (a policy's input is policy/input's
// Rego value, which is this map as OPA would convert it). It is
// built from Node on first use: most runs never need it, and building it
// for every object cost a tenth of the run.
// The loader has already checked the limits and reported duplicate keys.
// Safe for concurrent use; the map must not be modified.
func (o *Object) Raw() map[string]any {
	o.rawOnce.Do(func() {
		if o.Node == nil {
			return
		}
		b := builder{src: o.Source, limits: o.limits.withDefaults()}
		o.raw, _ = b.value(o.Node, 0).(map[string]any)
	})
	return o.raw
}

// RawOf returns n, the object's root or a node under it, as Raw has it
// (aliases and merge keys expanded): for a view of the object built from
// its node tree that leaves a part to the raw view's rules.
func (o *Object) RawOf(n *yaml.Node) any {
	b := builder{src: o.Source, limits: o.limits.withDefaults()}
	return b.value(n, 0)
}

// UniqueKeys reports whether the loader found no key written twice in the
// object's document. Then a view built from Node may take each mapping's
// keys as distinct; otherwise Raw has what a repeated key means (the last
// one wins).
func (o *Object) UniqueKeys() bool { return o.uniqueKeys }

// Lookup returns the node at a path of mapping keys from the object's
// root, aliases and merge keys (<<) followed as decoding follows them, or
// nil when there is none. Lookup() is the object's own node.
func (o *Object) Lookup(keys ...string) *yaml.Node { return lookup(o.Node, keys...) }

// Value returns the value of the scalar at keys as Raw has it (string,
// int64, float64, bool), or nil when it is absent, null or not a scalar.
func (o *Object) Value(keys ...string) any { return scalarAt(o.Node, keys...) }

// lookup is Lookup from any node.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil {
			return nil
		}
		if n = resolveAlias(n); n.Kind != yaml.MappingNode {
			return nil
		}
		_, n = mappingLookup(n, k)
	}
	if n != nil {
		n = resolveAlias(n)
	}
	return n
}

// scalarAt is Value from any node.
func scalarAt(n *yaml.Node, keys ...string) any {
	n = lookup(n, keys...)
	if n == nil || n.Kind != yaml.ScalarNode {
		return nil
	}
	return scalarValue(n)
}

// StringMap returns the entries with string values of the mapping at keys
// (such as metadata.annotations), or nil when there is no mapping there.
func (o *Object) StringMap(keys ...string) map[string]string {
	n := o.Lookup(keys...)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make(map[string]string, len(n.Content)/2)
	eachPair(n, func(k, v *yaml.Node) {
		if v = resolveAlias(v); v.Kind == yaml.ScalarNode {
			if s, ok := scalarValue(v).(string); ok {
				out[keyString(k)] = s
			}
		}
	})
	return out
}

// Each calls found with the path of every non-null value that pattern
// matches: dotted keys, where a key followed by [*] stands for every item
// of its list, as in spec.template.spec.containers[*].resizePolicy. Paths
// come in document order: spec.template.spec.containers[1].resizePolicy;
// each is found's own copy.
func (o *Object) Each(pattern string, found func(path Path)) {
	if o.Node == nil || pattern == "" {
		return
	}
	w := pathWalker{segs: strings.Split(pattern, "."), found: found}
	w.walk(o.Node, 0)
}

// pathWalker is Each's search; the path so far is kept as steps and only
// rendered for a match (most patterns match nothing).
type pathWalker struct {
	segs  []string
	steps []Segment
	found func(Path)
}

func (w *pathWalker) walk(n *yaml.Node, i int) {
	if n = resolveAlias(n); n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	if i == len(w.segs) {
		w.found(Path(w.steps).Clone())
		return
	}
	key, list := strings.CutSuffix(w.segs[i], "[*]")
	if n.Kind != yaml.MappingNode {
		return
	}
	_, v := mappingLookup(n, key)
	if v == nil {
		return
	}
	w.steps = append(w.steps, Segment{Key: key, Index: -1})
	defer func() { w.steps = w.steps[:len(w.steps)-1] }()
	if !list {
		w.walk(v, i+1)
		return
	}
	if v = resolveAlias(v); v.Kind != yaml.SequenceNode {
		return
	}
	for j, item := range v.Content {
		w.steps = append(w.steps, Segment{Index: j})
		w.walk(item, i+1)
		w.steps = w.steps[:len(w.steps)-1]
	}
}

// GVK returns the object's group, version and kind.
func (o *Object) GVK() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(o.APIVersion, o.Kind)
}

// Group returns the API group ("" for the core group).
func (o *Object) Group() string { return o.GVK().Group }

// Pos returns the position of the object itself (its first key).
func (o *Object) Pos() Position {
	if o.Node == nil {
		return Position{}
	}
	if len(o.Node.Content) > 0 {
		return nodePos(o.Node.Content[0])
	}
	return nodePos(o.Node)
}

// IsInvalid reports whether path is, or is inside, a field whose value
// had the wrong type.
func (o *Object) IsInvalid(path Path) bool {
	for _, bad := range o.InvalidPaths {
		if path.HasPrefix(bad) {
			return true
		}
	}
	return false
}

// LastLine is the last line the object's source spans.
func (o *Object) LastLine() int {
	last := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 1000 {
			return
		}
		if n.Line > last {
			last = n.Line
		}
		if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			last = max(last, n.Line+strings.Count(n.Value, "\n"))
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(o.Node, 0)
	return last
}

// Ref returns a short human reference such as Job/backup or
// StatefulSet/db (ns prod).
func (o *Object) Ref() string {
	s := o.Kind + "/" + o.Name
	if o.Namespace != "" {
		s += " (namespace " + o.Namespace + ")"
	}
	return s
}

// DropTree lets go of the object's node tree and of its source lines but
// the first, for an object kept only to be looked up (a Service that a
// StatefulSet names): its typed value, identity and position stay, while
// Lookup, Value, Locate and the raw and Rego views then see an empty
// object. On 80,000 documents the trees of the Services kept for
// statefulset-headless-service were 60 of the 107 MB live at the end.
func (o *Object) DropTree() {
	if o.Node == nil {
		return
	}
	pos := o.Pos()
	o.Node = &yaml.Node{Kind: yaml.MappingNode, Line: pos.Line, Column: pos.Column, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "kind", Line: pos.Line, Column: pos.Column},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: o.Kind, Line: pos.Line, Column: pos.Column},
	}}
	if o.Source != nil {
		o.Source = o.Source.Excerpt(pos.Line, pos.Line)
	}
}
