package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// helmRepo writes a repository with a plain manifest, a chart with two
// value sets in .kvet.yaml, and a chart that fails to render.
func helmRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range map[string]string{
		".kvet.yaml":                     "charts:\n  - path: charts/web\n    values:\n      - files: [charts/web/values-prod.yaml]\n      - name: dev\n        set: [image=nginx:1.0.0]\n",
		"plain.yaml":                     "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  ttlSecondsAfterFinished: 60\n  template:\n    spec:\n      restartPolicy: Always\n      containers:\n        - name: c\n          image: busybox:1.36\n",
		"charts/web/Chart.yaml":          "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"charts/web/values.yaml":         "image: nginx:1.27.0\npullPolicy: Sometimes\n",
		"charts/web/values-prod.yaml":    "\nimage: nginx:latest\n",
		"charts/web/templates/NOTES.txt": "{{ .Release.Name }} is installed\n",
		"charts/web/templates/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          imagePullPolicy: {{ .Values.pullPolicy }}
`,
		"charts/broken/Chart.yaml":        "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
		"charts/broken/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required \"name is required\" .Values.name }}\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

type helmFinding struct {
	Rule, File, Message string
	Line                int
	Rendered            *struct {
		File string
		Line int
	}
}

func lintHelm(t *testing.T, args ...string) ([]string, []helmFinding) {
	t.Helper()
	r := kvet(t, "", append([]string{"lint", "-o", "json"}, args...)...)
	var out struct{ Findings []helmFinding }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %v\nstderr: %s", args, err, r.stderr)
	}
	var got []string
	for _, f := range out.Findings {
		s := f.Rule + " " + filepath.ToSlash(f.File) + ":" + itoa(f.Line)
		if f.Rendered != nil {
			s += " <- " + f.Rendered.File
		}
		got = append(got, s)
	}
	sort.Strings(got)
	return got, out.Findings
}

// TestLintChartsInAFolder: kvet lint on a folder renders its charts, each
// value set of .kvet.yaml once, maps findings to the template and values
// lines (a line seen through both value sets is reported once, naming
// them: "seen with dev, values-prod.yaml"; one seen through one set names
// it), reports a chart that fails to render at its template line and
// still lints the rest; Chart.yaml, values files and templates are not
// read as manifests.
func TestLintChartsInAFolder(t *testing.T) {
	root := helmRepo(t)
	got, fs := lintHelm(t, "--config", filepath.Join(root, ".kvet.yaml"), root)
	r := filepath.ToSlash(root)
	// Each finding of the chart names the value sets that give it.
	var msgs []string
	for _, f := range fs {
		if strings.Contains(f.File, "charts/web") {
			msgs = append(msgs, f.Rule+": "+f.Message[strings.LastIndex(f.Message, "("):])
		}
	}
	sort.Strings(msgs)
	if want := "api-not-supported: (seen with dev, values-prod.yaml)\nimage-pinned: (seen with values-prod.yaml)"; strings.Join(msgs, "\n") != want {
		t.Errorf("messages:\n%s\nwant\n%s", strings.Join(msgs, "\n"), want)
	}
	want := []string{
		"api-not-supported " + r + "/charts/web/values.yaml:2 <- web/templates/deploy.yaml (dev)",
		"image-pinned " + r + "/charts/web/values-prod.yaml:2 <- web/templates/deploy.yaml (values-prod.yaml)",
		"job-restart-policy " + r + "/plain.yaml:9",
		"render-error " + r + "/charts/broken/templates/cm.yaml:4",
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLintChartFlags: a chart named directly, or through a file of it (a
// changed template, as the pre-commit hook passes), is rendered with the
// command line's values, which replace the configuration's sets.
func TestLintChartFlags(t *testing.T) {
	root := helmRepo(t)
	chart := filepath.Join(root, "charts", "web")
	r := filepath.ToSlash(root)
	for _, args := range [][]string{
		{"--config", filepath.Join(root, ".kvet.yaml"), "-f", filepath.Join(chart, "values-prod.yaml"), "--set", "pullPolicy=Never", chart},
		{"-f", filepath.Join(chart, "values-prod.yaml"), "--set", "pullPolicy=Never", filepath.Join(chart, "templates", "deploy.yaml")},
	} {
		got, _ := lintHelm(t, args...)
		want := []string{"image-pinned " + r + "/charts/web/values-prod.yaml:2 <- web/templates/deploy.yaml"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%v: got\n%s\nwant\n%s", args, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	got, _ := lintHelm(t, "--set-string", "name=x", "--release-name", "r", filepath.Join(root, "charts", "broken"))
	if len(got) != 0 {
		t.Errorf("--set-string did not reach the chart: %v", got)
	}
}

// TestSARIFRelatedLocation: a finding in a chart carries the rendered
// place as a related location.
func TestSARIFRelatedLocation(t *testing.T) {
	root := helmRepo(t)
	r := kvet(t, "", "lint", "-o", "sarif", filepath.Join(root, "charts", "web"))
	var log struct {
		Runs []struct {
			Results []struct {
				Locations, RelatedLocations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 || len(log.Runs[0].Results) != 1 {
		t.Fatalf("want one result: %s", r.stdout)
	}
	res := log.Runs[0].Results[0]
	if len(res.RelatedLocations) != 1 || res.RelatedLocations[0].PhysicalLocation.ArtifactLocation.URI != "web/templates/deploy.yaml" ||
		res.RelatedLocations[0].PhysicalLocation.Region.StartLine != 15 ||
		!strings.HasSuffix(res.Locations[0].PhysicalLocation.ArtifactLocation.URI, "charts/web/values.yaml") {
		t.Errorf("result %+v", res)
	}
}

// TestFixLeavesChartsAlone: kvet fix on a chart renders it, fixes
// nothing in it (the rendered text is no file) and writes nothing.
func TestFixLeavesChartsAlone(t *testing.T) {
	root := helmRepo(t)
	chart := filepath.Join(root, "charts", "web")
	before, err := os.ReadFile(filepath.Join(chart, "templates", "deploy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := kvet(t, "", "fix", chart)
	if r.code != exitFindings || !strings.Contains(r.stdout, "values.yaml:2") {
		t.Errorf("kvet fix on a chart: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	after, _ := os.ReadFile(filepath.Join(chart, "templates", "deploy.yaml"))
	if !bytes.Equal(before, after) {
		t.Errorf("kvet fix changed a template")
	}
}
