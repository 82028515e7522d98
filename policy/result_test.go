package policy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/kvetdev/kvet/manifest"
)

// TestResultOfMatchesJSONPath holds resultOf, which reads a result's Rego
// value directly, to newResult on the value's JSON, the way every result
// used to be converted.
func TestResultOfMatchesJSONPath(t *testing.T) {
	for _, src := range []string{
		`"plain message"`,
		`{"msg": "m"}`,
		`{"msg": "m", "path": ["spec", "containers", 0, "image"], "id": "x", "severity": "high"}`,
		`{"msg": "m", "path": "spec.containers[1].image"}`,
		`{"msg": "m", "path": ["spec", 1.5]}`,
		`{"msg": "m", "details": {"a": [1, true, null], "b": {"c"}}, "n": 3}`,
		`{"msg": "m", "_loc": {"file": "p.rego", "line": 7}}`,
		`{"msg": "m", "query": "overridden"}`,
		`{"msg": "m", 1: "number key"}`,
		`{"msg": 5}`,
		`{"path": ["spec"]}`,
		`7`,
		`["a"]`,
	} {
		v := ast.MustParseTerm(src).Value
		got, gotOK, gotErr := resultOf("ns", "deny", "data.ns.deny", v)
		x, err := ast.JSON(v)
		if err != nil {
			t.Fatal(err)
		}
		want, wantOK, wantErr := newResult("ns", "deny", "data.ns.deny", x)
		if gotOK != wantOK || (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v %v %v\nwant %+v %v %v", src, got, gotOK, gotErr, want, wantOK, wantErr)
		}
	}
}

// TestResultOfFields spells out what a result object becomes, since
// resultOf and newResult share how they read an object's keys.
func TestResultOfFields(t *testing.T) {
	v := ast.MustParseTerm(`{"msg": "m", "path": ["spec", "containers", 0], "id": "x", "n": 3, "_loc": {"file": "p.rego", "line": 7}, "query": "mine"}`).Value
	got, ok, err := resultOf("ns", "warn_x", "data.ns.warn_x", v)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	want := Result{
		Namespace: "ns", Rule: "warn_x", Kind: KindWarning, Msg: "m",
		Metadata: map[string]any{"path": []any{"spec", "containers", json.Number("0")}, "id": "x", "n": json.Number("3"), "query": "data.ns.warn_x"},
		Path:     manifest.Path{}.Field("spec").Field("containers").Item(0),
		Location: &Location{File: "p.rego", Line: 7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if _, _, err := resultOf("ns", "deny", "q", ast.MustParseTerm(`{"path": []}`).Value); err == nil || !strings.Contains(err.Error(), `"msg" field`) {
		t.Errorf("a result without msg gave %v, want an error naming the msg field", err)
	}
}
