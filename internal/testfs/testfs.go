// Package testfs writes trees of files for tests.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes files (a slash-separated path below dir: its text) under
// dir, making the folders they need.
func Write(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
