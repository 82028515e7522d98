package crd_test

import (
	"strings"
	"testing"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/validate/crd"
)

// FuzzCRD: documents of any shape, as CRDs (validated as the server
// does on create) or as custom resources of the fixtures' CRDs (compiled
// once, outside the loop: pruning, defaulting, schema, CEL), never crash
// (a recovered panic is an internal error, which fails here) and end.
func FuzzCRD(f *testing.F) {
	versions := map[string]*crd.Version{} // by apiVersion/kind
	for _, path := range []string{"../../rules/testdata/cr-schema/keywords.yaml", "../../rules/testdata/cr-cel/rules.yaml", "../../rules/testdata/cr-unknown-field/unknown.yaml"} {
		for _, o := range load(f, path) {
			if typed, ok := o.Typed.(*apiextv1.CustomResourceDefinition); ok {
				d := crd.New(typed)
				for _, v := range typed.Spec.Versions {
					versions[typed.Spec.Group+"/"+v.Name+"/"+typed.Spec.Names.Kind] = d.Version(typed, v.Name)
				}
				continue
			}
			f.Add(string(o.Source.Excerpt(o.Pos().Line, o.LastLine()).Data))
		}
	}
	f.Add("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.b}\nspec: {group: b, names: {kind: A, plural: a}, scope: Cluster, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-validations: [{rule: 'self.x > 1'}]}}}]}\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 16<<10 {
			return
		}
		p := manifest.Parse(&manifest.Source{Path: "in.yaml", Data: []byte(text)}, manifest.Limits{MaxNodes: 5_000, MaxDepth: 30})
		for _, o := range p.Objects {
			var errs []string
			if typed, ok := o.Typed.(*apiextv1.CustomResourceDefinition); ok {
				for _, e := range crd.New(typed).Errors {
					errs = append(errs, e.Error())
				}
			} else if v := versions[o.APIVersion+"/"+o.Kind]; v != nil && v.Served && v.Err() == nil {
				res := v.Validate(o.Raw())
				for _, e := range append(res.Errors, res.Rules...) {
					errs = append(errs, e.Error())
				}
			}
			for _, e := range errs {
				if strings.Contains(e, "kvet: panic") {
					t.Fatal(e)
				}
			}
		}
	})
}
