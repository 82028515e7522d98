package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

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
// (a syntax error) get a test case named after their line. The cases are
// gathered first with the indexes of their findings, and each failure is
// made as it is written: the same bytes as encoding junitSuites whole
// (stream_test.go), without holding every finding's texts.
func (junitFormat) Format(w io.Writer, r *Report, _ Options) error {
	type key struct {
		file string
		name string
	}
	type testCase struct {
		name     string
		findings []int32
	}
	suites := map[string][]testCase{}
	cases := map[key]int{} // index into the suite's cases
	files := r.files()
	add := func(file, name string) int {
		k := key{file, name}
		i, ok := cases[k]
		if !ok {
			i = len(suites[file])
			cases[k] = i
			suites[file] = append(suites[file], testCase{name: name})
		}
		return i
	}
	for _, in := range r.Inputs {
		for _, o := range in.Objects {
			add(in.File, junitCaseName(o, 0))
		}
	}
	for i, f := range r.all() {
		c := add(f.File, junitCaseName(f.Object, f.Line))
		suites[f.File][c].findings = append(suites[f.File][c].findings, int32(i))
	}
	failures := func(cs []testCase) int {
		n := 0
		for _, c := range cs {
			if len(c.findings) > 0 {
				n++
			}
		}
		return n
	}
	tests, failed := 0, 0
	for _, file := range files {
		tests += len(suites[file])
		failed += failures(suites[file])
	}
	attr := func(name, value string) xml.Attr { return xml.Attr{Name: xml.Name{Local: name}, Value: value} }
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	root := xml.StartElement{Name: xml.Name{Local: "testsuites"}, Attr: []xml.Attr{attr("name", "kvet"),
		attr("tests", strconv.Itoa(tests)), attr("failures", strconv.Itoa(failed)), attr("errors", "0"),
		attr("time", fmt.Sprintf("%.3f", r.Duration.Seconds()))}}
	failure := xml.StartElement{Name: xml.Name{Local: "failure"}}
	if err := enc.EncodeToken(root); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	for _, file := range files {
		cs := suites[file]
		suite := xml.StartElement{Name: xml.Name{Local: "testsuite"}, Attr: []xml.Attr{attr("name", file),
			attr("tests", strconv.Itoa(len(cs))), attr("failures", strconv.Itoa(failures(cs))), attr("errors", "0"), attr("skipped", "0")}}
		if err := enc.EncodeToken(suite); err != nil {
			return fmt.Errorf("junit: %w", err)
		}
		for _, c := range cs {
			tc := xml.StartElement{Name: xml.Name{Local: "testcase"}, Attr: []xml.Attr{attr("name", c.name), attr("classname", file)}}
			if err := enc.EncodeToken(tc); err != nil {
				return fmt.Errorf("junit: %w", err)
			}
			for _, i := range c.findings {
				f := r.at(int(i))
				text := fmt.Sprintf("%s:%d:%d: %s[%s]: %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
				if len(f.Path) > 0 {
					text += "\npath: " + f.Path.String()
				}
				if f.Help != "" {
					text += "\nhelp: " + f.Help
				}
				if err := enc.EncodeElement(junitFailure{Message: f.Message, Type: f.Rule, Text: text}, failure); err != nil {
					return fmt.Errorf("junit: %w", err)
				}
			}
			if err := enc.EncodeToken(tc.End()); err != nil {
				return fmt.Errorf("junit: %w", err)
			}
		}
		if err := enc.EncodeToken(suite.End()); err != nil {
			return fmt.Errorf("junit: %w", err)
		}
	}
	if err := enc.EncodeToken(root.End()); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	if _, err := bw.WriteString("\n"); err != nil {
		return err
	}
	return bw.Flush()
}

// junitCaseName names an object's test case; a finding that is not about
// an object is named after its line.
func junitCaseName(o rule.ObjectRef, line int) string {
	if name := objectName(o); name != "" {
		return name
	}
	return fmt.Sprintf("document at line %d", line)
}
