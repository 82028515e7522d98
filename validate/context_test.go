package validate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// namespaceLabel reports, for each ConfigMap, the label "team" of its
// Namespace as the rule's Context index has it.
var namespaceLabel = &rule.Rule{ID: "namespace-label", Severity: rule.Info, Kinds: []string{"v1/ConfigMap"},
	Context: []string{"v1/Namespace"},
	Check: func(p *rule.Pass, o *manifest.Object) {
		builds := p.Index.Memo("count", func() any { return new(atomic.Int64) }).(*atomic.Int64)
		builds.Add(1)
		team := "none"
		for _, ns := range p.Index.Get("", "Namespace", "", o.Namespace) {
			team = ns.StringMap("metadata", "labels")["team"]
		}
		p.Reportf(manifest.MustParsePath("metadata.name"), "", "team %s", team)
	}}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func messages(fs []rule.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, filepath.Base(f.File)+": "+f.Message)
	}
	return strings.Join(out, "\n")
}

// A rule with a Context sees the context objects of every file of the
// run, whatever the order, while the checked objects are streamed; and
// objects given by Options.Context, which are not checked themselves.
func TestRuleContextSeesTheWholeRun(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: web}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: db}\n",
		// The namespaces come last in walk order, and mention no other kind.
		"z.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {team: frontend}}\n",
	})
	given := load(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: db, labels: {team: storage}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: given, namespace: web}\n").Objects
	for _, workers := range []int{1, 4} {
		out := Lint(context.Background(), []string{dir}, manifest.Options{}, Options{Rules: []*rule.Rule{namespaceLabel}, Workers: workers, Context: given})
		want := "a.yaml: team frontend\na.yaml: team storage"
		if got := messages(out.Findings); got != want {
			t.Errorf("workers %d: findings\n%s\nwant\n%s", workers, got, want)
		}
	}
	// Without a rule that asks, there is no first pass: the Namespace in
	// a later file is not seen.
	noContext := *namespaceLabel
	noContext.Context = nil
	out := Lint(context.Background(), []string{dir}, manifest.Options{}, Options{Rules: []*rule.Rule{&noContext}})
	if got, want := messages(out.Findings), "a.yaml: team none\na.yaml: team none"; got != want {
		t.Errorf("without Context: findings\n%s\nwant\n%s", got, want)
	}
}

// Stdin is read once: the prescan keeps it for the second pass.
func TestRuleContextFromStdin(t *testing.T) {
	text := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: web}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {team: frontend}}\n"
	out := Lint(context.Background(), []string{"-"}, manifest.Options{Stdin: strings.NewReader(text), StdinName: "in.yaml"}, Options{Rules: []*rule.Rule{namespaceLabel}})
	if got, want := messages(out.Findings), "in.yaml: team frontend"; got != want {
		t.Errorf("findings\n%s\nwant\n%s", got, want)
	}
	if out.Objects != 2 {
		t.Errorf("objects = %d, want 2 (each counted once)", out.Objects)
	}
}

// Run (objects in memory) gives the same view.
func TestRuleContextInRun(t *testing.T) {
	res := load(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: web}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {team: frontend}}\n")
	fs := Run(context.Background(), res, Options{Rules: []*rule.Rule{namespaceLabel}})
	if got, want := messages(fs), "in.yaml: team frontend"; got != want {
		t.Errorf("findings\n%s\nwant\n%s", got, want)
	}
}

func TestIndexMemoBuildsOnce(t *testing.T) {
	ix := rule.NewIndex(nil)
	var builds atomic.Int64
	done := make(chan any)
	for range 8 {
		go func() {
			done <- ix.Memo("k", func() any { builds.Add(1); return 42 })
		}()
	}
	for range 8 {
		if v := <-done; v != 42 {
			t.Fatalf("Memo = %v", v)
		}
	}
	if builds.Load() != 1 {
		t.Errorf("built %d times, want 1", builds.Load())
	}
	if v := ix.Memo("other", func() any { return "x" }); v != "x" {
		t.Errorf("second key = %v", v)
	}
}

// A rule's MoreContext names kinds once its Context objects are known:
// here a Namespace's label "config" names the ConfigMap kind, and the
// engine makes one more first pass for it (from stdin too, kept between
// the passes). When it names nothing, there is no such pass.
func TestRuleMoreContext(t *testing.T) {
	var seen atomic.Int64
	r := &rule.Rule{ID: "more-context", Severity: rule.Info, Kinds: []string{"v1/Secret"},
		Context: []string{"v1/Namespace"},
		MoreContext: func(ix *rule.Index) ([]string, []string) {
			for _, ns := range ix.ByKind("", "Namespace") {
				if ns.StringMap("metadata", "labels")["config"] == "wanted" {
					return []string{"v1/ConfigMap"}, []string{"c"}
				}
			}
			return nil, nil
		},
		Check: func(p *rule.Pass, o *manifest.Object) {
			seen.Add(1)
			p.Reportf(nil, "", "%d ConfigMaps", len(p.Index.ByKind("", "ConfigMap")))
		}}
	text := "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {config: %s}}\n"
	for _, config := range []string{"wanted", "none"} {
		in := fmt.Sprintf(text, config)
		want := "in.yaml: 1 ConfigMaps"
		if config == "none" {
			want = "in.yaml: 0 ConfigMaps"
		}
		out := Lint(context.Background(), []string{"-"}, manifest.Options{Stdin: strings.NewReader(in), StdinName: "in.yaml"}, Options{Rules: []*rule.Rule{r}})
		if got := messages(out.Findings); got != want {
			t.Errorf("config %s, Lint: findings %q, want %q", config, got, want)
		}
		fs := Run(context.Background(), load(t, in), Options{Rules: []*rule.Rule{r}})
		if got := messages(fs); got != want {
			t.Errorf("config %s, Run: findings %q, want %q", config, got, want)
		}
	}
}

// The pass for MoreContext's kinds keeps the objects its words name (or
// whose kind they name), not every object of the kind in a document where
// a word appears.
func TestRuleMoreContextKeepsTheNamed(t *testing.T) {
	r := &rule.Rule{ID: "more-context", Severity: rule.Info, Kinds: []string{"v1/Secret"},
		Context: []string{"v1/Namespace"},
		MoreContext: func(ix *rule.Index) ([]string, []string) {
			for _, ns := range ix.ByKind("", "Namespace") {
				return []string{"v1/ConfigMap"}, []string{ns.StringMap("metadata", "labels")["config"]}
			}
			return nil, nil
		},
		Check: func(p *rule.Pass, o *manifest.Object) {
			var names []string
			for _, cm := range p.Index.ByKind("", "ConfigMap") {
				names = append(names, cm.Name)
			}
			p.Reportf(nil, "", "ConfigMaps %v", names)
		}}
	text := "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {uses: c}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {config: %s}}\n"
	for config, want := range map[string]string{"c": "in.yaml: ConfigMaps [c]", "ConfigMap": "in.yaml: ConfigMaps [c d]"} {
		out := Lint(context.Background(), []string{"-"}, manifest.Options{Stdin: strings.NewReader(fmt.Sprintf(text, config)), StdinName: "in.yaml"}, Options{Rules: []*rule.Rule{r}})
		if got := messages(out.Findings); got != want {
			t.Errorf("word %s: findings %q, want %q", config, got, want)
		}
	}
}

// labelsOf keeps, of each Deployment, its name; sawDeployments reports on
// each Service the Deployments a rule reading that summary sees, in order.
var labelsOf = &rule.Summary{Kinds: []string{"apps/v1/Deployment"}, Make: func(o *manifest.Object) any { return o.Name }}

var sawDeployments = &rule.Rule{ID: "saw-deployments", Severity: rule.Info, Kinds: []string{"v1/Service"},
	Summaries: []*rule.Summary{labelsOf}, TypedOnly: true,
	Check: func(p *rule.Pass, o *manifest.Object) {
		var names []string
		for _, v := range p.Index.Summaries(labelsOf) {
			names = append(names, v.(string))
		}
		p.Reportf(manifest.MustParsePath("spec.selector"), "", "saw %s", strings.Join(names, ","))
	}}

// A rule with Summaries sees a summary of every object of those kinds in
// the run, in input order whatever the workers, and of the objects given
// by Options.Context; the Services it checks were kept without their
// trees, and its findings still land on the field.
func TestSummariesSeeTheWholeRun(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n  selector: {app: web}\n",
		"b.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b1}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b2}\n",
		"c.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\n",
	})
	given := load(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: given}\n").Objects
	for _, workers := range []int{1, 4} {
		out := Lint(context.Background(), []string{dir}, manifest.Options{}, Options{Rules: []*rule.Rule{sawDeployments}, Workers: workers, Context: given})
		if got, want := messages(out.Findings), "a.yaml: saw b1,b2,c,given"; got != want {
			t.Errorf("workers %d: got\n%s\nwant\n%s", workers, got, want)
		}
		if len(out.Findings) == 1 {
			if f := out.Findings[0]; f.Line != 6 || f.Column != 13 || f.Snippet != "  selector: {app: web}" {
				t.Errorf("workers %d: finding at %d:%d %q, want 6:13 on the selector", workers, f.Line, f.Column, f.Snippet)
			}
		}
	}
}
