package helm

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/kvetdev/kvet/manifest"
)

// valuesFile is a values file read as a node tree, and where its keys sit
// in the top chart's values (prefix: a subchart's values.yaml sits under
// its name).
type valuesFile struct {
	src    *manifest.Source
	root   *yaml.Node
	prefix []string
}

// valuesFiles are the values files of a rendering in order of precedence,
// highest first: the user's (the last -f first), then the top chart's
// values.yaml, then its subcharts' (a parent's values override a
// subchart's defaults).
type valuesFiles struct {
	user   []*valuesFile
	charts []*valuesFile
	// flags are the values --set and --set-string gave: they override
	// every file, and have no line to point at.
	flags map[string]any
}

func newValuesFile(src *manifest.Source, prefix []string) *valuesFile {
	var doc yaml.Node
	if err := yaml.Unmarshal(src.Data, &doc); err != nil || len(doc.Content) == 0 {
		return &valuesFile{src: src, prefix: prefix}
	}
	return &valuesFile{src: src, root: doc.Content[0], prefix: prefix}
}

func (vf *valuesFiles) addUser(src *manifest.Source) {
	vf.user = append([]*valuesFile{newValuesFile(src, nil)}, vf.user...)
}

// addUserNode adds values written as a mapping inside src (a
// kustomization's valuesInline).
func (vf *valuesFiles) addUserNode(src *manifest.Source, n *yaml.Node) {
	vf.user = append([]*valuesFile{{src: src, root: n}}, vf.user...)
}

// addCharts adds c's values.yaml and its subcharts', top chart first.
func (vf *valuesFiles) addCharts(run *chartRun, c *chart.Chart) {
	type item struct {
		c     *chart.Chart
		depth int
	}
	queue := []item{{c, 0}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, f := range it.c.Raw {
			if f.Name == chartutil.ValuesfileName {
				name := path.Join(it.c.ChartFullPath(), f.Name)
				src := &manifest.Source{Path: run.diskPath(name), Data: f.Data}
				vf.charts = append(vf.charts, newValuesFile(src, run.subValues[it.c.ChartFullPath()]))
			}
		}
		for _, d := range it.c.Dependencies() {
			queue = append(queue, item{d, it.depth + 1})
		}
	}
}

// find returns the value node at the key path of the top chart's values
// in the file of highest precedence that sets it, and that file.
func (vf *valuesFiles) find(keys []string) (*manifest.Source, *yaml.Node, *yaml.Node) {
	if inMap(vf.flags, keys) {
		return nil, nil, nil
	}
	for _, list := range [][]*valuesFile{vf.user, vf.charts} {
		for _, f := range list {
			if f.root == nil || len(keys) < len(f.prefix) || !hasPrefix(keys, f.prefix) {
				continue
			}
			if k, v := lookup(f.root, keys[len(f.prefix):]); v != nil {
				return f.src, k, v
			}
		}
	}
	return nil, nil, nil
}

func hasPrefix(keys, prefix []string) bool {
	for i, p := range prefix {
		if keys[i] != p {
			return false
		}
	}
	return true
}

// lookup walks mappings (and list indexes) by keys, returning the last
// key's node and its value.
func lookup(n *yaml.Node, keys []string) (key, value *yaml.Node) {
	for _, k := range keys {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					key, n = n.Content[i], n.Content[i+1]
					found = true
					break
				}
			}
			if !found {
				return nil, nil
			}
		case yaml.SequenceNode:
			var idx int
			if _, err := fmt.Sscanf(k, "%d", &idx); err != nil || idx < 0 || idx >= len(n.Content) {
				return nil, nil
			}
			key, n = n.Content[idx], n.Content[idx]
		default:
			return nil, nil
		}
	}
	return key, n
}

// checkSchema enforces each chart's values.schema.json on its values as
// Helm does (chartutil.ValidateAgainstSchema), with one difference: a
// schema that refers to an http(s) URL is refused rather than fetched.
// Each violation is a problem at the value in the values file that set
// it, else at the schema.
func (run *chartRun) checkSchema(c *chart.Chart, vals map[string]any, keys []string, setName string) []manifest.Problem {
	var probs []manifest.Problem
	if c.Schema != nil {
		schemaSrc := &manifest.Source{Path: run.diskPath(path.Join(c.ChartFullPath(), "values.schema.json")), Data: c.Schema}
		probs = append(probs, run.validate(schemaSrc, vals, keys, setName)...)
	}
	for _, sub := range c.Dependencies() {
		raw, ok := vals[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		m, ok := raw.(map[string]any)
		if !ok {
			continue // Helm's coalescing reports it
		}
		probs = append(probs, run.checkSchema(sub, m, append(append([]string(nil), keys...), sub.Name()), setName)...)
	}
	return probs
}

var english = message.NewPrinter(language.English)

func (run *chartRun) validate(schemaSrc *manifest.Source, vals map[string]any, keys []string, setName string) []manifest.Problem {
	at := func(src *manifest.Source, line, col int, msg string) manifest.Problem {
		if setName != "" {
			msg += " (values: " + setName + ")"
		}
		return manifest.Problem{Code: manifest.CodeRender, Source: src, Pos: manifest.Position{Line: line, Column: col}, Message: msg,
			Help: "make the values match " + schemaSrc.Path}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaSrc.Data))
	if err != nil {
		return []manifest.Problem{at(schemaSrc, 1, 1, "values.schema.json is not JSON: "+err.Error())}
	}
	comp := jsonschema.NewCompiler()
	comp.UseLoader(jsonschema.SchemeURLLoader{"file": jsonschema.FileLoader{}, "urn": permissive{}, "http": refused{}, "https": refused{}})
	if err := comp.AddResource("file:///values.schema.json", doc); err != nil {
		return []manifest.Problem{at(schemaSrc, 1, 1, "values.schema.json: "+err.Error())}
	}
	sch, err := comp.Compile("file:///values.schema.json")
	if err != nil {
		return []manifest.Problem{at(schemaSrc, 1, 1, "values.schema.json: "+err.Error())}
	}
	// The schema sees plain JSON types, as Helm's Values.AsMap gives them.
	err = sch.Validate(chartutil.Values(vals).AsMap())
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		if err != nil {
			return []manifest.Problem{at(schemaSrc, 1, 1, "values.schema.json: "+err.Error())}
		}
		return nil
	}
	var probs []manifest.Problem
	var leaves func(e *jsonschema.ValidationError)
	leaves = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				leaves(c)
			}
			return
		}
		loc := append(append([]string(nil), keys...), e.InstanceLocation...)
		msg := fmt.Sprintf("values at %s: %s", keyPath(e.InstanceLocation), e.ErrorKind.LocalizedString(english))
		src, k, v := run.values.find(loc)
		switch {
		case v != nil && v.Kind == yaml.MappingNode && k != nil:
			probs = append(probs, at(src, k.Line, k.Column, msg))
		case v != nil:
			probs = append(probs, at(src, v.Line, v.Column, msg))
		default:
			probs = append(probs, at(schemaSrc, 1, 1, msg))
		}
	}
	leaves(ve)
	return probs
}

func keyPath(keys []string) string {
	if len(keys) == 0 {
		return "the top level"
	}
	return strings.Join(keys, ".")
}

// refused is the schema loader of URLs kvet does not fetch.
type refused struct{}

func (refused) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: kvet does not fetch schemas; put the schema in the chart and refer to it by a relative path", url)
}

// permissive resolves urn: references as Helm does when nothing resolves
// them: to a schema that accepts anything.
type permissive struct{}

func (permissive) Load(string) (any, error) { return true, nil }

// inMap reports whether m holds the key path keys.
func inMap(m map[string]any, keys []string) bool {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = mm[k]; !ok {
			return false
		}
	}
	return len(keys) > 0
}
