package kustomize

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kvetdev/kvet/manifest"
)

// FileNames are the names kustomize looks for in a folder, in its order.
var FileNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// KustomizationFile returns the kustomization file in dir ("" when there
// is none).
func KustomizationFile(dir string) string {
	for _, n := range FileNames {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// IsKustomizationFile reports whether a file's name is one kustomize reads.
func IsKustomizationFile(name string) bool {
	base := filepath.Base(name)
	for _, n := range FileNames {
		if base == n {
			return true
		}
	}
	return false
}

// kust is one kustomization file as kvet reads it to map findings back:
// its top-level keys, its entries (resources, patches, generator inputs)
// and the kustomizations it includes.
type kust struct {
	dir, file string // as the user would write them
	abs       string // the folder, absolute and cleaned
	src       *manifest.Source
	top       *yaml.Node // the document's mapping (nil when unreadable)
	component bool
	// broken: it, or a kustomization it includes, has a problem that
	// stops its build (a missing or refused entry).
	broken bool
	// entries are the paths the file names, with their node.
	entries  []entry
	children []*kust // included kustomizations (resources, components)
	patches  []*patch
	// charts are its helmCharts; chartDirs their folders (absolute).
	charts    []*chartRef
	chartDirs []string
}

// entry is one path a kustomization names.
type entry struct {
	field string // "resources", "patches", ...
	value string // as written
	abs   string // resolved ("" for a remote one)
	node  *yaml.Node
}

// patch is one patch of a kustomization: a file or inline.
type patch struct {
	src *manifest.Source
	// docs are the patch's documents; lineShift/colShift place an inline
	// patch's nodes in the kustomization file.
	docs                []*yaml.Node
	lineShift, colShift int
	// target, when set, selects the resources (kind and name regexp).
	targetKind, targetName string
	// entry is the kustomization's node that names the patch.
	entry *yaml.Node
}

// problem is an error about a kustomization, at file:line:col.
type problem struct {
	file         string
	line, column int
	span         int
	message      string
	help         string
	rule         string           // "" for RuleID
	src          *manifest.Source // the file, when it is not a kustomization
}

// model reads kustomization trees, each file once.
type model struct {
	opts     *Options
	byDir    map[string]*kust // by absolute folder
	problems []problem
	seenProb map[string]bool
	// inflations are the charts rendered, by rendering file and namespace.
	inflations map[string]*inflation
}

func newModel(opts *Options) *model {
	return &model{opts: opts, byDir: map[string]*kust{}, seenProb: map[string]bool{}, inflations: map[string]*inflation{}}
}

func (m *model) problem(file string, n *yaml.Node, msg, help string) {
	p := problem{file: file, line: 1, column: 1, message: msg, help: help}
	if n != nil {
		p.line, p.column = n.Line, n.Column
		if n.Kind == yaml.ScalarNode && n.Style == 0 {
			p.span = len([]rune(n.Value))
		}
	}
	key := fmt.Sprintf("%s:%d:%d:%s", p.file, p.line, p.column, msg)
	if m.seenProb[key] {
		return
	}
	m.seenProb[key] = true
	m.problems = append(m.problems, p)
}

// fields whose entries are paths, and whether an entry may be a folder
// holding a kustomization.
var pathFields = []struct {
	name   string
	folder bool
}{
	{"resources", true}, {"bases", true}, {"components", true},
	{"patchesStrategicMerge", false}, {"crds", false}, {"configurations", false},
	{"generators", false}, {"transformers", false}, {"validators", false},
}

// load reads the kustomization in dir (shown as shown) and, recursively,
// those it includes. It returns nil when dir has no kustomization file;
// fatal reports problems that make building it pointless (a missing or
// refused remote entry).
func (m *model) load(dir string, stack map[string]bool) (k *kust, fatal bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, false
	}
	abs = filepath.Clean(abs)
	if k, ok := m.byDir[abs]; ok {
		return k, k.broken
	}
	file := KustomizationFile(dir)
	if file == "" {
		return nil, false
	}
	k = &kust{dir: dir, file: file, abs: abs}
	m.byDir[abs] = k
	if stack[abs] {
		return k, false // a cycle: krusty reports it
	}
	stack[abs] = true
	defer delete(stack, abs)
	defer func() { k.broken = fatal }()
	data, err := readLimited(file, m.opts.MaxFileSize)
	if err != nil {
		m.problem(file, nil, fmt.Sprintf("cannot read the kustomization: %v", err), "")
		return k, true
	}
	k.src = &manifest.Source{Path: file, Data: data}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return k, false // krusty's error says what is wrong
	}
	k.top = doc.Content[0]
	if kind := scalar(k.top, "kind"); kind == "Component" {
		k.component = true
	}
	for _, f := range pathFields {
		seq := child(k.top, f.name)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range seq.Content {
			if it.Kind != yaml.ScalarNode {
				continue // an inline generator or transformer
			}
			fatal = m.entry(k, f.name, it.Value, it, f.folder, stack) || fatal
		}
	}
	for _, name := range []string{"patches", "patchesJson6902"} {
		seq := child(k.top, name)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range seq.Content {
			if it.Kind != yaml.MappingNode {
				continue
			}
			p := &patch{entry: it}
			if t := child(it, "target"); t != nil {
				p.targetKind, p.targetName = scalar(t, "kind"), scalar(t, "name")
			}
			if pn := child(it, "path"); pn != nil && pn.Kind == yaml.ScalarNode {
				p.entry = pn
				fatal = m.entry(k, name, pn.Value, pn, false, stack) || fatal
				m.patchFile(k, p, filepath.Join(dir, pn.Value))
			} else if in := child(it, "patch"); in != nil && in.Kind == yaml.ScalarNode {
				m.inlinePatch(k, p, in)
			}
		}
	}
	// patchesStrategicMerge entries are patch files too.
	if seq := child(k.top, "patchesStrategicMerge"); seq != nil && seq.Kind == yaml.SequenceNode {
		for _, it := range seq.Content {
			if it.Kind != yaml.ScalarNode {
				continue
			}
			p := &patch{entry: it}
			if isRemote(it.Value) {
				continue
			}
			if strings.Contains(it.Value, "\n") {
				m.inlinePatch(k, p, it)
			} else {
				m.patchFile(k, p, filepath.Join(dir, it.Value))
			}
		}
	}
	for _, gen := range []string{"configMapGenerator", "secretGenerator"} {
		seq := child(k.top, gen)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range seq.Content {
			for _, key := range []string{"files", "envs"} {
				if fs := child(it, key); fs != nil && fs.Kind == yaml.SequenceNode {
					for _, f := range fs.Content {
						v := f.Value
						if i := strings.Index(v, "="); i >= 0 {
							v = v[i+1:]
						}
						fatal = m.entry(k, gen, v, f, false, stack) || fatal
					}
				}
			}
			if e := child(it, "env"); e != nil && e.Kind == yaml.ScalarNode {
				fatal = m.entry(k, gen, e.Value, e, false, stack) || fatal
			}
		}
	}
	if hc := child(k.top, "helmCharts"); hc != nil && hc.Kind == yaml.SequenceNode {
		fatal = m.loadCharts(k, hc, stack) || fatal
	}
	if child(k.top, "helmChartInflationGenerator") != nil {
		m.problem(file, keyNode(k.top, "helmChartInflationGenerator"),
			"helmChartInflationGenerator is deprecated and kvet does not inflate it, so this kustomization is not built",
			"write it as helmCharts (and helmGlobals for chartHome), as kustomize converts it")
		fatal = true
	}
	return k, fatal
}

// entry records one path a kustomization names, checks it exists (or is
// a remote one, refused unless allowed) and loads an included folder.
func (m *model) entry(k *kust, field, value string, n *yaml.Node, folder bool, stack map[string]bool) (fatal bool) {
	if isRemote(value) {
		k.entries = append(k.entries, entry{field: field, value: value, node: n})
		if !m.opts.AllowRemote {
			m.problem(k.file, n, fmt.Sprintf("remote %s %q: kvet does not fetch remote bases or files unless asked to", strings.TrimSuffix(field, "s"), value),
				"pass --kustomize-allow-remote to let kustomize fetch it, or vendor it into the repository and name the local copy")
			return true
		}
		return false
	}
	p := value
	if !filepath.IsAbs(p) {
		p = filepath.Join(k.dir, p)
	}
	abs, _ := filepath.Abs(p)
	k.entries = append(k.entries, entry{field: field, value: value, abs: filepath.Clean(abs), node: n})
	st, err := os.Stat(p)
	if err != nil {
		m.problem(k.file, n, fmt.Sprintf("%s entry %q: %s does not exist", field, value, p),
			"fix the path (it is relative to the kustomization's folder), or create the file")
		return true
	}
	if st.IsDir() && folder {
		child, fatal := m.load(p, stack)
		if child == nil {
			m.problem(k.file, n, fmt.Sprintf("%s entry %q: the folder %s has no kustomization.yaml", field, value, p),
				"name the files in it one by one, or add a kustomization.yaml there listing them")
			return true
		}
		k.children = append(k.children, child)
		return fatal
	}
	return false
}

// patchFile reads a patch file's documents. As kustomize (with its
// default load restrictions) reads no file outside the kustomization's
// folder, neither does kvet.
func (m *model) patchFile(k *kust, p *patch, path string) {
	if !k.holds(path) {
		return
	}
	data, err := readLimited(path, m.opts.MaxFileSize)
	if err != nil {
		return // reported as a missing entry, or by krusty
	}
	p.src = &manifest.Source{Path: path, Data: data}
	p.docs = documents(data)
	k.patches = append(k.patches, p)
}

// inlinePatch reads a patch written in the kustomization as a block
// scalar; its nodes' lines are shifted to the kustomization's.
func (m *model) inlinePatch(k *kust, p *patch, n *yaml.Node) {
	p.src = k.src
	p.docs = documents([]byte(n.Value))
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		p.lineShift = n.Line // the content starts on the next line
		p.colShift = blockIndent(k.src.Data, n.Line+1)
	} else {
		p.lineShift, p.colShift = n.Line-1, n.Column
	}
	k.patches = append(k.patches, p)
}

// holds reports whether path is in k's folder or below it, symlinks
// resolved.
func (k *kust) holds(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	dir, err := filepath.EvalSymlinks(k.abs)
	if err != nil {
		return false
	}
	return inside(real, dir)
}

// blockIndent is the indentation of a 1-based line of data.
func blockIndent(data []byte, line int) int {
	lines := strings.SplitN(string(data), "\n", line+1)
	if line-1 >= len(lines) {
		return 0
	}
	l := lines[line-1]
	return len(l) - len(strings.TrimLeft(l, " "))
}

// documents parses data's YAML documents (their root nodes; nothing on a
// syntax error from there on).
func documents(data []byte) []*yaml.Node {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var out []*yaml.Node
	for range 10000 {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if len(doc.Content) > 0 {
			out = append(out, doc.Content[0])
		}
	}
	return out
}

// isRemote reports whether a kustomization entry names something to
// fetch (a URL, a git repository) rather than a local path, as kustomize
// would take it.
func isRemote(v string) bool {
	if strings.Contains(v, "://") || strings.HasPrefix(v, "git@") || strings.Contains(v, "?ref=") ||
		strings.Contains(v, "?version=") || strings.Contains(v, "_git/") || strings.HasSuffix(v, ".git") {
		return true
	}
	for _, host := range []string{"github.com/", "gitlab.com/", "bitbucket.org/", "dev.azure.com/"} {
		if strings.HasPrefix(v, host) {
			return true
		}
	}
	return false
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, larger than the limit of %d; raise --max-file-size", path, st.Size(), limit)
	}
	return os.ReadFile(path)
}

// child returns the value of key in mapping n.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keyNode returns key's node in mapping n.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

func scalar(n *yaml.Node, keys ...string) string {
	for _, k := range keys {
		n = child(n, k)
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
