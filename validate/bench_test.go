package validate_test

import (
	"context"
	"os"
	"testing"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

const corpus = "../../shared/corpus"

// BenchmarkRulesCorpus: every Go rule (API server validation included)
// over the corpus's objects, loaded once; reports objects/s.
func BenchmarkRulesCorpus(b *testing.B) {
	if _, err := os.Stat(corpus); err != nil {
		b.Skipf("corpus not found at %s: %v", corpus, err)
	}
	res := manifest.Load([]string{corpus}, manifest.Options{})
	opts := validate.Options{Rules: rules.All(), Settings: rule.Settings{KubeVersion: kubeversion.Latest()}, Workers: 1}
	b.ResetTimer()
	for range b.N {
		validate.Run(context.Background(), res, opts)
	}
	b.ReportMetric(float64(len(res.Objects)*b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkBundledPoliciesCorpus: the bundled Rego policies, all groups,
// over the corpus's objects; reports objects/s.
func BenchmarkBundledPoliciesCorpus(b *testing.B) {
	if _, err := os.Stat(corpus); err != nil {
		b.Skipf("corpus not found at %s: %v", corpus, err)
	}
	res := manifest.Load([]string{corpus}, manifest.Options{})
	var pkgs []string
	for _, r := range rules.PolicyRules() {
		pkgs = append(pkgs, rules.PolicyPackage(r.ID))
	}
	pols, err := validate.LoadPolicies(context.Background(), validate.PolicyOptions{Bundled: pkgs})
	if err != nil {
		b.Fatal(err)
	}
	opts := validate.Options{Policies: pols, Workers: 1}
	b.ResetTimer()
	for range b.N {
		validate.Run(context.Background(), res, opts)
	}
	b.ReportMetric(float64(len(res.Objects)*b.N)/b.Elapsed().Seconds(), "objects/s")
}
