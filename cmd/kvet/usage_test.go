package main

import (
	"strings"
	"testing"
)

// Every subcommand says no the same way: an unknown flag prints pflag's
// message and the usage hint on stderr and exits 2; --help prints the usage
// on stdout and exits 0.
func TestFlagErrorsAndHelp(t *testing.T) {
	for _, cmd := range []string{"lint", "test", "verify", "rules", "init"} {
		r := kvet(t, "", cmd, "--bogus", "x")
		if r.code != 2 || !strings.Contains(r.stderr, "kvet "+cmd+": unknown flag: --bogus") ||
			!strings.Contains(r.stderr, "Run 'kvet "+cmd+" --help' for usage.") || r.stdout != "" {
			t.Errorf("kvet %s --bogus: exit %d, stdout %q, stderr %q; want exit 2 and the flag named on stderr", cmd, r.code, r.stdout, r.stderr)
		}
		r = kvet(t, "", cmd, "--help")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: kvet "+cmd) || r.stderr != "" {
			t.Errorf("kvet %s --help: exit %d, stdout %.40q, stderr %q; want the usage on stdout", cmd, r.code, r.stdout, r.stderr)
		}
	}
}

func TestKubeVersionRange(t *testing.T) {
	for _, v := range []string{"1.15", "1.99", "2.1"} {
		r := kvet(t, "", "lint", "--kube-version", v, "examples/seed")
		if r.code != 2 || !strings.Contains(r.stderr, "outside the Kubernetes versions kvet knows: 1.16 to ") {
			t.Errorf("--kube-version %s: exit %d, stderr %q; want a usage error naming the range", v, r.code, r.stderr)
		}
	}
	if r := kvet(t, "", "lint", "--kube-version", "1.16", "examples/seed"); r.code == 2 {
		t.Errorf("--kube-version 1.16 refused: %s", r.stderr)
	}
}
