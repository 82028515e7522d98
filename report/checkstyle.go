package report

import (
	"bufio"
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
// error, warning and info. It writes the elements as it makes them (the
// findings' files are gathered first, without making the findings), the
// same bytes as encoding checkstyleRoot whole (stream_test.go).
func (checkstyleFormat) Format(w io.Writer, r *Report, _ Options) error {
	var files []string
	byFile := map[string][]int32{}
	for i := range r.count() {
		file := r.file(i)
		if _, ok := byFile[file]; !ok {
			files = append(files, file)
		}
		byFile[file] = append(byFile[file], int32(i))
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	root := xml.StartElement{Name: xml.Name{Local: "checkstyle"}, Attr: []xml.Attr{{Name: xml.Name{Local: "version"}, Value: "4.3"}}}
	if err := enc.EncodeToken(root); err != nil {
		return err
	}
	errorElem := xml.StartElement{Name: xml.Name{Local: "error"}}
	for _, file := range files {
		start := xml.StartElement{Name: xml.Name{Local: "file"}, Attr: []xml.Attr{{Name: xml.Name{Local: "name"}, Value: file}}}
		if err := enc.EncodeToken(start); err != nil {
			return err
		}
		for _, i := range byFile[file] {
			f := r.at(int(i))
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
			e := checkstyleError{Line: f.Line, Column: f.Column, Severity: sev, Message: msg, Source: "kvet." + f.Rule}
			if err := enc.EncodeElement(e, errorElem); err != nil {
				return err
			}
		}
		if err := enc.EncodeToken(start.End()); err != nil {
			return err
		}
	}
	if err := enc.EncodeToken(root.End()); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if _, err := bw.WriteString("\n"); err != nil {
		return err
	}
	return bw.Flush()
}
