package validate_test

import (
	"path/filepath"
	"testing"

	"github.com/kvetdev/kvet/internal/wanttest"
	"github.com/kvetdev/kvet/rules"
)

// TestFixtures runs the end-to-end fixtures (../testdata/e2e/*.yaml)
// through the # want harness: each file's "# kvet:" settings, its wants
// and its text snapshot (<file>.snap).
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("../testdata/e2e/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in ../testdata/e2e")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			for _, fd := range wanttest.Run(t, f) {
				if rules.Lookup(fd.Rule) == nil {
					t.Errorf("%s:%d:%d: finding of %q, which is no declared rule", fd.File, fd.Line, fd.Column, fd.Rule)
				}
			}
		})
	}
}
