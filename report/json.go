package report

import (
	"encoding/json"
	"io"

	"github.com/kvetdev/kvet/rule"
)

type jsonFormat struct{}

type jsonReport struct {
	Findings []rule.Finding `json:"findings"`
	Summary  Summary        `json:"summary"`
	Ignored  []rule.Finding `json:"ignored,omitempty"`
}

// Format writes {"findings":[...],"summary":{...}}; findings is [] when
// there are none.
func (jsonFormat) Format(w io.Writer, r *Report, _ Options) error {
	out := jsonReport{Findings: r.Findings, Summary: r.Summary(), Ignored: r.Ignored}
	if out.Findings == nil {
		out.Findings = []rule.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
