package kubeversion_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
)

// TestObjectTreeMatchesMapTree: PresentFields finds the same fields by
// searching an object's YAML nodes (what kvet does) as by searching its
// raw view, on every object of the repository's manifests and of the
// shared corpus.
func TestObjectTreeMatchesMapTree(t *testing.T) {
	paths := []string{"../testdata", "../examples", "../rules/testdata"}
	if testing.Short() {
		t.Log("-short: repository manifests only, not ../../shared/corpus")
	} else if _, err := os.Stat("../../shared/corpus"); err == nil {
		paths = append(paths, "../../shared/corpus")
	} else {
		t.Logf("../../shared/corpus not found (%v): repository manifests only", err)
	}
	res := manifest.Load(paths, manifest.Options{})
	checked, found := 0, 0
	for _, o := range res.Objects {
		if len(kubeversion.FieldsFor(o.APIVersion, o.Kind)) == 0 {
			continue
		}
		checked++
		got := kubeversion.PresentFields(o.APIVersion, o.Kind, o, kubeversion.Version{})
		want := kubeversion.PresentFields(o.APIVersion, o.Kind, kubeversion.MapTree(o.Raw()), kubeversion.Version{})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:%d %s: nodes give %v, raw gives %v", o.Source.Path, o.Pos().Line, o.Ref(), got, want)
		}
		found += len(got)
	}
	if checked < 10 || found == 0 {
		t.Errorf("checked %d objects, found %d fields: too little to compare", checked, found)
	}
	t.Logf("%d objects, %d fields found", checked, found)
}
