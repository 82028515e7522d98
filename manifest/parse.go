package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
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
	if utf16BOM(src.Data) {
		// YAML allows UTF-16 with a byte order mark: read it as the
		// UTF-8 it stands for (lines and columns are the same), and
		// show that in snippets.
		src.Data = decodeUTF16(src.Data)
	}
	if i := bytes.IndexByte(src.Data, 0); i >= 0 {
		line := 1 + bytes.Count(src.Data[:i], []byte{'\n'})
		msg, help := "file contains a NUL byte: it is binary, not YAML or JSON", "lint only YAML and JSON manifests; exclude this file"
		if looksUTF16(src.Data) {
			msg, help = "file looks like UTF-16 without a byte order mark", "save it as UTF-8, the encoding kubectl reads"
		}
		out.Problems = append(out.Problems, Problem{
			Code: CodeSyntax, Source: src, Pos: Position{Line: line, Column: 1}, Message: msg, Help: help,
		})
		out.Documents++
		// A binary file never gets a snippet: its "lines" can be
		// anything (a symlink to /proc/self/environ holds secrets).
		src.Data = nil
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
	skip := 0     // documents of a restarted decoder already handed over
	for offset <= len(data) {
		dec := yaml.NewDecoder(bytes.NewReader(data[offset:]))
		resumed, decoded := false, 0
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil && err.Error() == errControl {
				// yaml.v3 reads ahead and fails at a control character
				// before handing over the documents before it, and says
				// neither where nor which. Report the first one at its
				// place, replace them all, and decode again from the same
				// place, skipping the documents already handed over.
				if bad := firstControl(data, offset); bad >= 0 {
					line, col, r := runeAt(data, bad)
					out.Problems = append(out.Problems, Problem{
						Code: CodeSyntax, Source: src, Pos: Position{Line: line, Column: col}, DocIndex: docIndex,
						Message: fmt.Sprintf("control character %U is not allowed in YAML", r),
						Help:    `remove it, or write it as an escape in a double-quoted string ("\x1b")`,
					})
					data = replaceControls(data, bad)
					src.Data = data // snippets show U+FFFD, not the raw character
					skip = decoded
					resumed = true
					break
				}
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
				help := "fix the syntax of this document; the other documents in the file are still checked"
				if end := docEndFirst(data[offset:]); end > 0 && msg == "did not find expected node content" {
					// Valid YAML, but neither yaml.v3 nor kubectl's reader
					// reads it; say what it is.
					line = lineBase + end
					msg = "a document end marker (...) before any document: valid YAML, but kubectl's reader rejects it (did not find expected node content)"
					help = "remove the ... line"
				}
				out.Documents++
				out.Problems = append(out.Problems, Problem{
					Code: CodeSyntax, Source: src, Pos: Position{Line: line, Column: 1}, DocIndex: docIndex,
					Message: "YAML syntax error: " + msg,
					Help:    help,
				})
				docIndex++
				out.document()
				nextOff, nextLine := nextDocument(data, offset, lineBase+1, max(lastGood, lineBase+1), line)
				if nextOff <= offset {
					return
				}
				offset, lineBase = nextOff, nextLine-1
				resumed = true
				break
			}
			if decoded++; skip > 0 {
				skip--
				continue
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
// that marker, or -1. It looks only from offset from (line fromLine), where
// the decoder started, to the marker it returns: recovery from one error
// after another reads the file once, not once per error.
func nextDocument(data []byte, from, fromLine, lastGood, errLine int) (int, int) {
	type marker struct{ off, line int }
	var markers []marker
	line, off := fromLine, from
	for off < len(data) {
		if len(markers) > 0 && markers[len(markers)-1].line > errLine {
			break // a marker after the error: nothing further counts
		}
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

// docEndFirst returns the 1-based line of a document end marker (...)
// that comes before any content in data (blank and comment lines and a
// --- aside), or 0.
func docEndFirst(data []byte) int {
	for n := 1; len(data) > 0; n++ {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		t := bytes.TrimSpace(l)
		switch {
		case len(t) == 0, t[0] == '#', bytes.Equal(t, []byte("---")):
			continue
		case bytes.HasPrefix(l, []byte("...")) && (len(t) == 3 || t[3] == ' ' || t[3] == '#'):
			return n
		}
		return 0
	}
	return 0
}

// errControl is yaml.v3's error for a character YAML does not allow.
const errControl = "yaml: control characters are not allowed"

// allowed reports whether YAML allows the character r in a stream (the
// printable set of YAML 1.2, as yaml.v3's reader checks it).
func allowed(r rune) bool {
	switch {
	case r == 0x09, r == 0x0A, r == 0x0D, r >= 0x20 && r <= 0x7E, r == 0x85,
		r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// firstControl returns the offset of the first character from offset on
// that YAML does not allow, or -1. data is valid UTF-8.
func firstControl(data []byte, offset int) int {
	for i := offset; i < len(data); {
		if c := data[i]; c >= 0x20 && c < 0x7F || c == '\n' {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if !allowed(r) {
			return i
		}
		i += size
	}
	return -1
}

// replaceControls returns a copy of data with each character YAML does
// not allow, from offset from on, replaced by U+FFFD.
func replaceControls(data []byte, from int) []byte {
	out := make([]byte, 0, len(data)+64)
	out = append(out, data[:from]...)
	for i := from; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if allowed(r) {
			out = append(out, data[i:i+size]...)
		} else {
			out = utf8.AppendRune(out, utf8.RuneError)
		}
		i += size
	}
	return out
}

// runeAt returns the 1-based line and column (in characters) of the
// character at offset off of data, and the character.
func runeAt(data []byte, off int) (line, col int, r rune) {
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	col = 1 + utf8.RuneCount(data[bytes.LastIndexByte(data[:off], '\n')+1:off])
	r, _ = utf8.DecodeRune(data[off:])
	return line, col, r
}

func utf16BOM(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff})
}

// decodeUTF16 decodes UTF-16 with a byte order mark into UTF-8 (without
// the mark); an unpaired surrogate or a trailing odd byte becomes U+FFFD.
func decodeUTF16(data []byte) []byte {
	big := data[0] == 0xfe
	data = data[2:]
	u := make([]uint16, len(data)/2)
	for i := range u {
		if big {
			u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	out := make([]byte, 0, len(u)+len(u)/4)
	for _, r := range utf16.Decode(u) {
		out = utf8.AppendRune(out, r)
	}
	if len(data)%2 == 1 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return out
}

// looksUTF16 reports whether data looks like UTF-16 text without a byte
// order mark: ASCII with every other byte zero.
func looksUTF16(data []byte) bool {
	n := min(len(data)&^1, 64)
	if n < 4 {
		return false
	}
	zeroEven, zeroOdd := 0, 0
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			zeroEven++
		}
		if data[i+1] == 0 {
			zeroOdd++
		}
	}
	return zeroEven == n/2 && zeroOdd == 0 || zeroOdd == n/2 && zeroEven == 0
}

// invalidUTF8 returns the offset of the first byte that is not valid
// UTF-8, or -1.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
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

// shiftLines moves a parsed excerpt's nodes by lines, to where they are
// in their file.
func shiftLines(n *yaml.Node, by, depth int) {
	if n == nil || depth > 10000 {
		return
	}
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by, depth+1)
	}
}

// itemsPath is a List's items.
var itemsPath = Path{}.Field("items")

func (out *Parsed) addDocument(src *Source, doc *yaml.Node, docIndex int, limits Limits) {
	if len(doc.Content) == 0 {
		return
	}
	root := resolveAlias(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return // empty or comment-only document
	}
	out.Documents++
	problem := func(n *yaml.Node, path Path, msg, help string) {
		out.Problems = append(out.Problems, Problem{
			Code: CodeInvalidObject, Source: src, Pos: nodePos(n), Path: path, DocIndex: docIndex,
			Message: msg, Help: help,
		})
	}
	if root.Kind != yaml.MappingNode {
		problem(root, nil, fmt.Sprintf("document is %s, not a Kubernetes object", describeNode(root)),
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
					problem(n, itemsPath.Item(i), fmt.Sprintf("list item is %s, not a Kubernetes object", describeNode(n)),
						"each item of a List must be an object with apiVersion and kind")
					continue
				}
				out.addObject(src, n, docIndex, i, limits, itemsPath.Item(i), unique)
			}
			return
		}
	}
	out.addObject(src, root, docIndex, -1, limits, nil, unique)
}

// stringAt returns the string scalar at keys below n, or "".
func stringAt(n *yaml.Node, keys ...string) string {
	s, _ := scalarAt(n, keys...).(string)
	return s
}

func (out *Parsed) addObject(src *Source, n *yaml.Node, docIndex, item int, limits Limits, path Path, uniqueKeys bool) {
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
			Code: CodeInvalidObject, Source: src, Pos: o.Pos(), DocIndex: docIndex, Path: path,
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
	case yaml.MappingNode:
		return "a mapping"
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
