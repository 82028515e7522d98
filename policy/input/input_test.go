package input

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/kvetdev/kvet/internal/sharedtest"
	"github.com/kvetdev/kvet/manifest"
)

var corpusDir = sharedtest.CorpusDir()

func parse(t testing.TB, text string) manifest.Parsed {
	t.Helper()
	return manifest.Parse(&manifest.Source{Path: "d.yaml", Data: []byte(text)}, manifest.Limits{})
}

// matchesRaw reports (as a test error) any object whose Rego view is not
// the value ast.InterfaceToValue gives for its raw view.
func matchesRaw(t *testing.T, objs []*manifest.Object) {
	t.Helper()
	for _, o := range objs {
		want, err := ast.InterfaceToValue(o.Raw())
		if err != nil {
			t.Fatal(err)
		}
		if got := Object(o); ast.Compare(got, want) != 0 {
			t.Errorf("%s: %s: Rego view differs from the raw view\n got %v\nwant %v", o.Source.Path, o.Ref(), got, want)
		}
	}
}

// TestObjectEdgeCases: merge keys (an explicit key beats a merged one),
// aliases, a key written twice (the last wins), non-string keys, and every
// scalar type, as the raw view has them. (A key that is a list or a
// mapping is an error: manifest's TestKeysTagsAndMarkersAsKubectl.)
func TestObjectEdgeCases(t *testing.T) {
	docs := `apiVersion: example.com/v1
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
  containers:
  - name: a
  - ~
---
apiVersion: v1
kind: ConfigMap
metadata: {name: scalars}
data:
  a: 2
  big: 123456789012345678901234567890
  hex: 0x1F
  octal: 0o17
  yaml11octal: 0644
  float: 1.5e3
  inf: .inf
  nan: .nan
  yes: yes
  on: on
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
	p := parse(t, docs)
	if len(p.Objects) != 3 {
		t.Fatalf("objects %d, problems %v", len(p.Objects), p.Problems)
	}
	if !p.Objects[0].UniqueKeys() || !p.Objects[1].UniqueKeys() || p.Objects[2].UniqueKeys() {
		t.Fatal("only the third document writes a key twice")
	}
	matchesRaw(t, p.Objects)
	if got := Object(p.Objects[2]).(ast.Object).Get(ast.StringTerm("data")).String(); got != `{"a": "2", "b": {"c": 2}}` {
		t.Errorf("repeated keys: data = %s", got)
	}
	// A hand-written expectation too, so that a change to both views at
	// once cannot pass unnoticed.
	data := Object(p.Objects[1]).(ast.Object).Get(ast.StringTerm("data")).Value.(ast.Object)
	for key, want := range map[string]string{`a`: `2`, `hex`: `31`, `yaml11octal`: `420`, `yes`: `true`, `on`: `true`, `bool`: `true`, `null1`: `null`, `quoted`: `"123"`, `alias`: `{"k": [1, "two", {"three": 3}]}`, `1`: `"number key"`} {
		got := data.Get(ast.StringTerm(key))
		if got == nil || got.Value.String() != want {
			t.Errorf("data[%q] = %v, want %s", key, got, want)
		}
	}
	ann := Object(p.Objects[0]).(ast.Object).Get(ast.StringTerm("metadata")).Value.(ast.Object).Get(ast.StringTerm("annotations"))
	if got := ann.String(); got != `{"app": "web", "replicas": 3, "tier": "back"}` {
		t.Errorf("merged annotations = %s", got)
	}
	if v := Object(&manifest.Object{}); ast.Compare(v, ast.NewObject()) != 0 {
		t.Errorf("an object without a node = %v, want {}", v)
	}
}

// TestObjectIsKept: the value is built once per object and kept, also
// when many goroutines ask for it at once; each object has its own.
func TestObjectIsKept(t *testing.T) {
	p := parse(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n")
	if len(p.Objects) != 2 {
		t.Fatalf("objects %d, problems %v", len(p.Objects), p.Problems)
	}
	a, b := p.Objects[0], p.Objects[1]
	var wg sync.WaitGroup
	got := make([]ast.Value, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = Object(a)
		}()
	}
	wg.Wait()
	for i, v := range got {
		if v != got[0] {
			t.Fatalf("call %d built a second value", i)
		}
	}
	if Object(a) != got[0] {
		t.Error("a later call built a second value")
	}
	if vb := Object(b); vb == got[0] || vb.(ast.Object).Get(ast.StringTerm("kind")).String() != `"Secret"` {
		t.Errorf("the second object's value is %v", vb)
	}
}

// TestDocument: a document of any shape (kvet test's input), a key written
// twice, and merge keys.
func TestDocument(t *testing.T) {
	text := "hello\n---\n[1, {a: 2}, on, 0644]\n---\nkind: X\n---\n{a: 1, a: 2}\n---\nb: &b {x: 1}\nc: {<<: *b, y: 2}\n"
	var docs []*manifest.Document
	manifest.ParseDocuments(&manifest.Source{Path: "d.yaml", Data: []byte(text)}, manifest.Limits{}, func(p manifest.Parsed) {
		docs = append(docs, p.Docs...)
	})
	want := []string{`"hello"`, `[1, {"a": 2}, true, 420]`, `{"kind": "X"}`, `{"a": 2}`, `{"b": {"x": 1}, "c": {"x": 1, "y": 2}}`}
	if len(docs) != len(want) {
		t.Fatalf("%d documents, want %d", len(docs), len(want))
	}
	for i, d := range docs {
		if got := Document(d).String(); got != want[i] {
			t.Errorf("document %d = %s, want %s", i, got, want[i])
		}
		raw, err := ast.InterfaceToValue(d.Value())
		if err != nil {
			t.Fatal(err)
		}
		if ast.Compare(Document(d), raw) != 0 {
			t.Errorf("document %d: Rego view %v differs from the raw view %v", i, Document(d), raw)
		}
	}
}

// haveCorpus reports whether the whole-corpus tests read the shared
// corpus: it is next to the repository (a user's clone has no ../shared)
// and the run is not -short. It logs why when they do not.
func haveCorpus(t testing.TB) bool {
	t.Helper()
	_, ok := sharedtest.Corpus(t)
	return ok
}

// testManifests lists the manifest files of the repository's tests and,
// when haveCorpus, of the shared corpus.
func testManifests(t testing.TB) (files []string, withCorpus bool) {
	t.Helper()
	roots := []string{"../../testdata", "../../rules/testdata", "../../manifest/testdata"}
	if withCorpus = haveCorpus(t); withCorpus {
		roots = append(roots, corpusDir)
	}
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && manifest.IsManifestFile(p) {
				files = append(files, p)
			}
			return nil
		})
	}
	return files, withCorpus
}

// TestObjectMatchesRaw holds the Rego view to the raw view on every object
// of the repository's test manifests and of the shared corpus.
func TestObjectMatchesRaw(t *testing.T) {
	files, withCorpus := testManifests(t)
	res := manifest.Load(files, manifest.Options{})
	// The corpus has 8,175 objects; the repository's test manifests, 99
	// when this was written.
	least := 80
	if withCorpus {
		least = 8000
	}
	if len(res.Objects) < least {
		t.Fatalf("only %d objects loaded, want at least %d", len(res.Objects), least)
	}
	matchesRaw(t, res.Objects)
}

// BenchmarkBuildCorpus builds the Rego value of every object of the
// corpus (not kept: each iteration builds them all again).
func BenchmarkBuildCorpus(b *testing.B) {
	if _, err := os.Stat(corpusDir); err != nil {
		b.Skipf("corpus not found at %s: %v", corpusDir, err)
	}
	res := manifest.Load([]string{corpusDir}, manifest.Options{})
	b.ResetTimer()
	for range b.N {
		for _, o := range res.Objects {
			buildObject(o)
		}
	}
	b.ReportMetric(float64(len(res.Objects)*b.N)/b.Elapsed().Seconds(), "objects/s")
}
