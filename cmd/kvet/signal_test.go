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

// signalled runs kvet with args, sends sig after delay and waits. A
// signal that arrives while the runtime still initialises the packages,
// before main can catch it, kills kvet as it kills any Go program; on a
// busy machine that window can be long, so such a run is tried again,
// later.
func signalled(t *testing.T, sig syscall.Signal, stdin bool, args ...string) (code int, stdout, stderr string, took time.Duration) {
	t.Helper()
	for _, delay := range []time.Duration{300 * time.Millisecond, time.Second, 3 * time.Second} {
		cmd := exec.Command(kvetBin, args...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if stdin {
			w, err := cmd.StdinPipe() // held open: kvet blocks reading it
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = w.Close() }()
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		start := time.Now()
		_ = cmd.Process.Signal(sig)
		if stdin {
			time.Sleep(100 * time.Millisecond)
			start = time.Now()
			_ = cmd.Process.Signal(sig)
		}
		_ = cmd.Wait()
		took = time.Since(start)
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Logf("%v after %v arrived before kvet could catch it; trying again later", sig, delay)
			continue
		}
		return cmd.ProcessState.ExitCode(), out.String(), errb.String(), took
	}
	t.Fatalf("%v killed kvet every time: it never caught the signal", sig)
	return
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
		code, stdout, stderr, took := signalled(t, sig, false, "lint", "--workers", "1", "-o", "json", path)
		// Whether the run wound down or the hard stop ended it (a loaded
		// machine can take longer than hardStopAfter), nothing partial
		// may be printed.
		if code != exitInterrupted || stdout != "" || stderr != "kvet: interrupted\n" {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q; want %d, no report and 'kvet: interrupted'", sig, code, len(stdout), stderr, exitInterrupted)
		}
		t.Logf("%v: stopped %v after the signal", sig, took)
	}
}

// A read that cannot see the cancellation (stdin from a pipe that stays
// open) still ends: a second signal exits at once.
func TestSecondSignalExits(t *testing.T) {
	code, _, stderr, took := signalled(t, syscall.SIGINT, true, "lint", "-")
	if code != exitInterrupted || stderr != "kvet: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want %d and 'kvet: interrupted'", code, stderr, exitInterrupted)
	}
	if took > 2*time.Second {
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
