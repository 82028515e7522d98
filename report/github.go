package report

import (
	"io"
	"strconv"
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
	for _, f := range r.all() {
		cmd := "notice"
		switch f.Severity {
		case rule.Error:
			cmd = "error"
		case rule.Warning:
			cmd = "warning"
		}
		props := []githubProp{{"file", Printable(f.File)}}
		if f.Line > 0 {
			props = append(props, githubProp{"line", strconv.Itoa(f.Line)})
			if f.Column > 0 {
				props = append(props, githubProp{"col", strconv.Itoa(f.Column)})
			}
		}
		props = append(props, githubProp{"title", "kvet(" + Printable(f.Rule) + ")"})
		msg := printableLines(f.Message)
		if f.Help != "" {
			msg += "\nhelp: " + printableLines(f.Help)
		}
		githubCommand(&b, cmd, props, msg)
		if err := spill(w, &b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// githubProp is one property of a workflow command: name=value.
type githubProp struct{ name, value string }

// githubCommand writes one workflow command, ::cmd name=value,...::message,
// escaped as the runner expects: the one writer of kvet lint's github
// format and kvet test's (conftest's).
func githubCommand(b *strings.Builder, cmd string, props []githubProp, msg string) {
	b.WriteString("::")
	b.WriteString(cmd)
	for i, p := range props {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(githubEscape(p.value, true))
	}
	b.WriteString("::")
	b.WriteString(githubEscape(msg, false))
	b.WriteByte('\n')
}

var (
	githubData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// githubEscape escapes a command's message (actions/toolkit's escapeData)
// or, with property, a property's value (escapeProperty: also : and ,).
func githubEscape(s string, property bool) string {
	if property {
		return githubProperty.Replace(s)
	}
	return githubData.Replace(s)
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
