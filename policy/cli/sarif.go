package cli

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// SARIF 2.1.0, in the shape conftest produces with go-sarif (compact JSON),
// with kvet as the tool.
const (
	sarifSchema   = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json"
	toolName      = "kvet"
	toolURI       = "https://github.com/kvetdev/kvet"
	successDesc   = "Policy was satisfied successfully"
	skippedDesc   = "Policy check was skipped"
	failureDesc   = "Policy violation"
	warningDesc   = "Policy warning"
	exceptionDesc = "Policy exception"
)

// Version is reported as the SARIF driver version.
var Version = "0.0.0-dev"

type sarifReport struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
	rules       map[string]int    `json:"-"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifText      `json:"shortDescription"`
	Properties       map[string]any `json:"properties,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool   `json:"executionSuccessful"`
	ExitCode            int    `json:"exitCode"`
	ExitCodeDescription string `json:"exitCodeDescription"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region *sarifRegion `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
	EndLine   int `json:"endLine"`
}

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

func (run *sarifRun) add(x outResult, ns, kind, level, file string) {
	id := ns + "/" + kind
	idx, ok := run.rules[id]
	if !ok {
		desc := ruleDescription(id)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: id, ShortDescription: sarifText{desc}, Properties: x.Metadata})
		idx = len(run.Tool.Driver.Rules) - 1
		run.rules[id] = idx
	}
	var loc sarifPhysical
	switch {
	case x.Location != nil:
		line, _ := strconv.Atoi(x.Location.Line.String())
		loc.ArtifactLocation.URI = filepath.ToSlash(x.Location.File)
		loc.Region = &sarifRegion{line, line}
	default:
		loc.ArtifactLocation.URI = filepath.ToSlash(file)
		if x.line > 0 { // kvet: line of the offending field or document
			loc.Region = &sarifRegion{x.line, x.line}
		}
	}
	run.Results = append(run.Results, sarifResult{
		RuleID: id, RuleIndex: idx, Level: level, Message: sarifText{x.Message},
		Locations: []sarifLocation{{loc}},
	})
}

func writeSARIF(w io.Writer, results checkResults) error {
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: toolName, Version: strings.TrimPrefix(Version, "v"), InformationURI: toolURI}},
		Results: []sarifResult{},
		rules:   map[string]int{},
	}
	for _, r := range results {
		for _, x := range r.Failures {
			run.add(x, r.Namespace, "deny", "error", r.FileName)
		}
		for _, x := range r.Warnings {
			run.add(x, r.Namespace, "warn", "warning", r.FileName)
		}
		hasSuccesses := r.Successes > 0
		for _, x := range r.Exceptions {
			run.add(x, r.Namespace, "allow", "note", r.FileName)
			hasSuccesses = true
		}
		if len(r.Failures) > 0 || len(r.Warnings) > 0 {
			continue
		}
		if hasSuccesses {
			run.add(outResult{Message: successDesc, Metadata: map[string]any{"description": successDesc}}, r.Namespace, "success", "none", r.FileName)
		} else {
			run.add(outResult{Message: skippedDesc, Metadata: map[string]any{"description": skippedDesc}}, r.Namespace, "skip", "none", r.FileName)
		}
	}
	desc := "No policy violations found"
	if results.hasFailure() {
		desc = "Policy violations found"
	} else if results.hasWarning() {
		desc = "Policy warnings found"
	}
	run.Invocations = []sarifInvocation{{ExecutionSuccessful: true, ExitCode: results.exitCode(), ExitCodeDescription: desc}}
	b, err := json.Marshal(sarifReport{Version: "2.1.0", Schema: sarifSchema, Runs: []sarifRun{run}})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
