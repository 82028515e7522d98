package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

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
	for _, f := range r.Findings {
		sc := sevColor[f.Severity]
		if sc == nil {
			sc = bold
		}
		fmt.Fprintf(&b, "%s%s\n", sc.Sprintf("%s[%s]", f.Severity, f.Rule), bold.Sprint(": "+f.Message))
		gutter := strings.Repeat(" ", len(strconv.Itoa(f.Line)))
		fmt.Fprintf(&b, "%s%s %s:%d:%d\n", gutter, blue.Sprint("-->"), f.File, f.Line, f.Column)
		line := f.Snippet
		if line == "" {
			line = f.Source.Line(f.Line)
		}
		if f.Line > 0 && strings.TrimSpace(line) != "" {
			line = strings.ReplaceAll(line, "\t", " ")
			fmt.Fprintf(&b, "%s %s\n", gutter, blue.Sprint("|"))
			fmt.Fprintf(&b, "%s %s %s\n", blue.Sprint(f.Line), blue.Sprint("|"), line)
			col := max(f.Column, 1)
			width := max(f.Span, 1)
			if rest := len([]rune(line)) - (col - 1); rest > 0 && width > rest {
				width = rest
			}
			fmt.Fprintf(&b, "%s %s %s%s\n", gutter, blue.Sprint("|"), strings.Repeat(" ", col-1), sc.Sprint(strings.Repeat("^", width)))
		}
		if f.Help != "" {
			fmt.Fprintf(&b, "%s %s %s\n", gutter, blue.Sprint("="), bold.Sprint("help: ")+f.Help)
		}
		b.WriteByte('\n')
	}
	for _, f := range r.Ignored {
		fmt.Fprintf(&b, "%s %s:%d:%d: %s\n", paint(color.Faint).Sprintf("ignored[%s]", f.Rule), f.File, f.Line, f.Column, f.Message)
		if strings.HasPrefix(f.Help, "ignored: ") {
			fmt.Fprintf(&b, "  = reason: %s\n", strings.TrimPrefix(f.Help, "ignored: "))
		}
	}
	if len(r.Ignored) > 0 {
		b.WriteByte('\n')
	}
	s := r.Summary()
	fmt.Fprintf(&b, "%s %s, %s: %s, %s, %s (%s)\n",
		bold.Sprint("kvet:"), plural(s.Files, "file"), plural(s.Objects, "object"),
		sevColor[rule.Error].Sprint(plural(s.Errors, "error")),
		sevColor[rule.Warning].Sprint(plural(s.Warnings, "warning")),
		sevColor[rule.Info].Sprint(plural(s.Infos, "info")),
		r.Duration.Round(time.Millisecond))
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, word string) string {
	if n == 1 || word == "info" {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
