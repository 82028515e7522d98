package validate

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// lintText lints text as the file in.yaml with reportData and opts.
func lintText(t *testing.T, text string, opts Options) *Outcome {
	t.Helper()
	opts.Rules = []*rule.Rule{reportData}
	out := Lint(context.Background(), []string{"-"}, manifest.Options{Stdin: strings.NewReader(text), StdinName: "in.yaml"}, opts)
	if len(out.Errors) > 0 {
		t.Fatal(out.Errors)
	}
	return out
}

func summary(fs []rule.Finding) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Rule+"@"+f.Severity.String()+":"+strconv.Itoa(f.Line))
	}
	return strings.Join(parts, " ")
}

const ignoredCM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm # kvet:ignore report-data -- the name is fine
data:
  key: v
`

// TestIgnoresSeeFindingsTheConfigurationTurnsOff: a rule disabled for the
// whole run or for the file does not make its ignores unused.
func TestIgnoresSeeFindingsTheConfigurationTurnsOff(t *testing.T) {
	// Off for the run: the rule does not run, its ignore is not stale.
	out := lintText(t, ignoredCM, Options{Enabled: func(id string) bool { return id != "report-data" }})
	if got := summary(out.Findings); got != "" {
		t.Errorf("disabled for the run: %s", got)
	}
	// Off for this file (an override): its findings are gone, kept and
	// ignored alike, and the ignore that matched one is used.
	out = lintText(t, ignoredCM, Options{Adjust: func(f *rule.Finding) bool { return f.Rule != "report-data" }})
	if got := summary(out.Findings); got != "" || len(out.Ignored) != 0 {
		t.Errorf("disabled for the file: %s, ignored %s", got, summary(out.Ignored))
	}
	// On: one finding ignored, one kept.
	out = lintText(t, ignoredCM, Options{})
	if got := summary(out.Findings); got != "report-data@warning:6" || summary(out.Ignored) != "report-data@warning:4" {
		t.Errorf("on: %s, ignored %s", got, summary(out.Ignored))
	}
}

const staleIgnore = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm # kvet:ignore no-such-rule
data:
  key: v
`

// TestUnusedIgnoreIsARule: unused-ignore obeys --disable, severity
// overrides and ignores like any rule.
func TestUnusedIgnoreIsARule(t *testing.T) {
	out := lintText(t, staleIgnore, Options{})
	if got := summary(out.Findings); got != "report-data@warning:4 unused-ignore@warning:4 report-data@warning:6" {
		t.Errorf("default: %s", got)
	}
	out = lintText(t, staleIgnore, Options{Enabled: func(id string) bool { return id != rule.UnusedIgnore }})
	if got := summary(out.Findings); got != "report-data@warning:4 report-data@warning:6" {
		t.Errorf("--disable unused-ignore: %s", got)
	}
	out = lintText(t, staleIgnore, Options{Adjust: func(f *rule.Finding) bool {
		if f.Rule == rule.UnusedIgnore {
			f.Severity = rule.Error
		}
		return true
	}})
	if got := summary(out.Findings); got != "report-data@warning:4 unused-ignore@error:4 report-data@warning:6" {
		t.Errorf("severity: %s", got)
	}
	out = lintText(t, "# kvet:ignore-file unused-ignore\n"+staleIgnore, Options{})
	if got := summary(out.Findings); got != "report-data@warning:5 report-data@warning:7" || summary(out.Ignored) != "unused-ignore@warning:5" {
		t.Errorf("ignored: %s, ignored %s", got, summary(out.Ignored))
	}
	// An ignore of unused-ignore that silences nothing is reported.
	out = lintText(t, "# kvet:ignore-file unused-ignore\n"+ignoredCM, Options{})
	if got := summary(out.Findings); got != "unused-ignore@warning:1 report-data@warning:7" {
		t.Errorf("stale ignore of unused-ignore: %s", got)
	}
}

// TestIgnoreDirectivesAreComments: "# kvet:ignore" in a block scalar, a
// quoted string or a plain scalar is data; real comments next to them
// (after a block scalar's header, after its last line) still work.
func TestIgnoreDirectivesAreComments(t *testing.T) {
	const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: "cm # kvet:ignore report-data"
  labels:
    a: x#kvet:ignore report-data
    b: 'it''s # kvet:ignore report-data'
data:
  script: |
    echo hi
    # kvet:ignore report-data
      # kvet:ignore report-data

    # kvet:ignore report-data
  key: v
`
	out := lintText(t, text, Options{})
	if got := summary(out.Findings); got != "report-data@warning:4 report-data@warning:15" || len(out.Ignored) != 0 {
		t.Errorf("directives in data: %s, ignored %s", got, summary(out.Ignored))
	}
	const real = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data:
  script: | # kvet:ignore no-such-rule
    echo hi
  # kvet:ignore report-data
  key: v
`
	out = lintText(t, real, Options{})
	if got := summary(out.Findings); got != "report-data@warning:4 unused-ignore@warning:6" || summary(out.Ignored) != "report-data@warning:9" {
		t.Errorf("real comments: %s, ignored %s", got, summary(out.Ignored))
	}
}

func TestDataSpans(t *testing.T) {
	data := []byte("a: \"x\\\" # y\"\nb: 'it''s # z' # c\nc: |\n  # d\n\n  e\nf: >-\n    g\n  # h\n")
	spans := dataSpans(data)
	for _, c := range []struct {
		at   string
		data bool
	}{{"# y", true}, {"# z", true}, {"# c", false}, {"# d", true}, {"# h", false}} {
		if got := inSpans(spans, bytes.Index(data, []byte(c.at))); got != c.data {
			t.Errorf("%q: data = %v, want %v (spans %v)", c.at, got, c.data, spans)
		}
	}
}
