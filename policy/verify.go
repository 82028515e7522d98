package policy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// TestResult is the outcome of one test_ rule.
type TestResult struct {
	File     string
	Line     int
	Package  string // e.g. "data.main"
	Name     string // e.g. "test_deny_latest"
	Fail     bool
	Skip     bool
	Err      error
	Duration time.Duration
	Output   []byte // print() output
	// Trace is the test's evaluation trace, with Options.Trace.
	Trace []string
}

// Passed reports whether the test neither failed nor errored.
func (t TestResult) Passed() bool { return !t.Fail && t.Err == nil }

// VerifyReport is the outcome of RunTests.
type VerifyReport struct {
	Results  []TestResult
	Coverage *cover.Report // set when coverage was requested
	// Raw holds OPA's results, for OPA's reporters.
	Raw []*tester.Result
}

// RunTests runs the test_ rules of the policies (test files included) with
// OPA's tester. opts.Namespaces are ignored; data and safety options apply.
func RunTests(ctx context.Context, opts Options, coverage bool) (*VerifyReport, error) {
	modules, _, caps, err := compile(ctx, opts, true)
	if err != nil {
		return nil, err
	}
	docs, err := LoadData(opts.DataPaths)
	if err != nil {
		return nil, err
	}
	store := inmem.NewFromObjectWithOpts(docs, inmem.OptRoundTripOnWrite(false))
	runner := tester.NewRunner().
		SetCompiler(newCompiler(opts, caps)).
		SetStore(store).
		SetModules(modules).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(opts.ShowBuiltinErrors)
	if ver, err := ParseRegoVersion(opts.RegoVersion); err == nil {
		runner.SetDefaultRegoVersion(ver)
	}
	if opts.Timeout > 0 {
		runner.SetTimeout(opts.Timeout)
	}
	if opts.AllowEnv {
		runner.SetRuntime(RuntimeTerm())
	}
	if opts.Trace {
		runner.EnableTracing(true)
	}
	var cov *cover.Cover
	if coverage {
		cov = cover.New()
		runner.SetCoverageQueryTracer(cov)
	}
	txn, err := store.NewTransaction(ctx, storage.TransactionParams{})
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("compile policies:\n%s", FormatError(err))
	}
	rep := &VerifyReport{}
	for r := range ch {
		rep.Raw = append(rep.Raw, r)
		tr := TestResult{
			Package:  r.Package,
			Name:     r.Name,
			Fail:     r.Fail,
			Skip:     r.Skip,
			Err:      r.Error,
			Duration: r.Duration,
			Output:   r.Output,
		}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
		}
		if len(r.Trace) > 0 {
			var b strings.Builder
			topdown.PrettyTrace(&b, r.Trace)
			for _, line := range strings.Split(b.String(), "\n") {
				if line != "" {
					tr.Trace = append(tr.Trace, line)
				}
			}
		}
		rep.Results = append(rep.Results, tr)
	}
	sort.SliceStable(rep.Results, func(i, j int) bool {
		a, b := rep.Results[i], rep.Results[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	if cov != nil {
		r := cov.Report(modules)
		rep.Coverage = &r
	}
	return rep, nil
}
