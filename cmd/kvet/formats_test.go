package main

import (
	"encoding/json"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
)

// TestOutputFormats runs every -o format end to end: the exit code does
// not depend on the format, and each output is what its readers parse.
func TestOutputFormats(t *testing.T) {
	const mistakes = "testdata/lint/mistakes.yaml"
	jr := kvet(t, "", "lint", "-o", "json", mistakes)
	var want struct{ Findings []json.RawMessage }
	if err := json.Unmarshal([]byte(jr.stdout), &want); err != nil {
		t.Fatal(err)
	}
	n := len(want.Findings)

	r := kvet(t, "", "lint", "-o", "sarif", mistakes)
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct{ Name, Version string }
			}
			Results []json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil || r.code != 1 {
		t.Fatalf("sarif: exit %d, %v", r.code, err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != n || log.Runs[0].Tool.Driver.Version == "" {
		t.Errorf("sarif: %+v", log)
	}

	r = kvet(t, "", "lint", "-o", "junit", mistakes, "testdata/lint/clean.yaml")
	var suites struct {
		Tests  int `xml:"tests,attr"`
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Failures []struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &suites); err != nil || r.code != 1 {
		t.Fatalf("junit: exit %d, %v", r.code, err)
	}
	failures := 0
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			failures += len(c.Failures)
		}
	}
	if len(suites.Suites) != 2 || failures != n || suites.Suites[1].Name != "testdata/lint/clean.yaml" || len(suites.Suites[1].Cases) == 0 {
		t.Errorf("junit: %d suites, %d failures (want 2, %d):\n%s", len(suites.Suites), failures, n, r.stdout)
	}

	r = kvet(t, "", "lint", "-o", "github", mistakes)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	command := regexp.MustCompile(`^::(error|warning|notice) file=testdata/lint/mistakes\.yaml,line=\d+,col=\d+,title=kvet\([a-z-]+\)::`)
	errs := 0
	for _, l := range lines {
		if !command.MatchString(l) {
			t.Errorf("github: not a workflow command: %q", l)
		}
		if strings.HasPrefix(l, "::error ") {
			errs++
		}
	}
	if r.code != 1 || len(lines) != n || errs != 5 {
		t.Errorf("github: exit %d, %d lines (want %d), %d errors (want 5)\n%s", r.code, len(lines), n, errs, r.stdout)
	}

	r = kvet(t, "", "lint", "-o", "tap", "testdata/lint/clean.yaml")
	if r.code != 0 || r.stdout != "TAP version 13\n1..1\nok 1 - testdata/lint/clean.yaml: no findings\n" {
		t.Errorf("tap, clean: exit %d\n%s", r.code, r.stdout)
	}
	r = kvet(t, "", "lint", "-o", "tap", mistakes)
	if r.code != 1 || strings.Count(r.stdout, "\nnot ok ") != n {
		t.Errorf("tap: exit %d\n%s", r.code, r.stdout)
	}

	r = kvet(t, "", "lint", "-o", "gitlab", mistakes)
	var issues []struct {
		CheckName string `json:"check_name"`
		Location  struct{ Path string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &issues); err != nil || r.code != 1 || len(issues) != n || issues[0].Location.Path != mistakes {
		t.Errorf("gitlab: exit %d, %v, %d issues (want %d)\n%s", r.code, err, len(issues), n, r.stdout)
	}
	r = kvet(t, "", "lint", "-o", "checkstyle", mistakes)
	var cs struct {
		Files []struct {
			Errors []struct{} `xml:"error"`
		} `xml:"file"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &cs); err != nil || r.code != 1 || len(cs.Files) != 1 || len(cs.Files[0].Errors) != n {
		t.Errorf("checkstyle: exit %d, %v\n%s", r.code, err, r.stdout)
	}
}
