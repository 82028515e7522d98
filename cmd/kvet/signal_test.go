package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigInput writes n Jobs with a mistake each into one file.
func bigInput(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j%d}\nspec:\n  template:\n    spec:\n      restartPolicy: Always\n      containers: [{name: c, image: busybox:1.36}]\n", i)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Ctrl-C (or a CI cancellation's SIGTERM) in the middle of a run prints
// "interrupted" and no report, and exits 130: a partial report must not
// pass for a complete one.
func TestInterruptedRunPrintsNoReport(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: writes and lints 60,000 documents")
	}
	path := bigInput(t, 60000)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		cmd := exec.Command(kvetBin, "lint", "--workers", "1", "-o", "json", path)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		start := time.Now()
		_ = cmd.Process.Signal(sig)
		_ = cmd.Wait()
		took := time.Since(start)
		if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
			t.Errorf("%v: exit %d, want %d (stderr %q)", sig, code, exitInterrupted, errb.String())
		}
		if out.Len() != 0 || errb.String() != "kvet: interrupted\n" {
			t.Errorf("%v: stdout %d bytes, stderr %q; want no report and 'kvet: interrupted'", sig, out.Len(), errb.String())
		}
		if took >= hardStopAfter {
			t.Errorf("%v: took %v to stop: the run did not see the cancellation, the hard stop ended it", sig, took)
		}
	}
}

// A read that cannot see the cancellation (stdin from a pipe that stays
// open) still ends: a second signal exits at once.
func TestSecondSignalExits(t *testing.T) {
	cmd := exec.Command(kvetBin, "lint", "-")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close() }()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	_ = cmd.Process.Signal(syscall.SIGINT)
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || errb.String() != "kvet: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want %d and 'kvet: interrupted'", code, errb.String(), exitInterrupted)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v after the second signal", took)
	}
}

// `kvet lint ... | head` ends quietly when the reader goes away.
func TestClosedStdoutIsQuiet(t *testing.T) {
	path := bigInput(t, 2000)
	cmd := exec.Command(kvetBin, "lint", "--no-color", path)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	_ = r.Close() // nobody reads
	cmd.Stdout = w
	var errb bytes.Buffer
	cmd.Stderr = &errb
	_ = cmd.Run()
	_ = w.Close()
	if errb.Len() != 0 {
		t.Errorf("stderr %q; want nothing when stdout is closed", errb.String())
	}
}
