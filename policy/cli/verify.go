package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/spf13/pflag"

	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/policies"
	"github.com/kvetdev/kvet/policy"
	"github.com/kvetdev/kvet/report"
)

const verifyUsage = `Usage: kvet verify [flags]

Run the test_ rules of Rego policies (files ending in _test.rego included)
with OPA's test runner. Exits 1 when a test fails or errors.

Flags:
`

// Verify implements `kvet verify`. It returns the process exit code.
func Verify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var (
		pol, data, namespaces                               []string
		regoVersion, capabilities, reportKind, output, conf string
		strict, allowNet, allowEnv, bundled, noColor        bool
		showBuiltinErrors, quiet, trace                     bool
		timeout                                             time.Duration
	)
	fs := pflag.NewFlagSet("kvet verify", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringSliceVarP(&pol, "policy", "p", []string{"policy"}, "path to the Rego policies and tests (repeatable)")
	fs.StringSliceVarP(&data, "data", "d", nil, "JSON/YAML data files or folders, merged under data")
	fs.StringSliceVarP(&namespaces, "namespace", "n", nil, "only the tests of these packages (globs allowed: 'ma*'; default: every package)")
	fs.BoolVar(&bundled, "bundled", false, "verify kvet's embedded example policies, policies/ (ignores --policy)")
	fs.StringVar(&reportKind, "report", "", `"coverage": print per-file coverage after the results`)
	fs.StringVarP(&output, "output", "o", "stdout", "output format: stdout, json (OPA's test report), or conftest's tap, table, junit, github, sarif")
	fs.StringVar(&regoVersion, "rego-version", "v1", "Rego syntax of the policies: v0 or v1")
	fs.BoolVar(&strict, "strict", false, "enable the Rego compiler's strict mode")
	fs.StringVar(&capabilities, "capabilities", "", "OPA capabilities JSON file")
	fs.BoolVar(&allowNet, "allow-net", false, "let policies use the network (http.send, net.lookup_ip_addr)")
	fs.BoolVar(&allowEnv, "allow-env", false, "let policies read the environment (opa.runtime)")
	fs.BoolVar(&showBuiltinErrors, "show-builtin-errors", false, "fail on errors raised by built-in functions")
	fs.BoolVar(&quiet, "quiet", false, "only print failing tests and the summary")
	fs.BoolVar(&trace, "trace", false, "print every test's evaluation trace to stderr")
	fs.BoolVar(&noColor, "no-color", false, "disable colours")
	fs.DurationVar(&timeout, "timeout", 30*time.Second, "limit for one test")
	fs.StringVarP(&conf, "config", "c", "", "configuration file (default: ./conftest.toml if it exists)")
	fs.StringVar(&conf, "config-file", "", "the same as --config (conftest's name)")
	_ = fs.MarkHidden("config-file")
	usage := func(w io.Writer) { fmt.Fprint(w, verifyUsage+fs.FlagUsages()) }
	if code, done := flagparse.Parse(fs, args, usage, stdout, stderr); done {
		return code
	}
	if err := applyConfig(fs, conf, fs.Changed("config") || fs.Changed("config-file")); err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 1
	}
	if reportKind != "" && reportKind != "coverage" {
		fmt.Fprintf(stderr, "Error: unknown --report %q (valid: coverage)\n", reportKind)
		return 1
	}
	opts := policy.Options{
		Paths:             pol,
		DataPaths:         data,
		RegoVersion:       regoVersion,
		Strict:            strict,
		Capabilities:      capabilities,
		AllowNet:          allowNet,
		AllowEnv:          allowEnv,
		ShowBuiltinErrors: showBuiltinErrors,
		Timeout:           timeout,
		Trace:             trace,
	}
	if bundled {
		opts.Paths = nil
		opts.FS = policies.FS
	}
	rep, err := policy.RunTests(ctx, opts, reportKind == "coverage")
	if ctx.Err() != nil {
		return 1 // interrupted: no partial results; the caller says so and exits 130
	}
	if err != nil {
		fmt.Fprintln(stderr, "Error: running verification:", err)
		return 1
	}
	if len(namespaces) > 0 {
		if err := filterTests(rep, namespaces); err != nil {
			fmt.Fprintln(stderr, "Error:", err)
			return 1
		}
	}
	if trace {
		results := verifyResults(rep)
		for i, r := range rep.Results {
			results[i].Queries = []report.QueryTrace{{Query: r.Package + "." + r.Name, Traces: r.Trace, Passed: r.Passed()}}
		}
		report.WriteConftestTrace(stderr, results, useColor(stderr, noColor))
	}
	failed := 0
	for _, r := range rep.Results {
		if !r.Passed() {
			failed++
		}
	}
	switch output {
	case "json":
		ch := make(chan *tester.Result, len(rep.Raw))
		for _, r := range rep.Raw {
			ch <- r
		}
		close(ch)
		if err := (tester.JSONReporter{Output: stdout}).Report(ch); err != nil {
			fmt.Fprintln(stderr, "Error:", err)
			return 1
		}
	case "stdout", "":
		writeVerify(stdout, rep, useColor(stdout, noColor), quiet)
	case "tap", "table", "junit", "github", "sarif":
		o := report.ConftestOptions{Color: useColor(stdout, noColor), Version: Version}
		if err := report.WriteConftest(stdout, output, verifyResults(rep), o); err != nil {
			fmt.Fprintln(stderr, "Error: output results:", err)
			return 1
		}
	default:
		fmt.Fprintf(stderr, "Error: unknown output format %q (valid: stdout, json, tap, table, junit, github, sarif)\n", output)
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func writeVerify(w io.Writer, rep *policy.VerifyReport, color, quiet bool) {
	var passed, failed, skipped int
	for _, r := range rep.Results {
		label, c := "PASS", report.Green
		switch {
		case r.Err != nil:
			label, c = "ERROR", report.Red
			failed++
		case r.Fail:
			label, c = "FAIL", report.Red
			failed++
		case r.Skip:
			label, c = "SKIP", report.Yellow
			skipped++
		default:
			passed++
		}
		if quiet && label == "PASS" {
			continue
		}
		line := fmt.Sprintf("%s - %s:%d - %s - %s", report.Colorize(color, label, c), r.File, r.Line, r.Package, r.Name)
		if r.Err != nil {
			line += ": " + r.Err.Error()
		}
		fmt.Fprintln(w, line)
		if (r.Fail || r.Err != nil) && len(r.Output) > 0 {
			for _, l := range strings.Split(strings.TrimRight(string(r.Output), "\n"), "\n") {
				fmt.Fprintln(w, "  "+l)
			}
		}
	}
	total := passed + failed + skipped
	// conftest verify's summary line, to the byte (tests have no warnings
	// or exceptions; an error counts as a failure).
	summary := fmt.Sprintf("%d %s, %d passed, 0 warnings, %d %s, 0 exceptions, %d skipped",
		total, report.Plural("test", total), passed, failed, report.Plural("failure", failed), skipped)
	c := report.Green
	if failed > 0 {
		c = report.Red
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, report.Colorize(color, summary, c))
	if rep.Coverage != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Coverage:")
		files := make([]string, 0, len(rep.Coverage.Files))
		for f := range rep.Coverage.Files {
			files = append(files, f)
		}
		sort.Strings(files)
		for _, f := range files {
			fr := rep.Coverage.Files[f]
			fmt.Fprintf(w, "  %6.2f%%  %s (%d/%d lines)\n", fr.Coverage, f, fr.CoveredLines, fr.CoveredLines+fr.NotCoveredLines)
		}
		fmt.Fprintf(w, "  %6.2f%%  total (%d/%d lines)\n", rep.Coverage.Coverage, rep.Coverage.CoveredLines, rep.Coverage.CoveredLines+rep.Coverage.NotCoveredLines)
	}
}

// filterTests keeps the tests whose package matches a --namespace pattern,
// as conftest verify does.
func filterTests(rep *policy.VerifyReport, patterns []string) error {
	keep := func(pkg string) (bool, error) {
		return policy.MatchNamespace(patterns, strings.TrimPrefix(pkg, "data."))
	}
	results := rep.Results[:0]
	for _, r := range rep.Results {
		ok, err := keep(r.Package)
		if err != nil {
			return err
		}
		if ok {
			results = append(results, r)
		}
	}
	rep.Results = results
	raw := rep.Raw[:0]
	for _, r := range rep.Raw {
		if ok, _ := keep(r.Package); ok {
			raw = append(raw, r)
		}
	}
	rep.Raw = raw
	return nil
}

// verifyResults turns test results into conftest's results, as conftest
// verify does for its formats: one per test, named after its file, a
// failure (or an error) with the message package.name, else a success; a
// skipped test is neither.
func verifyResults(rep *policy.VerifyReport) report.CheckResults {
	out := make(report.CheckResults, 0, len(rep.Results))
	for _, r := range rep.Results {
		cr := report.CheckResult{FileName: r.File}
		switch {
		case !r.Passed():
			cr.Failures = []report.ConftestResult{{Message: r.Package + "." + r.Name, Line: r.Line}}
		case !r.Skip:
			cr.Successes = 1
		}
		out = append(out, cr)
	}
	return out
}
