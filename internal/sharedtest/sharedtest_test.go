package sharedtest

import (
	"os"
	"path/filepath"
	"testing"

	_ "github.com/kvetdev/kvet/internal/golden" // the one -update flag
)

func TestCorpusDirIsBesideTheRepository(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(root), "shared", "corpus"); CorpusDir() != want {
		t.Errorf("CorpusDir() = %s, want %s", CorpusDir(), want)
	}
	dir, ok := Corpus(t)
	_, statErr := os.Stat(dir)
	if ok != (statErr == nil && !testing.Short()) {
		t.Errorf("Corpus says %v, but the folder's stat says %v (short %v)", ok, statErr, testing.Short())
	}
}
