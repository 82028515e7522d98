package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/open-policy-agent/opa/v1/loader"
)

// LoadData loads JSON and YAML documents from files and folders (recursively)
// and merges them at the root of data, exactly as conftest's --data: every
// file is its own root, so its top-level keys become data.<key>.
func LoadData(paths []string) (map[string]any, error) {
	if len(paths) == 0 {
		return map[string]any{}, nil
	}
	roots := realRoots(paths)
	files, err := loader.FilteredPaths(paths, func(path string, info os.FileInfo, depth int) bool {
		// As for policy folders: links out of a data folder, devices and
		// FIFOs are not read.
		if depth > 0 && (!info.IsDir() && !info.Mode().IsRegular() || !inRoots(path, roots)) {
			return true
		}
		if info.IsDir() {
			return false
		}
		return !slices.Contains([]string{".yaml", ".yml", ".json"}, filepath.Ext(info.Name()))
	})
	if err != nil {
		return nil, fmt.Errorf("filter data paths: %w", err)
	}
	sortStrings(files)
	docs, err := loader.NewFileLoader().All(files)
	if err != nil {
		return nil, fmt.Errorf("load data: %s", FormatError(err))
	}
	if docs.Documents == nil {
		return map[string]any{}, nil
	}
	return docs.Documents, nil
}

func sortStrings(s []string) { slices.Sort(s) }
