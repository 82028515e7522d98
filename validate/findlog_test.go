package validate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/rule"
)

// TestFindingLogRoundTrip: findings come back from the log equal and in
// order, across text blocks, with strings longer than a block, empty
// strings and non-ASCII text.
func TestFindingLogRoundTrip(t *testing.T) {
	var in []rule.Finding
	for i := range 20000 {
		in = append(in, rule.Finding{
			Rule: fmt.Sprintf("rule-%d", i%7), Severity: rule.Severity(i % 3), Help: "help " + strings.Repeat("h", i%5),
			File: fmt.Sprintf("dir/f%d.yaml", i%50), Line: i, Column: i % 80, Span: i % 9,
			Message: fmt.Sprintf("spec.containers[%d]: message ünïcode %d", i, i),
			Path:    fmt.Sprintf("spec.containers[%d].image", i),
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
