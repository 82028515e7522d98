package kustomize

import (
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// place is where a field of a built resource is in a file the user edits.
type place struct {
	src          *manifest.Source
	line, column int
	span         int
	fallback     bool // the field is not there: its nearest parent
}

// Remap moves the findings on the builds' outputs to their sources (see
// locate), keeps where they were in the output in Finding.Rendered, and
// merges the findings that several builds make at the same source line
// (a base seen through several overlays) into one naming the builds:
// "(seen in overlays/dev, overlays/prod)". Other findings are unchanged.
func (s *Set) Remap(fs []rule.Finding) []rule.Finding {
	if s == nil || len(s.byName) == 0 {
		return fs
	}
	type key struct {
		rule, file string
		line, col  int
		path       string
	}
	out := make([]rule.Finding, 0, len(fs))
	seen := map[key][]string{}
	at := map[key]int{}
	firstDir := map[key]string{} // the first build's folder, as it is
	for _, f := range fs {
		b := s.byName[f.File]
		if b == nil {
			out = append(out, f)
			continue
		}
		f.Rendered = &rule.Rendered{File: b.Name, Line: f.Line}
		// A fix's edits are in the build's output, which is no file: a
		// fix on the source is not known.
		f.Fix = nil
		if p, ok := s.locate(b, f.Line, f.Path); ok {
			f.File, f.Line, f.Column, f.Span, f.Fallback = p.src.Path, p.line, p.column, max(p.span, 1), p.fallback
			f.Source, f.Snippet, f.SnippetShift = p.src, "", 0
		}
		k := key{f.Rule, f.File, f.Line, f.Column, f.Path.String()}
		if _, ok := at[k]; ok {
			if d := b.shown(); !containsString(seen[k], d) {
				seen[k] = append(seen[k], d)
			}
			continue
		}
		at[k] = len(out)
		seen[k], firstDir[k] = []string{b.shown()}, b.Dir
		out = append(out, f)
	}
	for k, i := range at {
		dirs := seen[k]
		f := &out[i]
		// Name the builds when the finding is in a file outside the one
		// build's folder (a base), or seen through several.
		if len(dirs) > 1 || !inside(f.File, firstDir[k]) {
			sort.Strings(dirs)
			f.Message += " (seen in " + strings.Join(dirs, ", ") + ")"
		}
	}
	return out
}

// shown is the build's folder as a message names it: relative to
// Options.Root when the folder is an absolute path below it (an editor's
// workspace gives absolute paths), else as the user wrote it.
func (b *Build) shown() string {
	if b.opts == nil || b.opts.Root == "" || !filepath.IsAbs(b.Dir) {
		return b.Dir
	}
	root, err := filepath.Abs(b.opts.Root)
	if err != nil {
		return b.Dir
	}
	rel, err := filepath.Rel(root, b.Dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return b.Dir
	}
	return filepath.ToSlash(rel)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// inside reports whether file is in dir or below it.
func inside(file, dir string) bool {
	a, err1 := filepath.Abs(file)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, a)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// docAt is the resource of b on the output's line.
func (b *Build) docAt(line int) *builtDoc {
	i := sort.Search(len(b.docs), func(i int) bool { return b.docs[i].last >= line })
	if i < len(b.docs) && b.docs[i].first <= line {
		return b.docs[i]
	}
	return nil
}

// locate finds where the field path of the resource on the output's line
// comes from. From the outermost kustomization to the one that lists the
// resource's file: a transformer of that kustomization that sets the
// field (namePrefix/nameSuffix, namespace, images, replicas, labels,
// commonLabels, commonAnnotations) at its line there, else the last of its
// patches that sets the field, at the patch's line; then the field in the
// origin file's document (found by kind and name), or its nearest parent.
// A generated resource (configMapGenerator) points at its generator entry.
func (s *Set) locate(b *Build, line int, path manifest.Path) (place, bool) {
	d := b.docAt(line)
	if d == nil || b.node(d) == nil {
		return place{}, false
	}
	s.resolve(b, d)
	d.helm = b.helm.inflation(d.origin) != nil
	chain := chainTo(b.root, d)
	for _, k := range chain {
		if p, ok := transformerPlace(k, d, path); ok {
			return p, true
		}
		for i := len(k.patches) - 1; i >= 0; i-- {
			if p, ok := patchPlace(k.patches[i], d, path); ok {
				return p, true
			}
		}
	}
	if in := b.helm.inflation(d.origin); in != nil {
		if p, ok := helmPlace(in, d, path); ok {
			return p, true
		}
	}
	if d.origin != "" {
		if src, docs := s.originFile(d.origin); src != nil {
			if doc := pickDoc(docs, d); doc != nil {
				return nodePlace(src, d.node, doc, path, 0, 0), true
			}
		}
	}
	if d.configured != "" {
		for _, k := range s.model.byDir {
			if abs, _ := filepath.Abs(k.file); filepath.Clean(abs) == d.configured {
				if p, ok := generatorPlace(k, d); ok {
					return p, true
				}
			}
		}
	}
	if b.root.src != nil {
		return place{src: b.root.src, line: 1, column: 1, fallback: true}, true
	}
	return place{}, false
}

// resolve finds the file a built resource comes from: the resource file
// of the build's tree with a document of its kind whose name is the
// longest part of its name (or the generator that made it). When several
// files are as good, kustomize's own answer is asked for (originBuild).
func (s *Set) resolve(b *Build, d *builtDoc) {
	if d.resolved {
		return
	}
	var best []candidate
	bestLen := -1
	for _, n := range s.index(b)[d.kind] {
		if !nameMatches(d.name, n.name) {
			continue
		}
		switch l := len(n.name); {
		case l > bestLen:
			best, bestLen = []candidate{n.candidate}, l
		case l == bestLen && !slices.Contains(best, n.candidate):
			best = append(best, n.candidate)
		}
	}
	if len(best) != 1 {
		b.originBuild()
	}
	if !d.resolved && len(best) > 0 {
		d.origin, d.configured = best[0].origin, best[0].configured
	}
	d.resolved = true
}

// candidate is a file a built resource may come from.
type candidate struct{ origin, configured string }

// named is a document of a resource file, or a generator, by name.
type named struct {
	name string
	candidate
}

// index lists, by kind, the documents of the resource files of b's tree
// and its generators: built once per build, when a finding first needs
// it.
func (s *Set) index(b *Build) map[string][]named {
	if b.byKind != nil {
		return b.byKind
	}
	b.byKind = map[string][]named{}
	seen := map[*kust]bool{}
	var walk func(k *kust)
	walk = func(k *kust) {
		if seen[k] {
			return
		}
		seen[k] = true
		for _, e := range k.entries {
			if in := b.helm.inflation(e.abs); in != nil && e.field == "helmCharts" {
				for _, hd := range in.docs {
					kind := scalar(hd.node, "kind")
					b.byKind[kind] = append(b.byKind[kind], named{scalar(hd.node, "metadata", "name"), candidate{origin: e.abs}})
				}
				continue
			}
			if e.abs == "" || (e.field != "resources" && e.field != "bases") || !k.holds(e.abs) {
				continue
			}
			_, docs := s.originFile(e.abs)
			for _, doc := range docs {
				kind := scalar(doc, "kind")
				b.byKind[kind] = append(b.byKind[kind], named{scalar(doc, "metadata", "name"), candidate{origin: e.abs}})
			}
		}
		if k.top != nil {
			abs, _ := filepath.Abs(k.file)
			for _, g := range []struct{ key, kind string }{{"configMapGenerator", "ConfigMap"}, {"secretGenerator", "Secret"}} {
				if seq := child(k.top, g.key); seq != nil && seq.Kind == yaml.SequenceNode {
					for _, it := range seq.Content {
						b.byKind[g.kind] = append(b.byKind[g.kind], named{scalar(it, "name"), candidate{configured: filepath.Clean(abs)}})
					}
				}
			}
		}
		for _, c := range k.children {
			walk(c)
		}
	}
	walk(b.root)
	return b.byKind
}

// chainTo returns the kustomizations from root down to the one that
// lists d's origin file (or generated it); just root when none does.
func chainTo(root *kust, d *builtDoc) []*kust {
	var path []*kust
	var found []*kust
	seen := map[*kust]bool{}
	var walk func(k *kust) bool
	walk = func(k *kust) bool {
		if seen[k] {
			return false
		}
		seen[k] = true
		path = append(path, k)
		defer func() { path = path[:len(path)-1] }()
		for _, e := range k.entries {
			if e.abs != "" && e.abs == d.origin {
				found = append([]*kust(nil), path...)
				return true
			}
		}
		if d.configured != "" {
			if abs, _ := filepath.Abs(k.file); filepath.Clean(abs) == d.configured {
				found = append([]*kust(nil), path...)
				return true
			}
		}
		for _, c := range k.children {
			if walk(c) {
				return true
			}
		}
		return false
	}
	if walk(root) {
		return found
	}
	return []*kust{root}
}

// originFile reads and parses a resource file once per run.
func (s *Set) originFile(abs string) (*manifest.Source, []*yaml.Node) {
	if s.origins == nil {
		s.origins = map[string]*parsedFile{}
	}
	if pf, ok := s.origins[abs]; ok {
		return pf.src, pf.docs
	}
	pf := &parsedFile{}
	s.origins[abs] = pf
	data, err := readLimited(abs, s.model.opts.MaxFileSize)
	if err != nil {
		return nil, nil
	}
	pf.src = &manifest.Source{Path: s.shown(abs), Data: data}
	pf.docs = documents(data)
	return pf.src, pf.docs
}

// parsedFile is an origin file, read once.
type parsedFile struct {
	src  *manifest.Source
	docs []*yaml.Node
}

// shown is an absolute path as the user would write it: relative to the
// current folder when inside it.
func (s *Set) shown(abs string) string {
	for _, k := range s.model.byDir {
		if rel, err := filepath.Rel(k.abs, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join(k.dir, rel)
		}
	}
	if wd, err := filepath.Abs("."); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil {
			return rel
		}
	}
	return abs
}

// pickDoc finds d's document in its origin file: the one of its kind
// whose name is the longest part of the built name (kustomize adds
// prefixes, suffixes and hashes to names).
func pickDoc(docs []*yaml.Node, d *builtDoc) *yaml.Node {
	var best *yaml.Node
	bestLen := -1
	for _, doc := range docs {
		if scalar(doc, "kind") != d.kind {
			continue
		}
		name := scalar(doc, "metadata", "name")
		if strings.Contains(d.name, name) && len(name) > bestLen {
			best, bestLen = doc, len(name)
		}
	}
	if best == nil && len(docs) == 1 {
		return docs[0]
	}
	return best
}

// translate follows path through built (the built resource) and src (a
// document of a source file) in step: a list item that has a name is
// found in src by its name (a patch lists containers by name), others by
// index. It returns the deepest src node reached, its key node, and
// whether the whole path was found.
func translate(built, src *yaml.Node, path manifest.Path) (node, key *yaml.Node, exact bool) {
	node = src
	for _, seg := range path {
		if seg.Key != "" || seg.Index < 0 {
			k, v := pair(node, seg.Key)
			if v == nil {
				return node, key, false
			}
			_, bv := pair(built, seg.Key)
			node, key, built = v, k, bv
			continue
		}
		if node == nil || node.Kind != yaml.SequenceNode {
			return node, key, false
		}
		var bItem *yaml.Node
		if built != nil && built.Kind == yaml.SequenceNode && seg.Index < len(built.Content) {
			bItem = built.Content[seg.Index]
		}
		var item *yaml.Node
		if name := scalar(bItem, "name"); name != "" {
			for _, it := range node.Content {
				if scalar(it, "name") == name {
					item = it
				}
			}
		} else if seg.Index < len(node.Content) {
			item = node.Content[seg.Index]
		}
		if item == nil {
			return node, key, false
		}
		node, key, built = item, item, bItem
	}
	return node, key, true
}

// pair returns key's key and value nodes in mapping n.
func pair(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// nodePlace is where path is in doc (of src), as validate.Locate places
// a field: a scalar's value, a block collection's key, or the nearest
// parent's key when the field is missing.
func nodePlace(src *manifest.Source, built, doc *yaml.Node, path manifest.Path, lineShift, colShift int) place {
	n, k, exact := translate(built, doc, path)
	p := place{src: src, span: 1, fallback: !exact}
	at := n
	if k != nil && (!exact || n.Kind != yaml.ScalarNode) {
		at = k
		p.span = len(k.Value)
	} else if n != nil && n.Kind == yaml.ScalarNode {
		p.span = len([]rune(n.Value))
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			p.span += 2
		}
	}
	if at == nil || at == doc && k == nil {
		at = doc
		p.span = 1
	}
	p.line, p.column = at.Line+lineShift, at.Column+colShift
	if n == doc && len(path) > 0 {
		// Nothing of the path is there: the document's first key.
		if doc.Kind == yaml.MappingNode && len(doc.Content) > 0 {
			p.line, p.column = doc.Content[0].Line+lineShift, doc.Content[0].Column+colShift
		}
	}
	if p.span < 1 {
		p.span = 1
	}
	return p
}

// patchPlace is where a patch sets path on d, if it does.
func patchPlace(p *patch, d *builtDoc, path manifest.Path) (place, bool) {
	if p.targetKind != "" && p.targetKind != d.kind {
		return place{}, false
	}
	if p.targetName != "" {
		re, err := regexp.Compile("^(?:" + p.targetName + ")$")
		if err != nil || !re.MatchString(d.name) && !nameMatches(d.name, p.targetName) {
			return place{}, false
		}
	}
	for _, doc := range p.docs {
		if doc.Kind == yaml.SequenceNode { // a JSON 6902 patch
			if pl, ok := opsPlace(p, d, doc, path); ok {
				return pl, true
			}
			continue
		}
		if p.targetKind == "" && p.targetName == "" {
			if scalar(doc, "kind") != d.kind || !nameMatches(d.name, scalar(doc, "metadata", "name")) {
				continue
			}
		}
		if len(path) == 0 {
			continue
		}
		if _, _, exact := translate(d.node, doc, path); exact {
			return nodePlace(p.src, d.node, doc, path, p.lineShift, p.colShift), true
		}
	}
	return place{}, false
}

// nameMatches reports whether a built name comes from name (prefixes,
// suffixes, hashes added).
func nameMatches(built, name string) bool { return name != "" && strings.Contains(built, name) }

// opsPlace is where a JSON 6902 patch's add or replace sets path: its
// value, or the field inside it.
func opsPlace(p *patch, d *builtDoc, ops *yaml.Node, path manifest.Path) (place, bool) {
	for i := len(ops.Content) - 1; i >= 0; i-- {
		op := ops.Content[i]
		switch scalar(op, "op") {
		case "add", "replace", "copy", "move":
		default:
			continue
		}
		target := pointerPath(scalar(op, "path"), d.node)
		if target == nil || len(target) > len(path) || !path.HasPrefix(target) {
			continue
		}
		_, v := pair(op, "value")
		if v == nil {
			continue
		}
		built := d.node
		if len(target) > 0 {
			built, _, _ = translate(d.node, d.node, target)
		}
		rest := path[len(target):]
		if _, _, exact := translate(built, v, rest); !exact {
			continue
		}
		pl := nodePlace(p.src, built, v, rest, p.lineShift, p.colShift)
		return pl, true
	}
	return place{}, false
}

// pointerPath turns a JSON pointer into a path ("-", the end of a list,
// is the built list's last item).
func pointerPath(ptr string, built *yaml.Node) manifest.Path {
	if !strings.HasPrefix(ptr, "/") {
		return nil
	}
	var out manifest.Path
	n := built
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if n != nil && n.Kind == yaml.SequenceNode {
			i, err := strconv.Atoi(tok)
			if tok == "-" {
				i, err = len(n.Content)-1, nil
			}
			if err != nil || i < 0 {
				return nil
			}
			out = out.Item(i)
			if i < len(n.Content) {
				n = n.Content[i]
			} else {
				n = nil
			}
			continue
		}
		out = out.Field(tok)
		_, n = pair(n, tok)
	}
	return out
}

// transformerPlace is the kustomization line of a transformer of k that
// sets path on d.
func transformerPlace(k *kust, d *builtDoc, path manifest.Path) (place, bool) {
	if k.top == nil || len(path) == 0 {
		return place{}, false
	}
	at := func(n *yaml.Node) (place, bool) {
		if n == nil {
			return place{}, false
		}
		span := 1
		if n.Kind == yaml.ScalarNode {
			span = len([]rune(n.Value))
		}
		return place{src: k.src, line: n.Line, column: n.Column, span: span}, true
	}
	s := path.String()
	switch {
	case s == "metadata.name":
		for _, key := range []string{"namePrefix", "nameSuffix"} {
			if v := child(k.top, key); v != nil {
				return at(v)
			}
		}
	case s == "metadata.namespace" || strings.HasSuffix(s, "].namespace") && strings.HasPrefix(s, "subjects["):
		if d.helm {
			break // kustomize leaves a chart's namespaces to the chart
		}
		return at(child(k.top, "namespace"))
	case s == "spec.replicas":
		if seq := child(k.top, "replicas"); seq != nil && seq.Kind == yaml.SequenceNode {
			for _, it := range seq.Content {
				if nameMatches(d.name, scalar(it, "name")) {
					if c := child(it, "count"); c != nil {
						return at(c)
					}
					return at(it)
				}
			}
		}
	case path[len(path)-1].Key == "image":
		img := scalarAt(d.node, path)
		if seq := child(k.top, "images"); seq != nil && seq.Kind == yaml.SequenceNode && img != "" {
			repo := imageRepo(img)
			for _, it := range seq.Content {
				name, newName := scalar(it, "name"), scalar(it, "newName")
				if repo != name && repo != newName {
					continue
				}
				for _, f := range []string{"newTag", "digest", "newName", "name"} {
					if v := child(it, f); v != nil {
						return at(v)
					}
				}
			}
		}
	}
	// Labels and annotations that the kustomization adds.
	if n := len(path); n >= 2 && path[n-1].Key != "" {
		parent := path[n-2].Key
		name := path[n-1].Key
		switch parent {
		case "labels", "matchLabels", "selector":
			if m := child(k.top, "commonLabels"); m != nil {
				if kn, _ := pair(m, name); kn != nil {
					return at(kn)
				}
			}
			if seq := child(k.top, "labels"); seq != nil && seq.Kind == yaml.SequenceNode {
				for _, it := range seq.Content {
					if kn, _ := pair(child(it, "pairs"), name); kn != nil {
						return at(kn)
					}
				}
			}
		case "annotations":
			if m := child(k.top, "commonAnnotations"); m != nil {
				if kn, _ := pair(m, name); kn != nil {
					return at(kn)
				}
			}
		}
	}
	return place{}, false
}

// generatorPlace is the configMapGenerator or secretGenerator entry of k
// that made d.
func generatorPlace(k *kust, d *builtDoc) (place, bool) {
	for _, gen := range []string{"configMapGenerator", "secretGenerator"} {
		seq := child(k.top, gen)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range seq.Content {
			if n := child(it, "name"); n != nil && nameMatches(d.name, n.Value) {
				return place{src: k.src, line: n.Line, column: n.Column, span: len(n.Value)}, true
			}
		}
	}
	return place{}, false
}

// scalarAt is the scalar at path in n ("" when absent).
func scalarAt(n *yaml.Node, path manifest.Path) string {
	v, _, exact := translate(n, n, path)
	if !exact || v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// imageRepo is an image reference without its tag or digest.
func imageRepo(img string) string {
	if i := strings.Index(img, "@"); i >= 0 {
		img = img[:i]
	}
	if i := strings.LastIndex(img, ":"); i >= 0 && !strings.Contains(img[i:], "/") {
		img = img[:i]
	}
	return img
}
