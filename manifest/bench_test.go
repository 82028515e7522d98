package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusSources reads up to n bytes of the shared corpus, or skips.
func corpusSources(b *testing.B) []*Source {
	b.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		b.Skipf("corpus not found at %s: %v", corpusDir, err)
	}
	var srcs []*Source
	_ = filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && IsManifestFile(p) {
			if data, err := os.ReadFile(p); err == nil {
				srcs = append(srcs, &Source{Path: p, Data: data})
			}
		}
		return nil
	})
	return srcs
}

// BenchmarkParseCorpus: the loader (node tree, raw map, typed object,
// strict checks) over the whole corpus, one goroutine; reports MB/s and
// documents/s.
func BenchmarkParseCorpus(b *testing.B) {
	srcs := corpusSources(b)
	var size int64
	for _, s := range srcs {
		size += int64(len(s.Data))
	}
	b.SetBytes(size)
	b.ResetTimer()
	docs := 0
	for range b.N {
		docs = 0
		for _, s := range srcs {
			docs += Parse(s, Limits{}).Documents
		}
	}
	b.ReportMetric(float64(docs*b.N)/b.Elapsed().Seconds(), "docs/s")
}
