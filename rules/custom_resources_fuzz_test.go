package rules_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// FuzzCustomResources: a CRD and custom resources of any shape go through
// crd-invalid and cr-validation (the apiextensions server's validation,
// pruning, defaulting and CEL) without a crash, which the engine would
// turn into an internal-error finding, and without a hang.
func FuzzCustomResources(f *testing.F) {
	for _, seed := range []string{"testdata/cr-schema/keywords.yaml", "testdata/cr-cel/rules.yaml", "testdata/cr-unknown-field/unknown.yaml", "testdata/crd-invalid/invalid.yaml", "testdata/cr-version/versions.yaml"} {
		data, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	rs := []*rule.Rule{rules.CRDInvalid, rules.CRValidation}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 64<<10 {
			return
		}
		res := &manifest.Result{}
		p := manifest.Parse(&manifest.Source{Path: "in.yaml", Data: []byte(text)}, manifest.Limits{MaxNodes: 20_000, MaxDepth: 50})
		res.Objects = p.Objects
		for _, fi := range validate.Run(context.Background(), res, validate.Options{Rules: rs, Workers: 1}) {
			if fi.Rule == rule.InternalError || strings.Contains(fi.Message, "kvet: panic") {
				t.Fatalf("%s:%d: %s", fi.File, fi.Line, fi.Message)
			}
		}
	})
}
