package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

func parseString(t *testing.T, name, text string) Parsed {
	t.Helper()
	return Parse(&Source{Path: name, Data: []byte(text)}, Limits{})
}

func names(objs []*Object) string {
	var s []string
	for _, o := range objs {
		s = append(s, o.Kind+"/"+o.Name)
	}
	return strings.Join(s, ",")
}

func TestMultiDocumentSkipsEmptyAndComments(t *testing.T) {
	p := parseString(t, "m.yaml", `---
# only a comment
---
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
...
`)
	if got := names(p.Objects); got != "ConfigMap/a,ConfigMap/b" {
		t.Fatalf("objects = %s", got)
	}
	if len(p.Problems) != 0 || p.Documents != 2 {
		t.Fatalf("problems=%v documents=%d, want none and 2", p.Problems, p.Documents)
	}
	if p.Objects[1].DocIndex != 3 || p.Objects[1].Pos().Line != 9 {
		t.Errorf("second object: doc %d line %d, want doc 3 line 9", p.Objects[1].DocIndex, p.Objects[1].Pos().Line)
	}
}

func TestBrokenDocumentInTheMiddle(t *testing.T) {
	p := parseString(t, "b.yaml", `apiVersion: v1
kind: ConfigMap
metadata: {name: first}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: broken
---
apiVersion: v1
kind: ConfigMap
metadata: {name: third}
---
apiVersion: v1
kind: ConfigMap
data:
  key: "unterminated
---
apiVersion: v1
kind: ConfigMap
metadata: {name: fifth}
`)
	if got := names(p.Objects); got != "ConfigMap/first,ConfigMap/third,ConfigMap/fifth" {
		t.Fatalf("objects = %s", got)
	}
	if len(p.Problems) != 2 {
		t.Fatalf("problems = %+v, want 2 syntax errors", p.Problems)
	}
	for i, want := range []int{7, 16} {
		pr := p.Problems[i]
		if pr.Code != CodeSyntax || pr.Pos.Line != want {
			t.Errorf("problem %d: %s at line %d (%s), want yaml-syntax at line %d", i, pr.Code, pr.Pos.Line, pr.Message, want)
		}
	}
	// Lines after a recovered error are still exact.
	if l := p.Objects[2].Pos().Line; l != 18 {
		t.Errorf("fifth object at line %d, want 18", l)
	}
	if p.Objects[2].DocIndex != 4 {
		t.Errorf("fifth object doc index %d, want 4", p.Objects[2].DocIndex)
	}
}

func TestJSONInputHasPositions(t *testing.T) {
	p := parseString(t, "j.json", `{
  "apiVersion": "batch/v1",
  "kind": "Job",
  "metadata": {"name": "j"},
  "spec": {
    "template": {"spec": {"restartPolicy": "Never",
      "containers": [{"name": "a", "image": "busybox:1.36"}]}}
  }
}`)
	if len(p.Objects) != 1 || len(p.Problems) != 0 {
		t.Fatalf("objects=%d problems=%v", len(p.Objects), p.Problems)
	}
	o := p.Objects[0]
	job, ok := o.Typed.(*batchv1.Job)
	if !ok || job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Fatalf("typed = %T %+v", o.Typed, o.Typed)
	}
	loc := o.Locate(MustParsePath("spec.template.spec.containers[0].image"))
	if !loc.Exact || loc.Value != (Position{Line: 7, Column: 45}) || loc.Key != (Position{Line: 7, Column: 36}) {
		t.Errorf("image located at %+v", loc)
	}
}

func TestListKindsExpand(t *testing.T) {
	p := parseString(t, "l.yaml", `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: s}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: d}
  spec:
    replicas: "2"
`)
	if got := names(p.Objects); got != "Service/s,Deployment/d" {
		t.Fatalf("objects = %s", got)
	}
	if p.Objects[1].Item != 1 || p.Objects[1].Pos().Line != 7 {
		t.Errorf("item %d at line %d", p.Objects[1].Item, p.Objects[1].Pos().Line)
	}
	// Paths of problems in list items are relative to the item.
	if len(p.Problems) != 1 || p.Problems[0].Path.String() != "spec.replicas" || p.Problems[0].Pos.Line != 11 {
		t.Errorf("problems = %+v", p.Problems)
	}
}

func TestPositionsOfNestedListItems(t *testing.T) {
	p := parseString(t, "d.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kvet.dev/ignore: "x"
spec:
  template:
    spec:
      containers:
      - name: a
        image: a:1
      - name: b
        image: b:1
        volumeMounts:
        - name: data
          mountPath: /data
`)
	o := p.Objects[0]
	cases := []struct {
		path      string
		key, val  Position
		exact     bool
		foundPath string
	}{
		{"spec.template.spec.containers[1].volumeMounts[0].mountPath", Position{17, 11}, Position{17, 22}, true, "spec.template.spec.containers[1].volumeMounts[0].mountPath"},
		{"spec.template.spec.containers[1]", Position{13, 9}, Position{13, 9}, true, "spec.template.spec.containers[1]"},
		{"metadata.annotations[kvet.dev/ignore]", Position{6, 5}, Position{6, 22}, true, "metadata.annotations[kvet.dev/ignore]"},
		// Missing fields fall back to the nearest parent that exists.
		{"spec.template.spec.restartPolicy", Position{9, 5}, Position{10, 7}, false, "spec.template.spec"},
		{"spec.template.spec.containers[5].image", Position{10, 7}, Position{11, 7}, false, "spec.template.spec.containers"},
	}
	for _, c := range cases {
		loc := o.Locate(MustParsePath(c.path))
		if loc.Key != c.key || loc.Value != c.val || loc.Exact != c.exact || loc.Found.String() != c.foundPath {
			t.Errorf("%s: got key %v value %v exact %v found %s; want %v %v %v %s", c.path, loc.Key, loc.Value, loc.Exact, loc.Found, c.key, c.val, c.exact, c.foundPath)
		}
	}
}

func TestPathRoundTrip(t *testing.T) {
	for _, s := range []string{"spec.template.spec.containers[0].image", "metadata.annotations[kvet.dev/ignore]", "data[a.b]", "items[3]"} {
		p, err := ParsePath(s)
		if err != nil || p.String() != s {
			t.Errorf("ParsePath(%q) = %v, %v; String = %q", s, p, err, p.String())
		}
	}
	// Keys that [key] would not carry back: a ], a quote at both ends,
	// and escapes inside the Go-string form String writes for them.
	for _, key := range []string{"0]", "a]b.c", `"q"x`, `'a b'`, `"]`, "tab\t]"} {
		p := Path{{Key: "data", Index: -1}, {Key: key, Index: -1}, {Index: 2}}
		back, err := ParsePath(p.String())
		if err != nil || !reflect.DeepEqual(back, p) {
			t.Errorf("key %q: %q parses to %#v, %v", key, p.String(), back, err)
		}
	}
	// A quoted key written by hand, as before, without escapes.
	if p, err := ParsePath(`metadata.annotations["kvet.dev/ignore"]`); err != nil || p[2].Key != "kvet.dev/ignore" {
		t.Errorf("quoted key: %#v, %v", p, err)
	}
	if _, err := ParsePath("a[0"); err == nil {
		t.Error("unclosed bracket accepted")
	}
	p, _ := PathFromValues([]any{"spec", "containers", float64(2), "image"})
	if p.String() != "spec.containers[2].image" {
		t.Errorf("PathFromValues = %s", p)
	}
}

func TestDocumentsThatAreNotObjects(t *testing.T) {
	p := parseString(t, "x.yaml", "- a\n- b\n---\njust a string\n---\nkind: Pod\n")
	if len(p.Objects) != 0 || len(p.Problems) != 3 {
		t.Fatalf("objects=%d problems=%+v", len(p.Objects), p.Problems)
	}
	for i, want := range []string{"is a list", "is a scalar", "no apiVersion"} {
		if !strings.Contains(p.Problems[i].Message, want) {
			t.Errorf("problem %d = %q, want %q", i, p.Problems[i].Message, want)
		}
	}
}

func TestCRLFTabsBOMAndBinary(t *testing.T) {
	p := parseString(t, "crlf.yaml", "\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: c\r\ndata:\r\n  a: b\r\n")
	if len(p.Objects) != 1 || len(p.Problems) != 0 || p.Objects[0].Locate(MustParsePath("data.a")).Value.Line != 6 {
		t.Fatalf("CRLF+BOM: objects=%d problems=%+v", len(p.Objects), p.Problems)
	}
	p = parseString(t, "tabs.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: c\n")
	if len(p.Problems) != 1 || p.Problems[0].Code != CodeSyntax || p.Problems[0].Pos.Line != 4 {
		t.Fatalf("tabs: %+v", p.Problems)
	}
	p = parseString(t, "bin.yaml", "\x7fELF\x00\x01\x02")
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Message, "binary") {
		t.Fatalf("binary: %+v", p.Problems)
	}
}

func TestLoadFilesDirsStdin(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" }
	write("a/one.yaml", cm("one"))
	write("a/b/two.yml", cm("two"))
	write("a/three.json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"three"}}`)
	write("a/notes.txt", cm("ignored-by-extension"))
	write("a/.hidden/four.yaml", cm("hidden"))
	write("explicit.manifest", cm("explicit"))
	// A symlink loop must not hang the walk.
	if err := os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "a", "b", "loop")); err != nil {
		t.Fatal(err)
	}
	res := Load([]string{filepath.Join(dir, "a"), filepath.Join(dir, "explicit.manifest"), "-", filepath.Join(dir, "missing.yaml")},
		Options{Stdin: strings.NewReader(cm("stdin")), StdinName: "stdin.yaml"})
	if got := names(res.Objects); got != "ConfigMap/two,ConfigMap/one,ConfigMap/three,ConfigMap/explicit,ConfigMap/stdin" {
		t.Errorf("objects = %s", got)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "missing.yaml: no such file or directory") {
		t.Errorf("errors = %v", res.Errors)
	}
	last := res.Objects[len(res.Objects)-1]
	if last.Source.Path != "stdin.yaml" {
		t.Errorf("stdin source named %q", last.Source.Path)
	}
}

func TestUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions are not enforced")
	}
	p := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(p, []byte("a: b\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	res := Load([]string{p}, Options{})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "permission denied") {
		t.Errorf("errors = %v", res.Errors)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"completions", "parallelism", "template", "backoffLimit"}
	for in, want := range map[string]string{"completion": "completions", "Parallelism": "parallelism", "backofflimit": "backoffLimit", "zzz": ""} {
		if got := Suggest(in, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// Options.Read is told the size of every input read.
func TestReadReportsSizes(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"a.yaml": "a: 1\n", "b.yaml": "bb: 22\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	total, calls := 0, 0
	opts := Options{Stdin: strings.NewReader("c: 333\n"), StdinName: "-", Read: func(n int) {
		mu.Lock()
		total, calls = total+n, calls+1
		mu.Unlock()
	}}
	Stream([]string{dir, "-"}, opts, func(int, *Source, Parsed, bool) {})
	if calls != 3 || total != 5+7+7 {
		t.Errorf("Read called %d times for %d bytes, want 3 times for 19", calls, total)
	}
}
