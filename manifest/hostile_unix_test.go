//go:build unix

package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const okYAML = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n"

// TestWalkReadsOnlyRegularFilesInside: a walk skips, with a note, what
// could hang it, exhaust memory or leak what is outside the tree: a
// symlink to /proc/self/environ, to /dev/zero, to a directory outside, a
// named pipe, a socket; symlinks that stay inside are followed.
func TestWalkReadsOnlyRegularFilesInside(t *testing.T) {
	dir := t.TempDir()
	d := filepath.Join(dir, "d")
	outside := filepath.Join(dir, "outside")
	for _, p := range []string{filepath.Join(d, "sub"), outside} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(d, "ok.yaml"), []byte(okYAML), 0o644))
	must(os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte(okYAML), 0o644))
	must(os.Symlink("/proc/self/environ", filepath.Join(d, "env.yaml")))
	must(os.Symlink("/dev/zero", filepath.Join(d, "zero.yaml")))
	must(os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(d, "secret.yaml")))
	must(os.Symlink(outside, filepath.Join(d, "out")))
	must(os.Symlink("../ok.yaml", filepath.Join(d, "sub", "in.yaml")))
	must(syscall.Mkfifo(filepath.Join(d, "fifo.yaml"), 0o644))
	var notes []string
	done := make(chan *Result)
	go func() { done <- Load([]string{d}, Options{Note: func(s string) { notes = append(notes, s) }}) }()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the walk hangs")
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors: %v", res.Errors)
	}
	var files []string
	for _, s := range res.Sources {
		files = append(files, strings.TrimPrefix(s.Path, d+"/"))
	}
	if got := strings.Join(files, " "); got != "ok.yaml sub/in.yaml" {
		t.Errorf("read %s", got)
	}
	want := []string{"env.yaml: skipped: a symlink to /proc/", "fifo.yaml: skipped: a named pipe", "out: skipped: a symlink to " + outside,
		"secret.yaml: skipped: a symlink to " + outside, "zero.yaml: skipped: a symlink to /dev/zero, outside"}
	if len(notes) != len(want) {
		t.Fatalf("notes = %q", notes)
	}
	for i, n := range notes {
		if !strings.Contains(n, want[i]) {
			t.Errorf("note %q does not say %q", n, want[i])
		}
	}
}

// A device named on the command line is refused, whatever its size
// (stat says 0), and the other inputs are still read.
func TestDeviceIsRefused(t *testing.T) {
	ok := filepath.Join(t.TempDir(), "ok.yaml")
	if err := os.WriteFile(ok, []byte(okYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	res := Load([]string{"/dev/zero", ok}, Options{MaxFileSize: 1000})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "/dev/zero: is a device") || len(res.Objects) != 1 {
		t.Errorf("errors %v, %d objects", res.Errors, len(res.Objects))
	}
}

// A pipe named on the command line (<(helm template ...), i.e.
// /dev/fd/N) is read, through the size limit.
func TestNamedPipeIsRead(t *testing.T) {
	for _, tc := range []struct {
		text, err string
		objects   int
	}{{okYAML, "", 1}, {strings.Repeat("#", 5000), "larger than the limit of 1000 bytes", 0}} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			_, _ = w.WriteString(tc.text)
			_ = w.Close()
		}()
		res := Load([]string{fmt.Sprintf("/dev/fd/%d", r.Fd())}, Options{MaxFileSize: 1000})
		_ = r.Close()
		if len(res.Objects) != tc.objects || (tc.err == "") != (len(res.Errors) == 0) ||
			tc.err != "" && !strings.Contains(res.Errors[0].Error(), tc.err) {
			t.Errorf("%d objects, errors %v", len(res.Objects), res.Errors)
		}
	}
}

// endless is /dev/zero as a reader.
type endless struct{}

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestEndlessStdinIsBounded(t *testing.T) {
	res := Load([]string{"-"}, Options{Stdin: endless{}, MaxFileSize: 1 << 20})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "<stdin>: input is larger than the limit of 1048576 bytes; raise --max-file-size") {
		t.Errorf("errors %v", res.Errors)
	}
}
