package rule

import (
	"sync"

	"github.com/kvetdev/kvet/manifest"
)

// FileScope is what a rule with InFile remembers about one file while it
// is read: the first object seen under each key, as a place only, so that
// nothing of the object itself stays in memory.
type FileScope struct {
	mu    sync.Mutex
	first map[any]Place
}

// Place is where an object starts.
type Place struct {
	Path string
	Line int
}

// First records o under key, unless an object of the file came first
// under it: then it returns that object's place and true.
func (f *FileScope) First(key any, o *manifest.Object) (Place, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.first[key]; ok {
		return p, true
	}
	if f.first == nil {
		f.first = map[any]Place{}
	}
	f.first[key] = Place{o.Source.Path, o.Pos().Line}
	return Place{}, false
}
