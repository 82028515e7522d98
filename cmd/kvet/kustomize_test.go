package main

import (
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/internal/wanttest"
	"github.com/kvetdev/kvet/rule"
)

// kustFinding is a finding as kvet lint -o json prints it.
type kustFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Path     string `json:"path"`
	Rendered *struct {
		File string `json:"file"`
		Line int    `json:"line"`
	} `json:"rendered"`
}

func kustLint(t *testing.T, args ...string) ([]kustFinding, result) {
	t.Helper()
	r := kvet(t, "", append([]string{"lint", "-o", "json"}, args...)...)
	var out struct {
		Findings []kustFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("kvet lint %v: %v\nstdout: %s\nstderr: %s", args, err, r.stdout, r.stderr)
	}
	return out.Findings, r
}

// treeFiles lists the files of a fixture tree, relative to the repository
// root.
func treeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join("../..", dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("../..", p)
		files = append(files, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// checkTree checks the findings of a run against the # want comments of
// every file of a tree: the base files, patches and kustomization lines
// the findings are mapped back to.
func checkTree(t *testing.T, dir string, got []kustFinding) {
	t.Helper()
	byFile := map[string][]rule.Finding{}
	for _, f := range got {
		sev, err := rule.ParseSeverity(f.Severity)
		if err != nil {
			t.Fatal(err)
		}
		byFile[f.File] = append(byFile[f.File], rule.Finding{Rule: f.Rule, Severity: sev, Message: f.Message, File: f.File, Line: f.Line, Column: f.Column})
	}
	for _, file := range treeFiles(t, dir) {
		data, err := os.ReadFile(filepath.Join("../..", file))
		if err != nil {
			t.Fatal(err)
		}
		wants, err := wanttest.ParseWants(data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		wanttest.Check(t, file, byFile[file], wants)
		delete(byFile, file)
	}
	for file, fs := range byFile {
		for _, f := range fs {
			t.Errorf("%s:%d:%d: finding outside the tree's files: %s %q", file, f.Line, f.Column, f.Rule, f.Message)
		}
	}
}

// TestKustomizeTrees lints kustomize trees as a folder walk finds them:
// each overlay is built with krusty, the patch and the kustomization files
// are not linted on their own (a patch has no selector: three false
// api-required errors before), the findings land on the base, patch and
// kustomization lines their # want comments name, a base seen through two
// overlays is reported once, naming them, and the image the dev overlay
// sets to latest is caught at its newTag line.
func TestKustomizeTrees(t *testing.T) {
	for _, dir := range []string{"testdata/kustomize/app", "testdata/kustomize/broken", "testdata/kustomize/helm"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got, r := kustLint(t, dir)
			if r.code != 1 {
				t.Errorf("exit code %d, want 1; stderr: %s", r.code, r.stderr)
			}
			checkTree(t, dir, got)
		})
	}
}

// TestKustomizeRenderedLocation: a mapped finding keeps where it was in
// the build's output, in JSON (rendered) and SARIF (relatedLocations).
func TestKustomizeRenderedLocation(t *testing.T) {
	got, _ := kustLint(t, "testdata/kustomize/app/overlays/prod")
	var found bool
	for _, f := range got {
		if f.Rule == "api-not-supported" {
			found = true
			if f.File != "testdata/kustomize/app/overlays/prod/resources.yaml" || f.Line != 10 {
				t.Errorf("finding at %s:%d, want the patch's line 10", f.File, f.Line)
			}
			if f.Rendered == nil || f.Rendered.File != "kustomize build testdata/kustomize/app/overlays/prod" || f.Rendered.Line < 1 {
				t.Errorf("rendered = %+v, want the build's name and a line", f.Rendered)
			}
		} else if f.Rule == "job-restart-policy" && !strings.HasSuffix(f.Message, "(seen in testdata/kustomize/app/overlays/prod)") {
			t.Errorf("a base finding names the overlay it was seen in: %q", f.Message)
		}
	}
	if !found {
		t.Fatalf("no api-not-supported finding: %+v", got)
	}
	r := kvet(t, "", "lint", "-o", "sarif", "testdata/kustomize/app/overlays/prod")
	if !strings.Contains(r.stdout, `"relatedLocations"`) || !strings.Contains(r.stdout, "of kustomize build testdata/kustomize/app/overlays/prod") {
		t.Errorf("SARIF results carry no related location for the rendered line:\n%s", r.stdout)
	}
}

// TestKustomizeBaseOnItsOwn: a base that no overlay of the run uses is
// built on its own; its findings are in its own folder, so they name no
// overlay.
func TestKustomizeBaseOnItsOwn(t *testing.T) {
	got, _ := kustLint(t, "testdata/kustomize/app/base")
	var rules []string
	for _, f := range got {
		rules = append(rules, f.Rule+" "+f.File)
		if strings.Contains(f.Message, "seen in") {
			t.Errorf("base finding names overlays: %q", f.Message)
		}
	}
	// The ClusterRoleBinding's subject gets its namespace from the
	// overlays only: built alone, the base is missing it.
	want := []string{"api-required testdata/kustomize/app/base/rbac.yaml", "job-restart-policy testdata/kustomize/app/base/job.yaml"}
	sort.Strings(rules)
	if strings.Join(rules, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(rules, "\n"), strings.Join(want, "\n"))
	}
}

// TestKustomizeNamedFiles: files named on the command line (what
// pre-commit passes) that a kustomization consumes are linted through its
// build, not on their own.
func TestKustomizeNamedFiles(t *testing.T) {
	got, _ := kustLint(t, "testdata/kustomize/app/overlays/prod/kustomization.yaml", "testdata/kustomize/app/overlays/prod/resources.yaml")
	for _, f := range got {
		if f.Rule == "api-required" {
			t.Errorf("the patch was linted on its own: %+v", f)
		}
	}
	if len(got) != 2 {
		t.Errorf("got %d findings, want the patch's and the base Job's: %+v", len(got), got)
	}
	// A patch named alone is linted through the nearest kustomization
	// above it.
	alone, _ := kustLint(t, "testdata/kustomize/app/overlays/prod/resources.yaml")
	if len(alone) != 2 || alone[0].Rule == "api-required" || alone[1].Rule == "api-required" {
		t.Errorf("a patch named alone: %+v", alone)
	}
}

// TestKustomizeLimits: a build over its time limit is an error at the
// kustomization, and the run goes on; builds never write to the tree.
func TestKustomizeLimits(t *testing.T) {
	before := treeHash(t, "testdata/kustomize")
	got, _ := kustLint(t, "--kustomize-timeout", "1ns", "testdata/kustomize/app/overlays/dev", "testdata/kustomize/broken/plain")
	var timedOut, plain bool
	for _, f := range got {
		timedOut = timedOut || f.Rule == "kustomize-build" && strings.Contains(f.Message, "took longer than 1ns")
		plain = plain || f.File == "testdata/kustomize/broken/plain/job.yaml"
	}
	if !timedOut || !plain {
		t.Errorf("want the timed-out build reported and the other input linted: %+v", got)
	}
	if after := treeHash(t, "testdata/kustomize"); after != before {
		t.Error("linting kustomize trees changed files in them")
	}
}

func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	for _, f := range treeFiles(t, dir) {
		data, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(f))
		h.Write(data)
	}
	return string(h.Sum(nil))
}

// TestKustomizeConftest: kvet test on a kustomize tree evaluates each
// overlay's build (named "kustomize build DIR", as conftest users pipe
// kustomize build) and not the patch on its own, which has no selector.
func TestKustomizeConftest(t *testing.T) {
	r := kvet(t, "", "test", "-p", "testdata/kustomize/policy", "testdata/kustomize/app")
	if r.code != 1 {
		t.Errorf("exit code %d, want 1; stderr: %s", r.code, r.stderr)
	}
	want := "FAIL - kustomize build testdata/kustomize/app/overlays/dev - main - Deployment web is not prefixed\n"
	if !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "no selector") || !strings.Contains(r.stdout, "1 failure") {
		t.Errorf("got:\n%s\nwant the dev overlay's unprefixed Deployment only", r.stdout)
	}
}

// TestKustomizeNamedChartFile: a staged template of a helmCharts chart is
// linted through the overlays that use the base inflating it, and its
// chart is not rendered on its own as well (it would be, with the chart's
// defaults, as a plain chart).
func TestKustomizeNamedChartFile(t *testing.T) {
	got, _ := kustLint(t, "testdata/kustomize/helm/base/charts/web/templates/deployment.yaml")
	if len(got) != 3 {
		t.Errorf("got %d findings, want the tree's 3: %+v", len(got), got)
	}
	for _, f := range got {
		if f.Rendered == nil || !strings.HasPrefix(f.Rendered.File, "kustomize build testdata/kustomize/helm/overlays/") {
			t.Errorf("finding not from an overlay's build: %+v (rendered %+v)", f, f.Rendered)
		}
	}
}
