package validate

import (
	"bytes"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Ignore directives. On an object:
//
//	metadata:
//	  annotations:
//	    kvet.dev/ignore: "rule-a,rule-b"
//	    kvet.dev/ignore.rule-a: "why"      # the reason (optional)
//
// On a pod template's metadata the annotation covers findings inside
// that template only. In a file, as a comment:
//
//	# kvet:ignore rule-a,rule-b -- why    (this line, or the next when alone on its line)
//	# kvet:ignore-file rule-a -- why      (the whole file)
const (
	// AnnotationIgnore lists the rule ids to ignore on an object.
	AnnotationIgnore = "kvet.dev/ignore"
)

// directive is one ignore: which rules it silences, where.
type directive struct {
	file   string
	pos    manifest.Position
	rules  []string
	reason string
	// Scope: a line (comment), a whole file, or an object (optionally a
	// path prefix inside it: a pod template).
	line   int
	whole  bool
	object *rule.ObjectRef
	prefix manifest.Path
	used   map[string]bool
}

func (d *directive) covers(f *rule.Finding) (string, bool) {
	if f.File != d.file || f.Rule == rule.InternalError {
		return "", false
	}
	match := ""
	for _, r := range d.rules {
		if r == f.Rule {
			match = r
		}
	}
	if match == "" {
		return "", false
	}
	switch {
	case d.whole:
	case d.object != nil:
		if f.Object != *d.object {
			return "", false
		}
		if !f.Path.HasPrefix(d.prefix) {
			return "", false
		}
	default:
		if f.Line != d.line {
			return "", false
		}
	}
	return match, true
}

var commentDirective = regexp.MustCompile(`#\s*kvet:(ignore-file|ignore)\s+([A-Za-z0-9_./,-]+)(?:\s+--\s*([^#]*))?`)

// sourceDirectives reads the # kvet:ignore comments of a file.
func sourceDirectives(src *manifest.Source) []*directive {
	if !bytes.Contains(src.Data, []byte("kvet:ignore")) {
		return nil
	}
	var out []*directive
	lines := strings.Split(string(src.Data), "\n")
	var spans []byteSpan
	spansRead := false
	off := 0 // of line i
	for i, l := range lines {
		lineOff := off
		off += len(l) + 1
		m := commentDirective.FindStringSubmatchIndex(l)
		if m == nil {
			continue
		}
		if !spansRead {
			spans, spansRead = dataSpans(src.Data), true
		}
		if m[0] > 0 && l[m[0]-1] != ' ' && l[m[0]-1] != '\t' || inSpans(spans, lineOff+m[0]) {
			continue // in a scalar (a comment follows a space): data
		}
		kind, ids := l[m[2]:m[3]], l[m[4]:m[5]]
		reason := ""
		if m[6] >= 0 {
			reason = strings.TrimSpace(l[m[6]:m[7]])
		}
		d := &directive{file: src.Path, pos: manifest.Position{Line: i + 1, Column: m[0] + 1},
			rules: splitIDs(ids), reason: reason, used: map[string]bool{}}
		switch {
		case kind == "ignore-file":
			d.whole = true
		case strings.TrimSpace(l[:m[0]]) == "":
			// Alone on its line: it covers the next line with content.
			d.line = i + 2
			for j := i + 1; j < len(lines); j++ {
				if t := strings.TrimSpace(lines[j]); t != "" && !strings.HasPrefix(t, "#") {
					d.line = j + 1
					break
				}
			}
		default:
			d.line = i + 1
		}
		out = append(out, d)
	}
	return out
}

func splitIDs(s string) []string {
	var out []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// annotationSites are where an object carries ignore annotations: its own
// metadata and that of the pod (or job) templates inside it, by prefix.
var annotationSites = func() []annotationSite {
	var out []annotationSite
	spec := manifest.Path{}.Field("spec")
	for _, prefix := range []manifest.Path{nil, spec.Field("template"), spec.Field("jobTemplate").Field("spec").Field("template"), spec.Field("jobTemplate")} {
		path := prefix.Field("metadata").Field("annotations")
		keys := make([]string, len(path))
		for i, s := range path {
			keys[i] = s.Key
		}
		out = append(out, annotationSite{prefix: prefix, path: path, keys: keys})
	}
	return out
}()

type annotationSite struct {
	prefix, path manifest.Path
	keys         []string // path's keys
}

// objectDirectives reads an object's kvet.dev/ignore annotations, and
// those of the pod (or job) templates inside it.
func objectDirectives(o *manifest.Object) []*directive {
	if o.Source == nil || !o.Source.Has(AnnotationIgnore) {
		return nil
	}
	var out []*directive
	for _, site := range annotationSites {
		ann := o.StringMap(site.keys...)
		ids := ann[AnnotationIgnore]
		if ids == "" {
			continue
		}
		rules := splitIDs(ids)
		reasons := []string{}
		for _, r := range rules {
			if why := ann[AnnotationIgnore+"."+r]; why != "" {
				reasons = append(reasons, r+": "+why)
			}
		}
		loc := o.Locate(site.path.Field(AnnotationIgnore))
		ref := rule.RefOf(o)
		out = append(out, &directive{file: o.Source.Path, pos: loc.Value, rules: rules,
			reason: strings.Join(reasons, "; "), object: &ref, prefix: site.prefix, used: map[string]bool{}})
	}
	return out
}

// settle applies the configuration (Options.Enabled, Options.Adjust) and
// the ignore directives to the run's findings, and returns the kept and
// the ignored ones, sorted. Ignores see every finding, those the
// configuration turns off too, so that disabling a rule (for some files)
// does not turn its ignores into unused-ignore; then the configuration
// filters. unused-ignore findings go through the configuration and the
// ignores like any rule's.
func (e *engine) settle(fs []rule.Finding) (kept, ignored []rule.Finding) {
	// In place: the findings of a large run (680,000 on 100,000
	// documents with every group) are copied as few times as can be.
	on, off := fs[:0], []rule.Finding(nil)
	for i := range fs {
		f := fs[i]
		if e.keep(&f) {
			on = append(on, f)
		} else {
			off = append(off, f)
		}
	}
	Sort(on)
	on = dropRestated(dedupe(on), e.apart)
	ds := e.sortedDirectives()
	kept, ignored = applyIgnores(on, ds)
	_, _ = applyIgnores(off, ds) // marks the directives they match used
	more, ig := e.unusedFindings(ds)
	kept = append(kept, more...)
	ignored = append(ignored, ig...)
	Sort(kept)
	Sort(ignored)
	return kept, ignored
}

// sortedDirectives sorts the run's directives (by file and line), so that
// their unused-ignore findings are too, and returns them.
func (e *engine) sortedDirectives() []*directive {
	ds := e.directives
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.file != b.file {
			return a.file < b.file
		}
		return a.pos.Line < b.pos.Line
	})
	return ds
}

// unusedFindings returns the unused-ignore findings of the directives
// once every other finding went through them, as the configuration has
// them: those kept and those ignored in turn.
func (e *engine) unusedFindings(ds []*directive) (kept, ignored []rule.Finding) {
	// A rule that did not run at all (off for the whole run) found
	// nothing its ignores could match: they are not reported.
	ran := func(id string) bool { return e.opts.Enabled == nil || e.opts.Enabled(id) }
	var unused []rule.Finding
	for _, f := range unusedIgnores(ds, e.dirSources, ran) {
		if e.keep(&f) {
			unused = append(unused, f)
		}
	}
	// unused-ignore findings can be ignored too (kvet:ignore unused-ignore);
	// an ignore of unused-ignore that matches none is reported, not
	// ignorable in turn.
	kept, ignored = applyIgnores(unused, ds)
	for _, d := range ds {
		if slices.Contains(d.rules, rule.UnusedIgnore) && !d.used[rule.UnusedIgnore] {
			f := unusedFinding(d, rule.UnusedIgnore, e.dirSources)
			if e.keep(&f) {
				kept = append(kept, f)
			}
		}
	}
	return kept, ignored
}

// noteMapped records a file a finding was mapped back to, for
// ignoreMapped.
func (e *engine) noteMapped(src *manifest.Source) {
	if e.mapped == nil {
		e.mapped = map[string]*manifest.Source{}
	}
	if _, ok := e.mapped[src.Path]; !ok {
		e.mapped[src.Path] = src
	}
}

// ignoreMapped applies the "# kvet:ignore" comments of the files findings
// were mapped back to (a template, a values file, a kustomize base or
// patch: files that are not linted themselves, and whose comments a
// build drops) to the findings there; ignores on the rendered text and
// on objects were applied by settle. A comment there that matches
// nothing is not reported as unused: the run may not build every
// rendering the file is part of.
func (e *engine) ignoreMapped(fs, ignored []rule.Finding) (kept, all []rule.Finding) {
	if len(e.mapped) == 0 {
		return fs, ignored
	}
	var ds []*directive
	for p, src := range e.mapped {
		if _, linted := e.dirSources[p]; linted || src == nil {
			continue
		}
		ds = append(ds, sourceDirectives(src)...)
		e.mapped[p] = nil // read once
	}
	e.mappedDirs = append(e.mappedDirs, ds...)
	if len(e.mappedDirs) == 0 {
		return fs, ignored
	}
	kept, more := applyIgnores(fs, e.mappedDirs)
	if len(more) == 0 {
		return kept, ignored
	}
	ignored = append(ignored, more...)
	Sort(ignored)
	return kept, ignored
}

// keep applies the configuration to f (its severity too) and reports
// whether f stays; internal errors always do.
func (e *engine) keep(f *rule.Finding) bool {
	if f.Rule == rule.InternalError {
		return true
	}
	if e.opts.Enabled != nil && !f.Policy && !e.opts.Enabled(f.Rule) {
		return false // a policy's finding is the configuration's (Adjust)
	}
	return e.opts.Adjust == nil || e.opts.Adjust(f)
}

// applyIgnores removes the findings directives cover and marks those
// directives used. It returns the kept and the ignored findings; kept
// reuses fs's array, so fs must not be used after.
func applyIgnores(fs []rule.Finding, ds []*directive) (kept, ignored []rule.Finding) {
	if len(ds) == 0 {
		return fs, nil
	}
	byFile := directivesByFile(ds)
	kept = fs[:0] // in place: fs is not used after
	for i := range fs {
		f := fs[i]
		hit := false
		for _, d := range byFile[f.File] {
			if id, ok := d.covers(&f); ok {
				d.used[id] = true
				if !hit && d.reason != "" {
					f.Help = "ignored: " + d.reason
				}
				hit = true
			}
		}
		if hit {
			ignored = append(ignored, f)
		} else {
			kept = append(kept, f)
		}
	}
	return kept, ignored
}

// directivesByFile groups directives by their file.
func directivesByFile(ds []*directive) map[string][]*directive {
	byFile := map[string][]*directive{}
	for _, d := range ds {
		byFile[d.file] = append(byFile[d.file], d)
	}
	return byFile
}

// unusedIgnores reports, for each directive, the ids of rules that ran
// (ran) and that it matched no finding of; ignores of unused-ignore
// itself are settled after these.
func unusedIgnores(ds []*directive, sources map[string]*manifest.Source, ran func(id string) bool) []rule.Finding {
	var out []rule.Finding
	for _, d := range ds {
		for _, id := range d.rules {
			if d.used[id] || id == rule.UnusedIgnore || !ran(id) {
				continue
			}
			out = append(out, unusedFinding(d, id, sources))
		}
	}
	return out
}

func unusedFinding(d *directive, id string, sources map[string]*manifest.Source) rule.Finding {
	snippet, shift := sources[d.file].Snippet(d.pos.Line, d.pos.Column)
	return rule.Finding{
		Rule: rule.UnusedIgnore, Severity: rule.Warning, File: d.file, Line: d.pos.Line, Column: d.pos.Column,
		Message: "ignore of " + id + " matches no finding",
		Help:    "remove " + id + " from this ignore (it is stale, or the rule id is misspelt)",
		Object:  derefRef(d.object), Snippet: snippet, SnippetShift: shift, Span: len("kvet:ignore"),
	}
}

func derefRef(r *rule.ObjectRef) rule.ObjectRef {
	if r == nil {
		return rule.ObjectRef{}
	}
	return *r
}
