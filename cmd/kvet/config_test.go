package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kvetIn runs the binary in dir.
func kvetIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(kvetBin, args...)
	cmd.Dir = dir
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const jobNoTTL = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: x, image: \"busybox:1.36\"}]\n"

func TestConfigFileFoundAndApplied(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "dev/job.yaml"), jobNoTTL)
	write(t, filepath.Join(dir, "prod/job.yaml"), jobNoTTL)
	write(t, filepath.Join(dir, "vendor/job.yaml"), "this: [is broken\n")
	write(t, filepath.Join(dir, ".kvet.yaml"), "failOn: warning\nexclude: [\"vendor/**\"]\nseverity: {job-ttl: warning}\noverrides:\n- files: [\"dev/**\"]\n  disable: [job-ttl]\n")
	// Found from a subfolder's parent, as users run it.
	r := kvetIn(t, filepath.Join(dir, "prod"), "lint", "-o", "json", "..")
	if r.code != 1 || strings.Count(r.stdout, `"rule": "job-ttl"`) != 1 || !strings.Contains(r.stdout, `"severity": "warning"`) || strings.Contains(r.stdout, "vendor") {
		t.Errorf("exit %d stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	// Flags override the file.
	r = kvetIn(t, dir, "lint", "--fail-on", "error", ".")
	if r.code != 0 {
		t.Errorf("--fail-on error: exit %d\n%s", r.code, r.stdout)
	}
	r = kvetIn(t, dir, "lint", "--enable", "job-ttl", "-o", "json", "dev")
	if !strings.Contains(r.stdout, `"rule": "job-ttl"`) {
		t.Errorf("--enable did not beat the override's disable:\n%s", r.stdout)
	}
}

func TestInvalidConfigIsAUsageErrorWithLines(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "c.yaml"), "failOn: warning\nexlude: [x]\n")
	write(t, filepath.Join(dir, "job.yaml"), jobNoTTL)
	r := kvetIn(t, dir, "lint", "--config", "c.yaml", "job.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, `c.yaml:2:1: unknown field "exlude" at the top level; did you mean "exclude"?`) {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
	r = kvetIn(t, dir, "lint", "--config", "missing.yaml", "job.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, "missing.yaml: no such file") {
		t.Errorf("missing config: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestInitWritesAValidStarter(t *testing.T) {
	dir := t.TempDir()
	r := kvetIn(t, dir, "init")
	if r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	write(t, filepath.Join(dir, "job.yaml"), jobNoTTL)
	if r := kvetIn(t, dir, "lint", "job.yaml"); r.code != 0 || r.stderr != "" {
		t.Errorf("lint with the starter config: exit %d stderr %q", r.code, r.stderr)
	}
	if r := kvetIn(t, dir, "init"); r.code != 2 || !strings.Contains(r.stderr, "exists; pass --force") {
		t.Errorf("second init: exit %d %q", r.code, r.stderr)
	}
}

func TestShowIgnored(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "job.yaml"), strings.Replace(jobNoTTL, "metadata: {name: j}", "metadata:\n  name: j\n  annotations: {kvet.dev/ignore: job-ttl, kvet.dev/ignore.job-ttl: cleaned up by the operator}", 1))
	r := kvetIn(t, dir, "lint", "--fail-on", "info", "job.yaml")
	if r.code != 0 || strings.Contains(r.stdout, "job-ttl") {
		t.Errorf("ignored finding shown: exit %d\n%s", r.code, r.stdout)
	}
	r = kvetIn(t, dir, "lint", "--show-ignored", "-o", "json", "job.yaml")
	if !strings.Contains(r.stdout, `"ignored": [`) || !strings.Contains(r.stdout, "cleaned up by the operator") {
		t.Errorf("--show-ignored:\n%s", r.stdout)
	}
}

// TestUnknownRuleIDsAreRefused: --disable job-tll is an error with a
// did-you-mean (exit 2); the ids of the user's policies count as known, in
// the flags and in the file.
func TestUnknownRuleIDsAreRefused(t *testing.T) {
	r := kvet(t, "", "lint", "--disable", "job-tll", "testdata/lint/clean.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, `kvet: --disable: unknown rule "job-tll"; did you mean job-ttl?`) || r.stdout != "" {
		t.Errorf("exit %d, stderr %q, stdout %q", r.code, r.stderr, r.stdout)
	}
	r = kvet(t, "", "lint", "--enable", "securty", "testdata/lint/clean.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown rule "securty"; did you mean security?`) {
		t.Errorf("group: exit %d, stderr %q", r.code, r.stderr)
	}
	r = kvet(t, "", "lint", "-p", "testdata/policies/image", "--disable", "company-registry,kvet_test.registry/warn", "testdata/lint/deployments.yaml")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("user policy ids: exit %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
	write(t, filepath.Join(dir, "job.yaml"), jobNoTTL)
	write(t, filepath.Join(dir, ".kvet.yaml"), "disable: [job-tll]\n")
	r = kvetIn(t, dir, "lint", ".")
	if r.code != 2 || !strings.Contains(r.stderr, `.kvet.yaml:1:11: unknown rule "job-tll"; did you mean job-ttl?`) {
		t.Errorf("config: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestConfigPoliciesStayInTheRepository: policies: ["/"] or /proc/self in
// a .kvet.yaml is an error at its line, not a walk of the filesystem; a
// .kvet.yaml above the repository is not read; --show-config says which
// file is used.
func TestConfigPoliciesStayInTheRepository(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	write(t, filepath.Join(dir, ".kvet.yaml"), "disable: [job-ttl]\n")
	write(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n")
	write(t, filepath.Join(repo, "job.yaml"), jobNoTTL)
	r := kvetIn(t, repo, "lint", "--show-config")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "config: none") {
		t.Errorf("--show-config outside: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = kvetIn(t, repo, "lint", "-o", "json", ".")
	if r.code != 0 || !strings.Contains(r.stdout, `"rule": "job-ttl"`) {
		t.Errorf("the file above the repository was read: exit %d\n%s", r.code, r.stdout)
	}
	write(t, filepath.Join(repo, ".kvet.yaml"), "policies:\n- /\n- /proc/self\n")
	start := time.Now()
	r = kvetIn(t, repo, "lint", ".")
	if r.code != 2 || !strings.Contains(r.stderr, `.kvet.yaml:2:3: policies: "/" is the filesystem's root`) ||
		!strings.Contains(r.stderr, `.kvet.yaml:3:3: policies: "/proc/self" is in /proc`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
	write(t, filepath.Join(repo, "policy", "p.rego"), "package p\n\ndeny contains \"p\" if input.kind == \"Job\"\n")
	write(t, filepath.Join(repo, ".kvet.yaml"), "policies: [policy]\n")
	r = kvetIn(t, filepath.Join(repo, "policy"), "lint", "--show-config")
	if want := "config: " + filepath.Join(repo, ".kvet.yaml") + "\nroot: " + repo + "\npolicies: " + filepath.Join(repo, "policy") + "\n"; r.stdout != want {
		t.Errorf("--show-config:\n%s\nwant\n%s", r.stdout, want)
	}
}

// podSecurity: in the configuration sets the default Pod Security level,
// --pod-security overrides it, and a level the admission controller would
// not read is a usage error naming where it came from.
func TestPodSecurityLevelFromConfigAndFlag(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".kvet.yaml"), "podSecurity: restricted\n")
	write(t, filepath.Join(dir, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: c:1.0}\n")
	r := kvetIn(t, dir, "lint", "pod.yaml")
	if r.code != 1 || !strings.Contains(r.stdout, `error[pod-security]: runAsNonRoot: pod or container "c" must set securityContext.runAsNonRoot=true (PodSecurity "restricted:latest"`) {
		t.Errorf("podSecurity: restricted: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := kvetIn(t, dir, "lint", "--pod-security", "baseline", "pod.yaml"); r.code != 0 || strings.Contains(r.stdout, "pod-security") {
		t.Errorf("--pod-security baseline: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := kvetIn(t, dir, "lint", "--pod-security", "strict", "pod.yaml"); r.code != 2 ||
		!strings.Contains(r.stderr, `--pod-security: level "strict": must be one of privileged, baseline, restricted`) {
		t.Errorf("--pod-security strict: exit %d %q", r.code, r.stderr)
	}
	write(t, filepath.Join(dir, ".kvet.yaml"), "podSecurity: restricted:1.30\n")
	if r := kvetIn(t, dir, "lint", "pod.yaml"); r.code != 2 || !strings.Contains(r.stderr, `podSecurity in `) || !strings.Contains(r.stderr, `version "1.30": must be "latest" or "v1.x"`) {
		t.Errorf("podSecurity: restricted:1.30: exit %d %q", r.code, r.stderr)
	}
}

// admissionPolicies: in the configuration are files or folders relative to
// it, kept inside the repository like policies:; their policies are
// evaluated against the linted objects, and their files are not linted.
func TestConfigAdmissionPolicies(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	write(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n")
	write(t, filepath.Join(repo, "deploy", "job.yaml"), jobNoTTL)
	// Outside deploy/, and with a finding of its own (no TTL) that must
	// not be reported: its files are loaded, not linted.
	write(t, filepath.Join(repo, "platform", "vap.yaml"), `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ttl}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [batch], apiVersions: [v1], operations: [CREATE], resources: [jobs]}
  validations:
  - {expression: "has(object.spec.ttlSecondsAfterFinished)", message: Jobs set a TTL}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ttl}
spec: {policyName: ttl, validationActions: [Deny]}
---
`+jobNoTTL)
	write(t, filepath.Join(repo, ".kvet.yaml"), "admissionPolicies: [platform]\n")
	r := kvetIn(t, filepath.Join(repo, "deploy"), "lint", "-o", "json", ".")
	if r.code != 1 || strings.Count(r.stdout, `"rule": "admission-policy"`) != 1 ||
		!strings.Contains(r.stdout, `ValidatingAdmissionPolicy 'ttl' with binding 'ttl' denied request: Jobs set a TTL`) ||
		strings.Contains(r.stdout, `"file": "../platform`) || !strings.Contains(r.stdout, "platform/vap.yaml:9)") {
		t.Errorf("exit %d stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	// Without it, the policy is not known.
	r = kvetIn(t, filepath.Join(repo, "deploy"), "lint", "-o", "json", "--config", filepath.Join(dir, "none.yaml"), ".")
	if strings.Contains(r.stdout, `"rule": "admission-policy"`) {
		t.Errorf("without the configuration: %s", r.stdout)
	}
	// The flag adds to it; a broken file is a usage error at its line.
	write(t, filepath.Join(dir, "broken.yaml"), "kind: [\n")
	r = kvetIn(t, repo, "lint", "--admission-policies", filepath.Join(dir, "broken.yaml"), "deploy")
	if r.code != 2 || !strings.Contains(r.stderr, "--admission-policies: "+filepath.Join(dir, "broken.yaml")+":") {
		t.Errorf("broken file: exit %d, stderr %q", r.code, r.stderr)
	}
	// Outside the repository: refused at its line.
	write(t, filepath.Join(repo, ".kvet.yaml"), "admissionPolicies: [../elsewhere]\n")
	r = kvetIn(t, repo, "lint", "deploy")
	if r.code != 2 || !strings.Contains(r.stderr, `.kvet.yaml:1:21: admissionPolicies: "../elsewhere" is outside the repository`) {
		t.Errorf("outside: exit %d, stderr %q", r.code, r.stderr)
	}
}

// schemaLocations: in .kvet.yaml is relative to the file, not to where
// kvet runs, and turns cr-validation on as --schema-location does.
func TestSchemaLocationsInConfig(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "repo", ".kvet.yaml"), "schemaLocations: [\"catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json\"]\n")
	write(t, filepath.Join(dir, "repo", "catalog", "example.com", "widget_v1.json"), `{"type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer", "maximum": 10}}, "additionalProperties": false}}}`)
	write(t, filepath.Join(dir, "repo", "deploy", "w.yaml"), "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 99\n")
	r := kvetIn(t, filepath.Join(dir, "repo", "deploy"), "lint", "w.yaml")
	if r.code != 1 || !strings.Contains(r.stdout, "error[cr-schema]: spec.size: Invalid value: 99: spec.size in body should be less than or equal to 10 (checked against the schema "+filepath.Join(dir, "repo", "catalog", "example.com", "widget_v1.json")+")") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
