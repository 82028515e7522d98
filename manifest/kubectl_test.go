package manifest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	sigyaml "sigs.k8s.io/yaml"
)

// TestKeysTagsAndMarkersAsKubectl: on keys, tags, merge keys and document
// markers, kvet accepts a document exactly when kubectl's reader
// (sigs.k8s.io/yaml) does, reads the same value when it does, and says why
// not at the offending line when it does not.
func TestKeysTagsAndMarkersAsKubectl(t *testing.T) {
	const head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
	for _, tc := range []struct {
		doc  string
		line int    // of the problem, 0 when kubectl reads it
		want string // in the problem's message
	}{
		{head + "data:\n  ? [a, b]\n  : c\n", 5, "a mapping key must be a string, not a list"},
		{head + "data:\n  ? {a: 1}\n  : c\n", 5, "not a mapping"},
		{head + "data:\n  ~: d\n", 5, `the key "~" is null`},
		{head + "data:\n  null: d\n", 5, `the key "null" is null`},
		{head + "data:\n  '~': d\n  'null': e\n", 0, ""},
		{head + "data:\n  a: !foo x\n  b: !foo 5\n", 0, ""},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: !custom x}\n", 0, ""},
		{"...\n" + head, 1, "a document end marker (...) before any document"},
		{"# comment\n\n...\n" + head, 3, "a document end marker (...) before any document"},
		{head + "...\n", 0, ""},
		{head + "data:\n  <<: [[a]]\n", 5, "merge key (<<) value is a list holding a list"},
		{head + "data:\n  <<: 5\n", 5, "merge key (<<) value is a scalar (5)"},
		{"base: &b {k: v}\n" + head + "data:\n  <<: [*b]\n", 0, ""},
	} {
		p := parseString(t, "k.yaml", tc.doc)
		j, kerr := sigyaml.YAMLToJSON([]byte(tc.doc))
		if (kerr != nil) != (tc.line > 0) {
			t.Errorf("%q: kubectl's reader says %v; the test expects line %d", tc.doc, kerr, tc.line)
		}
		if tc.line > 0 {
			if len(p.Problems) != 1 || p.Problems[0].Code != CodeSyntax || p.Problems[0].Pos.Line != tc.line || !strings.Contains(p.Problems[0].Message, tc.want) {
				t.Errorf("%q: problems = %+v", tc.doc, p.Problems)
			}
			continue
		}
		if len(p.Objects) != 1 {
			t.Errorf("%q: problems = %+v", tc.doc, p.Problems)
			continue
		}
		for _, pr := range p.Problems {
			if pr.Code == CodeSyntax || pr.Code == CodeInvalidType {
				t.Errorf("%q: problem %+v", tc.doc, pr)
			}
		}
		var want map[string]any
		if err := json.Unmarshal(j, &want); err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(p.Objects[0].Raw())
		var gotv map[string]any
		_ = json.Unmarshal(got, &gotv)
		delete(want, "base")
		delete(gotv, "base")
		if !reflect.DeepEqual(gotv, want) {
			t.Errorf("%q: kvet reads %s, kubectl %s", tc.doc, got, j)
		}
	}
}
