package validate

import (
	"bytes"
	"hash/maphash"
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
// So are the texts of its findings (message, path, snippet, object name):
// a container's finding repeats in each object made from one template, a
// path in every workload. With every group on, bench/gen's 100,000
// documents keep 754,000 findings whose messages are 112 MB and paths 40 MB
// of text, of which 90,000 distinct messages (11 MB) and 592 paths;
// the log's text fell from 157 MB to 15 MB of blocks.
// A findingLog is not safe for concurrent use.
type findingLog struct {
	recs   []packedFinding
	blocks [][]byte // full text blocks
	text   []byte   // the block being filled
	common map[string]uint32
	strs   []string // common strings by index
	// pieces are the distinct texts stored, by id (0: the empty text);
	// seen finds a text's piece by its hash. Neither holds a pointer.
	pieces []textSpan
	seen   map[uint64]uint32
	segs   int    // path segments stored, for findings' one allocation
	path   []byte // scratch: the path being stored, encoded
	// fixes are the few findings' fixes, by record index: pointers, but
	// rare ones.
	fixes map[int]*manifest.Fix
	// related are the few cross-object findings' related places.
	related map[int][]rule.Related
}

// packedFinding is a rule.Finding without pointers: the common strings by
// index, and the others (message, path, snippet, object name) by piece.
// The path is stored as its segments (manifest.Path.AppendBinary), not as
// text: nothing reads back a path rendered for users, and the encoding is
// as short as the rendering (spec.template.spec.containers[0].image: 38
// bytes either way).
type packedFinding struct {
	rule, help, file, apiVersion, kind, namespace uint32
	message, path, snippet, name                  uint32 // pieces
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

// pieceSeed seeds the pieces' hashes.
var pieceSeed = maphash.MakeSeed()

// piece returns the id of the piece whose text is s, storing it if the
// log has none.
func (l *findingLog) piece(s string) uint32 {
	if s == "" {
		return 0
	}
	h := maphash.String(pieceSeed, s)
	id, ok := l.seen[h]
	if ok && string(l.bytes(id)) == s {
		return id
	}
	return storePiece(l, s, h, !ok)
}

// pieceBytes is piece for a byte slice (not kept).
func (l *findingLog) pieceBytes(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	h := maphash.Bytes(pieceSeed, b)
	id, ok := l.seen[h]
	if ok && bytes.Equal(l.bytes(id), b) {
		return id
	}
	return storePiece(l, b, h, !ok)
}

// storePiece copies s into the text blocks as a new piece; fresh: its
// hash h is not yet seen (on the rare collision, the piece is only
// stored).
func storePiece[T string | []byte](l *findingLog, s T, h uint64, fresh bool) uint32 {
	if l.pieces == nil {
		l.pieces = []textSpan{{}} // piece 0, the empty text
		l.seen = map[uint64]uint32{}
	}
	n := len(s)
	if len(l.text)+n > cap(l.text) {
		if len(l.text) > 0 {
			l.blocks = append(l.blocks, l.text)
		}
		l.text = make([]byte, 0, max(textBlock, n))
	}
	id := uint32(len(l.pieces))
	l.pieces = append(l.pieces, textSpan{block: uint32(len(l.blocks)), off: uint32(len(l.text)), n: uint32(n)})
	l.text = append(l.text, s...)
	if fresh {
		l.seen[h] = id
	}
	return id
}

// bytes is piece id's text, not copied.
func (l *findingLog) bytes(id uint32) []byte {
	if id == 0 {
		return nil
	}
	sp := l.pieces[id]
	return l.block(sp.block)[sp.off : sp.off+sp.n]
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
			message: l.piece(f.Message), path: l.pieceBytes(l.path), snippet: l.piece(f.Snippet), name: l.piece(f.Object.Name),
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
	f := l.head(i)
	// One string per finding for its own texts, sliced.
	message, path, snippet, name := l.bytes(r.message), l.bytes(r.path), l.bytes(r.snippet), l.bytes(r.name)
	var b strings.Builder
	b.Grow(len(message) + len(path) + len(snippet) + len(name))
	b.Write(message)
	b.Write(path)
	b.Write(snippet)
	b.Write(name)
	text := b.String()
	cut := func(n int) string {
		s := text[:n]
		text = text[n:]
		return s
	}
	f.Message = cut(len(message))
	start := len(segs)
	segs, _ = manifest.DecodePath(segs, cut(len(path))) // keys are slices of text
	if len(segs) > start {
		f.Path = segs[start:len(segs):len(segs)]
	}
	f.Snippet = cut(len(snippet))
	f.Object.Name = text
	f.Fix, f.Related = l.fixes[i], l.related[i]
	return f, segs
}

// head returns record i as a finding without its own texts (message,
// path, snippet, object name) nor its fix and related places: what the
// configuration judges a finding by, made without allocating.
func (l *findingLog) head(i int) rule.Finding {
	r := &l.recs[i]
	return rule.Finding{
		Rule: l.strs[r.rule], Help: l.strs[r.help], File: l.strs[r.file],
		Object: rule.ObjectRef{APIVersion: l.strs[r.apiVersion], Kind: l.strs[r.kind], Namespace: l.strs[r.namespace]},
		Line:   int(r.line), Column: int(r.column), Span: int(r.span), SnippetShift: int(r.snippetShift),
		Severity: r.severity, Secondary: r.secondary, Fallback: r.fallback, Policy: r.policy,
	}
}

// messageOf, pathOf and nameOf are parts of record i's text, not copied.
func (l *findingLog) messageOf(i int32) []byte { return l.bytes(l.recs[i].message) }

func (l *findingLog) pathOf(i int32) []byte { return l.bytes(l.recs[i].path) }

func (l *findingLog) nameOf(i int32) []byte { return l.bytes(l.recs[i].name) }

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
	if a.message == b.message {
		return false
	}
	return bytes.Compare(l.messageOf(i), l.messageOf(j)) < 0
}

// same reports whether records i and j are the same finding, as same.
func (l *findingLog) same(i, j int32) bool {
	a, b := &l.recs[i], &l.recs[j]
	return a.rule == b.rule && a.file == b.file && a.line == b.line && a.column == b.column &&
		(a.message == b.message || bytes.Equal(l.messageOf(i), l.messageOf(j)))
}
