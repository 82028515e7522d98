package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// threeFindingsJob has three findings: restartPolicy Always (error), an untagged
// image (warning) and no TTL (info).
const threeFindingsJob = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      restartPolicy: Always\n      containers: [{name: x, image: busybox}]\n"

func rulesOf(t *testing.T, out string) []string {
	t.Helper()
	var rep struct {
		Findings []struct {
			Rule string
			Line int
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var ids []string
	for _, f := range rep.Findings {
		ids = append(ids, f.Rule)
	}
	return ids
}

// TestBaseline: kvet baseline writes every finding; kvet lint --baseline
// reports none of them, also after lines were added above them (the
// fingerprint has no line); a new finding is reported; a fixed one is a
// stale entry, listed with --show-stale-baseline.
func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "deploy", "job.yaml"), threeFindingsJob)
	r := kvetIn(t, dir, "baseline", "deploy")
	if r.code != 0 || !strings.Contains(r.stderr, "kvet baseline: 3 findings of 1 file") {
		t.Fatalf("kvet baseline: exit %d\n%s", r.code, r.stderr)
	}
	write(t, filepath.Join(dir, "kvet-baseline.json"), r.stdout)

	r = kvetIn(t, dir, "lint", "--baseline", "kvet-baseline.json", "deploy")
	if r.code != 0 || !strings.Contains(r.stdout, "0 errors, 0 warnings, 0 info") || !strings.Contains(r.stdout, "not shown: 3 findings in the baseline") {
		t.Fatalf("baseline not applied: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The same files named otherwise (./deploy/job.yaml) match too.
	if r := kvetIn(t, dir, "lint", "--baseline", "kvet-baseline.json", "./deploy/job.yaml"); r.code != 0 {
		t.Errorf("./deploy/job.yaml: exit %d\n%s", r.code, r.stdout)
	}

	// Lines added above the findings, and a new finding in a second Job.
	moved := "# a comment\n# another\n" + threeFindingsJob + "---\n" + strings.Replace(threeFindingsJob, "name: j}", "name: second}", 1)
	write(t, filepath.Join(dir, "deploy", "job.yaml"), moved)
	r = kvetIn(t, dir, "lint", "-o", "json", "--baseline", "kvet-baseline.json", "deploy")
	if got := strings.Join(rulesOf(t, r.stdout), ","); r.code != 1 || got != "job-ttl,job-restart-policy,image-pinned" {
		t.Errorf("after moving lines: exit %d, findings %s; want only the new Job's three", r.code, got)
	}

	// The first Job fixed: its restartPolicy entry is stale.
	fixed := strings.Replace(threeFindingsJob, "Always", "Never", 1)
	write(t, filepath.Join(dir, "deploy", "job.yaml"), fixed)
	r = kvetIn(t, dir, "lint", "--baseline", "kvet-baseline.json", "deploy")
	if r.code != 0 || !strings.Contains(r.stderr, "1 entries of the baseline kvet-baseline.json match no finding any more") {
		t.Errorf("stale note: exit %d\n%s", r.code, r.stderr)
	}
	r = kvetIn(t, dir, "lint", "--baseline", "kvet-baseline.json", "--show-stale-baseline", "deploy")
	if !strings.Contains(r.stderr, "deploy/job.yaml: stale[job-restart-policy] batch/v1/Job/j spec.template.spec.restartPolicy: restartPolicy is Always") {
		t.Errorf("--show-stale-baseline:\n%s", r.stderr)
	}

	// Usage errors: a broken baseline, a missing one, stale without one,
	// kvet lint's own flags given to kvet baseline.
	write(t, filepath.Join(dir, "bad.json"), "{\n  \"version\": 1,\n  x\n}\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"lint", "--baseline", "bad.json", "deploy"}, "kvet lint: --baseline: bad.json:3:3: not valid JSON"},
		{[]string{"lint", "--baseline", "missing.json", "deploy"}, "missing.json: no such file"},
		{[]string{"lint", "--show-stale-baseline", "deploy"}, "give one with --baseline FILE"},
		{[]string{"baseline", "-o", "json", "deploy"}, "--output is kvet lint's"},
		{[]string{"baseline", "deploy", "nowhere"}, "no baseline written"},
		{[]string{"fix", "--baseline", "kvet-baseline.json", "deploy"}, "--baseline is kvet lint's"},
	} {
		r := kvetIn(t, dir, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("kvet %v: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestNewFromRev: in a git repository, only findings on lines changed
// since the revision are reported, and every finding of a file git does
// not track.
func TestNewFromRev(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write(t, filepath.Join(dir, "deploy", "job.yaml"), threeFindingsJob)
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "old manifests")
	// The image line changes (still untagged); restartPolicy does not.
	write(t, filepath.Join(dir, "deploy", "job.yaml"), strings.Replace(threeFindingsJob, "image: busybox", "image: alpine", 1))
	write(t, filepath.Join(dir, "deploy", "new.yaml"), strings.Replace(threeFindingsJob, "name: j}", "name: fresh}", 1))

	r := kvetIn(t, dir, "lint", "-o", "json", "--new-from-rev", "HEAD", "deploy")
	if got := strings.Join(rulesOf(t, r.stdout), ","); got != "image-pinned,job-ttl,job-restart-policy,image-pinned" {
		t.Errorf("findings %s; want the changed image, and all of new.yaml (untracked)", got)
	}
	r = kvetIn(t, dir, "lint", "--new-from-rev", "HEAD", "deploy")
	if !strings.Contains(r.stdout, "not shown: 2 findings on unchanged lines") {
		t.Errorf("text summary:\n%s", r.stdout)
	}
	r = kvetIn(t, dir, "lint", "--new-from-rev", "v9", "deploy")
	if r.code != 2 || !strings.Contains(r.stderr, "--new-from-rev v9: no such commit") {
		t.Errorf("unknown revision: exit %d\n%s", r.code, r.stderr)
	}
}
