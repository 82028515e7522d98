package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kvetdev/kvet/rule"
)

// TestGitLabSchema validates -o gitlab against the Code Quality report
// format GitLab documents (testdata/gitlab-codequality.schema.json), and
// checks what the schema cannot: fingerprints unique within a report and
// equal to the SARIF ones, severities mapped, findings without a line at
// line 1.
func TestGitLabSchema(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "gitlab-codequality.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const url = "file:///gitlab-codequality.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	odd := sampleReport()
	odd.Findings = append(odd.Findings,
		rule.Finding{Rule: "yaml-syntax", Severity: rule.Error, Message: "x", File: "<stdin>"},
		rule.Finding{Rule: "yaml-syntax", Severity: rule.Error, Message: "x", File: "<stdin>"})
	for name, r := range map[string]*Report{"sample": sampleReport(), "odd": odd, "empty": {}} {
		out := format(t, "gitlab", r)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: not a GitLab Code Quality report: %v\n%s", name, err, out)
		}
		var issues []struct {
			Fingerprint string `json:"fingerprint"`
			Severity    string `json:"severity"`
			Location    struct {
				Lines struct{ Begin int } `json:"lines"`
			} `json:"location"`
		}
		if err := json.Unmarshal(out, &issues); err != nil {
			t.Fatal(err)
		}
		if len(issues) != len(r.Findings) {
			t.Fatalf("%s: %d issues for %d findings", name, len(issues), len(r.Findings))
		}
		prints := Fingerprints(r.Findings)
		seen := map[string]bool{}
		for i, is := range issues {
			if seen[is.Fingerprint] {
				t.Errorf("%s: fingerprint %s twice", name, is.Fingerprint)
			}
			seen[is.Fingerprint] = true
			if is.Fingerprint != prints[i] {
				t.Errorf("%s: issue %d's fingerprint %s is not the SARIF one, %s", name, i, is.Fingerprint, prints[i])
			}
			if want := map[rule.Severity]string{rule.Error: "major", rule.Warning: "minor", rule.Info: "info"}[r.Findings[i].Severity]; is.Severity != want {
				t.Errorf("%s: issue %d: severity %s, want %s", name, i, is.Severity, want)
			}
			if want := max(r.Findings[i].Line, 1); is.Location.Lines.Begin != want {
				t.Errorf("%s: issue %d: line %d, want %d", name, i, is.Location.Lines.Begin, want)
			}
		}
	}
}

// TestFingerprintsGiven: a report that carries its findings' fingerprints
// (computed before --baseline filtered some out) keeps them in sarif and
// gitlab, rather than renumbering the findings that remain.
func TestFingerprintsGiven(t *testing.T) {
	r := sampleReport()
	r.Fingerprints = make([]string, len(r.Findings))
	for i := range r.Fingerprints {
		r.Fingerprints[i] = "given" + string(rune('a'+i))
	}
	for _, name := range []string{"gitlab", "sarif"} {
		if out := format(t, name, r); !bytes.Contains(out, []byte(`"givenb"`)) {
			t.Errorf("%s ignores Report.Fingerprints:\n%s", name, out)
		}
	}
}

// TestCheckstyle parses the XML: one <file> per file with findings, one
// <error> per finding, with Checkstyle's severities.
func TestCheckstyle(t *testing.T) {
	var doc struct {
		Version string `xml:"version,attr"`
		Files   []struct {
			Name   string `xml:"name,attr"`
			Errors []struct {
				Line     int    `xml:"line,attr"`
				Column   int    `xml:"column,attr"`
				Severity string `xml:"severity,attr"`
				Message  string `xml:"message,attr"`
				Source   string `xml:"source,attr"`
			} `xml:"error"`
		} `xml:"file"`
	}
	if err := xml.Unmarshal(format(t, "checkstyle", sampleReport()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "4.3" || len(doc.Files) != 2 || doc.Files[0].Name != "deploy/broken.yaml" || len(doc.Files[1].Errors) != 4 {
		t.Fatalf("unexpected checkstyle document: %+v", doc)
	}
	e := doc.Files[1].Errors[0]
	if e.Line != 9 || e.Column != 22 || e.Severity != "error" || e.Source != "kvet.job-restart-policy" ||
		e.Message != "restartPolicy is Always; a Job's pods must end, so it must be Never or OnFailure (help: set spec.template.spec.restartPolicy to Never or OnFailure)" {
		t.Errorf("unexpected first error: %+v", e)
	}
	if got := doc.Files[1].Errors[3].Severity; got != "info" {
		t.Errorf("info finding has severity %q", got)
	}
}
