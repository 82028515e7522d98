package main

import (
	"strings"
	"testing"
	"time"
)

// TestPolicyLimitsKeepOtherFindings: a policy that allocates without bound
// and one that is too slow each become an internal-error on each object
// they were stopped on, naming the policy; the other policy's and the Go
// rules' findings are kept, and the run exits 1.
func TestPolicyLimitsKeepOtherFindings(t *testing.T) {
	// 3 s, not 1: on a loaded machine (CI's two cores shared) the memory
	// policy took over 1 s of wall time to reach 64 MiB, and was then
	// stopped by the timeout instead of the memory limit it tests.
	start := time.Now()
	fs, r := lintJSON(t, "--policy", "testdata/policies/memory", "--policy", "testdata/policies/slow", "--policy", "testdata/policies/image",
		"--policy-timeout", "3s", "--policy-max-memory", "64", "testdata/lint/deployments.yaml")
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("took %s", d)
	}
	byRule := map[string]int{}
	for _, f := range fs {
		byRule[f.Rule]++
		if f.Rule != "internal-error" {
			continue
		}
		switch {
		case strings.Contains(f.Message, "namespace memory (testdata/policies/memory/memory.rego) went over the memory limit of 64 MiB"):
			byRule["memory"]++
		case strings.Contains(f.Message, "timed out after 3s in namespace slow (testdata/policies/slow/slow.rego)"):
			byRule["slow"]++
		default:
			t.Errorf("internal error names no policy: %+v", f)
		}
		if f.Line == 0 || f.Column == 0 {
			t.Errorf("internal error without a position: %+v", f)
		}
	}
	// Two Deployments: each loses the two bad policies, keeps the others.
	if byRule["memory"] != 2 || byRule["slow"] != 2 || byRule["company-registry"] != 1 || byRule["kvet_test.registry/warn"] != 1 || r.code != 1 {
		t.Errorf("findings by rule %v, exit %d: %+v\nstderr: %s", byRule, r.code, fs, r.stderr)
	}
}

func TestPolicyMaxMemoryMustBePositive(t *testing.T) {
	r := kvet(t, "", "lint", "--policy-max-memory", "0", "testdata/lint/clean.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, "--policy-max-memory: 0 MiB: give a positive number of MiB") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
