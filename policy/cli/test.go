package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/policy"
	"github.com/kvetdev/kvet/render/helm"
	"github.com/kvetdev/kvet/report"
)

const testUsage = `Usage: kvet test [flags] PATH...

Test configuration files (YAML, JSON; "-" for stdin) against Rego policies,
exactly as "conftest test" does: deny/violation rules fail, warn rules warn,
exception rules turn failures into exceptions. Results are reported in a
deterministic order (namespaces as given, files in argument/walk order,
rules sorted by policy file), where conftest follows Go map order.

Flags:
`

type testFlags struct {
	policy, namespace, data                    []string
	allNamespaces, combine, failOnWarn, noFail bool
	strict, quiet, trace, showBuiltinErrors    bool
	suppressExceptions, allowNet, allowEnv     bool
	noColor, junitHideMessage                  bool
	regoVersion, ignore, output, capabilities  string
	stdinFilename, config, parser              string
	timeout                                    time.Duration
	parallel, maxNodes, maxDepth               int
	maxFileSize                                int64
	// Helm charts among the inputs are rendered with these (helm
	// template's flags; --namespace is conftest's, so the release's is
	// --release-namespace).
	values, set, setString       []string
	releaseName, releaseNamspace string
}

func newTestFlags(stderr io.Writer) (*pflag.FlagSet, *testFlags) {
	f := &testFlags{}
	fs := pflag.NewFlagSet("kvet test", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringSliceVarP(&f.policy, "policy", "p", []string{"policy"}, "path to the Rego policies (repeatable)")
	fs.StringSliceVarP(&f.namespace, "namespace", "n", []string{"main"}, "namespace in which to find deny and warn rules (repeatable)")
	fs.BoolVar(&f.allNamespaces, "all-namespaces", false, "test policies found in all namespaces")
	fs.StringSliceVarP(&f.data, "data", "d", nil, "JSON/YAML data files or folders, merged under data (default: ./data if it exists)")
	fs.BoolVar(&f.combine, "combine", false, "combine all inputs into one array of {path, contents}")
	fs.BoolVar(&f.failOnWarn, "fail-on-warn", false, "exit 1 on warnings, 2 on failures")
	fs.BoolVar(&f.noFail, "no-fail", false, "always exit 0 when the policies ran")
	fs.BoolVar(&f.strict, "strict", false, "enable the Rego compiler's strict mode")
	fs.StringVar(&f.regoVersion, "rego-version", "v1", "Rego syntax of the policies: v0 or v1")
	fs.StringVar(&f.ignore, "ignore", "", "regular expression of paths to ignore when walking folders")
	fs.StringVarP(&f.output, "output", "o", "stdout", "output format: "+strings.Join(report.ConftestFormats, ", "))
	fs.BoolVar(&f.quiet, "quiet", false, "print nothing when every test passes")
	fs.BoolVar(&f.trace, "trace", false, "print evaluation traces to stderr")
	fs.StringVar(&f.capabilities, "capabilities", "", "OPA capabilities JSON file")
	fs.BoolVar(&f.showBuiltinErrors, "show-builtin-errors", false, "fail on errors raised by built-in functions")
	fs.BoolVar(&f.suppressExceptions, "suppress-exceptions", false, "do not print exceptions (stdout output)")
	fs.StringVar(&f.stdinFilename, "stdin-filename", "", "file name to report for input read from stdin")
	fs.StringVar(&f.parser, "parser", "", "parser of every input: yaml or json (both read as YAML; conftest's other parsers are not supported)")
	fs.StringVarP(&f.config, "config", "c", "", "configuration file (default: ./conftest.toml if it exists)")
	fs.StringVar(&f.config, "config-file", "", "the same as --config (conftest's name)")
	_ = fs.MarkHidden("config-file")
	fs.BoolVar(&f.allowNet, "allow-net", false, "let policies use the network (http.send, net.lookup_ip_addr)")
	fs.BoolVar(&f.allowEnv, "allow-env", false, "let policies read the environment (opa.runtime)")
	fs.BoolVar(&f.junitHideMessage, "junit-hide-message", false, "do not include the violation message in JUnit test names")
	fs.BoolVar(&f.noColor, "no-color", false, "disable colours (also off when stdout is not a terminal or NO_COLOR is set)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "limit for evaluating one document in one namespace")
	fs.IntVar(&f.parallel, "parallel", runtime.GOMAXPROCS(0), "files read and evaluated at once")
	fs.IntVar(&f.maxNodes, "max-nodes", 1_000_000, "most YAML nodes one document may expand to (aliases expanded)")
	fs.IntVar(&f.maxDepth, "max-depth", 200, "deepest nesting allowed in a document")
	fs.Int64Var(&f.maxFileSize, "max-file-size", 256<<20, "largest file read, in bytes")
	fs.StringArrayVarP(&f.values, "values", "f", nil, "values file for the Helm charts rendered, as helm template -f (repeatable)")
	fs.StringArrayVar(&f.set, "set", nil, "a chart value, as helm template --set a.b=c (repeatable)")
	fs.StringArrayVar(&f.setString, "set-string", nil, "a chart value kept a string, as helm template --set-string (repeatable)")
	fs.StringVar(&f.releaseName, "release-name", "release-name", "the charts' .Release.Name")
	fs.StringVar(&f.releaseNamspace, "release-namespace", "default", "the charts' .Release.Namespace (helm template's --namespace)")
	return fs, f
}

// Test implements `kvet test`. It returns the process exit code.
func Test(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, f := newTestFlags(stderr)
	usage := func(w io.Writer) { fmt.Fprint(w, testUsage+fs.FlagUsages()) }
	if code, done := flagparse.Parse(fs, args, usage, stdout, stderr); done {
		return code
	}
	if err := applyConfig(fs, f.config, fs.Changed("config") || fs.Changed("config-file")); err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 1
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "Error: requires at least 1 arg(s), only received 0")
		usage(stderr)
		return 1
	}
	if f.parser != "" && f.parser != "yaml" && f.parser != "json" {
		fmt.Fprintf(stderr, "Error: parser %q is not supported: kvet test reads YAML and JSON (--parser yaml or json)\n", f.parser)
		return 1
	}
	if !validFormat(f.output) {
		fmt.Fprintf(stderr, "Error: unknown output format %q (valid: %s)\n", f.output, strings.Join(report.ConftestFormats, ", "))
		return 1
	}
	results, err := runTest(ctx, f, fs.Args(), stdin, stderr)
	if ctx.Err() != nil {
		return 1 // interrupted: no partial results; the caller says so and exits 130
	}
	if err != nil {
		fmt.Fprintln(stderr, "Error: running test:", err)
		return 1
	}
	code := results.ExitCode()
	if f.failOnWarn {
		code = results.ExitCodeFailOnWarn()
	}
	if !f.quiet || code != 0 { // conftest: --quiet hides output unless the exit code is non-zero
		o := report.ConftestOptions{
			Color:              useColor(stdout, f.noColor),
			SuppressExceptions: f.suppressExceptions,
			JUnitHideMessage:   f.junitHideMessage,
			Trace:              f.trace,
			TraceOut:           stderr,
			Version:            Version,
		}
		if err := report.WriteConftest(stdout, f.output, results, o); err != nil {
			fmt.Fprintln(stderr, "Error: output results:", err)
			return 1
		}
	}
	if f.noFail {
		return 0
	}
	return code
}

func validFormat(s string) bool {
	for _, f := range report.ConftestFormats {
		if s == f {
			return true
		}
	}
	return false
}

func runTest(ctx context.Context, f *testFlags, args []string, stdin io.Reader, stderr io.Writer) (report.CheckResults, error) {
	data := f.data
	if len(data) == 0 {
		if info, err := os.Stat("data"); err == nil && info.IsDir() {
			data = []string{"data"}
		}
	}
	engine, err := policy.Load(ctx, policy.Options{
		Paths:             f.policy,
		Namespaces:        f.namespace,
		AllNamespaces:     f.allNamespaces,
		RegoVersion:       f.regoVersion,
		DataPaths:         data,
		Capabilities:      f.capabilities,
		AllowNet:          f.allowNet,
		AllowEnv:          f.allowEnv,
		Timeout:           f.timeout,
		Strict:            f.strict,
		Trace:             f.trace,
		ShowBuiltinErrors: f.showBuiltinErrors,
		PrintOutput:       stderr,
		// conftest prints print() output in its stdout format, before the
		// results; kvet keeps it on stderr for the machine formats.
		CollectPrints: f.output == "stdout" || f.output == "",
	})
	if err != nil {
		return nil, err
	}
	namespaces := engine.Namespaces()
	e := &evaluator{
		ctx: ctx, engine: engine, namespaces: namespaces,
		fileInfo: engine.UsesData("conftest"), combine: f.combine, trace: f.trace,
		files: map[int]*fileRun{},
	}
	n, err := streamInputs(args, inputOptions{
		stdin: stdin, stdinName: f.stdinFilename, ignore: f.ignore, workers: f.parallel,
		limits:  manifest.Limits{MaxNodes: f.maxNodes, MaxDepth: f.maxDepth},
		maxSize: f.maxFileSize,
		note:    func(msg string) { fmt.Fprintf(stderr, "kvet: note: %s\n", report.Printable(msg)) },
		read:    InputRead,
		ctx:     ctx,
		renderer: helm.New(helm.Options{ReleaseName: f.releaseName, Namespace: f.releaseNamspace,
			Values: helm.ValueSet{Files: f.values, Set: f.set, SetString: f.setString}}),
	}, e)
	if err != nil {
		return nil, fmt.Errorf("parse files: %w", err)
	}
	files := make([]*fileRun, 0, n)
	for i := range n {
		if fr := e.files[i]; fr != nil {
			if fr.err != nil {
				return nil, fmt.Errorf("parse configurations: %w", fr.err)
			}
			files = append(files, fr)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if f.combine {
		var combined []any
		for _, fr := range files {
			for _, v := range fr.combined {
				combined = append(combined, map[string]any{"path": fr.path, "contents": v})
			}
		}
		var extra map[string]any
		if e.fileInfo {
			extra = fileInfo("Combined")
		}
		tr, err := engine.EvalTraced(ctx, combined, extra)
		if err != nil {
			return nil, err
		}
		var out report.CheckResults
		for i, ns := range namespaces {
			cr := report.CheckResult{FileName: "Combined", Namespace: ns}
			addResult(&cr, tr[i], unit{}, f.trace)
			out = append(out, cr)
		}
		return out, nil
	}

	out := make(report.CheckResults, 0, len(namespaces)*len(files))
	for n := range namespaces {
		for _, fr := range files {
			out = append(out, fr.results[n])
		}
	}
	return out, nil
}

// addResult adds one evaluation's results; the query and its traces are
// kept only for --trace, which prints them.
func addResult(cr *report.CheckResult, tr policy.TracedResult, u unit, trace bool) {
	conv := func(rs []policy.Result) []report.ConftestResult {
		out := make([]report.ConftestResult, 0, len(rs))
		for _, r := range rs {
			o := report.ConftestResult{Message: r.Msg, Metadata: r.Metadata, Line: u.line(nil)}
			if r.Location != nil {
				o.Location = &report.ConftestLocation{File: r.Location.File}
				if r.Location.Line > 0 {
					o.Location.Line = json.Number(strconv.Itoa(r.Location.Line))
				}
			}
			if len(r.Path) > 0 {
				o.Line = u.line(r.Path)
			}
			out = append(out, o)
		}
		return out
	}
	cr.Successes += tr.Successes
	cr.Prints = append(cr.Prints, tr.Prints...)
	cr.Failures = append(cr.Failures, conv(tr.Failures)...)
	cr.Warnings = append(cr.Warnings, conv(tr.Warnings)...)
	for _, e := range tr.Exceptions {
		cr.Exceptions = append(cr.Exceptions, report.ConftestResult{Message: e.Msg, Line: u.line(nil)})
	}
	if trace && (tr.Query != "" || len(tr.Traces) > 0) {
		cr.Queries = append(cr.Queries, report.QueryTrace{Query: tr.Query, Traces: tr.Traces, Passed: len(tr.Failures)+len(tr.Warnings) == 0})
	}
}
