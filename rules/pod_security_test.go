package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// The Namespace that sets a level may be in any file of the run, after
// the pods it governs.
func TestPodSecurityNamespaceInAnotherFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n  - name: c\n    image: c:1.0\n    securityContext: {privileged: true}\n",
		"z.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {pod-security.kubernetes.io/warn: baseline}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, workers := range []int{1, 4} {
		out := validate.Lint(context.Background(), []string{dir}, manifest.Options{},
			validate.Options{Rules: []*rule.Rule{rules.PodSecurity}, Workers: workers})
		if len(out.Findings) != 1 {
			t.Fatalf("workers %d: findings %v, want one", workers, out.Findings)
		}
		f := out.Findings[0]
		if filepath.Base(f.File) != "a.yaml" || f.Line != 8 || f.Severity != rule.Warning {
			t.Errorf("workers %d: finding %s:%d %s %q, want a.yaml:8 warning", workers, f.File, f.Line, f.Severity, f.Message)
		}
	}
}
