package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Each hostile input yields a clear finding or error, fast, and nothing
// else in the same file or run is lost.

func TestDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	p := parseString(t, "deep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: "+deep+"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\n")
	if len(p.Problems) != 1 || p.Problems[0].Code != CodeLimit || !strings.Contains(p.Problems[0].Message, "nested deeper than 200") {
		t.Fatalf("problems = %+v", p.Problems)
	}
	if names(p.Objects) != "ConfigMap/after" {
		t.Errorf("objects = %s; the next document must still load", names(p.Objects))
	}
}

func TestAliasBombIsBoundedAndFast(t *testing.T) {
	bomb := `apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
data:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`
	start := time.Now()
	p := Parse(&Source{Path: "bomb.yaml", Data: []byte(bomb)}, Limits{MaxNodes: 100_000})
	if len(p.Problems) != 1 || p.Problems[0].Code != CodeLimit {
		t.Fatalf("problems = %+v", p.Problems)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to reject a billion laughs", d)
	}
	if len(p.Objects) != 0 {
		t.Errorf("a bomb must not become an object")
	}
}

func TestInvalidUTF8(t *testing.T) {
	p := parseString(t, "utf.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b\xa5\xa5}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	if len(p.Problems) != 1 || p.Problems[0].Code != CodeSyntax || p.Problems[0].Pos != (Position{Line: 7, Column: 19}) {
		t.Fatalf("problems = %+v", p.Problems)
	}
	if len(p.Objects) != 3 {
		t.Errorf("objects = %s; the other documents must still be checked", names(p.Objects))
	}
}

func TestHugeFileIsRefusedWithoutReading(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	// 200 MB, sparse: costs no disk and no time to create.
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	small := filepath.Join(t.TempDir(), "ok.yaml")
	if err := os.WriteFile(small, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := Load([]string{p, small}, Options{MaxFileSize: 100 << 20})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "larger than the limit") || !strings.Contains(res.Errors[0].Error(), "--max-file-size") {
		t.Fatalf("errors = %v", res.Errors)
	}
	if len(res.Objects) != 1 {
		t.Errorf("the small file was lost: %d objects", len(res.Objects))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestEmptyStdin(t *testing.T) {
	res := Load([]string{"-"}, Options{Stdin: strings.NewReader("")})
	if len(res.Errors) != 0 || len(res.Objects) != 0 || len(res.Problems) != 0 {
		t.Errorf("empty stdin: %+v", res)
	}
}

// TestParseEachBatches: a file's documents are handed over in batches, so
// a huge file never has all its trees alive; together they are Parse's.
func TestParseEachBatches(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + strings.Repeat("x", i%3) + "}\n")
	}
	b.WriteString("---\n[broken\n")
	src := &Source{Path: "many.yaml", Data: []byte(b.String())}
	var sizes []int
	objects, problems := 0, 0
	ParseEach(src, Limits{}, func(p Parsed) {
		sizes = append(sizes, p.Documents)
		objects += len(p.Objects)
		problems += len(p.Problems)
	})
	if len(sizes) != 4 || sizes[0] != batch || objects != 200 || problems != 1 {
		t.Errorf("batches %v, %d objects, %d problems", sizes, objects, problems)
	}
	whole := Parse(src, Limits{})
	if len(whole.Objects) != objects || whole.Documents != 201 {
		t.Errorf("Parse: %d objects, %d documents", len(whole.Objects), whole.Documents)
	}
}
