package validate

import (
	"bytes"
	"strings"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// findingLog keeps the findings of a run until they are sorted, in a form
// the garbage collector never scans: records of offsets, and the findings'
// text in large byte blocks, neither holding a pointer. With every policy
// group on, 50,000 documents keep about 170,000 findings; held as
// rule.Finding values (ten strings each) they took the collector 1.6-1.8 s
// on one such file, against 1.0 s in the log, and on 100,000 documents
// 5.0 s and 60,000 more page faults, against 4.1 s.
//
// The strings a run repeats (rule ids, help, files, kinds) are stored once.
// A findingLog is not safe for concurrent use.
type findingLog struct {
	recs   []packedFinding
	blocks [][]byte // full text blocks
	text   []byte   // the block being filled
	common map[string]uint32
	strs   []string // common strings by index
	segs   int      // path segments stored, for findings' one allocation
	path   []byte   // scratch: the path being stored, encoded
	// fixes are the few findings' fixes, by record index: pointers, but
	// rare ones.
	fixes map[int]*manifest.Fix
	// related are the few cross-object findings' related places.
	related map[int][]rule.Related
}

// packedFinding is a rule.Finding without pointers: the common strings by
// index, and the others (message, path, snippet, object name) one after
// the other in one span of the text blocks. The path is stored as its
// segments (manifest.Path.AppendBinary), not as text: nothing reads back a
// path rendered for users, and the encoding is as short as the rendering
// (spec.template.spec.containers[0].image: 38 bytes either way).
type packedFinding struct {
	rule, help, file, apiVersion, kind, namespace uint32
	text                                          textSpan
	message, path, snippet                        uint32 // lengths; the name is the rest
	line, column, span, snippetShift              int32
	severity                                      rule.Severity
	secondary, fallback, policy                   bool
}

// textSpan is text[off:off+n] of block (len(blocks) is the block being filled).
type textSpan struct{ block, off, n uint32 }

const textBlock = 1 << 20

func (l *findingLog) intern(s string) uint32 {
	if i, ok := l.common[s]; ok {
		return i
	}
	if l.common == nil {
		l.common = map[string]uint32{}
	}
	i := uint32(len(l.strs))
	l.strs = append(l.strs, s)
	l.common[s] = i
	return i
}

// put writes message, the encoded path in l.path, snippet and name one
// after the other in one block.
func (l *findingLog) put(message, snippet, name string) textSpan {
	n := len(message) + len(l.path) + len(snippet) + len(name)
	if len(l.text)+n > cap(l.text) {
		if len(l.text) > 0 {
			l.blocks = append(l.blocks, l.text)
		}
		l.text = make([]byte, 0, max(textBlock, n))
	}
	sp := textSpan{block: uint32(len(l.blocks)), off: uint32(len(l.text)), n: uint32(n)}
	l.text = append(l.text, message...)
	l.text = append(l.text, l.path...)
	l.text = append(l.text, snippet...)
	l.text = append(l.text, name...)
	return sp
}

func (l *findingLog) block(i uint32) []byte {
	if int(i) == len(l.blocks) {
		return l.text
	}
	return l.blocks[i]
}

// add stores fs, which must be detached (Source nil).
func (l *findingLog) add(fs []rule.Finding) {
	for i := range fs {
		f := &fs[i]
		l.path = f.Path.AppendBinary(l.path[:0])
		l.segs += len(f.Path)
		l.recs = append(l.recs, packedFinding{
			rule: l.intern(f.Rule), help: l.intern(f.Help), file: l.intern(f.File),
			apiVersion: l.intern(f.Object.APIVersion), kind: l.intern(f.Object.Kind), namespace: l.intern(f.Object.Namespace),
			text:    l.put(f.Message, f.Snippet, f.Object.Name),
			message: uint32(len(f.Message)), path: uint32(len(l.path)), snippet: uint32(len(f.Snippet)),
			line: int32(f.Line), column: int32(f.Column), span: int32(f.Span), snippetShift: int32(f.SnippetShift),
			severity: f.Severity, secondary: f.Secondary, fallback: f.Fallback, policy: f.Policy,
		})
		if len(f.Related) > 0 {
			if l.related == nil {
				l.related = map[int][]rule.Related{}
			}
			l.related[len(l.recs)-1] = f.Related
		}
		if f.Fix != nil {
			if l.fixes == nil {
				l.fixes = map[int]*manifest.Fix{}
			}
			l.fixes[len(l.recs)-1] = f.Fix
		}
	}
}

// findings returns every finding stored, in the order added, and empties l.
func (l *findingLog) findings() []rule.Finding {
	out := make([]rule.Finding, len(l.recs))
	segs := make(manifest.Path, 0, l.segs) // every finding's path, in one array
	for i := range l.recs {
		out[i], segs = l.decode(i, segs)
	}
	*l = findingLog{}
	return out
}

// at returns record i as a finding of its own.
func (l *findingLog) at(i int) rule.Finding {
	f, _ := l.decode(i, nil)
	return f
}

// decode returns record i as a finding, its path appended to segs (which
// it returns, grown).
func (l *findingLog) decode(i int, segs manifest.Path) (rule.Finding, manifest.Path) {
	r := &l.recs[i]
	// One string per finding for its own text, sliced.
	text := string(l.textOf(r))
	cut := func(n uint32) string {
		s := text[:n]
		text = text[n:]
		return s
	}
	message := cut(r.message)
	start := len(segs)
	segs, _ = manifest.DecodePath(segs, cut(r.path)) // keys are slices of text
	var path manifest.Path
	if len(segs) > start {
		path = segs[start:len(segs):len(segs)]
	}
	return rule.Finding{
		Rule: l.strs[r.rule], Help: l.strs[r.help], File: l.strs[r.file],
		Message: message, Path: path, Snippet: cut(r.snippet),
		Object: rule.ObjectRef{APIVersion: l.strs[r.apiVersion], Kind: l.strs[r.kind], Namespace: l.strs[r.namespace], Name: text},
		Line:   int(r.line), Column: int(r.column), Span: int(r.span), SnippetShift: int(r.snippetShift),
		Severity: r.severity, Secondary: r.secondary, Fallback: r.fallback, Policy: r.policy,
		Fix: l.fixes[i], Related: l.related[i],
	}, segs
}

// textOf is r's text in its block: message, path, snippet and name.
func (l *findingLog) textOf(r *packedFinding) []byte {
	return l.block(r.text.block)[r.text.off : r.text.off+r.text.n]
}

// messageOf, pathOf and nameOf are parts of record i's text, not copied.
func (l *findingLog) messageOf(i int32) []byte {
	r := &l.recs[i]
	return l.textOf(r)[:r.message]
}

func (l *findingLog) pathOf(i int32) []byte {
	r := &l.recs[i]
	return l.textOf(r)[r.message : r.message+r.path]
}

func (l *findingLog) nameOf(i int32) []byte {
	r := &l.recs[i]
	return l.textOf(r)[r.message+r.path+r.snippet:]
}

// less orders records i and j as less orders their findings.
func (l *findingLog) less(i, j int32) bool {
	a, b := &l.recs[i], &l.recs[j]
	if a.file != b.file {
		if c := strings.Compare(l.strs[a.file], l.strs[b.file]); c != 0 {
			return c < 0
		}
	}
	if a.line != b.line {
		return a.line < b.line
	}
	if a.column != b.column {
		return a.column < b.column
	}
	if a.rule != b.rule {
		if c := strings.Compare(l.strs[a.rule], l.strs[b.rule]); c != 0 {
			return c < 0
		}
	}
	return bytes.Compare(l.messageOf(i), l.messageOf(j)) < 0
}

// same reports whether records i and j are the same finding, as same.
func (l *findingLog) same(i, j int32) bool {
	a, b := &l.recs[i], &l.recs[j]
	return a.rule == b.rule && a.file == b.file && a.line == b.line && a.column == b.column && bytes.Equal(l.messageOf(i), l.messageOf(j))
}
