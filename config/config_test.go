package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/rule"
)

func TestUnknownKeysAndBadValuesHaveLines(t *testing.T) {
	_, err := Parse("dir/.kvet.yaml", []byte("kubeVersion: \"1.30\"\nfailOn: loud\ndisabel: [job-ttl]\nseverity:\n  job-ttl: critical\noverrides:\n- files: [\"prod/**\"]\n  severty: {job-ttl: error}\n"))
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`dir/.kvet.yaml:3:1: unknown field "disabel" at the top level; did you mean "disable"?`,
		`dir/.kvet.yaml:8:3: unknown field "severty" in overrides[0]; did you mean "severity"?`,
		`dir/.kvet.yaml:2:9: failOn: invalid severity "loud"`,
		`dir/.kvet.yaml:5:12: severity of job-ttl: invalid severity "critical"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if _, err := Parse("c.yaml", []byte("enable: security\n")); err == nil || !strings.Contains(err.Error(), "c.yaml:1:9: enable: expected a list") {
		t.Errorf("wrong type: %v", err)
	}
}

func TestSelectionAndOverrides(t *testing.T) {
	c, err := Parse("/repo/.kvet.yaml", []byte(`
enable: [security]
disable: [job-ttl]
severity: {statefulset-pvc-retention: error}
overrides:
- files: ["prod/**"]
  enable: [job-ttl, reliability]
  severity: {statefulset-pvc-retention: info}
`))
	if err != nil {
		t.Fatal(err)
	}
	ttl := Check{ID: "job-ttl", DefaultOn: true}
	sec := Check{ID: "security-context", Sets: []string{"security"}}
	rel := Check{ID: "workload-probes", Sets: []string{"reliability"}}
	cases := []struct {
		c    Check
		file string
		want bool
	}{
		{ttl, "dev/job.yaml", false}, {ttl, "prod/job.yaml", true}, {ttl, "/repo/prod/a/job.yaml", true}, {ttl, "", true},
		{sec, "dev/x.yaml", true}, {rel, "dev/x.yaml", false}, {rel, "prod/x.yaml", true},
		{Check{ID: "job-restart-policy", DefaultOn: true}, "dev/x.yaml", true},
	}
	for _, k := range cases {
		if got := c.On(k.c, k.file); got != k.want {
			t.Errorf("On(%s, %q) = %v, want %v", k.c.ID, k.file, got, k.want)
		}
	}
	if got := c.SeverityFor("statefulset-pvc-retention", "dev/s.yaml", rule.Warning); got != rule.Error {
		t.Errorf("severity = %v, want error", got)
	}
	if got := c.SeverityFor("statefulset-pvc-retention", "prod/s.yaml", rule.Warning); got != rule.Info {
		t.Errorf("severity under prod = %v, want info", got)
	}
	only, _ := Parse("o.yaml", []byte("only: [job-restart-policy]\n"))
	if only.On(ttl, "x.yaml") || !only.On(Check{ID: "job-restart-policy", DefaultOn: true}, "x.yaml") {
		t.Error("only: mode")
	}
	// Flags beat the file.
	c.Merge([]string{"job-ttl"}, nil)
	if !c.On(ttl, "dev/job.yaml") {
		t.Error("--enable job-ttl did not beat the file's disable")
	}
}

func TestExcludeAndFind(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("exclude: [\"charts/**/templates/**\", \"*.generated.yaml\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	found := Find(filepath.Join(dir, "a", "b"))
	if found != filepath.Join(dir, FileName) {
		t.Fatalf("Find = %q", found)
	}
	c, err := Load(found)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		filepath.Join(dir, "charts/web/templates/deploy.yaml"): true,
		"charts/web/templates/deploy.yaml":                     true,
		"charts/web/values.yaml":                               false,
		"deep/x.generated.yaml":                                true,
	} {
		if got := c.Excluded(path); got != want {
			t.Errorf("Excluded(%s) = %v", path, got)
		}
	}
}

// TestCheckSets checks that a name in a check's Sets (a Go rule's group,
// a peer linter's set) turns it on and off like its id.
func TestCheckSets(t *testing.T) {
	c := Check{ID: "pdb-missing", Sets: []string{"reliability", "kube-score"}}
	cfg := &Config{}
	if cfg.On(c, "x.yaml") {
		t.Fatal("on without being enabled")
	}
	cfg.Merge([]string{"kube-score"}, nil)
	if !cfg.On(c, "x.yaml") {
		t.Error("--enable kube-score does not turn it on")
	}
	cfg.Merge(nil, []string{"reliability"})
	if cfg.On(c, "x.yaml") {
		t.Error("--disable reliability does not turn it off")
	}
	if (&Config{Enable: []string{"polaris"}}).On(c, "x.yaml") {
		t.Error("a set it is not in turns it on")
	}
}

// schemaLocations: a relative local template is relative to the file's
// folder; URLs, absolute paths and kubeconform's "default" are kept.
func TestSchemaLocationTemplates(t *testing.T) {
	c, err := Parse("/repo/.kvet.yaml", []byte("schemaLocations:\n- catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json\n- /abs/{{.ResourceKind}}.json\n- https://h/{{.ResourceKind}}.json\n- default\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.SchemaLocationTemplates(), " ")
	want := "/repo/catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json /abs/{{.ResourceKind}}.json https://h/{{.ResourceKind}}.json default"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
