package manifest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// pathological are generated inputs of about n bytes, each built to make
// some part of the loader work hard.
var pathological = []struct {
	name string
	gen  func(n int) string
}{
	{"deep flow", func(n int) string { return strings.Repeat("[", n/2) + strings.Repeat("]", n/2) }},
	{"deep flow mappings", func(n int) string { return strings.Repeat("{a: ", n/4) + "x" + strings.Repeat("}", n/4) }},
	{"deep block", func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			b.WriteString(strings.Repeat(" ", i%2000) + "a:\n")
		}
		return b.String()
	}},
	{"many anchors", func(n int) string {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "  k%d: &a%d v\n  l%d: *a%d\n", i, i, i, i)
		}
		return b.String()
	}},
	{"aliases of a big anchor", func(n int) string {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &big [" + strings.Repeat("a, ", 1000) + "a]\ndata:\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "  k%d: *big\n", i)
		}
		return b.String()
	}},
	{"long line", func(n int) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: " + strings.Repeat("x", n) + "}\n"
	}},
	{"long flow line", func(n int) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: [" + strings.Repeat("x, ", n/3) + "x]\n"
	}},
	{"many keys", func(n int) string {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "  k%d: v\n", i/2) // each twice: duplicate keys
		}
		return b.String()
	}},
	{"many errors", func(n int) string { return strings.Repeat("---\na: [\n", n/9) }},
	{"many errors without markers", func(n int) string { return strings.Repeat("a: [\n- b: ]\n", n/11) }},
	{"many documents", func(n int) string { return strings.Repeat("---\n", n/4) }},
	{"many small objects", func(n int) string {
		return strings.Repeat("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", n/52)
	}},
	{"many merges", func(n int) string {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nbase: &b {x: 1, y: 2}\ndata:\n")
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "  k%d: {<<: [*b, *b], z: 3}\n", i)
		}
		return b.String()
	}},
	{"control characters", func(n int) string {
		return strings.Repeat("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"a\x1b\"}\n", n/56)
	}},
	{"multi-line scalar", func(n int) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  a: " + strings.Repeat("word\n    ", n/10) + "\n"
	}},
	{"invalid UTF-8", func(n int) string { return strings.Repeat("a: \xff\n", n/6) }},
	{"NUL", func(n int) string { return strings.Repeat("a: b\n", n/5) + "\x00" }},
}

// TestTimePerInputByte: the loader's time per input byte stays bounded on
// each pathological input, and grows linearly with it (four times the
// input may not take more than about eight times as long: quadratic work
// takes sixteen).
func TestTimePerInputByte(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const n = 64 << 10
	for _, p := range pathological {
		small, large := p.gen(n), p.gen(4*n)
		// On a busy machine a measure can be off by a few times: a
		// pattern fails only when three attempts in a row do.
		var failure string
		for range 3 {
			ts, tl := timeParse(small), timeParse(large)
			perByte := tl / time.Duration(len(large))
			t.Logf("%-28s %4d KiB: %8v, %4d KiB: %8v, %v/byte", p.name, len(small)>>10, ts, len(large)>>10, tl, perByte)
			switch {
			// The loader reads about 30 MB/s (33 ns a byte) on the corpus.
			case perByte > 2*time.Microsecond:
				failure = fmt.Sprintf("%s: %v per byte on %d bytes", p.name, perByte, len(large))
			case tl > 10*ts && tl > 200*time.Millisecond:
				failure = fmt.Sprintf("%s: 4x the input took %.1fx the time (%v, %v)", p.name, float64(tl)/float64(ts), ts, tl)
			default:
				failure = ""
			}
			if failure == "" {
				break
			}
		}
		if failure != "" {
			t.Error(failure)
		}
	}
}

// timeParse is the least of three parses' time.
func timeParse(text string) time.Duration {
	best := time.Duration(1 << 62)
	for range 3 {
		start := time.Now()
		Parse(&Source{Path: "p.yaml", Data: []byte(text)}, Limits{})
		best = min(best, time.Since(start))
	}
	return best
}
