package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// conftest's github format goes through the one annotation writer: a
// message or a file name cannot break out of its command (conftest writes
// them raw, so a newline in a message started a new, forged command).
func TestConftestGitHubEscapes(t *testing.T) {
	results := CheckResults{{
		FileName: "a,b.yaml", Namespace: "main",
		Failures: []ConftestResult{{Message: "bad\n::error file=x::forged", Line: 4}},
	}}
	var b bytes.Buffer
	if err := WriteConftest(&b, "github", results, ConftestOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `::group::Testing "a,b.yaml" against 1 policies in namespace "main"
::error file=a%2Cb.yaml,line=4::bad%0A::error file=x::forged
::notice file=a%2Cb.yaml,line=1::Number of successful checks: 0
::endgroup::
1 test, 0 passed, 0 warnings, 1 failure, 0 exceptions
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// conftest's SARIF is written with the SARIF types of kvet's own format,
// in conftest's key order and without kvet's extra keys.
func TestConftestSARIFShape(t *testing.T) {
	results := CheckResults{{FileName: "a.yaml", Namespace: "main", Failures: []ConftestResult{{Message: "<no>", Line: 2}}}}
	var b bytes.Buffer
	if err := WriteConftest(&b, "sarif", results, ConftestOptions{Version: "v1.2.3"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`{"version":"2.1.0","$schema":"` + conftestSarifSchema + `","runs":[{"tool":{"driver":{"name":"kvet","version":"1.2.3","informationUri":`,
		`"region":{"startLine":2,"endLine":2}`,
		`"text":"\u003cno\u003e"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	for _, absent := range []string{"columnKind", "partialFingerprints", "defaultConfiguration", `"properties":{"path"`} {
		if strings.Contains(out, absent) {
			t.Errorf("output has kvet's %s:\n%s", absent, out)
		}
	}
	if !json.Valid(b.Bytes()) {
		t.Errorf("invalid JSON")
	}
}
