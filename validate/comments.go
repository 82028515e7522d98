package validate

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// A # in a quoted or block scalar is data, not a comment: an ignore
// directive there (a script in a ConfigMap, a message) silences nothing.
// yaml.v3 gives each scalar's start and style; dataSpans turns the quoted
// and block ones into the byte ranges of the source they cover. It is only
// run on files that contain "kvet:ignore".

// byteSpan is a half-open range of byte offsets in a file.
type byteSpan struct{ start, end int }

// dataSpans returns the ranges of quoted and block scalars in data, from
// the documents yaml.v3 reads (up to the first syntax error).
func dataSpans(data []byte) []byteSpan {
	lines := lineStarts(data)
	s := &spanner{data: data, lines: lines}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) || err != nil {
			break
		}
		s.walk(&doc, 0)
	}
	return s.spans
}

type spanner struct {
	data  []byte
	lines []int // byte offset of each line's start
	spans []byteSpan
	depth int
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offset is the byte offset of yaml.v3's 1-based line and column (in
// characters).
func (s *spanner) offset(line, col int) (int, bool) {
	if line < 1 || line > len(s.lines) {
		return 0, false
	}
	off := s.lines[line-1]
	for c := 1; c < col; c++ {
		if off >= len(s.data) || s.data[off] == '\n' {
			return 0, false
		}
		_, n := utf8.DecodeRune(s.data[off:])
		off += n
	}
	return off, true
}

// walk records the data spans of n and its children; parentCol is the
// column of the key or sequence entry that holds n (a block scalar's
// lines are indented further).
func (s *spanner) walk(n *yaml.Node, parentCol int) {
	if n == nil || s.depth > 10000 {
		return
	}
	s.depth++
	defer func() { s.depth-- }()
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			s.walk(c, 0)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			s.walk(c, n.Column)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			s.walk(n.Content[i], n.Column)
			s.walk(n.Content[i+1], n.Content[i].Column)
		}
	case yaml.ScalarNode:
		s.scalar(n, parentCol)
	}
}

func (s *spanner) scalar(n *yaml.Node, parentCol int) {
	start, ok := s.offset(n.Line, n.Column)
	if !ok || start >= len(s.data) {
		return
	}
	switch {
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		if end := quoteEnd(s.data, start); end > start {
			s.spans = append(s.spans, byteSpan{start, end})
		}
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The content: the lines after the header that are blank or
		// indented past the holder's column.
		first, last := n.Line+1, n.Line
		indent := -1
		for l := first; l <= len(s.lines); l++ {
			text := s.lineText(l)
			trimmed := bytes.TrimLeft(text, " ")
			if len(bytes.TrimSpace(trimmed)) == 0 {
				continue
			}
			in := len(text) - len(trimmed)
			if indent < 0 {
				if in < parentCol {
					break
				}
				indent = in
			}
			if in < indent {
				break
			}
			last = l
		}
		if last >= first {
			end := len(s.data)
			if last < len(s.lines) {
				end = s.lines[last]
			}
			s.spans = append(s.spans, byteSpan{s.lines[first-1], end})
		}
	}
}

func (s *spanner) lineText(l int) []byte {
	start := s.lines[l-1]
	end := len(s.data)
	if l < len(s.lines) {
		end = s.lines[l] - 1
	}
	return s.data[start:end]
}

// quoteEnd returns the offset just past the closing quote of the quoted
// scalar starting at data[start], or start when there is none.
func quoteEnd(data []byte, start int) int {
	q := data[start]
	if q != '"' && q != '\'' {
		return start
	}
	for i := start + 1; i < len(data); i++ {
		switch {
		case q == '"' && data[i] == '\\':
			i++
		case data[i] == q:
			if q == '\'' && i+1 < len(data) && data[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
	}
	return start
}

func inSpans(spans []byteSpan, off int) bool {
	for _, sp := range spans {
		if off >= sp.start && off < sp.end {
			return true
		}
	}
	return false
}
