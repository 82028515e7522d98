package manifest

import (
	"strings"
	"testing"
)

func objectOf(t *testing.T, text string) *Object {
	t.Helper()
	p := Parse(&Source{Path: "x.yaml", Data: []byte(text)}, Limits{})
	if len(p.Objects) != 1 {
		t.Fatalf("%d objects; problems %v", len(p.Objects), p.Problems)
	}
	return p.Objects[0]
}

func applyTo(t *testing.T, o *Object) func(Edit, bool) string {
	return func(e Edit, ok bool) string { t.Helper(); return apply(t, o, e, ok) }
}

func apply(t *testing.T, o *Object, e Edit, ok bool) string {
	t.Helper()
	if !ok {
		t.Fatal("no edit")
	}
	out, err := ApplyEdits(o.Source.Data, []Edit{e})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

const editDoc = `apiVersion: v1   # c1
kind: ConfigMap
metadata:
  name: 'x'
  labels: {a: "b", c: d}
data:
  # a comment about k
  k: yes
  q: "it's \"q\""
`

func TestEdits(t *testing.T) {
	o := objectOf(t, editDoc)
	if got := applyTo(t, o)(o.ReplaceString(MustParsePath("apiVersion"), "v2")); !strings.HasPrefix(got, "apiVersion: v2   # c1\n") {
		t.Errorf("ReplaceString plain:\n%s", got)
	}
	if got := applyTo(t, o)(o.ReplaceString(MustParsePath("metadata.name"), "it's")); !strings.Contains(got, "  name: 'it''s'\n") {
		t.Errorf("ReplaceString keeps single quotes:\n%s", got)
	}
	if got := applyTo(t, o)(o.ReplaceString(MustParsePath("data.q"), "z")); !strings.Contains(got, "  q: \"z\"\n") {
		t.Errorf("ReplaceString of an escaped double-quoted scalar:\n%s", got)
	}
	// A plain value that YAML would read as a boolean is quoted.
	if got := applyTo(t, o)(o.ReplaceString(MustParsePath("apiVersion"), "on")); !strings.HasPrefix(got, "apiVersion: \"on\"   # c1") {
		t.Errorf("ReplaceString quotes what plain would change:\n%s", got)
	}
	if got := applyTo(t, o)(o.QuoteScalar(MustParsePath("data.k"))); !strings.Contains(got, "  k: \"yes\"\n") {
		t.Errorf("QuoteScalar:\n%s", got)
	}
	if got := applyTo(t, o)(o.RenameKey(MustParsePath("data.k"), "key")); !strings.Contains(got, "  key: yes\n") {
		t.Errorf("RenameKey:\n%s", got)
	}
	if _, ok := o.RenameKey(MustParsePath("data.k"), "q"); ok {
		t.Error("RenameKey onto an existing key must refuse: it would duplicate it")
	}
	// A new first entry goes above the comments that belong to the old one.
	if got := applyTo(t, o)(o.InsertKey(MustParsePath("data"), "new", "1")); !strings.Contains(got, "data:\n  new: 1\n  # a comment about k\n  k: yes\n") {
		t.Errorf("InsertKey block:\n%s", got)
	}
	if got := applyTo(t, o)(o.InsertKey(MustParsePath("metadata.labels"), "e", "f")); !strings.Contains(got, "labels: {e: f, a: \"b\", c: d}") {
		t.Errorf("InsertKey flow:\n%s", got)
	}
	if _, ok := o.InsertKey(MustParsePath("metadata.labels"), "x", "\n  y: z"); ok {
		t.Error("InsertKey of a block into a flow mapping must refuse")
	}
	if _, ok := o.InsertKey(MustParsePath("data"), "k", "1"); ok {
		t.Error("InsertKey of an existing key must refuse")
	}
	if got := applyTo(t, o)(o.InsertKey(MustParsePath("metadata"), "namespace", "\n  x: y")); !strings.Contains(got, "metadata:\n  namespace:\n    x: y\n  name: 'x'\n") {
		t.Errorf("InsertKey nested block:\n%s", got)
	}
}

func TestApplyEditsRefusesAChangedFile(t *testing.T) {
	o := objectOf(t, editDoc)
	e, _ := o.ReplaceString(MustParsePath("apiVersion"), "v2")
	changed := strings.Replace(editDoc, "apiVersion: v1", "apiVersion: v3", 1)
	if _, err := ApplyEdits([]byte(changed), []Edit{e}); err == nil {
		t.Error("an edit whose old text is gone was applied")
	}
	// Non-overlapping edits apply together, from the end.
	e2, _ := o.QuoteScalar(MustParsePath("data.k"))
	out, err := ApplyEdits([]byte(editDoc), []Edit{e, e2})
	if err != nil || !strings.Contains(string(out), "apiVersion: v2 ") || !strings.Contains(string(out), `k: "yes"`) {
		t.Errorf("%v\n%s", err, out)
	}
}
