package manifest

import (
	"fmt"
	"reflect"

	yaml "go.yaml.in/yaml/v3"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// The three "schema or ..." types of a CustomResourceDefinition's
// openAPIV3Schema decode themselves from JSON (UnmarshalJSON), which the
// decoder's general path serves by building the node's JSON and handing it
// over: for the corpus's CRDs (80% of its bytes) that marshal and
// unmarshal was 12% of a default run's CPU. schemaOr decodes them from
// the node directly, with the same result as their UnmarshalJSON
// (TestTypedCRDsMatchTheLibrary holds it to the library on every CRD of
// the tests and the corpus):
//   - JSONSchemaPropsOrArray: a mapping is Schema, a list JSONSchemas,
//     anything else leaves it empty;
//   - JSONSchemaPropsOrStringArray: a mapping is Schema, a list Property;
//   - JSONSchemaPropsOrBool: a mapping is Schema with Allows, true/false
//     Allows; anything else "boolean or JSON schema expected".
//
// Below them the library decodes with encoding/json's lenient rules (an
// unknown field is dropped, not an error), so the walk does the same
// there (d.lenient), while a value of the wrong type is still a problem
// at its own line rather than one for the whole schema.
var (
	typeSchemaOrArray       = reflect.TypeFor[apiextv1.JSONSchemaPropsOrArray]()
	typeSchemaOrStringArray = reflect.TypeFor[apiextv1.JSONSchemaPropsOrStringArray]()
	typeSchemaOrBool        = reflect.TypeFor[apiextv1.JSONSchemaPropsOrBool]()
)

func (d *typedDecoder) schemaOr(n *yaml.Node, v reflect.Value, t reflect.Type, depth int) bool {
	if t != typeSchemaOrArray && t != typeSchemaOrStringArray && t != typeSchemaOrBool {
		return false
	}
	d.lenient++
	defer func() { d.lenient-- }()
	schema := func() *apiextv1.JSONSchemaProps {
		s := new(apiextv1.JSONSchemaProps)
		d.decode(n, reflect.ValueOf(s).Elem(), depth+1)
		return s
	}
	switch t {
	case typeSchemaOrArray:
		var out apiextv1.JSONSchemaPropsOrArray
		switch n.Kind {
		case yaml.MappingNode:
			out.Schema = schema()
		case yaml.SequenceNode:
			d.decode(n, reflect.ValueOf(&out.JSONSchemas).Elem(), depth)
		}
		v.Set(reflect.ValueOf(out))
	case typeSchemaOrStringArray:
		var out apiextv1.JSONSchemaPropsOrStringArray
		switch n.Kind {
		case yaml.MappingNode:
			out.Schema = schema()
		case yaml.SequenceNode:
			d.decode(n, reflect.ValueOf(&out.Property).Elem(), depth)
		}
		v.Set(reflect.ValueOf(out))
	case typeSchemaOrBool:
		var out apiextv1.JSONSchemaPropsOrBool
		switch {
		case n.Kind == yaml.MappingNode:
			out.Allows, out.Schema = true, schema()
		case n.Kind == yaml.ScalarNode && scalarTag(n) == "!!bool":
			b, _ := scalarValue(n).(bool)
			out.Allows = b
		default:
			d.typeError(n, fmt.Sprintf("%s: boolean or JSON schema expected, got %s", &d.path, nodeKindName(n)),
				"write true, false or a schema (a mapping)")
			return true
		}
		v.Set(reflect.ValueOf(out))
	}
	return true
}
