package manifest

import (
	"testing"
)

// TestShelve: a shelved object keeps its identity, position and typed
// value but not its tree; Unshelve parses its lines back into a tree that
// locates every field where the original did.
func TestShelve(t *testing.T) {
	src := "# first\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# a Service\n\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec:\n  selector: {app: web}\n  ports:\n  - {port: 80, targetPort: http}\n  - port: 81\n    targetPort: |\n      x\n"
	p := parseString(t, "svc.yaml", src)
	if len(p.Objects) != 2 {
		t.Fatalf("objects %d, problems %v", len(p.Objects), p.Problems)
	}
	o := p.Objects[1]
	paths := []Path{
		Path{}.Field("spec").Field("selector"),
		Path{}.Field("spec").Field("ports").Item(0).Field("targetPort"),
		Path{}.Field("spec").Field("ports").Item(1).Field("targetPort"),
		Path{}.Field("metadata").Field("namespace"),
	}
	var want []Location
	for _, path := range paths {
		want = append(want, o.Locate(path))
	}
	pos, typed := o.Pos(), o.Typed
	if !o.Shelve() {
		t.Fatal("not shelved")
	}
	if o.Pos() != pos || o.Typed != typed || o.Name != "web" {
		t.Errorf("after Shelve: pos %v (was %v), name %q", o.Pos(), pos, o.Name)
	}
	if o.Lookup("spec", "selector") != nil {
		t.Error("the tree is still there")
	}
	if got := o.Source.Line(14); got != "  - {port: 80, targetPort: http}" {
		t.Errorf("line 14 = %q", got)
	}
	if got := o.Source.Line(3); got != "" {
		t.Errorf("another object's line is held: %q", got)
	}
	o.Unshelve()
	for i, path := range paths {
		if got := o.Locate(path); got.Key != want[i].Key || got.Value != want[i].Value || got.Exact != want[i].Exact {
			t.Errorf("%s: after Unshelve at %v/%v, was %v/%v", path, got.Key, got.Value, want[i].Key, want[i].Value)
		}
	}
	if o.Shelve() != true {
		t.Error("an unshelved object could not be shelved again")
	}
}

// TestShelveRefuses: objects whose own lines do not parse back into the
// same tree keep it.
func TestShelveRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"list item": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n",
		"flow":      "{apiVersion: v1, kind: Service, metadata: {name: a}}\n",
		"json":      "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Service\",\n  \"metadata\": {\"name\": \"a\"}\n}\n",
		"indented":  "---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n",
	} {
		p := parseString(t, "x.yaml", src)
		if len(p.Objects) != 1 {
			t.Errorf("%s: objects %d, problems %v", name, len(p.Objects), p.Problems)
			continue
		}
		o := p.Objects[0]
		if o.Shelve() {
			t.Errorf("%s: shelved", name)
		}
		if o.Lookup("metadata", "name") == nil {
			t.Errorf("%s: lost its tree", name)
		}
	}
}
