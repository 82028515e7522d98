package flagparse

import (
	"bytes"
	"io"
	"strings"
	"testing"

	flag "github.com/spf13/pflag"
)

func newSet() (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("kvet demo", flag.ContinueOnError)
	v := fs.String("output", "text", "format")
	return fs, v
}

func usage(w io.Writer) { _, _ = io.WriteString(w, "Usage: kvet demo\n") }

func TestParse(t *testing.T) {
	cases := []struct {
		args               []string
		code               int
		done               bool
		stdout, stderrHave string
	}{
		{args: []string{"--output", "json", "x"}},
		{args: []string{"--help"}, done: true, stdout: "Usage: kvet demo\n"},
		{args: []string{"-h"}, done: true, stdout: "Usage: kvet demo\n"},
		{args: []string{"--bogus"}, code: 2, done: true, stderrHave: "kvet demo: unknown flag: --bogus\nRun 'kvet demo --help' for usage.\n"},
		{args: []string{"-x"}, code: 2, done: true, stderrHave: "unknown shorthand flag: 'x' in -x"},
		{args: []string{"--output"}, code: 2, done: true, stderrHave: "flag needs an argument: --output"},
	}
	for _, c := range cases {
		fs, _ := newSet()
		var out, errOut bytes.Buffer
		code, done := Parse(fs, c.args, usage, &out, &errOut)
		if code != c.code || done != c.done {
			t.Errorf("%v: code %d done %v, want %d %v", c.args, code, done, c.code, c.done)
		}
		if out.String() != c.stdout {
			t.Errorf("%v: stdout %q, want %q", c.args, out.String(), c.stdout)
		}
		if !strings.Contains(errOut.String(), c.stderrHave) || (c.stderrHave == "" && errOut.Len() > 0) {
			t.Errorf("%v: stderr %q, want it to contain %q", c.args, errOut.String(), c.stderrHave)
		}
	}
}
