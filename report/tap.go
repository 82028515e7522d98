package report

import (
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// tapFormat writes TAP version 13 (the Test Anything Protocol).
type tapFormat struct{}

// tapDiagnostic is the YAML block under a failing test point.
type tapDiagnostic struct {
	Severity string `yaml:"severity"`
	Rule     string `yaml:"rule"`
	File     string `yaml:"file"`
	Line     int    `yaml:"line"`
	Column   int    `yaml:"column"`
	Path     string `yaml:"path"`
	Object   string `yaml:"object,omitempty"`
	Message  string `yaml:"message"`
	Help     string `yaml:"help,omitempty"`
}

// Format writes one "not ok" test point per finding, with a YAML
// diagnostic block, and one "ok" test point per file without findings,
// so that the plan counts something on a clean run too. With no files at
// all the plan is "1..0 # SKIP", which TAP consumers accept as a skipped
// run.
func (tapFormat) Format(w io.Writer, r *Report, _ Options) error {
	var b strings.Builder
	b.WriteString("TAP version 13\n")
	failing := map[string]bool{}
	for i := range r.count() {
		failing[r.file(i)] = true
	}
	var clean []string
	for _, file := range r.files() {
		if !failing[file] {
			clean = append(clean, file)
		}
	}
	n := r.count() + len(clean)
	if n == 0 {
		b.WriteString("1..0 # SKIP no files checked\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "1..%d\n", n)
	i := 0
	for _, f := range r.all() {
		i++
		fmt.Fprintf(&b, "not ok %d - %s\n", i, tapDescription(fmt.Sprintf("%s:%d:%d %s: %s", f.File, f.Line, f.Column, f.Rule, f.Message)))
		diag, err := yaml.Marshal(tapDiagnostic{
			Severity: f.Severity.String(), Rule: f.Rule, File: f.File, Line: f.Line, Column: f.Column,
			Path: f.Path.String(), Object: objectName(f.Object), Message: f.Message, Help: f.Help,
		})
		if err != nil {
			return fmt.Errorf("tap: %w", err)
		}
		b.WriteString("  ---\n")
		for _, line := range strings.SplitAfter(strings.TrimSuffix(string(diag), "\n"), "\n") {
			b.WriteString("  " + strings.TrimSuffix(line, "\n") + "\n")
		}
		b.WriteString("  ...\n")
		if err := spill(w, &b); err != nil {
			return err
		}
	}
	for _, file := range clean {
		i++
		fmt.Fprintf(&b, "ok %d - %s\n", i, tapDescription(file+": no findings"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tapDescription keeps a test point's description on one line and escapes
// "#", which would otherwise start a directive.
func tapDescription(s string) string {
	return Printable(strings.NewReplacer(`\`, `\\`, "#", `\#`, "\r", " ", "\n", " ").Replace(s))
}
