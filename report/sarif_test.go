package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// sarifSchemaPath is the official OASIS schema, kept in ../shared next to
// the repository (the test machines cannot download it).
var sarifSchemaPath = filepath.Join("..", "..", "shared", "schemas", "sarif-schema-2.1.0.json")

func loadSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaPath)
	if err != nil {
		t.Skipf("SARIF schema not available (%v): the schema test needs ../shared/schemas next to the repository", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", sarifSchemaPath, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "file:///sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSARIFSchema validates the output against the SARIF 2.1.0 schema.
func TestSARIFSchema(t *testing.T) {
	schema := loadSARIFSchema(t)
	odd := sampleReport()
	// Paths a URI must escape, an absolute path, a finding without a
	// position, and a report without rules or version.
	odd.Findings = append(odd.Findings,
		rule.Finding{Rule: "yaml-syntax", Severity: rule.Error, Message: "x", File: "my dir/a b#1.yaml", Line: 1, Column: 1},
		rule.Finding{Rule: "yaml-syntax", Severity: rule.Error, Message: "x", File: "<stdin>"},
		rule.Finding{Rule: "yaml-syntax", Severity: rule.Error, Message: "x", File: "/abs/c:d.yaml", Line: 2},
		// A fix: a replacement and an insertion.
		rule.Finding{Rule: "duplicate-object", Severity: rule.Error, Message: "x", File: "a.yaml", Line: 3, Column: 9,
			Related: []rule.Related{{File: "my dir/b.yaml", Line: 1, Message: "the first definition"}}},
		rule.Finding{Rule: "job-restart-policy", Severity: rule.Error, Message: "x", File: "a.yaml", Line: 9, Column: 22,
			Fix: &manifest.Fix{Title: "set restartPolicy: Never", Safe: true, Edits: []manifest.Edit{
				{From: manifest.Position{Line: 9, Column: 22}, To: manifest.Position{Line: 9, Column: 28}, Text: "Never"},
				{From: manifest.Position{Line: 10, Column: 1}, To: manifest.Position{Line: 10, Column: 1}, Text: "# x\n"},
			}}},
	)
	odd.Unchecked = []rule.KindCount{{APIVersion: "cert-manager.io/v1", Kind: "Certificate", Count: 2}}
	for name, r := range map[string]*Report{
		"sample": sampleReport(),
		"odd":    odd,
		"empty":  {},
	} {
		t.Run(name, func(t *testing.T) {
			out := format(t, "sarif", r)
			if want := name == "odd"; bytes.Contains(out, []byte(`"insertedContent": {`)) != want || bytes.Contains(out, []byte(`"deletedRegion": {`)) != want {
				t.Errorf("fixes present %v, want %v", !want, want)
			}
			if want := len(r.Unchecked) > 0; bytes.Contains(out, []byte(`"notChecked": 2`)) != want {
				t.Errorf("run properties: notChecked present %v, want %v\n%s", !want, want, out)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Errorf("output is not valid SARIF 2.1.0: %v\n%s", err, out)
			}
		})
	}
}

// TestSARIFRules checks that every result points at its rule, including
// rules that did not run (internal-error).
func TestSARIFRules(t *testing.T) {
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID                   string
						DefaultConfiguration struct{ Level string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(format(t, "sarif", sampleReport()), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Results) != len(sampleReport().Findings) {
		t.Fatalf("%d results, want %d", len(run.Results), len(sampleReport().Findings))
	}
	rules := run.Tool.Driver.Rules
	for _, res := range run.Results {
		if res.RuleIndex >= len(rules) || rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result of %s has ruleIndex %d, which is not that rule", res.RuleID, res.RuleIndex)
		}
	}
	r := run.Results[1]
	loc := r.Locations[0].PhysicalLocation
	if r.RuleID != "job-restart-policy" || r.Level != "error" || loc.ArtifactLocation.URI != "deploy/job.yaml" || loc.Region.StartLine != 9 || loc.Region.StartColumn != 22 {
		t.Errorf("unexpected result: %+v", r)
	}
	levels := map[string]string{}
	for _, ru := range rules {
		levels[ru.ID] = ru.DefaultConfiguration.Level
	}
	if levels["image-tag"] != "warning" || levels["internal-error"] != "error" {
		t.Errorf("default levels: %v", levels)
	}
}

func TestSARIFURI(t *testing.T) {
	for in, want := range map[string]string{
		"deploy/job.yaml":  "deploy/job.yaml",
		"my dir/a#1.yaml":  "my%20dir/a%231.yaml",
		"<stdin>":          "%3Cstdin%3E",
		"a:b.yaml":         "./a:b.yaml",
		"/abs/x y/j.yaml":  "file:///abs/x%20y/j.yaml",
		"../up/j.yaml":     "../up/j.yaml",
		"./here/job.yaml":  "./here/job.yaml",
		"deploy/100%.yaml": "deploy/100%25.yaml",
	} {
		if got := sarifURI(in); got != want {
			t.Errorf("sarifURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// Fingerprints do not move when lines do: the same findings three lines
// further down, with messages that name lines, keep their fingerprints;
// findings that share rule, file, object and path are told apart by order.
func TestFingerprintsStable(t *testing.T) {
	obj := rule.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Name: "c"}
	at := func(shift int) []rule.Finding {
		return []rule.Finding{
			{Rule: "duplicate-key", File: "a.yaml", Line: 4 + shift, Column: 3, Path: manifest.MustParsePath("data.x"), Object: obj,
				Message: fmt.Sprintf("key x repeats the one on line %d", 2+shift)},
			{Rule: "duplicate-key", File: "a.yaml", Line: 5 + shift, Column: 3, Path: manifest.MustParsePath("data.x"), Object: obj,
				Message: fmt.Sprintf("key x repeats the one on line %d", 2+shift)},
			{Rule: "duplicate-key", File: "b.yaml", Line: 4 + shift, Column: 3, Path: manifest.MustParsePath("data.x"), Object: obj},
		}
	}
	before, after := Fingerprints(at(0)), Fingerprints(at(3))
	if !slices.Equal(before, after) {
		t.Errorf("fingerprints changed when the lines moved:\n%v\n%v", before, after)
	}
	if before[0] == before[1] || before[0] == before[2] || before[1] == before[2] {
		t.Errorf("distinct findings share a fingerprint: %v", before)
	}
}

// TestSarifLevelsAreSeverityNames: each SARIF level kvet writes reads back
// as its severity through rule's one table of severity names.
func TestSarifLevelsAreSeverityNames(t *testing.T) {
	for _, s := range []rule.Severity{rule.Info, rule.Warning, rule.Error} {
		if got, err := rule.ParseSeverity(sarifLevel(s)); err != nil || got != s {
			t.Errorf("SARIF level %q of %v reads back as %v, %v", sarifLevel(s), s, got, err)
		}
	}
}
