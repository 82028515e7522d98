// Package validate is kvet's engine: it runs the built-in rules over the
// loaded objects, concurrently, turns loader problems and rule diagnostics
// into findings with exact positions, and returns them in a deterministic
// order.
//
// Lint streams: each file is parsed and checked by the worker that read
// it, and then dropped, so memory does not grow with the input. Only the
// objects that cross-object rules need (rule.Rule.Uses) are kept until
// every file is read; those rules run last, over a shared Index.
package validate

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Options control a run.
type Options struct {
	// Rules to run (the registry's, possibly filtered).
	Rules []*rule.Rule
	// Settings passed to every rule.
	Settings rule.Settings
	// Workers is the number of objects checked at once (default GOMAXPROCS).
	Workers int
	// Enabled, when set, reports whether a rule runs at all, and whether
	// findings of a rule id are kept (it filters loader problems too).
	Enabled func(id string) bool
	// ListObjects keeps every object's reference for Outcome.Inputs (the
	// junit format lists passing objects too). Off, an input lists only
	// its file (80,000 objects' references held about 9 MB until the end).
	ListObjects bool
	// Progress, when set, counts files and objects as they are checked.
	Progress *Progress
	// Policies are Rego policies to run too (nil: none).
	Policies *Policies
	// Adjust, when set, sees every finding before ignores are applied: it
	// may change its severity, and returns false to drop it (per-path
	// configuration). With Lazy, it sees each finding without its
	// message, path, snippet, object name, fix and related places: it
	// judges by rule, file, kind, namespace, place and severity.
	Adjust func(f *rule.Finding) bool
	// NoSnippets leaves findings without their source snippet, for
	// output formats that do not print it.
	NoSnippets bool
	// Context are objects loaded from elsewhere (--crds, policy folders,
	// the other files of an editor's workspace) that rules with
	// rule.Rule.Context and cross-object rules see in their Index, next
	// to the run's own objects; they are not checked.
	Context []*manifest.Object
	// Remap, when set, sees the run's findings (and the ignored ones)
	// once ignores are applied, and returns them moved to where the user
	// edits them: a finding in a kustomize build to its base, patch or
	// kustomization line. It may merge findings. Those it gives a Source
	// get their snippet from it.
	Remap func(fs []rule.Finding) []rule.Finding
	// Lazy asks Lint for Outcome.List instead of Outcome.Findings: the
	// findings left in the engine's compact log, each made as it is read.
	// Runs with findings to move (charts, Remap) get Findings anyway.
	Lazy bool
}

// Progress counts work done, for a progress line.
type Progress struct{ Files, Objects atomic.Int64 }

// Outcome is the result of Lint.
type Outcome struct {
	Findings []rule.Finding
	// List, with Options.Lazy, holds the findings instead of Findings.
	List *Findings
	// Files read, objects loaded and non-empty documents seen.
	Files, Objects, Documents int
	// Errors are inputs that could not be read at all.
	Errors []error
	// Inputs lists each file read and its objects, in input order.
	Inputs []Input
	// Ignored are the findings that ignore directives silenced.
	Ignored []rule.Finding
	// Unchecked counts the objects of kinds kvet has no schema for
	// (custom resources), by kind, most frequent first.
	Unchecked []rule.KindCount
}

// kindKey identifies a kind in counts.
type kindKey struct{ apiVersion, kind string }

// Input is one file read and the objects loaded from it.
type Input struct {
	File    string
	Objects []rule.ObjectRef
}

type engine struct {
	ctx       context.Context
	opts      *Options
	perObject dispatch
	cross     dispatch
	runners   sync.Pool // *runner
	inFile    bool      // a rule with InFile runs per object: keep scopes
	// streamed: the objects are the engine's own (Lint), so what it keeps
	// of them may be trimmed; Run's belong to the caller.
	streamed bool
	// ctxIx is the index per-object rules see: the run's objects of the
	// kinds in contextKinds (found by a prescan) and Options.Context;
	// empty when no rule has a Context.
	ctxIx        *rule.Index
	contextKinds []string
	// treeKinds are the context kinds some rule reads through their node
	// tree (rules without ContextTyped); "v1/-" matches no kind.
	treeKinds []string
	// typedKinds are the context kinds of rules with ContextTyped.
	typedKinds []string
	// apart are the ids of rules whose findings are Rule.Apart.
	apart map[string]bool

	mu         sync.Mutex
	log        findingLog     // the files' findings, until finish
	rendered   []rule.Finding // the findings in rendered text, kept with their Source until mapped back
	findings   []rule.Finding // in finish
	list       *Findings      // the findings, by finish, when lazy
	ignored    []rule.Finding
	directives []*directive
	dirSources map[string]*manifest.Source
	// mapped are the files findings were mapped back to (templates,
	// values files, kustomize bases and patches), by path.
	mapped     map[string]*manifest.Source
	mappedDirs []*directive
	retained   []*manifest.Object
	summaries  map[*rule.Summary][]summaryItem
	// deferred are the values of the Rule.Deferred summaries made of the
	// run's objects, in order, once sortedSummaries has run.
	deferred  map[*rule.Summary][]summaryItem
	scopes    map[string]*rule.FileScope // by file, for InFile rules
	objects   int
	documents int
	sources   int
	unchecked map[kindKey]int
}

func newEngine(ctx context.Context, opts *Options) *engine {
	e := &engine{ctx: ctx, opts: opts, ctxIx: rule.NewIndex(nil), dirSources: map[string]*manifest.Source{}, unchecked: map[kindKey]int{}, treeKinds: []string{"v1/-"}, typedKinds: []string{"v1/-"}}
	e.runners.New = func() any { x := newRunner(&opts.Settings); x.noSnippets = opts.NoSnippets; return x }
	for _, r := range opts.Rules {
		if r.Apart {
			if e.apart == nil {
				e.apart = map[string]bool{}
			}
			e.apart[r.ID] = true
		}
		if r.Check == nil && r.CheckDeferred == nil || opts.Enabled != nil && !opts.Enabled(r.ID) {
			continue
		}
		if r.InFile && !opts.Settings.Complete {
			e.perObject.rules = append(e.perObject.rules, r)
			e.inFile = true
		} else if len(r.Uses) > 0 || len(r.Summaries) > 0 || r.Deferred != nil {
			e.cross.rules = append(e.cross.rules, r)
		} else {
			e.perObject.rules = append(e.perObject.rules, r)
			for _, k := range r.Context {
				if !slices.Contains(e.contextKinds, k) {
					e.contextKinds = append(e.contextKinds, k)
				}
				if !r.ContextTyped && !slices.Contains(e.treeKinds, k) {
					e.treeKinds = append(e.treeKinds, k)
				}
				if r.ContextTyped && !slices.Contains(e.typedKinds, k) {
					e.typedKinds = append(e.typedKinds, k)
				}
			}
		}
	}
	return e
}

// setContext builds the index per-object rules see from the run's
// context objects and Options.Context.
func (e *engine) setContext(found []*manifest.Object) {
	if len(e.contextKinds) == 0 && len(e.opts.Context) == 0 {
		return
	}
	sortObjects(found)
	e.ctxIx = rule.NewIndex(append(found, e.opts.Context...))
}

// prescan is the loader's first pass that finds the run's context
// objects, or nil when no rule needs any.
func (e *engine) prescan() *manifest.Prescan {
	if len(e.contextKinds) == 0 {
		e.setContext(nil)
		return nil
	}
	var mu sync.Mutex
	var found []*manifest.Object
	return e.prescanFor(e.contextKinds, nil, &mu, &found)
}

// prescanFor is a prescan pass for the given kinds, adding their objects
// to found; its Next is a pass for the kinds rules' MoreContext asks for
// once those are known, if any is new.
func (e *engine) prescanFor(kinds, words []string, mu *sync.Mutex, found *[]*manifest.Object) *manifest.Prescan {
	// Kinds are looked for as "kind: X"; the words MoreContext gives
	// (object names), besides, as words anywhere in the same document:
	// a name alone ("config") matched the corpus's big CRD documents,
	// and parsing them cost a run with bound admission policies 0.3 s.
	var names []string
	for _, k := range kinds {
		w := k[strings.LastIndexByte(k, '/')+1:]
		if w == "*" {
			names = nil
			break
		}
		names = append(names, w)
	}
	match := func(data []byte) bool {
		if names != nil && !manifest.ContainsKind(data, names) {
			return false
		}
		return words == nil || manifest.ContainsWord(data, words)
	}
	return &manifest.Prescan{
		Match: match,
		Found: func(objs []*manifest.Object) {
			var keep []*manifest.Object
			for _, o := range objs {
				// With words, only the objects they name (or whose kind
				// they name) are needed: not every object of the kind in
				// a document where one of them appears (a binding's
				// ConfigMap param named in a file of ConfigMaps, a
				// dashboard that mentions "Namespace").
				if rule.MatchKind(kinds, o.APIVersion, o.Kind) && (words == nil || slices.Contains(words, o.Name) || slices.Contains(words, o.Kind)) {
					src := o.Source.Excerpt(o.Pos().Line, o.LastLine())
					if o.Typed != nil && rule.MatchKind(e.typedKinds, o.APIVersion, o.Kind) && !rule.MatchKind(e.treeKinds, o.APIVersion, o.Kind) {
						// Only read through its typed value: the node
						// tree (of a CRD, megabytes) would keep the
						// collector busy.
						o.DropTree()
					}
					o.Source = src
					keep = append(keep, o)
				}
			}
			mu.Lock()
			*found = append(*found, keep...)
			mu.Unlock()
		},
		Done: func() { e.setContext(*found) },
		Next: func() *manifest.Prescan {
			if more, words := e.moreContext(); len(more) > 0 {
				return e.prescanFor(more, words, mu, found)
			}
			return nil
		},
	}
}

// moreContext asks the rules with MoreContext which kinds they need
// besides those found so far, and adds the new ones to contextKinds;
// words are what to look for in files to find them (nil: the kinds'
// names).
func (e *engine) moreContext() (more, words []string) {
	byName := true
	for _, r := range e.perObject.rules {
		if r.MoreContext == nil {
			continue
		}
		kinds, ws := r.MoreContext(e.ctxIx)
		added := false
		for _, k := range kinds {
			if !slices.Contains(e.contextKinds, k) {
				e.contextKinds = append(e.contextKinds, k)
				more = append(more, k)
				added = true
			}
		}
		if added {
			if ws == nil {
				byName = false
			}
			words = append(words, ws...)
		}
	}
	if !byName || len(more) == 0 {
		return more, nil
	}
	return more, words
}

// Why an object is kept until the cross-object rules run.
const (
	retainNone   = iota
	retainLookup // a cross-object rule only looks it up in the index
	retainCheck  // a cross-object rule or policy checks it (or reads all)
)

// retain says whether, and why, a cross-object rule or policy needs o.
func (e *engine) retain(o *manifest.Object) int {
	if e.opts.Policies.CrossObject() {
		return retainCheck
	}
	switch kr := e.cross.kind(o.APIVersion, o.Kind); {
	case len(kr.check) > 0:
		return retainCheck
	case kr.used:
		return retainLookup
	}
	return retainNone
}

// file checks what one batch of a file yielded; src is set on a file's
// first batch only (and nil when only objects are passed). Safe for
// concurrent use.
func (e *engine) file(src *manifest.Source, p manifest.Parsed) {
	var out []rule.Finding
	for _, pr := range p.Problems {
		out = append(out, problemFinding(pr))
	}
	var keep []*manifest.Object
	var sums []batchSummary
	var ds []*directive
	if src != nil {
		ds = sourceDirectives(src)
	}
	var scope *rule.FileScope
	var scopePath string
	var checked []bool // objects a rule schema-checked (rule.Pass.Checked)
	for i, o := range p.Objects {
		if e.inFile && (scope == nil || o.Source.Path != scopePath) {
			scopePath = o.Source.Path
			scope = e.scope(scopePath)
		}
		var c bool
		out, c = e.check(o, &e.perObject, e.ctxIx, scope, out)
		if c {
			if checked == nil {
				checked = make([]bool, len(p.Objects))
			}
			checked[i] = true
		}
		if e.opts.Policies != nil && !e.opts.Policies.CrossObject() {
			out = e.opts.Policies.check(e.ctx, o, nil, out)
		}
		ds = append(ds, objectDirectives(o)...)
		sums = e.summarize(o, sums)
		if keepFor := e.retain(o); keepFor != retainNone {
			switch {
			case !e.streamed:
				// Run's objects are the caller's (kvet fix lints them again
				// after each round, the language server keeps them): kept
				// as they are.
			case keepFor == retainCheck && e.cross.kind(o.APIVersion, o.Kind).typedOnly && !e.opts.Policies.CrossObject() && o.Shelve():
				// Checked through its typed value only: its lines are
				// parsed again if a finding needs a position.
			case keepFor == retainLookup:
				o.DropTree() // only looked up: its typed value and position do
			default:
				// Kept until the end: hold on to its own lines only.
				o.Source = o.Source.Excerpt(o.Pos().Line, o.LastLine())
			}
			keep = append(keep, o)
		}
	}
	e.detach(out)
	out, rendered := splitRendered(out)
	e.mu.Lock()
	e.log.add(out)
	e.rendered = append(e.rendered, rendered...)
	e.retained = append(e.retained, keep...)
	e.addSummaries(sums)
	e.directives = append(e.directives, ds...)
	for _, d := range ds {
		if src != nil {
			e.dirSources[d.file] = src
		} else if len(p.Objects) > 0 {
			e.dirSources[d.file] = p.Objects[0].Source
		}
	}
	e.objects += len(p.Objects)
	e.documents += p.Documents
	for i, o := range p.Objects {
		// Counted into the run's one map: a map per batch would be one
		// per object in Run, which checks each object as a batch.
		if o.Unchecked() && (checked == nil || !checked[i]) {
			e.unchecked[kindKey{o.APIVersion, o.Kind}]++
		}
	}
	if src != nil {
		e.sources++
	}
	e.mu.Unlock()
	if pr := e.opts.Progress; pr != nil && src != nil {
		pr.Files.Add(1)
	}
	if pr := e.opts.Progress; pr != nil {
		pr.Objects.Add(int64(len(p.Objects)))
	}
}

// summaryItem is a summary value and where its object is, to order them.
type summaryItem struct {
	path string
	line int
	v    any
	// context: made of an object from elsewhere (Options.Context), which
	// is looked up, not checked.
	context bool
}

type batchSummary struct {
	s    *rule.Summary
	item summaryItem
}

// summarize appends what the cross-object rules' summaries keep of o.
func (e *engine) summarize(o *manifest.Object, out []batchSummary) []batchSummary {
	for _, s := range e.cross.kind(o.APIVersion, o.Kind).sums {
		if v := s.Make(o); v != nil {
			out = append(out, batchSummary{s, summaryItem{path: o.Source.Path, line: o.Pos().Line, v: v}})
		}
	}
	return out
}

// sortedSummaries orders the summaries made of the run's objects, which
// arrive in worker order, as the objects of the index are, and adds
// those of the objects from elsewhere (Options.Context).
func (e *engine) addSummaries(bs []batchSummary) {
	for _, b := range bs {
		if e.summaries == nil {
			e.summaries = map[*rule.Summary][]summaryItem{}
		}
		e.summaries[b.s] = append(e.summaries[b.s], b.item)
	}
}

func (e *engine) sortedSummaries() map[*rule.Summary][]any {
	e.deferred = map[*rule.Summary][]summaryItem{}
	var extra []batchSummary
	for _, o := range e.opts.Context {
		extra = e.summarize(o, extra)
	}
	for i := range extra {
		extra[i].item.context = true
	}
	e.addSummaries(extra)
	out := make(map[*rule.Summary][]any, len(e.summaries))
	for s, items := range e.summaries {
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].path != items[j].path {
				return items[i].path < items[j].path
			}
			return items[i].line < items[j].line
		})
		vs := make([]any, len(items))
		for i, it := range items {
			vs[i] = it.v
		}
		out[s] = vs
		if e.cross.defers(s) {
			var run []summaryItem
			for _, it := range items {
				if !it.context {
					run = append(run, it)
				}
			}
			e.deferred[s] = run
		}
	}
	e.summaries = nil
	return out
}

// scope returns the InFile rules' memory of the file at path.
func (e *engine) scope(path string) *rule.FileScope {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.scopes == nil {
		e.scopes = map[string]*rule.FileScope{}
	}
	s := e.scopes[path]
	if s == nil {
		s = &rule.FileScope{}
		e.scopes[path] = s
	}
	return s
}

// check runs the rules of d that apply to o and appends their findings
// to out; scope is o's file's, for InFile rules (nil after the files are
// read). One runner (and its Pass) serves every rule of the call, so a
// rule that reports nothing costs no allocation. It also says whether a
// rule schema-checked o (rule.Pass.Checked).
func (e *engine) check(o *manifest.Object, d *dispatch, ix *rule.Index, scope *rule.FileScope, out []rule.Finding) ([]rule.Finding, bool) {
	rs := d.of(o.APIVersion, o.Kind)
	if len(rs) == 0 {
		return out, false
	}
	x := e.runners.Get().(*runner)
	x.out = out
	for _, r := range rs {
		x.run(r, o, ix, scope)
	}
	out = x.out
	checked := x.pass.TakeChecked()
	x.out, x.r, x.o = nil, nil, nil
	x.pass.Object, x.pass.Index, x.pass.Rule, x.pass.File = nil, nil, nil, nil
	e.runners.Put(x)
	return out, checked
}

// dispatch is a set of rules and, per apiVersion and kind seen, those of
// them that apply: matching every rule's Kinds patterns against every
// object was a fifth of the engine's own time on the corpus.
type dispatch struct {
	rules  []*rule.Rule
	mu     sync.RWMutex
	byKind map[kindKey]kindRules
}

// kindRules are the rules of a dispatch that check a kind, and whether one
// of them looks the kind up (Rule.Uses).
type kindRules struct {
	check []*rule.Rule
	used  bool
	sums  []*rule.Summary // Rule.Summaries of the kind
	// typedOnly: every rule in check is TypedOnly.
	typedOnly bool
}

// defers reports whether s is the Deferred summary of one of d's rules.
func (d *dispatch) defers(s *rule.Summary) bool {
	for _, r := range d.rules {
		if r.Deferred == s {
			return true
		}
	}
	return false
}

// of returns the rules that apply to apiVersion and kind, in rule order.
func (d *dispatch) of(apiVersion, kind string) []*rule.Rule {
	return d.kind(apiVersion, kind).check
}

func (d *dispatch) kind(apiVersion, kind string) kindRules {
	if len(d.rules) == 0 {
		return kindRules{}
	}
	k := kindKey{apiVersion, kind}
	d.mu.RLock()
	kr, ok := d.byKind[k]
	d.mu.RUnlock()
	if ok {
		return kr
	}
	kr.typedOnly = true
	for _, r := range d.rules {
		if r.Check != nil && r.Applies(apiVersion, kind) {
			kr.check = append(kr.check, r)
			kr.typedOnly = kr.typedOnly && r.TypedOnly
		}
		sums := r.Summaries
		if r.Deferred != nil {
			sums = append(slices.Clip(sums), r.Deferred)
		}
		for _, s := range sums {
			if rule.MatchKind(s.Kinds, apiVersion, kind) && !slices.Contains(kr.sums, s) {
				kr.sums = append(kr.sums, s)
			}
		}
		if rule.MatchKind(r.Uses, apiVersion, kind) && len(r.Uses) > 0 {
			kr.used = true
		}
	}
	d.mu.Lock()
	if d.byKind == nil {
		d.byKind = map[kindKey]kindRules{}
	}
	// One entry of a few words per kind of the run.
	d.byKind[k] = kr
	d.mu.Unlock()
	return kr
}

// detach gives findings their snippet (unless the output prints none),
// bounded around the column, and lets go of their files.
func (e *engine) detach(fs []rule.Finding) {
	for i := range fs {
		if f := &fs[i]; f.Source != nil {
			if f.Source.Origin != nil {
				continue // mapped back once settled (mapBack)
			}
			if !e.opts.NoSnippets {
				f.Snippet, f.SnippetShift = f.Source.Snippet(f.Line, f.Column)
			}
			f.Source = nil
		}
	}
}

// splitRendered moves the findings in rendered text (still holding their
// Source, for mapBack) out of fs; they are few (a chart's output).
func splitRendered(fs []rule.Finding) (plain, rendered []rule.Finding) {
	plain = fs[:0]
	for _, f := range fs {
		if f.Source != nil && f.Source.Origin != nil {
			rendered = append(rendered, f)
		} else {
			plain = append(plain, f)
		}
	}
	return plain, rendered
}

// checkDeferred runs the rules with Rule.Deferred on the summaries of
// the run's objects.
func (e *engine) checkDeferred(ix *rule.Index) {
	for _, r := range e.cross.rules {
		if r.CheckDeferred == nil || r.Deferred == nil {
			continue
		}
		x := e.runners.Get().(*runner)
		x.out = e.findings
		for _, it := range e.deferred[r.Deferred] {
			x.runDeferred(r, it, ix)
		}
		e.findings = x.out
		x.out, x.r, x.o = nil, nil, nil
		x.pass.Object, x.pass.Index, x.pass.Rule = nil, nil, nil
		e.runners.Put(x)
	}
	e.deferred = nil
}

// sortObjects orders retained objects, which arrive in worker order, so
// that the index (and the first match of a lookup) and data.kvet.objects
// are the same on every run.
func sortObjects(objs []*manifest.Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if a.Source.Path != b.Source.Path {
			return a.Source.Path < b.Source.Path
		}
		return a.Pos().Line < b.Pos().Line
	})
}

// finish runs the cross-object rules and orders the findings.
func (e *engine) finish() []rule.Finding {
	if len(e.cross.rules) > 0 {
		sortObjects(e.retained)
		ix := rule.NewIndex(e.retained)
		if len(e.opts.Context) > 0 {
			// Objects from elsewhere (an editor's other files) are
			// looked up, not checked.
			ix = rule.NewIndex(append(slices.Clip(e.retained), e.opts.Context...))
		}
		ix.WithSummaries(e.sortedSummaries())
		for _, o := range e.retained {
			e.findings, _ = e.check(o, &e.cross, ix, nil, e.findings)
		}
		e.checkDeferred(ix)
	}
	if e.opts.Policies.CrossObject() {
		sortObjects(e.retained)
		objs := make([]any, len(e.retained))
		for i, o := range e.retained {
			objs[i] = o.Raw()
		}
		extra := map[string]any{"kvet": map[string]any{"objects": objs}}
		for _, o := range e.retained {
			e.findings = e.opts.Policies.check(e.ctx, o, extra, e.findings)
		}
	}
	if e.lazy() {
		// The cross-object findings join the log, after the files'.
		e.detach(e.findings)
		e.log.add(e.findings)
		e.findings = nil
		e.list, e.ignored = e.settleLog()
		return nil
	}
	// The files' findings, those in rendered text, the cross-object ones.
	e.findings = append(append(e.log.findings(), e.rendered...), e.findings...)
	e.rendered = nil
	e.detach(e.findings)
	all := e.findings
	e.findings = nil // settle works in place on all
	fs, ignored := e.settle(all)
	if e.mapBack(fs) {
		// One template or values line seen through several value sets
		// of a chart is one finding (the first rendering's), naming them.
		Sort(fs)
		fs = dedupeVariants(fs)
	}
	if e.mapBack(ignored) {
		Sort(ignored)
		ignored = dedupeVariants(ignored)
	}
	fs, ignored = e.ignoreMapped(fs, ignored)
	if e.opts.Remap != nil {
		fs, ignored = e.opts.Remap(fs), e.opts.Remap(ignored)
		for _, f := range fs {
			if f.Rendered != nil && f.Source != nil {
				e.noteMapped(f.Source)
			}
		}
		fs, ignored = e.ignoreMapped(fs, ignored)
		e.detach(fs)
		e.detach(ignored)
		Sort(fs)
		Sort(ignored)
	}
	e.ignored = ignored
	return fs
}

// mapBack moves the findings in rendered text (a Helm chart's output) to
// the place in the template or values file their text comes from, keeping
// the rendered place in Rendered. Ignores were matched on the rendered
// text (where a template's "# kvet:ignore" comment lands) before. It
// reports whether a finding moved.
func (e *engine) mapBack(fs []rule.Finding) bool {
	moved := false
	for i := range fs {
		f := &fs[i]
		if f.Source == nil || f.Source.Origin == nil {
			continue
		}
		pl := f.Source.Origin.Place(f.Line, f.Column, f.Path)
		f.Rendered = &rule.Rendered{File: f.File, Line: f.Line}
		if v, ok := f.Source.Origin.(manifest.VariantOrigin); ok {
			f.Rendered.Variant = v.Variant()
		}
		f.Fix = nil // its edits are in the rendered text, which no one edits
		if pl.Source != nil {
			e.noteMapped(pl.Source)
			f.File, f.Line, f.Column = pl.Source.Path, pl.Line, pl.Column
			f.Span = 1
			if !e.opts.NoSnippets {
				f.Snippet, f.SnippetShift = pl.Source.Snippet(f.Line, f.Column)
			}
			moved = true
		} else if !e.opts.NoSnippets {
			f.Snippet, f.SnippetShift = f.Source.Snippet(f.Line, f.Column)
		}
		f.Source = nil
	}
	return moved
}

// restates reports whether findings of rule id only restate, in the API
// server's words, what a kvet rule says better about the same field (the
// API server validation's findings): where a kvet rule reports the same
// field of the same object, the user sees the kvet finding only.
func restates(f *rule.Finding) bool { return f.Secondary }

// An API finding about a field absent from the source (defaulted from
// another, like a Service port's targetPort) is dropped too when a finding
// about a field that is there, on the same line, says the same thing.
// Findings of rules in apart (admission-policy: another layer of the
// API server, after validation) neither make API findings redundant nor
// are dropped.
func dropRestated(fs []rule.Finding, apart map[string]bool) []rule.Finding {
	type key struct {
		file string
		obj  rule.ObjectRef
		path string
	}
	type lineKey struct {
		file string
		obj  rule.ObjectRef
		line int
		body string
	}
	own := map[key]bool{}
	exact := map[lineKey]bool{}
	var buf []byte // a path's exact encoding, for the map key
	for _, f := range fs {
		if len(f.Path) > 0 && !restates(&f) && !apart[f.Rule] {
			buf = f.Path.AppendBinary(buf[:0])
			own[key{f.File, f.Object, string(buf)}] = true
		}
		if !f.Fallback {
			exact[lineKey{f.File, f.Object, f.Line, body(f.Message)}] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		if restates(&f) {
			buf = f.Path.AppendBinary(buf[:0])
			if own[key{f.File, f.Object, string(buf)}] ||
				f.Fallback && exact[lineKey{f.File, f.Object, f.Line, body(f.Message)}] {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// body is a message without its leading "field.path: ".
func body(msg string) string {
	if _, after, ok := strings.Cut(msg, ": "); ok {
		return after
	}
	return msg
}

// Lint reads, parses and checks every input, streaming.
func Lint(ctx context.Context, paths []string, load manifest.Options, opts Options) *Outcome {
	if load.Workers == 0 {
		load.Workers = opts.Workers
	}
	e := newEngine(ctx, &opts)
	e.streamed = true
	load.Prescan = e.prescan()
	var mu sync.Mutex
	inputs := map[int]Input{}
	files, errs := manifest.Stream(paths, load, func(i int, src *manifest.Source, p manifest.Parsed, first bool) {
		if ctx.Err() != nil {
			return
		}
		if first {
			e.file(src, p)
		} else {
			e.file(nil, p)
		}
		var refs []rule.ObjectRef
		if opts.ListObjects {
			refs = make([]rule.ObjectRef, len(p.Objects))
			for j, o := range p.Objects {
				refs[j] = rule.RefOf(o)
			}
		}
		mu.Lock()
		in := inputs[i]
		in.File = src.Path
		in.Objects = append(in.Objects, refs...)
		inputs[i] = in
		mu.Unlock()
	})
	out := &Outcome{Findings: e.finish(), List: e.list, Files: e.sources, Objects: e.objects, Documents: e.documents, Errors: errs, Ignored: e.ignored,
		Unchecked: kindCounts(e.unchecked)}
	for i := range files {
		if in, ok := inputs[i]; ok {
			out.Inputs = append(out.Inputs, in)
		}
	}
	return out
}

// Run checks objects already loaded into memory.
func Run(ctx context.Context, res *manifest.Result, opts Options) []rule.Finding {
	opts.Lazy = false // Run returns a slice
	e := newEngine(ctx, &opts)
	var found []*manifest.Object
	for kinds := e.contextKinds; len(kinds) > 0; kinds, _ = e.moreContext() {
		for _, o := range res.Objects {
			if rule.MatchKind(kinds, o.APIVersion, o.Kind) {
				found = append(found, o)
			}
		}
		e.setContext(found)
	}
	if len(found) == 0 {
		e.setContext(nil)
	}
	e.file(nil, manifest.Parsed{Problems: res.Problems})
	for _, src := range res.Sources {
		if ds := sourceDirectives(src); len(ds) > 0 {
			e.directives = append(e.directives, ds...)
			e.dirSources[src.Path] = src
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan *manifest.Object)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range next {
				e.file(nil, manifest.Parsed{Objects: []*manifest.Object{o}})
			}
		}()
	}
	for _, o := range res.Objects {
		if ctx.Err() != nil {
			break
		}
		next <- o
	}
	close(next)
	wg.Wait()
	return e.finish()
}

// runner runs rules on objects with one Pass, reused: the engine keeps a
// pool of them, one per worker at a time.
type runner struct {
	pass *rule.Pass
	r    *rule.Rule
	o    *manifest.Object
	out  []rule.Finding
	// noSnippets: Options.NoSnippets, for findings at a manifest.Mark.
	noSnippets bool
}

func newRunner(s *rule.Settings) *runner {
	x := &runner{}
	x.pass = rule.NewPass(nil, nil, nil, s, x.report)
	return x
}

// run runs r on o; a crash becomes an internal-error finding.
func (x *runner) run(r *rule.Rule, o *manifest.Object, ix *rule.Index, scope *rule.FileScope) {
	defer func() {
		if v := recover(); v != nil {
			f := objectFinding(o, rule.InternalError, rule.Error,
				fmt.Sprintf("rule %s crashed on this object: %v", r.ID, v),
				"this is a bug in kvet; please report it with this manifest. Other rules and objects were still checked.")
			x.out = append(x.out, f)
		}
	}()
	x.r, x.o = r, o
	x.pass.Rule, x.pass.Object, x.pass.Index, x.pass.File = r, o, ix, nil
	if r.InFile {
		x.pass.File = scope
	}
	r.Check(x.pass, o)
}

// runDeferred runs r's CheckDeferred on the summary it of one object; a
// crash becomes an internal-error finding at the object's place.
func (x *runner) runDeferred(r *rule.Rule, it summaryItem, ix *rule.Index) {
	defer func() {
		if v := recover(); v != nil {
			x.out = append(x.out, rule.Finding{Rule: rule.InternalError, Severity: rule.Error, File: it.path, Line: it.line, Column: 1, Span: 1,
				Message: fmt.Sprintf("rule %s crashed on this object: %v", r.ID, v),
				Help:    "this is a bug in kvet; please report it with this manifest. Other rules and objects were still checked."})
		}
	}()
	x.r, x.o = r, nil
	x.pass.Rule, x.pass.Object, x.pass.Index, x.pass.File = r, nil, ix, nil
	r.CheckDeferred(x.pass, it.v)
}

// report turns the running rule's diagnostic into a finding.
func (x *runner) report(d rule.Diagnostic) {
	r, o := x.r, x.o
	sev := d.Severity
	if sev == 0 {
		sev = r.Severity
	}
	id := r.ID
	if d.Rule != "" {
		id = d.Rule
	}
	if of, at := d.Marked(); at != nil {
		x.reportAt(id, sev, of, at, d)
		return
	}
	o.Unshelve() // a cross-object rule's object kept without its tree
	f := Locate(o, id, sev, d.Path, d.Message, d.Help)
	f.Secondary = r.Restates
	f.Fix = d.Fix
	f.Related = d.Related
	if d.AtKey && len(d.Path) > 0 {
		if loc := o.Locate(d.Path); loc.Exact {
			f.Line, f.Column, f.Span = loc.Key.Line, loc.Key.Column, max(len([]rune(d.Path[len(d.Path)-1].Key)), 1)
		}
	}
	if o.IsInvalid(f.Path) {
		return // the loader reported the value's type already
	}
	x.out = append(x.out, f)
}

// reportAt turns a diagnostic at a mark (rule.Pass.ReportAt) into the
// finding Locate would have made on the object.
func (x *runner) reportAt(id string, sev rule.Severity, of *manifest.Ident, at *manifest.Mark, d rule.Diagnostic) {
	if at.IsZero() || at.Invalid() {
		return // no place (a summary of an object without a tree), or the loader reported the value's type
	}
	s := at.Spot()
	f := rule.Finding{
		Rule: id, Severity: sev, Message: d.Message, Help: d.Help, File: of.Path,
		Line: s.Line, Column: s.Column, Span: s.Span, Fallback: s.Fallback, Path: at.Path(),
		Object: rule.ObjectRef{APIVersion: of.APIVersion, Kind: of.Kind, Namespace: of.Namespace, Name: of.Name},
		Source: at.Source(), Secondary: x.r.Restates, Fix: d.Fix, Related: d.Related,
	}
	if f.Source == nil && !x.noSnippets {
		f.Snippet, f.SnippetShift = at.Snippet()
	}
	x.out = append(x.out, f)
}

// kindCounts lists counts by kind, most frequent first, then by
// apiVersion and kind.
func kindCounts(m map[kindKey]int) []rule.KindCount {
	out := make([]rule.KindCount, 0, len(m))
	for k, n := range m {
		out = append(out, rule.KindCount{APIVersion: k.apiVersion, Kind: k.kind, Count: n})
	}
	slices.SortFunc(out, func(a, b rule.KindCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if c := strings.Compare(a.APIVersion, b.APIVersion); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	return out
}
