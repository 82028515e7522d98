package report

import (
	"strings"
	"testing"

	"github.com/kvetdev/kvet/rule"
)

func TestPrintable(t *testing.T) {
	cases := map[string]string{
		"plain: value":                   "plain: value",
		"tab\tkept":                      "tab\tkept",
		"é, 日本, emoji 🙂":                 "é, 日本, emoji 🙂",
		"\x1b[2J\x1b]0;pwned\x07":        `\x1b[2J\x1b]0;pwned\x07`,
		"new\nline\r":                    `new\x0aline\x0d`,
		"nul\x00del\x7f":                 `nul\x00del\x7f`,
		"c1 \u009b31m":                   `c1 \u009b31m`,
		"bidi \u202eevil\u202c \u2066x":  `bidi \u202eevil\u202c \u2066x`,
		"bad utf8 \xff\xfe end":          `bad utf8 \xff\xfe end`,
		"utf-16 \xff\xfek\x00i\x00":      `utf-16 \xff\xfek\x00i\x00`,
		"cut rune \xe6\x97":              `cut rune \xe6\x97`,
		"0 errors\r\x1b[Kkvet: 0 errors": `0 errors\x0d\x1b[Kkvet: 0 errors`,
	}
	for in, want := range cases {
		got := Printable(in)
		if got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
		for _, b := range []byte(got) {
			if b < 0x20 && b != '\t' || b == 0x7f {
				t.Errorf("Printable(%q) still holds control byte %#x", in, b)
			}
		}
		if strings.ContainsRune(got, '\u202e') || strings.ContainsRune(got, '\u009b') {
			t.Errorf("Printable(%q) still holds a bidi or C1 control", in)
		}
	}
}

// The text and TAP formats show hostile names, messages and snippets
// escaped; JSON keeps them exact.
func TestHumanFormatsEscapeControls(t *testing.T) {
	evil := "\x1b]0;owned\x07\x1b[2J"
	r := &Report{Findings: []rule.Finding{{
		Rule: "yaml-syntax", Severity: rule.Error, File: "a" + evil + ".yaml", Line: 1, Column: 1, Span: 1,
		Message: "bad " + evil, Help: "fix " + evil, Snippet: "key: " + evil,
	}}, Files: 1}
	for _, name := range []string{"text", "tap", "github"} {
		f, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := f.Format(&b, r, Options{}); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(b.String(), "\x1b\x07") {
			t.Errorf("%s output holds raw control bytes:\n%q", name, b.String())
		}
		if !strings.Contains(b.String(), `\x1b]0;owned\x07`) {
			t.Errorf("%s output does not show the escaped bytes:\n%s", name, b.String())
		}
	}
	f, _ := Lookup("json")
	var b strings.Builder
	if err := f.Format(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `bad \u001b]0;owned\u0007`) {
		t.Errorf("json should keep the exact message (JSON-escaped):\n%s", b.String())
	}
}

// The caret stays under the offending text when an escape widens the line
// before it.
func TestCaretAfterEscape(t *testing.T) {
	shown, col, width := caret("a\x1bb: xyz", 6, 3)
	if shown != `a\x1bb: xyz` || col != 9 || width != 3 {
		t.Errorf("caret = %q, %d, %d; want the caret at column 9, 3 wide", shown, col, width)
	}
	if got := shown[col-1 : col-1+width]; got != "xyz" {
		t.Errorf("caret points at %q", got)
	}
	shown, col, width = caret("k: \x00\x00", 4, 2)
	if shown != `k: \x00\x00` || col != 4 || width != 8 {
		t.Errorf("caret over escapes = %q, %d, %d; want column 4, 8 wide", shown, col, width)
	}
	if _, col, width = caret("short", 3, 10); col != 3 || width != 3 {
		t.Errorf("caret past the end: %d, %d; want it cut at the line's end", col, width)
	}
}

// kvet test's people formats escape file names and messages too; JSON
// keeps them exact.
func TestConftestFormatsEscapeControls(t *testing.T) {
	evil := "\x1b]0;owned\x07\x1b[2J"
	results := CheckResults{{
		FileName: "a" + evil + ".yaml", Namespace: "main",
		Failures: []ConftestResult{{Message: "bad " + evil + "\nsecond line"}},
	}}
	for _, format := range []string{"stdout", "tap", "table", "github"} {
		var b strings.Builder
		if err := WriteConftest(&b, format, results, ConftestOptions{}); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(b.String(), "\x1b\x07") {
			t.Errorf("%s output holds raw control bytes:\n%q", format, b.String())
		}
	}
	var b strings.Builder
	if err := WriteConftest(&b, "json", results, ConftestOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `bad \u001b]0;owned\u0007`) {
		t.Errorf("json should keep the exact message:\n%s", b.String())
	}
}
