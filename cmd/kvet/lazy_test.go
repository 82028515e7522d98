package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestLazyFindingsSameOutput: a run whose findings stay in the engine's
// compact log until each is written (validate.Options.Lazy, the default)
// prints byte for byte what a run holding them all as rule.Finding
// values prints, in every format, with ignores, unused ignores, API
// findings that kvet rules restate, cross-object findings and every
// group on; and on the whole corpus when it is there.
func TestLazyFindingsSameOutput(t *testing.T) {
	inputs := [][]string{
		{"../../examples"},
		{"../../testdata/lint", "../../testdata/e2e"},
		{"../../rules/testdata/unused-ignore", "../../rules/testdata/duplicate-object", "../../rules/testdata/service-selector"},
	}
	formats := []string{"text", "json", "sarif", "junit", "github", "tap", "gitlab", "checkstyle"}
	flagSets := [][]string{nil, {"--enable", "security,reliability", "--show-ignored"}}
	for _, in := range inputs {
		for _, flags := range flagSets {
			for _, format := range formats {
				args := append(append([]string{"lint", "-o", format}, flags...), in...)
				compareLazy(t, args)
			}
		}
	}
	if testing.Short() {
		return
	}
	if _, err := os.Stat("../../../shared/corpus"); err != nil {
		t.Log("../shared/corpus not found: the whole-corpus comparison is left out")
		return
	}
	compareLazy(t, []string{"lint", "-o", "json", "--enable", "security,reliability", "../../../shared/corpus"})
}

// lazyTiming is the run's duration in the text and junit formats.
var lazyTiming = regexp.MustCompile(`\(\d+(\.\d+)?(ns|µs|ms|s)\)|time="[0-9.]+"`)

func compareLazy(t *testing.T, args []string) {
	t.Helper()
	lint := func(eager bool) (string, int) {
		eagerFindings = eager
		defer func() { eagerFindings = false }()
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb, false)
		return lazyTiming.ReplaceAllString(out.String()+"\nstderr:\n"+errb.String(), "TIME"), code
	}
	want, wantCode := lint(true)
	got, code := lint(false)
	if got != want || code != wantCode {
		t.Errorf("kvet %s: the lazy run's output (exit %d, %d bytes) differs from the eager run's (exit %d, %d bytes):\n%s",
			strings.Join(args, " "), code, len(got), wantCode, len(want), firstDiff(want, got))
	}
	if wantCode == 0 && strings.Contains(want, "error[") {
		t.Errorf("kvet %s: exit 0 with errors", strings.Join(args, " "))
	}
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n  eager: " + x + "\n  lazy:  " + y
		}
	}
	return "(same lines)"
}
