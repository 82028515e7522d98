// Package helm renders Helm charts with Helm's own engine, as a library
// (helm.sh/helm/v3: the chart loader, values coalescing, values.schema.json,
// engine.Render), for kvet to lint what a chart produces, not its
// templates. Nothing is fetched: a dependency that is declared but not in
// charts/ is an error naming it, and a values.schema.json that refers to
// a URL is refused. Nothing is written.
//
// Each rendered template is a manifest.Source whose Origin maps its lines
// back to the template line, or to the values file line, they come from.
package helm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/strvals"

	"github.com/kvetdev/kvet/manifest"
)

// ValueSet is one way to render a chart, as helm template's flags say it.
type ValueSet struct {
	// Name tells the rendered output of this set from another's
	// (default: the values files' names).
	Name string
	// Files are values files (-f), later ones overriding earlier ones.
	Files []string
	// Set and SetString are --set and --set-string assignments.
	Set, SetString []string
	// Layers, when set, replace Files: values files or values written in
	// another file (a kustomization's valuesInline), later ones
	// overriding earlier ones.
	Layers []Layer
}

// Layer is one source of values: a values file, or a mapping inside
// another file (Node, in Source), whose lines findings then point at.
type Layer struct {
	File   string
	Source *manifest.Source
	Node   *yaml.Node
}

// Options control rendering.
type Options struct {
	// KubeVersion is the target Kubernetes version (MAJOR.MINOR), the
	// chart's .Capabilities.KubeVersion.
	KubeVersion string
	// ReleaseName (default "release-name", as helm template) and
	// Namespace (default "default").
	ReleaseName, Namespace string
	// APIVersions are added to .Capabilities.APIVersions, as helm
	// template --api-versions.
	APIVersions []string
	// Values is the value set of the command line.
	Values ValueSet
	// Sets, when set, returns the value sets to render the chart in dir
	// with (from the configuration); none means Values.
	Sets func(dir string) []ValueSet
	// Timeout bounds one rendering (default 30s).
	Timeout time.Duration
	// MaxBytes bounds a rendering's output (default 64 MiB).
	MaxBytes int64
}

// Renderer renders Helm charts: a folder holding Chart.yaml.
type Renderer struct{ opts Options }

// New returns a Renderer.
func New(opts Options) *Renderer {
	if opts.ReleaseName == "" {
		opts.ReleaseName = "release-name"
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 64 << 20
	}
	return &Renderer{opts: opts}
}

var _ manifest.Renderer = (*Renderer)(nil)

// Root reports whether dir holds a Chart.yaml.
func (r *Renderer) Root(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, chartutil.ChartfileName))
	return err == nil && st.Mode().IsRegular()
}

// Render renders the chart in dir once per value set.
func (r *Renderer) Render(ctx context.Context, dir string) ([]*manifest.Source, []manifest.Problem) {
	sets := []ValueSet{r.opts.Values}
	if r.opts.Sets != nil {
		if s := r.opts.Sets(dir); len(s) > 0 {
			sets = s
		}
	}
	var srcs []*manifest.Source
	var probs []manifest.Problem
	for _, set := range sets {
		if len(sets) > 1 && set.Name == "" {
			set.Name = setName(set)
		}
		s, p := r.render(ctx, dir, set)
		if len(sets) > 1 {
			for _, src := range s {
				if o, ok := src.Origin.(*origin); ok {
					o.variant = set.Name
				}
			}
		}
		srcs = append(srcs, s...)
		probs = append(probs, p...)
	}
	return srcs, probs
}

// RenderSet renders the chart in dir with one value set (the others of
// Options are used as Render uses them). The chart's crds/ files are
// sources without an Origin; each template's output has one.
func (r *Renderer) RenderSet(ctx context.Context, dir string, set ValueSet) ([]*manifest.Source, []manifest.Problem) {
	return r.render(ctx, dir, set)
}

func setName(set ValueSet) string {
	var names []string
	for _, f := range set.Files {
		names = append(names, filepath.Base(f))
	}
	names = append(names, set.Set...)
	names = append(names, set.SetString...)
	if len(names) == 0 {
		return "default values"
	}
	return strings.Join(names, ",")
}

// chartRun is one rendering of a chart: what mapping back needs.
type chartRun struct {
	dir   string
	chart *chart.Chart
	// values are the values files in order of precedence, highest first:
	// the user's (last -f first), then each chart's values.yaml.
	values *valuesFiles
	// files are the chart's own files as sources, by the engine's
	// template name (app/templates/x.yaml, app/charts/sub/templates/y.yaml).
	files map[string]*manifest.Source
	// subValues maps a chart's full path (app/charts/sub) to the key path
	// of its values in the top chart's values (sub, or its alias).
	subValues map[string][]string
}

func (r *Renderer) render(ctx context.Context, dir string, set ValueSet) ([]*manifest.Source, []manifest.Problem) {
	chartFile := r.fileSource(filepath.Join(dir, chartutil.ChartfileName))
	problem := func(src *manifest.Source, line, col int, msg, help string) []manifest.Problem {
		if line < 1 {
			line, col = 1, 1
		}
		if col < 1 {
			col = 1
		}
		if set.Name != "" {
			msg += " (values: " + set.Name + ")"
		}
		return []manifest.Problem{{Code: manifest.CodeRender, Source: src, Pos: manifest.Position{Line: line, Column: col}, Message: msg, Help: help}}
	}
	c, err := loader.Load(dir)
	if err != nil {
		return nil, problem(chartFile, 1, 1, "the chart cannot be loaded: "+err.Error(), "fix the chart so that helm template can load it")
	}
	if p := missingDependency(c, dir, chartFile); p != nil {
		return nil, problem(chartFile, p.Line, p.Column, p.msg, "vendor it with helm dependency build "+dir+" (kvet never downloads charts)")
	}
	vals, vf, err := r.userValues(set)
	if err != nil {
		var ve *valuesError
		if errors.As(err, &ve) {
			return nil, problem(ve.src, ve.line, 1, ve.msg, "fix the values file")
		}
		return nil, problem(chartFile, 1, 1, err.Error(), "fix the --set value")
	}
	run := &chartRun{dir: dir, chart: c, files: map[string]*manifest.Source{}, subValues: map[string][]string{}}
	run.collect(c, nil)
	run.values = vf
	run.values.addCharts(run, c)
	if err := chartutil.ProcessDependenciesWithMerge(c, vals); err != nil {
		return nil, problem(chartFile, 1, 1, "dependencies: "+err.Error(), "fix the dependencies' conditions, tags or import-values")
	}
	caps := chartutil.DefaultCapabilities.Copy()
	if kv := r.opts.KubeVersion; kv != "" {
		major, minor, _ := strings.Cut(kv, ".")
		caps.KubeVersion = chartutil.KubeVersion{Version: "v" + kv + ".0", Major: major, Minor: minor}
	}
	if len(r.opts.APIVersions) > 0 {
		caps.APIVersions = append(slices.Clip(caps.APIVersions), r.opts.APIVersions...)
	}
	top, err := chartutil.ToRenderValuesWithSchemaValidation(c, vals, chartutil.ReleaseOptions{
		Name: r.opts.ReleaseName, Namespace: r.opts.Namespace, Revision: 1, IsInstall: true,
	}, caps, true)
	if err != nil {
		return nil, problem(chartFile, 1, 1, "values: "+err.Error(), "fix the values")
	}
	coalesced, _ := top["Values"].(chartutil.Values)
	if probs := run.checkSchema(c, coalesced, nil, set.Name); len(probs) > 0 {
		return nil, probs
	}
	out, err := renderBounded(ctx, c, top, r.opts.Timeout)
	if err != nil {
		name, line, col, msg := parseRenderError(err)
		if src := run.files[name]; src != nil {
			return nil, problem(src, line, col, msg, "fix the template, or give the values it needs")
		}
		return nil, problem(chartFile, 1, 1, err.Error(), "fix the template, or give the values it needs")
	}
	names := make([]string, 0, len(out))
	total := int64(0)
	for name, text := range out {
		total += int64(len(text))
		if strings.HasSuffix(name, "NOTES.txt") || strings.TrimSpace(text) == "" {
			continue
		}
		names = append(names, name)
	}
	if total > r.opts.MaxBytes {
		return nil, problem(chartFile, 1, 1, fmt.Sprintf("the chart renders %d bytes, more than the limit of %d", total, r.opts.MaxBytes), "render fewer objects, or check the templates' loops")
	}
	sort.Strings(names)
	var srcs []*manifest.Source
	for _, crd := range c.CRDObjects() {
		// crds/ are applied as they are, so they are linted as files.
		srcs = append(srcs, &manifest.Source{Path: run.diskPath(crd.Filename), Data: crd.File.Data})
	}
	for _, name := range names {
		rendered := name
		if set.Name != "" {
			rendered += " (" + set.Name + ")"
		}
		o := &origin{run: run, tpl: run.files[name], name: name, text: out[name]}
		srcs = append(srcs, manifest.RenderedSource(rendered, []byte(out[name]), o))
	}
	return srcs, nil
}

// renderBounded runs the engine with a time limit: the engine cannot be
// stopped, so a template that loops forever is left behind (it ends with
// the process) and reported.
func renderBounded(ctx context.Context, c *chart.Chart, vals chartutil.Values, timeout time.Duration) (map[string]string, error) {
	type result struct {
		out map[string]string
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := engine.Engine{}.Render(c, vals)
		done <- result{out, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case res := <-done:
		return res.out, res.err
	case <-t.C:
		return nil, fmt.Errorf("rendering took more than %s; a template may loop forever", timeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// errLocation is where Helm's errors name a template: "(app/templates/x.yaml:5:12)"
// or "template: app/templates/x.yaml:5:12: ...".
var errLocation = regexp.MustCompile(`([^\s():]+):(\d+)(?::(\d+))?`)

// parseRenderError finds the template, line and column an error of the
// engine names, and the message without them.
func parseRenderError(err error) (name string, line, col int, msg string) {
	s := err.Error()
	m := errLocation.FindStringSubmatchIndex(s)
	if m == nil {
		return "", 0, 0, s
	}
	name = s[m[2]:m[3]]
	line, _ = strconv.Atoi(s[m[4]:m[5]])
	if m[6] >= 0 {
		col, _ = strconv.Atoi(s[m[6]:m[7]])
	}
	msg = strings.TrimSpace(strings.TrimPrefix(s[m[1]:], ")"))
	msg = strings.TrimPrefix(msg, ": ")
	switch {
	case strings.HasPrefix(s, "parse error"):
		msg = "template syntax: " + msg
	case strings.HasPrefix(s, "execution error"):
		// required and fail: the chart's own message
	default:
		msg = "rendering failed: " + msg
	}
	return name, line, col, msg
}

// collect records the chart's templates (and those of its subcharts) as
// sources, by the engine's names, and where each subchart's values sit
// in its parent's.
func (run *chartRun) collect(c *chart.Chart, valuesPath []string) {
	full := c.ChartFullPath()
	run.subValues[full] = valuesPath
	for _, f := range c.Templates {
		name := path.Join(full, f.Name)
		run.files[name] = &manifest.Source{Path: run.diskPath(name), Data: f.Data}
	}
	for _, d := range c.Dependencies() {
		key := d.Name()
		for _, dep := range c.Metadata.Dependencies {
			if dep.Name == d.Name() && dep.Alias != "" {
				key = dep.Alias
			}
		}
		run.collect(d, append(append([]string(nil), valuesPath...), key))
	}
}

// diskPath turns an engine name (app/charts/sub/templates/x.yaml) into
// the file's path below the chart's folder as the user named it.
func (run *chartRun) diskPath(name string) string {
	_, rest, _ := strings.Cut(filepath.ToSlash(name), "/")
	return filepath.Join(run.dir, filepath.FromSlash(rest))
}

func (r *Renderer) fileSource(p string) *manifest.Source {
	data, _ := os.ReadFile(p) // #nosec G304 -- a file of the chart being linted
	return &manifest.Source{Path: p, Data: data}
}

type depProblem struct {
	manifest.Position
	msg string
}

// missingDependency reports the first dependency Chart.yaml declares that
// charts/ does not hold, at its line; Helm's own check
// (action.CheckDependencies) lives in its heavy action package.
func missingDependency(c *chart.Chart, dir string, chartFile *manifest.Source) *depProblem {
	have := map[string]bool{}
	for _, d := range c.Dependencies() {
		have[d.Name()] = true
	}
	for _, dep := range c.Metadata.Dependencies {
		if have[dep.Name] {
			continue
		}
		pos := manifest.Position{Line: 1, Column: 1}
		if l, col := findLine(chartFile.Data, "name: "+dep.Name); l > 0 {
			pos = manifest.Position{Line: l, Column: col}
		}
		return &depProblem{pos, fmt.Sprintf("dependency %q (%s %s) is declared in Chart.yaml but not in %s", dep.Name, dep.Repository, dep.Version, filepath.Join(dir, "charts"))}
	}
	return nil
}

// findLine returns the line and column of the first occurrence of text.
func findLine(data []byte, text string) (int, int) {
	for i, l := range strings.Split(string(data), "\n") {
		if j := strings.Index(l, text); j >= 0 {
			return i + 1, j + 1
		}
	}
	return 0, 0
}

// userValues reads the value set into one map as helm template does: the
// values files merged in order, then --set, then --set-string.
func (r *Renderer) userValues(set ValueSet) (map[string]any, *valuesFiles, error) {
	base := map[string]any{}
	vf := &valuesFiles{}
	layers := set.Layers
	if layers == nil {
		for _, f := range set.Files {
			layers = append(layers, Layer{File: f})
		}
	}
	for _, l := range layers {
		if l.File == "" {
			var v map[string]any
			if l.Node != nil {
				if err := l.Node.Decode(&v); err != nil {
					return nil, nil, &valuesError{src: l.Source, line: l.Node.Line, msg: fmt.Sprintf("values in %s: %v", l.Source.Path, err)}
				}
			}
			base = mergeMaps(base, v)
			vf.addUserNode(l.Source, l.Node)
			continue
		}
		f := l.File
		data, err := os.ReadFile(f) // #nosec G304 -- named by the user
		if err != nil {
			return nil, nil, &valuesError{src: &manifest.Source{Path: f}, line: 1, msg: fmt.Sprintf("values file %s: %v", f, err)}
		}
		src := &manifest.Source{Path: f, Data: data}
		v, err := chartutil.ReadValues(data)
		if err != nil {
			return nil, nil, &valuesError{src: src, line: yamlErrorLine(err), msg: fmt.Sprintf("values file %s: %v", f, err)}
		}
		base = mergeMaps(base, v)
		vf.addUser(src)
	}
	flags := map[string]any{}
	for _, s := range set.Set {
		if err := strvals.ParseInto(s, flags); err != nil {
			return nil, nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	for _, s := range set.SetString {
		if err := strvals.ParseIntoString(s, flags); err != nil {
			return nil, nil, fmt.Errorf("--set-string %s: %w", s, err)
		}
	}
	vf.flags = flags
	for _, s := range set.Set {
		if err := strvals.ParseInto(s, base); err != nil {
			return nil, nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	for _, s := range set.SetString {
		if err := strvals.ParseIntoString(s, base); err != nil {
			return nil, nil, fmt.Errorf("--set-string %s: %w", s, err)
		}
	}
	return base, vf, nil
}

type valuesError struct {
	src  *manifest.Source
	line int
	msg  string
}

func (e *valuesError) Error() string { return e.msg }

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1
}

// mergeMaps merges b into a as helm's -f does: maps merge key by key,
// anything else in b replaces a's.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}
