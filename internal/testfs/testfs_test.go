package testfs

import (
	"os"
	"path/filepath"
	"testing"

	_ "github.com/kvetdev/kvet/internal/golden" // go test ./... -update passes here too
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	Write(t, dir, map[string]string{"a/b/c.yaml": "x: 1\n", "d.yaml": ""})
	if b, err := os.ReadFile(filepath.Join(dir, "a", "b", "c.yaml")); err != nil || string(b) != "x: 1\n" {
		t.Errorf("a/b/c.yaml: %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "d.yaml")); err != nil || fi.Size() != 0 {
		t.Errorf("d.yaml: %v, %v", fi, err)
	}
}
