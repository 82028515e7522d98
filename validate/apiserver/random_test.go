package apiserver

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/randfill"
)

// Random objects of every supported kind: Validate must neither fail
// internally (panic, conversion error, missing option) nor touch the
// caller's object.
func TestRandomObjects(t *testing.T) {
	f := randfill.NewWithSeed(1).NilChance(0.3).NumElements(0, 2)
	for _, gvk := range Kinds() {
		for i := 0; i < 30; i++ {
			obj, _ := scheme().New(gvk)
			f.Fill(obj)
			before := obj.DeepCopyObject()
			errs, _ := Validate(gvk, obj)
			for _, e := range errs {
				if e.Type == field.ErrorTypeInternal {
					t.Errorf("%s #%d: %.300s", gvk, i, e.Detail)
				}
			}
			if !equality.Semantic.DeepEqual(before, obj) {
				t.Errorf("%s #%d: caller's object modified", gvk, i)
			}
		}
	}
}
