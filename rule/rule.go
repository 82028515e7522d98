// Package rule defines what a kvet rule is: a small value with an id, a
// default severity, the kinds it applies to, its documentation and a check
// function. The engine (package validate) decides which objects a rule
// sees; a rule only looks and reports.
package rule

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kvetdev/kvet/manifest"
)

// Severity of a finding.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "unknown"
}

// severityNames is kvet's one table of severity names: its own three,
// "warn", SARIF's "note", and the levels policies write in their
// metadata (critical, high, medium, low), which only policies use.
var severityNames = map[string]struct {
	sev        Severity
	policyOnly bool
}{
	"error": {Error, false}, "warning": {Warning, false}, "warn": {Warning, false},
	"info": {Info, false}, "note": {Info, false},
	"critical": {Error, true}, "high": {Error, true}, "medium": {Warning, true}, "low": {Info, true},
}

// ParseSeverity parses a severity name as flags and the configuration
// write it (case-insensitive): error, warning (or warn) or info (or
// note, SARIF's name).
func ParseSeverity(s string) (Severity, error) {
	if n, ok := severityNames[strings.ToLower(s)]; ok && !n.policyOnly {
		return n.sev, nil
	}
	return 0, fmt.Errorf("invalid severity %q: want error, warning or info", s)
}

// ParsePolicySeverity parses a severity as a policy writes it in its
// METADATA or results: any name ParseSeverity reads, or critical and high
// (errors), medium (warning) or low (info).
func ParsePolicySeverity(s string) (Severity, error) {
	if n, ok := severityNames[strings.ToLower(s)]; ok {
		return n.sev, nil
	}
	return 0, fmt.Errorf("invalid severity %q: want error, warning or info (or critical, high, medium, low)", s)
}

// MarshalJSON writes the severity as its name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a severity name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	v, err := ParseSeverity(str)
	*s = v
	return err
}

// Rule is one built-in check.
type Rule struct {
	// ID is the rule's stable name, e.g. job-restart-policy.
	ID string
	// Severity is the default severity of its findings.
	Severity Severity
	// Kinds lists what the rule applies to as "apiVersion/Kind" patterns
	// ("batch/v1/Job", "batch/*/CronJob", "*/Pod"); empty means every
	// object.
	Kinds []string
	// Off marks a rule that is off unless enabled (an opt-in strictness,
	// like unknown-kind, or a rule of a group).
	Off bool
	// Sets names the opt-in sets that turn the rule on by name besides
	// its id: its group (security, reliability, rbac, networking), and the
	// peer linters whose default checks it stands for (kube-score, kube-linter, polaris; filled in by the
	// registry from rules.PeerChecks).
	Sets []string
	// Restates marks a rule whose findings restate, in other words, what
	// a built-in rule may say about the same field (the API server's
	// validation): where both report one field, the built-in rule's
	// finding is the one kept.
	Restates bool
	// Apart marks a rule whose findings are about another stage than the
	// fields' validity (admission policies, which the API server runs
	// after validation): they do not make an API validation finding about
	// the same field redundant, as other rules' findings do.
	Apart bool
	// Uses lists the kinds (same patterns as Kinds) a cross-object rule
	// looks up in the Index. A rule with Uses runs after every file is
	// loaded, and only objects of these kinds (and of the rule's Kinds) are
	// kept in memory for it; rules with neither Uses nor Summaries see an
	// empty Index.
	Uses []string
	// Summaries are what a cross-object rule reads of other objects
	// instead of keeping them (Uses): small values made as each object is
	// read, which the rule finds with Index.Summaries. A rule with
	// Summaries runs after every file is loaded, as one with Uses does.
	Summaries []*Summary
	// Deferred, for a cross-object rule that checks the objects of its
	// Kinds without keeping them until the end of the run, is what it
	// checks instead: a summary made as each object is read (what the
	// rule reads of it, with a manifest.Mark for each place a finding may
	// be), which CheckDeferred gets at the end of the run, once per value
	// made of a linted object. Check is then nil.
	Deferred *Summary
	// CheckDeferred checks one value of Deferred, reporting with
	// Pass.ReportAt (Pass.Object is nil).
	CheckDeferred func(*Pass, any)
	// TypedOnly says a cross-object rule reads the objects it checks only
	// through Typed and their identity: the engine then keeps them until
	// the end without their node trees, and parses their lines again for
	// the position of a finding (manifest.Object.Shelve).
	TypedOnly bool
	// InFile marks a rule with Uses that, unless Settings.Complete, only
	// compares objects of the same file: it then runs as each object is
	// read, with Pass.File instead of the Index, and keeps no objects.
	InFile bool
	// Context lists the kinds (same patterns as Kinds) a per-object rule
	// needs from the whole run before it checks anything (the CRDs of
	// custom resources, the Namespaces whose labels set a level). The
	// engine finds them in a first pass over the inputs (and among the
	// objects given by flags, validate.Options.Context) and gives the rule
	// an Index of them; the checked objects are still streamed, not kept.
	Context []string
	// ContextTyped says the rule reads the Context objects that decode
	// into a type only through Typed, their identity, position and source
	// lines: the engine then keeps them without their node trees (a CRD's
	// is megabytes), unless another rule reads the same kinds' trees.
	ContextTyped bool
	// MoreContext, when set, names kinds the rule needs from the whole
	// run once its Context objects are known (the paramKinds of the
	// admission policies that have bindings), from the Index of them; the
	// engine then makes one more first pass for those kinds only, so that
	// a run where it returns nothing pays for none. words, when not nil,
	// are what that pass looks for in a file's bytes before parsing it,
	// instead of the kinds' names: the names of the objects it needs
	// (a binding's param), when they are known, so that files of a common
	// kind (ConfigMap) are not all parsed twice. The pass then keeps only
	// the objects of those kinds that a word names, by name or by kind.
	MoreContext func(*Index) (kinds, words []string)
	// Doc is markdown: a one-line summary, then the sections
	// "## What it does", "## Why is this bad?", "## Example",
	// "## Use instead".
	Doc string
	// Check looks at one object and reports through the pass. Nil for
	// checks done while loading (syntax, unknown fields, ...), which are
	// listed as rules so they can be documented, selected and ignored.
	Check func(*Pass, *manifest.Object)
}

// DefaultOn reports whether the rule runs when nothing enables or
// disables it: unless Off.
func (r *Rule) DefaultOn() bool { return !r.Off }

// Summary is the first line of the rule's doc.
func (r *Rule) Summary() string {
	line, _, _ := strings.Cut(strings.TrimSpace(r.Doc), "\n")
	return strings.TrimSpace(strings.TrimLeft(line, "# "))
}

// Applies reports whether the rule checks objects of this apiVersion and
// kind.
func (r *Rule) Applies(apiVersion, kind string) bool {
	return MatchKind(r.Kinds, apiVersion, kind)
}

// MatchKind reports whether apiVersion and kind match one of the
// "apiVersion/Kind" patterns; no patterns match everything.
func MatchKind(patterns []string, apiVersion, kind string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, k := range patterns {
		i := strings.LastIndexByte(k, '/')
		pv, pk := k[:i], k[i+1:]
		if pk != kind && pk != "*" {
			continue
		}
		if pv == "*" || pv == apiVersion {
			return true
		}
		if g, ok := strings.CutSuffix(pv, "/*"); ok {
			if ag, _, found := strings.Cut(apiVersion, "/"); found && ag == g {
				return true
			}
		}
	}
	return false
}

// Summary is what the index keeps of each object of some kinds that
// cross-object rules only look up (the pods of a workload: its pod
// template's labels and ports), made while the object is read, so that
// the object itself is not kept until the end of the run.
type Summary struct {
	// Kinds are the kinds summarized (patterns as in Rule.Kinds; empty:
	// every object).
	Kinds []string
	// Make returns what to keep of o (nil: nothing). It is called
	// concurrently, and must not modify o or keep it.
	Make func(o *manifest.Object) any
}

// KindCount is how many objects of one apiVersion and kind a run saw.
type KindCount struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Count      int    `json:"count"`
}

// ObjectRef names the object a finding is about.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

// RefOf returns the reference of an object, or a zero ref for nil.
func RefOf(o *manifest.Object) ObjectRef {
	if o == nil {
		return ObjectRef{}
	}
	return ObjectRef{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}
}

// Rendered is a position in rendered text: File names it as the renderer
// does (a chart template's "# Source:" name, or a kustomize build:
// "kustomize build overlays/prod"), Line is 1-based in its output.
// Related is another object's place that a finding concerns.
type Related struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// RelatedTo is the place of object o, with a message.
func RelatedTo(o *manifest.Object, message string) Related {
	return Related{File: o.Source.Path, Line: o.Pos().Line, Message: message}
}

type Rendered struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Variant names the rendering when its files are rendered several
	// ways (a chart's value sets), for the message ("seen with ...").
	Variant string `json:"-"`
}

// Finding is one reported problem. Its JSON form is kvet's stable output
// contract (see README).
type Finding struct {
	Rule     string        `json:"rule"`
	Severity Severity      `json:"severity"`
	Message  string        `json:"message"`
	Help     string        `json:"help"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Column   int           `json:"column"`
	Path     manifest.Path `json:"path"`
	Object   ObjectRef     `json:"object"`
	// Rendered, for a finding in rendered text (a Helm chart's output, a
	// kustomize build), is where it is in that text; File, Line and Column
	// are then the place in the template, values, base or patch file the
	// text comes from.
	Rendered *Rendered `json:"rendered,omitempty"`
	// Related are the other places a cross-object finding is about (the
	// first definition of a duplicate, the Service a StatefulSet names).
	Related []Related `json:"related,omitempty"`

	// Fix, when set, resolves the finding: edits of the source.
	Fix *manifest.Fix `json:"fix,omitempty"`

	// Span is how many columns the offending text covers (for carets).
	Span int `json:"-"`
	// Secondary marks findings that restate, in other words, what a
	// built-in rule may say about the same field (API server validation,
	// Rego policies): the built-in rule's finding wins.
	Secondary bool `json:"-"`
	// Policy marks the findings of the user's Rego policies: they are on
	// unless the configuration turns their id off, even when the id is
	// that of a rule that is off by default (the example policies of
	// policies/ report under their Go rules' ids).
	Policy bool `json:"-"`
	// Fallback is true when Path is not in the source (a missing or
	// defaulted field) and the position is its nearest parent's.
	Fallback bool `json:"-"`
	// Source is the file the finding is in, for source snippets; the
	// engine replaces it by Snippet so findings do not keep files alive.
	Source *manifest.Source `json:"-"`
	// Snippet is the text of the finding's line, or of a window of it
	// around Column when the line is long (manifest.Source.Snippet);
	// SnippetShift is what to subtract from Column to find the column in
	// Snippet.
	Snippet      string `json:"-"`
	SnippetShift int    `json:"-"`
}
