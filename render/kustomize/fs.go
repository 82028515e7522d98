package kustomize

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// errReadOnly is what a build gets when it tries to change the user's
// tree: kvet never writes there.
var errReadOnly = errors.New("kvet builds kustomizations read-only: nothing may be written")

// readOnlyFS is the real file system as a kustomize build sees it through
// kvet: reads are recorded (the files the build consumes, so that the
// folder walk does not lint them again on their own) and limited in size,
// writes are refused, and, with origins, the root kustomization is read
// with buildMetadata: [originAnnotations] added, so that every resource
// says which file it came from.
type readOnlyFS struct {
	filesys.FileSystem
	rootFile string // absolute
	limit    int64
	origins  bool // add originAnnotations to the root kustomization
	helm     *helmFiles

	mu   sync.Mutex
	read map[string]bool // absolute paths
}

func newReadOnlyFS(rootFile string, limit int64) *readOnlyFS {
	abs, _ := filepath.Abs(rootFile)
	return &readOnlyFS{FileSystem: filesys.MakeFsOnDisk(), rootFile: abs, limit: limit, read: map[string]bool{}}
}

func (f *readOnlyFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (f *readOnlyFS) Mkdir(string) error                  { return errReadOnly }
func (f *readOnlyFS) MkdirAll(string) error               { return errReadOnly }
func (f *readOnlyFS) RemoveAll(string) error              { return errReadOnly }
func (f *readOnlyFS) WriteFile(string, []byte) error      { return errReadOnly }

func (f *readOnlyFS) Open(path string) (filesys.File, error) {
	f.note(path)
	return f.FileSystem.Open(path)
}

func (f *readOnlyFS) ReadFile(path string) ([]byte, error) {
	abs := f.note(path)
	if data, ok := f.helm.file(abs); ok {
		return data, nil
	}
	data, ok := f.helm.kustomization(abs)
	if !ok {
		var err error
		if data, err = readLimited(path, f.limit); err != nil {
			return nil, err
		}
	}
	if f.origins && abs == f.rootFile {
		return withOrigins(data)
	}
	return data, nil
}

func (f *readOnlyFS) note(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	abs = filepath.Clean(abs)
	f.mu.Lock()
	f.read[abs] = true
	f.mu.Unlock()
	return abs
}

// withOrigins returns a kustomization with originAnnotations added to its
// buildMetadata (the file on disk is not changed).
func withOrigins(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data, nil // krusty says what is wrong with it
	}
	top := doc.Content[0]
	bm := child(top, "buildMetadata")
	if bm == nil {
		bm = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "buildMetadata"}, bm)
	}
	if bm.Kind != yaml.SequenceNode {
		return data, nil
	}
	for _, it := range bm.Content {
		if it.Value == "originAnnotations" {
			return data, nil
		}
	}
	bm.Content = append(bm.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "originAnnotations"})
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, fmt.Errorf("adding originAnnotations: %w", err)
	}
	return out, nil
}
