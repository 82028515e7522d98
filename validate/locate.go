package validate

import (
	"slices"
	"sort"
	"strings"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Locate builds a finding about path in o, positioned at the path's value
// (or, when the field is absent, at its nearest parent's key:
// manifest.Object.Spot).
func Locate(o *manifest.Object, id string, sev rule.Severity, path manifest.Path, msg, help string) rule.Finding {
	s := o.Spot(path)
	return rule.Finding{
		Rule: id, Severity: sev, Message: msg, Help: help,
		File: o.Source.Path, Path: path, Object: rule.RefOf(o), Source: o.Source,
		Line: s.Line, Column: s.Column, Span: s.Span, Fallback: s.Fallback,
	}
}

func objectFinding(o *manifest.Object, id string, sev rule.Severity, msg, help string) rule.Finding {
	pos := o.Pos()
	return rule.Finding{
		Rule: id, Severity: sev, Message: msg, Help: help, File: o.Source.Path,
		Line: pos.Line, Column: pos.Column, Object: rule.RefOf(o), Source: o.Source, Span: 1,
	}
}

func problemFinding(p manifest.Problem) rule.Finding {
	f := rule.Finding{
		Rule: p.Code, Severity: rule.Error, Message: p.Message, Help: p.Help,
		File: p.Source.Path, Line: p.Pos.Line, Column: p.Pos.Column, Path: p.Path,
		Object: rule.RefOf(p.Object), Source: p.Source, Span: 1, Fix: p.Fix,
	}
	if path := p.Path; p.Object != nil && len(path) > 0 {
		if loc := p.Object.Locate(path); loc.Exact {
			if p.Code == manifest.CodeUnknownField || p.Code == manifest.CodeDuplicateKey {
				f.Span = len(path[len(path)-1].Key)
			} else {
				f.Span = loc.Span()
			}
		}
	}
	return f
}

// Sort orders findings by file, line, column, rule and message.
func Sort(fs []rule.Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return less(&fs[i], &fs[j]) })
}

func less(a, b *rule.Finding) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	if a.Rule != b.Rule {
		return a.Rule < b.Rule
	}
	return a.Message < b.Message
}

// dedupeVariants drops exact repeats from sorted findings, as dedupe,
// and names the renderings (a chart's value sets) each finding was seen
// in: "(seen with values-dev.yaml, values-prod.yaml)", or the one set
// that gives it.
func dedupeVariants(fs []rule.Finding) []rule.Finding {
	out := fs[:0]
	var variants []string
	flush := func() {
		if len(variants) == 0 || len(out) == 0 {
			return
		}
		sort.Strings(variants)
		out[len(out)-1].Message += " (seen with " + strings.Join(variants, ", ") + ")"
		variants = variants[:0]
	}
	for i, f := range fs {
		if i == 0 || !same(&fs[i-1], &f) {
			flush()
			out = append(out, f)
		}
		if r := f.Rendered; r != nil && r.Variant != "" && !slices.Contains(variants, r.Variant) {
			variants = append(variants, r.Variant)
		}
	}
	flush()
	return out
}

func same(a, b *rule.Finding) bool {
	return a.Rule == b.Rule && a.File == b.File && a.Line == b.Line && a.Column == b.Column && a.Message == b.Message
}

// dedupe drops exact repeats (same rule, place and message) from sorted
// findings.
func dedupe(fs []rule.Finding) []rule.Finding {
	out := fs[:0]
	for i, f := range fs {
		if i > 0 {
			p := fs[i-1]
			if p.Rule == f.Rule && p.File == f.File && p.Line == f.Line && p.Column == f.Column && p.Message == f.Message {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}
