package validate

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

var reportRestart = &rule.Rule{ID: "restart", Severity: rule.Error, Kinds: []string{"batch/v1/Job"},
	Check: func(p *rule.Pass, o *manifest.Object) {
		p.Reportf(manifest.MustParsePath("spec.template.spec.restartPolicy"), "", "restartPolicy of %s", o.Name)
	}}

// minifiedList is issue 15's one-line JSON List of n Jobs.
func minifiedList(n int) string {
	var b strings.Builder
	b.WriteString(`{"apiVersion":"v1","kind":"List","items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j%d","labels":{"x":"%s"}},"spec":{"template":{"spec":{"restartPolicy":"Always","containers":[{"name":"c","image":"nginx:1.2.3"}]}}}}`, i, strings.Repeat("y", 850))
	}
	b.WriteString("]}")
	return b.String()
}

// TestSnippetsOfOneLineJSON: every finding on a 1 MB minified line copied
// the whole line into its snippet (39 s and 5.9 GB for 1,000 Jobs). A
// snippet is a window around the finding's column, and none is made when
// the output does not print them.
func TestSnippetsOfOneLineJSON(t *testing.T) {
	text := minifiedList(1000)
	if len(text) < 1_000_000 {
		t.Fatalf("input is %d bytes", len(text))
	}
	for _, noSnippets := range []bool{false, true} {
		start := time.Now()
		out := Lint(context.Background(), []string{"-"}, manifest.Options{Stdin: strings.NewReader(text)},
			Options{Rules: []*rule.Rule{reportRestart}, NoSnippets: noSnippets})
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
		if len(out.Findings) != 1000 {
			t.Fatalf("%d findings", len(out.Findings))
		}
		for _, f := range out.Findings {
			if noSnippets {
				if f.Snippet != "" {
					t.Fatalf("a snippet was made: %q", f.Snippet)
				}
				continue
			}
			if len(f.Snippet) > 200 {
				t.Fatalf("snippet of %d bytes", len(f.Snippet))
			}
			// The caret's column in the snippet is on the value.
			if r := []rune(f.Snippet)[f.Column-f.SnippetShift-1:]; !strings.HasPrefix(string(r), `"Always"`) {
				t.Fatalf("column %d, shift %d: snippet %q", f.Column, f.SnippetShift, f.Snippet)
			}
		}
	}
}
