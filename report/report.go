// Package report turns findings into bytes: one file per output format,
// each a Formatter selected by name (-o).
package report

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/kvetdev/kvet/rule"
)

// Report is the outcome of one run.
type Report struct {
	Findings []rule.Finding
	Files    int
	Objects  int
	Duration time.Duration
	// Rules are the rules that ran (for formats that describe them).
	Rules []*rule.Rule
}

// Summary counts findings by severity.
type Summary struct {
	Files    int `json:"files"`
	Objects  int `json:"objects"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

// Summary computes the report's counts.
func (r *Report) Summary() Summary {
	s := Summary{Files: r.Files, Objects: r.Objects}
	for _, f := range r.Findings {
		switch f.Severity {
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
	"text": textFormat{},
	"json": jsonFormat{},
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
