package main

import (
	"encoding/json"
	"testing"
)

// TestReferenceRelatedJSON: a reference finding carries the other object's
// place in JSON's related (SARIF and LSP write the same field).
func TestReferenceRelatedJSON(t *testing.T) {
	for _, c := range []struct {
		rule, file string
		line       int // of the finding
		related    string
		relLine    int
	}{
		{"ingress-backend", "rules/testdata/ingress-backend/cases.yaml", 35, "Service web", 2},
		{"hpa-target", "rules/testdata/hpa-target/cases.yaml", 27, "Deployment web", 2},
		{"route-backend", "rules/testdata/route-backend/cases.yaml", 29, "Service web", 2},
		{"pod-reference", "rules/testdata/pod-reference/cases.yaml", 46, "ConfigMap settings", 6},
		// A selector that selects nothing: the Service with one of its keys.
		{"monitor-selector", "rules/testdata/monitor-selector/cases.yaml", 37, "Service web", 2},
		{"monitor-selector", "rules/testdata/monitor-selector/cases.yaml", 49, "Deployment web", 11},
	} {
		r := kvet(t, "", "lint", "-o", "json", "--enable", c.rule, c.file)
		var out struct {
			Findings []struct {
				Rule    string `json:"rule"`
				Line    int    `json:"line"`
				Related []struct {
					File    string `json:"file"`
					Line    int    `json:"line"`
					Message string `json:"message"`
				} `json:"related"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("%s: %v\n%s%s", c.rule, err, r.stdout, r.stderr)
		}
		found := false
		for _, f := range out.Findings {
			if f.Rule != c.rule || f.Line != c.line {
				continue
			}
			found = true
			if len(f.Related) != 1 || f.Related[0].File != c.file || f.Related[0].Line != c.relLine || f.Related[0].Message != c.related {
				t.Errorf("%s at line %d: related = %+v, want %s at %s:%d", c.rule, c.line, f.Related, c.related, c.file, c.relLine)
			}
		}
		if !found {
			t.Errorf("no %s finding at line %d:\n%s", c.rule, c.line, r.stdout)
		}
	}
}
