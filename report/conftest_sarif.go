package report

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// conftest's SARIF 2.1.0, in the shape conftest produces with go-sarif
// (compact JSON), with kvet as the tool; the types are sarif.go's.
const (
	conftestSarifSchema = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json"
	successDesc         = "Policy was satisfied successfully"
	skippedDesc         = "Policy check was skipped"
	failureDesc         = "Policy violation"
	warningDesc         = "Policy warning"
	exceptionDesc       = "Policy exception"
)

func ruleDescription(id string) string {
	switch {
	case strings.HasSuffix(id, "/success"):
		return successDesc
	case strings.HasSuffix(id, "/skip"):
		return skippedDesc
	case strings.HasSuffix(id, "/allow"):
		return exceptionDesc
	case strings.HasSuffix(id, "/warn"):
		return warningDesc
	}
	return failureDesc
}

// conftestRun collects one run's rules (in order of first use) and results.
type conftestRun struct {
	run   sarifRun
	rules map[string]int
}

func (c *conftestRun) add(x ConftestResult, ns, kind, level, file string) {
	id := ns + "/" + kind
	idx, ok := c.rules[id]
	if !ok {
		d := &c.run.Tool.Driver
		d.Rules = append(d.Rules, sarifRule{ID: id, ShortDescription: sarifText{Text: ruleDescription(id)}, Properties: x.Metadata})
		idx = len(d.Rules) - 1
		c.rules[id] = idx
	}
	var loc sarifPhysical
	switch {
	case x.Location != nil:
		line, _ := strconv.Atoi(x.Location.Line.String())
		loc.ArtifactLocation.URI = filepath.ToSlash(x.Location.File)
		loc.Region = &sarifRegion{StartLine: line, EndLine: line}
	default:
		loc.ArtifactLocation.URI = filepath.ToSlash(file)
		if x.Line > 0 { // kvet: line of the offending field or document
			loc.Region = &sarifRegion{StartLine: x.Line, EndLine: x.Line}
		}
	}
	c.run.Results = append(c.run.Results, sarifResult{
		RuleID: id, RuleIndex: idx, Level: level, Message: sarifText{Text: x.Message},
		Locations: []sarifLocation{{PhysicalLocation: loc}},
	})
}

func writeConftestSARIF(w io.Writer, results CheckResults, version string) error {
	c := conftestRun{
		run: sarifRun{
			Tool:    sarifTool{Driver: sarifDriver{Name: "kvet", Version: strings.TrimPrefix(version, "v"), InformationURI: kvetURI, conftest: true}},
			Results: []sarifResult{},
		},
		rules: map[string]int{},
	}
	for _, r := range results {
		for _, x := range r.Failures {
			c.add(x, r.Namespace, "deny", "error", r.FileName)
		}
		for _, x := range r.Warnings {
			c.add(x, r.Namespace, "warn", "warning", r.FileName)
		}
		hasSuccesses := r.Successes > 0
		for _, x := range r.Exceptions {
			c.add(x, r.Namespace, "allow", "note", r.FileName)
			hasSuccesses = true
		}
		if len(r.Failures) > 0 || len(r.Warnings) > 0 {
			continue
		}
		if hasSuccesses {
			c.add(ConftestResult{Message: successDesc, Metadata: map[string]any{"description": successDesc}}, r.Namespace, "success", "none", r.FileName)
		} else {
			c.add(ConftestResult{Message: skippedDesc, Metadata: map[string]any{"description": skippedDesc}}, r.Namespace, "skip", "none", r.FileName)
		}
	}
	desc := "No policy violations found"
	if results.hasFailure() {
		desc = "Policy violations found"
	} else if results.hasWarning() {
		desc = "Policy warnings found"
	}
	c.run.Invocations = []sarifInvocation{{ExecutionSuccessful: true, ExitCode: results.ExitCode(), ExitCodeDescription: desc}}
	b, err := json.Marshal(sarifLog{Version: "2.1.0", Schema: conftestSarifSchema, Runs: []sarifRun{c.run}, conftest: true})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
