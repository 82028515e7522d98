package config

import (
	"errors"
	"testing"

	"github.com/kvetdev/kvet/manifest"
)

// FuzzConfig: the configuration parser never panics, and every error it
// returns names a line inside the file.
func FuzzConfig(f *testing.F) {
	f.Add([]byte("failOn: warning\nenable: [security]\n"))
	f.Add([]byte("overrides:\n- files: [\"prod/**\"]\n  severity: {job-ttl: error}\n"))
	f.Add([]byte("exclude: [\"[\"]\nseverity: {x: loud}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse("fuzz.yaml", data)
		var cerr *Error
		if errors.As(err, &cerr) {
			lines := manifest.CountLines(data)
			for _, p := range cerr.Problems {
				if p.Pos.Line < 1 || p.Pos.Line > lines+1 {
					t.Fatalf("problem %q at line %d of %d", p.Message, p.Pos.Line, lines)
				}
			}
		}
	})
}
