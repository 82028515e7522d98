package report

import (
	"strings"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// TestTextSnippetOfLongLine: on a long line the text format shows a
// window around the column, marked with "…", with the caret still under
// the offending text, whether the snippet comes from the engine or from
// the finding's source.
func TestTextSnippetOfLongLine(t *testing.T) {
	line := `{"items":[` + strings.Repeat(`{"kind":"Job","spec":{"x":"y"}},`, 200) + `{"restartPolicy":"Always"}]}`
	src := &manifest.Source{Path: "l.json", Data: []byte(line + "\n")}
	col := strings.Index(line, `"Always"`) + 1
	snippet, shift := src.Snippet(1, col)
	for _, f := range []rule.Finding{
		{Rule: "r", Severity: rule.Error, Message: "m", File: "l.json", Line: 1, Column: col, Span: 8, Source: src},
		{Rule: "r", Severity: rule.Error, Message: "m", File: "l.json", Line: 1, Column: col, Span: 8, Snippet: snippet, SnippetShift: shift},
	} {
		var b strings.Builder
		if err := (textFormat{}).Format(&b, &Report{Findings: []rule.Finding{f}}, Options{}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(b.String(), "\n")
		if len(lines) < 5 || len(lines[3]) > 220 || !strings.HasPrefix(lines[3], "1 | …") {
			t.Fatalf("output:\n%s", b.String())
		}
		text, caret := []rune(lines[3]), []rune(lines[4])
		at := strings.IndexRune(string(caret), '^')
		at = len([]rune(string(caret)[:at]))
		if string(text[at:at+8]) != `"Always"` || !strings.HasSuffix(lines[4], "^^^^^^^^") {
			t.Errorf("caret not under the value:\n%s\n%s", lines[3], lines[4])
		}
	}
}
