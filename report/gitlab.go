package report

import (
	"io"
	"path/filepath"

	"github.com/kvetdev/kvet/rule"
)

// gitlabFormat writes a GitLab Code Quality report (artifacts:reports:
// codequality): a JSON array of Code Climate issues with the fields GitLab
// reads — description, check_name, fingerprint, severity, location.path
// and location.lines.begin.
type gitlabFormat struct{}

type gitlabIssue struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
	Categories  []string       `json:"categories"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// gitlabSeverity maps kvet's severities to GitLab's (info, minor, major,
// critical, blocker) as ESLint's GitLab formatter does: an error is major,
// a warning minor.
func gitlabSeverity(s rule.Severity) string {
	switch s {
	case rule.Error:
		return "major"
	case rule.Warning:
		return "minor"
	}
	return "info"
}

// Format writes one issue per finding; [] when there are none. The
// fingerprint is kvet's SARIF fingerprint (kvet/v2), so GitLab tracks an
// issue across commits as code scanning does.
func (gitlabFormat) Format(w io.Writer, r *Report, _ Options) error {
	given := len(r.Fingerprints) == r.count()
	var prints fingerprinter
	return writeIndentedArray(w, nil, "", r.count(), func(i int, f *rule.Finding) any {
		desc := f.Message
		if f.Help != "" {
			desc += " (help: " + f.Help + ")"
		}
		print := ""
		if given {
			print = r.Fingerprints[i]
		} else {
			print = prints.next(f)
		}
		return gitlabIssue{
			Type:        "issue",
			Description: desc,
			CheckName:   f.Rule,
			Fingerprint: print,
			Severity:    gitlabSeverity(f.Severity),
			Location:    gitlabLocation{Path: filepath.ToSlash(filepath.Clean(f.File)), Lines: gitlabLines{Begin: max(f.Line, 1)}},
			Categories:  []string{"Bug Risk"},
		}
	}, r)
}
