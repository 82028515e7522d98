package report

import (
	"encoding/xml"
	"io"

	"github.com/kvetdev/kvet/rule"
)

// checkstyleFormat writes Checkstyle XML (version 4.3), which Jenkins'
// warnings plugin, reviewdog and many CI tools read.
type checkstyleFormat struct{}

type checkstyleRoot struct {
	XMLName xml.Name         `xml:"checkstyle"`
	Version string           `xml:"version,attr"`
	Files   []checkstyleFile `xml:"file"`
}

type checkstyleFile struct {
	Name   string            `xml:"name,attr"`
	Errors []checkstyleError `xml:"error"`
}

type checkstyleError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr,omitempty"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

// Format writes one <file> per file with findings, in the findings' order
// (by file), and one <error> per finding; severities are Checkstyle's
// error, warning and info.
func (checkstyleFormat) Format(w io.Writer, r *Report, _ Options) error {
	root := checkstyleRoot{Version: "4.3", Files: []checkstyleFile{}}
	index := map[string]int{}
	for _, f := range r.all() {
		i, ok := index[f.File]
		if !ok {
			i = len(root.Files)
			index[f.File] = i
			root.Files = append(root.Files, checkstyleFile{Name: f.File})
		}
		msg := f.Message
		if f.Help != "" {
			msg += " (help: " + f.Help + ")"
		}
		sev := "info"
		switch f.Severity {
		case rule.Error:
			sev = "error"
		case rule.Warning:
			sev = "warning"
		}
		root.Files[i].Errors = append(root.Files[i].Errors, checkstyleError{
			Line: f.Line, Column: f.Column, Severity: sev, Message: msg, Source: "kvet." + f.Rule,
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
