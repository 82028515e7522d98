package baseline

import (
	"strings"
	"testing"
)

// FuzzParse: any bytes give a baseline or an error naming the file, never
// a panic; what parses writes back and parses again to the same entries.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version": 1, "fingerprint": "kvet/v2", "findings": [{"fingerprint": "ab", "rule": "r", "file": "f"}]}`))
	f.Add([]byte("{\n  \"version\": 1,\n  x\n}"))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"version": 1e999}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse("b.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "b.json") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		var sb strings.Builder
		if err := b.Write(&sb); err != nil {
			t.Fatal(err)
		}
		again, err := Parse("b.json", []byte(sb.String()))
		if err != nil || len(again.Findings) != len(b.Findings) {
			t.Fatalf("written baseline does not read back: %v", err)
		}
	})
}
