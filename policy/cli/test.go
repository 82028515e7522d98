package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/policy"
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
	stdinFilename, config                      string
	timeout                                    time.Duration
	parallel                                   int
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
	fs.StringVarP(&f.output, "output", "o", "stdout", "output format: "+strings.Join(outputFormats, ", "))
	fs.BoolVar(&f.quiet, "quiet", false, "print nothing when every test passes")
	fs.BoolVar(&f.trace, "trace", false, "print evaluation traces to stderr")
	fs.StringVar(&f.capabilities, "capabilities", "", "OPA capabilities JSON file")
	fs.BoolVar(&f.showBuiltinErrors, "show-builtin-errors", false, "fail on errors raised by built-in functions")
	fs.BoolVar(&f.suppressExceptions, "suppress-exceptions", false, "do not print exceptions (stdout output)")
	fs.StringVar(&f.stdinFilename, "stdin-filename", "", "file name to report for input read from stdin")
	fs.StringVarP(&f.config, "config", "c", "", "configuration file (default: ./conftest.toml if it exists)")
	fs.BoolVar(&f.allowNet, "allow-net", false, "let policies use the network (http.send, net.lookup_ip_addr)")
	fs.BoolVar(&f.allowEnv, "allow-env", false, "let policies read the environment (opa.runtime)")
	fs.BoolVar(&f.junitHideMessage, "junit-hide-message", false, "do not include the violation message in JUnit test names")
	fs.BoolVar(&f.noColor, "no-color", false, "disable colours (also off when stdout is not a terminal or NO_COLOR is set)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "limit for evaluating one document in one namespace")
	fs.IntVar(&f.parallel, "parallel", runtime.GOMAXPROCS(0), "documents evaluated at once")
	return fs, f
}

// Test implements `kvet test`. It returns the process exit code.
func Test(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, f := newTestFlags(stderr)
	usage := func(w io.Writer) { fmt.Fprint(w, testUsage+fs.FlagUsages()) }
	if code, done := flagparse.Parse(fs, args, usage, stdout, stderr); done {
		return code
	}
	if err := applyConfig(fs, f.config, fs.Changed("config")); err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 1
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "Error: requires at least 1 arg(s), only received 0")
		usage(stderr)
		return 1
	}
	if !validFormat(f.output) {
		fmt.Fprintf(stderr, "Error: unknown output format %q (valid: %s)\n", f.output, strings.Join(outputFormats, ", "))
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
	code := results.exitCode()
	if f.failOnWarn {
		code = results.exitCodeFailOnWarn()
	}
	if !f.quiet || code != 0 { // conftest: --quiet hides output unless the exit code is non-zero
		o := outputOptions{
			color:              useColor(stdout, f.noColor),
			suppressExceptions: f.suppressExceptions,
			junitHideMessage:   f.junitHideMessage,
			trace:              f.trace,
			traceOut:           stderr,
		}
		if err := writeOutput(stdout, f.output, results, o); err != nil {
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
	for _, f := range outputFormats {
		if s == f {
			return true
		}
	}
	return false
}

// supportedInput reports whether a file found while walking a folder is read.
func supportedInput(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// expandPaths turns the arguments into input files: folders are walked
// (lexical order), files matching --ignore skipped there, as conftest does.
func expandPaths(args []string, ignore string) ([]string, error) {
	var re *regexp.Regexp
	if ignore != "" {
		var err error
		if re, err = regexp.Compile(ignore); err != nil {
			return nil, fmt.Errorf("given regexp couldn't be parsed :%w", err)
		}
	}
	var files []string
	for _, a := range args {
		if a == "" {
			continue
		}
		if a == "-" {
			files = append(files, a)
			continue
		}
		info, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("get file info: %w", err)
		}
		if !info.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("walk path: %w", err)
			}
			if d.IsDir() || (re != nil && re.MatchString(p)) || !supportedInput(p) {
				return nil
			}
			files = append(files, p)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, errors.New("no files found")
	}
	return files, nil
}

// unit is one value evaluated against the policies.
type unit struct {
	file  int
	doc   Doc
	value any
}

// units splits files into evaluated values as conftest does: every document
// of a multi-document file; a single document that is an array is split into
// its elements.
func units(files []InputFile) []unit {
	var out []unit
	for i, f := range files {
		if len(f.Docs) == 1 {
			if arr, ok := f.Docs[0].Value.([]any); ok {
				for _, v := range arr {
					out = append(out, unit{file: i, doc: f.Docs[0], value: v})
				}
				continue
			}
		}
		for _, d := range f.Docs {
			out = append(out, unit{file: i, doc: d, value: d.Value})
		}
	}
	return out
}

func runTest(ctx context.Context, f *testFlags, args []string, stdin io.Reader, stderr io.Writer) (checkResults, error) {
	data := f.data
	if len(data) == 0 {
		if info, err := os.Stat("data"); err == nil && info.IsDir() {
			data = []string{"data"}
		}
	}
	paths, err := expandPaths(args, f.ignore)
	if err != nil {
		return nil, fmt.Errorf("parse files: %w", err)
	}
	files, err := readInputs(paths, stdin, f.stdinFilename)
	if err != nil {
		return nil, fmt.Errorf("parse configurations: %w", err)
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
	})
	if err != nil {
		return nil, err
	}
	namespaces := engine.Namespaces()
	usesFileInfo := engine.UsesData("conftest")

	if f.combine {
		var combined []any
		for _, u := range units(files) {
			combined = append(combined, map[string]any{"path": files[u.file].Path, "contents": u.value})
		}
		var extra map[string]any
		if usesFileInfo {
			extra = fileInfo("Combined")
		}
		tr, err := engine.EvalTraced(ctx, combined, extra)
		if err != nil {
			return nil, err
		}
		var out checkResults
		for i, ns := range namespaces {
			cr := checkResult{FileName: "Combined", Namespace: ns}
			addResult(&cr, tr[i], Doc{})
			out = append(out, cr)
		}
		return out, nil
	}

	us := units(files)
	evals := make([][]policy.TracedResult, len(us))
	extras := make([]map[string]any, len(files))
	if usesFileInfo {
		for i, fl := range files {
			extras[i] = fileInfo(fl.Path)
		}
	}
	if err := parallel(ctx, len(us), f.parallel, func(i int) error {
		tr, err := engine.EvalTraced(ctx, us[i].value, extras[us[i].file])
		if err != nil {
			return fmt.Errorf("%s: %w", files[us[i].file].Path, err)
		}
		evals[i] = tr
		return nil
	}); err != nil {
		return nil, err
	}
	var out checkResults
	for n, ns := range namespaces {
		byFile := make([]checkResult, len(files))
		for i, fl := range files {
			byFile[i] = checkResult{FileName: fl.Path, Namespace: ns}
		}
		for i, u := range us {
			addResult(&byFile[u.file], evals[i][n], u.doc)
		}
		out = append(out, byFile...)
	}
	return out, nil
}

func fileInfo(path string) map[string]any {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return map[string]any{"conftest": map[string]any{"file": map[string]any{
		"name": filepath.Base(abs),
		"dir":  filepath.Dir(abs),
	}}}
}

func addResult(cr *checkResult, tr policy.TracedResult, doc Doc) {
	conv := func(rs []policy.Result) []outResult {
		out := make([]outResult, 0, len(rs))
		for _, r := range rs {
			o := outResult{Message: r.Msg, Metadata: r.Metadata, line: doc.Line}
			if r.Location != nil {
				o.Location = &outLocation{File: r.Location.File}
				if r.Location.Line > 0 {
					o.Location.Line = json.Number(strconv.Itoa(r.Location.Line))
				}
			}
			if len(r.Path) > 0 {
				o.line = doc.lineOf(r.Path)
			}
			out = append(out, o)
		}
		return out
	}
	cr.Successes += tr.Successes
	cr.Failures = append(cr.Failures, conv(tr.Failures)...)
	cr.Warnings = append(cr.Warnings, conv(tr.Warnings)...)
	for _, e := range tr.Exceptions {
		cr.Exceptions = append(cr.Exceptions, outResult{Message: e.Msg, line: doc.Line})
	}
	if tr.Query != "" || len(tr.Traces) > 0 {
		cr.queries = append(cr.queries, queryTrace{query: tr.Query, traces: tr.Traces, passed: len(tr.Failures)+len(tr.Warnings) == 0})
	}
}

// parallel runs fn(0..n-1) on up to workers goroutines; the first error
// (in index order) wins.
func parallel(ctx context.Context, n, workers int, fn func(int) error) error {
	if workers < 1 {
		workers = 1
	}
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return nil
}
