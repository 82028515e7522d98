package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// dottedKeys has keys with dots and a slash where a path can reach them: a
// pod template's ignore annotation, and a value of the wrong type under
// another annotation key.
const dottedKeys = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    example.com/x.y: "1"
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        kvet.dev/ignore: report-paths
        example.com/bad: [1]
    spec:
      containers:
      - name: web
        image: nginx
`

var (
	tmplAnn = manifest.Path{}.Field("spec").Field("template").Field("metadata").Field("annotations")
	image   = manifest.Path{}.Field("spec").Field("template").Field("spec").Field("containers").Item(0).Field("image")
)

// reportPaths reports inside the pod template (where its ignore
// annotation applies), outside it, and under the annotation whose value
// has the wrong type.
var reportPaths = &rule.Rule{ID: "report-paths", Severity: rule.Warning, Kinds: []string{"apps/v1/Deployment"},
	Check: func(p *rule.Pass, o *manifest.Object) {
		p.Reportf(image, "", "image")
		p.Reportf(manifest.Path{}.Field("spec").Field("replicas"), "", "replicas")
		p.Reportf(tmplAnn.Field("example.com/bad").Item(0), "", "under the bad value")
	}}

// TestPathsWithDottedKeys: keys with dots, slashes and brackets go from a
// policy's result, an ignore annotation and the invalid-type set to the
// finding as segments. A policy's path string is read as Kubernetes writes
// paths (the old split made kvet.dev/ignore two keys, so the finding fell
// back to the annotations line); the ignore annotation of the pod template
// covers findings under spec.template only; a finding under a value the
// loader reported as the wrong type is dropped.
func TestPathsWithDottedKeys(t *testing.T) {
	dir := t.TempDir()
	rego := `package paths
import rego.v1

deny contains {"msg": "quoted", "path": "spec.template.metadata.annotations[\"kvet.dev/ignore\"]"} if input.kind == "Deployment"
deny contains {"msg": "bracketed", "path": "spec.template.metadata.annotations[kvet.dev/ignore]"} if input.kind == "Deployment"
deny contains {"msg": "array", "path": ["metadata", "annotations", "example.com/x.y"]} if input.kind == "Deployment"
`
	if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte(rego), 0o644); err != nil {
		t.Fatal(err)
	}
	pols, err := LoadPolicies(context.Background(), PolicyOptions{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	out := Lint(context.Background(), []string{"-"}, manifest.Options{Stdin: strings.NewReader(dottedKeys), StdinName: "in.yaml"},
		Options{Rules: []*rule.Rule{reportPaths}, Policies: pols})
	if len(out.Errors) > 0 {
		t.Fatal(out.Errors)
	}
	got := map[string]rule.Finding{}
	for _, f := range out.Findings {
		got[f.Message] = f
	}
	for msg, want := range map[string]struct {
		path      string
		line, col int
	}{
		"quoted":    {"spec.template.metadata.annotations[kvet.dev/ignore]", 15, 26},
		"bracketed": {"spec.template.metadata.annotations[kvet.dev/ignore]", 15, 26},
		"array":     {"metadata.annotations[example.com/x.y]", 6, 22},
		"replicas":  {"spec.replicas", 8, 13},
	} {
		f, ok := got[msg]
		if !ok {
			t.Errorf("no finding %q; findings: %v", msg, out.Findings)
			continue
		}
		if f.Path.String() != want.path || f.Line != want.line || f.Column != want.col {
			t.Errorf("%q: at %s %d:%d, want %s %d:%d", msg, f.Path, f.Line, f.Column, want.path, want.line, want.col)
		}
	}
	if _, ok := got["under the bad value"]; ok {
		t.Errorf("a finding under a value of the wrong type was kept")
	}
	if _, ok := got["image"]; ok {
		t.Errorf("the pod template's ignore annotation did not cover spec.template.spec.containers[0].image")
	}
	if len(out.Ignored) != 1 || !out.Ignored[0].Path.Equal(image) {
		t.Errorf("ignored %v, want the image finding", out.Ignored)
	}
	for _, f := range out.Findings {
		if f.Rule == rule.UnusedIgnore || f.Rule == manifest.CodeInvalidType && !f.Path.Equal(tmplAnn.Field("example.com/bad")) {
			t.Errorf("unexpected %s at %s: %s", f.Rule, f.Path, f.Message)
		}
	}
}
