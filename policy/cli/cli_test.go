package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvetdev/kvet/internal/golden"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/policy/input"
	"github.com/kvetdev/kvet/report"
)

// run runs kvet test in dir (relative to policy/testdata).
func run(t *testing.T, dir string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("..", "testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(abs)
	var out, errb bytes.Buffer
	code := Test(context.Background(), append([]string{"--no-color"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestGolden(t *testing.T) {
	report.SetJUnitGoVersion("go-test")
	for _, format := range report.ConftestFormats {
		t.Run(format, func(t *testing.T) {
			code, out, stderr := run(t, ".", "", "-p", "v1/policy", "-o", format, "inputs/deploy.yaml", "inputs/service.json")
			if code != 1 {
				t.Errorf("exit code %d, want 1; stderr: %s", code, stderr)
			}
			path := filepath.Join(must(filepath.Abs(filepath.Join("..", "cli", "testdata", "golden"))), format+".golden")
			golden.Check(t, path, []byte(out))
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestTestCommand(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dir      string
		stdin    string
		args     []string
		code     int
		stdout   []string // substrings expected on stdout
		stderr   []string // substrings expected on stderr
		noStdout bool
	}{
		{
			name:   "summary counts like conftest",
			dir:    ".",
			args:   []string{"-p", "v1/policy", "inputs/deploy.yaml", "inputs/service.json"},
			code:   1,
			stdout: []string{"FAIL - inputs/deploy.yaml - main - container app uses a latest image", "EXCP - inputs/deploy.yaml - main - data.main.exception[_][_] == \"image\"", "12 tests, 7 passed, 1 warning, 3 failures, 1 exception"},
		},
		{
			name:   "v0 policies",
			dir:    ".",
			args:   []string{"-p", "v0/policy", "--rego-version", "v0", "inputs/deploy.yaml"},
			code:   1,
			stdout: []string{"FAIL - inputs/deploy.yaml - main - Deployment web must run as non-root", "4 tests, 2 passed, 1 warning, 1 failure, 0 exceptions"},
		},
		{
			name: "fail-on-warn with failures",
			dir:  ".",
			args: []string{"-p", "v1/policy", "--fail-on-warn", "inputs/deploy.yaml"},
			code: 2,
		},
		{
			name: "fail-on-warn with warnings only",
			dir:  "toml",
			args: []string{"-p", "custom", "-n", "team", "--fail-on-warn", "inputs/cm.yaml"},
			code: 1,
		},
		{
			name:   "warnings only",
			dir:    "toml",
			args:   []string{"-p", "custom", "-n", "team", "inputs/cm.yaml"},
			code:   0,
			stdout: []string{"WARN - inputs/cm.yaml - team - from the custom folder"},
		},
		{
			name:   "no-fail",
			dir:    ".",
			args:   []string{"-p", "v1/policy", "--no-fail", "inputs/deploy.yaml"},
			code:   0,
			stdout: []string{"FAIL"},
		},
		{
			name:   "conftest.toml",
			dir:    "toml",
			args:   []string{"inputs/cm.yaml"},
			code:   0,
			stdout: []string{"WARN - inputs/cm.yaml - team - from the custom folder", "1 test, 0 passed, 1 warning, 0 failures, 0 exceptions"},
		},
		{
			name:   "flags override conftest.toml",
			dir:    "toml",
			args:   []string{"-p", "../ns/policy", "inputs/cm.yaml"},
			code:   0,
			stdout: []string{"? - inputs/cm.yaml - team - no policies found"},
		},
		{
			name:     "compile error",
			dir:      ".",
			args:     []string{"-p", "badcompile/policy", "inputs/service.json"},
			code:     1,
			stderr:   []string{"badcompile/policy/main.rego:4:", "undefined_var"},
			noStdout: true,
		},
		{
			name:     "http.send refused",
			dir:      ".",
			args:     []string{"-p", "net/policy", "inputs/service.json"},
			code:     1,
			stderr:   []string{"net/policy/main.rego:4:10: http.send is disabled; pass --allow-net to let policies use the network"},
			noStdout: true,
		},
		{
			name:   "timeout",
			dir:    ".",
			args:   []string{"-p", "timeout/policy", "--timeout", "50ms", "inputs/service.json"},
			code:   1,
			stderr: []string{"timed out after 50ms in namespace main (timeout/policy/main.rego)"},
		},
		{
			name:   "namespace",
			dir:    ".",
			args:   []string{"-p", "ns/policy", "-n", "other.sub", "inputs/service.json"},
			code:   1,
			stdout: []string{"WARN - inputs/service.json - other.sub - other warns", "FAIL - inputs/service.json - other.sub - no services"},
		},
		{
			name:   "all namespaces",
			dir:    ".",
			args:   []string{"-p", "ns/policy", "--all-namespaces", "inputs/service.json"},
			code:   1,
			stdout: []string{"FAIL - inputs/service.json - main - main denies everything", "FAIL - inputs/service.json - other.sub - no services", "3 tests, 0 passed, 1 warning, 2 failures, 0 exceptions"},
		},
		{
			name:   "namespace glob (conftest #1343)",
			dir:    ".",
			args:   []string{"-p", "ns/policy", "-n", "ot*", "inputs/service.json"},
			code:   1,
			stdout: []string{"FAIL - inputs/service.json - other.sub - no services", "2 tests, 0 passed, 1 warning, 1 failure"},
		},
		{
			name:   "namespace glob matching nothing",
			dir:    ".",
			args:   []string{"-p", "ns/policy", "-n", "nope*", "inputs/service.json"},
			code:   0,
			stdout: []string{"0 tests, 0 passed"},
		},
		{
			name:   "deny if without contains is a boolean rule: a pass (conftest)",
			dir:    ".",
			args:   []string{"-p", "badif/policy", "inputs/deploy.yaml"},
			code:   0,
			stdout: []string{"2 tests, 2 passed, 0 warnings, 0 failures"},
		},
		{
			name:     "deny[msg] if without contains is refused (conftest)",
			dir:      ".",
			args:     []string{"-p", "refhead/policy", "inputs/deploy.yaml"},
			code:     1,
			stderr:   []string{"refhead/policy/main.rego:5: rule deny is using 'if' keyword without 'contains' keyword"},
			noStdout: true,
		},
		{
			name:   "an empty file is evaluated once with input = null (conftest)",
			dir:    ".",
			args:   []string{"-p", "badif/policy", "empty/empty.yaml"},
			code:   0,
			stdout: []string{"1 test, 1 passed, 0 warnings, 0 failures"},
		},
		{
			name:   "empty file and null input",
			dir:    ".",
			args:   []string{"-p", "v1/policy", "-o", "json", "empty/empty.yaml"},
			code:   0,
			stdout: []string{`"filename": "empty/empty.yaml"`, `"successes": 4`},
		},
		{
			name:   "conftest's parse_config builtins",
			dir:    ".",
			args:   []string{"-p", "parseconfig/policy", "inputs/service.json"},
			code:   1,
			stdout: []string{"- main - yaml: web\n", "- main - toml: 8080\n", "- main - json: 2\n", "- main - file: shop\n", "- main - combined: 4, pg\n"},
		},
		{
			name:   "--parser yaml (conftest), on stdin",
			dir:    ".",
			stdin:  "kind: Deployment\nmetadata:\n  name: piped\n",
			args:   []string{"-p", "v0/policy", "--rego-version", "v0", "--parser", "yaml", "-"},
			code:   1,
			stdout: []string{"FAIL - - main - Deployment piped must run as non-root"},
		},
		{
			name:   "--parser of another format",
			dir:    ".",
			args:   []string{"-p", "v1/policy", "--parser", "hcl2", "inputs/service.json"},
			code:   1,
			stderr: []string{`parser "hcl2" is not supported: kvet test reads YAML and JSON`},
		},
		{
			name:   "combine",
			dir:    ".",
			args:   []string{"-p", "combine/policy", "--combine", "inputs/deploy.yaml", "inputs/service.json"},
			code:   1,
			stdout: []string{"FAIL - Combined - main - 3 documents: legacy, svc, web"},
		},
		{
			name:   "data flag",
			dir:    ".",
			args:   []string{"-p", "data/policy", "-d", "data/data", "inputs/deploy.yaml"},
			code:   1,
			stdout: []string{"image nginx:latest is not from registry.example.com/"},
		},
		{
			name:   "default data folder",
			dir:    "data",
			args:   []string{"../inputs/deploy.yaml"},
			code:   1,
			stdout: []string{"image old:latest is not from registry.example.com/"},
		},
		{
			name:   "stdin",
			dir:    ".",
			stdin:  "kind: Deployment\nmetadata:\n  name: piped\n",
			args:   []string{"-p", "v0/policy", "--rego-version", "v0", "-"},
			code:   1,
			stdout: []string{"FAIL - - main - Deployment piped must run as non-root"},
		},
		{
			name:   "stdin filename",
			dir:    ".",
			stdin:  "kind: Deployment\nmetadata:\n  name: piped\n",
			args:   []string{"-p", "v0/policy", "--rego-version", "v0", "--stdin-filename", "piped.yaml", "-"},
			code:   1,
			stdout: []string{"FAIL - piped.yaml - main - Deployment piped must run as non-root"},
		},
		{
			name:   "folder walk with ignore",
			dir:    ".",
			args:   []string{"-p", "ns/policy", "--ignore", "deploy", "inputs"},
			code:   1,
			stdout: []string{"inputs/service.json", "1 test, 0 passed, 0 warnings, 1 failure"},
		},
		{
			name:     "quiet on success",
			dir:      ".",
			args:     []string{"-p", "data/policy", "-d", "data/data", "--quiet", "toml/inputs/cm.yaml"},
			code:     0,
			noStdout: true,
		},
		{
			name:     "quiet hides warnings when the exit code is 0 (conftest)",
			dir:      "toml",
			args:     []string{"-p", "custom", "-n", "team", "--quiet", "inputs/cm.yaml"},
			code:     0,
			noStdout: true,
		},
		{
			name:   "quiet prints failures",
			dir:    ".",
			args:   []string{"-p", "v1/policy", "--quiet", "inputs/deploy.yaml"},
			code:   1,
			stdout: []string{"FAIL"},
		},
		{
			name:   "junit hide message",
			dir:    ".",
			args:   []string{"-p", "v1/policy", "-o", "junit", "--junit-hide-message", "inputs/service.json"},
			code:   0,
			stdout: []string{`<testcase classname="conftest.main" name="inputs/service.json" time="0.000"></testcase>`},
		},
		{
			name:   "data.conftest.file per file",
			dir:    ".",
			args:   []string{"-p", "fileinfo/policy", "inputs/deploy.yaml", "inputs/service.json"},
			code:   0,
			stdout: []string{"WARN - inputs/deploy.yaml - main - deploy.yaml in Deployment", "WARN - inputs/service.json - main - service.json in Service"},
		},
		{
			name:   "suppress exceptions",
			dir:    ".",
			args:   []string{"-p", "v1/policy", "--suppress-exceptions", "inputs/deploy.yaml"},
			code:   1,
			stdout: []string{"1 exception"},
		},
		{
			name:   "unknown output",
			dir:    ".",
			args:   []string{"-o", "xml", "inputs/service.json"},
			code:   1,
			stderr: []string{`unknown output format "xml"`},
		},
		{
			name:   "no args",
			dir:    ".",
			args:   []string{},
			code:   1,
			stderr: []string{"requires at least 1 arg"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := run(t, tc.dir, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tc.noStdout && out != "" {
				t.Errorf("unexpected stdout:\n%s", out)
			}
		})
	}
}

func TestSuppressExceptionsHidesLines(t *testing.T) {
	_, out, _ := run(t, ".", "", "-p", "v1/policy", "--suppress-exceptions", "inputs/deploy.yaml")
	if strings.Contains(out, "EXCP") {
		t.Errorf("exceptions printed:\n%s", out)
	}
}

func TestVerify(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Verify(context.Background(), []string{"--bundled", "--no-color", "--report", "coverage"}, nil, &out, &errb); code != 0 {
		t.Fatalf("bundled: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "Coverage:") || !strings.Contains(out.String(), "probes.rego") {
		t.Errorf("no coverage report:\n%s", out.String())
	}
	out.Reset()
	errb.Reset()
	code := Verify(context.Background(), []string{"--no-color", "-p", "../testdata/failing/policy"}, nil, &out, &errb)
	if code != 1 {
		t.Errorf("failing: exit %d, want 1", code)
	}
	for _, s := range []string{"FAIL - ../testdata/failing/policy/main_test.rego:9 - data.main_test - test_service_denied", "PASS - ", "2 tests, 1 passed, 0 warnings, 1 failure, 0 exceptions, 0 skipped"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}

func TestInputsThroughTheLoader(t *testing.T) {
	var docs []*manifest.Document
	last := false
	n, errs := manifest.Stream([]string{"../testdata/inputs/deploy.yaml"}, manifest.Options{Documents: true}, func(_ int, _ *manifest.Source, p manifest.Parsed, _ bool) {
		docs = append(docs, p.Docs...)
		last = last || p.Last
	})
	if n != 1 || len(errs) > 0 || !last {
		t.Fatalf("files %d, errors %v, last batch seen %v", n, errs, last)
	}
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want 2 (empty documents skipped)", len(docs))
	}
	u := unit{doc: docs[0], value: input.Document(docs[0])}
	if got, got2 := u.line(nil), (unit{doc: docs[1]}).line(nil); got != 3 || got2 != 18 {
		t.Errorf("lines = %d, %d, want 3, 18", got, got2)
	}
	if got := u.line(manifest.Path{}.Field("spec").Field("template").Field("spec").Field("containers").Item(0).Field("image")); got != 13 {
		t.Errorf("line of image = %d, want 13", got)
	}
	if got := docs[0].Value().(map[string]any)["spec"].(map[string]any)["replicas"]; got != int64(1) {
		t.Errorf("replicas = %#v", got)
	}
}

// An alias bomb (10 lines, 6 levels of nine aliases each) is an error at
// its file:line:col in bounded time, as in kvet lint; before kvet test read
// inputs through the loader it took 27 s and 1.25 GB.
func TestAliasBombIsAnError(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 6; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		fmt.Fprintf(&b, "a%d: &a%d [%s, %s, %s, %s, %s, %s, %s, %s, %s]\n", i, i, p, p, p, p, p, p, p, p, p)
	}
	bomb := filepath.Join(dir, "bomb.yaml")
	if err := os.WriteFile(bomb, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out, stderr := run(t, ".", "", "-p", "v1/policy", bomb)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	want := bomb + ":7:10: document expands to more than 1000000 YAML nodes"
	if code != 1 || out != "" || !strings.Contains(stderr, want) || !strings.Contains(stderr, "--max-nodes") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, stderr, want)
	}
}

// A syntax error is an error at its line; the run stops, as conftest's.
func TestSyntaxErrorIsAnError(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("a: 1\n---\nb: [1, 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, ".", "", "-p", "v1/policy", bad)
	if code != 1 || out != "" || !strings.Contains(stderr, bad+":3:1: YAML syntax error") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// Every document is an input, not only Kubernetes objects: a scalar, a
// list (split into its items when it is the file's only document) and a
// mapping without kind, as conftest evaluates them.
func TestEveryDocumentIsAnInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pol := write("p.rego", "package main\n\ndeny contains msg if {\n\tmsg := sprintf(\"%v\", [input])\n}\n")
	multi := write("multi.yaml", "hello\n---\n[1, 2]\n---\nport: 80\n")
	list := write("list.json", `[{"a": 1}, {"b": 2}]`)
	code, out, stderr := run(t, ".", "", "-p", pol, multi, list)
	for _, want := range []string{
		"FAIL - " + multi + " - main - hello\n",
		"FAIL - " + multi + " - main - [1, 2]\n",
		"FAIL - " + multi + " - main - {\"port\": 80}\n",
		"FAIL - " + list + " - main - {\"a\": 1}\n",
		"FAIL - " + list + " - main - {\"b\": 2}\n",
		"5 tests, 0 passed, 0 warnings, 5 failures",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q (exit %d):\n%s%s", want, code, out, stderr)
		}
	}
}

// kvet verify --namespace keeps the tests of the matching packages, globs
// allowed, as conftest verify.
func TestVerifyNamespace(t *testing.T) {
	for _, tc := range []struct {
		ns, want string
		code     int
	}{
		{"main_test", "2 tests, 1 passed, 0 warnings, 1 failure, 0 exceptions, 0 skipped", 1},
		{"ma*", "2 tests, 1 passed, 0 warnings, 1 failure", 1},
		{"other*", "0 tests, 0 passed, 0 warnings, 0 failures", 0},
	} {
		var out, errb bytes.Buffer
		code := Verify(context.Background(), []string{"--no-color", "-p", "../testdata/failing/policy", "-n", tc.ns}, nil, &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("-n %s: exit %d, want %d and %q:\n%s%s", tc.ns, code, tc.code, tc.want, out.String(), errb.String())
		}
	}
}

// print() output: in the stdout format first, as "PRNT   file:line: text"
// lines (conftest); on stderr in the machine formats.
func TestPrintOutput(t *testing.T) {
	code, out, stderr := run(t, ".", "", "-p", "print/policy", "inputs/service.json", "inputs/deploy.yaml")
	want := "PRNT   print/policy/main.rego:4: checking Service\n" +
		"PRNT   print/policy/main.rego:4: checking Deployment\n" +
		"PRNT   print/policy/main.rego:4: checking Deployment\n" +
		"FAIL - inputs/service.json - main - no services\n"
	if code != 1 || !strings.HasPrefix(out, want) || stderr != "" {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout starting with:\n%s", code, out, stderr, want)
	}
	_, out, stderr = run(t, ".", "", "-p", "print/policy", "-o", "json", "inputs/service.json")
	if strings.Contains(out, "PRNT") || stderr != "print/policy/main.rego:4: checking Service\n" {
		t.Errorf("json: stdout:\n%s\nstderr:\n%q", out, stderr)
	}
}

// kvet verify writes conftest's tap, table, junit, github and sarif
// formats from the test results, as conftest verify.
func TestVerifyConftestFormats(t *testing.T) {
	for format, want := range map[string]string{
		"tap":    "not ok 1 - ../testdata/failing/policy/main_test.rego -  - data.main_test.test_service_denied\n",
		"table":  "│ failure │ ../testdata/failing/policy/main_test.rego │           │ data.main_test.test_service_denied │",
		"github": "::error file=../testdata/failing/policy/main_test.rego,line=9::data.main_test.test_service_denied\n",
		"junit":  `<failure message="Failed" type="">data.main_test.test_service_denied</failure>`,
		"sarif":  `"ruleId":"/deny"`,
	} {
		var out, errb bytes.Buffer
		code := Verify(context.Background(), []string{"--no-color", "-p", "../testdata/failing/policy", "-o", format}, nil, &out, &errb)
		if code != 1 || !strings.Contains(out.String(), want) {
			t.Errorf("-o %s: exit %d, want 1 and %q in:\n%s%s", format, code, want, out.String(), errb.String())
		}
	}
}

// kvet verify --trace prints each test's trace on stderr, as kvet test's.
func TestVerifyTrace(t *testing.T) {
	var out, errb bytes.Buffer
	Verify(context.Background(), []string{"--no-color", "--trace", "-p", "../testdata/failing/policy"}, nil, &out, &errb)
	for _, want := range []string{"file: ../testdata/failing/policy/main_test.rego | query: data.main_test.test_pod_denied\n", "TRAC   | | Eval data.main.deny.always"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	if strings.Contains(out.String(), "TRAC") {
		t.Errorf("trace on stdout:\n%s", out.String())
	}
}
