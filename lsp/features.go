package lsp

import (
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
)

// RuleURL is where a rule's documentation is read on the web; the hover
// shows it in the editor.
func RuleURL(id string) string {
	return "https://github.com/kvetdev/kvet/blob/main/README.md#rules"
}

// Diagnostics turns findings in text into LSP diagnostics: kvet's
// 1-based line and character column become 0-based lines and UTF-16
// offsets, the span the finding's text covers (or the rest of its line).
func Diagnostics(text string, findings []rule.Finding) []protocol.Diagnostic {
	lines := strings.Split(text, "\n")
	out := make([]protocol.Diagnostic, 0, len(findings))
	source := "kvet"
	for _, f := range findings {
		msg := f.Message
		if f.Help != "" {
			msg += "\nhelp: " + f.Help
		}
		sev := severity(f.Severity)
		var related []protocol.DiagnosticRelatedInformation
		for _, r := range f.Related {
			at := protocol.Position{Line: protocol.UInteger(max(r.Line-1, 0))}
			related = append(related, protocol.DiagnosticRelatedInformation{
				Location: protocol.Location{URI: uriOf(r.File), Range: protocol.Range{Start: at, End: at}},
				Message:  r.Message,
			})
		}
		out = append(out, protocol.Diagnostic{
			RelatedInformation: related,
			Range:              rangeOf(lines, f),
			Severity:           &sev,
			Code:               &protocol.IntegerOrString{Value: f.Rule},
			CodeDescription:    &protocol.CodeDescription{HRef: RuleURL(f.Rule)},
			Source:             &source,
			Message:            msg,
		})
	}
	return out
}

func severity(s rule.Severity) protocol.DiagnosticSeverity {
	switch s {
	case rule.Error:
		return protocol.DiagnosticSeverityError
	case rule.Warning:
		return protocol.DiagnosticSeverityWarning
	}
	return protocol.DiagnosticSeverityInformation
}

// rangeOf is the finding's range: from its column, Span characters, or
// to the end of the line's text when it has no span.
func rangeOf(lines []string, f rule.Finding) protocol.Range {
	line := max(f.Line-1, 0)
	text := ""
	if line < len(lines) {
		text = strings.TrimRight(lines[line], "\r")
	}
	col := max(f.Column-1, 0)
	start := utf16Offset(text, col)
	end := utf16Offset(text, col+f.Span)
	if f.Span <= 0 {
		end = utf16Offset(text, utf8.RuneCountInString(strings.TrimRight(text, " \t")))
	}
	if end <= start {
		end = start + 1
	}
	return protocol.Range{
		Start: protocol.Position{Line: protocol.UInteger(line), Character: protocol.UInteger(start)},
		End:   protocol.Position{Line: protocol.UInteger(line), Character: protocol.UInteger(end)},
	}
}

// utf16Offset is the UTF-16 offset of the character at index chars of
// line (past its end: the end plus the missing characters).
func utf16Offset(line string, chars int) int {
	n := 0
	for _, r := range line {
		if chars == 0 {
			return n
		}
		n += len(utf16.Encode([]rune{r}))
		chars--
	}
	return n + chars
}

// byteOffset is the byte offset in text of an LSP position (UTF-16
// character offsets), clamped to the text.
func byteOffset(text string, p protocol.Position) int {
	off := 0
	for line := protocol.UInteger(0); line < p.Line; line++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	units := int(p.Character)
	for i, r := range text[off:] {
		if units <= 0 || r == '\n' {
			return off + i
		}
		units -= len(utf16.Encode([]rune{r}))
	}
	return len(text)
}

// applyChange applies one incremental change to text.
func applyChange(text string, c protocol.TextDocumentContentChangeEvent) string {
	if c.Range == nil {
		return c.Text
	}
	start, end := byteOffset(text, c.Range.Start), byteOffset(text, c.Range.End)
	if end < start {
		start, end = end, start
	}
	return text[:start] + c.Text + text[end:]
}

// at reports whether the finding's range in text contains p.
func at(lines []string, f rule.Finding, p protocol.Position) bool {
	r := rangeOf(lines, f)
	return p.Line == r.Start.Line && p.Character >= r.Start.Character && p.Character <= r.End.Character
}

func (s *Server) hover(_ *glsp.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	findings, text, ok := s.findingsOf(p.TextDocument.URI)
	if !ok {
		return nil, nil
	}
	lines := strings.Split(text, "\n")
	var parts []string
	seen := map[string]bool{}
	for _, f := range findings {
		if !at(lines, f, p.Position) || seen[f.Rule] {
			continue
		}
		seen[f.Rule] = true
		doc := f.Message
		if r := rules.Lookup(f.Rule); r != nil {
			doc = fmt.Sprintf("**%s** (%s)\n\n%s", r.ID, r.Severity, strings.TrimSpace(r.Doc))
		}
		parts = append(parts, doc)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: strings.Join(parts, "\n\n---\n\n")}}, nil
}

// IgnoreComment is the line the "ignore" code action inserts above a
// finding's line, indented like it.
func IgnoreComment(line, id string) string {
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
	return indent + "# kvet:ignore " + id + " -- reason\n"
}

func (s *Server) codeAction(_ *glsp.Context, p *protocol.CodeActionParams) (any, error) {
	findings, text, ok := s.findingsOf(p.TextDocument.URI)
	if !ok {
		return []protocol.CodeAction{}, nil
	}
	lines := strings.Split(text, "\n")
	diags := Diagnostics(text, findings)
	type key struct {
		line int
		id   string
	}
	done := map[key]bool{}
	actions := []protocol.CodeAction{}
	kind := protocol.CodeActionKindQuickFix
	for i, f := range findings {
		r := diags[i].Range
		if r.Start.Line < p.Range.Start.Line || r.Start.Line > p.Range.End.Line || f.Line < 1 || f.Line > len(lines) {
			continue
		}
		if f.Fix != nil && len(f.Fix.Edits) > 0 {
			var edits []protocol.TextEdit
			for _, e := range f.Fix.Edits {
				edits = append(edits, protocol.TextEdit{Range: editRange(lines, e), NewText: e.Text})
			}
			title := "Fix: " + f.Fix.Title
			if !f.Fix.Safe {
				title += " (unsafe: review it)"
			}
			preferred := f.Fix.Safe
			fixKind := protocol.CodeActionKindQuickFix
			actions = append(actions, protocol.CodeAction{
				Title: title, Kind: &fixKind, Diagnostics: []protocol.Diagnostic{diags[i]}, IsPreferred: &preferred,
				Edit: &protocol.WorkspaceEdit{Changes: map[protocol.DocumentUri][]protocol.TextEdit{p.TextDocument.URI: edits}},
			})
		}
		k := key{f.Line, f.Rule}
		if done[k] || f.Rule == rule.InternalError {
			continue
		}
		done[k] = true
		insert := protocol.Position{Line: protocol.UInteger(f.Line - 1), Character: 0}
		edit := protocol.WorkspaceEdit{Changes: map[protocol.DocumentUri][]protocol.TextEdit{
			p.TextDocument.URI: {{Range: protocol.Range{Start: insert, End: insert}, NewText: IgnoreComment(lines[f.Line-1], f.Rule)}},
		}}
		actions = append(actions, protocol.CodeAction{
			Title:       "Ignore " + f.Rule + " here (kvet:ignore comment)",
			Kind:        &kind,
			Diagnostics: []protocol.Diagnostic{diags[i]},
			Edit:        &edit,
		})
	}
	// Fixes first, then the ignores, each in title order.
	sort.SliceStable(actions, func(i, j int) bool {
		fi, fj := strings.HasPrefix(actions[i].Title, "Fix: "), strings.HasPrefix(actions[j].Title, "Fix: ")
		if fi != fj {
			return fi
		}
		return actions[i].Title < actions[j].Title
	})
	return actions, nil
}

// editRange is an edit's range in LSP terms (0-based lines, UTF-16).
func editRange(lines []string, e manifest.Edit) protocol.Range {
	pos := func(p manifest.Position) protocol.Position {
		line := max(p.Line-1, 0)
		text := ""
		if line < len(lines) {
			text = lines[line]
		}
		return protocol.Position{Line: protocol.UInteger(line), Character: protocol.UInteger(utf16Offset(text, max(p.Column-1, 0)))}
	}
	return protocol.Range{Start: pos(e.From), End: pos(e.To)}
}

// uriOf is the file:// URI of a path.
func uriOf(path string) protocol.DocumentUri {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}
