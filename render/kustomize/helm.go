package kustomize

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/render/helm"
)

// Helm charts in a kustomization (helmCharts:) are inflated as kustomize's
// HelmChartInflationGenerator would (the chart found in chartHome, by
// default charts/, as <name> or, with a repo and a version,
// <name>-<version>/<name>; valuesFile, valuesInline and valuesMerge,
// additionalValuesFiles, releaseName, namespace, includeCRDs, skipTests,
// skipHooks, apiVersions, kubeVersion), but with render/helm instead of
// the helm binary, and never fetched. The rendering is handed to krusty as
// a resource file that exists only in the build's view of the disk (the
// kustomization it reads lists it in place of its helmCharts), with
// kustomize's helm-generated annotation, so that the kustomization's
// transformers treat it as they treat a generated chart's output.
// Findings on it are mapped back through the chart's templates and values.

// helmGenerated is kustomize's annotation on a chart's resources: its
// namespace transformer leaves them alone. A build annotation: kustomize
// removes it from the output.
const helmGenerated = konfig.HelmGeneratedAnnotation

// chartRef is one helmCharts entry of a kustomization.
type chartRef struct {
	spec     types.HelmChart
	node     *yaml.Node // the entry
	nameNode *yaml.Node
	dir      string // the chart's folder
	virtual  string // absolute path of the rendering's resource file
}

// inflation is one chart rendered for a build.
type inflation struct {
	ref  *chartRef
	data []byte    // the resource file served to krusty
	docs []helmDoc // the rendered documents, as Helm rendered them
}

// helmDoc is a rendered document and the rendered source it is in.
type helmDoc struct {
	src  *manifest.Source
	node *yaml.Node
}

// helmFiles are what a build's view of the disk adds: the renderings and
// the kustomization files rewritten to list them.
type helmFiles struct {
	files  map[string][]byte     // by absolute path and by real path
	kusts  map[string][]byte     // rewritten kustomization files, same keys
	byPath map[string]*inflation // by absolute path
}

// file is the rendering served as abs, if abs is one.
func (h *helmFiles) file(abs string) ([]byte, bool) {
	if h == nil {
		return nil, false
	}
	d, ok := h.files[abs]
	return d, ok
}

// kustomization is the kustomization file abs as rewritten, if it is one.
func (h *helmFiles) kustomization(abs string) ([]byte, bool) {
	if h == nil {
		return nil, false
	}
	d, ok := h.kusts[abs]
	return d, ok
}

// loadCharts reads k's helmCharts entries and checks each chart is on the
// disk; it reports whether one is not (the kustomization is not built).
func (m *model) loadCharts(k *kust, seq *yaml.Node, stack map[string]bool) (fatal bool) {
	home := scalar(k.top, "helmGlobals", "chartHome")
	if home == "" {
		home = types.HelmDefaultHome
	}
	if !filepath.IsAbs(home) {
		home = filepath.Join(k.dir, home)
	}
	for i, it := range seq.Content {
		var spec types.HelmChart
		if it.Kind != yaml.MappingNode {
			continue // krusty says what is wrong with it
		}
		if err := it.Decode(&spec); err != nil {
			m.problem(k.file, it, "helmCharts entry: "+err.Error(), "fix the entry as kustomize's HelmChart type has it")
			fatal = true
			continue
		}
		nameNode := child(it, "name")
		if spec.Name == "" || nameNode == nil {
			m.problem(k.file, it, "helmCharts entry without a name", "name the chart (its folder under the chart home)")
			fatal = true
			continue
		}
		cHome := home
		if spec.Version != "" && spec.Repo != "" {
			cHome = filepath.Join(home, spec.Name+"-"+spec.Version)
		}
		dir := filepath.Join(cHome, spec.Name)
		if st, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err != nil || !st.Mode().IsRegular() {
			if spec.Repo != "" {
				pull := "helm pull --untar --untardir " + cHome + " --repo " + spec.Repo + " " + spec.Name
				if strings.HasPrefix(spec.Repo, "oci://") {
					pull = "helm pull --untar --untardir " + cHome + " " + strings.TrimSuffix(spec.Repo, "/") + "/" + spec.Name
				}
				if spec.Version != "" {
					pull += " --version " + spec.Version
				}
				m.problem(k.file, nameNode, fmt.Sprintf("helm chart %q (%s) is not in %s: kvet never downloads charts", spec.Name, spec.Repo, dir),
					"vendor it: run kustomize build --enable-helm "+k.dir+" once, or "+pull)
			} else {
				m.problem(k.file, nameNode, fmt.Sprintf("helm chart %q: %s holds no Chart.yaml", spec.Name, dir),
					"put the chart there, or set helmGlobals.chartHome to the folder holding it")
			}
			fatal = true
			continue
		}
		if top := repository(k.abs); !within(dir, top) {
			m.problem(k.file, nameNode, fmt.Sprintf("helm chart %q: %s is outside %s; kvet reads no chart outside the kustomization's repository", spec.Name, dir, top),
				"vendor the chart into the repository and point helmGlobals.chartHome at it")
			fatal = true
			continue
		}
		virtual := filepath.Join(k.abs, fmt.Sprintf(".kvet-helm-%d-%s.yaml", i, spec.Name))
		ref := &chartRef{spec: spec, node: it, nameNode: nameNode, dir: dir, virtual: virtual}
		k.charts = append(k.charts, ref)
		k.entries = append(k.entries, entry{field: "helmCharts", value: spec.Name, abs: virtual, node: nameNode})
		if abs, err := filepath.Abs(dir); err == nil {
			k.chartDirs = append(k.chartDirs, filepath.Clean(abs))
		}
		var values []*yaml.Node
		if n := child(it, "valuesFile"); n != nil && n.Kind == yaml.ScalarNode {
			values = append(values, n)
		}
		if fs := child(it, "additionalValuesFiles"); fs != nil && fs.Kind == yaml.SequenceNode {
			values = append(values, fs.Content...)
		}
		for _, n := range values {
			if n.Kind != yaml.ScalarNode {
				continue
			}
			if m.entry(k, "helmCharts values", n.Value, n, false, stack) {
				fatal = true
				continue
			}
			p := n.Value
			if !filepath.IsAbs(p) {
				p = filepath.Join(k.dir, p)
			}
			if !k.holds(p) {
				// kustomize's loader refuses it too (load restrictions).
				m.problem(k.file, n, fmt.Sprintf("values file %q is outside the kustomization's folder %s", n.Value, k.dir),
					"move the values file into the kustomization's folder, as kustomize requires")
				fatal = true
			}
		}
	}
	return fatal
}

// repository is the folder holding .git at or above dir (absolute), or
// dir itself when there is none.
func repository(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// within reports whether path, symlinks resolved, is dir or below it.
func within(path, dir string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	return inside(real, d)
}

// inflate renders the charts of root's tree for its build. A chart's
// namespace is its entry's, else its kustomization's, else that of the
// nearest kustomization including it that sets one (as kustomize passes
// it to helm). It reports false when a chart fails to render (problems at
// the template, values or kustomization line).
func (m *model) inflate(root *kust) (*helmFiles, bool) {
	var hf *helmFiles
	ok := true
	seen := map[*kust]bool{}
	var walk func(k *kust, ns string)
	walk = func(k *kust, ns string) {
		if seen[k] {
			return
		}
		seen[k] = true
		if own := scalar(k.top, "namespace"); own != "" {
			ns = own
		}
		if len(k.charts) > 0 {
			if hf == nil {
				hf = &helmFiles{files: map[string][]byte{}, kusts: map[string][]byte{}, byPath: map[string]*inflation{}}
			}
			var names []string
			for _, c := range k.charts {
				in := m.render(k, c, ns)
				if in == nil {
					ok = false
					continue
				}
				hf.byPath[c.virtual] = in
				for _, p := range realAndAbs(c.virtual) {
					hf.files[p] = in.data
				}
				names = append(names, filepath.Base(c.virtual))
			}
			if data, err := withoutCharts(k.src.Data, names); err == nil {
				abs, _ := filepath.Abs(k.file)
				for _, p := range realAndAbs(filepath.Clean(abs)) {
					hf.kusts[p] = data
				}
			}
		}
		for _, c := range k.children {
			walk(c, ns)
		}
	}
	walk(root, "")
	return hf, ok
}

// realAndAbs are the keys a path of the build's view may be asked by:
// as kvet made it absolute, and with its folder's symlinks resolved.
func realAndAbs(abs string) []string {
	out := []string{abs}
	if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		if r := filepath.Join(d, filepath.Base(abs)); r != abs {
			out = append(out, r)
		}
	}
	return out
}

// render inflates one chart with the values its entry gives, as kustomize
// passes them to helm template: the valuesFile (the chart's values.yaml
// by default) merged with valuesInline by valuesMerge (override: inline
// wins, the default; merge: the file wins; replace: inline only), then
// each additionalValuesFiles.
func (m *model) render(k *kust, c *chartRef, ns string) *inflation {
	key := c.virtual + "\x00" + ns
	if in, ok := m.inflations[key]; ok {
		return in
	}
	m.inflations[key] = nil
	spec := c.spec
	if spec.Namespace != "" {
		ns = spec.Namespace
	}
	rel := spec.ReleaseName
	if rel == "" {
		rel = "release-name" // kustomize asks helm to generate one: random
	}
	kv := m.opts.KubeVersion
	if spec.KubeVersion != "" {
		v := strings.TrimPrefix(spec.KubeVersion, "v")
		if parts := strings.SplitN(v, ".", 3); len(parts) >= 2 {
			kv = parts[0] + "." + parts[1]
		}
	}
	var layers []helm.Layer
	file := helm.Layer{File: filepath.Join(c.dir, "values.yaml")}
	explicit := spec.ValuesFile != ""
	if explicit {
		file.File = spec.ValuesFile
		if !filepath.IsAbs(file.File) {
			file.File = filepath.Join(k.dir, file.File)
		}
	}
	inline := helm.Layer{Source: k.src, Node: child(c.node, "valuesInline")}
	hasInline := inline.Node != nil && inline.Node.Kind == yaml.MappingNode && len(inline.Node.Content) > 0
	switch merge := spec.ValuesMerge; {
	case !hasInline:
		if explicit {
			layers = append(layers, file)
		}
	case merge == "replace":
		layers = append(layers, inline)
	case merge == "merge":
		layers = append(layers, inline, file)
	case merge == "" || merge == "override":
		if explicit {
			layers = append(layers, file)
		}
		layers = append(layers, inline)
	default:
		m.problem(k.file, child(c.node, "valuesMerge"), fmt.Sprintf("valuesMerge %q: must be merge, override or replace", merge), "use one of kustomize's values")
		return nil
	}
	for _, f := range spec.AdditionalValuesFiles {
		if !filepath.IsAbs(f) {
			f = filepath.Join(k.dir, f)
		}
		layers = append(layers, helm.Layer{File: f})
	}
	if layers == nil {
		layers = []helm.Layer{}
	}
	r := helm.New(helm.Options{KubeVersion: kv, ReleaseName: rel, Namespace: ns, APIVersions: spec.ApiVersions,
		Timeout: min(30*time.Second, m.opts.Timeout), MaxBytes: min(64<<20, m.opts.MaxFileSize)})
	srcs, probs := r.RenderSet(context.Background(), c.dir, helm.ValueSet{Layers: layers})
	if len(probs) > 0 {
		for _, p := range probs {
			m.renderProblem(p, k, c)
		}
		return nil
	}
	in := &inflation{ref: c}
	var out bytes.Buffer
	for _, src := range srcs {
		crd := src.Origin == nil
		if crd && !spec.IncludeCRDs || spec.SkipTests && strings.Contains(filepath.ToSlash(src.Path), "/templates/tests/") {
			continue
		}
		for _, doc := range documents(src.Data) {
			if doc.Kind != yaml.MappingNode || len(doc.Content) == 0 {
				continue
			}
			if spec.SkipHooks && scalar(doc, "metadata", "annotations", "helm.sh/hook") != "" {
				continue
			}
			served := annotated(doc)
			if served == nil {
				continue
			}
			if out.Len() > 0 {
				out.WriteString("---\n")
			}
			out.Write(served)
			in.docs = append(in.docs, helmDoc{src: src, node: doc}) // crds/ ones without an Origin
		}
	}
	in.data = out.Bytes()
	m.inflations[key] = in
	return in
}

// annotated is doc with kustomize's helm-generated annotation, as YAML
// (doc itself is not changed: its lines map findings back).
func annotated(doc *yaml.Node) []byte {
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil
	}
	var cp yaml.Node
	if err := yaml.Unmarshal(data, &cp); err != nil || len(cp.Content) == 0 {
		return nil
	}
	top := cp.Content[0]
	md := ensureMap(top, "metadata")
	ann := ensureMap(md, "annotations")
	if ann == nil || md == nil {
		return nil
	}
	ann.Content = append(ann.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: helmGenerated},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "true", Style: yaml.DoubleQuotedStyle})
	out, err := yaml.Marshal(top)
	if err != nil {
		return nil
	}
	return out
}

// ensureMap returns the mapping at key in n, adding it when absent.
func ensureMap(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	if _, v := pair(n, key); v != nil {
		if v.Kind == yaml.MappingNode {
			return v
		}
		if v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || v.Value == "") {
			*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			return v
		}
		return nil
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}

// withoutCharts is a kustomization that lists the renderings (files in
// its folder) as resources in place of its helmCharts.
func withoutCharts(data []byte, files []string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a mapping")
	}
	top := doc.Content[0]
	kept := top.Content[:0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch top.Content[i].Value {
		case "helmCharts", "helmGlobals":
			continue
		}
		kept = append(kept, top.Content[i], top.Content[i+1])
	}
	top.Content = kept
	res := child(top, "resources")
	if res == nil {
		res = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "resources"}, res)
	}
	if res.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("resources is not a list")
	}
	for _, f := range files {
		res.Content = append(res.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: f})
	}
	return yaml.Marshal(&doc)
}

// renderProblem records a chart's rendering problem at the template,
// values or schema line it names, or at the kustomization's entry.
func (m *model) renderProblem(p manifest.Problem, k *kust, c *chartRef) {
	msg := fmt.Sprintf("helm chart %q of %s: %s", c.spec.Name, k.file, p.Message)
	if p.Source == nil {
		m.problem(k.file, c.nameNode, msg, p.Help)
		return
	}
	key := fmt.Sprintf("%s:%d:%d:%s", p.Source.Path, p.Pos.Line, p.Pos.Column, msg)
	if m.seenProb[key] {
		return
	}
	m.seenProb[key] = true
	m.problems = append(m.problems, problem{file: p.Source.Path, line: p.Pos.Line, column: p.Pos.Column, message: msg,
		help: p.Help, rule: manifest.CodeRender, src: p.Source})
}

// helmPlace is where a field of a built resource that a chart made is in
// the chart: through the rendered document (found by kind and name) to
// the template or values line, as in plain Helm mode.
func helmPlace(in *inflation, d *builtDoc, path manifest.Path) (place, bool) {
	var best *helmDoc
	bestLen := -1
	for i := range in.docs {
		hd := &in.docs[i]
		if scalar(hd.node, "kind") != d.kind {
			continue
		}
		name := scalar(hd.node, "metadata", "name")
		if nameMatches(d.name, name) && len(name) > bestLen {
			best, bestLen = hd, len(name)
		}
	}
	if best == nil {
		return place{}, false
	}
	p := nodePlace(best.src, d.node, best.node, path, 0, 0)
	if best.src.Origin == nil { // crds/: the file itself
		return p, true
	}
	pl := best.src.Origin.Place(p.line, p.column, path)
	if pl.Source == nil {
		// No template to point at: the rendering, as a plain source.
		p.src = &manifest.Source{Path: best.src.Path, Data: best.src.Data}
		return p, true
	}
	return place{src: pl.Source, line: pl.Line, column: pl.Column, span: 1, fallback: p.fallback}, true
}

// virtual file system hooks: the build's view answers for the renderings.

func (f *readOnlyFS) virtual(path string) ([]byte, bool) {
	if f.helm == nil {
		return nil, false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, false
	}
	return f.helm.file(filepath.Clean(abs))
}

func (f *readOnlyFS) Exists(path string) bool {
	if _, ok := f.virtual(path); ok {
		return true
	}
	return f.FileSystem.Exists(path)
}

func (f *readOnlyFS) IsDir(path string) bool {
	if _, ok := f.virtual(path); ok {
		return false
	}
	return f.FileSystem.IsDir(path)
}

func (f *readOnlyFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	if _, ok := f.virtual(path); ok {
		abs, _ := filepath.Abs(path)
		dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
		if err != nil {
			return "", "", err
		}
		return filesys.ConfirmedDir(dir), filepath.Base(abs), nil
	}
	return f.FileSystem.CleanedAbs(path)
}

// inflation is the chart rendered as the build's file abs (nil: none).
func (h *helmFiles) inflation(abs string) *inflation {
	if h == nil || abs == "" {
		return nil
	}
	return h.byPath[abs]
}
