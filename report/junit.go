package report

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/kvetdev/kvet/rule"
)

// junitFormat writes JUnit XML, which CI systems (GitLab, Jenkins, Azure
// Pipelines, ...) show as test results.
type junitFormat struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Failures  []junitFailure `xml:"failure"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Format writes one <testsuite> per file and one <testcase> per object
// (passing objects too, when the report lists its inputs), with one
// <failure> per finding. Findings about a document that is not an object
// (a syntax error) get a test case named after their line.
func (junitFormat) Format(w io.Writer, r *Report, _ Options) error {
	type key struct {
		file string
		name string
	}
	suites := map[string]*junitSuite{}
	cases := map[key]int{} // index into the suite's Cases
	files := r.files()
	for _, file := range files {
		suites[file] = &junitSuite{Name: file}
	}
	add := func(file, name string) *junitCase {
		s := suites[file]
		k := key{file, name}
		i, ok := cases[k]
		if !ok {
			i = len(s.Cases)
			cases[k] = i
			s.Cases = append(s.Cases, junitCase{Name: name, Classname: file})
		}
		return &s.Cases[i]
	}
	for _, in := range r.Inputs {
		for _, o := range in.Objects {
			add(in.File, junitCaseName(o, 0))
		}
	}
	for _, f := range r.all() {
		c := add(f.File, junitCaseName(f.Object, f.Line))
		text := fmt.Sprintf("%s:%d:%d: %s[%s]: %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
		if len(f.Path) > 0 {
			text += "\npath: " + f.Path.String()
		}
		if f.Help != "" {
			text += "\nhelp: " + f.Help
		}
		c.Failures = append(c.Failures, junitFailure{Message: f.Message, Type: f.Rule, Text: text})
	}
	out := junitSuites{Name: "kvet", Time: fmt.Sprintf("%.3f", r.Duration.Seconds())}
	for _, file := range files {
		s := suites[file]
		s.Tests = len(s.Cases)
		for _, c := range s.Cases {
			if len(c.Failures) > 0 {
				s.Failures++
			}
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitCaseName names an object's test case; a finding that is not about
// an object is named after its line.
func junitCaseName(o rule.ObjectRef, line int) string {
	if name := objectName(o); name != "" {
		return name
	}
	return fmt.Sprintf("document at line %d", line)
}
