// Package policies is kvet's library of example Rego policies, embedded in
// the binary (kvet verify --bundled runs their tests). Each policy file
// carries an OPA METADATA block (title, description and custom id,
// severity, group and doc) and has its own _test.rego; each is a Go rule
// of the same id written in Rego (rules.TestRegoExamplesAgree), which kvet
// runs instead: the Rego is an example of user policy.
package policies

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// FS holds the example policies, their tests and helpers.
//
//go:embed *.rego
var FS embed.FS

// Policy describes one example policy file.
type Policy struct {
	File        string
	Package     string // e.g. "kvet.images"
	ID          string
	Title       string
	Description string
	Severity    string
	Group       string
	// Help is the one-line fix shown with each finding (custom.help).
	Help string
	Doc  map[string]any
}

// Groups lists the example policies by group (sorted by group, then ID).
func Groups() (map[string][]Policy, error) {
	all, err := List()
	if err != nil {
		return nil, err
	}
	out := map[string][]Policy{}
	for _, p := range all {
		out[p.Group] = append(out[p.Group], p)
	}
	return out, nil
}

// List returns every example policy (files with a METADATA block carrying
// custom.id), sorted by ID. The embedded files are parsed once per
// process; each call gets its own copy of the slice.
func List() ([]Policy, error) {
	all, err := list()
	return append([]Policy(nil), all...), err
}

var list = sync.OnceValues(func() ([]Policy, error) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil, err
	}
	var out []Policy
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".rego") || strings.HasSuffix(name, "_test.rego") {
			continue
		}
		src, err := fs.ReadFile(FS, name)
		if err != nil {
			return nil, err
		}
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, err
		}
		for _, a := range m.Annotations {
			if a.Scope != "package" || a.Custom == nil {
				continue
			}
			id, _ := a.Custom["id"].(string)
			if id == "" {
				continue
			}
			p := Policy{File: name, Package: strings.TrimPrefix(m.Package.Path.String(), "data."), ID: id, Title: a.Title, Description: a.Description}
			p.Severity, _ = a.Custom["severity"].(string)
			p.Group, _ = a.Custom["group"].(string)
			p.Help, _ = a.Custom["help"].(string)
			p.Doc, _ = a.Custom["doc"].(map[string]any)
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
})
