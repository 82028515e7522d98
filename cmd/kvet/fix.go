package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/report"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/validate"
)

// fixRounds is how many times kvet fix lints and fixes again: a fix can
// reveal a finding with a fix of its own (a migrated apiVersion whose new
// version needs a field), and overlapping fixes wait for the next round.
const fixRounds = 5

// runFix is kvet fix: it applies the fixes of fixable findings (the safe
// ones, and the unsafe ones with --unsafe-fixes) as text edits, so that
// everything else in the files stays byte for byte, writes each changed
// file atomically (or prints a diff), and reports what remains.
func runFix(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	var lf lintFlags
	fs := lintFlagSet(&lf)
	fs.Init("kvet fix", 0)
	dryRun := fs.Bool("dry-run", false, "change no file: say what would be fixed")
	diff := fs.Bool("diff", false, "change no file: print the fixes as a unified diff (exit 1 when there is one)")
	unsafe := fs.Bool("unsafe-fixes", false, "also apply fixes marked unsafe (they change behaviour: review them)")
	fixUsage := func(w io.Writer) {
		_, _ = fmt.Fprintf(w, "Usage: kvet fix [--diff|--dry-run] [--unsafe-fixes] [lint flags] PATH...\n\nApplies the fixes kvet knows for certain (removed apiVersions migrated, a Job's\nmissing restartPolicy, a typo'd field, an unquoted yes): only the fixed text\nchanges; comments, order, quoting and indentation stay as they are.\nPATH - reads stdin and writes the fixed manifest to stdout.\n\nFlags:\n%s", fs.FlagUsages())
	}
	if code, done := flagparse.Parse(fs, args, fixUsage, stdout, stderr); done {
		return code
	}
	for _, name := range []string{"baseline", "show-stale-baseline", "new-from-rev"} {
		if fs.Changed(name) {
			_, _ = fmt.Fprintf(stderr, "kvet fix: --%s is kvet lint's: kvet fix applies every certain fix in the paths it is given\n", name)
			return exitUsage
		}
	}
	opts, err := lintOptionsOf(ctx, &lf, fs, tty)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, err)
		return exitUsage
	}
	toStdout := len(opts.paths) == 1 && opts.paths[0] == "-"
	load := opts.load
	load.Stdin = stdin
	load.Note = func(msg string) { _, _ = fmt.Fprintf(stderr, "kvet: note: %s\n", report.Printable(msg)) }
	res := manifest.Load(opts.paths, load)
	for _, e := range res.Errors {
		_, _ = fmt.Fprintf(stderr, "kvet: %s\n", report.Printable(e.Error()))
	}
	if len(res.Errors) > 0 {
		return exitUsage
	}
	f := &fixer{res: res, check: opts.check, unsafe: *unsafe, limits: load.Limits, original: map[string][]byte{}, current: map[string][]byte{}}
	f.check.NoSnippets = false
	if err := f.readOriginals(toStdout); err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet fix: %v\n", err)
		return exitUsage
	}
	var findings []rule.Finding
	for range fixRounds {
		findings = validate.Run(ctx, f.result(), f.check)
		if ctx.Err() != nil || !f.apply(findings) {
			break
		}
	}
	if interrupted(ctx, stderr) {
		return exitInterrupted
	}
	changed := f.changed()
	switch {
	case toStdout:
		if len(f.res.Sources) == 1 {
			_, _ = stdout.Write(f.current[f.res.Sources[0].Path])
		}
	case *diff:
		for _, file := range changed {
			_, _ = io.WriteString(stdout, unifiedDiff(file, f.original[file], f.current[file]))
		}
	case !*dryRun:
		for _, file := range changed {
			if err := writeAtomically(file, f.current[file]); err != nil {
				_, _ = fmt.Fprintf(stderr, "kvet fix: %s: %v\n", report.Printable(file), err)
				return exitUsage
			}
		}
	}
	verb := "fixed"
	if *diff || *dryRun {
		verb = "would fix"
	}
	msg := fmt.Sprintf("kvet fix: %s %d findings in %d files", verb, f.fixed, len(changed))
	if n := countUnsafeFixes(findings); n > 0 && !*unsafe {
		msg += fmt.Sprintf("; %d more have unsafe fixes (--unsafe-fixes applies them; review the diff first)", n)
	}
	for _, s := range f.skipped {
		_, _ = fmt.Fprintf(stderr, "kvet fix: %s\n", report.Printable(s))
	}
	_, _ = fmt.Fprintln(stderr, msg)
	if *diff || *dryRun {
		if len(changed) > 0 {
			return exitFindings
		}
	}
	if toStdout || *diff {
		return exitOK
	}
	// What remains, as kvet lint reports it.
	rep := &report.Report{Findings: findings, Files: len(f.res.Sources), Objects: len(f.res.Objects), Duration: time.Since(opts.start), Rules: opts.check.Rules, Version: kvetVersion()}
	return opts.present(&lintOutcome{report: rep}, stdout, stderr)
}

// fixer holds the files of a kvet fix run: as read, and as fixed so far.
type fixer struct {
	res    *manifest.Result
	check  validate.Options
	unsafe bool
	// original and current are each file's bytes, before and after the
	// fixes; byFile is each file's parse of current.
	original, current map[string][]byte
	parsed            map[string]manifest.Parsed
	fixed             int
	skipped           []string
	noFix             map[string]bool // files kvet must not change
	limits            manifest.Limits
}

// readOriginals checks that each file's content as linted is its bytes on
// disk (a UTF-16 file is decoded for linting: a fix would re-encode it, so
// it is left alone).
func (f *fixer) readOriginals(stdin bool) error {
	f.parsed = map[string]manifest.Parsed{}
	f.noFix = map[string]bool{}
	for _, src := range f.res.Sources {
		f.current[src.Path] = src.Data
		f.original[src.Path] = src.Data
		if stdin {
			continue
		}
		if src.Origin != nil {
			// A Helm chart's rendered output is no file: its findings
			// point at templates and values files, which kvet fix does
			// not edit.
			f.noFix[src.Path] = true
			continue
		}
		disk, err := os.ReadFile(src.Path)
		if err != nil {
			return err
		}
		if !bytes.Equal(disk, src.Data) {
			f.noFix[src.Path] = true
			f.skipped = append(f.skipped, src.Path+": not fixed: kvet read it decoded (UTF-16, or control characters replaced); save it as UTF-8 first")
		}
	}
	for _, o := range f.res.Objects {
		p := f.parsed[o.Source.Path]
		p.Objects = append(p.Objects, o)
		f.parsed[o.Source.Path] = p
	}
	for _, pr := range f.res.Problems {
		if pr.Source == nil {
			continue
		}
		p := f.parsed[pr.Source.Path]
		p.Problems = append(p.Problems, pr)
		f.parsed[pr.Source.Path] = p
	}
	return nil
}

// result is the run's files as they are now.
func (f *fixer) result() *manifest.Result {
	res := &manifest.Result{Sources: f.res.Sources}
	for _, src := range f.res.Sources {
		p := f.parsed[src.Path]
		res.Objects = append(res.Objects, p.Objects...)
		res.Problems = append(res.Problems, p.Problems...)
	}
	return res
}

// apply applies the fixes of findings that do not overlap, file by file,
// and parses the changed files again. It reports whether it changed one.
func (f *fixer) apply(findings []rule.Finding) bool {
	byFile := map[string][]*manifest.Fix{}
	for i := range findings {
		fx := findings[i].Fix
		if fx == nil || len(fx.Edits) == 0 || !fx.Safe && !f.unsafe || f.noFix[findings[i].File] {
			continue
		}
		byFile[findings[i].File] = append(byFile[findings[i].File], fx)
	}
	files := make([]string, 0, len(byFile))
	for file := range byFile {
		files = append(files, file)
	}
	sort.Strings(files)
	changed := false
	for _, file := range files {
		var edits []manifest.Edit
		var taken []manifest.Edit
		n := 0
		for _, fx := range byFile[file] {
			if overlaps(taken, fx.Edits) {
				continue // the next round, after linting again
			}
			taken = append(taken, fx.Edits...)
			edits = append(edits, fx.Edits...)
			n++
		}
		data, err := manifest.ApplyEdits(f.current[file], edits)
		if err != nil {
			f.skipped = append(f.skipped, fmt.Sprintf("%s: not fixed: %v", file, err))
			f.noFix[file] = true
			continue
		}
		f.current[file] = data
		f.fixed += n
		changed = true
		src := &manifest.Source{Path: file, Data: data}
		for i, s := range f.res.Sources {
			if s.Path == file {
				f.res.Sources[i] = src
			}
		}
		f.parsed[file] = manifest.Parse(src, f.limits)
	}
	return changed
}

// overlaps reports whether an edit of b touches the span of one of a (two
// edits that start at one place overlap too: their order would be a
// guess).
func overlaps(a, b []manifest.Edit) bool {
	less := func(p, q manifest.Position) bool {
		return p.Line < q.Line || p.Line == q.Line && p.Column < q.Column
	}
	for _, x := range a {
		for _, y := range b {
			if x.From == y.From || less(x.From, y.To) && less(y.From, x.To) {
				return true
			}
		}
	}
	return false
}

// changed lists the files whose content changed, sorted.
func (f *fixer) changed() []string {
	var out []string
	for file, data := range f.current {
		if !bytes.Equal(data, f.original[file]) {
			out = append(out, file)
		}
	}
	sort.Strings(out)
	return out
}

// countUnsafeFixes counts findings whose fix is unsafe.
func countUnsafeFixes(fs []rule.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Fix != nil && !f.Fix.Safe {
			n++
		}
	}
	return n
}

// unifiedDiff is the change to one file as `diff -u` prints it.
func unifiedDiff(file string, a, b []byte) string {
	from, to := "a/"+filepath.ToSlash(file), "b/"+filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		from, to = file, file
	}
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(a)), B: difflib.SplitLines(string(b)),
		FromFile: from, ToFile: to, Context: 3,
	})
	if err != nil {
		return ""
	}
	return d
}

// writeAtomically replaces file by data: written to a temporary file in
// the same folder, with the file's permissions, then renamed over it, so a
// crash leaves the old file or the new one, never half of one.
func writeAtomically(file string, data []byte) error {
	// A link is kept a link: its target is written.
	file, err := filepath.EvalSymlinks(file)
	if err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("not a regular file; not written")
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".kvet-fix-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
