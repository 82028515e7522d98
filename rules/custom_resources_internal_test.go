package rules

import "testing"

// TestMetadataLines: the metadata block a CRD's spec key leaves out, and
// the texts keyed whole because something of the spec could be in it.
func TestMetadataLines(t *testing.T) {
	for _, c := range []struct {
		text string
		col  int
		want string // the text left out
	}{
		{"apiVersion: v1\nmetadata:\n  name: a\n  annotations:\n    b: c\n\nspec:\n  group: g\n", 1, "metadata:\n  name: a\n  annotations:\n    b: c\n\n"},
		{"metadata: # the name\n  name: a\nspec: {}\n", 1, "metadata: # the name\n  name: a\n"},
		// A List's item, its keys at column 3.
		{"- apiVersion: v1\n  metadata:\n    name: a\n  spec: {}\n", 3, "  metadata:\n    name: a\n"},
		// Not the metadata of the schema.
		{"spec:\n  metadata:\n    name: a\n", 1, ""},
		{"metadata: {name: a}\nspec: {}\n", 1, ""},
		// A flow mapping: a comma in the block could precede a sibling key.
		{"{kind: C,\n metadata:\n   {name: a}, spec: {group: g}}\n", 2, ""},
		{"metadata:\n  annotations:\n    a: '{\"b\": 1, \"c\": 2}'\nspec: {}\n", 1, ""},
		// An anchor the spec could name.
		{"metadata:\n  name: &n a\nspec:\n  group: *n\n", 1, ""},
		{"metadata:\n  name: a\n", 0, ""},
	} {
		from, to := metadataLines([]byte(c.text), c.col)
		if got := c.text[from:to]; got != c.want {
			t.Errorf("%q at column %d: left out %q, want %q", c.text, c.col, got, c.want)
		}
	}
}
