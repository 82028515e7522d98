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
