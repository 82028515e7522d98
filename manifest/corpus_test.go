package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

const corpusDir = "../../shared/corpus"

// TestCorpus loads every file of the shared corpus of real manifests:
// nothing may fail to load that is YAML, and every document is counted.
func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not found at %s (a user's clone has no ../shared): %v", corpusDir, err)
	}
	// Name every file explicitly: the corpus has hidden folders
	// (.chainsaw-test) that a directory walk skips by design.
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && IsManifestFile(p) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res := Load(files, Options{})
	if len(res.Errors) > 0 {
		t.Fatalf("input errors: %v", res.Errors)
	}
	codes := map[string]int{}
	for _, p := range res.Problems {
		codes[p.Code]++
		if p.Code == CodeLimit {
			t.Errorf("%s:%d: limit hit on a real manifest: %s", p.Source.Path, p.Pos.Line, p.Message)
		}
	}
	typed := 0
	for _, o := range res.Objects {
		if o.Typed != nil {
			typed++
		}
		if !o.Pos().IsValid() {
			t.Errorf("%s: object %s has no position", o.Source.Path, o.Ref())
		}
	}
	t.Logf("files=%d documents=%d objects=%d typed=%d problems=%v", len(res.Sources), res.Documents, len(res.Objects), typed, codes)
	// Every non-empty document is either an object (or a List of them) or
	// a reported problem.
	if res.Documents == 0 || len(res.Objects) < 8000 {
		t.Errorf("loaded %d objects from %d documents; the corpus README counts 8,175 objects", len(res.Objects), res.Documents)
	}
}
