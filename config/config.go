// Package config reads .kvet.yaml, kvet's configuration file, and answers
// what the run should do for each file: which rules are on, at which
// severity, which paths are excluded, which policies run.
//
// The file adds to kvet's defaults (a rule is on unless disabled) and
// command-line flags override it. It is read with the same strict decoder
// as manifests, so a typo in a key is an error at its line.
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// FileName is the configuration file kvet looks for.
const FileName = ".kvet.yaml"

// Config is the content of .kvet.yaml.
type Config struct {
	// KubeVersion is the target Kubernetes version (MAJOR.MINOR).
	KubeVersion string `json:"kubeVersion,omitempty"`
	// FailOn is the lowest severity that fails the run.
	FailOn string `json:"failOn,omitempty"`
	// Enable turns on rules, or groups and peer sets of rules
	// (reliability, rbac, kube-score; security, which also makes
	// restricted the default Pod Security level), that are off by default.
	Enable []string `json:"enable,omitempty"`
	// Disable turns rules or groups off.
	Disable []string `json:"disable,omitempty"`
	// Only, when set, runs these rules and groups and nothing else.
	Only []string `json:"only,omitempty"`
	// Severity overrides a rule's severity: error, warning or info.
	Severity map[string]string `json:"severity,omitempty"`
	// Exclude lists path globs (** allowed) skipped when walking folders.
	Exclude []string `json:"exclude,omitempty"`
	// Policies are folders of your own Rego policies run by kvet lint.
	Policies []string `json:"policies,omitempty"`
	// CRDs are files or folders of CustomResourceDefinitions that custom
	// resources are checked against (kvet lint --crds).
	CRDs []string `json:"crds,omitempty"`
	// SchemaLocations are kubeconform-style templates of JSON schema files
	// for custom resources (kvet lint --schema-location); a relative local
	// path is relative to this file's folder.
	SchemaLocations []string `json:"schemaLocations,omitempty"`
	// AdmissionPolicies are files or folders of ValidatingAdmissionPolicies
	// and bindings (and their params) that kvet lint evaluates against the
	// linted objects without linting them; relative to this file and
	// inside its repository, like policies.
	AdmissionPolicies []string `json:"admissionPolicies,omitempty"`
	// RequireStatefulSetService makes a StatefulSet whose Service is not
	// among the linted files an error, not a warning.
	RequireStatefulSetService *bool `json:"requireStatefulSetService,omitempty"`
	// RequireReferences says the linted files are the whole application:
	// an object defined in two files is then a duplicate-object error.
	RequireReferences *bool `json:"requireReferences,omitempty"`
	// PodSecurity is the Pod Security level (LEVEL[:VERSION]) enforced in
	// namespaces whose labels set none, as --pod-security.
	PodSecurity string `json:"podSecurity,omitempty"`
	// Overrides change enable, disable and severity for files matching
	// their globs (e.g. stricter rules under prod/).
	Overrides []Override `json:"overrides,omitempty"`
	// Charts give Helm charts their value sets: each set is rendered and
	// linted (the command line's -f, --set and --set-string, when given,
	// replace them).
	Charts []Chart `json:"charts,omitempty"`

	// Dir is the folder of the file: relative globs and policy folders
	// are relative to it.
	Dir string `json:"-"`
	// Path is the file read, "" for none.
	Path string `json:"-"`

	flagEnable, flagDisable []string
	src                     *manifest.Source // the file's text, for positions
}

// Chart is a Helm chart's section: its folder, relative to the file, and
// its value sets.
type Chart struct {
	Path   string        `json:"path"`
	Values []ChartValues `json:"values"`
}

// ChartValues is one value set of a chart, as helm template's flags.
type ChartValues struct {
	// Name tells its findings from the other sets' (default: the files).
	Name string `json:"name,omitempty"`
	// Files are values files relative to the configuration file.
	Files     []string `json:"files,omitempty"`
	Set       []string `json:"set,omitempty"`
	SetString []string `json:"setString,omitempty"`
}

// Override is a per-path section of the configuration.
type Override struct {
	Files    []string          `json:"files"`
	Enable   []string          `json:"enable,omitempty"`
	Disable  []string          `json:"disable,omitempty"`
	Severity map[string]string `json:"severity,omitempty"`
}

// Error is an invalid configuration file: each problem has its line.
type Error struct{ Problems []manifest.Problem }

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s", p.Source.Path, p.Pos.Line, p.Pos.Column, p.Message)
		if p.Help != "" {
			fmt.Fprintf(&b, " (%s)", p.Help)
		}
	}
	return b.String()
}

// Find returns the path of .kvet.yaml in dir or its nearest parent, or "".
// The search stops at the repository's root (the folder holding .git), as
// git's own configuration search does: a file above the repository is
// somebody else's.
func Find(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(abs, FileName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p // Load refuses it if it is not a regular file
		}
		if isRepoRoot(abs) {
			return ""
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return ""
		}
		abs = parent
	}
}

// isRepoRoot reports whether dir holds .git (a folder, or a file in a
// worktree or submodule).
func isRepoRoot(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}

// Root is the folder policy paths of the file may not leave: the
// repository's root (the nearest folder at or above the file's that holds
// .git), or the file's own folder outside a repository.
func (c *Config) Root() string {
	dir, err := filepath.Abs(c.Dir)
	if err != nil {
		return c.Dir
	}
	for d := dir; ; {
		if isRepoRoot(d) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// LoadFound is Load for a file Find found, which nobody named: one that is
// a symbolic link out of its repository (to /proc/self/environ, say, added
// by a pull request) is refused without being read, since parse errors
// quote the file.
func LoadFound(path string) (*Config, error) {
	c := &Config{Dir: filepath.Dir(path)}
	root := c.Root()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s: a link to %s, outside the repository (%s); not read (name it with --config to use it)", path, real, root)
	}
	return Load(path)
}

// MaxSize is the largest configuration file read.
const MaxSize = 1 << 20

// Load reads and checks a configuration file. It must be a regular file
// (a .kvet.yaml linked to /dev/zero or a FIFO would be read for ever) of
// at most MaxSize bytes.
func Load(path string) (*Config, error) {
	// Stat first: opening a FIFO blocks until someone writes to it.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s); a configuration file must be one", path, st.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, err
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s); a configuration file must be one", path, st.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s: larger than %d bytes; a configuration file is not that long", path, MaxSize)
	}
	return Parse(path, data)
}

// Parse checks configuration text read from path.
func Parse(path string, data []byte) (*Config, error) {
	src := &manifest.Source{Path: path, Data: data}
	c := &Config{Path: path, Dir: filepath.Dir(path), src: src}
	probs := manifest.DecodeStrict(src, c)
	probs = append(probs, c.check(src)...)
	if len(probs) > 0 {
		return nil, &Error{Problems: probs}
	}
	return c, nil
}

// check validates values the decoder cannot: severities, versions, globs.
func (c *Config) check(src *manifest.Source) []manifest.Problem {
	var probs []manifest.Problem
	bad := func(path manifest.Path, msg string) {
		pos := manifest.Position{Line: 1, Column: 1}
		if loc, _ := locatePath(src, path); loc.Value.IsValid() {
			pos = loc.Value
		}
		probs = append(probs, manifest.Problem{Code: "config", Source: src, Pos: pos, Path: path, Message: msg})
	}
	if c.FailOn != "" {
		if _, err := rule.ParseSeverity(c.FailOn); err != nil {
			bad(manifest.Path{}.Field("failOn"), "failOn: "+err.Error())
		}
	}
	checkSev := func(prefix manifest.Path, m map[string]string) {
		for id, s := range m {
			if _, err := rule.ParseSeverity(s); err != nil {
				bad(prefix.Field("severity").Field(id), fmt.Sprintf("severity of %s: %v", id, err))
			}
		}
	}
	checkSev(nil, c.Severity)
	checkGlobs := func(prefix manifest.Path, globs []string) {
		for i, g := range globs {
			if !doublestar.ValidatePattern(g) {
				bad(prefix.Item(i), fmt.Sprintf("invalid glob %q", g))
			}
		}
	}
	checkGlobs(manifest.Path{}.Field("exclude"), c.Exclude)
	for i, o := range c.Overrides {
		p := manifest.Path{}.Field("overrides").Item(i)
		if len(o.Files) == 0 {
			bad(p, "an override needs files: a list of globs it applies to")
		}
		checkGlobs(p.Field("files"), o.Files)
		checkSev(p, o.Severity)
	}
	return probs
}

func locatePath(src *manifest.Source, p manifest.Path) (manifest.Location, bool) {
	o, ok := manifest.RootObject(src)
	if !ok {
		return manifest.Location{}, false
	}
	return o.Locate(p), true
}

// Match reports whether a file path matches a glob of the configuration:
// globs are matched against the path as given and relative to the
// configuration's folder, with ** for any number of folders.
func (c *Config) Match(glob, file string) bool {
	file = filepath.ToSlash(filepath.Clean(file))
	if ok, _ := doublestar.Match(glob, file); ok {
		return true
	}
	if c.Dir != "" {
		if abs, err := filepath.Abs(file); err == nil {
			if dir, err := filepath.Abs(c.Dir); err == nil {
				if rel, err := filepath.Rel(dir, abs); err == nil && !strings.HasPrefix(rel, "..") {
					if ok, _ := doublestar.Match(glob, filepath.ToSlash(rel)); ok {
						return true
					}
				}
			}
		}
	}
	// A glob without a folder part matches the name at any depth.
	if !strings.Contains(glob, "/") {
		ok, _ := doublestar.Match(glob, filepath.Base(file))
		return ok
	}
	return false
}

// Excluded reports whether a walked path is excluded.
func (c *Config) Excluded(path string) bool {
	for _, g := range c.Exclude {
		if c.Match(g, path) || c.Match(strings.TrimSuffix(g, "/**"), path) {
			return true
		}
	}
	return false
}

// PolicyDirs returns the policy folders, relative to the file's folder.
// A folder outside Root (after following symbolic links) is an error at
// its line unless allowOutside; the filesystem's root and the kernel's
// folders (/proc, /sys, /dev) are errors in any case: walking them for
// .rego files would not end, or would read the process's secrets.
func (c *Config) PolicyDirs(allowOutside bool) ([]string, error) {
	return c.confined("policies", c.Policies, allowOutside)
}

// CRDPaths returns the crds: files and folders, relative to the file's
// folder, confined to the repository as PolicyDirs are.
func (c *Config) CRDPaths(allowOutside bool) ([]string, error) {
	return c.confined("crds", c.CRDs, allowOutside)
}

// SchemaLocationTemplates returns the schemaLocations: templates, a
// relative one joined to the file's folder (as kubeconform joins it to the
// working directory).
func (c *Config) SchemaLocationTemplates() []string {
	out := make([]string, len(c.SchemaLocations))
	for i, t := range c.SchemaLocations {
		out[i] = t
		if c.Dir != "" && t != "default" && !filepath.IsAbs(t) && !strings.Contains(t, "://") && !strings.HasPrefix(t, "{{") {
			out[i] = filepath.Join(c.Dir, t)
		}
	}
	return out
}

// AdmissionPolicyPaths returns the admissionPolicies paths, relative to
// the file's folder, under PolicyDirs' rules.
func (c *Config) AdmissionPolicyPaths(allowOutside bool) ([]string, error) {
	return c.confined("admissionPolicies", c.AdmissionPolicies, allowOutside)
}

// confined resolves the paths of the configuration's key against its
// folder and checks that each stays in the repository (see PolicyDirs).
func (c *Config) confined(key string, paths []string, allowOutside bool) ([]string, error) {
	out := make([]string, len(paths))
	var probs []manifest.Problem
	root := c.Root()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	src := c.src
	if src == nil {
		src = &manifest.Source{Path: c.Path}
	}
	for i, p := range paths {
		if filepath.IsAbs(p) || c.Dir == "" {
			out[i] = p
		} else {
			out[i] = filepath.Join(c.Dir, p)
		}
		msg := checkPolicyDir(out[i], root, key, allowOutside)
		if msg == "" {
			continue
		}
		pos := manifest.Position{Line: 1, Column: 1}
		path := manifest.Path{}.Field(key).Item(i)
		if loc, ok := locatePath(src, path); ok && loc.Exact {
			pos = loc.Value
		}
		probs = append(probs, manifest.Problem{Code: "config", Source: src, Pos: pos, Path: path,
			Message: fmt.Sprintf("%s: %q %s", key, p, msg)})
	}
	if len(probs) > 0 {
		return nil, &Error{Problems: probs}
	}
	return out, nil
}

// checkPolicyDir says what is wrong with policy folder dir, or "".
func checkPolicyDir(dir, root, key string, allowOutside bool) string {
	what := map[string]string{"policies": "policy folders", "crds": "CRD paths", "admissionPolicies": "admission policy paths"}[key]
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err.Error()
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if abs == filepath.Dir(abs) {
		if what == "policy folders" {
			return "is the filesystem's root: name the folder that holds your policies"
		}
		return "is the filesystem's root: name the folder that holds your CRDs"
	}
	for _, sys := range []string{"/proc", "/sys", "/dev"} {
		if abs == sys || strings.HasPrefix(abs, sys+"/") {
			return "is in " + sys + ", a system folder, not one of your " + what
		}
	}
	if allowOutside {
		return ""
	}
	if rel, err := filepath.Rel(root, abs); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Sprintf("is outside the repository (%s); %s of a configuration file must be inside it (pass --allow-outside-policies to allow it)", root, what)
	}
	return ""
}
