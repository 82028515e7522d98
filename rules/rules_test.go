package rules_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kvetdev/kvet/internal/wanttest"
	"github.com/kvetdev/kvet/rules"
)

// TestRules runs every rule on every file under testdata/<rule-id>/ and
// compares the findings with the files' "# want" comments: a finding
// without a want, or a want without a finding, fails.
func TestRules(t *testing.T) {
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{}
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "fuzz" { // fuzz: go test's corpus of crashers
			continue
		}
		charts, _ := filepath.Glob(filepath.Join("testdata", d.Name(), "*", "Chart.yaml"))
		for _, c := range charts {
			dir := filepath.Dir(c)
			t.Run(d.Name()+"/"+filepath.Base(dir), func(t *testing.T) {
				for _, f := range wanttest.RunChart(t, dir) {
					tested[f.Rule] = true
				}
			})
		}
		files, _ := filepath.Glob(filepath.Join("testdata", d.Name(), "*.yaml"))
		for _, f := range files {
			t.Run(d.Name()+"/"+filepath.Base(f), func(t *testing.T) {
				for _, f := range wanttest.Run(t, f) {
					tested[f.Rule] = true
				}
			})
		}
		if rules.Lookup(d.Name()) == nil {
			t.Errorf("testdata/%s: no rule with that id", d.Name())
		}
	}
	for _, r := range rules.All() {
		if why, ok := noFiringCase[r.ID]; ok {
			if why == "" {
				t.Errorf("%s: exempt without a reason", r.ID)
			}
			continue
		}
		if !tested[r.ID] {
			t.Errorf("rule %s has no firing case in testdata (a file with # want: %s)", r.ID, r.ID)
		}
	}
}

// noFiringCase lists the rules no manifest can make fire, and why.
var noFiringCase = map[string]string{
	"api-validation":  "reports under the api-* ids, never its own",
	"api-internal":    "only when the embedded validation code fails; see TestAPIRuleForErrorType and validate/apiserver's panic tests",
	"kustomize-build": "reported on kustomization files, not manifests; see cmd/kvet TestKustomizeTrees (testdata/kustomize/broken)",
	"internal-error":  "only when a rule crashes or a policy fails; see validate's TestPanickingRuleBecomesInternalError and cmd/kvet/policy_test.go",
	"cr-validation":   "reports under the cr-* ids, never its own",
}
