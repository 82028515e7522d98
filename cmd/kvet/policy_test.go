package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

type jsonFinding struct {
	Rule, Severity, Message, Help, Path string
	Line, Column                        int
}

func lintJSON(t *testing.T, args ...string) ([]jsonFinding, result) {
	t.Helper()
	r := kvet(t, "", append([]string{"lint", "-o", "json"}, args...)...)
	var out struct{ Findings []jsonFinding }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %v\nstderr: %s", args, err, r.stderr)
	}
	return out.Findings, r
}

func TestLintRunsUserPoliciesAtTheRightLine(t *testing.T) {
	fs, r := lintJSON(t, "--policy", "testdata/policies/image", "testdata/lint/deployments.yaml")
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+"@"+f.Severity+":"+itoa(f.Line)+":"+itoa(f.Column))
	}
	want := []string{"kvet_test.registry/warn@warning:1:1", "company-registry@error:13:16"}
	if strings.Join(got, " ") != strings.Join(want, " ") || r.code != 1 {
		t.Errorf("got %v (exit %d), want %v", got, r.code, want)
	}
}

func TestLintCrossObjectPolicy(t *testing.T) {
	fs, _ := lintJSON(t, "--policy", "testdata/policies/pdb", "testdata/lint/deployments.yaml")
	if len(fs) != 1 || fs[0].Message != "Deployment web has no PodDisruptionBudget" || fs[0].Line != 6 || fs[0].Path != "spec.replicas" {
		t.Errorf("findings = %+v", fs)
	}
}

// TestLintExamplePolicies: the example policies of policies/ report under
// the ids of Go rules that are off by default; as the user's policies they
// are on all the same, turned off by their id, and with the reliability
// group on their findings are the Go rules' (one each).
func TestLintExamplePolicies(t *testing.T) {
	count := func(args ...string) map[string]int {
		fs, _ := lintJSON(t, append(args, "--disable", "job-ttl", "testdata/e2e/reliability.yaml")...)
		n := map[string]int{}
		for _, f := range fs {
			n[f.Rule]++
		}
		return n
	}
	want := map[string]int{"container-resources": 2, "workload-probes": 2, "job-limits": 2, "cronjob-history-limits": 2}
	policy := count("--policy", "policies")
	group := count("--enable", "reliability")
	both := count("--policy", "policies", "--enable", "reliability")
	for id, n := range want {
		if policy[id] != n || group[id] != n || both[id] != n {
			t.Errorf("%s: %d findings with --policy policies, %d with --enable reliability, %d with both; want %d", id, policy[id], group[id], both[id], n)
		}
	}
	if off := count("--policy", "policies", "--disable", "workload-probes"); off["workload-probes"] != 0 || off["job-limits"] != 2 {
		t.Errorf("--disable workload-probes: %v", off)
	}
	if none := count(); none["workload-probes"] != 0 {
		t.Errorf("default: %v", none)
	}
}

func TestLintPolicyCompileErrorIsExit2(t *testing.T) {
	r := kvet(t, "", "lint", "--policy", "testdata/policies/broken", "testdata/lint/deployments.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, "broken.rego:4") || !strings.Contains(r.stderr, "undefined_function") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestGroups(t *testing.T) {
	// Default: the default Go rules (image-pinned among them).
	fs, _ := lintJSON(t, "examples/seed/job.yaml")
	rules := map[string]int{}
	for _, f := range fs {
		rules[f.Rule]++
	}
	if rules["image-pinned"] != 1 || rules["pod-security"] != 0 {
		t.Errorf("default rules: %v", rules)
	}
	// The retired Rego group security makes restricted the default Pod
	// Security level; --pod-security names another.
	fs, _ = lintJSON(t, "--enable", "security", "examples/seed/job.yaml")
	rules = map[string]int{}
	for _, f := range fs {
		rules[f.Rule]++
		if f.Rule == "pod-security" && !strings.Contains(f.Message, `PodSecurity "restricted:latest"`) {
			t.Errorf("--enable security: %s", f.Message)
		}
	}
	if rules["pod-security"] == 0 || rules["workload-probes"] != 0 {
		t.Errorf("--enable security: %v", rules)
	}
	fs, _ = lintJSON(t, "--enable", "security", "--pod-security", "baseline", "examples/seed/job.yaml")
	for _, f := range fs {
		if f.Rule == "pod-security" {
			t.Errorf("--pod-security baseline: a plain busybox Job meets baseline: %s", f.Message)
		}
	}
	// Probes are never asked of Jobs, even with reliability on.
	fs, _ = lintJSON(t, "--enable", "reliability", "examples/seed/job.yaml")
	for _, f := range fs {
		if f.Rule == "workload-probes" {
			t.Errorf("probes asked of a Job: %+v", f)
		}
	}
	fs, _ = lintJSON(t, "--disable", "image-pinned", "examples/seed/job.yaml")
	for _, f := range fs {
		if f.Rule == "image-pinned" {
			t.Errorf("--disable image-pinned: %+v", f)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestSlowPolicyBecomesInternalError(t *testing.T) {
	fs, r := lintJSON(t, "--policy", "testdata/policies/slow", "--policy-timeout", "100ms", "testdata/lint/deployments.yaml")
	internal := 0
	for _, f := range fs {
		if f.Rule == "internal-error" {
			internal++
			if !strings.Contains(f.Message, "slow") || f.Severity != "error" {
				t.Errorf("internal error does not name the policy: %+v", f)
			}
		}
	}
	// Two Deployments time out; the image-pinned and other findings remain.
	if internal != 2 || r.code != 1 {
		t.Errorf("internal errors = %d, exit %d: %+v", internal, r.code, fs)
	}
}

func TestSeedChapterFindings(t *testing.T) {
	r := kvet(t, "", "lint", "--no-color", "examples/seed")
	checkGolden(t, "seed.txt", r.stdout)
	if r.code != 1 {
		t.Errorf("exit %d: the batch/v1beta1 CronJob is an error", r.code)
	}
}

func TestCorpusHasNoInternalErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the whole-corpus test does not run")
	}
	if _, err := os.Stat("../../../shared/corpus"); err != nil {
		t.Skipf("corpus not found at ../shared/corpus (a user's clone has no ../shared): %v", err)
	}
	fs, _ := lintJSON(t, "--enable", "security,reliability", "../shared/corpus")
	rules := map[string]int{}
	for _, f := range fs {
		rules[f.Rule]++
		if f.Rule == "internal-error" || f.Rule == "api-internal" {
			t.Errorf("%s: %s", f.Rule, f.Message)
		}
	}
	if len(fs) < 100 || rules["api-invalid"] == 0 || rules["deprecated-api"] == 0 {
		t.Errorf("suspiciously few findings on the corpus: %v", rules)
	}
}

// Global flags before the subcommand reach it, as conftest's persistent
// flags do: `kvet -c conftest.toml test ...`.
func TestGlobalFlagsBeforeTheSubcommand(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"-c x.toml test a.yaml", "test -c x.toml a.yaml"},
		{"--config-file=x.toml verify", "verify --config-file=x.toml"},
		{"--no-color -c x test -", "test --no-color -c x -"},
		{"test -c x a", "test -c x a"},
		{"--help", "--help"},
		{"-c x", "-c x"},
	} {
		if got := strings.Join(hoistGlobalFlags(strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("%q -> %q, want %q", tc.in, got, tc.want)
		}
	}
	abs, err := filepath.Abs("../../policy/testdata/toml/custom")
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "conftest.toml")
	if err := os.WriteFile(conf, []byte("policy = "+strconv.Quote(abs)+"\nnamespace = [\"team\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := kvet(t, "", "-c", conf, "test", "--no-color", "policy/testdata/toml/inputs/cm.yaml")
	if r.code != 0 || !strings.Contains(r.stdout, "WARN - policy/testdata/toml/inputs/cm.yaml - team - from the custom folder") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}
