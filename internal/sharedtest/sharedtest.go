// Package sharedtest finds, for tests, the data kept beside the repository
// in ../shared (real manifests from public projects). A user's clone has
// no ../shared, and -short runs do not read it: tests then say so and use
// the repository's own manifests only.
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// CorpusDir is ../shared/corpus, as an absolute path.
func CorpusDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpus")
}

// Corpus returns CorpusDir and whether a test may read it: it exists and
// the run is not -short. It logs why not.
func Corpus(t testing.TB) (string, bool) {
	t.Helper()
	dir := CorpusDir()
	if testing.Short() {
		t.Logf("-short: the shared corpus (%s) is not read", dir)
		return dir, false
	}
	if _, err := os.Stat(dir); err != nil {
		t.Logf("corpus not found at %s (a user's clone has no ../shared): %v", dir, err)
		return dir, false
	}
	return dir, true
}
