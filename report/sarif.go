package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/kvetdev/kvet/rule"
)

// sarifFormat writes SARIF 2.1.0, the format code-scanning services
// (GitHub, GitLab, Azure DevOps) and editors read.
type sarifFormat struct{}

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion = "2.1.0"
	kvetURI      = "https://github.com/kvetdev/kvet"
)

// The SARIF types are shared by kvet's own format and conftest's
// (conftest_sarif.go): fields only one of them writes are omitted when
// empty, and the two objects whose keys the two write in a different order
// (the log and the driver) say which order with conftest.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
	// conftest: keys in go-sarif's order (version first), as conftest.
	conftest bool
}

func (l sarifLog) MarshalJSON() ([]byte, error) {
	if l.conftest {
		return marshalJSON(struct {
			Version string     `json:"version"`
			Schema  string     `json:"$schema"`
			Runs    []sarifRun `json:"runs"`
		}{l.Version, l.Schema, l.Runs}, true)
	}
	type plain sarifLog
	return marshalJSON(plain(l), false)
}

// marshalJSON is json.Marshal, escaping HTML only when asked: kvet's SARIF
// keeps <, > and & as they are, conftest's (json.Marshal) escapes them.
func marshalJSON(v any, escapeHTML bool) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"` // conftest
	ColumnKind  string            `json:"columnKind,omitempty"`  // kvet
	Results     []sarifResult     `json:"results"`
	Properties  *sarifRunProps    `json:"properties,omitempty"` // kvet
}

// sarifRunProps says how many objects kvet had no schema for, and their
// kinds, as the JSON summary does (notChecked, unchecked); omitted when
// every object was checked.
type sarifRunProps struct {
	NotChecked int              `json:"notChecked"`
	Unchecked  []rule.KindCount `json:"unchecked"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool   `json:"executionSuccessful"`
	ExitCode            int    `json:"exitCode"`
	ExitCodeDescription string `json:"exitCodeDescription"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
	// conftest: keys in go-sarif's order (version before informationUri),
	// empty ones omitted, as conftest.
	conftest bool
}

func (d sarifDriver) MarshalJSON() ([]byte, error) {
	if d.conftest {
		return marshalJSON(struct {
			Name           string      `json:"name"`
			Version        string      `json:"version,omitempty"`
			InformationURI string      `json:"informationUri,omitempty"`
			Rules          []sarifRule `json:"rules,omitempty"`
		}{d.Name, d.Version, d.InformationURI, d.Rules}, true)
	}
	type plain sarifDriver
	return marshalJSON(plain(d), false)
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      *sarifText     `json:"fullDescription,omitempty"`
	Help                 *sarifText     `json:"help,omitempty"`
	DefaultConfiguration *sarifRuleConf `json:"defaultConfiguration,omitempty"` // kvet
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"` // kvet
	Fixes               []sarifFix        `json:"fixes,omitempty"`               // kvet
	Properties          *sarifResultProps `json:"properties,omitempty"`          // kvet
}

// sarifFix is a finding's fix: one artifact change with its
// replacements (SARIF 2.1.0 §3.55).
type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent *sarifText  `json:"insertedContent,omitempty"`
}

type sarifResultProps struct {
	Path   string         `json:"path"`
	Object rule.ObjectRef `json:"object"`
}

type sarifLocation struct {
	ID               int            `json:"id,omitempty"`
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	Message          *sarifText     `json:"message,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"` // kvet
	EndLine     int `json:"endLine,omitempty"`     // conftest
	EndColumn   int `json:"endColumn,omitempty"`   // kvet
}

type sarifLogical struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s rule.Severity) string {
	switch s {
	case rule.Error:
		return "error"
	case rule.Warning:
		return "warning"
	}
	return "note"
}

// Format writes one SARIF run: every rule that ran (and a plain
// descriptor for any other rule id a finding names, such as
// internal-error), and one result per finding. The output only depends on
// the report.
func (sarifFormat) Format(w io.Writer, r *Report, _ Options) error {
	byID := map[string]sarifRule{}
	for _, ru := range r.Rules {
		byID[ru.ID] = sarifRuleOf(ru)
	}
	for i := range r.count() {
		if id := r.ruleID(i); byID[id].ID == "" {
			byID[id] = sarifRule{
				ID:                   id,
				ShortDescription:     sarifText{Text: id},
				DefaultConfiguration: &sarifRuleConf{Level: sarifLevel(r.severity(i))},
			}
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := make(map[string]int, len(ids))
	driver := sarifDriver{Name: "kvet", InformationURI: kvetURI, Version: r.Version, Rules: make([]sarifRule, 0, len(ids))}
	for i, id := range ids {
		index[id] = i
		driver.Rules = append(driver.Rules, byID[id])
	}
	out := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: driver},
			// kvet's columns count characters (yaml.v3 positions), not
			// UTF-16 code units, SARIF's default.
			ColumnKind: "unicodeCodePoints",
			Results:    []sarifResult{},
		}},
	}
	if s := r.Summary(); s.NotChecked > 0 {
		out.Runs[0].Properties = &sarifRunProps{NotChecked: s.NotChecked, Unchecked: s.Unchecked}
	}
	given := len(r.Fingerprints) == r.count()
	var prints fingerprinter
	return writeIndentedArray(w, out, `"results": []`, r.count(), func(i int, f *rule.Finding) any {
		res := sarifResultOf(*f, index[f.Rule])
		print := ""
		if given {
			print = r.Fingerprints[i]
		} else {
			print = prints.next(f)
		}
		res.PartialFingerprints = map[string]string{fingerprintKey: print}
		return res
	}, r)
}

// writeIndentedArray writes v as a json.Encoder with a two-space indent
// and no HTML escaping would, but with the empty array that follows key
// (written once in v, as `"key": []`) holding one element per finding of
// r, each made by elem and encoded as it is written: the output of
// thousands of findings is not held whole, nor are the findings. v == nil
// writes the array alone, as the top-level value. sarif_test.go and
// gitlab_test.go hold it to encoding the whole value at once.
func writeIndentedArray(w io.Writer, v any, key string, n int, elem func(int, *rule.Finding) any, r *Report) error {
	var head, tail []byte
	indent := ""
	if v != nil {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
		whole := b.Bytes()
		k := bytes.Index(whole, []byte(key))
		if k < 0 {
			return fmt.Errorf("report: %s not in the encoded value", key)
		}
		line := bytes.LastIndexByte(whole[:k], '\n') + 1
		indent = string(whole[line:k])
		head = whole[:k+len(key)-1] // up to and with "["
		tail = whole[k+len(key)-1:] // from "]"
	} else {
		head, tail = []byte("["), []byte("]\n")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if n == 0 {
		_, _ = bw.Write(head)
		_, _ = bw.Write(tail)
		return bw.Flush()
	}
	_, _ = bw.Write(head)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent(indent+"  ", "  ")
	enc.SetEscapeHTML(false)
	for i, f := range r.all() {
		b.Reset()
		if err := enc.Encode(elem(i, &f)); err != nil {
			return err
		}
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = bw.WriteString("\n" + indent + "  ")
		_, _ = bw.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	}
	_, _ = bw.WriteString("\n" + indent)
	_, _ = bw.Write(tail)
	return bw.Flush()
}

func sarifRuleOf(ru *rule.Rule) sarifRule {
	sr := sarifRule{
		ID:                   ru.ID,
		ShortDescription:     sarifText{Text: ru.Summary()},
		DefaultConfiguration: &sarifRuleConf{Level: sarifLevel(ru.Severity)},
	}
	if sr.ShortDescription.Text == "" {
		sr.ShortDescription.Text = ru.ID
	}
	if what := docSection(ru.Doc, "What it does"); what != "" {
		sr.FullDescription = &sarifText{Text: what}
	}
	if doc := strings.TrimSpace(ru.Doc); doc != "" {
		sr.Help = &sarifText{Text: doc, Markdown: doc}
	}
	kinds := ru.Kinds
	if len(kinds) == 0 {
		kinds = []string{"*/*"}
	}
	sr.Properties = map[string]any{"kinds": kinds, "tags": []string{"kubernetes"}}
	return sr
}

// docSection returns the text of a "## title" section of a rule's doc,
// up to the next section, or "".
func docSection(doc, title string) string {
	_, rest, ok := strings.Cut(doc, "## "+title+"\n")
	if !ok {
		return ""
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSpace(rest)
}

func sarifResultOf(f rule.Finding, ruleIndex int) sarifResult {
	text := f.Message
	if f.Help != "" {
		text += "\nhelp: " + f.Help
	}
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(f.File)}}}
	if f.Line > 0 {
		reg := &sarifRegion{StartLine: f.Line}
		if f.Column > 0 {
			reg.StartColumn = f.Column
			if f.Span > 0 {
				reg.EndColumn = f.Column + f.Span
			}
		}
		loc.PhysicalLocation.Region = reg
	}
	path := f.Path.String()
	if name := objectName(f.Object); name != "" {
		fq := f.Object.APIVersion + "/" + name
		if path != "" {
			fq += ":" + path
		}
		loc.LogicalLocations = []sarifLogical{{Name: f.Object.Name, FullyQualifiedName: fq, Kind: "object"}}
	}
	res := sarifResult{
		RuleID:     f.Rule,
		RuleIndex:  ruleIndex,
		Level:      sarifLevel(f.Severity),
		Message:    sarifText{Text: text},
		Locations:  []sarifLocation{loc},
		Properties: &sarifResultProps{Path: path, Object: f.Object},
	}
	if f.Fix != nil && len(f.Fix.Edits) > 0 {
		change := sarifArtifactChange{ArtifactLocation: sarifArtifact{URI: sarifURI(f.File)}}
		for _, e := range f.Fix.Edits {
			r := sarifReplacement{DeletedRegion: sarifRegion{StartLine: e.From.Line, StartColumn: e.From.Column, EndLine: e.To.Line, EndColumn: e.To.Column}}
			if e.Text != "" {
				r.InsertedContent = &sarifText{Text: e.Text}
			}
			change.Replacements = append(change.Replacements, r)
		}
		desc := f.Fix.Title
		if !f.Fix.Safe {
			desc += " (unsafe: review it)"
		}
		res.Fixes = []sarifFix{{Description: sarifText{Text: desc}, ArtifactChanges: []sarifArtifactChange{change}}}
	}
	if r := f.Rendered; r != nil {
		// The finding's place in the rendered output (a chart template's
		// "# Source:" name, or "kustomize build DIR", which is not a file
		// but names the rendering).
		res.RelatedLocations = []sarifLocation{{ID: 1,
			PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(r.File)}, Region: &sarifRegion{StartLine: r.Line}},
			Message:          &sarifText{Text: "rendered: line " + strconv.Itoa(r.Line) + " of " + r.File}}}
	}
	for _, r := range f.Related {
		res.RelatedLocations = append(res.RelatedLocations, sarifLocation{ID: len(res.RelatedLocations) + 1,
			PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(r.File)}, Region: &sarifRegion{StartLine: max(r.Line, 1)}},
			Message:          &sarifText{Text: r.Message}})
	}
	return res
}

// sarifURI turns a file path into a URI reference: relative paths stay
// relative (forward slashes, escaped as URIs need), absolute ones become
// file:// URIs.
func sarifURI(p string) string {
	slash := filepath.ToSlash(p)
	if filepath.IsAbs(p) {
		if !strings.HasPrefix(slash, "/") {
			slash = "/" + slash // C:/x → /C:/x
		}
		return (&url.URL{Scheme: "file", Path: slash}).String()
	}
	return (&url.URL{Path: slash}).String()
}

// fingerprintKey names kvet's fingerprint in SARIF's partialFingerprints;
// the version changes whenever the way it is computed does.
const fingerprintKey = "kvet/v2"

// Fingerprints returns a stable identity for each finding, for code
// scanning to track an alert across commits: a hash of the rule, the file,
// the object and the field path, and, for findings that share all of
// those, their order among them. Nothing rendered goes in (not the message,
// which may name lines, nor the line and column), so editing lines above a
// finding does not change its fingerprint.
func Fingerprints(findings []rule.Finding) []string {
	out := make([]string, len(findings))
	var p fingerprinter
	for i := range findings {
		out[i] = p.next(&findings[i])
	}
	return out
}

// fingerprinter gives findings, one after the other, their fingerprints
// (Fingerprints).
type fingerprinter struct{ seen map[[sha256.Size]byte]int }

func (p *fingerprinter) next(f *rule.Finding) string {
	if p.seen == nil {
		p.seen = map[[sha256.Size]byte]int{}
	}
	key := sha256.Sum256([]byte(strings.Join([]string{f.Rule, f.File, f.Object.APIVersion, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Path.String()}, "\x00")))
	n := p.seen[key]
	p.seen[key] = n + 1
	if n > 0 {
		key = sha256.Sum256(strconv.AppendInt(append(key[:], 0), int64(n), 10))
	}
	return hex.EncodeToString(key[:16])
}
