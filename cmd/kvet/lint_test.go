package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintUsageErrors: every kind of usage error, found while the options
// are read, is printed on stderr as one message ending in a newline,
// with its own prefix ("kvet lint: " for a flag, "kvet: " for the
// configuration and the policies), nothing is printed on stdout, and the
// exit code is 2.
func TestLintUsageErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badKube := write("kube.yaml", "kubeVersion: \"1.99\"\n")
	badRule := write("rule.yaml", "disable: [job-tll]\n")
	clean := "../../testdata/lint/clean.yaml"
	cases := []struct {
		args   []string
		stderr string // the whole of it; a trailing "…" matches a prefix
	}{
		{[]string{}, "kvet lint: no paths given; try kvet lint . or kvet lint - < manifest.yaml\n"},
		{[]string{"-o", "xml", clean}, "kvet lint: unknown output format \"xml\": want one of [checkstyle github gitlab json junit sarif tap text]\n"},
		{[]string{"--config", filepath.Join(dir, "none.yaml"), clean}, "kvet: invalid configuration:\n" + filepath.Join(dir, "none.yaml") + ": no such file\n"},
		{[]string{"--fail-on", "loud", clean}, "kvet lint: --fail-on: invalid severity \"loud\": want error, warning or info\n"},
		{[]string{"--kube-version", "1.15", clean}, "kvet lint: --kube-version: version 1.15 is outside the Kubernetes versions kvet knows: 1.16 to …"},
		{[]string{"--config", badKube, clean}, "kvet lint: kubeVersion in " + badKube + ": version 1.99 is outside …"},
		{[]string{"--policy-max-memory", "0", clean}, "kvet lint: --policy-max-memory: 0 MiB: give a positive number of MiB\n"},
		{[]string{"-p", "../../testdata/policies/broken", clean}, "kvet: compile policies:\n../../testdata/policies/broken/broken.rego:4:9: rego_type_error: …"},
		{[]string{"--disable", "job-tll", clean}, "kvet: --disable: unknown rule \"job-tll\"; did you mean job-ttl?\n"},
		{[]string{"--config", badRule, clean}, "kvet: invalid configuration:\n" + badRule + ":1:11: unknown rule \"job-tll\"; did you mean job-ttl?\n"},
		{[]string{"--schema-location", "default", clean}, "kvet lint: --schema-location default: kubeconform's default location holds the schemas of the built-in kinds, …"},
		{[]string{"--schema-location", "c/{{.Kind}}.json", clean}, "kvet lint: --schema-location c/{{.Kind}}.json: not a schema location template: …"},
		{[]string{"--cpuprofile", filepath.Join(dir, "no", "cpu.out"), clean}, "kvet lint: --cpuprofile: open " + filepath.Join(dir, "no", "cpu.out") + ": no such file or directory\n"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := runLint(context.Background(), c.args, strings.NewReader(""), &stdout, &stderr, false)
		got := stderr.String()
		ok := got == c.stderr
		if prefix, cut := strings.CutSuffix(c.stderr, "…"); cut {
			ok = strings.HasPrefix(got, prefix) && strings.HasSuffix(got, "\n") && !strings.Contains(got, "\n\n")
		}
		if code != exitUsage || stdout.Len() != 0 || !ok {
			t.Errorf("kvet lint %s: exit %d, stdout %q\nstderr %q\nwant exit 2, nothing on stdout, stderr %q", strings.Join(c.args, " "), code, stdout.String(), got, c.stderr)
		}
	}
}
