// Package baseline reads, writes and applies a baseline: the findings a
// repository already had when it adopted kvet, so that a run reports only
// new ones (kvet lint --baseline FILE; kvet baseline PATH... > FILE).
//
// A finding is in the baseline when its fingerprint is: kvet's SARIF
// fingerprint (report.Fingerprints, kvet/v2), a hash of the rule, the file,
// the object and the field path — never of the line or the message — so
// editing lines above a finding, or rewording a rule's message, does not
// bring it back.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/kvetdev/kvet/report"
	"github.com/kvetdev/kvet/rule"
)

// FormatVersion is the version of the file format this package writes and
// reads.
const FormatVersion = 1

// FingerprintKind names the fingerprint the entries carry: report's SARIF
// fingerprint. A baseline of another kind must be written again.
const FingerprintKind = "kvet/v2"

// maxSize is the largest baseline file read (a baseline of 100,000
// findings is about 30 MB).
const maxSize = 256 << 20

// File is a baseline file.
type File struct {
	Version     int    `json:"version"`
	Fingerprint string `json:"fingerprint"`
	// Findings are sorted by file, object, rule, path and fingerprint:
	// nothing that moves when lines do, so a regenerated baseline diffs
	// only where findings came or went.
	Findings []Entry `json:"findings"`
}

// Entry is one finding of the baseline. Only Fingerprint is matched; the
// rest is there for people reading the file or a diff of it.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Object      string `json:"object,omitempty"`
	Path        string `json:"path,omitempty"`
	Message     string `json:"message"`
}

// Keys returns the fingerprint each finding is matched by: report's
// fingerprint of the finding with its file's path cleaned (deploy/x.yaml,
// ./deploy/x.yaml and deploy//x.yaml are one file), the same as the SARIF
// fingerprint for the paths a folder walk gives.
func Keys(findings []rule.Finding) []string {
	clean := true
	for i := range findings {
		if cleanPath(findings[i].File) != findings[i].File {
			clean = false
			break
		}
	}
	if clean {
		return report.Fingerprints(findings)
	}
	cp := make([]rule.Finding, len(findings))
	for i, f := range findings {
		f.File = cleanPath(f.File)
		cp[i] = f
	}
	return report.Fingerprints(cp)
}

func cleanPath(p string) string { return filepath.ToSlash(filepath.Clean(p)) }

// Of makes the baseline of findings; keys are their Keys.
func Of(findings []rule.Finding, keys []string) *File {
	b := &File{Version: FormatVersion, Fingerprint: FingerprintKind, Findings: make([]Entry, 0, len(findings))}
	for i, f := range findings {
		b.Findings = append(b.Findings, Entry{
			Fingerprint: keys[i], Rule: f.Rule, File: cleanPath(f.File),
			Object: objectString(f.Object), Path: f.Path.String(), Message: f.Message,
		})
	}
	sort.Slice(b.Findings, func(i, j int) bool {
		x, y := b.Findings[i], b.Findings[j]
		switch {
		case x.File != y.File:
			return x.File < y.File
		case x.Object != y.Object:
			return x.Object < y.Object
		case x.Rule != y.Rule:
			return x.Rule < y.Rule
		case x.Path != y.Path:
			return x.Path < y.Path
		}
		return x.Fingerprint < y.Fingerprint
	})
	return b
}

// objectString is apiVersion/Kind/namespace/name, or apiVersion/Kind/name
// for an object without a namespace; "" for no object.
func objectString(o rule.ObjectRef) string {
	if o == (rule.ObjectRef{}) {
		return ""
	}
	s := o.APIVersion + "/" + o.Kind + "/"
	if o.Namespace != "" {
		s += o.Namespace + "/"
	}
	return s + o.Name
}

// Write writes the baseline as indented JSON.
func (b *File) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}

// Read reads a baseline file. Its errors name the file, and the line and
// column of a syntax or type error.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if len(data) > maxSize {
		return nil, fmt.Errorf("baseline %s: larger than %d MiB; is it a baseline written by kvet baseline?", path, maxSize>>20)
	}
	return Parse(path, data)
}

// Parse reads a baseline from data; name is the file's name in errors.
func Parse(name string, data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b File
	if err := dec.Decode(&b); err != nil {
		return nil, decodeError(name, data, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value; a baseline is one object, as kvet baseline writes it", name)
	}
	regen := "write it again with kvet baseline PATH... > " + name
	if b.Version != FormatVersion {
		return nil, fmt.Errorf("%s:1:1: baseline version %d, but this kvet reads version %d; %s", name, b.Version, FormatVersion, regen)
	}
	if b.Fingerprint != FingerprintKind {
		return nil, fmt.Errorf("%s:1:1: fingerprints of kind %q, but this kvet computes %q; %s", name, b.Fingerprint, FingerprintKind, regen)
	}
	for i, e := range b.Findings {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("%s: finding %d has no fingerprint; %s", name, i+1, regen)
		}
	}
	return &b, nil
}

// decodeError turns encoding/json's error into one at the file's line and
// column.
func decodeError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		l, c := lineCol(data, syn.Offset)
		return fmt.Errorf("%s:%d:%d: not valid JSON: %w; a baseline is written by kvet baseline PATH... > %s", name, l, c, syn, name)
	case errors.As(err, &typ):
		l, c := lineCol(data, typ.Offset)
		return fmt.Errorf("%s:%d:%d: %s is a JSON %s, want a %s, as kvet baseline writes it", name, l, c, typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s: empty file; write a baseline with kvet baseline PATH... > %s", name, name)
	}
	return fmt.Errorf("%s: %w; a baseline is written by kvet baseline PATH... > %s", name, err, name)
}

// lineCol returns the 1-based line and column of byte offset off.
func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, max(col, 1)
}

// Result is what applying a baseline did.
type Result struct {
	// Kept are the indexes of the findings not in the baseline, in order.
	Kept []int
	// Matched counts the findings left out.
	Matched int
	// Stale are the entries of the baseline that no finding matched, in
	// files the run checked: fixed, or their file, object or field
	// renamed.
	Stale []Entry
}

// Apply leaves out the findings whose key is in the baseline. checked
// tells whether the run checked a file (as an entry names it): only those
// files' entries can be stale, since a run on some of the files (as
// pre-commit makes) says nothing of the others.
func (b *File) Apply(keys []string, checked func(file string) bool) Result {
	in := make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		in[e.Fingerprint] = true
	}
	res := Result{Kept: make([]int, 0, len(keys))}
	used := make(map[string]bool)
	for i, k := range keys {
		if in[k] {
			used[k] = true
			res.Matched++
			continue
		}
		res.Kept = append(res.Kept, i)
	}
	for _, e := range b.Findings {
		if !used[e.Fingerprint] && checked(e.File) {
			res.Stale = append(res.Stale, e)
		}
	}
	return res
}

// CleanPath is a file's name as entries write it: cleaned, with forward
// slashes.
func CleanPath(p string) string { return cleanPath(p) }
