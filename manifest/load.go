package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Options control Load.
type Options struct {
	// Stdin is read for the path "-".
	Stdin io.Reader
	// StdinName is the file name findings use for stdin (default "<stdin>").
	StdinName string
	// Exclude reports whether a path found by walking a directory should
	// be skipped (explicitly named files are never excluded).
	Exclude func(path string) bool
	// Workers is the number of files parsed at once (default GOMAXPROCS).
	Workers int
	// Read, when set, is told the size of each input once it is read, from
	// the goroutine that read it (kvet sizes its heap limit by it).
	Read func(size int)
	// MaxFileSize is the largest file read, in bytes (default 256 MiB).
	MaxFileSize int64
	Limits      Limits
	// Note, when set, is told of each entry a directory walk skips for
	// safety (a device, a named pipe, a socket, a symlink out of the
	// walked directory), in the user's words; it is called from one
	// goroutine.
	Note func(msg string)
	// Documents makes Stream parse with ParseDocuments: every document of
	// any shape in Parsed.Docs, no objects (what kvet test evaluates).
	Documents bool
	// Sources are inputs already in memory (a kustomize build's output),
	// streamed after the paths' files, under their Path.
	Sources []*Source
	// Prescan, when set, makes Stream read every input twice: first to
	// find objects that the checks of the second pass need from the whole
	// run (CRDs, Namespaces), then to stream as usual.
	Prescan *Prescan
	// Renderers build the folders that are not manifests themselves (Helm
	// charts): such a folder, walked or named, is rendered and its files
	// are not read as manifests; a file named inside one renders it.
	Renderers []Renderer
	// Context bounds rendering (default: none).
	Context context.Context
}

// Prescan is a first pass over the inputs. Each input whose bytes Match
// is parsed and its objects are handed to Found (from several
// goroutines); Done is called once the first pass is over, before the
// second pass starts. Problems are reported by the second pass only.
// Inputs that cannot be read again (stdin, pipes) are kept in memory
// between the passes; files are read again, usually from the page cache.
type Prescan struct {
	Match func(data []byte) bool
	Found func(objs []*Object)
	Done  func()
	// Next, when set, is called after Done; a non-nil result is one more
	// first pass, made before the streaming pass (kinds that only what
	// this pass found tells are needed: the paramKinds of admission
	// policies).
	Next func() *Prescan
}

// Result is everything loaded from the inputs.
type Result struct {
	Sources  []*Source
	Objects  []*Object
	Problems []Problem
	// Documents counts non-empty documents, broken ones included.
	Documents int
	// Errors are inputs that could not be read at all (a missing path,
	// permission denied). The rest is still loaded.
	Errors []error
}

// IsManifestFile reports whether a file found in a directory walk is
// read: YAML and JSON files.
func IsManifestFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Load reads every path (files, directories walked recursively, "-" for
// stdin) and parses every document, keeping everything in memory. Paths in
// the result are as given. For large inputs use Stream.
func Load(paths []string, opts Options) *Result {
	n := len(paths) + 16
	sources := make(map[int]*Source, n)
	parsed := make(map[int]Parsed, n)
	var mu sync.Mutex
	files, errs := Stream(paths, opts, func(i int, src *Source, p Parsed, _ bool) {
		mu.Lock()
		sources[i] = src
		all := parsed[i]
		all.Objects = append(all.Objects, p.Objects...)
		all.Problems = append(all.Problems, p.Problems...)
		all.Documents += p.Documents
		parsed[i] = all
		mu.Unlock()
	})
	res := &Result{Errors: errs}
	for i := range files {
		src, ok := sources[i]
		if !ok {
			continue
		}
		res.Sources = append(res.Sources, src)
		res.Objects = append(res.Objects, parsed[i].Objects...)
		res.Problems = append(res.Problems, parsed[i].Problems...)
		res.Documents += parsed[i].Documents
	}
	return res
}

// Stream reads and parses every input file, calling fn with each batch of
// documents as they are parsed (first is true for a file's first batch,
// and every file that could be read gets one, empty or not), from several
// goroutines at once (fn must be safe for concurrent use; the batches of
// one file come in order from one goroutine), with the file's index in
// input order. Nothing is kept after fn returns, so memory stays bounded
// by what fn keeps, even for one huge file. It returns the number of files
// found and the inputs that could not be read.
func Stream(paths []string, opts Options, fn func(i int, src *Source, p Parsed, first bool)) (int, []error) {
	if opts.StdinName == "" {
		opts.StdinName = "<stdin>"
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = 256 << 20
	}
	var errs []error
	var files []string
	walked := map[int]bool{} // files found by a walk, not named
	roots := map[string]bool{}
	var rendered map[int]*rendering
	addRoot := func(dir string) {
		if roots[dir] {
			return
		}
		roots[dir] = true
		if rendered == nil {
			rendered = map[int]*rendering{}
		}
		srcs, probs := renderRoot(opts, dir)
		for _, pr := range probs {
			rendered[len(files)] = &rendering{src: pr.Source, problems: []Problem{pr}}
			files = append(files, pr.Source.Path)
		}
		for _, src := range srcs {
			rendered[len(files)] = &rendering{src: src}
			files = append(files, src.Path)
		}
	}
	for _, p := range paths {
		if p == "-" {
			files = append(files, p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, inputError(p, err))
			continue
		}
		if !st.IsDir() {
			if dir := enclosingRoot(opts.Renderers, p); dir != "" {
				addRoot(dir)
				continue
			}
			files = append(files, p)
			continue
		}
		if isRoot(opts.Renderers, p) {
			addRoot(filepath.Clean(p))
			continue
		}
		w := walker{visited: map[string]bool{}, exclude: opts.Exclude, note: opts.Note, renderers: opts.Renderers}
		errs = append(errs, w.walkRoot(p)...)
		for _, f := range w.files {
			if w.roots[f] {
				addRoot(f)
				continue
			}
			walked[len(files)] = true
			files = append(files, f)
		}
	}
	// Inputs already in memory (a kustomize build's output) are streamed
	// as a rendering is.
	for _, src := range opts.Sources {
		if rendered == nil {
			rendered = map[int]*rendering{}
		}
		rendered[len(files)] = &rendering{src: src}
		files = append(files, src.Path)
	}
	readErrs := make([]error, len(files))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var keptBytes atomic.Int64
	var kept []*Source // inputs read once only, kept by the prescan
	var failed []bool  // inputs read once only whose read failed
	if ps := opts.Prescan; ps != nil {
		kept = make([]*Source, len(files))
		failed = make([]bool, len(files))
		for ps != nil {
			eachFile(len(files), workers, func(i int) {
				if r := rendered[i]; r != nil {
					if r.problems == nil && ps.Match(r.src.Data) {
						ps.Found(Parse(r.src, opts.Limits).Objects)
					}
					return
				}
				src := kept[i]
				if src == nil {
					if failed[i] {
						return
					}
					var err error
					buf, _ := prescanBufs.Get().(*[]byte)
					if buf == nil {
						buf = new([]byte)
					}
					src, err = readSource(files[i], walked[i], opts, buf)
					if err != nil {
						if !rereadable(files[i]) {
							readErrs[i] = err // the second pass does not read it again
							failed[i] = true
						}
						return // else reported by the second pass
					}
					// Kept for the second pass when it cannot be read
					// again (a pipe), and while the kept bytes stay
					// within keepBudget: reading a file twice was 4% of
					// a corpus run's CPU.
					if keptBytes.Add(int64(len(src.Data))) <= keepBudget || !rereadable(files[i]) {
						kept[i] = src
					}
				}
				if ps.Match(src.Data) {
					ps.Found(prescanParse(src, opts.Limits, ps.Match))
				}
				if kept[i] != src && cap(src.Data) <= maxLent {
					// Read for this pass only, and what was parsed out
					// of it has its own copy: the next read reuses the
					// buffer.
					data := src.Data[:0]
					prescanBufs.Put(&data)
				}
			})
			if ps.Done != nil {
				ps.Done()
			}
			if ps.Next == nil {
				break
			}
			ps = ps.Next()
		}
	}
	eachFile(len(files), workers, func(i int) {
		var src *Source
		var err error
		if r := rendered[i]; r != nil {
			if r.problems != nil {
				fn(i, r.src, Parsed{Problems: r.problems}, true)
			} else {
				streamFile(i, r.src, opts, fn)
			}
			return
		}
		if kept != nil && kept[i] != nil {
			src, kept[i] = kept[i], nil
		} else if failed != nil && failed[i] {
			return // the prescan's read failed, and its error is kept
		} else {
			src, err = readSource(files[i], walked[i], opts, nil)
		}
		if err != nil {
			readErrs[i] = err
			return
		}
		streamFile(i, src, opts, fn)
	})
	for _, e := range readErrs {
		if e != nil {
			errs = append(errs, e)
		}
	}
	return len(files), errs
}

// eachFile calls fn for 0..n-1 from workers goroutines.
func eachFile(n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// prescanBufs are buffers (*[]byte) a prescan read a file into and lends
// to its next reads once done with the file: a prescan pass reads every
// input, and on bench/gen's 100,000 documents with every group its two
// passes' reads were 0.92 GB of the 12.6 GB the run allocated, each
// buffer zeroed. Buffers over maxLent are not kept.
var prescanBufs sync.Pool

const maxLent = 4 << 20

// keepBudget is how many bytes of the inputs a prescan keeps in memory
// for the second pass, rather than reading them again.
var keepBudget int64 = 64 << 20 // a variable for tests

// rereadable reports whether reading path again gives the same bytes:
// regular files do, stdin and pipes do not.
func rereadable(path string) bool {
	if path == "-" {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// ContainsWord reports whether data contains one of words with no letter,
// digit or underscore right before or after it: the cheap test a prescan
// uses to find files that may define an object of a kind
// ("kind: Namespace", {"kind":"Namespace"}; not namespaceSelector).
func ContainsWord(data []byte, words []string) bool {
	return containsWordWhere(data, words, func([]byte) bool { return true })
}

// containsWordWhere reports whether data contains one of words as a
// word whose preceding text satisfies before.
func containsWordWhere(data []byte, words []string, before func(prefix []byte) bool) bool {
	for _, w := range words {
		for from := 0; ; {
			i := bytes.Index(data[from:], []byte(w))
			if i < 0 {
				break
			}
			i += from
			end := i + len(w)
			if (i == 0 || !wordByte(data[i-1])) && (end == len(data) || !wordByte(data[end])) && before(data[:i]) {
				return true
			}
			from = i + 1
		}
	}
	return false
}

// ContainsKind reports whether data has one of kinds as the value of a
// "kind" key (kind: Namespace, "kind": "Namespace", {kind: 'Namespace'}):
// the byte test a prescan uses to find the documents that may define an
// object of a kind. A word alone is not enough: CRDs' descriptions name
// Namespace and CustomResourceDefinition everywhere, and parsing the files
// that merely mention them again cost a default run on the corpus about
// half of its CPU time.
func ContainsKind(data []byte, kinds []string) bool {
	return containsWordWhere(data, kinds, kindKeyBefore)
}

// kindKeyBefore reports whether data ends with a "kind" key and its colon,
// quotes and blanks allowed around them.
func kindKeyBefore(data []byte) bool {
	i := len(data)
	skip := func() {
		for i > 0 && (data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n' || data[i-1] == '\r' || data[i-1] == '"' || data[i-1] == '\'') {
			i--
		}
	}
	skip()
	if i == 0 || data[i-1] != ':' {
		return false
	}
	i--
	skip()
	return i >= 4 && string(data[i-4:i]) == "kind" && (i == 4 || !wordByte(data[i-5]))
}

// prescanParse parses the documents of src that match (all of a file with
// one document), each with the line numbers it has in the file. What it
// returns holds copies of their lines, not src: the prescan lends src's
// buffer to its next read.
func prescanParse(src *Source, limits Limits, match func([]byte) bool) []*Object {
	starts := documentStarts(src.Data)
	if len(starts) <= 1 {
		return Parse(&Source{Path: src.Path, Data: bytes.Clone(src.Data)}, limits).Objects
	}
	var objs []*Object
	line := 1
	for k, start := range starts {
		end := len(src.Data)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		doc := src.Data[start:end]
		if match(doc) {
			// Blank lines before the document keep its line numbers.
			padded := make([]byte, 0, line-1+len(doc))
			padded = append(append(padded, bytes.Repeat([]byte{'\n'}, line-1)...), doc...)
			objs = append(objs, Parse(&Source{Path: src.Path, Data: padded}, limits).Objects...)
		}
		line += bytes.Count(doc, []byte{'\n'})
	}
	return objs
}

// documentStarts returns the offsets where the documents of a YAML stream
// start: 0, and each line that begins with the "---" marker (which ends
// any scalar at the start of a line, so no content is cut).
func documentStarts(data []byte) []int {
	starts := []int{0}
	for i := 0; i < len(data); {
		if i > 0 && bytes.HasPrefix(data[i:], []byte("---")) &&
			(i+3 == len(data) || data[i+3] == ' ' || data[i+3] == '\t' || data[i+3] == '\n' || data[i+3] == '\r') {
			starts = append(starts, i)
		}
		nl := bytes.IndexByte(data[i:], '\n')
		if nl < 0 {
			break
		}
		i += nl + 1
	}
	return starts
}

func wordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// streamFile parses src and hands its batches to fn in order, in the
// calling goroutine: parsing a batch and checking it run one after the
// other, while other workers take other files. Parsing and checking in two
// goroutines kept both cores busy on a single large file, but on the 2-core
// machines kvet is measured on it bought 12-15% of wall time for 5-30% more
// CPU time (50,000 documents, every Rego group on; the idle core's
// collector work and the node trees crossing cores), and kvet's targets are
// CPU time.
func streamFile(i int, src *Source, opts Options, fn func(i int, src *Source, p Parsed, first bool)) {
	first := true
	parse := ParseEach
	if opts.Documents {
		parse = ParseDocuments
	}
	parse(src, opts.Limits, func(p Parsed) {
		fn(i, src, p, first)
		first = false
	})
	if first {
		fn(i, src, Parsed{}, true) // an empty file is still a file
	}
}

func inputError(p string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file or directory", p)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: permission denied", p)
	}
	return fmt.Errorf("%s: %w", p, err)
}

// readSource reads one input, never more than opts.MaxFileSize bytes
// whatever stat says (a device says 0). A file found by a walk must still
// be a regular file when opened (it is opened without blocking, so a
// named pipe put in its place cannot hang the run); a path named on the
// command line may also be a pipe (<(helm template ...)), not a device.
func readSource(p string, walked bool, opts Options, buf *[]byte) (*Source, error) {
	if p == "-" {
		if opts.Stdin == nil {
			return &Source{Path: opts.StdinName}, nil
		}
		data, err := readLimited(opts.Stdin, 0, opts.MaxFileSize, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", opts.StdinName, err)
		}
		if opts.Read != nil {
			opts.Read(len(data))
		}
		return &Source{Path: opts.StdinName, Data: data}, nil
	}
	f, err := openFile(p, walked)
	if err != nil {
		return nil, inputError(p, err)
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil, inputError(p, err)
	}
	switch mode := st.Mode(); {
	case mode.IsDir():
		return nil, fmt.Errorf("%s: is a directory", p)
	case walked && !mode.IsRegular():
		return nil, fmt.Errorf("%s: is not a regular file (%s); not read", p, fileType(mode))
	case mode&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return nil, fmt.Errorf("%s: is a device, not a file; kvet reads files, directories, pipes and - (stdin)", p)
	}
	if st.Size() > opts.MaxFileSize {
		return nil, fmt.Errorf("%s: file is %d bytes, larger than the limit of %d; raise --max-file-size", p, st.Size(), opts.MaxFileSize)
	}
	data, err := readLimited(f, st.Size(), opts.MaxFileSize, buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if opts.Read != nil {
		opts.Read(len(data))
	}
	return &Source{Path: p, Data: data}, nil
}

// errTooLarge is a read that went past the size limit.
type errTooLarge struct{ limit int64 }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("input is larger than the limit of %d bytes; raise --max-file-size", e.limit)
}

// readLimited reads r to the end, refusing more than limit bytes.
func readLimited(r io.Reader, size, limit int64, buf *[]byte) ([]byte, error) {
	data, err := readAll(io.LimitReader(r, limit+1), min(size, limit), buf)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge{limit}
	}
	return data, nil
}

// fileType names a file mode's type for messages.
func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return "not a regular file"
}

// readAll reads r to the end into a buffer sized for the size stat gave,
// as os.ReadFile does: io.ReadAll's doubling would copy a large file
// several times over. With buf (a prescan's, lent from prescanBufs), it
// reads into *buf when that is large enough, and otherwise into a new
// buffer of a power of two up to maxLent, one that fits the files after.
func readAll(r io.Reader, size int64, buf *[]byte) ([]byte, error) {
	var data []byte
	switch {
	case buf != nil && int64(cap(*buf)) >= size+512:
		data = (*buf)[:0]
	case buf != nil && size+512 <= maxLent:
		// A buffer to lend on: a power of two, so that it fits the
		// files of up to its size that come after.
		data = make([]byte, 0, 1<<bits.Len64(uint64(size+512)))
	default:
		data = make([]byte, 0, size+512)
	}
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew: let append pick a bigger buffer
		}
	}
}

type walker struct {
	visited map[string]bool
	exclude func(string) bool
	note    func(string)
	files   []string
	// renderers decide which folders are rendered (roots, listed in files
	// and marked in roots) rather than walked.
	renderers []Renderer
	roots     map[string]bool
	// root is the walked directory with its symlinks resolved: no file
	// or directory outside it is read.
	root string
}

// walkRoot walks dir, the root of a walk.
func (w *walker) walkRoot(dir string) []error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return []error{inputError(dir, err)}
	}
	if w.root, err = filepath.Abs(real); err != nil {
		return []error{inputError(dir, err)}
	}
	return w.walk(dir)
}

func (w *walker) skip(p, why string) {
	if w.note != nil {
		w.note(fmt.Sprintf("%s: skipped: %s", p, why))
	}
}

// inside reports whether the resolved absolute path real is w.root or
// below it.
func (w *walker) inside(real string) bool {
	rel, err := filepath.Rel(w.root, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// walk collects manifest files below dir in lexical order, skipping
// hidden entries and following directory symlinks at most once each (so
// a symlink loop cannot hang it). It reads only regular files: a device,
// a named pipe or a socket with a manifest's name is skipped, as is a
// symlink (to a file or a directory) that leads out of the walked root,
// so that a symlink added to a repository (to /proc/self/environ, to
// /dev/zero) cannot make kvet print secrets or read forever.
func (w *walker) walk(dir string) (errs []error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return []error{inputError(dir, err)}
	}
	if w.visited[real] {
		return nil
	}
	w.visited[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return []error{inputError(dir, err)}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(dir, name)
		if w.exclude != nil && w.exclude(p) {
			continue
		}
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				continue // dangling link
			}
			if target, err = filepath.Abs(target); err != nil {
				continue
			}
			st, err := os.Stat(target)
			if err != nil {
				continue
			}
			if !st.IsDir() && !IsManifestFile(name) {
				continue
			}
			if !w.inside(target) {
				w.skip(p, fmt.Sprintf("a symlink to %s, outside %s", target, w.root))
				continue
			}
			mode = st.Mode().Type()
		}
		switch {
		case mode.IsDir() && isRoot(w.renderers, p):
			if w.roots == nil {
				w.roots = map[string]bool{}
			}
			w.roots[p] = true
			w.files = append(w.files, p)
		case mode.IsDir():
			errs = append(errs, w.walk(p)...)
		case !IsManifestFile(name):
		case !mode.IsRegular():
			w.skip(p, fileType(mode)+", not a regular file")
		default:
			w.files = append(w.files, p)
		}
	}
	return errs
}

// rendering is an input that a Renderer made: a rendered source, or a
// source (a template) with the problems that stopped its rendering.
type rendering struct {
	src      *Source
	problems []Problem
}

func isRoot(rs []Renderer, dir string) bool {
	for _, r := range rs {
		if r.Root(dir) {
			return true
		}
	}
	return false
}

// enclosingRoot returns the nearest folder above the file p that a
// renderer builds (a chart holding a changed template or values file),
// looking no higher than the repository's root (the folder holding .git);
// "" when there is none.
func enclosingRoot(rs []Renderer, p string) string {
	if len(rs) == 0 {
		return ""
	}
	dir := filepath.Dir(p)
	for {
		if isRoot(rs, dir) {
			return filepath.Clean(dir)
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return ""
		}
		parent := filepath.Join(dir, "..")
		a, err1 := filepath.Abs(dir)
		b, err2 := filepath.Abs(parent)
		if err1 != nil || err2 != nil || a == b {
			return ""
		}
		dir = parent
	}
}

// RenderRoot returns the folder one of rs builds (a chart) that holds the
// file p, as the loader finds it for a file it is given ("" when none).
func RenderRoot(rs []Renderer, p string) string { return enclosingRoot(rs, p) }

// renderRoot renders dir with the first renderer that builds it.
func renderRoot(opts Options, dir string) ([]*Source, []Problem) {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	for _, r := range opts.Renderers {
		if r.Root(dir) {
			return r.Render(ctx, dir)
		}
	}
	return nil, nil
}
