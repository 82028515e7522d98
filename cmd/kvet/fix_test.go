package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/internal/golden"
	"github.com/kvetdev/kvet/internal/sharedtest"
)

// copyTree copies the files of dir into a new temporary folder.
func copyTree(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, e.Name()), data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

type fixLintJSON struct {
	Findings []struct {
		Rule, File, Path string
		Object           struct{ Kind, Name string }
		Fix              *struct {
			Safe bool
		}
	}
}

func lintFindings(t *testing.T, dir string) fixLintJSON {
	t.Helper()
	r := kvet(t, "", "lint", "-o", "json", dir)
	var out fixLintJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s%s", err, r.stdout, r.stderr)
	}
	return out
}

// TestFix: kvet fix applies the safe fixes and nothing else (the fixed
// files are goldens: comments, quoting and order kept byte for byte),
// and linting the result again finds nothing it fixed and nothing new.
func TestFix(t *testing.T) {
	src, _ := filepath.Abs("../../testdata/fix/before")
	dir := copyTree(t, src)
	before := lintFindings(t, dir)
	r := kvet(t, "", "fix", "--no-color", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "kvet fix: fixed 10 findings in 3 files; 2 more have unsafe fixes") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// The report is what remains: the two unsafe fixes' findings, and the
	// autoscaling/v2beta1 HPA kvet has no fix for.
	if !strings.Contains(r.stdout, "3 errors") || !strings.Contains(r.stdout, "restartPolicy is Always") {
		t.Errorf("remaining report:\n%s", r.stdout)
	}
	for _, name := range []string{"autoscaling-policy.yaml", "ingress.yaml", "workloads.yaml"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("../../testdata/fix/after", name), got)
		if st, _ := os.Stat(filepath.Join(dir, name)); st.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v, want the file's own 0640 kept", name, st.Mode().Perm())
		}
	}
	after := lintFindings(t, dir)
	key := func(rule, path, kind, name string) string { return rule + " " + kind + "/" + name + " " + path }
	had := map[string]bool{}
	for _, f := range before.Findings {
		had[key(f.Rule, f.Path, f.Object.Kind, f.Object.Name)] = true
	}
	for _, f := range after.Findings {
		if f.Fix != nil && f.Fix.Safe {
			t.Errorf("still a safe fix after kvet fix: %+v", f)
		}
		// A migrated object's apiVersion changed, so compare by rule,
		// kind, name and path.
		if !had[key(f.Rule, f.Path, f.Object.Kind, f.Object.Name)] {
			t.Errorf("kvet fix introduced a finding: %+v", f)
		}
	}
	if len(after.Findings) != 3 {
		t.Errorf("%d findings remain, want the 2 with unsafe fixes and the one without a fix: %+v", len(after.Findings), after.Findings)
	}

	// --unsafe-fixes applies the rest; the finding without a fix is left.
	r = kvet(t, "", "fix", "--no-color", "--unsafe-fixes", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "fixed 2 findings in 2 files") || !strings.Contains(r.stdout, "autoscaling/v2beta1 HorizontalPodAutoscaler") {
		t.Errorf("--unsafe-fixes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestFixDiffChangesNothing: --diff prints the change and writes nothing;
// a file without a fix is never rewritten.
func TestFixDiffChangesNothing(t *testing.T) {
	src, _ := filepath.Abs("../../testdata/fix/before")
	dir := copyTree(t, src)
	clean := filepath.Join(dir, "clean.yaml")
	if err := os.WriteFile(clean, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st0, _ := os.Stat(clean)
	r := kvet(t, "", "fix", "--diff", filepath.Join(dir, "workloads.yaml"))
	if r.code != 1 {
		t.Errorf("--diff with changes: exit %d, want 1", r.code)
	}
	diff := strings.ReplaceAll(r.stdout, dir, "DIR")
	golden.Check(t, "../../testdata/fix/workloads.diff", []byte(diff))
	orig, _ := os.ReadFile(filepath.Join(src, "workloads.yaml"))
	if now, _ := os.ReadFile(filepath.Join(dir, "workloads.yaml")); string(now) != string(orig) {
		t.Error("--diff changed the file")
	}
	r = kvet(t, "", "fix", dir)
	if st1, _ := os.Stat(clean); !st1.ModTime().Equal(st0.ModTime()) {
		t.Error("a file without a fix was rewritten")
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("files after fix: %v", entries)
	}
}

// TestFixStdin: kvet fix - writes the fixed manifest to stdout.
func TestFixStdin(t *testing.T) {
	r := kvet(t, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: 'busybox:1.36'}]\n", "fix", "-")
	want := "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: 'busybox:1.36'}]\n"
	if r.stdout != want || r.code != 0 {
		t.Errorf("exit %d, stdout:\n%s\nwant:\n%s\nstderr: %s", r.code, r.stdout, want, r.stderr)
	}
}

// TestFixCorpus: on copies of every corpus file that has a fixable
// finding, kvet fix (unsafe fixes too) leaves no finding it could fix and
// introduces none: every finding after is one the copies had before.
func TestFixCorpus(t *testing.T) {
	corpus, ok := sharedtest.Corpus(t)
	if !ok {
		t.Skip("needs ../shared/corpus")
	}
	all := lintFindings(t, corpus)
	files := map[string]bool{}
	for _, f := range all.Findings {
		if f.Fix != nil {
			files[f.File] = true
		}
	}
	if len(files) == 0 {
		t.Fatal("no corpus file has a fixable finding: the fixes or this test are broken")
	}
	dir := t.TempDir()
	names := map[string]string{} // copy → original
	for file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.NewReplacer("/", "_", "\\", "_").Replace(strings.TrimPrefix(file, corpus))
		names[name] = file
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := lintFindings(t, dir)
	r := kvet(t, "", "fix", "--unsafe-fixes", "-o", "json", dir)
	if r.code == 2 {
		t.Fatalf("kvet fix: %s", r.stderr)
	}
	t.Logf("%d corpus files with fixes: %s", len(files), strings.TrimSpace(r.stderr))
	after := lintFindings(t, dir)
	key := func(file, rule, path, kind, name string) string {
		return filepath.Base(file) + " " + rule + " " + kind + "/" + name + " " + path
	}
	had := map[string]int{}
	for _, f := range before.Findings {
		had[key(f.File, f.Rule, f.Path, f.Object.Kind, f.Object.Name)]++
	}
	fixable := 0
	for _, f := range after.Findings {
		if f.Fix != nil {
			fixable++
			if fixable < 5 {
				t.Errorf("still fixable after kvet fix --unsafe-fixes: %+v", f)
			}
		}
		k := key(f.File, f.Rule, f.Path, f.Object.Kind, f.Object.Name)
		if had[k] == 0 {
			t.Errorf("kvet fix introduced a finding in %s: %s", names[filepath.Base(f.File)], k)
		}
		had[k]--
	}
	if fixable > 0 {
		t.Errorf("%d findings still have fixes", fixable)
	}
}
