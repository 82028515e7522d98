package main

import (
	"context"
	"fmt"
	"io"

	"github.com/kvetdev/kvet/baseline"
	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/report"
)

// runBaseline is kvet baseline: kvet lint's run, with its flags and
// configuration, writing the findings as a baseline file on stdout
// instead of a report. It exits 0 whatever the findings (they are what
// the baseline is for), and 2 on a usage error or an input that could not
// be read (then nothing is written: a baseline of part of the inputs would
// hide nothing in the rest).
func runBaseline(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var lf lintFlags
	fs := lintFlagSet(&lf)
	for _, name := range []string{"output", "baseline", "show-stale-baseline", "new-from-rev", "fail-on", "no-color", "show-ignored", "show-config"} {
		_ = fs.MarkHidden(name)
	}
	usage := func(w io.Writer) {
		_, _ = fmt.Fprintf(w, "Usage: kvet baseline [flags] PATH... > FILE\n\nWrites the findings of kvet lint PATH... as a baseline file (JSON) on stdout;\nkvet lint --baseline FILE then reports only findings that are not in it.\nRun it from the folder kvet lint runs in, with the same paths and\nconfiguration. The flags are kvet lint's:\n\n%s", fs.FlagUsages())
	}
	if code, done := flagparse.Parse(fs, args, usage, stdout, stderr); done {
		return code
	}
	for _, name := range []string{"output", "baseline", "show-stale-baseline", "new-from-rev", "show-config"} {
		if fs.Changed(name) {
			_, _ = fmt.Fprintf(stderr, "kvet baseline: --%s is kvet lint's; kvet baseline writes every finding of the paths as a baseline\n", name)
			return exitUsage
		}
	}
	lf.output = "json" // no snippets, no object list
	opts, err := lintOptionsOf(ctx, &lf, fs, false)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, err)
		return exitUsage
	}
	out := opts.run(ctx, stdin, stderr)
	if interrupted(ctx, stderr) {
		return exitInterrupted
	}
	if len(out.errors) > 0 {
		for _, e := range out.errors {
			_, _ = fmt.Fprintf(stderr, "kvet: %s\n", report.Printable(e.Error()))
		}
		_, _ = fmt.Fprintln(stderr, "kvet baseline: no baseline written: some inputs could not be read")
		return exitUsage
	}
	out.report.Materialize()
	findings := out.report.Findings
	if err := baseline.Of(findings, baseline.Keys(findings)).Write(stdout); err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet baseline: writing: %v\n", err)
		return exitUsage
	}
	_, _ = fmt.Fprintf(stderr, "kvet baseline: %s of %s\n", plural(len(findings), "finding"), plural(out.report.Files, "file"))
	return exitOK
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
