package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kvetdev/kvet/rule"
)

// githubFormat writes GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request's files.
type githubFormat struct{}

// Format writes one ::error, ::warning or ::notice command per finding
// and nothing else.
func (githubFormat) Format(w io.Writer, r *Report, _ Options) error {
	var b strings.Builder
	for _, f := range r.Findings {
		cmd := "notice"
		switch f.Severity {
		case rule.Error:
			cmd = "error"
		case rule.Warning:
			cmd = "warning"
		}
		props := []string{"file=" + githubProperty(Printable(f.File))}
		if f.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Line))
			if f.Column > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Column))
			}
		}
		props = append(props, "title="+githubProperty("kvet("+Printable(f.Rule)+")"))
		msg := printableLines(f.Message)
		if f.Help != "" {
			msg += "\nhelp: " + printableLines(f.Help)
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), githubData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// githubData escapes a command's message as the runner expects
// (actions/toolkit's escapeData).
func githubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// githubProperty escapes a command property's value (actions/toolkit's
// escapeProperty).
func githubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// printableLines is Printable for text whose line breaks are kept: an
// annotation's message may span lines.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		body, cr := strings.CutSuffix(l, "\r")
		lines[i] = Printable(body)
		if cr {
			lines[i] += "\r"
		}
	}
	return strings.Join(lines, "\n")
}
