package validate

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// A rule with ContextTyped reads its context objects through their typed
// value, which stays; their node trees are dropped. A rule without it
// keeps the trees of the same kinds.
func TestContextTypedDropsTrees(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: web}\n",
		"z.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {team: frontend}}\n",
	})
	seen := func(p *rule.Pass, o *manifest.Object) {
		for _, ns := range p.Index.Get("", "Namespace", "", o.Namespace) {
			typed := ns.Typed.(*corev1.Namespace).Labels["team"]
			p.Reportf(manifest.MustParsePath("metadata.name"), "", "typed %s, tree %q", typed, ns.StringMap("metadata", "labels")["team"])
		}
	}
	typedOnly := &rule.Rule{ID: "typed", Severity: rule.Info, Kinds: []string{"v1/ConfigMap"}, Context: []string{"v1/Namespace"}, ContextTyped: true, Check: seen}
	out := Lint(context.Background(), []string{dir}, manifest.Options{}, Options{Rules: []*rule.Rule{typedOnly}})
	if got, want := messages(out.Findings), `a.yaml: typed frontend, tree ""`; got != want {
		t.Errorf("ContextTyped: %s, want %s", got, want)
	}
	withTree := *namespaceLabel
	withTree.ID = "tree"
	out = Lint(context.Background(), []string{dir}, manifest.Options{}, Options{Rules: []*rule.Rule{typedOnly, &withTree}})
	if got, want := messages(out.Findings), "a.yaml: team frontend\na.yaml: typed frontend, tree \"frontend\""; got != want {
		t.Errorf("with a rule that reads trees: %s, want %s", got, want)
	}
}
