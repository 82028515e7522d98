package validate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// placePaths are where the two rules below report on each Job: a plain
// and a quoted scalar, a block mapping (its key), a flow list's item, a
// field that is not there (its parent's key), an item past a list's end,
// and a field the loader reports as of the wrong type (no finding).
var placePaths = []manifest.Path{
	manifest.MustParsePath("spec.template.spec.restartPolicy"),
	manifest.MustParsePath("spec.template.spec.containers[0].image"),
	manifest.MustParsePath("spec.template.metadata.labels"),
	manifest.MustParsePath("spec.template.spec.containers[0].args[1]"),
	manifest.MustParsePath("spec.template.spec.missing"),
	manifest.MustParsePath("spec.template.spec.containers[7]"),
	manifest.MustParsePath("spec.backoffLimit"),
}

var jobKinds = []string{"batch/v1/Job"}

func placeMessage(name string, path manifest.Path) string { return fmt.Sprintf("%s at %s", name, path) }

// placesDirect reports at placePaths from each Job, as it is read.
var placesDirect = &rule.Rule{ID: "places", Severity: rule.Warning, Kinds: jobKinds,
	Check: func(p *rule.Pass, o *manifest.Object) {
		for _, path := range placePaths {
			p.Report(rule.Diagnostic{Path: path, Message: placeMessage(o.Name, path), Help: "h",
				Related: []rule.Related{{File: "other.yaml", Line: 3, Message: "r"}}})
		}
	}}

// marked is what placesDeferred keeps of a Job.
type marked struct {
	id manifest.Ident
	at []manifest.Mark
}

// placesDeferred reports the same from a summary of each Job, at the end
// of the run; on a Job named "crash" it panics.
var placesDeferred = &rule.Rule{ID: "places", Severity: rule.Warning, Kinds: jobKinds,
	Deferred: &rule.Summary{Kinds: jobKinds, Make: func(o *manifest.Object) any {
		m := &marked{id: o.Ident()}
		for _, path := range placePaths {
			m.at = append(m.at, o.Mark(path))
		}
		return m
	}},
	CheckDeferred: func(p *rule.Pass, v any) {
		m := v.(*marked)
		if m.id.Name == "crash" {
			panic("a bug")
		}
		for i, at := range m.at {
			p.ReportAt(m.id, at, rule.Diagnostic{Message: placeMessage(m.id.Name, placePaths[i]), Help: "h",
				Related: []rule.Related{{File: "other.yaml", Line: 3, Message: "r"}}})
		}
	}}

const placeJobs = `apiVersion: batch/v1
kind: Job
metadata: {name: block}
spec:
  backoffLimit: many
  template:
    metadata:
      labels:
        app: a
    spec:
      restartPolicy: Always
      containers:
      - name: c
        image: "nginx:1.27"
        args: [run, --fast]
---
apiVersion: batch/v1
kind: Job
metadata: {name: flow}
spec: {template: {metadata: {labels: {app: b}}, spec: {restartPolicy: Never, containers: [{name: c, image: 'x:1', args: [a, b]}]}}}
---
apiVersion: v1
kind: List
items:
- apiVersion: batch/v1
  kind: Job
  metadata: {name: item}
  spec:
    template:
      spec:
        restartPolicy: OnFailure
        containers: [{name: c, image: y}]
`

// lintPlaces lints the files of dir with r, and returns the findings of
// rule places, made whole (Options.Lazy: from the log).
func lintPlaces(t *testing.T, paths []string, load manifest.Options, r *rule.Rule, lazy, noSnippets bool) []rule.Finding {
	t.Helper()
	out := Lint(context.Background(), paths, load, Options{Rules: []*rule.Rule{r}, Lazy: lazy, NoSnippets: noSnippets})
	fs := out.Findings
	if out.List != nil {
		fs = out.List.All()
	}
	var got []rule.Finding
	for _, f := range fs {
		if f.Rule == "places" {
			got = append(got, f)
		}
	}
	Sort(got)
	return got
}

// TestDeferredFindingsAsDirect: a rule that reports at the marks of a
// summary (Rule.Deferred, Pass.ReportAt) makes the findings a rule that
// reports on the object makes: position, span, fallback, path, object,
// snippet (a window of a one-line JSON file's line), related places, the
// field of the wrong type left to the loader; with and without snippets,
// from the log or not.
func TestDeferredFindingsAsDirect(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"jobs.yaml": placeJobs, "list.json": minifiedList(40)}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, lazy := range []bool{false, true} {
		for _, noSnippets := range []bool{false, true} {
			want := lintPlaces(t, []string{dir}, manifest.Options{}, placesDirect, lazy, noSnippets)
			got := lintPlaces(t, []string{dir}, manifest.Options{}, placesDeferred, lazy, noSnippets)
			if len(want) < 250 {
				t.Fatalf("%d findings of the direct rule", len(want))
			}
			for _, f := range want {
				if f.Object.Name == "block" && f.Path.String() == "spec.backoffLimit" {
					t.Fatalf("a finding at a field of the wrong type: %+v", f)
				}
			}
			if !reflect.DeepEqual(got, want) {
				for i := range min(len(got), len(want)) {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Fatalf("lazy %v, no snippets %v: finding %d\n got %+v\nwant %+v", lazy, noSnippets, i, got[i], want[i])
					}
				}
				t.Fatalf("lazy %v, no snippets %v: %d findings, want %d", lazy, noSnippets, len(got), len(want))
			}
		}
	}
}

// fakeChart renders a folder named chart into its file out.yaml, whose
// lines come from templates/job.yaml ten lines down.
type fakeChart struct{}

func (fakeChart) Root(dir string) bool { return filepath.Base(dir) == "chart" }

func (fakeChart) Render(_ context.Context, dir string) ([]*manifest.Source, []manifest.Problem) {
	tmpl := manifest.RenderedSource(filepath.Join(dir, "templates", "job.yaml"), []byte(strings.Repeat("#\n", 10)+placeJobs), nil)
	return []*manifest.Source{manifest.RenderedSource(filepath.Join(dir, "out.yaml"), []byte(placeJobs), chartOrigin{tmpl})}, nil
}

type chartOrigin struct{ tmpl *manifest.Source }

func (c chartOrigin) Place(line, column int, _ manifest.Path) manifest.Place {
	return manifest.Place{Source: c.tmpl, Line: line + 10, Column: column}
}

// TestDeferredFindingsInRenderedText: a finding at a mark in rendered
// text is mapped back to the template, as one on the object is.
func TestDeferredFindingsInRenderedText(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "chart")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	load := manifest.Options{Renderers: []manifest.Renderer{fakeChart{}}}
	want := lintPlaces(t, []string{dir}, load, placesDirect, true, false)
	got := lintPlaces(t, []string{dir}, load, placesDeferred, true, false)
	if len(want) < 15 || want[0].Rendered == nil || !strings.HasSuffix(want[0].File, "job.yaml") || want[0].Snippet == "" {
		t.Fatalf("direct rule: %+v", want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", got, want)
	}
}

// TestDeferredRuleSkipsContext: objects from elsewhere (the editor's other
// files) are looked up, not checked, by a deferred rule as by another; a
// crash in CheckDeferred is an internal error at the object's place.
func TestDeferredRuleSkipsContext(t *testing.T) {
	other := load(t, strings.ReplaceAll(placeJobs, "name: block", "name: elsewhere"))
	res := load(t, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: crash}\nspec: {}\n---\n"+
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: here}\nspec: {}\n")
	fs := Run(context.Background(), res, Options{Rules: []*rule.Rule{placesDeferred}, Context: other.Objects})
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s:%d:%d %s %s", f.File, f.Line, f.Column, f.Rule, f.Object.Name))
	}
	want := []string{
		"in.yaml:1:1 internal-error ",
		"in.yaml:9:1 places here", "in.yaml:9:1 places here", "in.yaml:9:1 places here", "in.yaml:9:1 places here",
		"in.yaml:9:1 places here", "in.yaml:9:1 places here", "in.yaml:9:1 places here",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
