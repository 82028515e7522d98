package manifest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestPathHasPrefixBySegments: prefixes are whole segments, never text:
// spec.containers[1] is not a prefix of spec.containers[10], a key is not
// the index with the same digits, and a key with dots is one segment.
func TestPathHasPrefixBySegments(t *testing.T) {
	containers := Path{}.Field("spec").Field("containers")
	ann := Path{}.Field("metadata").Field("annotations")
	for _, c := range []struct {
		p, prefix Path
		want      bool
	}{
		{containers.Item(1), containers.Item(1), true},
		{containers.Item(1).Field("image"), containers.Item(1), true},
		{containers.Item(10), containers.Item(1), false},
		{containers.Item(10).Field("image"), containers.Item(1), false},
		{containers.Field("1"), containers.Item(1), false},
		{containers.Item(1), nil, true},
		{containers, containers.Item(1), false},
		{ann.Field("kvet.dev/ignore"), ann.Field("kvet.dev"), false},
		{ann.Field("kvet.dev/ignore.reason"), ann.Field("kvet.dev/ignore"), false},
		{ann.Field("kvet.dev/ignore"), ann, true},
		{Path{}.Field("spec").Field("template.spec"), Path{}.Field("spec").Field("template"), false},
		{Path{{Key: "a"}}, Path{{Key: "a", Index: -1}}, true}, // a key is a key whatever Index says
		{Path{{Key: "", Index: -1}}, Path{{Index: 0}}, false}, // the empty key is not item 0
	} {
		if got := c.p.HasPrefix(c.prefix); got != c.want {
			t.Errorf("%s.HasPrefix(%s) = %v, want %v", c.p, c.prefix, got, c.want)
		}
	}
}

// TestIsInvalidBySegments: a value of the wrong type under a key with dots
// covers what is inside it, not a sibling whose key it starts.
func TestIsInvalidBySegments(t *testing.T) {
	p := parseString(t, "x.yaml", `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kvet.dev/ignore: [a]
spec:
  containers:
  - name: a
    image: a
    ports: x
`)
	o := p.Objects[0]
	ann := Path{}.Field("metadata").Field("annotations")
	c1 := Path{}.Field("spec").Field("containers").Item(0)
	want := []Path{ann.Field("kvet.dev/ignore"), c1.Field("ports")}
	if !reflect.DeepEqual(o.InvalidPaths, want) {
		t.Fatalf("InvalidPaths = %v, want %v", o.InvalidPaths, want)
	}
	for path, invalid := range map[string]bool{
		`metadata.annotations["kvet.dev/ignore"]`:    true,
		`metadata.annotations["kvet.dev/ignore"][0]`: true,
		`metadata.annotations["kvet.dev"]`:           false,
		`metadata.annotations["kvet.dev/ignore.x"]`:  false,
		`metadata.annotations`:                       false,
		`spec.containers[0].ports[3]`:                true,
		`spec.containers[0].portsx`:                  false,
		`spec.containers[00].ports`:                  true, // [00] is item 0
	} {
		if got := o.IsInvalid(MustParsePath(path)); got != invalid {
			t.Errorf("IsInvalid(%s) = %v, want %v", path, got, invalid)
		}
	}
	// Item 10 is not under item 1.
	o.InvalidPaths = []Path{Path{}.Field("spec").Field("containers").Item(1)}
	if o.IsInvalid(Path{}.Field("spec").Field("containers").Item(10)) {
		t.Error("spec.containers[10] counted as inside spec.containers[1]")
	}
}

// TestPathBinaryRoundTrip: AppendBinary and DecodePath keep every key and
// index exactly, one path after another in one buffer; truncated data is
// refused.
func TestPathBinaryRoundTrip(t *testing.T) {
	paths := []Path{
		nil,
		Path{}.Field("spec").Field("containers").Item(0).Field("image"),
		Path{}.Field("metadata").Field("annotations").Field("kvet.dev/ignore"),
		Path{}.Field("").Item(1 << 40).Field("a]b").Field(`"q"`).Field("\xff\x00ü").Field(strings.Repeat("k", 200)),
	}
	for _, p := range paths {
		enc := p.AppendBinary([]byte("prefix"))
		got, ok := DecodePath(Path{}.Field("keep"), string(enc[len("prefix"):]))
		if !ok || !got[1:].Equal(p) || len(got) != len(p)+1 || got[0].Key != "keep" {
			t.Errorf("%q: decoded %#v, %v", p, got, ok)
		}
		if !reflect.DeepEqual(got[1:], append(Path{}, p...)) {
			t.Errorf("%q: decoded segments %#v differ from %#v", p, got[1:], p)
		}
		if len(enc) > len("prefix")+1 {
			if _, ok := DecodePath(nil, string(enc[len("prefix"):len(enc)-1])); ok && len(p[len(p)-1].Key) > 0 {
				t.Errorf("%q: truncated data decoded", p)
			}
		}
	}
}

// TestPathMarshalsAsItsText: encoding/json writes a Path as the string
// kvet's JSON output has always had.
func TestPathMarshalsAsItsText(t *testing.T) {
	v := struct {
		Path Path `json:"path"`
	}{Path{}.Field("metadata").Field("annotations").Field("kvet.dev/ignore")}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"path":"metadata.annotations[kvet.dev/ignore]"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	v.Path = nil
	if b, _ := json.Marshal(v); string(b) != `{"path":""}` {
		t.Errorf("empty path = %s", b)
	}
}
