package manifest

import (
	"encoding/json"
	"testing"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// TestTypedCRDsMatchTheLibrary: every CustomResourceDefinition of the
// repository's tests and of the corpus decodes to the same value through
// the decoder's schema path (decode_schema.go) as through kubectl's
// reader and the types' own UnmarshalJSON, and the schema path reports no
// unknown field below a schema that the library drops silently.
func TestTypedCRDsMatchTheLibrary(t *testing.T) {
	files, withCorpus := testManifests(t)
	res := Load(files, Options{})
	crds := 0
	bad := map[*Object]bool{}
	for _, p := range res.Problems {
		if p.Object != nil {
			bad[p.Object] = true
		}
	}
	for _, o := range res.Objects {
		got, ok := o.Typed.(*apiextv1.CustomResourceDefinition)
		if !ok || bad[o] {
			continue
		}
		crds++
		// The object's value as kubectl's reader reads it (the builder is
		// held to sigs.k8s.io/yaml by TestKeysTagsAndMarkersAsKubectl),
		// decoded by the types' own UnmarshalJSON.
		j, err := json.Marshal(o.Raw())
		if err != nil {
			t.Fatal(err)
		}
		var want apiextv1.CustomResourceDefinition
		if err := utiljson.Unmarshal(j, &want); err != nil {
			t.Errorf("%s: the library: %v", o.Source.Path, err)
			continue
		}
		if !equality.Semantic.DeepEqual(got, &want) {
			t.Errorf("%s: %s decodes differently from the library", o.Source.Path, o.Name)
		}
	}
	t.Logf("%d CRDs compared (corpus: %v)", crds, withCorpus)
	if crds < 3 || withCorpus && crds < 250 {
		t.Errorf("only %d CRDs compared", crds)
	}
}

// TestSchemaOrShapes: each shape the three "schema or" types take, decoded
// as their UnmarshalJSON decodes them; an unknown field below them is
// dropped as the library drops it, and a wrong type is a problem at its
// own line.
func TestSchemaOrShapes(t *testing.T) {
	const head = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: xs.example.com}\nspec:\n  group: example.com\n  names: {kind: X, plural: xs}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n"
	for _, tc := range []struct {
		name, schema string
		problemLine  int // 0: none
	}{
		{"bool true", "        additionalProperties: true\n", 0},
		{"bool false", "        additionalProperties: false\n", 0},
		{"yaml 1.1 bool", "        additionalProperties: yes\n", 0},
		{"bool schema", "        additionalProperties: {type: string, bogus: 1}\n", 0},
		{"bool wrong", "        additionalProperties: 5\n", 15},
		{"items schema", "        properties:\n          a:\n            type: array\n            items: {type: integer, notAField: x}\n", 0},
		{"items list", "        properties:\n          a:\n            type: array\n            items: [{type: integer}, {type: string}]\n", 0},
		{"items scalar", "        properties:\n          a:\n            type: array\n            items: 7\n", 0},
		{"items wrong type inside", "        properties:\n          a:\n            type: array\n            items:\n              type: integer\n              maximum: high\n", 20},
		{"dependencies", "        dependencies:\n          a: [b, c]\n          d: {required: [e]}\n", 0},
	} {
		doc := head + tc.schema
		p := parseString(t, "crd.yaml", doc)
		if len(p.Objects) != 1 {
			t.Fatalf("%s: %d objects", tc.name, len(p.Objects))
		}
		o := p.Objects[0]
		var lines []int
		for _, pr := range p.Problems {
			lines = append(lines, pr.Pos.Line)
		}
		if tc.problemLine == 0 && len(lines) > 0 || tc.problemLine > 0 && (len(lines) != 1 || lines[0] != tc.problemLine) {
			t.Errorf("%s: problems at lines %v, want %d (%+v)", tc.name, lines, tc.problemLine, p.Problems)
		}
		if tc.problemLine > 0 {
			continue
		}
		got, ok := o.Typed.(*apiextv1.CustomResourceDefinition)
		if !ok {
			t.Fatalf("%s: not typed", tc.name)
		}
		j, err := json.Marshal(o.Raw())
		if err != nil {
			t.Fatal(err)
		}
		var want apiextv1.CustomResourceDefinition
		if err := utiljson.Unmarshal(j, &want); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !equality.Semantic.DeepEqual(got, &want) {
			t.Errorf("%s: decodes to\n%+v\nthe library to\n%+v", tc.name, got.Spec.Versions[0].Schema.OpenAPIV3Schema, want.Spec.Versions[0].Schema.OpenAPIV3Schema)
		}
	}
}
