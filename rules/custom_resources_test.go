package rules_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kvetdev/kvet/internal/wanttest"
)

// A custom resource is checked against a CRD in another file that comes
// later in walk order; of two different definitions of one CRD, each
// resource gets the one in its nearest folder, and the findings say so.
func TestCRDInAnotherFile(t *testing.T) {
	dir := filepath.Join("testdata", "cr-schema", "split")
	out, _ := wanttest.Lint(t, dir, wanttest.Settings{KubeVersion: "1.37", MaxNodes: 1_000_000, MaxDepth: 200, Enable: []string{"cr-validation"}})
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.yaml"))
	if len(files) != 4 {
		t.Fatalf("%d fixture files, want 4", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wants, err := wanttest.ParseWants(data)
		if err != nil {
			t.Fatal(err)
		}
		got := out.Findings[:0:0]
		for _, fi := range out.Findings {
			if fi.File == f {
				got = append(got, fi)
			}
		}
		wanttest.Check(t, f, got, wants)
	}
	if out.Objects != 4 || len(out.Unchecked) != 0 {
		t.Errorf("objects %d, unchecked %v; want 4 objects, all checked", out.Objects, out.Unchecked)
	}
}
