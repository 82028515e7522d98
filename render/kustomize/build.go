// Package kustomize builds the kustomizations kvet lint finds, with
// kustomize's own library (sigs.k8s.io/kustomize/api/krusty, the code
// behind kubectl kustomize), and maps the findings on the built resources
// back to the lines the user edits: the base file, the patch, or the
// kustomization line of a transformer.
package kustomize

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Options control the builds.
type Options struct {
	// AllowRemote lets kustomize fetch remote bases and files (git
	// repositories, URLs); refused otherwise, as an error at the entry.
	AllowRemote bool
	// Timeout bounds one build (default 60 s).
	Timeout time.Duration
	// MaxFileSize bounds every file a build reads and its output
	// (default 256 MiB).
	MaxFileSize int64
	// Exclude, when set, skips folders and files of a walk.
	Exclude func(path string) bool
	// Root is the folder a named file's kustomization is looked for up
	// to, and the overlays using it below (default: the current folder;
	// an editor's workspace).
	Root string
	// KubeVersion (MAJOR.MINOR) is the .Capabilities.KubeVersion of the
	// Helm charts inflated (helmCharts:) unless their entry sets one.
	KubeVersion string
}

// Set is the kustomizations of a run: the builds, their problems, and the
// files they consume.
type Set struct {
	Builds []*Build
	// Problems are errors at a kustomization's file:line (a missing
	// entry, a refused remote base, a failed build).
	Problems []Problem
	consumed map[string]bool // absolute paths
	charts   []string        // chart folders inflated (absolute): consumed
	byName   map[string]*Build
	model    *model
	origins  map[string]*parsedFile // origin files read by Remap, by absolute path
}

// Problem is an error about a kustomization.
type Problem struct {
	File         string
	Line, Column int
	Span         int // columns the offending text covers
	Message      string
	Help         string
	// Rule is the finding's rule ("" for RuleID): render-error for a
	// chart of helmCharts that does not render.
	Rule string
	src  *manifest.Source
}

// Build is one kustomization root built.
type Build struct {
	// Dir is the root's folder as the user would write it; Name the
	// rendering's name in findings ("kustomize build overlays/prod").
	Dir, Name string
	// Output is the built resources as one YAML stream, for the engine.
	Output *manifest.Source
	root   *kust
	docs   []*builtDoc
	opts   *Options
	// originsDone is set once originBuild ran.
	originsDone bool
	// byKind indexes the tree's documents for resolve.
	byKind map[string][]named
	// helm is what the build's view adds for its helmCharts (nil: none).
	helm *helmFiles
}

// builtDoc is one resource of a build: where it is in the output and
// where it came from.
type builtDoc struct {
	first, last int // lines in Output
	start, end  int // bytes in Output
	kind, name  string
	// node is the resource's tree (parsed is set once it was tried).
	node   *yaml.Node
	parsed bool
	// resolved is set once origin and configured are known.
	resolved   bool
	origin     string // absolute path of the origin file ("" when unknown)
	configured string // absolute path of the kustomization that generated it
	helm       bool   // a chart of helmCharts made it
}

// Roots returns the folders below paths (walked as kvet lint walks:
// hidden entries skipped) that hold a kustomization file, in lexical
// order. A file named directly (what pre-commit passes) counts for the
// nearest folder above it, up to the current one, that holds a
// kustomization: a changed patch is linted through its overlay's build.
// When other kustomizations below the current folder include that one
// (a base file changed), it counts for the outermost of them instead:
// the overlays that use the base are built.
func Roots(paths []string, exclude func(string) bool) []string {
	return rootsIn(paths, exclude, "")
}

// rootsIn is Roots with top ("" for the current folder) as the folder
// named files' kustomizations and their overlays are looked for in.
func rootsIn(paths []string, exclude func(string) bool, top string) []string {
	out, named := roots(paths, exclude, top)
	if len(named) == 0 {
		return out
	}
	users := overlaysOf(exclude, top)
	seen := map[string]bool{}
	var res []string
	for _, dir := range out {
		list := []string{dir}
		if named[dir] {
			if tops := users(dir); len(tops) > 0 {
				list = tops
			}
		}
		for _, d := range list {
			if !seen[d] {
				seen[d] = true
				res = append(res, d)
			}
		}
	}
	sort.Strings(res)
	return res
}

// overlaysOf returns a function giving, for a kustomization folder, the
// outermost kustomizations below the current folder that include it
// (through resources, bases or components, at any depth); none when no
// other includes it. The current folder is walked for kustomizations
// once, on the first call.
func overlaysOf(exclude func(string) bool, top string) func(dir string) []string {
	if top == "" {
		top = "."
	}
	var parents map[string][]string // absolute folder -> folders including it
	shown := map[string]string{}    // absolute folder -> as walked
	load := func() {
		parents = map[string][]string{}
		all, _ := roots([]string{top}, exclude, top)
		for _, dir := range all {
			abs, err := filepath.Abs(dir)
			if err != nil {
				continue
			}
			shown[abs] = dir
			data, err := readLimited(KustomizationFile(dir), 1<<20)
			if err != nil {
				continue
			}
			var doc yaml.Node
			if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
				continue
			}
			for _, field := range []string{"resources", "bases", "components"} {
				seq := child(doc.Content[0], field)
				if seq == nil || seq.Kind != yaml.SequenceNode {
					continue
				}
				for _, it := range seq.Content {
					if it.Kind != yaml.ScalarNode || isRemote(it.Value) || filepath.IsAbs(it.Value) {
						continue
					}
					c := filepath.Clean(filepath.Join(abs, it.Value))
					if c != abs && KustomizationFile(c) != "" {
						parents[c] = append(parents[c], abs)
					}
				}
			}
		}
	}
	return func(dir string) []string {
		if parents == nil {
			load()
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil
		}
		var tops []string
		seen := map[string]bool{abs: true}
		var up func(a string)
		up = func(a string) {
			ps := parents[a]
			if len(ps) == 0 && a != abs {
				tops = append(tops, shown[a])
			}
			for _, p := range ps {
				if !seen[p] {
					seen[p] = true
					up(p)
				}
			}
		}
		up(abs)
		sort.Strings(tops)
		return tops
	}
}

// roots is Roots without looking for overlays; named are the folders
// found for files named directly.
func roots(paths []string, exclude func(string) bool, top string) (out []string, named map[string]bool) {
	checked := map[string]string{}
	seen := map[string]bool{}
	add := func(dir string) {
		if !seen[dir] {
			seen[dir] = true
			out = append(out, dir)
		}
	}
	for _, p := range paths {
		if p == "-" {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if !st.IsDir() {
			if dir := enclosing(p, checked, top); dir != "" {
				add(dir)
				if named == nil {
					named = map[string]bool{}
				}
				named[dir] = true
			}
			continue
		}
		_ = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if path != p && exclude != nil && exclude(path) {
					return filepath.SkipDir
				}
				if KustomizationFile(path) != "" {
					add(path)
				}
			}
			return nil
		})
	}
	sort.Strings(out)
	return out, named
}

// enclosing is the nearest folder holding a kustomization at or above
// file's, not above the current folder ("" when none); checked caches
// the answer per folder.
func enclosing(file string, checked map[string]string, top string) string {
	wd, err := os.Getwd()
	if top != "" {
		wd, err = filepath.Abs(top)
	}
	if err != nil {
		return ""
	}
	dir := filepath.Dir(file)
	var seen []string
	found := ""
	for {
		if v, ok := checked[dir]; ok {
			found = v
			break
		}
		seen = append(seen, dir)
		if KustomizationFile(dir) != "" {
			found = dir
			break
		}
		abs, err := filepath.Abs(dir)
		if err != nil || abs == wd || !inside(abs, wd) {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	for _, d := range seen {
		checked[d] = found
	}
	return found
}

// Render builds every kustomization root found under paths. A root that
// another root of the run includes (a base its overlays use) is not built
// on its own.
func Render(paths []string, opts Options) *Set {
	opts.defaults()
	s := &Set{consumed: map[string]bool{}, byName: map[string]*Build{}, model: newModel(&opts)}
	roots := rootsIn(paths, opts.Exclude, opts.Root)
	if len(roots) == 0 {
		return s
	}
	type loaded struct {
		k     *kust
		fatal bool
	}
	var ks []loaded
	for _, dir := range roots {
		k, fatal := s.model.load(dir, map[string]bool{})
		if k != nil {
			ks = append(ks, loaded{k, fatal})
		}
	}
	// A kustomization included by another one of the run is built
	// through it; components are never built on their own.
	included := map[*kust]bool{}
	var mark func(k *kust)
	mark = func(k *kust) {
		for _, c := range k.children {
			if !included[c] {
				included[c] = true
				mark(c)
			}
		}
	}
	for _, l := range ks {
		mark(l.k)
	}
	for _, k := range s.model.byDir {
		s.consume(k)
	}
	var todo []*kust
	for _, l := range ks {
		// A broken one's problems say why it is not built.
		if !included[l.k] && !l.k.component && !l.fatal {
			todo = append(todo, l.k)
		}
	}
	// One build at a time: kustomize keeps its OpenAPI schema in global
	// state (kyaml/openapi.SetSchema, reset by every build), so builds
	// in parallel could see each other's.
	type built struct {
		b    *Build
		read map[string]bool
		err  error
	}
	res := make([]built, len(todo))
	skip := make([]bool, len(todo))
	for i, k := range todo {
		hf, ok := s.model.inflate(k)
		if !ok {
			skip[i] = true // its charts' problems say why
			continue
		}
		res[i].b, res[i].read, res[i].err = build(k, &opts, hf)
	}
	for i, r := range res {
		if skip[i] {
			continue
		}
		if r.err != nil {
			s.model.buildError(todo[i], r.err)
			continue
		}
		for p := range r.read {
			s.consumed[p] = true
		}
		s.Builds = append(s.Builds, r.b)
		s.byName[r.b.Name] = r.b
	}
	for _, p := range s.model.problems {
		s.Problems = append(s.Problems, Problem{File: p.file, Line: p.line, Column: p.column, Span: max(p.span, 1), Message: p.message, Help: p.help, Rule: p.rule, src: p.src})
	}
	return s
}

// Consumes reports, without building anything, whether the nearest
// kustomization at or above the file path names it (as a resource, a
// patch, a generator's input, a helmCharts chart's file) or is it: a cheap
// test before Render for an editor, which lints a file on every change.
func Consumes(path string, opts Options) bool {
	opts.defaults()
	dirs, _ := roots([]string{path}, opts.Exclude, opts.Root)
	if len(dirs) == 0 {
		return false
	}
	s := &Set{consumed: map[string]bool{}, model: newModel(&opts)}
	for _, dir := range dirs {
		s.model.load(dir, map[string]bool{})
	}
	for _, k := range s.model.byDir {
		s.consume(k)
	}
	return s.Consumed(path)
}

func (opts *Options) defaults() {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = 256 << 20
	}
}

// consume marks a kustomization's file and local entries as consumed.
func (s *Set) consume(k *kust) {
	if abs, err := filepath.Abs(k.file); err == nil {
		s.consumed[filepath.Clean(abs)] = true
	}
	for _, e := range k.entries {
		if e.abs != "" {
			s.consumed[e.abs] = true
		}
	}
	s.charts = append(s.charts, k.chartDirs...)
}

// Consumed reports whether a file is read by one of the run's
// kustomizations (a resource, a patch, a generator's input, a
// kustomization file), so that it is not linted on its own.
func (s *Set) Consumed(path string) bool {
	if s == nil || len(s.consumed) == 0 {
		return false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	abs = filepath.Clean(abs)
	for _, dir := range s.charts {
		if inside(abs, dir) {
			return true
		}
	}
	return s.consumed[abs]
}

// Sources are the builds' outputs, for the engine to lint.
func (s *Set) Sources() []*manifest.Source {
	out := make([]*manifest.Source, len(s.Builds))
	for i, b := range s.Builds {
		out[i] = b.Output
	}
	return out
}

// build runs krusty on k's folder, within the timeout, without origin
// annotations: where each resource comes from is found when a finding
// needs it (Build.resolve).
func build(k *kust, opts *Options, hf *helmFiles) (*Build, map[string]bool, error) {
	m, read, err := runKrusty(k, opts, false, hf)
	if err != nil {
		return nil, nil, err
	}
	if child(k.top, "buildMetadata") != nil {
		// The user's own buildMetadata: what it adds is not the
		// resources' content, and the rules do not see it.
		if err := m.RemoveOriginAnnotations(); err != nil {
			return nil, nil, err
		}
		if err := m.RemoveTransformerAnnotations(); err != nil {
			return nil, nil, err
		}
	}
	b := &Build{Dir: k.dir, Name: "kustomize build " + k.dir, root: k, opts: opts, helm: hf}
	var out bytes.Buffer
	line := 1
	for _, res := range m.Resources() {
		d := &builtDoc{kind: res.GetKind(), name: res.GetName()}
		y, err := res.AsYAML()
		if err != nil {
			return nil, nil, err
		}
		if out.Len() > 0 {
			out.WriteString("---\n")
			line++
		}
		n := bytes.Count(y, []byte("\n"))
		d.first, d.last = line, line+n-1
		d.start, d.end = out.Len(), out.Len()+len(y)
		line += n
		out.Write(y)
		if int64(out.Len()) > opts.MaxFileSize {
			return nil, nil, fmt.Errorf("the build's output is larger than the limit of %d bytes; raise --max-file-size", opts.MaxFileSize)
		}
		b.docs = append(b.docs, d)
	}
	b.Output = &manifest.Source{Path: b.Name, Data: out.Bytes()}
	return b, read, nil
}

// runKrusty builds k's folder within the timeout, through the read-only
// file system, with originAnnotations on or not; it returns the files the
// build read (absolute paths).
func runKrusty(k *kust, opts *Options, origins bool, hf *helmFiles) (resmap.ResMap, map[string]bool, error) {
	fs := newReadOnlyFS(k.file, opts.MaxFileSize)
	fs.origins = origins
	fs.helm = hf
	kopts := krusty.MakeDefaultOptions()
	kopts.LoadRestrictions = types.LoadRestrictionsRootOnly
	type result struct {
		m   resmap.ResMap
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- result{err: fmt.Errorf("kustomize crashed: %v", v)}
			}
		}()
		m, err := krusty.MakeKustomizer(kopts).Run(fs, k.abs)
		done <- result{m, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(opts.Timeout):
		// The build goes on in its goroutine, but its result is dropped.
		return nil, nil, fmt.Errorf("the build took longer than %s and was abandoned", opts.Timeout)
	}
	if r.err != nil {
		return nil, nil, r.err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return r.m, fs.read, nil
}

// node is the built resource's node tree, parsed on first use.
func (b *Build) node(d *builtDoc) *yaml.Node {
	if d.parsed {
		return d.node
	}
	d.parsed = true
	var doc yaml.Node
	if err := yaml.Unmarshal(b.Output.Data[d.start:d.end], &doc); err == nil && len(doc.Content) > 0 {
		d.node = doc.Content[0]
	}
	return d.node
}

// originBuild builds again with originAnnotations on, once, and gives
// each resource the file kustomize says it came from. It is the exact
// answer when the tree has several candidates for a resource; kvet does
// not build with it every time because it makes kustomize record every
// transformer on every resource, about a third of the build's time.
func (b *Build) originBuild() {
	if b.originsDone {
		return
	}
	b.originsDone = true
	m, _, err := runKrusty(b.root, b.opts, true, b.helm)
	if err != nil {
		return
	}
	rs := m.Resources()
	if len(rs) != len(b.docs) {
		return
	}
	for i, res := range rs {
		d := b.docs[i]
		if res.GetKind() != d.kind || res.GetName() != d.name {
			return
		}
		o, err := res.GetOrigin()
		if err != nil || o == nil {
			continue
		}
		d.resolved = true
		d.origin, d.configured = "", ""
		switch {
		case o.Repo != "":
		case o.ConfiguredIn != "":
			d.configured = filepath.Clean(filepath.Join(b.root.abs, o.ConfiguredIn))
		case o.Path != "":
			d.origin = filepath.Clean(filepath.Join(b.root.abs, o.Path))
		}
	}
}

// originAnnotations are the annotations originAnnotations makes
// kustomize add; the build the rules see is made without them.
var originAnnotations = []string{"config.kubernetes.io/origin", "alpha.config.kubernetes.io/transformations"}

// buildError turns a failed build into a problem at the kustomization
// line that names what failed, when the message names one of its entries,
// else at the kustomization file's first line.
func (m *model) buildError(k *kust, err error) {
	msg := err.Error()
	if abs, e := filepath.Abs(k.dir); e == nil {
		msg = strings.ReplaceAll(msg, abs+string(filepath.Separator), k.dir+string(filepath.Separator))
		msg = strings.ReplaceAll(msg, abs, k.dir)
	}
	if wd, e := os.Getwd(); e == nil {
		msg = strings.ReplaceAll(msg, wd+string(filepath.Separator), "")
	}
	for _, c := range m.byDir {
		for _, ref := range c.charts {
			// The rendering's file exists only in the build's view.
			label := "the rendering of helmCharts " + ref.spec.Name
			msg = strings.ReplaceAll(msg, filepath.Join(c.dir, filepath.Base(ref.virtual)), label)
			msg = strings.ReplaceAll(msg, filepath.Base(ref.virtual), label)
		}
	}
	file, node := k.file, (*yaml.Node)(nil)
	best := 0
	var visit func(k *kust, seen map[*kust]bool)
	visit = func(k *kust, seen map[*kust]bool) {
		if seen[k] {
			return
		}
		seen[k] = true
		for _, e := range k.entries {
			if len(e.value) > best && strings.Contains(err.Error(), e.value) {
				best, file, node = len(e.value), k.file, e.node
			}
		}
		for _, c := range k.children {
			visit(c, seen)
		}
	}
	visit(k, map[*kust]bool{})
	if best == 0 {
		// A patch that matches nothing is named by its target's id
		// ("ConfigMap.v1.[noGrp]/no-such-map.[noNs]"): find the patch.
		var find func(k *kust, seen map[*kust]bool)
		find = func(k *kust, seen map[*kust]bool) {
			if seen[k] || node != nil {
				return
			}
			seen[k] = true
			for _, p := range k.patches {
				for _, d := range p.docs {
					if name := scalar(d, "metadata", "name"); name != "" && p.entry != nil &&
						strings.Contains(err.Error(), "/"+name+".") && strings.Contains(err.Error(), scalar(d, "kind")+".") {
						file, node = k.file, p.entry
						return
					}
				}
			}
			for _, c := range k.children {
				find(c, seen)
			}
		}
		find(k, map[*kust]bool{})
	}
	m.problem(file, node, "kustomize build "+k.dir+" failed: "+msg,
		"fix the kustomization so that kustomize build (or kubectl kustomize) succeeds; the rest of the run was still linted")
}

// RuleID is the id of the findings about kustomizations themselves: a
// missing or refused entry, a build that fails.
const RuleID = "kustomize-build"

// Findings are the set's problems as error findings, with their snippet
// unless noSnippets.
func (s *Set) Findings(noSnippets bool) []rule.Finding {
	out := make([]rule.Finding, 0, len(s.Problems))
	for _, p := range s.Problems {
		id := p.Rule
		if id == "" {
			id = RuleID
		}
		f := rule.Finding{Rule: id, Severity: rule.Error, Message: p.Message, Help: p.Help,
			File: p.File, Line: p.Line, Column: p.Column, Span: p.Span}
		if !noSnippets {
			if src := p.src; src != nil {
				f.Snippet, f.SnippetShift = src.Snippet(p.Line, p.Column)
			} else if src := s.source(p.File); src != nil {
				f.Snippet, f.SnippetShift = src.Snippet(p.Line, p.Column)
			}
		}
		out = append(out, f)
	}
	return out
}

// source is a kustomization file of the run, as read.
func (s *Set) source(file string) *manifest.Source {
	for _, k := range s.model.byDir {
		if k.file == file {
			return k.src
		}
	}
	return nil
}
