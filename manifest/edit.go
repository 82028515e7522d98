package manifest

import (
	"fmt"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Fix is a change to the source that resolves a finding. Its edits are
// text replacements at positions, so that everything outside them
// (comments, key order, quoting, indentation) stays byte for byte.
type Fix struct {
	// Title says what the fix does ("set restartPolicy: Never").
	Title string `json:"title"`
	// Safe fixes keep the manifest's meaning as its author wrote it or
	// make a default explicit; unsafe ones change behaviour and run only
	// with --unsafe-fixes.
	Safe  bool   `json:"safe"`
	Edits []Edit `json:"edits"`
}

// Edit replaces the text from From up to To (exclusive; equal for an
// insertion) by Text. Positions are 1-based lines and character columns,
// as findings have them. Old is the text replaced: the fix is applied
// only where the file still has it.
type Edit struct {
	From Position `json:"start"`
	To   Position `json:"end"`
	Old  string   `json:"-"`
	Text string   `json:"text"`
}

// scalarExtent returns the source text of a one-line scalar node (plain,
// single- or double-quoted) as written, or false when the node is not
// such a scalar or its text cannot be found where the node says.
func (o *Object) scalarExtent(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || o.Source == nil {
		return "", false
	}
	line := o.Source.Line(n.Line)
	rest, ok := fromColumn(line, n.Column)
	if !ok {
		return "", false
	}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		for i := 1; i < len(rest); i++ {
			switch rest[i] {
			case '\\':
				i++
			case '"':
				return rest[:i+1], true
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		for i := 1; i < len(rest); i++ {
			if rest[i] == '\'' {
				if i+1 < len(rest) && rest[i+1] == '\'' {
					i++
					continue
				}
				return rest[:i+1], true
			}
		}
	default:
		if strings.HasPrefix(rest, n.Value) && n.Value != "" {
			return n.Value, true
		}
	}
	return "", false
}

// fromColumn is line from the 1-based character column col.
func fromColumn(line string, col int) (string, bool) {
	for i := range line {
		if col == 1 {
			return line[i:], true
		}
		col--
	}
	return "", col == 1
}

// ReplaceScalar is the edit that writes raw (YAML source text) in place
// of the one-line scalar at path.
func (o *Object) ReplaceScalar(path Path, raw string) (Edit, bool) {
	loc := o.Locate(path)
	if !loc.Exact {
		return Edit{}, false
	}
	old, ok := o.scalarExtent(loc.Node)
	if !ok {
		return Edit{}, false
	}
	from := Position{Line: loc.Node.Line, Column: loc.Node.Column}
	return Edit{From: from, To: Position{Line: from.Line, Column: from.Column + utf8.RuneCountInString(old)}, Old: old, Text: raw}, true
}

// QuoteScalar is the edit that double-quotes the plain scalar at path, so
// that YAML reads it as the string it shows (yes, 8080, 1.10).
func (o *Object) QuoteScalar(path Path) (Edit, bool) {
	loc := o.Locate(path)
	if !loc.Exact {
		return Edit{}, false
	}
	return o.quoteNode(loc.Node)
}

// quoteNode is QuoteScalar for a node in hand: the decoder's, which must
// not look the path up again (a lookup per value of a mapping with many
// values would be quadratic).
func (o *Object) quoteNode(n *yaml.Node) (Edit, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Style != 0 {
		return Edit{}, false
	}
	return o.replaceNode(n, fmt.Sprintf("%q", n.Value))
}

// replaceNode is the edit that writes raw in place of the one-line scalar n.
func (o *Object) replaceNode(n *yaml.Node, raw string) (Edit, bool) {
	old, ok := o.scalarExtent(n)
	if !ok {
		return Edit{}, false
	}
	from := Position{Line: n.Line, Column: n.Column}
	return Edit{From: from, To: Position{Line: from.Line, Column: from.Column + utf8.RuneCountInString(old)}, Old: old, Text: raw}, true
}

// RenameKey is the edit that renames the last key of path (a plain key
// on its line) to name. It refuses when the mapping has name already.
func (o *Object) RenameKey(path Path, name string) (Edit, bool) {
	if len(path) == 0 || path[len(path)-1].Key == "" {
		return Edit{}, false
	}
	parent := o.Locate(path[:len(path)-1])
	if !parent.Exact || parent.Node == nil || parent.Node.Kind != yaml.MappingNode {
		return Edit{}, false
	}
	var key *yaml.Node
	for i := 0; i+1 < len(parent.Node.Content); i += 2 {
		if k := parent.Node.Content[i]; k.Value == path[len(path)-1].Key {
			key = k
		}
	}
	return o.renameKeyNode(parent.Node, key, name)
}

// renameKeyNode is RenameKey for the key node k of mapping m in hand.
func (o *Object) renameKeyNode(m, k *yaml.Node, name string) (Edit, bool) {
	if k == nil {
		return Edit{}, false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return Edit{}, false
		}
	}
	return o.replaceNode(k, name)
}

// InsertKey is the edit that adds key with value to the mapping at path,
// as its first entry, indented like the entry it goes before. value is
// YAML text: one line ("Never"), or several lines of a nested block,
// indented relative to the key ("\n  whenDeleted: Retain\n  whenScaled:
// Retain"). It refuses when the mapping has the key or is empty, and, in
// a flow mapping ({a: b}), a value of several lines.
func (o *Object) InsertKey(path Path, key, value string) (Edit, bool) {
	loc := o.Locate(path)
	n := loc.Node
	if !loc.Exact || n == nil || n.Kind != yaml.MappingNode || len(n.Content) < 2 {
		return Edit{}, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return Edit{}, false
		}
	}
	first := n.Content[0]
	at := Position{Line: first.Line, Column: first.Column}
	if n.Style&yaml.FlowStyle != 0 {
		if strings.Contains(value, "\n") {
			return Edit{}, false
		}
		return Edit{From: at, To: at, Text: key + ": " + value + ", "}, true
	}
	// The entry's indentation, in spaces: its column, whatever precedes
	// it on its line ("- " of a list item counts as indentation).
	indent := strings.Repeat(" ", first.Column-1)
	if strings.TrimSpace(Columns(o.Source.Line(first.Line), 1, first.Column)) == "" {
		// The entry starts its line: go above the comments right above it,
		// which belong to it.
		for l := first.Line - 1; l >= 1; l-- {
			text := o.Source.Line(l)
			if !strings.HasPrefix(text, indent+"#") {
				break
			}
			at.Line = l
		}
	}
	text := key + ":"
	if strings.HasPrefix(value, "\n") {
		text += strings.ReplaceAll(value, "\n", "\n"+indent)
	} else {
		text += " " + value
	}
	return Edit{From: at, To: at, Text: text + "\n" + indent}, true
}

// ApplyEdits applies edits to data (a file's content) and returns the
// new content. Edits must not overlap; each must still find its Old text.
func ApplyEdits(data []byte, edits []Edit) ([]byte, error) {
	type span struct {
		start, end int
		text       string
	}
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	offset := func(p Position) (int, bool) {
		if p.Line < 1 || p.Line > len(starts) {
			return 0, false
		}
		off := starts[p.Line-1]
		for col := 1; col < p.Column; col++ {
			if off >= len(data) || data[off] == '\n' {
				return 0, false
			}
			_, size := utf8.DecodeRune(data[off:])
			off += size
		}
		return off, true
	}
	spans := make([]span, 0, len(edits))
	for _, e := range edits {
		s, ok1 := offset(e.From)
		end, ok2 := offset(e.To)
		if !ok1 || !ok2 || end < s || string(data[s:end]) != e.Old {
			return nil, fmt.Errorf("%d:%d: the file changed since it was linted", e.From.Line, e.From.Column)
		}
		spans = append(spans, span{s, end, e.Text})
	}
	// Apply from the end, so that earlier offsets stay valid.
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].start > spans[j-1].start; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	out := append([]byte(nil), data...)
	last := len(out) + 1
	for _, s := range spans {
		if s.end > last || s.end == last && s.start == s.end {
			return nil, fmt.Errorf("overlapping edits")
		}
		out = append(out[:s.start], append([]byte(s.text), out[s.end:]...)...)
		last = s.start
	}
	return out, nil
}

// ReplaceString is the edit that sets the one-line scalar at path to the
// string value, keeping its quoting style (plain stays plain when YAML
// reads the value as a string).
func (o *Object) ReplaceString(path Path, value string) (Edit, bool) {
	loc := o.Locate(path)
	if !loc.Exact || loc.Node.Kind != yaml.ScalarNode {
		return Edit{}, false
	}
	raw := fmt.Sprintf("%q", value)
	switch n := loc.Node; {
	case n.Style&yaml.SingleQuotedStyle != 0:
		raw = "'" + strings.ReplaceAll(value, "'", "''") + "'"
	case n.Style == 0 && PlainString(value):
		raw = value
	}
	return o.ReplaceScalar(path, raw)
}

// PlainString reports whether value, written plain, is read back as that
// string (by kvet's YAML 1.1 rules, as kubectl reads it).
func PlainString(value string) bool {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("v: "+value), &n); err != nil || len(n.Content) == 0 || len(n.Content[0].Content) != 2 {
		return false
	}
	v := n.Content[0].Content[1]
	s, ok := ScalarValue(v).(string)
	return ok && s == value && v.Style == 0
}

// WithEdits returns the object as it reads with edits applied (each
// within the object's own lines), and the loader's problems with it: a
// fix's check that the result is the intended object, before it is
// offered. Only the object's lines are parsed again.
func (o *Object) WithEdits(edits []Edit) (*Object, []Problem, error) {
	if o.Source == nil {
		return nil, nil, fmt.Errorf("no source")
	}
	first, last := o.Pos().Line, o.LastLine()
	var b strings.Builder
	b.WriteString(strings.Repeat("\n", first-1))
	for n := first; n <= last; n++ {
		b.WriteString(o.Source.Line(n))
		b.WriteByte('\n')
	}
	for _, e := range edits {
		if e.From.Line < first || e.To.Line > last+1 {
			return nil, nil, fmt.Errorf("edit outside the object")
		}
	}
	data, err := ApplyEdits([]byte(b.String()), edits)
	if err != nil {
		return nil, nil, err
	}
	p := Parse(&Source{Path: o.Source.Path, Data: data}, Limits{})
	if len(p.Objects) != 1 {
		return nil, p.Problems, fmt.Errorf("the edited text is not one object")
	}
	var probs []Problem
	for _, pr := range p.Problems {
		if pr.Object == p.Objects[0] {
			probs = append(probs, pr)
		}
	}
	return p.Objects[0], probs, nil
}

// RawScalar returns the source text of a one-line scalar node as written
// (with its quotes), or false.
func (o *Object) RawScalar(n *yaml.Node) (string, bool) { return o.scalarExtent(n) }

// Columns is the text of line from the 1-based character column from up
// to to (exclusive), clamped to the line.
func Columns(line string, from, to int) string {
	r := []rune(line)
	from, to = min(max(from-1, 0), len(r)), min(max(to-1, 0), len(r))
	if to < from {
		return ""
	}
	return string(r[from:to])
}
