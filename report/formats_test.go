package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kvetdev/kvet/rule"
)

// TestJUnit parses the XML and counts suites, cases and failures.
func TestJUnit(t *testing.T) {
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name     string `xml:"name,attr"`
				Failures []struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(format(t, "junit", sampleReport()), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 3 {
		t.Fatalf("%d suites, want 3 (one per file)", len(doc.Suites))
	}
	cases, failing, failures := 0, 0, 0
	for _, s := range doc.Suites {
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d but %d cases", s.Name, s.Tests, len(s.Cases))
		}
		sf := 0
		for _, c := range s.Cases {
			cases++
			failures += len(c.Failures)
			if len(c.Failures) > 0 {
				sf++
			}
		}
		if s.Failures != sf {
			t.Errorf("suite %s: failures=%d but %d failing cases", s.Name, s.Failures, sf)
		}
		failing += sf
	}
	// job.yaml: the Job (4 findings) and a clean ServiceAccount;
	// broken.yaml: the broken document; clean.yaml: a clean Deployment.
	if cases != 4 || failing != 2 || failures != 5 || doc.Tests != 4 || doc.Failures != 2 {
		t.Errorf("cases %d failing %d failures %d (totals %d/%d), want 4, 2, 5 (4/2)", cases, failing, failures, doc.Tests, doc.Failures)
	}
	f := doc.Suites[0].Cases[0].Failures[0]
	if doc.Suites[0].Name != "deploy/job.yaml" || f.Type != "job-restart-policy" ||
		!strings.Contains(f.Text, "deploy/job.yaml:9:22") || !strings.Contains(f.Text, "help: set spec.template.spec.restartPolicy") {
		t.Errorf("unexpected first failure: %+v", f)
	}
}

// TestGitHubEscaping checks GitHub's escaping of messages and properties.
func TestGitHubEscaping(t *testing.T) {
	r := &Report{Findings: []rule.Finding{{
		Rule: "odd-rule", Severity: rule.Warning, File: "a,b:c%.yaml", Line: 3, Column: 4,
		Message: "100% bad: a, b\r\nnext line",
	}}}
	got := string(format(t, "github", r))
	want := "::warning file=a%2Cb%3Ac%25.yaml,line=3,col=4,title=kvet(odd-rule)::100%25 bad: a, b%0D%0Anext line\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := githubEscape("%\r\n:,", true); got != "%25%0D%0A%3A%2C" {
		t.Errorf("githubEscape(property) = %q", got)
	}
	r.Findings[0].Severity = rule.Info
	r.Findings[0].Line, r.Findings[0].Column = 0, 0
	if got := string(format(t, "github", r)); !strings.HasPrefix(got, "::notice file=a%2Cb%3Ac%25.yaml,title=") {
		t.Errorf("info without position: %q", got)
	}
}

var tapPoint = regexp.MustCompile(`^(not ok|ok) (\d+)(?: - (.*))?$`)

// tapResult is what parseTAP reads.
type tapResult struct {
	plan   int
	skip   bool
	points []tapPointResult
}

type tapPointResult struct {
	ok   bool
	desc string
	diag map[string]any
}

// parseTAP is a strict TAP 13 reader: version line, plan, numbered test
// points and YAML blocks indented by two spaces between "---" and "...".
func parseTAP(out []byte) (tapResult, error) {
	var res tapResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	if !sc.Scan() || sc.Text() != "TAP version 13" {
		return res, fmt.Errorf("first line is not TAP version 13")
	}
	if !sc.Scan() {
		return res, fmt.Errorf("no plan")
	}
	plan := sc.Text()
	if p, ok := strings.CutPrefix(plan, "1..0 # SKIP"); ok && p != "" {
		res.skip = true
	} else if n, ok := strings.CutPrefix(plan, "1.."); ok {
		v, err := strconv.Atoi(n)
		if err != nil {
			return res, fmt.Errorf("bad plan %q", plan)
		}
		res.plan = v
	} else {
		return res, fmt.Errorf("bad plan %q", plan)
	}
	for sc.Scan() {
		line := sc.Text()
		if line == "  ---" {
			if len(res.points) == 0 {
				return res, fmt.Errorf("YAML block before any test point")
			}
			var block strings.Builder
			closed := false
			for sc.Scan() {
				l := sc.Text()
				if l == "  ..." {
					closed = true
					break
				}
				rest, ok := strings.CutPrefix(l, "  ")
				if !ok {
					return res, fmt.Errorf("YAML line not indented: %q", l)
				}
				block.WriteString(rest + "\n")
			}
			if !closed {
				return res, fmt.Errorf("unterminated YAML block")
			}
			diag := map[string]any{}
			if err := yaml.Unmarshal([]byte(block.String()), &diag); err != nil {
				return res, fmt.Errorf("YAML block: %w", err)
			}
			res.points[len(res.points)-1].diag = diag
			continue
		}
		m := tapPoint.FindStringSubmatch(line)
		if m == nil {
			return res, fmt.Errorf("unexpected line %q", line)
		}
		if n, _ := strconv.Atoi(m[2]); n != len(res.points)+1 {
			return res, fmt.Errorf("test point %d out of order", n)
		}
		res.points = append(res.points, tapPointResult{ok: m[1] == "ok", desc: m[3]})
	}
	if len(res.points) != res.plan {
		return res, fmt.Errorf("plan 1..%d but %d test points", res.plan, len(res.points))
	}
	return res, nil
}

func TestTAP(t *testing.T) {
	res, err := parseTAP(format(t, "tap", sampleReport()))
	if err != nil {
		t.Fatal(err)
	}
	if res.plan != 6 {
		t.Fatalf("plan %d, want 6 (5 findings, 1 clean file)", res.plan)
	}
	notOK := 0
	for _, p := range res.points {
		if !p.ok {
			notOK++
			if p.diag["rule"] == nil || p.diag["severity"] == nil || p.diag["path"] == nil {
				t.Errorf("diagnostic of %q lacks rule, severity or path: %v", p.desc, p.diag)
			}
		}
	}
	if notOK != 5 {
		t.Errorf("%d not ok, want 5", notOK)
	}
	p := res.points[1]
	if p.desc != "deploy/job.yaml:9:22 job-restart-policy: restartPolicy is Always; a Job's pods must end, so it must be Never or OnFailure" ||
		p.diag["help"] != "set spec.template.spec.restartPolicy to Never or OnFailure" {
		t.Errorf("unexpected test point: %+v", p)
	}
	if last := res.points[5]; !last.ok || last.desc != "deploy/clean.yaml: no findings" {
		t.Errorf("clean file: %+v", last)
	}

	// A clean run: one ok per file. No files: a skipped plan.
	res, err = parseTAP(format(t, "tap", &Report{Inputs: []Input{{File: "a.yaml"}, {File: "b.yaml"}}}))
	if err != nil || res.plan != 2 || !res.points[0].ok || !res.points[1].ok {
		t.Errorf("clean run: %+v %v", res, err)
	}
	res, err = parseTAP(format(t, "tap", &Report{}))
	if err != nil || !res.skip {
		t.Errorf("empty run: %+v %v", res, err)
	}

	// Descriptions stay on one line; # cannot start a directive; YAML
	// values are quoted as needed.
	odd := &Report{Findings: []rule.Finding{{Rule: "r", Severity: rule.Error, File: "x.yaml", Line: 1, Column: 1,
		Message: "a # TODO b\nc: - [d] \"e\""}}}
	out := format(t, "tap", odd)
	res, err = parseTAP(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.points[0].desc != `x.yaml:1:1 r: a \# TODO b c: - [d] "e"` || res.points[0].diag["message"] != odd.Findings[0].Message {
		t.Errorf("escaping: %+v", res.points[0])
	}
}
