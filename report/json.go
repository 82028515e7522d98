package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// jsonFormat writes the same bytes as encoding/json with a two-space
// indent would write for {findings, summary, ignored (omitted when
// empty)} (json_test.go holds it to that), without the reflection and the
// indenting pass over the whole output, which cost a sixth of the run with
// tens of thousands of findings.
type jsonFormat struct{}

// Format writes {"findings":[...],"summary":{...}}; findings is [] when
// there are none.
func (jsonFormat) Format(w io.Writer, r *Report, _ Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf []byte
	buf = append(buf, "{\n  \"findings\": "...)
	buf = appendFindings(buf, r.count(), r.all(), bw)
	buf = append(buf, ",\n  \"summary\": "...)
	summary, err := json.MarshalIndent(r.Summary(), "  ", "  ")
	if err != nil {
		return err
	}
	buf = append(buf, summary...)
	if len(r.Ignored) > 0 {
		buf = append(buf, ",\n  \"ignored\": "...)
		buf = appendFindings(buf, len(r.Ignored), slices.All(r.Ignored), bw)
	}
	buf = append(buf, "\n}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// appendFindings appends the n findings of fs as an indented JSON array, handing
// full buffers to w as it goes (w's error, if any, shows at Flush).
func appendFindings(buf []byte, n int, fs iter.Seq2[int, rule.Finding], w *bufio.Writer) []byte {
	if n == 0 {
		return append(buf, "[]"...)
	}
	buf = append(buf, '[')
	for i, f := range fs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n    {\n      \"rule\": "...)
		buf = appendJSONString(buf, f.Rule)
		buf = append(buf, ",\n      \"severity\": "...)
		buf = appendJSONString(buf, f.Severity.String())
		buf = append(buf, ",\n      \"message\": "...)
		buf = appendJSONString(buf, f.Message)
		buf = append(buf, ",\n      \"help\": "...)
		buf = appendJSONString(buf, f.Help)
		buf = append(buf, ",\n      \"file\": "...)
		buf = appendJSONString(buf, f.File)
		buf = append(buf, ",\n      \"line\": "...)
		buf = strconv.AppendInt(buf, int64(f.Line), 10)
		buf = append(buf, ",\n      \"column\": "...)
		buf = strconv.AppendInt(buf, int64(f.Column), 10)
		buf = append(buf, ",\n      \"path\": "...)
		buf = appendJSONString(buf, f.Path.String())
		buf = append(buf, ",\n      \"object\": {\n        \"apiVersion\": "...)
		buf = appendJSONString(buf, f.Object.APIVersion)
		buf = append(buf, ",\n        \"kind\": "...)
		buf = appendJSONString(buf, f.Object.Kind)
		buf = append(buf, ",\n        \"namespace\": "...)
		buf = appendJSONString(buf, f.Object.Namespace)
		buf = append(buf, ",\n        \"name\": "...)
		buf = appendJSONString(buf, f.Object.Name)
		buf = append(buf, "\n      }"...)
		if r := f.Rendered; r != nil {
			buf = append(buf, ",\n      \"rendered\": {\n        \"file\": "...)
			buf = appendJSONString(buf, r.File)
			buf = append(buf, ",\n        \"line\": "...)
			buf = strconv.AppendInt(buf, int64(r.Line), 10)
			buf = append(buf, "\n      }"...)
		}
		if len(f.Related) > 0 {
			buf = append(buf, ",\n      \"related\": ["...)
			for i, r := range f.Related {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, "\n        {\n          \"file\": "...)
				buf = appendJSONString(buf, r.File)
				buf = append(buf, ",\n          \"line\": "...)
				buf = strconv.AppendInt(buf, int64(r.Line), 10)
				buf = append(buf, ",\n          \"message\": "...)
				buf = appendJSONString(buf, r.Message)
				buf = append(buf, "\n        }"...)
			}
			buf = append(buf, "\n      ]"...)
		}
		if f.Fix != nil {
			buf = appendFix(buf, f.Fix)
		}
		buf = append(buf, "\n    }"...)
		if len(buf) > 32<<10 {
			_, _ = w.Write(buf)
			buf = buf[:0]
		}
	}
	return append(buf, "\n  ]"...)
}

// appendJSONString appends s as a JSON string. Printable ASCII is written
// here (quotes and backslashes escaped); a string with anything else is
// left to encoding/json, so the escaping of HTML characters, control
// characters and invalid UTF-8 stays exactly its own.
func appendJSONString(buf []byte, s string) []byte {
	mark := len(buf)
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&':
			b, err := json.Marshal(s)
			if err != nil { // a string always marshals
				return strconv.AppendQuote(buf[:mark], s)
			}
			return append(buf[:mark], b...)
		case c == '"' || c == '\\':
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', c)
			start = i + 1
		}
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// appendFix appends a finding's "fix" member, as encoding/json indents
// it: its title, whether it is safe, and its edits (1-based line and
// character column, end exclusive).
func appendFix(buf []byte, fix *manifest.Fix) []byte {
	buf = append(buf, ",\n      \"fix\": {\n        \"title\": "...)
	buf = appendJSONString(buf, fix.Title)
	buf = append(buf, ",\n        \"safe\": "...)
	buf = strconv.AppendBool(buf, fix.Safe)
	if fix.Edits == nil {
		buf = append(buf, ",\n        \"edits\": null"...)
		return append(buf, "\n      }"...)
	}
	buf = append(buf, ",\n        \"edits\": ["...)
	for i, e := range fix.Edits {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = fmt.Appendf(buf, "\n          {\n            \"start\": {\n              \"line\": %d,\n              \"column\": %d\n            },\n            \"end\": {\n              \"line\": %d,\n              \"column\": %d\n            },\n            \"text\": ",
			e.From.Line, e.From.Column, e.To.Line, e.To.Column)
		buf = appendJSONString(buf, e.Text)
		buf = append(buf, "\n          }"...)
	}
	if len(fix.Edits) > 0 {
		buf = append(buf, "\n        ]"...)
	} else {
		buf = append(buf, ']')
	}
	return append(buf, "\n      }"...)
}
