//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintSkipsLinksOutOfTheTree: kvet lint on a folder with a symlink
// to /proc/self/environ prints none of the environment, says on stderr
// which entry it skipped and why, and a skipped entry does not change the
// exit status.
func TestLintSkipsLinksOutOfTheTree(t *testing.T) {
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, "ok.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc/self/environ", filepath.Join(d, "env.yaml")); err != nil {
		t.Fatal(err)
	}
	r := kvet(t, "", "lint", "--no-color", d)
	if r.code != 0 || strings.Contains(r.stdout, "PATH=") || strings.Contains(r.stderr, "PATH=") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "kvet: note: "+filepath.Join(d, "env.yaml")+": skipped: a symlink to /proc/") || !strings.Contains(r.stdout, "1 file, 1 object") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// kvet test walks folders with the same loader, and says the same.
func TestTestSkipsLinksOutOfTheTree(t *testing.T) {
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, "ok.yaml"), []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc/self/environ", filepath.Join(d, "env.yaml")); err != nil {
		t.Fatal(err)
	}
	r := kvet(t, "", "test", "-p", "policy/testdata/v1", d)
	if r.code != 0 || strings.Contains(r.stdout, "PATH=") || strings.Contains(r.stderr, "PATH=") ||
		!strings.Contains(r.stderr, "kvet: note: "+filepath.Join(d, "env.yaml")+": skipped: a symlink to /proc/") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
