package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kvetdev/kvet/validate"
)

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := &validate.Progress{}
	p.Files.Store(12)
	p.Objects.Store(345)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() { showProgress(&buf, p, 0, 5*time.Millisecond, done); close(stopped) }()
	time.Sleep(30 * time.Millisecond)
	close(done)
	<-stopped
	out := buf.String()
	if !strings.Contains(out, "kvet: 12 files, 345 objects checked") || !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("progress output %q", out)
	}
	// A run shorter than the delay prints nothing.
	buf.Reset()
	quick := make(chan struct{})
	close(quick)
	showProgress(&buf, p, time.Second, time.Millisecond, quick)
	if buf.Len() != 0 {
		t.Errorf("quick run printed %q", buf.String())
	}
	// Never for machine formats or pipes.
	if progressWanted(&buf, "text") {
		t.Error("progress wanted on a buffer")
	}
}
