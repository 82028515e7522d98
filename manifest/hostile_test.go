package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
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

// mergeBomb is issue 15's 797-byte merge key of aliased nested lists,
// which expanded 2^40 times.
func mergeBomb() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mb}\n<<: [&a0 [x]")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, ", &a%d [*a%d, *a%d]", i, i-1, i-1)
	}
	b.WriteString("]\n")
	return b.String()
}

func TestMergeKeyOfNestedListsIsAnError(t *testing.T) {
	start := time.Now()
	p := parseString(t, "mb.yaml", mergeBomb()+"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\n")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if len(p.Problems) != 1 || p.Problems[0].Code != CodeSyntax || p.Problems[0].Pos != (Position{Line: 4, Column: 6}) ||
		!strings.Contains(p.Problems[0].Message, "not a mapping or a list of mappings") {
		t.Fatalf("problems = %+v", p.Problems)
	}
	if names(p.Objects) != "ConfigMap/after" {
		t.Errorf("objects = %s", names(p.Objects))
	}
}

func TestMergeKeyValueMustBeMappings(t *testing.T) {
	for _, v := range []string{"5", "[*m, 5]", "[[{a: 1}]]", "~"} {
		p := parseString(t, "m.yaml", "m: &m {a: 1}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  <<: "+v+"\n")
		if len(p.Problems) != 1 || p.Problems[0].Code != CodeSyntax || p.Problems[0].Pos.Line != 6 || p.Problems[0].Path.String() != "data" {
			t.Errorf("<<: %s: problems = %+v", v, p.Problems)
		}
	}
}

// A merge of aliased mappings, each merging the one before twice, is
// counted by --max-nodes: in the builder, and so never reaches the typed
// decoder or the Rego view.
func TestMergeBombOfMappingsIsCounted(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mb}\nx0: &m0 {a: b}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "x%d: &m%d {<<: [*m%d, *m%d], k%d: v}\n", i, i, i-1, i-1, i)
	}
	start := time.Now()
	p := parseString(t, "mb.yaml", b.String())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if len(p.Problems) != 1 || p.Problems[0].Code != CodeLimit || len(p.Objects) != 0 {
		t.Fatalf("problems = %+v, objects = %s", p.Problems, names(p.Objects))
	}
}

// A key merged from a list of mappings is found where it is written.
func TestLocateThroughMergedList(t *testing.T) {
	p := parseString(t, "m.yaml", "base: &b {x: 1}\nextra: &e {y: 2}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  <<: [*b, *e]\n")
	if len(p.Objects) != 1 {
		t.Fatalf("problems = %+v", p.Problems)
	}
	o := p.Objects[0]
	if got := o.Raw()["data"]; fmt.Sprint(got) != "map[x:1 y:2]" {
		t.Errorf("data = %v", got)
	}
	if loc := o.Locate(MustParsePath("data.y")); !loc.Exact || loc.Key != (Position{Line: 2, Column: 12}) {
		t.Errorf("data.y located at %+v", loc)
	}
}

// TestSyntaxRecoveryIsLinear: 32,000 broken documents, each error resuming
// at the next ---; rescanning from the file's start after each error took
// over a minute.
func TestSyntaxRecoveryIsLinear(t *testing.T) {
	start := time.Now()
	p := parseString(t, "broken.yaml", strings.Repeat("---\na: [\n", 32000))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	// The --- on the line after "a: [" is inside the flow list, so each
	// error takes two documents with it.
	if len(p.Problems) != 16000 || p.Problems[1].Pos.Line != 7 || p.Problems[15999].Pos.Line != 63999 {
		t.Errorf("%d problems, the second at %+v", len(p.Problems), p.Problems[1].Pos)
	}
}

// TestControlCharacters: a character YAML does not allow (ESC, DEL, C1,
// U+FFFE) is reported at its own line and column, and no document is
// lost: yaml.v3 fails at it while reading ahead, which dropped the
// documents before it and placed the error at the wrong line.
func TestControlCharacters(t *testing.T) {
	job := "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j%d}\n"
	for _, tc := range []struct {
		char string
		col  int
	}{{"\x1b", 13}, {"\x7f", 13}, {"\u0080", 13}, {"\u009b", 13}, {"\ufffe", 13}, {"\x01", 13}} {
		var docs []string
		for i := range 5 {
			docs = append(docs, fmt.Sprintf(job, i))
		}
		docs = append(docs, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad}\ndata: {a: \"x"+tc.char+"y\"}\n")
		for i := 5; i < 10; i++ {
			docs = append(docs, fmt.Sprintf(job, i))
		}
		p := parseString(t, "c.yaml", strings.Join(docs, "---\n"))
		r := []rune(tc.char)[0]
		if len(p.Problems) != 1 || p.Problems[0].Pos != (Position{Line: 24, Column: tc.col}) ||
			p.Problems[0].Message != fmt.Sprintf("control character %U is not allowed in YAML", r) {
			t.Errorf("%U: problems = %+v", r, p.Problems)
		}
		if len(p.Objects) != 11 {
			t.Errorf("%U: objects = %s; every document must be checked", r, names(p.Objects))
		}
		if len(p.Objects) > 5 && strings.Contains(p.Objects[5].Source.Line(24), tc.char) {
			t.Errorf("%U: the snippet shows the raw character", r)
		}
	}
	p := parseString(t, "del.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: del\ndata:\n  a: b\n  c: d\n  e: f\x7fg\n")
	if len(p.Problems) != 1 || p.Problems[0].Pos != (Position{Line: 8, Column: 7}) {
		t.Errorf("del.yaml: problems = %+v", p.Problems)
	}
}

func TestUTF16IsDecoded(t *testing.T) {
	text := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u16}\ndata: {a: h\u00e9llo, b: \U0001F600}\n"
	u := utf16.Encode([]rune(text))
	le, be := []byte{0xff, 0xfe}, []byte{0xfe, 0xff}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	for name, data := range map[string][]byte{"le": le, "be": be} {
		src := &Source{Path: name, Data: data}
		p := Parse(src, Limits{})
		if len(p.Problems) != 0 || len(p.Objects) != 1 {
			t.Fatalf("%s: problems %+v, objects %s", name, p.Problems, names(p.Objects))
		}
		if got := fmt.Sprint(p.Objects[0].Raw()["data"]); got != "map[a:h\u00e9llo b:\U0001F600]" {
			t.Errorf("%s: data = %s", name, got)
		}
		if got := src.Line(4); got != "data: {a: h\u00e9llo, b: \U0001F600}" {
			t.Errorf("%s: snippet %q", name, got)
		}
	}
	p := parseString(t, "nobom.yaml", string(le[2:]))
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Message, "UTF-16 without a byte order mark") {
		t.Errorf("no BOM: problems = %+v", p.Problems)
	}
}

// A binary file (here what a symlink to /proc/self/environ holds) is
// reported, and never gets a snippet.
func TestBinaryFileHasNoSnippet(t *testing.T) {
	src := &Source{Path: "env.yaml", Data: []byte("SECRET=hunter2\x00HOME=/root\x00")}
	p := Parse(src, Limits{})
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Message, "binary") {
		t.Fatalf("problems = %+v", p.Problems)
	}
	if l := p.Problems[0].Source.Line(1); l != "" {
		t.Errorf("snippet %q", l)
	}
}
