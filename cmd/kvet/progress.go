package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kvetdev/kvet/validate"
)

// showProgress prints "kvet: N files, M objects…" on w, rewriting one
// line, from after delay until done is closed; then it clears the line.
// kvet only calls it when stderr is a terminal and the output is text.
func showProgress(w io.Writer, p *validate.Progress, delay, every time.Duration, done <-chan struct{}) {
	select {
	case <-done:
		return
	case <-time.After(delay):
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		fmt.Fprintf(w, "\r\x1b[Kkvet: %d files, %d objects checked…", p.Files.Load(), p.Objects.Load())
		select {
		case <-done:
			fmt.Fprint(w, "\r\x1b[K")
			return
		case <-tick.C:
		}
	}
}

// progressWanted: a terminal on stderr, human output, no NO_COLOR-style
// request for plain output is needed (the line is cleared when done).
func progressWanted(stderr io.Writer, output string) bool {
	f, ok := stderr.(*os.File)
	return ok && output == "text" && isTerminal(f)
}
