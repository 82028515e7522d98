package manifest

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// DecodeStrict decodes the first YAML document of src into v (a pointer to
// a struct with json tags) with the same strictness and positions as
// manifests: unknown fields (with the closest valid name), values of the
// wrong type and duplicate keys are problems at their line and column. It
// is how kvet reads its own configuration file.
func DecodeStrict(src *Source, v any) []Problem {
	var doc yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(src.Data)).Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		line, msg := 1, err.Error()
		if m := errLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
			if parserProblems[msg] {
				line++
			}
		}
		return []Problem{{Code: CodeSyntax, Source: src, Pos: Position{Line: line, Column: 1}, Message: "YAML syntax error: " + strings.TrimPrefix(msg, "yaml: ")}}
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil
	}
	b := builder{src: src, limits: Limits{}.withDefaults()}
	b.value(root, 0)
	o := &Object{Source: src, Node: root}
	d := typedDecoder{obj: o, limits: b.limits, kind: "config"}
	d.decode(root, reflect.ValueOf(v).Elem(), 0)
	probs := append(append([]Problem(nil), b.problems...), d.problems...)
	for i := range probs {
		if probs[i].Code == CodeUnknownField && strings.Contains(probs[i].Help, "kubectl explain") {
			probs[i].Help = "remove it; see the configuration reference in kvet's README"
		}
	}
	return probs
}

// RootObject returns the first document of src as an Object with only its
// node set, for locating paths in files that are not manifests.
func RootObject(src *Source) (*Object, bool) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src.Data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return nil, false
	}
	return &Object{Source: src, Node: doc.Content[0]}, true
}
