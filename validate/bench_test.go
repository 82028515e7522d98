package validate_test

import (
	"context"
	"fmt"
	"os"
	"strings"
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

// BenchmarkExamplePoliciesCorpus: the example Rego policies of
// ../policies, as a user's policy folder, over the corpus's objects;
// reports objects/s.
func BenchmarkExamplePoliciesCorpus(b *testing.B) {
	if _, err := os.Stat(corpus); err != nil {
		b.Skipf("corpus not found at %s: %v", corpus, err)
	}
	res := manifest.Load([]string{corpus}, manifest.Options{})
	pols, err := validate.LoadPolicies(context.Background(), validate.PolicyOptions{Dirs: []string{"../policies"}})
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

// BenchmarkExampleRulesCorpus: the Go rules the example policies stand
// for (container-resources, workload-probes, job-limits,
// cronjob-history-limits), as BenchmarkExamplePoliciesCorpus runs their
// Rego; reports objects/s.
func BenchmarkExampleRulesCorpus(b *testing.B) {
	if _, err := os.Stat(corpus); err != nil {
		b.Skipf("corpus not found at %s: %v", corpus, err)
	}
	res := manifest.Load([]string{corpus}, manifest.Options{})
	var rs []*rule.Rule
	for _, id := range []string{"container-resources", "workload-probes", "job-limits", "cronjob-history-limits"} {
		rs = append(rs, rules.Lookup(id))
	}
	opts := validate.Options{Rules: rs, Workers: 1}
	b.ResetTimer()
	for range b.N {
		validate.Run(context.Background(), res, opts)
	}
	b.ReportMetric(float64(len(res.Objects)*b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkEngineOverhead: the engine's own cost per rule per object,
// with 30 rules that report nothing (a third for Deployments, a third
// for every object, a third for a kind not in the run) over 10,000
// small objects; reports ns per object.
func BenchmarkEngineOverhead(b *testing.B) {
	var src strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&src, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n---\n", i)
		fmt.Fprintf(&src, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%d}\n---\n", i)
	}
	p := manifest.Parse(&manifest.Source{Path: "bench.yaml", Data: []byte(src.String())}, manifest.Limits{})
	res := &manifest.Result{Objects: p.Objects}
	var rs []*rule.Rule
	nop := func(*rule.Pass, *manifest.Object) {}
	for i := range 30 {
		r := &rule.Rule{ID: fmt.Sprintf("r%d", i), Severity: rule.Warning, Check: nop}
		switch i % 3 {
		case 0:
			r.Kinds = []string{"apps/v1/Deployment", "apps/v1/StatefulSet"}
		case 2:
			r.Kinds = []string{"batch/*/Job", "*/Pod"}
		}
		rs = append(rs, r)
	}
	opts := validate.Options{Rules: rs, Workers: 1}
	b.ResetTimer()
	for range b.N {
		validate.Run(context.Background(), res, opts)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(len(res.Objects)*b.N), "ns/object")
}
