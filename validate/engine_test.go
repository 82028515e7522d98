package validate

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

func load(t *testing.T, text string) *manifest.Result {
	t.Helper()
	res := manifest.Load([]string{"-"}, manifest.Options{Stdin: strings.NewReader(text), StdinName: "in.yaml"})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	return res
}

func manyConfigMaps(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  key: v\n", i)
	}
	return b.String()
}

var reportData = &rule.Rule{ID: "report-data", Severity: rule.Warning, Kinds: []string{"v1/ConfigMap"},
	Check: func(p *rule.Pass, o *manifest.Object) {
		p.Reportf(manifest.MustParsePath("data.key"), "", "data of %s", o.Name)
		p.Reportf(manifest.MustParsePath("metadata.name"), "", "name of %s", o.Name)
	}}

var panicky = &rule.Rule{ID: "panicky", Severity: rule.Info, Check: func(p *rule.Pass, o *manifest.Object) {
	if o.Name == "cm-3" {
		var list []string
		_ = list[len(o.Name)] // index out of range: a bug in a rule
	}
}}

func TestPanickingRuleBecomesInternalError(t *testing.T) {
	res := load(t, manyConfigMaps(5))
	fs := Run(context.Background(), res, Options{Rules: []*rule.Rule{panicky, reportData}})
	var internal []rule.Finding
	for _, f := range fs {
		if f.Rule == rule.InternalError {
			internal = append(internal, f)
		}
	}
	if len(internal) != 1 || !strings.Contains(internal[0].Message, "rule panicky crashed") || internal[0].Object.Name != "cm-3" || internal[0].Severity != rule.Error {
		t.Fatalf("internal errors = %+v", internal)
	}
	// Every other finding is still there: 2 per object.
	if len(fs) != 1+2*5 {
		t.Errorf("got %d findings, want 11", len(fs))
	}
}

func TestFindingsAreOrderedAndPositioned(t *testing.T) {
	res := load(t, manyConfigMaps(3))
	fs := Run(context.Background(), res, Options{Rules: []*rule.Rule{reportData}})
	if len(fs) != 6 {
		t.Fatalf("got %d findings", len(fs))
	}
	for i := 1; i < len(fs); i++ {
		if fs[i-1].Line > fs[i].Line {
			t.Errorf("not sorted by line: %d then %d", fs[i-1].Line, fs[i].Line)
		}
	}
	// cm-0: metadata.name value at line 5 col 9, data.key at line 7 col 8.
	if f := fs[0]; f.Line != 5 || f.Column != 9 || f.Path.String() != "metadata.name" || f.File != "in.yaml" {
		t.Errorf("first finding %+v", f)
	}
	if f := fs[1]; f.Line != 7 || f.Column != 8 || f.Path.String() != "data.key" || f.Severity != rule.Warning {
		t.Errorf("second finding %+v", f)
	}
}

func TestDeterministicAcrossWorkerCounts(t *testing.T) {
	res := load(t, manyConfigMaps(200))
	strip := func(fs []rule.Finding) []rule.Finding {
		for i := range fs {
			fs[i].Source = nil
		}
		return fs
	}
	one := strip(Run(context.Background(), res, Options{Rules: []*rule.Rule{reportData, panicky}, Workers: 1}))
	many := strip(Run(context.Background(), res, Options{Rules: []*rule.Rule{reportData, panicky}, Workers: 16}))
	if !reflect.DeepEqual(one, many) {
		t.Error("findings differ between 1 and 16 workers")
	}
}

func TestEnabledFilter(t *testing.T) {
	res := load(t, manyConfigMaps(2)+"---\nkind: Orphan\n")
	fs := Run(context.Background(), res, Options{Rules: []*rule.Rule{reportData}, Enabled: func(id string) bool { return id != "report-data" }})
	if len(fs) != 1 || fs[0].Rule != manifest.CodeInvalidObject {
		t.Errorf("findings = %+v", fs)
	}
}

func TestRuleApplies(t *testing.T) {
	r := &rule.Rule{Kinds: []string{"batch/v1/Job", "batch/*/CronJob", "*/Pod"}}
	for _, c := range []struct {
		av, kind string
		want     bool
	}{
		{"batch/v1", "Job", true}, {"batch/v1beta1", "Job", false}, {"batch/v1beta1", "CronJob", true},
		{"v1", "Pod", true}, {"apps/v1", "Deployment", false},
	} {
		if got := r.Applies(c.av, c.kind); got != c.want {
			t.Errorf("Applies(%s, %s) = %v", c.av, c.kind, got)
		}
	}
}

// TestRulesCostNoAllocationPerObject: a rule that reports nothing costs
// no allocation per object (one Pass per worker, reused; kinds matched
// once per kind), so 20 more such rules add none on 200 objects.
func TestRulesCostNoAllocationPerObject(t *testing.T) {
	var src strings.Builder
	for i := range 200 {
		fmt.Fprintf(&src, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%d}\n---\n", i)
	}
	p := manifest.Parse(&manifest.Source{Path: "a.yaml", Data: []byte(src.String())}, manifest.Limits{})
	res := &manifest.Result{Objects: p.Objects}
	nop := func(*rule.Pass, *manifest.Object) {}
	run := func(n int) float64 {
		var rs []*rule.Rule
		for i := range n {
			rs = append(rs, &rule.Rule{ID: fmt.Sprint("r", i), Severity: rule.Warning, Kinds: []string{"apps/v1/Deployment"}, Check: nop})
		}
		opts := Options{Rules: rs, Workers: 1}
		return testing.AllocsPerRun(5, func() { Run(context.Background(), res, opts) })
	}
	one, many := run(1), run(21)
	if many-one > 40 { // the per-kind table's slices, not one per object
		t.Errorf("20 more rules that report nothing cost %.0f allocations on 200 objects (1 rule: %.0f, 21: %.0f)", many-one, one, many)
	}
}
