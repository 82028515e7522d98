package crd_test

import (
	"testing"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/kvetdev/kvet/internal/sharedtest"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/validate/crd"
)

// corpusCRDs are the CRDs of ../shared/corpus.
func corpusCRDs(b testing.TB) []*apiextv1.CustomResourceDefinition {
	dir, ok := sharedtest.Corpus(b)
	if !ok {
		b.Skip("no ../shared/corpus")
	}
	var out []*apiextv1.CustomResourceDefinition
	for _, o := range manifest.Load([]string{dir}, manifest.Options{}).Objects {
		if t, ok := o.Typed.(*apiextv1.CustomResourceDefinition); ok {
			out = append(out, t)
		}
	}
	return out
}

// BenchmarkNewCorpus: validating every CRD of the corpus as crd-invalid
// does (286 CRDs, 4,061 CEL rules; a run validates each text once).
func BenchmarkNewCorpus(b *testing.B) {
	crds := corpusCRDs(b)
	b.Logf("%d CRDs", len(crds))
	for b.Loop() {
		for _, c := range crds {
			crd.New(c)
		}
	}
}

// BenchmarkValidateCorpusCRs: every custom resource of the corpus whose
// CRD the corpus has, against it (compiled before the timer): the cost
// per resource that cr-validation adds once its CRD is compiled.
func BenchmarkValidateCorpusCRs(b *testing.B) {
	dir, ok := sharedtest.Corpus(b)
	if !ok {
		b.Skip("no ../shared/corpus")
	}
	objs := manifest.Load([]string{dir}, manifest.Options{}).Objects
	defs := map[string]*apiextv1.CustomResourceDefinition{} // by group/kind
	for _, o := range objs {
		if t, ok := o.Typed.(*apiextv1.CustomResourceDefinition); ok {
			defs[t.Spec.Group+"/"+t.Spec.Names.Kind] = t
		}
	}
	type job struct {
		v   *crd.Version
		raw map[string]any
	}
	var jobs []job
	compiled := map[*apiextv1.CustomResourceDefinition]*crd.Definition{}
	for _, o := range objs {
		gvk := o.GVK()
		t, ok := defs[gvk.Group+"/"+gvk.Kind]
		if !ok || !o.Unchecked() {
			continue
		}
		d := compiled[t]
		if d == nil {
			d = crd.New(t)
			compiled[t] = d
		}
		if d.Invalid() {
			continue
		}
		if v := d.Version(t, gvk.Version); v.Served && v.Err() == nil {
			jobs = append(jobs, job{v, o.Raw()})
		}
	}
	b.Logf("%d custom resources of %d CRDs", len(jobs), len(compiled))
	b.ResetTimer()
	for b.Loop() {
		for _, j := range jobs {
			j.v.Validate(j.raw)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(jobs)), "µs/CR")
}
