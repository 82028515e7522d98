package rules_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/internal/testfs"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// TestDuplicateObjectAcrossFiles: copies in other files are alternatives
// by default, and duplicates when the run is the whole application; the
// first is first in path order whatever order the files were given in and
// however many workers read them.
func TestDuplicateObjectAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: prod}\n"
	testfs.Write(t, dir, map[string]string{"a/one.yaml": "# one\n" + cm, "b/two.yaml": cm, "b/three.yaml": cm})
	run := func(complete bool, workers int) []string {
		out := validate.Lint(context.Background(), []string{filepath.Join(dir, "b"), filepath.Join(dir, "a")}, manifest.Options{},
			validate.Options{Rules: []*rule.Rule{rules.DuplicateObject}, Settings: rule.Settings{Complete: complete}, Workers: workers})
		var got []string
		for _, f := range out.Findings {
			rel, _ := filepath.Rel(dir, f.File)
			got = append(got, rel+": "+strings.ReplaceAll(f.Message, dir+string(filepath.Separator), ""))
		}
		return got
	}
	if got := run(false, 2); len(got) != 0 {
		t.Errorf("without --require-references: %q", got)
	}
	for _, workers := range []int{1, 4} {
		got := strings.Join(run(true, workers), "\n")
		want := `b/three.yaml: ConfigMap "settings" in namespace "prod" is defined twice: first at a/one.yaml:2; kubectl apply would let the later one overwrite the earlier
b/two.yaml: ConfigMap "settings" in namespace "prod" is defined twice: first at a/one.yaml:2; kubectl apply would let the later one overwrite the earlier`
		if got != want {
			t.Errorf("--require-references, %d workers:\n%s\nwant\n%s", workers, got, want)
		}
	}
}

// TestDuplicateObjectAcrossBatches: a file is handed over in batches of
// documents; a copy far down the file is still a copy.
func TestDuplicateObjectAcrossBatches(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		n := i
		if i == 150 {
			n = 3
		}
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d}\n", n)
	}
	p := filepath.Join(t.TempDir(), "many.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := validate.Lint(context.Background(), []string{p}, manifest.Options{}, validate.Options{Rules: []*rule.Rule{rules.DuplicateObject}})
	if len(out.Findings) != 1 || out.Findings[0].Line != 150*4+4 || !strings.Contains(out.Findings[0].Message, "many.yaml:14;") {
		t.Errorf("findings = %+v", out.Findings)
	}
}
