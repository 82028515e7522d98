package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// TestStreamedArraysEncodeAsAWhole holds the SARIF, GitLab, Checkstyle
// and JUnit formats, which write their results one at a time, to the
// bytes encoding/json or encoding/xml writes for the whole value at once:
// their output is decoded into the formats' types and encoded again with
// the formats' encoder settings, and must come out the same, for findings whose texts
// need escaping (HTML, quotes, control bytes, non-ASCII), with and without
// given fingerprints, and with none. It also checks that thousands of
// results are not written in one piece.
func TestStreamedArraysEncodeAsAWhole(t *testing.T) {
	texts := []string{"plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline \x01\x7f", "naïve — ✓ \u2028", ""}
	var fs []rule.Finding
	for i := range 3000 {
		fs = append(fs, rule.Finding{Rule: fmt.Sprint("rule-", i%5), Severity: rule.Severity(i%3 + 1),
			Message: texts[i%len(texts)] + fmt.Sprint(" ", i), Help: texts[(i+1)%len(texts)],
			File: fmt.Sprintf("dir %d/f<%d>.yaml", i%3, i/100), Line: i%100 + 1, Column: i%7 + 1,
			Path:    manifest.Path{}.Field("spec").Item(i),
			Related: []rule.Related{{File: "svc.yaml", Line: 3, Message: texts[i%len(texts)]}},
			Object:  rule.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ns", Name: fmt.Sprint("web-", i)}})
	}
	prints := make([]string, len(fs))
	for i := range prints {
		prints[i] = fmt.Sprintf("given-%d", i)
	}
	reports := map[string]*Report{
		"findings":     {Findings: fs, Rules: []*rule.Rule{restartRule}, Version: "v1"},
		"list":         {List: sliceList(fs), Rules: []*rule.Rule{restartRule}},
		"fingerprints": {List: sliceList(fs[:10]), Fingerprints: prints[:10]},
		"empty":        {Rules: []*rule.Rule{restartRule}},
		"unchecked":    {Findings: fs[:2], Unchecked: []rule.KindCount{{APIVersion: "x/v1", Kind: "X", Count: 2}}},
		"inputs": {List: sliceList(fs[:500]), Inputs: []Input{{File: "clean.yaml", Objects: []rule.ObjectRef{{Kind: "Service", Name: "a"}}},
			{File: "dir 1/f<2>.yaml", Objects: []rule.ObjectRef{{Kind: "Deployment", Namespace: "ns", Name: "web-1"}, {Kind: "Deployment", Namespace: "ns", Name: "web-201"}}}}},
	}
	reencode := func(t *testing.T, v any) []byte {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for name, r := range reports {
		for _, format := range []string{"sarif", "gitlab", "checkstyle", "junit"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				f, err := Lookup(format)
				if err != nil {
					t.Fatal(err)
				}
				var out countingWriter
				if err := f.Format(&out, r, Options{}); err != nil {
					t.Fatal(err)
				}
				var whole []byte
				n := 0
				switch format {
				case "sarif":
					var log sarifLog
					if err := json.Unmarshal(out.Bytes(), &log); err != nil {
						t.Fatalf("%v\n%s", err, out.Bytes())
					}
					n = len(log.Runs[0].Results)
					if r.Fingerprints != nil && n > 0 && log.Runs[0].Results[n-1].PartialFingerprints[fingerprintKey] != r.Fingerprints[n-1] {
						t.Errorf("the given fingerprints are not used")
					}
					whole = reencode(t, log)
				case "checkstyle":
					var root checkstyleRoot
					if err := xml.Unmarshal(out.Bytes(), &root); err != nil {
						t.Fatalf("%v\n%s", err, out.Bytes())
					}
					for _, f := range root.Files {
						n += len(f.Errors)
					}
					if root.Files == nil {
						root.Files = []checkstyleFile{}
					}
					whole = reencodeXML(t, root)
				case "junit":
					var suites junitSuites
					if err := xml.Unmarshal(out.Bytes(), &suites); err != nil {
						t.Fatalf("%v\n%s", err, out.Bytes())
					}
					for _, s := range suites.Suites {
						for _, c := range s.Cases {
							n += len(c.Failures)
						}
					}
					whole = reencodeXML(t, suites)
				case "gitlab":
					var issues []gitlabIssue
					if err := json.Unmarshal(out.Bytes(), &issues); err != nil {
						t.Fatalf("%v\n%s", err, out.Bytes())
					}
					n = len(issues)
					if issues == nil {
						issues = []gitlabIssue{}
					}
					whole = reencode(t, issues)
				}
				if n != r.count() {
					t.Errorf("%d results, want %d", n, r.count())
				}
				if !bytes.Equal(out.Bytes(), whole) {
					t.Errorf("streamed output differs from the whole value encoded at once:\n%s\nwant\n%s", head(out.Bytes()), head(whole))
				}
				if r.count() >= 3000 && out.writes < 4 {
					t.Errorf("%d bytes in %d writes: the output is held whole", out.Len(), out.writes)
				}
			})
		}
	}
}

func reencodeXML(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	b.WriteString("\n")
	return b.Bytes()
}

func head(b []byte) []byte { return b[:min(len(b), 2000)] }
