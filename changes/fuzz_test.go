package changes

import (
	"strings"
	"testing"
)

// FuzzDiff: any diff text is read without a panic, and every range read
// is a real range.
func FuzzDiff(f *testing.F) {
	f.Add("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n-a\n-b\n+a\n+b\n+c\n")
	f.Add("+++ \"b/a\\tb\"\n@@ -0,0 +1 @@\n+x\n")
	f.Add("+++ b/x\n@@ -5 +4,0 @@\n-x\n@@ bogus\n")
	f.Fuzz(func(t *testing.T, diff string) {
		s := &Set{lines: map[string][]span{}}
		if err := s.parse(strings.NewReader(diff)); err != nil {
			return
		}
		for f, spans := range s.lines {
			for _, sp := range spans {
				if sp.from > sp.to || sp.from < 0 {
					t.Fatalf("%s: range %v", f, sp)
				}
			}
		}
	})
}
