package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvetdev/kvet/internal/golden"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

const jobYAML = `apiVersion: batch/v1
kind: Job
metadata:
  name: report
  namespace: prod
spec:
  template:
    spec:
      restartPolicy: Always
      containers:
      - name: main
        image: busybox
`

const brokenYAML = `apiVersion: v1
kind: ConfigMap
data: [a, b
`

var (
	restartRule = &rule.Rule{
		ID:       "job-restart-policy",
		Severity: rule.Error,
		Kinds:    []string{"batch/v1/Job"},
		Doc:      "A Job's pod template must set restartPolicy to Never or OnFailure.\n\n## What it does\nChecks restartPolicy.\n\n## Why is this bad?\nThe API server rejects it.\n\n## Example\n```yaml\nrestartPolicy: Always\n```\n\n## Use instead\n```yaml\nrestartPolicy: Never\n```",
	}
	imageRule = &rule.Rule{
		ID:       "image-tag",
		Severity: rule.Warning,
		Doc:      "An image should name a tag.\n\n## What it does\nChecks image references.",
	}
	syntaxRule = &rule.Rule{ID: "yaml-syntax", Severity: rule.Error, Doc: "The document is not valid YAML (or JSON)."}
)

// sampleReport is a hand-made report: findings of every severity in two
// files (one a document that is not an object), a finding of a rule that
// is not among the rules (internal-error), and a clean third file.
func sampleReport() *Report {
	job := &manifest.Source{Path: "deploy/job.yaml", Data: []byte(jobYAML)}
	broken := &manifest.Source{Path: "deploy/broken.yaml", Data: []byte(brokenYAML)}
	jobRef := rule.ObjectRef{APIVersion: "batch/v1", Kind: "Job", Namespace: "prod", Name: "report"}
	return &Report{
		Findings: []rule.Finding{
			{Rule: "yaml-syntax", Severity: rule.Error, Message: "did not find expected ',' or ']'", File: broken.Path, Line: 3, Column: 7, Span: 1, Source: broken},
			{Rule: "job-restart-policy", Severity: rule.Error, Message: "restartPolicy is Always; a Job's pods must end, so it must be Never or OnFailure",
				Help: "set spec.template.spec.restartPolicy to Never or OnFailure", File: job.Path, Line: 9, Column: 22, Span: 6,
				Path: manifest.MustParsePath("spec.template.spec.restartPolicy"), Object: jobRef, Source: job},
			{Rule: "internal-error", Severity: rule.Error, Message: "rule crashed: index out of range", Help: "please report this bug",
				File: job.Path, Line: 11, Column: 7, Path: manifest.MustParsePath("spec.template.spec.containers[0]"), Object: jobRef, Source: job},
			{Rule: "image-tag", Severity: rule.Warning, Message: `image "busybox" has no tag, so it means :latest`, Help: "pin a tag, e.g. busybox:1.36",
				File: job.Path, Line: 12, Column: 16, Span: 7, Path: manifest.MustParsePath("spec.template.spec.containers[0].image"), Object: jobRef, Source: job,
				Related: []rule.Related{{File: "deploy/images.yaml", Line: 4, Message: "ConfigMap images"}}},
			{Rule: "image-tag", Severity: rule.Info, Message: "50% of images use a digest", File: job.Path, Line: 12, Column: 16,
				Path: manifest.MustParsePath("spec.template.spec.containers[0].image"), Object: jobRef, Source: job},
		},
		Files:    3,
		Objects:  3,
		Duration: 1234 * time.Millisecond,
		Rules:    []*rule.Rule{restartRule, imageRule, syntaxRule},
		Inputs: []Input{
			{File: "deploy/job.yaml", Objects: []rule.ObjectRef{jobRef, {APIVersion: "v1", Kind: "ServiceAccount", Namespace: "prod", Name: "report"}}},
			{File: "deploy/broken.yaml"},
			{File: "deploy/clean.yaml", Objects: []rule.ObjectRef{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}}},
		},
		Version: "v0.1.0",
	}
}

func format(t *testing.T, name string, r *Report) []byte {
	t.Helper()
	f, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Format(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

// TestGolden formats the sample report, and an empty one, in every format.
func TestGolden(t *testing.T) {
	for _, name := range Formats() {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, name+".golden", format(t, name, sampleReport()))
			checkGolden(t, name+"-empty.golden", format(t, name, &Report{Rules: []*rule.Rule{restartRule}, Version: "v0.1.0"}))
		})
	}
}

// TestDeterministic formats the same report twice.
func TestDeterministic(t *testing.T) {
	for _, name := range Formats() {
		a, b := format(t, name, sampleReport()), format(t, name, sampleReport())
		if !bytes.Equal(a, b) {
			t.Errorf("%s: output differs between two runs", name)
		}
	}
}

func TestObjectName(t *testing.T) {
	for _, c := range []struct {
		ref  rule.ObjectRef
		want string
	}{
		{rule.ObjectRef{}, ""},
		{rule.ObjectRef{Kind: "Job", Name: "a"}, "Job/a"},
		{rule.ObjectRef{Kind: "Job", Namespace: "ns", Name: "a"}, "Job/ns/a"},
		{rule.ObjectRef{APIVersion: "v1"}, "(no kind)/(unnamed)"},
	} {
		if got := objectName(c.ref); got != c.want {
			t.Errorf("objectName(%+v) = %q, want %q", c.ref, got, c.want)
		}
	}
}

// TestSummaryUnchecked: the text summary names at most three kinds kvet
// had no schema for, most frequent first, and says how many more there are.
func TestSummaryUnchecked(t *testing.T) {
	r := &Report{Files: 1, Objects: 9, Unchecked: []rule.KindCount{
		{APIVersion: "gateway.networking.k8s.io/v1", Kind: "HTTPRoute", Count: 4},
		{APIVersion: "cert-manager.io/v1", Kind: "Certificate", Count: 2},
		{APIVersion: "tekton.dev/v1", Kind: "Task", Count: 1},
		{APIVersion: "tekton.dev/v1", Kind: "Pipeline", Count: 1},
		{APIVersion: "kafka.strimzi.io/v1beta2", Kind: "Kafka\x1b", Count: 1},
	}}
	var b strings.Builder
	if err := (textFormat{}).Format(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "kvet: 1 file, 9 objects: 0 errors, 0 warnings, 0 info (0s); 9 objects not schema-checked: HTTPRoute (gateway.networking.k8s.io/v1) x4, Certificate (cert-manager.io/v1) x2, Task (tekton.dev/v1) x1 and 2 more kinds\n"
	if got := b.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if s := r.Summary(); s.NotChecked != 9 {
		t.Errorf("NotChecked = %d, want 9", s.NotChecked)
	}
}
