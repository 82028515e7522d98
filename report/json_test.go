package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// jsonReport is the JSON document's shape, for encoding/json.
type jsonReport struct {
	Findings []rule.Finding `json:"findings"`
	Summary  Summary        `json:"summary"`
	Ignored  []rule.Finding `json:"ignored,omitempty"`
}

// TestJSONMatchesEncodingJSON: the hand-written JSON writer gives the
// bytes encoding/json gives with a two-space indent, for empty reports,
// ignored findings, strings that need escaping and output larger than the
// writer's buffer.
func TestJSONMatchesEncodingJSON(t *testing.T) {
	odd := []string{
		"", "plain", `quote " and \ backslash`, "tab\tnew\nline\r", "<html> & more",
		"é ü 漢字", "\u2028 \u2029", "bad \xff utf-8", "ctl \x01\x1f\x7f", strings.Repeat("long ", 300),
	}
	var many []rule.Finding
	for i := range 500 {
		s := odd[i%len(odd)]
		many = append(many, rule.Finding{
			Rule: "r" + s, Severity: rule.Severity(i % 3), Message: s, Help: s, File: s + ".yaml",
			Line: i, Column: -i, Path: manifest.Path{}.Field(s).Item(i),
			Object: rule.ObjectRef{APIVersion: s, Kind: s, Namespace: s, Name: fmt.Sprint(s, i)},
		})
		switch i % 7 {
		case 1:
			many[i].Fix = &manifest.Fix{Title: s, Safe: i%2 == 0, Edits: []manifest.Edit{
				{From: manifest.Position{Line: i, Column: 3}, To: manifest.Position{Line: i, Column: 9}, Text: s},
				{From: manifest.Position{Line: i + 1, Column: 1}, To: manifest.Position{Line: i + 1, Column: 1}, Text: "\n" + s},
			}}
		case 2:
			many[i].Fix = &manifest.Fix{Title: s, Edits: []manifest.Edit{}}
		case 3:
			many[i].Fix = &manifest.Fix{Title: s}
		case 4:
			many[i].Related = []rule.Related{{File: s, Line: i, Message: s}, {File: "b.yaml", Line: 2, Message: "x"}}
			many[i].Rendered = &rule.Rendered{File: s, Line: i}
			many[i].Fix = &manifest.Fix{Title: s, Safe: true, Edits: []manifest.Edit{{Text: s}}}
		}
	}
	for _, tc := range []struct {
		name string
		r    *Report
	}{
		{"empty", &Report{}},
		{"sample", sampleReport()},
		{"many", &Report{Findings: many, Files: 3, Objects: 7}},
		{"ignored", &Report{Findings: many[:2], Ignored: many[2:40]}},
		{"only ignored", &Report{Ignored: many[:1]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := (jsonFormat{}).Format(&got, tc.r, Options{}); err != nil {
				t.Fatal(err)
			}
			want := jsonReport{Findings: tc.r.Findings, Summary: tc.r.Summary(), Ignored: tc.r.Ignored}
			if want.Findings == nil {
				want.Findings = []rule.Finding{}
			}
			var wb bytes.Buffer
			enc := json.NewEncoder(&wb)
			enc.SetIndent("", "  ")
			if err := enc.Encode(want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), wb.Bytes()) {
				g, w := got.String(), wb.String()
				i := 0
				for i < len(g) && i < len(w) && g[i] == w[i] {
					i++
				}
				t.Errorf("differs from encoding/json at byte %d:\n got …%q\nwant …%q", i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
			}
			if !json.Valid(got.Bytes()) {
				t.Error("not valid JSON")
			}
		})
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return 0, fmt.Errorf("disk full")
}

// TestJSONWriteError: a failing writer's error is returned.
func TestJSONWriteError(t *testing.T) {
	r := &Report{Findings: make([]rule.Finding, 2000)}
	if err := (jsonFormat{}).Format(&failingWriter{}, r, Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error = %v, want disk full", err)
	}
}

// BenchmarkJSON: 30,000 findings to io.Discard.
func BenchmarkJSON(b *testing.B) {
	fs := make([]rule.Finding, 30000)
	for i := range fs {
		fs[i] = rule.Finding{Rule: "security-context", Message: `Deployment web: container "web" may run as root (set securityContext.runAsNonRoot: true)`,
			Help: "set securityContext.runAsNonRoot: true", File: "deploy/web.yaml", Line: i, Column: 9, Path: manifest.Path{}.Field("spec").Field("template").Field("spec").Field("containers").Item(0),
			Object: rule.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}}
	}
	r := &Report{Findings: fs}
	for range b.N {
		if err := (jsonFormat{}).Format(io.Discard, r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
