package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// mergedDoc is a custom resource, so that the typed decoder has no say.
const mergedDoc = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: web
  labels: &labels
    app: web
    tier: front
  annotations:
    <<: *labels
    tier: back
    replicas: 3
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: a
        image: nginx:1.27
      - ~
      - name: b
        image: nginx:1.27
        resizePolicy:
        - {resourceName: cpu, restartPolicy: NotRequired}
      - name: c
        resizePolicy: null
`

func TestRawIsBuiltOnFirstUse(t *testing.T) {
	p := parseString(t, "d.yaml", mergedDoc)
	if len(p.Objects) != 1 || len(p.Problems) != 0 {
		t.Fatalf("objects %d, problems %v", len(p.Objects), p.Problems)
	}
	o := p.Objects[0]
	if o.raw != nil {
		t.Fatal("the raw view was built while loading")
	}
	raw := o.Raw()
	want := map[string]any{"tier": "back", "app": "web", "replicas": int64(3)}
	if got := raw["metadata"].(map[string]any)["annotations"]; !reflect.DeepEqual(got, want) {
		t.Errorf("annotations = %#v, want %#v", got, want)
	}
	if reflect.ValueOf(o.Raw()).Pointer() != reflect.ValueOf(raw).Pointer() {
		t.Error("Raw built a second map")
	}
	if (&Object{}).Raw() != nil {
		t.Error("an object without a node has a raw view")
	}
}

func TestLookupValueStringMap(t *testing.T) {
	o := parseString(t, "d.yaml", mergedDoc).Objects[0]
	if o.Name != "web" || o.Kind != "Widget" || o.APIVersion != "example.com/v1" {
		t.Errorf("identity = %s %s %s", o.APIVersion, o.Kind, o.Name)
	}
	if v := o.Value("spec", "replicas"); v != int64(2) {
		t.Errorf("spec.replicas = %#v", v)
	}
	if v := o.Value("metadata", "annotations", "app"); v != "web" {
		t.Errorf("a merged key = %#v", v)
	}
	if v := o.Value("metadata", "annotations", "tier"); v != "back" {
		t.Errorf("an explicit key must beat a merged one: %#v", v)
	}
	for _, keys := range [][]string{{"spec"}, {"spec", "missing"}, {"spec", "replicas", "deeper"}, {"nothing", "here"}} {
		if v := o.Value(keys...); v != nil {
			t.Errorf("Value(%q) = %#v, want nil", keys, v)
		}
	}
	if n := o.Lookup("spec", "template"); n == nil || n.Line != 15 {
		t.Errorf("Lookup(spec, template) = %+v", n)
	}
	got := o.StringMap("metadata", "annotations")
	want := map[string]string{"app": "web", "tier": "back"} // replicas is not a string
	if !reflect.DeepEqual(got, want) {
		t.Errorf("StringMap(metadata, annotations) = %v, want %v", got, want)
	}
	if got := o.StringMap("spec"); len(got) != 0 {
		t.Errorf("StringMap(spec) = %v (no string values there)", got)
	}
	if got := o.StringMap("spec", "replicas"); got != nil {
		t.Errorf("StringMap of a scalar = %v, want nil", got)
	}
}

func TestEachMatchesRaw(t *testing.T) {
	o := parseString(t, "d.yaml", mergedDoc).Objects[0]
	var got []string
	for _, pattern := range []string{
		"spec.template.spec.containers[*].resizePolicy",
		"spec.template.spec.containers[*].image",
		"metadata.annotations.app",
		"spec.replicas.deeper",
		"spec.template.spec.containers.name", // a list used as a mapping
	} {
		o.Each(pattern, func(p Path) { got = append(got, p.String()) })
	}
	want := []string{
		"spec.template.spec.containers[2].resizePolicy",
		"spec.template.spec.containers[0].image",
		"spec.template.spec.containers[2].image",
		"metadata.annotations.app",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Each paths = %q\nwant %q", got, want)
	}
}

// TestLineAndExcerptAgainstSplit checks the sparse line index against a
// plain split, on texts longer than its stride, with and without a final
// newline, with CRLF and empty lines.
func TestLineAndExcerptAgainstSplit(t *testing.T) {
	for _, tail := range []string{"", "\n", "\r\n"} {
		var b strings.Builder
		for i := 1; i <= 200; i++ {
			switch {
			case i%7 == 0:
				b.WriteString("\n")
			case i%5 == 0:
				fmt.Fprintf(&b, "key%d: %s\r\n", i, strings.Repeat("x", i))
			default:
				fmt.Fprintf(&b, "line %d\n", i)
			}
		}
		text := strings.TrimSuffix(b.String(), "\n") + tail
		want := strings.Split(text, "\n")
		src := &Source{Path: "x.yaml", Data: []byte(text)}
		for n := -1; n <= len(want)+2; n++ {
			exp := ""
			if n >= 1 && n <= len(want) {
				exp = strings.TrimSuffix(want[n-1], "\r")
			}
			if got := src.Line(n); got != exp {
				t.Fatalf("tail %q: Line(%d) = %q, want %q", tail, n, got, exp)
			}
		}
		for _, r := range [][2]int{{1, 1}, {31, 33}, {32, 64}, {65, 65}, {150, len(want)}, {len(want), len(want)}} {
			ex := src.Excerpt(r[0], r[1])
			for n := r[0]; n <= r[1]; n++ {
				if got, exp := ex.Line(n), strings.TrimSuffix(want[n-1], "\r"); got != exp {
					t.Fatalf("tail %q: Excerpt(%d, %d).Line(%d) = %q, want %q", tail, r[0], r[1], n, got, exp)
				}
			}
			if ex.Line(r[0]-1) != "" || ex.Line(r[1]+1) != "" {
				t.Errorf("Excerpt(%d, %d) has lines outside its range", r[0], r[1])
			}
		}
	}
}

func TestSourceHas(t *testing.T) {
	s := &Source{Data: []byte("metadata:\n  annotations:\n    kvet.dev/ignore: job-ttl\n")}
	for i := 0; i < 2; i++ { // the second answer comes from the cache
		if !s.Has("kvet.dev/ignore") || s.Has("kvet.dev/ignored") {
			t.Fatalf("round %d: Has gives the wrong answer", i)
		}
	}
	if (&Source{}).Has("x") {
		t.Error("an empty source has text")
	}
}

// TestStreamBatchesInOrder: a file of many batches, streamed while other
// workers are free, reaches fn batch after batch, in document order, never
// two at once, with first set on the first batch only.
func TestStreamBatchesInOrder(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	const docs = 5*batch + 7
	for i := range docs {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm%d\n", i)
	}
	path := filepath.Join(dir, "many.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		busy    atomic.Bool
		names   []string
		firsts  int
		batches int
	)
	_, errs := Stream([]string{path}, Options{Workers: 4}, func(_ int, _ *Source, p Parsed, first bool) {
		if !busy.CompareAndSwap(false, true) {
			t.Error("two batches of one file at once")
		}
		defer busy.Store(false)
		mu.Lock()
		defer mu.Unlock()
		batches++
		if first {
			firsts++
		}
		for _, o := range p.Objects {
			names = append(names, o.Name)
		}
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if firsts != 1 || batches != 6 || len(names) != docs {
		t.Fatalf("firsts %d, batches %d, objects %d", firsts, batches, len(names))
	}
	for i, n := range names {
		if n != fmt.Sprintf("cm%d", i) {
			t.Fatalf("object %d is %s: out of order", i, n)
		}
	}
}

// DropTree keeps what a lookup needs (identity, typed value, position) and
// lets the node tree and the source lines go.
func TestDropTree(t *testing.T) {
	p := parseString(t, "svc.yaml", "# a Service\n\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec:\n  clusterIP: None\n  selector: {app: web}\n")
	if len(p.Objects) != 1 {
		t.Fatalf("objects %d, problems %v", len(p.Objects), p.Problems)
	}
	o := p.Objects[0]
	pos, typed := o.Pos(), o.Typed
	o.DropTree()
	if o.Pos() != pos || pos.Line != 3 || o.Typed != typed || o.Name != "web" || o.Namespace != "prod" || o.Kind != "Service" {
		t.Errorf("after DropTree: pos %v (was %v), name %q/%q, kind %q", o.Pos(), pos, o.Namespace, o.Name, o.Kind)
	}
	if o.Lookup("spec", "clusterIP") != nil || o.Value("metadata", "name") != nil {
		t.Error("the tree is still there")
	}
	if got := o.Source.Line(3); got != "apiVersion: v1" {
		t.Errorf("the object's first line = %q", got)
	}
	if got := o.Source.Line(7); got != "" {
		t.Errorf("line 7 is still held: %q", got)
	}
}

// TestSnippetWindow: a long line's snippet is a window of at most about
// 200 bytes around the column, whose shift puts the column on the same
// character; short lines are whole. Checked against counting runes
// from the line's start, on lines with multi-byte characters, both
// below the long-line index and above it.
func TestSnippetWindow(t *testing.T) {
	var b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&b, "k%d: v", i)
		if i%7 == 0 {
			b.WriteString("é€😀")
		}
		b.WriteString(", ")
	}
	long := b.String()
	for _, line := range []string{long, long[:150] + "\u00e9", long[:3000], "short: line"} {
		src := &Source{Path: "s.yaml", Data: []byte("first\n" + line + "\r\nlast\n")}
		runes := []rune(line)
		for col := 1; col <= len(runes); col += 1 + len(runes)/97 {
			text, shift := src.Snippet(2, col)
			if len(text) > 200 {
				t.Fatalf("col %d: snippet of %d bytes", col, len(text))
			}
			got := []rune(text)
			i := col - shift - 1
			if i < 0 || i >= len(got) || got[i] != runes[col-1] {
				t.Fatalf("col %d, shift %d: snippet %q does not have %q there", col, shift, text, runes[col-1])
			}
			if len(line) <= 180 && (text != line || shift != 0) {
				t.Errorf("short line %q: %q, %d", line, text, shift)
			}
		}
	}
	if s, _ := (&Source{Data: []byte("a\n")}).Snippet(3, 1); s != "" {
		t.Errorf("line out of range: %q", s)
	}
}

// An excerpt of long lines (every object of a minified List is on one
// line) shares the file's data: a copy per object was quadratic.
func TestExcerptOfLongLinesIsShared(t *testing.T) {
	data := []byte("{\"items\": [" + strings.Repeat(`{"a": "b"}, `, 1000) + "]}\nnext\nline\n")
	src := &Source{Path: "l.json", Data: data}
	if ex := src.Excerpt(1, 1); len(ex.Data) == 0 || &ex.Data[0] != &data[0] || ex.Line(1) != src.Line(1) {
		t.Errorf("the long line was copied")
	}
	if ex := src.Excerpt(2, 2); &ex.Data[0] == &data[len(data)-10] || ex.Line(2) != "next" {
		t.Errorf("a short line was shared, or is wrong: %q", ex.Line(2))
	}
}
