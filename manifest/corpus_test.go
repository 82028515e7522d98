package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kvetdev/kvet/internal/sharedtest"
)

var corpusDir = sharedtest.CorpusDir()

// haveCorpus reports whether the whole-corpus tests run: the shared corpus
// is next to the repository (a user's clone has no ../shared) and the run
// is not -short. It logs why when they do not.
func haveCorpus(t testing.TB) bool {
	t.Helper()
	_, ok := sharedtest.Corpus(t)
	return ok
}

// TestCorpus loads every file of the shared corpus of real manifests:
// nothing may fail to load that is YAML, and every document is counted.
func TestCorpus(t *testing.T) {
	if !haveCorpus(t) {
		t.Skip("the whole-corpus test needs ../shared/corpus, and does not run with -short")
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

// testManifests lists the manifest files of the repository's tests and,
// when haveCorpus (reported as withCorpus), of the shared corpus.
func testManifests(t *testing.T) (files []string, withCorpus bool) {
	t.Helper()
	paths := []string{"../testdata", "../rules/testdata", "testdata"}
	if withCorpus = haveCorpus(t); withCorpus {
		paths = append(paths, corpusDir)
	}
	for _, root := range paths {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && fileExists(filepath.Join(p, "Chart.yaml")) {
				return filepath.SkipDir // a Helm chart: templates, not manifests
			}
			if err == nil && !d.IsDir() && IsManifestFile(p) {
				files = append(files, p)
			}
			return nil
		})
	}
	return files, withCorpus
}

// TestScanMatchesBuild: the loader's scan (no values built) reports the
// same duplicate keys and limit problems as building the raw view does,
// on every document of the corpus and of the repository's test manifests,
// and on small limits that real documents do hit.
func TestScanMatchesBuild(t *testing.T) {
	files, _ := testManifests(t)
	docs, withProblems := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc yaml.Node
			if dec.Decode(&doc) != nil {
				break
			}
			if len(doc.Content) == 0 {
				continue
			}
			docs++
			for _, limits := range []Limits{{}, {MaxNodes: 40, MaxDepth: 6}} {
				limits = limits.withDefaults()
				build := builder{limits: limits}
				build.value(doc.Content[0], 0)
				scan := builder{limits: limits, scan: true}
				scan.value(doc.Content[0], 0)
				if !reflect.DeepEqual(build.problems, scan.problems) || build.nodes != scan.nodes || build.exhausted != scan.exhausted {
					t.Errorf("%s: build gives %d nodes %v, scan %d nodes %v", f, build.nodes, build.problems, scan.nodes, scan.problems)
				}
				if len(build.problems) > 0 {
					withProblems++
				}
			}
		}
	}
	if docs < 100 || withProblems == 0 {
		t.Errorf("%d documents, %d with problems: too little to compare", docs, withProblems)
	}
	t.Logf("%d documents, %d runs with problems", docs, withProblems)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
