package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/internal/golden"
)

var kvetBin string

// TestMain builds the real binary once: the CLI tests run it as users do.
func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "kvet-test")
	if err != nil {
		panic(err)
	}
	kvetBin = filepath.Join(dir, "kvet")
	out, err := exec.Command("go", "build", "-o", kvetBin, ".").CombinedOutput()
	if err != nil {
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// kvet runs the built binary from the repository root.
func kvet(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(kvetBin, args...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

var timing = regexp.MustCompile(`\(\d+(\.\d+)?(ns|µs|ms|s)\)`)

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	got = timing.ReplaceAllString(got, "(TIME)")
	golden.Check(t, filepath.Join("../../testdata/golden", name), []byte(got))
}

func TestLintGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"mistakes.txt", []string{"lint", "testdata/lint/mistakes.yaml"}, 1},
		{"mistakes.json", []string{"lint", "-o", "json", "testdata/lint/mistakes.yaml"}, 1},
		{"broken.txt", []string{"lint", "testdata/lint/broken.yaml"}, 1},
		{"clean.txt", []string{"lint", "testdata/lint/clean.yaml"}, 0},
		{"clean.json", []string{"lint", "--output=json", "testdata/lint/clean.yaml"}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := kvet(t, "", c.args...)
			if r.code != c.code {
				t.Errorf("exit code %d, want %d; stderr: %s", r.code, c.code, r.stderr)
			}
			checkGolden(t, c.name, r.stdout)
		})
	}
}

func TestJSONContract(t *testing.T) {
	r := kvet(t, "", "lint", "-o", "json", "testdata/lint/mistakes.yaml")
	var out struct {
		Findings []map[string]any `json:"findings"`
		Summary  map[string]any   `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, key := range []string{"rule", "severity", "message", "help", "file", "line", "column", "path", "object"} {
		if _, ok := out.Findings[0][key]; !ok {
			t.Errorf("finding lacks %q: %v", key, out.Findings[0])
		}
	}
	counts := map[string]int{}
	for _, f := range out.Findings {
		counts[f["severity"].(string)+"s"]++
	}
	want := map[string]int{"files": 1, "objects": 2, "errors": counts["errors"], "warnings": counts["warnings"], "infos": counts["infos"], "notChecked": 0}
	if counts["errors"] != 5 {
		t.Errorf("got %d errors, want the 5 mistakes of mistakes.yaml", counts["errors"])
	}
	for k, v := range want {
		if out.Summary[k] != float64(v) {
			t.Errorf("summary[%s] = %v, want %d", k, out.Summary[k], v)
		}
	}
	if u, ok := out.Summary["unchecked"].([]any); !ok || len(u) != 0 {
		t.Errorf("summary.unchecked = %#v, want []", out.Summary["unchecked"])
	}
	r = kvet(t, "", "lint", "-o", "json", "testdata/lint/clean.yaml")
	if !strings.Contains(r.stdout, `"findings": []`) {
		t.Errorf("clean run must print findings: [], got %s", r.stdout)
	}
}

// TestJSONUnchecked: the JSON summary counts the objects kvet has no
// schema for (custom resources and CRDs), by kind, most frequent first;
// built-in kinds and a misspelt built-in kind are not among them.
func TestJSONUnchecked(t *testing.T) {
	in := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: a}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: b}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: certificates.cert-manager.io}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: apps/v1
kind: Deploymnet
metadata: {name: a}
`
	r := kvet(t, in, "lint", "-o", "json", "-")
	var out struct {
		Summary struct {
			NotChecked int              `json:"notChecked"`
			Unchecked  []map[string]any `json:"unchecked"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "count": 2.0},
		{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "count": 1.0},
	}
	// The CustomResourceDefinition is checked (crd-invalid), and so would
	// be the Certificates if it defined them.
	if out.Summary.NotChecked != 3 || !reflect.DeepEqual(out.Summary.Unchecked, want) {
		t.Errorf("summary: notChecked %d, unchecked %v; want 3, %v", out.Summary.NotChecked, out.Summary.Unchecked, want)
	}
	r = kvet(t, in, "lint", "-")
	if want := "; 3 objects not schema-checked: Certificate (cert-manager.io/v1) x2, HTTPRoute (gateway.networking.k8s.io/v1) x1\n"; !strings.HasSuffix(r.stdout, want) {
		t.Errorf("text summary does not end with %q:\n%s", want, r.stdout)
	}
}

func TestExitCodesAndFailOn(t *testing.T) {
	info := "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: m}\nspec:\n  schedule: \"* * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: x, image: \"busybox:1.36\"}]\n"
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"lint", "-"}, 0, ""},
		{[]string{"lint", "--fail-on", "info", "-"}, 1, ""},
		{[]string{"lint", "--fail-on", "loud", "-"}, 2, "--fail-on"},
		{[]string{"lint", "--kube-version", "2.x", "-"}, 2, "invalid Kubernetes version"},
		{[]string{"lint", "-o", "xml", "-"}, 2, "unknown output format"},
		{[]string{"lint"}, 2, "no paths given"},
		{[]string{"lint", "testdata/lint/clean.yaml", "does-not-exist.yaml"}, 2, "does-not-exist.yaml: no such file or directory"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	}
	for _, c := range cases {
		r := kvet(t, info, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.err) {
			t.Errorf("kvet %v: exit %d stderr %q; want exit %d and %q", c.args, r.code, r.stderr, c.code, c.err)
		}
	}
	// A missing path does not hide findings in the paths that exist.
	r := kvet(t, "", "lint", "testdata/lint/mistakes.yaml", "nope.yaml")
	if r.code != 2 || !strings.Contains(r.stdout, "job-restart-policy") {
		t.Errorf("missing path hid the other findings: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestStdinFilename(t *testing.T) {
	data, err := os.ReadFile("../../testdata/lint/mistakes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := kvet(t, string(data), "lint", "--stdin-filename", "deploy/job.yaml", "-")
	if !strings.Contains(r.stdout, "--> deploy/job.yaml:11:22") {
		t.Errorf("stdin findings not named as asked:\n%s", r.stdout)
	}
}

func TestVersion(t *testing.T) {
	r := kvet(t, "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "kvet ") || !strings.Contains(r.stdout, defaultKubeVersion) {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
}

func TestColorOnlyOnTerminal(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"lint", "../../testdata/lint/mistakes.yaml"}
	run(context.Background(), args, nil, &out, &errb, true)
	if !strings.Contains(out.String(), "\x1b[") {
		t.Error("no colour on a terminal")
	}
	out.Reset()
	run(context.Background(), append([]string{"lint", "--no-color"}, args[1:]...), nil, &out, &errb, true)
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("colour despite --no-color")
	}
	t.Setenv("NO_COLOR", "1")
	out.Reset()
	run(context.Background(), args, nil, &out, &errb, true)
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("colour despite NO_COLOR")
	}
}

// TestDeterministicOutput: the same input gives byte-identical output
// with one worker and with many, in every format.
func TestDeterministicOutput(t *testing.T) {
	args := []string{"lint", "--no-color", "--enable", "security,reliability", "--policy", "testdata/policies/pdb", "examples", "testdata/lint", "rules/testdata"}
	for _, format := range []string{"json", "sarif", "text"} {
		one := kvet(t, "", append(args, "-o", format, "--workers", "1")...)
		many := kvet(t, "", append(args, "-o", format, "--workers", "8")...)
		a, b := timing.ReplaceAllString(one.stdout, ""), timing.ReplaceAllString(many.stdout, "")
		if a != b || a == "" {
			t.Errorf("%s output differs between 1 and 8 workers (or is empty)", format)
		}
	}
}
