// Package lsp is kvet's language server (kvet lsp): the findings of kvet
// lint for the manifests open in an editor, as they are typed, with the
// rule's documentation on hover and "ignore this finding" as a code
// action. The protocol types and JSON-RPC come from github.com/tliron/glsp
// and github.com/sourcegraph/jsonrpc2; the checks are kvet's own engine
// (validate.Run), with the other files of the workspace as context for
// cross-object rules.
package lsp

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/render/kustomize"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/validate"
)

// Checker is how a workspace is linted: kvet lint's options as the
// workspace's configuration decides them.
type Checker struct {
	Load  manifest.Options
	Check validate.Options
	// Kustomize, when set, builds the kustomizations a file is part of
	// (render/kustomize), as kvet lint does.
	Kustomize *kustomize.Options
}

// Options configure a server.
type Options struct {
	// Setup returns the checker for a workspace root ("" for none: files
	// are linted alone, with the defaults).
	Setup func(root string) (*Checker, error)
	// Debounce is how long the server waits after a change before
	// linting (default 200ms): typing does not lint every key.
	Debounce time.Duration
	// Log, when set, gets one line per notable event (for kvet's
	// developers and bug reports).
	Log io.Writer
	// Version is the server's version, sent to the client.
	Version string
}

// Server is one language-server session.
type Server struct {
	opts    Options
	handler protocol.Handler

	mu       sync.Mutex
	root     string
	checker  *Checker
	setupErr error
	// files holds the objects of every workspace file: as read from disk,
	// or as last linted for an open document.
	files  map[string][]*manifest.Object
	docs   map[string]*document // open documents, by path
	timers map[string]*time.Timer
	notify glsp.NotifyFunc
	loaded chan struct{} // closed once the workspace is read
}

// document is an open file.
type document struct {
	uri      protocol.DocumentUri
	version  protocol.Integer
	text     string
	findings []rule.Finding
	// keys identify the objects the text defines: when they change, the
	// other open documents are linted again (they may refer to them).
	keys []string
	// rendered: the file is part of a chart or a kustomization, linted
	// through its rendering, from the disk (on open and save).
	rendered bool
}

// New returns a server.
func New(opts Options) *Server {
	if opts.Debounce <= 0 {
		opts.Debounce = 200 * time.Millisecond
	}
	s := &Server{opts: opts, files: map[string][]*manifest.Object{}, docs: map[string]*document{}, timers: map[string]*time.Timer{},
		loaded: make(chan struct{})}
	s.handler = protocol.Handler{
		Initialize:             s.initialize,
		Initialized:            func(*glsp.Context, *protocol.InitializedParams) error { return nil },
		Shutdown:               func(*glsp.Context) error { return nil },
		Exit:                   func(*glsp.Context) error { return nil },
		SetTrace:               func(*glsp.Context, *protocol.SetTraceParams) error { return nil },
		TextDocumentDidOpen:    s.didOpen,
		TextDocumentDidChange:  s.didChange,
		TextDocumentDidSave:    s.didSave,
		TextDocumentDidClose:   s.didClose,
		TextDocumentHover:      s.hover,
		TextDocumentCodeAction: s.codeAction,
	}
	return s
}

// Serve answers the client on rwc (stdin and stdout for kvet lsp) until
// it disconnects or ctx ends.
func (s *Server) Serve(ctx context.Context, rwc io.ReadWriteCloser) {
	h := jsonrpc2.HandlerWithError(func(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
		gc := &glsp.Context{
			Method: req.Method,
			Notify: func(method string, params any) { _ = conn.Notify(ctx, method, params) },
			Call:   func(method string, params, result any) { _ = conn.Call(ctx, method, params, result) },
		}
		if req.Params != nil {
			gc.Params = *req.Params
		}
		r, validMethod, validParams, err := s.handler.Handle(gc)
		if req.Method == "exit" {
			return nil, conn.Close()
		}
		switch {
		case !validMethod:
			if req.Notif {
				return nil, nil // unknown notifications are ignored
			}
			return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: "method not supported: " + req.Method}
		case !validParams:
			msg := "invalid params"
			if err != nil {
				msg = err.Error()
			}
			return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: msg}
		case err != nil:
			return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: err.Error()}
		}
		return r, nil
	})
	conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(rwc, jsonrpc2.VSCodeObjectCodec{}), h)
	select {
	case <-conn.DisconnectNotify():
	case <-ctx.Done():
		_ = conn.Close()
	}
	s.mu.Lock()
	for _, t := range s.timers {
		t.Stop()
	}
	s.mu.Unlock()
}

func (s *Server) logf(format string, a ...any) {
	if s.opts.Log != nil {
		_, _ = fmt.Fprintf(s.opts.Log, "kvet lsp: "+format+"\n", a...)
	}
}

func (s *Server) initialize(gc *glsp.Context, p *protocol.InitializeParams) (any, error) {
	root := ""
	switch {
	case len(p.WorkspaceFolders) > 0:
		root = pathOf(p.WorkspaceFolders[0].URI)
	case p.RootURI != nil:
		root = pathOf(*p.RootURI)
	case p.RootPath != nil:
		root = *p.RootPath
	}
	checker, err := s.opts.Setup(root)
	s.mu.Lock()
	s.root, s.checker, s.setupErr, s.notify = root, checker, err, gc.Notify
	s.mu.Unlock()
	if err != nil {
		// Still answer: every document gets the configuration error.
		s.logf("workspace %s: %v", root, err)
		close(s.loaded)
	} else {
		go s.loadWorkspace(root, checker)
	}
	syncKind := protocol.TextDocumentSyncKindFull
	yes := true
	name := "kvet"
	version := s.opts.Version
	return protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: protocol.TextDocumentSyncOptions{
				OpenClose: &yes, Change: &syncKind, Save: protocol.SaveOptions{IncludeText: &yes},
			},
			HoverProvider:      true,
			CodeActionProvider: protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix}},
		},
		ServerInfo: &protocol.InitializeResultServerInfo{Name: name, Version: &version},
	}, nil
}

// loadWorkspace reads every manifest of the workspace, for the
// cross-object rules: a StatefulSet's Service may be in another file.
func (s *Server) loadWorkspace(root string, c *Checker) {
	defer close(s.loaded)
	if root == "" {
		return
	}
	start := time.Now()
	load := c.Load
	load.Note = func(string) {}
	res := manifest.Load([]string{root}, load)
	byFile := map[string][]*manifest.Object{}
	for _, o := range res.Objects {
		o.Source = o.Source.Excerpt(o.Pos().Line, o.LastLine())
		byFile[o.Source.Path] = append(byFile[o.Source.Path], o)
	}
	s.mu.Lock()
	for f, objs := range byFile {
		if _, open := s.docs[f]; !open {
			s.files[f] = objs
		}
	}
	s.mu.Unlock()
	s.logf("workspace %s: %d objects in %d files read in %v", root, len(res.Objects), len(byFile), time.Since(start).Round(time.Millisecond))
}

func (s *Server) didOpen(_ *glsp.Context, p *protocol.DidOpenTextDocumentParams) error {
	path := pathOf(p.TextDocument.URI)
	s.mu.Lock()
	s.docs[path] = &document{uri: p.TextDocument.URI, version: p.TextDocument.Version, text: p.TextDocument.Text}
	s.mu.Unlock()
	go s.lintNow(path)
	return nil
}

func (s *Server) didChange(_ *glsp.Context, p *protocol.DidChangeTextDocumentParams) error {
	path := pathOf(p.TextDocument.URI)
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[path]
	if d == nil {
		return nil
	}
	for _, c := range p.ContentChanges {
		switch c := c.(type) {
		case protocol.TextDocumentContentChangeEventWhole:
			d.text = c.Text
		case protocol.TextDocumentContentChangeEvent:
			d.text = applyChange(d.text, c)
		}
	}
	d.version = p.TextDocument.Version
	if !d.rendered {
		// A chart's or kustomization's file is rendered from the disk:
		// its diagnostics change when it is saved.
		s.schedule(path)
	}
	return nil
}

func (s *Server) didSave(_ *glsp.Context, p *protocol.DidSaveTextDocumentParams) error {
	path := pathOf(p.TextDocument.URI)
	s.mu.Lock()
	if d := s.docs[path]; d != nil && p.Text != nil {
		d.text = *p.Text
	}
	if t := s.timers[path]; t != nil {
		t.Stop()
	}
	s.mu.Unlock()
	go s.lintNow(path)
	return nil
}

func (s *Server) didClose(_ *glsp.Context, p *protocol.DidCloseTextDocumentParams) error {
	path := pathOf(p.TextDocument.URI)
	s.mu.Lock()
	delete(s.docs, path)
	if t := s.timers[path]; t != nil {
		t.Stop()
		delete(s.timers, path)
	}
	notify := s.notify
	s.mu.Unlock()
	// The file on disk is what the workspace has again.
	if c := s.checkerOf(); c != nil {
		load := c.Load
		load.Note = func(string) {}
		res := manifest.Load([]string{path}, load)
		s.mu.Lock()
		if _, open := s.docs[path]; !open {
			s.files[path] = res.Objects
		}
		s.mu.Unlock()
	}
	if notify != nil {
		notify(protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: p.TextDocument.URI, Diagnostics: []protocol.Diagnostic{}})
	}
	return nil
}

func (s *Server) checkerOf() *Checker {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checker
}

// schedule lints path once the typing pauses. Called with s.mu held.
func (s *Server) schedule(path string) {
	if t := s.timers[path]; t != nil {
		t.Stop()
	}
	s.timers[path] = time.AfterFunc(s.opts.Debounce, func() { s.lintNow(path) })
}

// lintNow lints an open document, publishes its diagnostics, and, when
// the objects it defines changed, lints the other open documents again.
func (s *Server) lintNow(path string) {
	<-s.loaded
	s.mu.Lock()
	d := s.docs[path]
	if d == nil {
		s.mu.Unlock()
		return
	}
	text, version, uri := d.text, d.version, d.uri
	s.mu.Unlock()
	findings, objs, rendered, err := s.lint(path, text)
	if err != nil {
		findings = []rule.Finding{{Rule: "config", Severity: rule.Error, Message: err.Error(), File: path, Line: 1, Column: 1}}
	}
	keys := objectKeys(objs)
	s.mu.Lock()
	d = s.docs[path]
	if d == nil || d.version != version {
		s.mu.Unlock()
		return // closed or changed again: a newer lint is on its way
	}
	d.findings = findings
	changed := !slices.Equal(keys, d.keys)
	d.keys = keys
	d.rendered = rendered
	for _, o := range objs {
		o.Source = o.Source.Excerpt(o.Pos().Line, o.LastLine())
	}
	if !rendered {
		s.files[path] = objs
	}
	var others []string
	for p, od := range s.docs {
		// A saved template, values file, base or patch changes what the
		// other files of its renderings show.
		if p != path && (changed || rendered && od.rendered) {
			others = append(others, p)
		}
	}
	notify := s.notify
	s.mu.Unlock()
	if notify != nil {
		v := protocol.UInteger(max(version, 0))
		notify(protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: uri, Version: &v, Diagnostics: Diagnostics(text, findings)})
	}
	sort.Strings(others)
	for _, p := range others {
		s.mu.Lock()
		s.schedule(p)
		s.mu.Unlock()
	}
}

// Lint lints text as the workspace file path, the workspace's other
// files being the context of cross-object rules. It returns the
// findings in path and the objects text defines.
//
// A file of a Helm chart (a template, a values file) or one a
// kustomization consumes (a base, a patch, the kustomization) is linted
// through the chart's rendering or the kustomizations' builds, as kvet
// lint does, read from the disk: the findings are those mapped back to
// it.
func (s *Server) Lint(path, text string) ([]rule.Finding, []*manifest.Object, error) {
	fs, objs, _, err := s.lint(path, text)
	return fs, objs, err
}

func (s *Server) lint(path, text string) ([]rule.Finding, []*manifest.Object, bool, error) {
	s.mu.Lock()
	c, err, root := s.checker, s.setupErr, s.root
	var others []*manifest.Object
	for f, objs := range s.files {
		if f != path {
			others = append(others, objs...)
		}
	}
	s.mu.Unlock()
	if err != nil {
		return nil, nil, false, err
	}
	if fs, ok := lintRendered(path, root, c, others); ok {
		return fs, nil, true, nil
	}
	load := c.Load
	load.Stdin = strings.NewReader(text)
	load.StdinName = path
	load.Note = func(string) {}
	res := manifest.Load([]string{"-"}, load)
	check := c.Check
	check.Context = others
	check.NoSnippets = true
	check.Progress = nil
	check.Workers = min(runtime.GOMAXPROCS(0), max(1, len(res.Objects)))
	// A lint is short; a newer one replaces its result rather than
	// cancelling it.
	all := validate.Run(context.Background(), res, check)
	return inFile(all, path), res.Objects, false, nil
}

// inFile are the findings in the file path.
func inFile(all []rule.Finding, path string) []rule.Finding {
	out := all[:0:0]
	for _, f := range all {
		if f.File == path {
			out = append(out, f)
		}
	}
	return out
}

// lintRendered lints the renderings path is part of, if it is part of
// one: the kustomizations that consume it (built through the overlays
// of the workspace root that use them), or its Helm chart.
func lintRendered(path, root string, c *Checker, others []*manifest.Object) ([]rule.Finding, bool) {
	load := c.Load
	load.Note = func(string) {}
	check := c.Check
	check.Context = others
	check.NoSnippets = true
	check.Progress = nil
	var paths []string
	var extra []rule.Finding
	if c.Kustomize != nil {
		ko := *c.Kustomize
		if root != "" {
			ko.Root = root
		}
		var ks *kustomize.Set
		if kustomize.Consumes(path, ko) {
			ks = kustomize.Render([]string{path}, ko)
		}
		if ks != nil && ks.Consumed(path) {
			load.Sources = append(slices.Clip(load.Sources), ks.Sources()...)
			remap := check.Remap
			check.Remap = func(fs []rule.Finding) []rule.Finding {
				if remap != nil {
					fs = remap(fs)
				}
				return ks.Remap(fs)
			}
			for _, f := range ks.Findings(true) {
				if check.Adjust == nil || check.Adjust(&f) {
					extra = append(extra, f)
				}
			}
		}
	}
	if load.Sources == nil || len(load.Sources) == len(c.Load.Sources) {
		if manifest.RenderRoot(load.Renderers, path) == "" {
			return nil, false
		}
		paths = []string{path} // the loader renders its chart
	}
	res := manifest.Load(paths, load)
	check.Workers = min(runtime.GOMAXPROCS(0), max(1, len(res.Objects)))
	all := append(validate.Run(context.Background(), res, check), extra...)
	return inFile(all, path), true
}

// objectKeys identifies what the objects are to other objects: kind,
// namespace, name and labels.
func objectKeys(objs []*manifest.Object) []string {
	keys := make([]string, 0, len(objs))
	for _, o := range objs {
		labels := o.StringMap("metadata", "labels")
		ls := make([]string, 0, len(labels))
		for k, v := range labels {
			ls = append(ls, k+"="+v)
		}
		sort.Strings(ls)
		keys = append(keys, o.APIVersion+"/"+o.Kind+"/"+o.Namespace+"/"+o.Name+"{"+strings.Join(ls, ",")+"}")
	}
	sort.Strings(keys)
	return keys
}

// pathOf turns a file:// URI into a path; anything else is kept as is.
func pathOf(uri protocol.DocumentUri) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return uri
	}
	return filepath.FromSlash(u.Path)
}

// findingsOf returns the open document's findings and text.
func (s *Server) findingsOf(uri protocol.DocumentUri) ([]rule.Finding, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[pathOf(uri)]
	if d == nil {
		return nil, "", false
	}
	return d.findings, d.text, true
}
