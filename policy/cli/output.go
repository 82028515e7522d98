package cli

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

// checkResult mirrors conftest's output.CheckResult (same JSON shape).
type checkResult struct {
	FileName   string      `json:"filename"`
	Namespace  string      `json:"namespace"`
	Successes  int         `json:"successes"`
	Warnings   []outResult `json:"warnings,omitempty"`
	Failures   []outResult `json:"failures,omitempty"`
	Exceptions []outResult `json:"exceptions,omitempty"`

	queries []queryTrace
}

type queryTrace struct {
	query  string
	traces []string
	passed bool
}

type outResult struct {
	Message  string         `json:"msg"`
	Location *outLocation   `json:"loc,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`

	// line is kvet's own location of the result in FileName: the line of
	// the field named by the result's path, else of its document (0 when
	// unknown). Used by the github and sarif formats when the policy gave
	// no _loc; conftest uses line 1 there.
	line int
}

type outLocation struct {
	File string      `json:"file,omitempty"`
	Line json.Number `json:"line,omitempty"`
}

func (l outLocation) String() string { return fmt.Sprintf("%s L%s", l.File, l.Line.String()) }

type checkResults []checkResult

func (cr checkResults) hasFailure() bool {
	return slices.ContainsFunc(cr, func(c checkResult) bool { return len(c.Failures) > 0 })
}

func (cr checkResults) hasWarning() bool {
	return slices.ContainsFunc(cr, func(c checkResult) bool { return len(c.Warnings) > 0 })
}

func (cr checkResults) exitCode() int {
	if cr.hasFailure() {
		return 1
	}
	return 0
}

func (cr checkResults) exitCodeFailOnWarn() int {
	if cr.hasFailure() {
		return 2
	}
	if cr.hasWarning() {
		return 1
	}
	return 0
}

type totals struct{ tests, successes, warnings, failures, exceptions int }

func (cr checkResults) totals() totals {
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

func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func (t totals) summary() string {
	return fmt.Sprintf("%d %s, %d passed, %d %s, %d %s, %d %s",
		t.tests, plural("test", t.tests), t.successes,
		t.warnings, plural("warning", t.warnings),
		t.failures, plural("failure", t.failures),
		t.exceptions, plural("exception", t.exceptions))
}

type outputOptions struct {
	color              bool
	suppressExceptions bool
	junitHideMessage   bool
	trace              bool
	traceOut           io.Writer
}

var outputFormats = []string{"stdout", "json", "tap", "table", "junit", "github", "sarif"}

func writeOutput(w io.Writer, format string, results checkResults, o outputOptions) error {
	if o.trace && o.traceOut != nil {
		writeTrace(o.traceOut, results, o.color)
	}
	switch format {
	case "", "stdout":
		return writeStandard(w, results, o)
	case "json":
		return writeJSON(w, results)
	case "tap":
		return writeTAP(w, results)
	case "table":
		return writeTable(w, results)
	case "junit":
		return writeJUnit(w, results, o.junitHideMessage)
	case "github":
		return writeGitHub(w, results)
	case "sarif":
		return writeSARIF(w, results)
	}
	return fmt.Errorf("unknown output format %q (valid: %s)", format, strings.Join(outputFormats, ", "))
}

// ANSI colours, as conftest's aurora renders them.
const (
	red    = 31
	green  = 32
	yellow = 33
	blue   = 34
	cyan   = 36
	white  = 37
)

func colorize(on bool, s string, c int) string {
	if !on {
		return s
	}
	return fmt.Sprintf("\x1b[%dm%s\x1b[0m", c, s)
}

func indicators(r checkResult) (string, string) {
	indicator := "- " + r.FileName
	if r.FileName == "-" {
		indicator = "-"
	}
	namespace := "- " + r.Namespace + " -"
	if r.Namespace == "-" {
		namespace = "-"
	}
	return indicator, namespace
}

func writeStandard(w io.Writer, results checkResults, o outputOptions) error {
	for _, r := range results {
		indicator, namespace := indicators(r)
		if r.Successes+len(r.Warnings)+len(r.Failures)+len(r.Exceptions) == 0 {
			fmt.Fprintln(w, colorize(o.color, "?", white), indicator, namespace, "no policies found")
			continue
		}
		for _, x := range r.Warnings {
			fmt.Fprintln(w, colorize(o.color, "WARN", yellow), indicator, namespace, x.Message)
		}
		for _, x := range r.Failures {
			fmt.Fprintln(w, colorize(o.color, "FAIL", red), indicator, namespace, x.Message)
		}
		if !o.suppressExceptions {
			for _, x := range r.Exceptions {
				fmt.Fprintln(w, colorize(o.color, "EXCP", cyan), indicator, namespace, x.Message)
			}
		}
	}
	t := results.totals()
	c := green
	switch {
	case t.failures > 0:
		c = red
	case t.warnings > 0:
		c = yellow
	case t.exceptions > 0:
		c = cyan
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintln(w, colorize(o.color, t.summary(), c))
	return err
}

func writeTrace(w io.Writer, results checkResults, color bool) {
	for _, r := range results {
		for _, q := range r.queries {
			c := green
			if !q.passed {
				c = red
			}
			fmt.Fprintln(w, colorize(color, "file: "+r.FileName+" | query: "+q.query, c))
			for _, t := range q.traces {
				fmt.Fprintln(w, colorize(color, "TRAC ", blue), "", t)
			}
		}
	}
}

func writeJSON(w io.Writer, results checkResults) error {
	out := slices.Clone(results)
	for i := range out {
		if out[i].FileName == "-" {
			out[i].FileName = ""
		}
	}
	if out == nil {
		out = checkResults{}
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

func writeTAP(w io.Writer, results checkResults) error {
	for _, r := range results {
		indicator, namespace := indicators(r)
		total := r.Successes + len(r.Warnings) + len(r.Failures) + len(r.Exceptions)
		if total == 0 {
			// conftest stops at the first file without policies.
			return nil
		}
		fmt.Fprintf(w, "1..%d\n", total)
		success := make([]outResult, r.Successes)
		for i := range success {
			success[i].Message = "SUCCESS"
		}
		sections := []struct {
			header, status string
			results        []outResult
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
				fmt.Fprintf(w, "%s %d %s %s %s\n", s.status, counter, indicator, namespace, x.Message)
				counter++
			}
		}
	}
	return nil
}

func writeTable(w io.Writer, results checkResults) error {
	var rows [][]string
	for _, r := range results {
		for range r.Successes {
			rows = append(rows, []string{"success", r.FileName, r.Namespace, "SUCCESS"})
		}
		for _, x := range r.Exceptions {
			rows = append(rows, []string{"exception", r.FileName, r.Namespace, x.Message})
		}
		for _, x := range r.Warnings {
			rows = append(rows, []string{"warning", r.FileName, r.Namespace, x.Message})
		}
		for _, x := range r.Failures {
			rows = append(rows, []string{"failure", r.FileName, r.Namespace, x.Message})
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

// JUnit, in the XML shape of go-junit-report's formatter (used by conftest).
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Time       string          `xml:"time,attr"`
	Name       string          `xml:"name,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	TestCases  []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Skip      *junitSkip    `xml:"skipped,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitSkip struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message  string `xml:"message,attr"`
	Type     string `xml:"type,attr"`
	Contents string `xml:",chardata"`
}

// junitGoVersion is the go.version property (a variable so tests can pin it).
var junitGoVersion = runtime.Version()

func writeJUnit(w io.Writer, results checkResults, hideMessage bool) error {
	name := func(file, msg string) string {
		if hideMessage || msg == "" {
			return file
		}
		return fmt.Sprintf("%s - %s", file, strings.Split(msg, "\n")[0])
	}
	tests := map[string][]junitCase{}
	var order []string
	add := func(ns string, c junitCase) {
		if _, ok := tests[ns]; !ok {
			order = append(order, ns)
		}
		c.Classname = "conftest." + ns
		c.Time = "0.000"
		tests[ns] = append(tests[ns], c)
	}
	for _, r := range results {
		for _, x := range r.Warnings {
			add(r.Namespace, junitCase{Name: name(r.FileName, x.Message), Failure: &junitFailure{Message: "Failed", Contents: x.Message}})
		}
		for _, x := range r.Failures {
			add(r.Namespace, junitCase{Name: name(r.FileName, x.Message), Failure: &junitFailure{Message: "Failed", Contents: x.Message}})
		}
		for range r.Successes {
			add(r.Namespace, junitCase{Name: name(r.FileName, "")})
		}
	}
	sort.Strings(order)
	suites := junitSuites{}
	for _, ns := range order {
		s := junitSuite{
			Tests:      len(tests[ns]),
			Time:       "0.000",
			Name:       "conftest." + ns,
			Properties: []junitProperty{{"go.version", junitGoVersion}},
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

func writeGitHub(w io.Writer, results checkResults) error {
	writeLoc := func(level string, loc outLocation, msg string) {
		fmt.Fprintf(w, "::%s file=%s,line=%s::%s\n", level, loc.File, loc.Line, msg)
	}
	writeLocs := func(level string, file string, x outResult, msg string) {
		fileLoc := outLocation{File: file, Line: "1"}
		if x.line > 0 {
			fileLoc.Line = json.Number(strconv.Itoa(x.line))
		}
		og := x.Location
		switch {
		case og == nil:
			writeLoc(level, fileLoc, msg)
		case og.File == fileLoc.File:
			writeLoc(level, *og, msg)
		default:
			rel := outLocation{File: relPath(og.File), Line: og.Line}
			writeLoc(level, rel, msg)
			writeLoc(level, fileLoc, fmt.Sprintf("(ORIGINATING FROM %s) %s", rel, msg))
		}
	}
	for _, r := range results {
		n := r.Successes + len(r.Failures) + len(r.Warnings) + len(r.Exceptions)
		fmt.Fprintf(w, "::group::Testing %q against %d policies in namespace %q\n", r.FileName, n, r.Namespace)
		for _, x := range r.Failures {
			writeLocs("error", r.FileName, x, x.Message)
		}
		for _, x := range r.Warnings {
			writeLocs("warning", r.FileName, x, x.Message)
		}
		for _, x := range r.Exceptions {
			writeLocs("notice", r.FileName, x, x.Message)
		}
		writeLoc("notice", outLocation{File: r.FileName, Line: "1"}, fmt.Sprintf("Number of successful checks: %d", r.Successes))
		fmt.Fprintln(w, "::endgroup::")
	}
	_, err := fmt.Fprintln(w, results.totals().summary())
	return err
}
