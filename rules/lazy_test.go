package rules_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// TestLazyFindings: with Options.Lazy the findings stay in the engine's
// log (Outcome.List) and, made one by one, are the findings of a run
// without it, in the same order, with the same ignored ones: every rule
// on every testdata file (ignores, unused ignores, restated API
// findings, cross-object findings), by one and two workers.
func TestLazyFindings(t *testing.T) {
	for _, workers := range []int{1, 2} {
		lint := func(lazy bool) *validate.Outcome {
			return validate.Lint(context.Background(), []string{"testdata"}, manifest.Options{},
				validate.Options{Rules: rules.All(), Workers: workers, Lazy: lazy})
		}
		eager, lazy := lint(false), lint(true)
		if lazy.List == nil || lazy.Findings != nil || eager.List != nil {
			t.Fatalf("workers %d: Lazy gave Findings %d, List %v; without: List %v", workers, len(lazy.Findings), lazy.List != nil, eager.List != nil)
		}
		if len(eager.Findings) < 500 || len(eager.Ignored) == 0 {
			t.Fatalf("workers %d: %d findings, %d ignored: testdata is not what this test needs", workers, len(eager.Findings), len(eager.Ignored))
		}
		got := lazy.List.All()
		for i := range max(len(got), len(eager.Findings)) {
			if i >= len(got) || i >= len(eager.Findings) || !reflect.DeepEqual(got[i], eager.Findings[i]) {
				var g, w rule.Finding
				if i < len(got) {
					g = got[i]
				}
				if i < len(eager.Findings) {
					w = eager.Findings[i]
				}
				t.Fatalf("workers %d: finding %d of %d (lazy %d):\n lazy:  %+v\n eager: %+v", workers, i, len(eager.Findings), len(got), g, w)
			}
			if s := lazy.List.Severity(i); s != got[i].Severity || lazy.List.File(i) != got[i].File {
				t.Fatalf("finding %d: Severity %v, File %s; made: %v, %s", i, s, lazy.List.File(i), got[i].Severity, got[i].File)
			}
		}
		if !reflect.DeepEqual(lazy.Ignored, eager.Ignored) {
			t.Errorf("workers %d: ignored differ: %d lazy, %d eager", workers, len(lazy.Ignored), len(eager.Ignored))
		}
	}
}
