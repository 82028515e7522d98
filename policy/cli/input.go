package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/policy"
	"github.com/kvetdev/kvet/policy/input"
	"github.com/kvetdev/kvet/report"
)

// unit is one value evaluated against the policies, as conftest splits a
// file: every document of a multi-document file; a file whose only
// document is a list is split into its items; a file with no document is
// evaluated once with input = null.
type unit struct {
	value ast.Value
	doc   *manifest.Document // nil for an empty file
}

// line returns the line of the field at path in the unit's document (the
// nearest parent that exists), or of the document itself; 0 when unknown.
func (u unit) line(path manifest.Path) int {
	if u.doc == nil {
		return 0
	}
	if len(path) == 0 {
		return u.doc.Pos().Line
	}
	return u.doc.Locate(path).Key.Line
}

// fileRun is what one input file gave: its results per namespace (or, with
// --combine, its values), and the first error that stops the run.
type fileRun struct {
	path     string
	results  []report.CheckResult // one per namespace
	combined []ast.Value          // --combine: the file's units
	pending  *unit                // the first document, until it is known not to be the only one
	docs     int
	info     map[string]any // data.conftest.file, when a policy reads it
	err      error
}

// evaluator runs the policies on each file's units as the manifest loader
// streams them: files are read, parsed and evaluated in workers, and only
// results are kept, so memory does not grow with the documents' trees.
type evaluator struct {
	ctx        context.Context
	engine     *policy.Engine
	namespaces []string
	fileInfo   bool // a policy reads data.conftest.file
	combine    bool
	trace      bool

	mu    sync.Mutex
	files map[int]*fileRun
	stop  bool // a file failed: evaluate nothing more
}

func (e *evaluator) file(i int, path string) *fileRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	fr := e.files[i]
	if fr == nil {
		fr = &fileRun{path: path}
		if !e.combine {
			fr.results = make([]report.CheckResult, len(e.namespaces))
			for n, ns := range e.namespaces {
				fr.results[n] = report.CheckResult{FileName: path, Namespace: ns}
			}
		}
		e.files[i] = fr
	}
	return fr
}

func (e *evaluator) stopped() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stop
}

// batch takes one batch of a file's documents (the batches of a file come
// in order, from one goroutine).
func (e *evaluator) batch(i int, src *manifest.Source, p manifest.Parsed) {
	fr := e.file(i, src.Path)
	if fr.err != nil || e.ctx.Err() != nil { // interrupted: the caller reports nothing
		return
	}
	for _, pr := range p.Problems {
		if pr.Code == manifest.CodeSyntax || pr.Code == manifest.CodeLimit || pr.Code == manifest.CodeRender {
			msg := fmt.Sprintf("%s:%d:%d: %s", pr.Source.Path, pr.Pos.Line, max(pr.Pos.Column, 1), pr.Message)
			if pr.Help != "" {
				msg += " (" + pr.Help + ")"
			}
			e.fail(fr, errors.New(msg))
			return
		}
	}
	for _, d := range p.Docs {
		fr.docs++
		if fr.docs == 1 {
			fr.pending = &unit{value: input.Document(d), doc: d}
			continue
		}
		if fr.pending != nil {
			e.eval(fr, *fr.pending)
			fr.pending = nil
		}
		e.eval(fr, unit{value: input.Document(d), doc: d})
	}
	if !p.Last {
		return
	}
	switch {
	case fr.docs == 0:
		e.eval(fr, unit{value: ast.NullValue})
	case fr.pending != nil:
		u := *fr.pending
		fr.pending = nil
		if arr, ok := u.value.(*ast.Array); ok {
			for k := range arr.Len() {
				e.eval(fr, unit{value: arr.Elem(k).Value, doc: u.doc})
			}
			return
		}
		e.eval(fr, u)
	}
}

func (e *evaluator) fail(fr *fileRun, err error) {
	fr.err = err
	e.mu.Lock()
	e.stop = true
	e.mu.Unlock()
}

func (e *evaluator) eval(fr *fileRun, u unit) {
	if fr.err != nil || e.stopped() {
		return
	}
	if e.combine {
		fr.combined = append(fr.combined, u.value)
		return
	}
	if e.fileInfo && fr.info == nil {
		fr.info = fileInfo(fr.path)
	}
	tr, err := e.engine.EvalTraced(e.ctx, u.value, fr.info)
	if err != nil {
		e.fail(fr, fmt.Errorf("%s: %w", fr.path, err))
		return
	}
	for n := range fr.results {
		addResult(&fr.results[n], tr[n], u, e.trace)
	}
}

// inputOptions are the flags that say how inputs are read.
type inputOptions struct {
	stdin     io.Reader
	stdinName string
	ignore    string
	workers   int
	limits    manifest.Limits
	maxSize   int64
	// note is told of each entry a folder walk skips for safety.
	note func(msg string)
	// read is told the size of each input read (manifest.Options.Read).
	read func(size int)
	// renderer renders the Helm charts among the inputs.
	renderer manifest.Renderer
	ctx      context.Context
}

// streamInputs reads every input through the manifest loader, calling
// e.batch for each batch of documents. It returns the number of files.
func streamInputs(args []string, o inputOptions, e *evaluator) (int, error) {
	var re *regexp.Regexp
	if o.ignore != "" {
		var err error
		if re, err = regexp.Compile(o.ignore); err != nil {
			return 0, fmt.Errorf("given regexp couldn't be parsed :%w", err)
		}
	}
	var paths []string
	for _, a := range args {
		if a != "" {
			paths = append(paths, a)
		}
	}
	name := o.stdinName
	if name == "" {
		name = "-" // conftest's name for stdin
	}
	opts := manifest.Options{
		Stdin: o.stdin, StdinName: name, Workers: o.workers,
		MaxFileSize: o.maxSize, Limits: o.limits, Documents: true, Note: o.note, Read: o.read,
		Context: o.ctx,
	}
	if o.renderer != nil {
		opts.Renderers = []manifest.Renderer{o.renderer}
	}
	if re != nil {
		opts.Exclude = re.MatchString
	}
	n, errs := manifest.Stream(paths, opts, func(i int, src *manifest.Source, p manifest.Parsed, _ bool) {
		e.batch(i, src, p)
	})
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, err := range errs {
			msgs[i] = err.Error()
		}
		return n, errors.New(strings.Join(msgs, "; "))
	}
	if n == 0 {
		return 0, errors.New("no files found")
	}
	return n, nil
}

func fileInfo(path string) map[string]any {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return map[string]any{"conftest": map[string]any{"file": map[string]any{
		"name": filepath.Base(abs),
		"dir":  filepath.Dir(abs),
	}}}
}
