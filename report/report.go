// Package report turns findings into bytes: one file per output format,
// each a Formatter selected by name (-o).
package report

import (
	"fmt"
	"io"
	"iter"
	"sort"
	"strings"
	"time"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// Report is the outcome of one run.
type Report struct {
	Findings []rule.Finding
	// List, when set, holds the findings instead of Findings: a run's
	// compact log (validate.Findings), each finding made as a writer
	// reaches it, so that a writer holds one at a time.
	List     FindingList
	Files    int
	Objects  int
	Duration time.Duration
	// Rules are the rules that ran (for formats that describe them).
	Rules []*rule.Rule
	// Inputs are the files read and the objects in each, in input order
	// (for formats that list passing files and objects too: junit, tap).
	// Optional: files that only appear in findings are still reported.
	Inputs []Input
	// Version is kvet's version (for formats that name the tool: sarif).
	Version string
	// Ignored are findings silenced by ignore directives, listed only
	// when asked (--show-ignored): text and json show them.
	Ignored []rule.Finding
	// Unchecked counts the objects of kinds kvet has no schema for
	// (custom resources), by kind, most frequent first.
	Unchecked []rule.KindCount
	// Fingerprints, when set, are the findings' fingerprints (one per
	// finding, in order), computed before the findings were filtered
	// (--baseline, --new-from-rev), so a finding keeps the fingerprint it
	// has in an unfiltered run; when nil, formats compute them.
	Fingerprints []string
	// Baselined counts the findings left out because --baseline has
	// them, and Unchanged those left out because they are on lines not
	// changed since --new-from-rev.
	Baselined, Unchanged int
}

// FindingList is a report's findings in order, made one at a time.
type FindingList interface {
	Len() int
	// At makes finding i.
	At(i int) rule.Finding
	// Rule, Severity and File are finding i's, without making it.
	Rule(i int) string
	Severity(i int) rule.Severity
	File(i int) string
}

// count is how many findings the report has.
func (r *Report) count() int {
	if r.List != nil {
		return r.List.Len()
	}
	return len(r.Findings)
}

// all yields the report's findings in order, with their index.
func (r *Report) all() iter.Seq2[int, rule.Finding] {
	return func(yield func(int, rule.Finding) bool) {
		if r.List == nil {
			for i, f := range r.Findings {
				if !yield(i, f) {
					return
				}
			}
			return
		}
		for i := range r.List.Len() {
			if !yield(i, r.List.At(i)) {
				return
			}
		}
	}
}

// Materialize makes every finding of List into Findings, for callers
// that need them all at once (baseline filtering).
func (r *Report) Materialize() {
	if r.List == nil {
		return
	}
	r.Findings = make([]rule.Finding, 0, r.List.Len())
	for _, f := range r.all() {
		r.Findings = append(r.Findings, f)
	}
	r.List = nil
}

// Worst is the highest severity of the report's findings (0 when none).
func (r *Report) Worst() rule.Severity {
	var worst rule.Severity
	for i := range r.count() {
		worst = max(worst, r.severity(i))
	}
	return worst
}

// severity is finding i's severity.
func (r *Report) severity(i int) rule.Severity {
	if r.List != nil {
		return r.List.Severity(i)
	}
	return r.Findings[i].Severity
}

// at makes finding i.
func (r *Report) at(i int) rule.Finding {
	if r.List != nil {
		return r.List.At(i)
	}
	return r.Findings[i]
}

// ruleID is finding i's rule id.
func (r *Report) ruleID(i int) string {
	if r.List != nil {
		return r.List.Rule(i)
	}
	return r.Findings[i].Rule
}

// file is finding i's file.
func (r *Report) file(i int) string {
	if r.List != nil {
		return r.List.File(i)
	}
	return r.Findings[i].File
}

// Input is one file read and the objects loaded from it.
type Input struct {
	File    string
	Objects []rule.ObjectRef
}

// InputsOf lists the files and objects of a load result, in its order.
func InputsOf(res *manifest.Result) []Input {
	out := make([]Input, 0, len(res.Sources))
	index := make(map[*manifest.Source]int, len(res.Sources))
	for _, s := range res.Sources {
		index[s] = len(out)
		out = append(out, Input{File: s.Path})
	}
	for _, o := range res.Objects {
		i, ok := index[o.Source]
		if !ok {
			continue
		}
		out[i].Objects = append(out[i].Objects, rule.RefOf(o))
	}
	return out
}

// files returns every file of the report, inputs first (in their order),
// then files that only appear in findings (sorted), each once.
func (r *Report) files() []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range r.Inputs {
		if !seen[in.File] {
			seen[in.File] = true
			out = append(out, in.File)
		}
	}
	var extra []string
	for i := range r.count() {
		if file := r.file(i); !seen[file] {
			seen[file] = true
			extra = append(extra, file)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// objectName is a short name for an object: Kind/name, or
// Kind/namespace/name; "" for the zero ref.
func objectName(o rule.ObjectRef) string {
	if o == (rule.ObjectRef{}) {
		return ""
	}
	name := o.Name
	if name == "" {
		name = "(unnamed)"
	}
	kind := o.Kind
	if kind == "" {
		kind = "(no kind)"
	}
	if o.Namespace != "" {
		return kind + "/" + o.Namespace + "/" + name
	}
	return kind + "/" + name
}

// Summary counts findings by severity.
type Summary struct {
	Files    int `json:"files"`
	Objects  int `json:"objects"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
	// NotChecked is how many objects kvet had no schema for, and
	// Unchecked their kinds ([] when none).
	NotChecked int              `json:"notChecked"`
	Unchecked  []rule.KindCount `json:"unchecked"`
}

// Summary computes the report's counts.
func (r *Report) Summary() Summary {
	s := Summary{Files: r.Files, Objects: r.Objects, Unchecked: r.Unchecked}
	if s.Unchecked == nil {
		s.Unchecked = []rule.KindCount{}
	}
	for _, k := range r.Unchecked {
		s.NotChecked += k.Count
	}
	for i := range r.count() {
		switch r.severity(i) {
		case rule.Error:
			s.Errors++
		case rule.Warning:
			s.Warnings++
		case rule.Info:
			s.Infos++
		}
	}
	return s
}

// spill writes b to w and empties it once it holds 64 KiB or more: a
// format that builds its output in b writes it in pieces, rather than
// holding all of it (hundreds of MB with hundreds of thousands of
// findings).
func spill(w io.Writer, b *strings.Builder) error {
	if b.Len() < 64<<10 {
		return nil
	}
	_, err := io.WriteString(w, b.String())
	b.Reset()
	return err
}

// Options for formatters.
type Options struct {
	// Color enables ANSI colour (text format only).
	Color bool
}

// Formatter writes a report in one format.
type Formatter interface {
	Format(w io.Writer, r *Report, opts Options) error
}

var formats = map[string]Formatter{
	"text":       textFormat{},
	"json":       jsonFormat{},
	"sarif":      sarifFormat{},
	"junit":      junitFormat{},
	"github":     githubFormat{},
	"tap":        tapFormat{},
	"gitlab":     gitlabFormat{},
	"checkstyle": checkstyleFormat{},
}

// Formats lists the format names, sorted.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for k := range formats {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the formatter for a name.
func Lookup(name string) (Formatter, error) {
	f, ok := formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q: want one of %v", name, Formats())
	}
	return f, nil
}

// PrintsSnippets reports whether the format name shows source snippets
// (only text does), so that a run for another format need not make them.
func PrintsSnippets(name string) bool { return name == "text" }

// ListsObjects reports whether the format name lists every object read,
// findings or not (junit: a passing test case per object), so that a run
// for another format need not keep a reference to each object.
func ListsObjects(name string) bool { return name == "junit" }
