package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/kvetdev/kvet/rule"
)

type textFormat struct{}

// Format writes rustc-style diagnostics: severity[rule]: message, the
// file:line:col, the source line with a caret under the offending text,
// and a help line; then a summary.
func (textFormat) Format(w io.Writer, r *Report, opts Options) error {
	paint := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if opts.Color {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	sevColor := map[rule.Severity]*color.Color{
		rule.Error:   paint(color.FgRed, color.Bold),
		rule.Warning: paint(color.FgYellow, color.Bold),
		rule.Info:    paint(color.FgCyan, color.Bold),
	}
	blue := paint(color.FgBlue, color.Bold)
	bold := paint(color.Bold)
	var b strings.Builder
	for _, f := range r.all() {
		sc := sevColor[f.Severity]
		if sc == nil {
			sc = bold
		}
		fmt.Fprintf(&b, "%s%s\n", sc.Sprintf("%s[%s]", f.Severity, Printable(f.Rule)), bold.Sprint(": "+Printable(f.Message)))
		gutter := strings.Repeat(" ", len(strconv.Itoa(f.Line)))
		fmt.Fprintf(&b, "%s%s %s:%d:%d\n", gutter, blue.Sprint("-->"), Printable(f.File), f.Line, f.Column)
		line, shift := f.Snippet, f.SnippetShift
		if line == "" {
			line, shift = f.Source.Snippet(f.Line, f.Column)
		}
		if f.Line > 0 && strings.TrimSpace(line) != "" {
			shown, col, width := caret(strings.ReplaceAll(line, "\t", " "), max(f.Column-shift, 1), max(f.Span, 1))
			fmt.Fprintf(&b, "%s %s\n", gutter, blue.Sprint("|"))
			fmt.Fprintf(&b, "%s %s %s\n", blue.Sprint(f.Line), blue.Sprint("|"), shown)
			fmt.Fprintf(&b, "%s %s %s%s\n", gutter, blue.Sprint("|"), strings.Repeat(" ", col-1), sc.Sprint(strings.Repeat("^", width)))
		}
		if f.Help != "" {
			fmt.Fprintf(&b, "%s %s %s\n", gutter, blue.Sprint("="), bold.Sprint("help: ")+Printable(f.Help))
		}
		for _, r := range f.Related {
			// rustc's secondary places: the other object the finding names.
			what := "related"
			if r.Message != "" {
				what = r.Message
			}
			fmt.Fprintf(&b, "%s %s %s%s is at %s:%d\n", gutter, blue.Sprint("="), bold.Sprint("note: "), Printable(what), Printable(r.File), r.Line)
		}
		if r := f.Rendered; r != nil {
			fmt.Fprintf(&b, "%s %s %s%s:%d\n", gutter, blue.Sprint("="), bold.Sprint("rendered: "), Printable(r.File), r.Line)
		}
		b.WriteByte('\n')
		if err := spill(w, &b); err != nil {
			return err
		}
	}
	for _, f := range r.Ignored {
		fmt.Fprintf(&b, "%s %s:%d:%d: %s\n", paint(color.Faint).Sprintf("ignored[%s]", Printable(f.Rule)), Printable(f.File), f.Line, f.Column, Printable(f.Message))
		if strings.HasPrefix(f.Help, "ignored: ") {
			fmt.Fprintf(&b, "  = reason: %s\n", Printable(strings.TrimPrefix(f.Help, "ignored: ")))
		}
	}
	if len(r.Ignored) > 0 {
		b.WriteByte('\n')
	}
	s := r.Summary()
	fmt.Fprintf(&b, "%s %s, %s: %s, %s, %s (%s)%s\n",
		bold.Sprint("kvet:"), plural(s.Files, "file"), plural(s.Objects, "object"),
		sevColor[rule.Error].Sprint(plural(s.Errors, "error")),
		sevColor[rule.Warning].Sprint(plural(s.Warnings, "warning")),
		sevColor[rule.Info].Sprint(plural(s.Infos, "info")),
		r.Duration.Round(time.Millisecond), uncheckedText(s)+hiddenText(r))
	_, err := io.WriteString(w, b.String())
	return err
}

// hiddenText is the summary line's note on the findings --baseline and
// --new-from-rev left out, or "".
func hiddenText(r *Report) string {
	var parts []string
	if r.Baselined > 0 {
		parts = append(parts, plural(r.Baselined, "finding")+" in the baseline")
	}
	if r.Unchanged > 0 {
		parts = append(parts, plural(r.Unchanged, "finding")+" on unchanged lines")
	}
	if len(parts) == 0 {
		return ""
	}
	return "; not shown: " + strings.Join(parts, ", ")
}

// maxUncheckedKinds is how many kinds the summary line names.
const maxUncheckedKinds = 3

// uncheckedText is the summary line's note on the objects kvet had no
// schema for: "; 3 objects not schema-checked: Certificate
// (cert-manager.io/v1) x2, ... and 4 more kinds", or "" when none.
func uncheckedText(s Summary) string {
	if s.NotChecked == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("; " + plural(s.NotChecked, "object") + " not schema-checked: ")
	for i, k := range s.Unchecked[:min(len(s.Unchecked), maxUncheckedKinds)] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s) x%d", Printable(k.Kind), Printable(k.APIVersion), k.Count)
	}
	if more := len(s.Unchecked) - maxUncheckedKinds; more > 0 {
		b.WriteString(" and " + plural(more, "more kind"))
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 || word == "info" {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// caret returns a source line as shown (escaped by Printable) and the
// column and width of the caret under the text that starts at rune column
// col and spans width runes, both counted in the shown line: an escaped
// control character takes four columns, so the caret moves with it.
func caret(line string, col, width int) (shown string, showCol, showWidth int) {
	shown = Printable(line)
	if shown == line {
		if rest := utf8.RuneCountInString(line) - (col - 1); rest > 0 && width > rest {
			width = rest
		}
		return shown, col, width
	}
	runes := []rune(line)
	start := min(col-1, len(runes))
	end := min(start+width, len(runes))
	showCol = utf8.RuneCountInString(Printable(string(runes[:start]))) + 1
	showWidth = max(utf8.RuneCountInString(Printable(string(runes[start:end]))), 1)
	return shown, showCol, showWidth
}
