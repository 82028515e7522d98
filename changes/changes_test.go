package changes

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	// Every test binary defines kvet's one -update flag (internal/golden).
	_ "github.com/kvetdev/kvet/internal/golden"
)

// TestParse reads a -U0 diff: added and changed lines, a pure deletion
// (the lines around the gap), a quoted path, a deleted file, and hunk
// lines that look like headers.
func TestParse(t *testing.T) {
	diff := `diff --git a/deploy/job.yaml b/deploy/job.yaml
index 1111111..2222222 100644
--- a/deploy/job.yaml
+++ b/deploy/job.yaml
@@ -3 +3,2 @@ metadata:
-  name: a
+  name: b
+  namespace: x
@@ -10,2 +11,0 @@ spec:
-+++ b/not/a/file.yaml
-@@ -1 +1,90 @@
@@ -20,0 +20 @@
++++ b/also/not.yaml
\ No newline at end of file
diff --git "a/odd\tname.yaml" "b/odd\tname.yaml"
--- "a/odd\tname.yaml"
+++ "b/odd\tname.yaml"
@@ -1 +1 @@
-a: 1
+a: 2
diff --git a/gone.yaml b/gone.yaml
deleted file mode 100644
--- a/gone.yaml
+++ /dev/null
@@ -1,3 +0,0 @@
-a
-b
-c
`
	s := &Set{lines: map[string][]span{}}
	if err := s.parse(strings.NewReader(diff)); err != nil {
		t.Fatal(err)
	}
	want := map[string][]span{
		"deploy/job.yaml": {{3, 4}, {11, 12}, {20, 20}},
		"odd\tname.yaml":  {{1, 1}},
	}
	if len(s.lines) != len(want) {
		t.Fatalf("files %v, want %v", s.lines, want)
	}
	for f, w := range want {
		got := s.lines[f]
		if len(got) != len(w) {
			t.Errorf("%s: %v, want %v", f, got, w)
			continue
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("%s: %v, want %v", f, got, w)
			}
		}
	}
}

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

// TestSince runs git on a real repository: a committed file changed since
// (staged and unstaged), an unchanged one, a new untracked one, and a
// file outside the repository.
func TestSince(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("deploy/a.yaml", "a: 1\nb: 2\nc: 3\nd: 4\n")
	write("deploy/same.yaml", "x: 1\n")
	run(t, dir, "git", "init", "-q")
	run(t, dir, "git", "add", ".")
	run(t, dir, "git", "commit", "-qm", "one")
	write("deploy/a.yaml", "a: 1\nb: 20\nc: 3\nd: 4\ne: 5\n")
	run(t, dir, "git", "add", "deploy/a.yaml")
	write("deploy/a.yaml", "a: 1\nb: 20\nc: 3\nd: 40\ne: 5\n") // unstaged on top
	write("deploy/new.yaml", "n: 1\n")
	outside := filepath.Join(t.TempDir(), "out.yaml")

	wd, _ := os.Getwd()
	t.Cleanup(func() { _ = os.Chdir(wd) })
	if err := os.Chdir(filepath.Join(dir, "deploy")); err != nil {
		t.Fatal(err)
	}
	s, err := Since(context.Background(), ".", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		line int
		want bool
	}{
		{"a.yaml", 1, false}, {"a.yaml", 2, true}, {"a.yaml", 3, false}, {"a.yaml", 4, true}, {"a.yaml", 5, true},
		{"./a.yaml", 2, true}, {filepath.Join(dir, "deploy", "a.yaml"), 1, false},
		{"a.yaml", 0, true}, {"same.yaml", 1, false}, {"same.yaml", 0, false},
		{"new.yaml", 1, true}, {outside, 1, true}, {"<stdin>", 3, true},
	} {
		if got := s.Changed(c.file, c.line); got != c.want {
			t.Errorf("Changed(%s, %d) = %v, want %v", c.file, c.line, got, c.want)
		}
	}

	for rev, want := range map[string]string{
		"no-such-rev": "no such commit",
		"--output=x":  "give a revision",
	} {
		if _, err := Since(context.Background(), ".", rev); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Since(%q) = %v, want %q", rev, err, want)
		}
	}
	if _, err := Since(context.Background(), t.TempDir(), "HEAD"); err == nil || !strings.Contains(err.Error(), "needs a git repository") {
		t.Errorf("outside a repository: %v", err)
	}
}
