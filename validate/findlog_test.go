package validate

import (
	"fmt"
	"hash/maphash"
	"reflect"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// oddKeys are mapping keys a path must keep exactly: dots, brackets,
// quotes, an empty key, digits, bytes that are not UTF-8.
var oddKeys = []string{"containers", "kvet.dev/ignore", "a]b", `"q"`, "", "80", "ü\xff\x00", strings.Repeat("k", 300)}

// TestFindingLogRoundTrip: findings come back from the log equal and in
// order, across text blocks, with strings longer than a block, empty
// strings, non-ASCII text and paths with any keys.
func TestFindingLogRoundTrip(t *testing.T) {
	var in []rule.Finding
	for i := range 20000 {
		in = append(in, rule.Finding{
			Rule: fmt.Sprintf("rule-%d", i%7), Severity: rule.Severity(i % 3), Help: "help " + strings.Repeat("h", i%5),
			File: fmt.Sprintf("dir/f%d.yaml", i%50), Line: i, Column: i % 80, Span: i % 9,
			Message: fmt.Sprintf("spec.containers[%d]: message ünïcode %d", i, i),
			Path:    manifest.Path{}.Field("spec").Field(oddKeys[i%len(oddKeys)]).Item(i * 1000).Field("image"),
			Snippet: strings.Repeat("x", i%40), SnippetShift: i % 11,
			Object:    rule.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: fmt.Sprint("ns", i%3), Name: fmt.Sprint("web-", i)},
			Secondary: i%2 == 0, Fallback: i%5 == 0,
		})
	}
	in = append(in, rule.Finding{Rule: "empty"}, rule.Finding{Message: strings.Repeat("long ", textBlock/2), Rule: "big"})
	var l findingLog
	l.add(in[:5000])
	l.add(in[5000:])
	if len(l.recs) != len(in) {
		t.Fatalf("len = %d, want %d", len(l.recs), len(in))
	}
	if len(l.blocks) == 0 {
		t.Fatalf("the test's findings fit one text block; it does not test blocks")
	}
	out := l.findings()
	if !reflect.DeepEqual(out, in) {
		for i := range in {
			if !reflect.DeepEqual(out[i], in[i]) {
				t.Fatalf("finding %d:\n got %+v\nwant %+v", i, out[i], in[i])
			}
		}
		t.Fatalf("findings differ (lengths %d, %d)", len(out), len(in))
	}
	if len(l.recs) != 0 {
		t.Errorf("log not emptied: %d", len(l.recs))
	}
}

// TestPackedFindingHasNoPointers: the point of the log is that the
// collector never scans it.
func TestPackedFindingHasNoPointers(t *testing.T) {
	var walk func(reflect.Type) bool
	walk = func(ty reflect.Type) bool {
		switch ty.Kind() {
		case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
			return true
		case reflect.Struct:
			for i := range ty.NumField() {
				if walk(ty.Field(i).Type) {
					t.Errorf("field %s of %s holds a pointer", ty.Field(i).Name, ty)
					return true
				}
			}
		case reflect.Array:
			return walk(ty.Elem())
		}
		return false
	}
	walk(reflect.TypeFor[packedFinding]())
}

// notLogged are the rule.Finding fields the log does not keep, and why.
var notLogged = map[string]string{
	"Source":   "findings are detached (Source replaced by Snippet) before they are logged",
	"Rendered": "set after the log is read back (finish): by mapBack for a chart's findings, by Options.Remap for a kustomize build's",
}

// fillFinding sets every field of a rule.Finding (nested ones too) but
// those in notLogged to a value that depends on the field and on i, so
// that a field the log drops, or two fields it swaps, change the finding.
func fillFinding(t *testing.T, i int) rule.Finding {
	t.Helper()
	var f rule.Finding
	var fill func(v reflect.Value, name string, k int)
	fill = func(v reflect.Value, name string, k int) {
		if v.Type() == reflect.TypeFor[manifest.Segment]() {
			// A segment is a key or an index, as Path.Field and Path.Item
			// make them: the log keeps what the segment means.
			seg := manifest.Segment{Key: fmt.Sprintf("%s.Key-%d.ü", name, i), Index: -1}
			if (i+k)%2 == 1 {
				seg = manifest.Segment{Index: i + k}
			}
			v.Set(reflect.ValueOf(seg))
			return
		}
		switch v.Kind() {
		case reflect.String:
			v.SetString(fmt.Sprintf("%s-%d-ü", name, i))
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v.SetInt(int64(1 + (i+k)%100)) // small enough for any int field of the log
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			v.SetUint(uint64(1 + (i+k)%100))
		case reflect.Bool:
			v.SetBool((i>>(k%6))&1 == 1) // 64 findings cover every pattern
		case reflect.Struct:
			for j := range v.NumField() {
				fn := name + "." + v.Type().Field(j).Name
				if _, skip := notLogged[strings.TrimPrefix(fn, ".")]; skip {
					continue
				}
				fill(v.Field(j), fn, k*10+j)
			}
		case reflect.Pointer:
			if (i+k)%3 == 0 {
				return // nil, on some findings
			}
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), name, k+1)
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			for j := range 2 {
				fill(v.Index(j), fmt.Sprintf("%s[%d]", name, j), k+j)
			}
		default:
			t.Fatalf("rule.Finding%s is a %s, which this test cannot fill: teach it (and the findings log) to keep it, or list it in notLogged with a reason", name, v.Kind())
		}
	}
	fill(reflect.ValueOf(&f).Elem(), "", 0)
	return f
}

// TestFindingLogKeepsEveryField fills every field of rule.Finding by
// reflection, so that a field added to Finding and not to the log fails
// here instead of being dropped silently.
func TestFindingLogKeepsEveryField(t *testing.T) {
	var in []rule.Finding
	for i := range 64 {
		in = append(in, fillFinding(t, i))
	}
	// Every field the log keeps is set (bools on some findings).
	ty := reflect.TypeFor[rule.Finding]()
	for j := range ty.NumField() {
		name := ty.Field(j).Name
		if _, skip := notLogged[name]; skip {
			continue
		}
		set := false
		for _, f := range in {
			set = set || !reflect.ValueOf(f).Field(j).IsZero()
		}
		if !set {
			t.Errorf("rule.Finding.%s is never set by fillFinding", name)
		}
	}
	var l findingLog
	l.add(in)
	out := l.findings()
	for i := range in {
		if !reflect.DeepEqual(out[i], in[i]) {
			a, b := reflect.ValueOf(in[i]), reflect.ValueOf(out[i])
			for j := range ty.NumField() {
				if !reflect.DeepEqual(a.Field(j).Interface(), b.Field(j).Interface()) {
					t.Errorf("finding %d: the log turned %s %#v into %#v", i, ty.Field(j).Name, a.Field(j).Interface(), b.Field(j).Interface())
				}
			}
		}
	}
}

// TestFindingLogStoresTextsOnce: a text that many findings repeat is
// stored once, and texts whose hashes collide stay apart.
func TestFindingLogStoresTextsOnce(t *testing.T) {
	var l findingLog
	var in []rule.Finding
	for i := range 3000 {
		in = append(in, rule.Finding{
			Rule: "r", File: "f.yaml", Line: i,
			Message: fmt.Sprintf(`container "app-%d" has no limits`, i%3),
			Path:    manifest.Path{}.Field("spec").Field("containers").Item(0),
			Snippet: "    image: nginx", Object: rule.ObjectRef{Name: "web"},
		})
	}
	l.add(in)
	if got, want := len(l.pieces), 1+3+1+1+1; got != want {
		t.Errorf("%d pieces, want %d (the empty text, 3 messages, a path, a snippet, a name)", got, want)
	}
	if n := len(l.text); n > 200 {
		t.Errorf("%d bytes of text for 3,000 findings of 6 texts", n)
	}
	// A text whose hash is taken by another is stored apart.
	a := l.piece("first")
	l.seen[maphash.String(pieceSeed, "second")] = a
	b := l.piece("second")
	if a == b || string(l.bytes(a)) != "first" || string(l.bytes(b)) != "second" {
		t.Errorf("colliding texts: pieces %d %q and %d %q", a, l.bytes(a), b, l.bytes(b))
	}
	if c := l.pieceBytes([]byte("second")); c == a || string(l.bytes(c)) != "second" {
		t.Errorf("colliding texts by bytes: piece %d %q", c, l.bytes(c))
	}
	out := l.findings()
	if !reflect.DeepEqual(out, in) {
		t.Errorf("findings differ after the round trip")
	}
}
