package crd_test

import (
	"fmt"
	"slices"
	"testing"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kvetdev/kvet/internal/sharedtest"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/validate/crd"
)

// testCRDs are the CRDs of the tests' testdata and of ../shared/corpus
// (when present), v1beta1 ones converted (stored says which).
func testCRDs(t *testing.T) (crds []*apiextv1.CustomResourceDefinition, stored []bool) {
	paths := []string{"../../rules/testdata", "../../testdata"}
	if dir, ok := sharedtest.Corpus(t); ok {
		paths = append(paths, dir)
	}
	for _, o := range manifest.Load(paths, manifest.Options{}).Objects {
		typed, err := crd.V1(o.Typed)
		if typed == nil || err != nil {
			continue
		}
		_, beta := o.Typed.(*apiextv1beta1.CustomResourceDefinition)
		crds = append(crds, typed)
		stored = append(stored, beta)
	}
	return crds, stored
}

// sorted renders errs in a stable order.
func sorted(errs field.ErrorList) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = fmt.Sprintf("%s %s %s", e.Type, e.Field, e.ErrorBody())
	}
	slices.Sort(out)
	return out
}

// TestSameMatchesTheLibrary: New and Version leave the CRD as it was, and
// a Definition made by Same, from the
// Definition of a CRD with the same spec and other metadata, has the
// errors the library's validation of the CRD itself has, on every CRD of
// the tests and the corpus, each with its own metadata and with
// metadata changed in every way the validation reads (another name,
// annotations the API approval of a *.k8s.io group reads, invalid
// labels, annotations and a generateName).
func TestSameMatchesTheLibrary(t *testing.T) {
	crds, stored := testCRDs(t)
	if len(crds) < 10 {
		t.Fatalf("only %d CRDs found", len(crds))
	}
	t.Logf("%d CRDs", len(crds))
	newDef := func(c *apiextv1.CustomResourceDefinition, stored bool) *crd.Definition {
		if stored {
			return crd.NewStored(c)
		}
		return crd.New(c)
	}
	// Two changes of the metadata, each run through the library as well
	// (the whole validation of a CRD of the corpus costs some 20 ms).
	variants := []func(c *apiextv1.CustomResourceDefinition){
		func(c *apiextv1.CustomResourceDefinition) {
			c.Name = "other." + c.Name
			c.Annotations = map[string]string{"gateway.networking.k8s.io/bundle-version": "v9", "api-approved.kubernetes.io": "unapproved, experimental-only"}
		},
		func(c *apiextv1.CustomResourceDefinition) {
			c.Labels = map[string]string{"bad key!": "-"}
			c.Annotations = map[string]string{"/": "", "api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/1"}
			c.GenerateName = "Not_A-Name"
		},
	}
	compared, differs := 0, 0
	for i, c := range crds {
		before := c.DeepCopy()
		base := newDef(c, stored[i])
		if !base.Invalid() {
			for _, v := range c.Spec.Versions {
				base.Version(c, v.Name)
			}
		}
		// Validating and compiling share the CRD's schemas, and must not
		// change them.
		if !equality.Semantic.DeepEqual(before, c) {
			t.Errorf("CRD %d %s: changed by its validation or compile", i, c.Name)
		}
		if got, want := sorted(base.Same(c).Errors), sorted(base.Errors); !slices.Equal(got, want) {
			t.Errorf("CRD %d %s: Same of itself gives\n%q\nthe library\n%q", i, c.Name, got, want)
		}
		for k, change := range variants {
			v := c.DeepCopy()
			change(v)
			want, got := sorted(newDef(v, stored[i]).Errors), sorted(base.Same(v).Errors)
			if !slices.Equal(got, want) {
				t.Errorf("CRD %d %s, variant %d: Same gives\n%q\nthe library\n%q", i, c.Name, k, got, want)
			}
			compared++
			if !slices.Equal(want, sorted(base.Errors)) {
				differs++
			}
		}
	}
	// The variants must change the verdict, or the test holds nothing.
	if differs < compared/2 {
		t.Errorf("only %d of %d variants change the errors", differs, compared)
	}
	t.Logf("%d comparisons, %d with errors of their own", compared, differs)
}
