package validate_test

import (
	"path/filepath"
	"testing"

	"github.com/kvetdev/kvet/internal/wanttest"
	"github.com/kvetdev/kvet/policies"
	"github.com/kvetdev/kvet/rules"
)

// TestFixtures runs the end-to-end fixtures (../testdata/e2e/*.yaml)
// through the # want harness: each file's "# kvet:" settings, its wants
// and its text snapshot (<file>.snap).
//
// It also holds the bundled policies to their METADATA: every finding of a
// bundled policy carries the id and the severity its METADATA declares
// (rules.PolicyRules reads them from there), and the fixtures make every
// bundled policy fire at least once.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("../testdata/e2e/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in ../testdata/e2e")
	}
	fired := map[string]bool{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			for _, fd := range wanttest.Run(t, f) {
				r := rules.Lookup(fd.Rule)
				if r == nil {
					t.Errorf("%s:%d:%d: finding of %q, which is no declared rule", fd.File, fd.Line, fd.Column, fd.Rule)
					continue
				}
				if r.Group == "" {
					continue
				}
				fired[r.ID] = true
				if fd.Severity != r.Severity {
					t.Errorf("%s:%d:%d: %s reported at severity %s, but its METADATA says %s", fd.File, fd.Line, fd.Column, fd.Rule, fd.Severity, r.Severity)
				}
			}
		})
	}
	list, err := policies.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if !fired[p.ID] {
			t.Errorf("bundled policy %s (%s) fires in no fixture of ../testdata/e2e", p.ID, p.File)
		}
	}
}
