package validate

import (
	"slices"
	"sort"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Findings are a run's findings in order (Options.Lazy), kept in the
// engine's compact log and each made into a rule.Finding only when read
// (At): a writer that goes through them holds one at a time. On 100,000
// documents with every group on (about 680,000 findings), making them
// all at once took kvet lint -o json to a peak RSS of 1.17 GB; made one
// at a time, 0.87 GB.
type Findings struct {
	log   *findingLog
	order []int32 // records, in output order
}

// Len is how many findings there are.
func (fs *Findings) Len() int {
	if fs == nil {
		return 0
	}
	return len(fs.order)
}

// At returns finding i, made anew on each call.
func (fs *Findings) At(i int) rule.Finding { return fs.log.at(int(fs.order[i])) }

// Rule is finding i's rule id, without making the finding.
func (fs *Findings) Rule(i int) string { return fs.log.strs[fs.log.recs[fs.order[i]].rule] }

// Severity is finding i's severity, without making the finding.
func (fs *Findings) Severity(i int) rule.Severity { return fs.log.recs[fs.order[i]].severity }

// File is finding i's file, without making the finding.
func (fs *Findings) File(i int) string { return fs.log.strs[fs.log.recs[fs.order[i]].file] }

// All makes every finding, in order.
func (fs *Findings) All() []rule.Finding {
	out := make([]rule.Finding, fs.Len())
	for i := range out {
		out[i] = fs.At(i)
	}
	return out
}

// lazy reports whether the run's findings can stay in the log to the
// end: asked for, and none needs moving to another file (a chart's
// rendering, a kustomize build), which works on them all at once. The
// cross-object findings are in e.findings.
func (e *engine) lazy() bool {
	if !e.opts.Lazy || len(e.rendered) > 0 || e.opts.Remap != nil {
		return false
	}
	for i := range e.findings {
		if src := e.findings[i].Source; src != nil && src.Origin != nil {
			return false
		}
	}
	return true
}

// settleLog is settle on the findings in the log, which stay there: the
// same findings kept, in the same order, the same ignored (made, as
// they are few), the log's records only ordered and filtered.
func (e *engine) settleLog() (kept *Findings, ignored []rule.Finding) {
	l := &e.log
	ds := e.sortedDirectives()
	byFile := directivesByFile(ds)
	on := make([]int32, 0, len(l.recs))
	var segs manifest.Path // f's path, reused: f is not kept
	for i := range l.recs {
		// The configuration judges a finding by its rule, file and place
		// (Options.Adjust): decoding every finding's texts for it was
		// 0.7-1 s of 100,000 documents with every group.
		h := l.head(i)
		if e.keep(&h) {
			l.recs[i].severity = h.Severity // as configured
			on = append(on, int32(i))
			continue
		}
		if len(byFile[h.File]) == 0 {
			continue
		}
		var f rule.Finding
		f, segs = l.decode(i, segs[:0])
		for _, d := range byFile[f.File] { // marks the directives they match used
			if id, ok := d.covers(&f); ok {
				d.used[id] = true
			}
		}
	}
	sort.SliceStable(on, func(a, b int) bool { return l.less(on[a], on[b]) })
	on = l.dedupe(on)
	on = l.dropRestated(on, e.apart)
	// applyIgnores, reading only the findings of files with directives.
	out := on[:0]
	for _, i := range on {
		if len(byFile[l.strs[l.recs[i].file]]) == 0 {
			out = append(out, i)
			continue
		}
		f := l.at(int(i))
		if k, ig := applyIgnores([]rule.Finding{f}, ds); len(ig) > 0 {
			ignored = append(ignored, ig...)
		} else if len(k) > 0 {
			out = append(out, i)
		}
	}
	on = out
	extra, ig := e.unusedFindings(ds)
	ignored = append(ignored, ig...)
	Sort(ignored)
	if len(extra) > 0 {
		// As Sort(kept) after appending them: merged, the run's first.
		Sort(extra)
		first := len(l.recs)
		l.add(extra)
		merged := make([]int32, 0, len(on)+len(extra))
		j := int32(first)
		for _, i := range on {
			for ; int(j) < len(l.recs) && l.less(j, i); j++ {
				merged = append(merged, j)
			}
			merged = append(merged, i)
		}
		for ; int(j) < len(l.recs); j++ {
			merged = append(merged, j)
		}
		on = merged
	}
	return &Findings{log: l, order: slices.Clip(on)}, ignored
}

// dedupe is dedupe on sorted records.
func (l *findingLog) dedupe(on []int32) []int32 {
	out := on[:0]
	for k, i := range on {
		if k > 0 && l.same(on[k-1], i) {
			continue
		}
		out = append(out, i)
	}
	return out
}

// dropRestated is dropRestated on records. Only the objects with a
// restating finding are looked at; their keys are copied out of the log.
func (l *findingLog) dropRestated(on []int32, apart map[string]bool) []int32 {
	type objKey struct {
		file, apiVersion, kind, namespace uint32
		name                              string
	}
	objOf := func(r *packedFinding, i int32) objKey {
		return objKey{r.file, r.apiVersion, r.kind, r.namespace, string(l.nameOf(i))}
	}
	restating := map[objKey]bool{}
	for _, i := range on {
		if r := &l.recs[i]; r.secondary {
			restating[objOf(r, i)] = true
		}
	}
	if len(restating) == 0 {
		return on
	}
	type key struct {
		obj  objKey
		path string
	}
	type lineKey struct {
		obj  objKey
		line int32
		body string
	}
	own := map[key]bool{}
	exact := map[lineKey]bool{}
	for _, i := range on {
		r := &l.recs[i]
		obj := objOf(r, i)
		if !restating[obj] {
			continue
		}
		if r.path > 0 && !r.secondary && !apart[l.strs[r.rule]] {
			own[key{obj, string(l.pathOf(i))}] = true
		}
		if !r.fallback {
			exact[lineKey{obj, r.line, body(string(l.messageOf(i)))}] = true
		}
	}
	out := on[:0]
	for _, i := range on {
		r := &l.recs[i]
		if r.secondary {
			obj := objOf(r, i)
			if own[key{obj, string(l.pathOf(i))}] ||
				r.fallback && exact[lineKey{obj, r.line, body(string(l.messageOf(i)))}] {
				continue
			}
		}
		out = append(out, i)
	}
	return out
}
