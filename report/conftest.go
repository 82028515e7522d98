package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
)

// CheckResult is the outcome of one file in one namespace, as conftest's
// output.CheckResult (the same JSON shape): what `kvet test` reports.
type CheckResult struct {
	FileName   string           `json:"filename"`
	Namespace  string           `json:"namespace"`
	Successes  int              `json:"successes"`
	Warnings   []ConftestResult `json:"warnings,omitempty"`
	Failures   []ConftestResult `json:"failures,omitempty"`
	Exceptions []ConftestResult `json:"exceptions,omitempty"`

	// Queries are the evaluations' queries and traces, printed by --trace.
	Queries []QueryTrace `json:"-"`
	// Prints are the policies' print() lines, which the stdout format
	// prints first, as conftest.
	Prints []string `json:"-"`
}

// QueryTrace is one evaluation's query and its trace lines.
type QueryTrace struct {
	Query  string
	Traces []string
	Passed bool
}

// ConftestResult is one failure, warning or exception (conftest's
// output.Result).
type ConftestResult struct {
	Message  string            `json:"msg"`
	Location *ConftestLocation `json:"loc,omitempty"`
	Metadata map[string]any    `json:"metadata,omitempty"`

	// Line is kvet's own location of the result in FileName: the line of
	// the field named by the result's path, else of its document (0 when
	// unknown). Used by the github and sarif formats when the policy gave
	// no _loc; conftest uses line 1 there.
	Line int `json:"-"`
}

// ConftestLocation is a result's _loc, as the policy gave it.
type ConftestLocation struct {
	File string      `json:"file,omitempty"`
	Line json.Number `json:"line,omitempty"`
}

func (l ConftestLocation) String() string { return fmt.Sprintf("%s L%s", l.File, l.Line.String()) }

// CheckResults are every file's results, in output order.
type CheckResults []CheckResult

func (cr CheckResults) hasFailure() bool {
	return slices.ContainsFunc(cr, func(c CheckResult) bool { return len(c.Failures) > 0 })
}

func (cr CheckResults) hasWarning() bool {
	return slices.ContainsFunc(cr, func(c CheckResult) bool { return len(c.Warnings) > 0 })
}

// ExitCode is conftest's: 1 when there is a failure.
func (cr CheckResults) ExitCode() int {
	if cr.hasFailure() {
		return 1
	}
	return 0
}

// ExitCodeFailOnWarn is conftest's with --fail-on-warn: 2 failures, 1
// warnings only.
func (cr CheckResults) ExitCodeFailOnWarn() int {
	if cr.hasFailure() {
		return 2
	}
	if cr.hasWarning() {
		return 1
	}
	return 0
}

type totals struct{ tests, successes, warnings, failures, exceptions int }

func (cr CheckResults) totals() totals {
	var t totals
	for _, r := range cr {
		t.failures += len(r.Failures)
		t.exceptions += len(r.Exceptions)
		t.warnings += len(r.Warnings)
		t.successes += r.Successes
	}
	t.tests = t.failures + t.exceptions + t.warnings + t.successes
	return t
}

// Plural is word, or word+"s" unless n is 1.
func Plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func (t totals) summary() string {
	return fmt.Sprintf("%d %s, %d passed, %d %s, %d %s, %d %s",
		t.tests, Plural("test", t.tests), t.successes,
		t.warnings, Plural("warning", t.warnings),
		t.failures, Plural("failure", t.failures),
		t.exceptions, Plural("exception", t.exceptions))
}

// ConftestOptions are the options of WriteConftest.
type ConftestOptions struct {
	Color              bool
	SuppressExceptions bool
	JUnitHideMessage   bool
	// Trace writes every query's trace to TraceOut first (--trace).
	Trace    bool
	TraceOut io.Writer
	// Version is kvet's version, the SARIF driver's.
	Version string
}

// ConftestFormats are conftest's output formats, as `kvet test -o` names
// them.
var ConftestFormats = []string{"stdout", "json", "tap", "table", "junit", "github", "sarif"}

// WriteConftest writes results in one of conftest's formats, byte for byte
// as conftest writes them (kvet only adds lines to github and sarif, and
// orders results deterministically).
func WriteConftest(w io.Writer, format string, results CheckResults, o ConftestOptions) error {
	if o.Trace && o.TraceOut != nil {
		WriteConftestTrace(o.TraceOut, results, o.Color)
	}
	switch format {
	case "", "stdout":
		return writeConftestStandard(w, results, o)
	case "json":
		return writeConftestJSON(w, results)
	case "tap":
		return writeConftestTAP(w, results)
	case "table":
		return writeConftestTable(w, results)
	case "junit":
		return writeConftestJUnit(w, results, o.JUnitHideMessage)
	case "github":
		return writeConftestGitHub(w, results)
	case "sarif":
		return writeConftestSARIF(w, results, o.Version)
	}
	return fmt.Errorf("unknown output format %q (valid: %s)", format, strings.Join(ConftestFormats, ", "))
}

// ANSI colours, as conftest's aurora renders them.
const (
	Red    = 31
	Green  = 32
	Yellow = 33
	Blue   = 34
	Cyan   = 36
	White  = 37
)

// Colorize paints s in the ANSI colour c when on, as conftest's aurora.
func Colorize(on bool, s string, c int) string {
	if !on {
		return s
	}
	return fmt.Sprintf("\x1b[%dm%s\x1b[0m", c, s)
}

func indicators(r CheckResult) (string, string) {
	// Text from the inputs and policies is escaped for the terminal
	// (Printable); a message keeps its line breaks, as conftest prints them.
	indicator := "- " + Printable(r.FileName)
	if r.FileName == "-" {
		indicator = "-"
	}
	namespace := "- " + Printable(r.Namespace) + " -"
	if r.Namespace == "-" {
		namespace = "-"
	}
	return indicator, namespace
}

func writeConftestStandard(w io.Writer, results CheckResults, o ConftestOptions) error {
	for _, r := range results {
		for _, p := range r.Prints {
			fmt.Fprintln(w, Colorize(o.Color, "PRNT ", Blue), "", printableLines(p))
		}
	}
	for _, r := range results {
		indicator, namespace := indicators(r)
		if r.Successes+len(r.Warnings)+len(r.Failures)+len(r.Exceptions) == 0 {
			fmt.Fprintln(w, Colorize(o.Color, "?", White), indicator, namespace, "no policies found")
			continue
		}
		for _, x := range r.Warnings {
			fmt.Fprintln(w, Colorize(o.Color, "WARN", Yellow), indicator, namespace, printableLines(x.Message))
		}
		for _, x := range r.Failures {
			fmt.Fprintln(w, Colorize(o.Color, "FAIL", Red), indicator, namespace, printableLines(x.Message))
		}
		if !o.SuppressExceptions {
			for _, x := range r.Exceptions {
				fmt.Fprintln(w, Colorize(o.Color, "EXCP", Cyan), indicator, namespace, printableLines(x.Message))
			}
		}
	}
	t := results.totals()
	c := Green
	switch {
	case t.failures > 0:
		c = Red
	case t.warnings > 0:
		c = Yellow
	case t.exceptions > 0:
		c = Cyan
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintln(w, Colorize(o.Color, t.summary(), c))
	return err
}

// WriteConftestTrace writes every query's trace, as conftest's --trace.
func WriteConftestTrace(w io.Writer, results CheckResults, color bool) {
	for _, r := range results {
		for _, q := range r.Queries {
			c := Green
			if !q.Passed {
				c = Red
			}
			fmt.Fprintln(w, Colorize(color, "file: "+Printable(r.FileName)+" | query: "+Printable(q.Query), c))
			for _, t := range q.Traces {
				fmt.Fprintln(w, Colorize(color, "TRAC ", Blue), "", Printable(t))
			}
		}
	}
}

func writeConftestJSON(w io.Writer, results CheckResults) error {
	out := slices.Clone(results)
	for i := range out {
		if out[i].FileName == "-" {
			out[i].FileName = ""
		}
	}
	if out == nil {
		out = CheckResults{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("marshal json: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "\t"); err != nil {
		return fmt.Errorf("indent: %w", err)
	}
	_, err = fmt.Fprintln(w, buf.String())
	return err
}

func writeConftestTAP(w io.Writer, results CheckResults) error {
	for _, r := range results {
		indicator, namespace := indicators(r)
		total := r.Successes + len(r.Warnings) + len(r.Failures) + len(r.Exceptions)
		if total == 0 {
			// conftest stops at the first file without policies.
			return nil
		}
		fmt.Fprintf(w, "1..%d\n", total)
		success := make([]ConftestResult, r.Successes)
		for i := range success {
			success[i].Message = "SUCCESS"
		}
		sections := []struct {
			header, status string
			results        []ConftestResult
		}{
			{status: "not ok", results: r.Failures},
			{header: "warnings", status: "not ok", results: r.Warnings},
			{header: "exceptions", status: "ok", results: r.Exceptions},
			{header: "successes", status: "ok", results: success},
		}
		counter := 1
		for _, s := range sections {
			if s.header != "" && len(s.results) > 0 {
				fmt.Fprintln(w, "#", s.header)
			}
			for _, x := range s.results {
				fmt.Fprintf(w, "%s %d %s %s %s\n", s.status, counter, indicator, namespace, Printable(x.Message))
				counter++
			}
		}
	}
	return nil
}

func writeConftestTable(w io.Writer, results CheckResults) error {
	var rows [][]string
	for _, r := range results {
		for range r.Successes {
			rows = append(rows, []string{"success", Printable(r.FileName), Printable(r.Namespace), "SUCCESS"})
		}
		for _, x := range r.Exceptions {
			rows = append(rows, []string{"exception", Printable(r.FileName), Printable(r.Namespace), Printable(x.Message)})
		}
		for _, x := range r.Warnings {
			rows = append(rows, []string{"warning", Printable(r.FileName), Printable(r.Namespace), Printable(x.Message)})
		}
		for _, x := range r.Failures {
			rows = append(rows, []string{"failure", Printable(r.FileName), Printable(r.Namespace), Printable(x.Message)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	t := tablewriter.NewTable(w)
	t.Header("result", "file", "namespace", "message")
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

// conftest's JUnit (the cjunit types), in the XML shape of go-junit-report's formatter (used by conftest).
type cjunitSuites struct {
	XMLName xml.Name      `xml:"testsuites"`
	Suites  []cjunitSuite `xml:"testsuite"`
}

type cjunitSuite struct {
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Time       string           `xml:"time,attr"`
	Name       string           `xml:"name,attr"`
	Properties []cjunitProperty `xml:"properties>property,omitempty"`
	TestCases  []cjunitCase     `xml:"testcase"`
}

type cjunitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type cjunitCase struct {
	Classname string         `xml:"classname,attr"`
	Name      string         `xml:"name,attr"`
	Time      string         `xml:"time,attr"`
	Skip      *cjunitSkip    `xml:"skipped,omitempty"`
	Failure   *cjunitFailure `xml:"failure,omitempty"`
}

type cjunitSkip struct {
	Message string `xml:"message,attr"`
}

type cjunitFailure struct {
	Message  string `xml:"message,attr"`
	Type     string `xml:"type,attr"`
	Contents string `xml:",chardata"`
}

// junitGoVersion is the go.version property (a variable so tests can pin it).
var junitGoVersion = runtime.Version()

func writeConftestJUnit(w io.Writer, results CheckResults, hideMessage bool) error {
	name := func(file, msg string) string {
		if hideMessage || msg == "" {
			return file
		}
		return fmt.Sprintf("%s - %s", file, strings.Split(msg, "\n")[0])
	}
	tests := map[string][]cjunitCase{}
	var order []string
	add := func(ns string, c cjunitCase) {
		if _, ok := tests[ns]; !ok {
			order = append(order, ns)
		}
		c.Classname = "conftest." + ns
		c.Time = "0.000"
		tests[ns] = append(tests[ns], c)
	}
	for _, r := range results {
		for _, x := range r.Warnings {
			add(r.Namespace, cjunitCase{Name: name(r.FileName, x.Message), Failure: &cjunitFailure{Message: "Failed", Contents: x.Message}})
		}
		for _, x := range r.Failures {
			add(r.Namespace, cjunitCase{Name: name(r.FileName, x.Message), Failure: &cjunitFailure{Message: "Failed", Contents: x.Message}})
		}
		for range r.Successes {
			add(r.Namespace, cjunitCase{Name: name(r.FileName, "")})
		}
	}
	sort.Strings(order)
	suites := cjunitSuites{}
	for _, ns := range order {
		s := cjunitSuite{
			Tests:      len(tests[ns]),
			Time:       "0.000",
			Name:       "conftest." + ns,
			Properties: []cjunitProperty{{"go.version", junitGoVersion}},
			TestCases:  tests[ns],
		}
		for _, c := range s.TestCases {
			if c.Failure != nil {
				s.Failures++
			}
		}
		suites.Suites = append(suites.Suites, s)
	}
	b, err := xml.MarshalIndent(suites, "", "\t")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s%s\n", xml.Header, b)
	return err
}

func relPath(p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	if wd, err := filepath.Abs("."); err == nil {
		if r, err := filepath.Rel(wd, p); err == nil {
			return r
		}
	}
	return p
}

// writeConftestGitHub writes conftest's github format: a group per file
// and namespace, an annotation per result (through githubCommand, escaped
// as the runner expects, where conftest writes them raw), the summary.
func writeConftestGitHub(w io.Writer, results CheckResults) error {
	var b strings.Builder
	annotate := func(level, file, line, msg string) {
		githubCommand(&b, level, []githubProp{{"file", Printable(file)}, {"line", line}}, printableLines(msg))
	}
	annotateResult := func(level string, file string, x ConftestResult) {
		line := "1"
		if x.Line > 0 {
			line = strconv.Itoa(x.Line)
		}
		og := x.Location
		switch {
		case og == nil:
			annotate(level, file, line, x.Message)
		case og.File == file:
			annotate(level, og.File, og.Line.String(), x.Message)
		default:
			rel := ConftestLocation{File: relPath(og.File), Line: og.Line}
			annotate(level, rel.File, rel.Line.String(), x.Message)
			annotate(level, file, line, fmt.Sprintf("(ORIGINATING FROM %s) %s", rel, x.Message))
		}
	}
	for _, r := range results {
		n := r.Successes + len(r.Failures) + len(r.Warnings) + len(r.Exceptions)
		githubCommand(&b, "group", nil, fmt.Sprintf("Testing %q against %d policies in namespace %q", r.FileName, n, r.Namespace))
		for _, x := range r.Failures {
			annotateResult("error", r.FileName, x)
		}
		for _, x := range r.Warnings {
			annotateResult("warning", r.FileName, x)
		}
		for _, x := range r.Exceptions {
			annotateResult("notice", r.FileName, x)
		}
		annotate("notice", r.FileName, "1", fmt.Sprintf("Number of successful checks: %d", r.Successes))
		githubCommand(&b, "endgroup", nil, "")
	}
	b.WriteString(results.totals().summary())
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// SetJUnitGoVersion pins the go.version property of conftest's JUnit
// output (tests: it is the running Go's version otherwise).
func SetJUnitGoVersion(v string) { junitGoVersion = v }
