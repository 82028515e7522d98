package policies

import (
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/kvetdev/kvet/internal/golden"
)

// TestFormatted keeps the bundled Rego in `opa fmt` style (run with
// go test ./policies -update to rewrite the files).
func TestFormatted(t *testing.T) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		src, err := fs.ReadFile(FS, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		out, err := format.SourceWithOpts(e.Name(), src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if string(out) != string(src) {
			if golden.Update() {
				if err := os.WriteFile(e.Name(), out, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Errorf("%s is not formatted (opa fmt; go test ./policies -update rewrites it)", e.Name())
		}
	}
}

func TestList(t *testing.T) {
	ps, err := List()
	if err != nil {
		t.Fatal(err)
	}
	// 4: the security group's 3 were retired for the pod-security rule.
	if len(ps) != 4 {
		t.Fatalf("got %d policies, want 4", len(ps))
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.Package, "kvet.") || p.ID == "" || p.Group == "" {
			t.Errorf("incomplete %+v", p)
		}
		if _, err := fs.Stat(FS, strings.TrimSuffix(p.File, ".rego")+"_test.rego"); err != nil {
			t.Errorf("%s has no test file", p.File)
		}
	}
}
