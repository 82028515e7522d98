package report

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// sliceList is a FindingList over a slice, as validate.Findings is over
// the engine's log.
type sliceList []rule.Finding

func (l sliceList) Len() int                     { return len(l) }
func (l sliceList) At(i int) rule.Finding        { return l[i] }
func (l sliceList) Rule(i int) string            { return l[i].Rule }
func (l sliceList) Severity(i int) rule.Severity { return l[i].Severity }
func (l sliceList) File(i int) string            { return l[i].File }

// countingWriter counts the writes it gets.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

func (w *countingWriter) WriteString(s string) (int, error) {
	w.writes++
	return w.Buffer.WriteString(s)
}

// TestFindingList: every format writes the same bytes from a report's
// List as from its Findings; the text, github and tap formats write
// thousands of findings in pieces rather than in one write.
func TestFindingList(t *testing.T) {
	var fs []rule.Finding
	for i := range 3000 {
		fs = append(fs, rule.Finding{Rule: fmt.Sprint("rule-", i%4), Severity: rule.Severity(i%3 + 1),
			Message: fmt.Sprint("message ", i), Help: "help", File: fmt.Sprintf("f%d.yaml", i/100), Line: i%100 + 1, Column: 3,
			Path: manifest.Path{}.Field("spec").Item(i), Snippet: "  replicas: 1", Span: 2,
			Object: rule.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ns", Name: fmt.Sprint("web-", i)}})
	}
	inputs := []Input{{File: "clean.yaml"}}
	for _, name := range Formats() {
		f, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		var want, got countingWriter
		if err := f.Format(&want, &Report{Findings: fs, Files: 31, Inputs: inputs}, Options{}); err != nil {
			t.Fatal(err)
		}
		if err := f.Format(&got, &Report{List: sliceList(fs), Files: 31, Inputs: inputs}, Options{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: from a List, %d bytes; from Findings, %d", name, got.Len(), want.Len())
		}
		if (name == "text" || name == "github" || name == "tap") && got.writes < 4 {
			t.Errorf("%s: %d bytes in %d writes: the output is held whole", name, got.Len(), got.writes)
		}
	}
}
