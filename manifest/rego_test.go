package manifest

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// regoMatchesRaw reports (as a test error) any object whose Rego view is
// not the value ast.InterfaceToValue gives for its raw view.
func regoMatchesRaw(t *testing.T, objs []*Object) {
	t.Helper()
	for _, o := range objs {
		want, err := ast.InterfaceToValue(o.Raw())
		if err != nil {
			t.Fatal(err)
		}
		if got := o.RegoValue(); ast.Compare(got, want) != 0 {
			t.Errorf("%s: %s: Rego view differs from the raw view\n got %v\nwant %v", o.Source.Path, o.Ref(), got, want)
		}
	}
}

// TestRegoValueEdgeCases: merge keys (an explicit key beats a merged one),
// aliases, a key written twice (the last wins), non-string keys, and every
// scalar type, as the raw view has them. (A key that is a list or a
// mapping is an error: TestKeysTagsAndMarkersAsKubectl.)
func TestRegoValueEdgeCases(t *testing.T) {
	docs := mergedDoc + `---
apiVersion: v1
kind: ConfigMap
metadata: {name: scalars}
data:
  a: 2
  big: 123456789012345678901234567890
  hex: 0x1F
  octal: 0o17
  float: 1.5e3
  inf: .inf
  nan: .nan
  yes: yes
  bool: True
  null1: ~
  null2:
  empty: ""
  date: 2026-01-02
  quoted: "123"
  block: |
    two
    lines
  anchor: &x {k: [1, two, {three: 3}]}
  alias: *x
  1: number key
  true: bool key
---
apiVersion: v1
kind: ConfigMap
metadata: {name: twice}
data: {a: "1", a: "2", b: {c: 1, c: 2}}
`
	p := parseString(t, "d.yaml", docs)
	if len(p.Objects) != 3 {
		t.Fatalf("objects %d, problems %v", len(p.Objects), p.Problems)
	}
	if !p.Objects[0].uniqueKeys || !p.Objects[1].uniqueKeys || p.Objects[2].uniqueKeys {
		t.Fatal("only the third document writes a key twice")
	}
	regoMatchesRaw(t, p.Objects)
	if got := p.Objects[2].RegoValue().(ast.Object).Get(ast.StringTerm("data")).String(); got != `{"a": "2", "b": {"c": 2}}` {
		t.Errorf("repeated keys: data = %s", got)
	}
	// A hand-written expectation too, so that a change to both views at
	// once cannot pass unnoticed.
	data := p.Objects[1].RegoValue().(ast.Object).Get(ast.StringTerm("data")).Value.(ast.Object)
	for key, want := range map[string]string{`a`: `2`, `hex`: `31`, `yes`: `true`, `bool`: `true`, `null1`: `null`, `quoted`: `"123"`, `alias`: `{"k": [1, "two", {"three": 3}]}`, `1`: `"number key"`} {
		got := data.Get(ast.StringTerm(key))
		if got == nil || got.Value.String() != want {
			t.Errorf("data[%q] = %v, want %s", key, got, want)
		}
	}
	ann := p.Objects[0].RegoValue().(ast.Object).Get(ast.StringTerm("metadata")).Value.(ast.Object).Get(ast.StringTerm("annotations"))
	if got := ann.String(); got != `{"app": "web", "replicas": 3, "tier": "back"}` {
		t.Errorf("merged annotations = %s", got)
	}
	if v := (&Object{}).RegoValue(); ast.Compare(v, ast.NewObject()) != 0 {
		t.Errorf("an object without a node = %v, want {}", v)
	}
}

// TestRegoValueMatchesRaw holds the Rego view to the raw view on every
// object of the repository's test manifests and of the shared corpus.
func TestRegoValueMatchesRaw(t *testing.T) {
	files, withCorpus := testManifests(t)
	res := Load(files, Options{})
	// The corpus has 8,175 objects; the repository's test manifests, 99
	// when this was written.
	least := 80
	if withCorpus {
		least = 8000
	}
	if len(res.Objects) < least {
		t.Fatalf("only %d objects loaded, want at least %d", len(res.Objects), least)
	}
	regoMatchesRaw(t, res.Objects)
}
