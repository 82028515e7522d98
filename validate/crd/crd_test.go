package crd_test

import (
	"os"
	"testing"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	// Every test binary defines kvet's one -update flag (internal/golden).
	_ "github.com/kvetdev/kvet/internal/golden"
	"github.com/kvetdev/kvet/internal/sharedtest"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/validate/crd"
)

func load(t testing.TB, path string) []*manifest.Object {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return manifest.Parse(&manifest.Source{Path: path, Data: data}, manifest.Limits{}).Objects
}

// compiled returns the version of the first CRD of objs that the custom
// resource named name uses, and the resource.
func compiled(t testing.TB, objs []*manifest.Object, name string) (*crd.Version, *manifest.Object) {
	t.Helper()
	var v *crd.Version
	var cr *manifest.Object
	for _, o := range objs {
		if typed, ok := o.Typed.(*apiextv1.CustomResourceDefinition); ok && v == nil {
			d := crd.New(typed)
			if d.Invalid() {
				t.Fatalf("CRD invalid: %v", d.Errors)
			}
			v = d.Version(typed, typed.Spec.Versions[0].Name)
		}
		if o.Name == name && o.Kind != "CustomResourceDefinition" {
			cr = o
		}
	}
	if v == nil || cr == nil || v.Err() != nil {
		t.Fatalf("no CRD or no resource %s", name)
	}
	return v, cr
}

// Validate does not modify the object it is given, and finds the same
// errors each time (the compiled version is shared by every resource).
func TestValidateLeavesTheObject(t *testing.T) {
	v, cr := compiled(t, load(t, "../../rules/testdata/cr-cel/rules.yaml"), "bad")
	raw := cr.Raw()
	before := len(raw["spec"].(map[string]any))
	r1, r2 := v.Validate(raw), v.Validate(raw)
	if len(r1.Rules) != 2 || len(r2.Rules) != 2 {
		t.Errorf("CEL errors %v then %v, want 2 each", r1.Rules, r2.Rules)
	}
	if _, defaulted := raw["spec"].(map[string]any)["mode"]; defaulted || len(raw["spec"].(map[string]any)) != before {
		t.Errorf("Validate changed its input: %v", raw["spec"])
	}
}

// BenchmarkValidateCR: one custom resource against a compiled CRD
// version with a CEL rule, a default, an enum (the cost per object; the
// CRD is compiled once per run).
func BenchmarkValidateCR(b *testing.B) {
	v, cr := compiled(b, load(b, "../../rules/testdata/cr-cel/rules.yaml"), "fine")
	raw := cr.Raw()
	b.ReportAllocs()
	for b.Loop() {
		if res := v.Validate(raw); len(res.Errors)+len(res.Rules) > 0 {
			b.Fatal(res)
		}
	}
}

// BenchmarkValidateCRLarge: a Prometheus custom resource of the corpus
// against its CRD (a large schema).
func BenchmarkValidateCRLarge(b *testing.B) {
	dir, ok := sharedtest.Corpus(b)
	if !ok {
		b.Skip("no ../shared/corpus")
	}
	crds := load(b, dir+"/prometheus-operator__kube-prometheus/manifests/setup/0prometheusCustomResourceDefinition.yaml")
	prom := load(b, dir+"/prometheus-operator__kube-prometheus/manifests/prometheus-prometheus.yaml")
	v, _ := compiled(b, append(crds, prom...), prom[0].Name)
	raw := prom[0].Raw()
	b.ReportAllocs()
	for b.Loop() {
		v.Validate(raw)
	}
}
