// Package wanttest is kvet's one fixture harness, for rule test cases
// (rules/testdata/<rule-id>/*.yaml) and end-to-end fixtures
// (testdata/e2e/*.yaml) alike. It lints a fixture through validate.Lint,
// the streaming path kvet lint runs, and checks two things:
//
//   - which findings exist: every "# want:" comment must be matched by a
//     finding on its line, and every finding by a want;
//   - how they look: the text format's output for the fixture (caret,
//     span, help) must equal the snapshot stored next to it,
//     <fixture>.snap, byte for byte (go test -update rewrites it).
//
// # Wants
//
// A want comment lists one or more expectations, separated by spaces or
// commas:
//
//	restartPolicy: Always # want: job-restart-policy@22:error "must not restart"
//
// Each is a rule id, optionally followed by @COLUMN (the finding's
// column), :SEVERITY (error, warning or info) and a quoted regular
// expression the message must match (\" is a quote inside it).
//
// # Settings
//
// A comment line "# kvet: FLAGS" sets the flags kvet lint would be given
// for the fixture: --kube-version, --enable, --disable,
// --require-statefulset-service, --require-references, --crds,
// --schema-location, --max-nodes,
// --max-depth and --pod-security, with the
// CLI's meaning and defaults.
package wanttest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	flag "github.com/spf13/pflag"

	"github.com/kvetdev/kvet/config"
	"github.com/kvetdev/kvet/internal/golden"
	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/render/helm"
	"github.com/kvetdev/kvet/report"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
	"github.com/kvetdev/kvet/validate/crd"
)

// Want is one expectation of a fixture.
type Want struct {
	Line     int
	Rule     string
	Column   int           // 0: any
	Severity rule.Severity // 0: any
	Message  *regexp.Regexp
	Raw      string // as written, for messages
}

// matches reports whether f satisfies w.
func (w *Want) matches(f *rule.Finding) bool {
	return w.Line == f.Line && w.Rule == f.Rule &&
		(w.Column == 0 || w.Column == f.Column) &&
		(w.Severity == 0 || w.Severity == f.Severity) &&
		(w.Message == nil || w.Message.MatchString(f.Message))
}

var (
	wantComment = regexp.MustCompile(`#\s*want:\s*(.*)$`)
	wantItem    = regexp.MustCompile(`^([a-z0-9][a-z0-9/_.-]*)(?:@([0-9]+))?(?::([a-z]+))?$`)
	settingLine = regexp.MustCompile(`(?m)^#\s*kvet:\s+(--.*)$`)
	// templateCommentEnd ends a want written as a template comment.
	templateCommentEnd = regexp.MustCompile(`\s*\*/\s*-?\}\}\s*$`)
)

// ParseWants reads the want comments of a fixture's text.
func ParseWants(data []byte) ([]Want, error) {
	var out []Want
	for i, line := range strings.Split(string(data), "\n") {
		m := wantComment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		// In a chart's template, a want is a template comment:
		// {{/* # want: render-error */}}.
		ws, err := parseItems(templateCommentEnd.ReplaceAllString(m[1], ""), i+1)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, ws...)
	}
	return out, nil
}

// parseItems reads `id[@col][:severity] ["regexp"]`, repeated.
func parseItems(s string, line int) ([]Want, error) {
	var out []Want
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out, nil
		}
		if s[0] == '"' {
			if len(out) == 0 || out[len(out)-1].Message != nil {
				return nil, fmt.Errorf("a quoted message regexp must follow a rule id: %s", s)
			}
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, fmt.Errorf("unterminated quote in %s", s)
			}
			re, err := regexp.Compile(strings.ReplaceAll(s[1:end], `\"`, `"`))
			if err != nil {
				return nil, fmt.Errorf("bad message regexp: %w", err)
			}
			w := &out[len(out)-1]
			w.Message, w.Raw = re, w.Raw+" "+s[:end+1]
			s = s[end+1:]
			continue
		}
		end := strings.IndexAny(s, " \t,\"")
		if end < 0 {
			end = len(s)
		}
		tok := s[:end]
		s = s[end:]
		m := wantItem.FindStringSubmatch(tok)
		if m == nil {
			return nil, fmt.Errorf("%q is not rule-id[@column][:severity]", tok)
		}
		w := Want{Line: line, Rule: m[1], Raw: tok}
		if m[2] != "" {
			w.Column, _ = strconv.Atoi(m[2])
		}
		if m[3] != "" {
			sev, err := rule.ParseSeverity(m[3])
			if err != nil {
				return nil, err
			}
			w.Severity = sev
		}
		out = append(out, w)
	}
}

// Settings are a fixture's "# kvet:" flags.
type Settings struct {
	KubeVersion       string
	Enable, Disable   []string
	RequireService    bool
	RequireReferences bool
	CRDs              []string
	SchemaLocations   []string
	MaxNodes          int
	MaxDepth          int
	PodSecurity       string
	// Helm's flags, for a chart fixture (values files are relative to
	// the chart).
	Values, Set, SetString []string
	ReleaseName, Namespace string
	// AdmissionPolicies are --admission-policies paths, relative to the
	// test's folder (the package's, where kvet lint runs in
	// cmd/kvet's TestFixturesMatchCLI too).
	AdmissionPolicies []string
}

// FlagSet defines the flags a "# kvet:" line may set, into s, with kvet
// lint's names, types and defaults (cmd/kvet's TestHarnessFlagsAreLintFlags
// holds them to kvet lint --help).
func FlagSet(s *Settings) *flag.FlagSet {
	fs := flag.NewFlagSet("# kvet:", flag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	fs.StringVar(&s.KubeVersion, "kube-version", kubeversion.Latest().String(), "")
	fs.StringSliceVar(&s.Enable, "enable", nil, "")
	fs.StringSliceVar(&s.Disable, "disable", nil, "")
	fs.BoolVar(&s.RequireService, "require-statefulset-service", false, "")
	fs.BoolVar(&s.RequireReferences, "require-references", false, "")
	fs.StringArrayVar(&s.CRDs, "crds", nil, "")
	fs.StringArrayVar(&s.SchemaLocations, "schema-location", nil, "")
	fs.IntVar(&s.MaxNodes, "max-nodes", 1_000_000, "")
	fs.IntVar(&s.MaxDepth, "max-depth", 200, "")
	fs.StringVar(&s.PodSecurity, "pod-security", "", "")
	fs.StringArrayVarP(&s.Values, "values", "f", nil, "")
	fs.StringArrayVar(&s.Set, "set", nil, "")
	fs.StringArrayVar(&s.SetString, "set-string", nil, "")
	fs.StringVar(&s.ReleaseName, "release-name", "release-name", "")
	fs.StringVar(&s.Namespace, "namespace", "default", "")
	fs.StringArrayVar(&s.AdmissionPolicies, "admission-policies", nil, "")
	return fs
}

// SettingArgs returns the flags of a fixture's "# kvet:" lines, as they
// would be passed to kvet lint.
func SettingArgs(data []byte) []string {
	var args []string
	for _, m := range settingLine.FindAllSubmatch(data, -1) {
		args = append(args, strings.Fields(string(m[1]))...)
	}
	return args
}

// ParseSettings reads the "# kvet:" lines of a fixture, with kvet lint's
// flag names, types and defaults.
func ParseSettings(data []byte) (Settings, error) {
	var s Settings
	fs := FlagSet(&s)
	if err := fs.Parse(SettingArgs(data)); err != nil {
		return s, fmt.Errorf("# kvet: %w", err)
	}
	if fs.NArg() > 0 {
		return s, fmt.Errorf("# kvet: unexpected argument %q (only flags)", fs.Arg(0))
	}
	return s, nil
}

// Lint runs kvet over one fixture as kvet lint would with its settings,
// through validate.Lint.
func Lint(t testing.TB, path string, s Settings) (*validate.Outcome, []*rule.Rule) {
	t.Helper()
	kvs, err := kubeversion.ParseTargets(s.KubeVersion)
	if err != nil {
		t.Fatalf("%s: # kvet: --kube-version: %v", path, err)
	}
	cfg := &config.Config{}
	cfg.Merge(s.Enable, s.Disable)
	all := rules.All()
	checks := map[string]config.Check{}
	for _, r := range all {
		checks[r.ID] = config.Check{ID: r.ID, DefaultOn: r.DefaultOn(), Sets: r.Sets}
	}
	checkOf := func(id string) config.Check {
		if c, ok := checks[id]; ok {
			return c
		}
		return config.Check{ID: id, DefaultOn: true}
	}
	podSecurity, podSecuritySource := rules.DefaultPodSecurity(s.PodSecurity, "--pod-security", cfg.On(config.Check{ID: "group:" + rules.SecurityGroup, Sets: []string{rules.SecurityGroup}}, ""))
	if _, err := rules.ParsePodSecurity(podSecurity); podSecurity != "" && err != nil {
		t.Fatalf("%s: # kvet: --pod-security: %v", path, err)
	}
	ctx := context.Background()
	values := make([]string, len(s.Values))
	for i, v := range s.Values {
		values[i] = filepath.Join(path, v) // relative to the chart
	}
	renderer := helm.New(helm.Options{KubeVersion: kvs[0].String(), ReleaseName: s.ReleaseName, Namespace: s.Namespace,
		Values: helm.ValueSet{Files: values, Set: s.Set, SetString: s.SetString}})
	var contextObjs []*manifest.Object
	if len(s.AdmissionPolicies) > 0 {
		if contextObjs, err = validate.LoadContext(s.AdmissionPolicies, manifest.Options{}); err != nil {
			t.Fatalf("%s: # kvet: --admission-policies: %v", path, err)
		}
	}
	var crds []*manifest.Object
	if len(s.CRDs) > 0 {
		if crds, err = crd.Load(s.CRDs, manifest.Options{}); err != nil {
			t.Fatalf("%s: # kvet: --crds: %v", path, err)
		}
		cfg.Merge([]string{"cr-validation"}, nil) // as kvet lint --crds does
	}
	settings := rule.Settings{KubeVersion: kvs[0], KubeVersions: severalTargets(kvs), MissingServiceIsError: s.RequireService, Complete: s.RequireReferences, PodSecurity: podSecurity, PodSecuritySource: podSecuritySource}
	if len(s.SchemaLocations) > 0 {
		if _, err := crd.NewCatalog(s.SchemaLocations); err != nil {
			t.Fatalf("%s: # kvet: --schema-location %v", path, err)
		}
		cfg.Merge([]string{"cr-validation"}, nil) // as kvet lint does
		settings.SchemaLocations, settings.SchemaKubeVersion = s.SchemaLocations, "master"
	}
	out := validate.Lint(ctx, []string{path},
		manifest.Options{Limits: manifest.Limits{MaxNodes: s.MaxNodes, MaxDepth: s.MaxDepth}, Renderers: []manifest.Renderer{renderer}},
		validate.Options{
			Rules:    all,
			Settings: settings,
			Context:  append(contextObjs, crds...),
			Enabled:  func(id string) bool { return cfg.On(checkOf(id), "") },
			Adjust:   func(f *rule.Finding) bool { return cfg.On(checkOf(f.Rule), f.File) },
		})
	if len(out.Errors) > 0 {
		t.Fatalf("%s: %v", path, out.Errors)
	}
	return out, all
}

// Run lints the fixture at path with its settings, checks its findings
// against its wants and its rendered text against path+".snap", and
// returns the findings.
func Run(t *testing.T, path string) []rule.Finding {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSettings(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	wants, err := ParseWants(data)
	if err != nil {
		t.Fatalf("%s:%v", path, err)
	}
	out, all := Lint(t, path, s)
	Check(t, path, out.Findings, wants)
	golden.Check(t, path+".snap", Render(t, out, all))
	return out.Findings
}

// RunChart lints the Helm chart in dir (its settings on a "# kvet:" line
// of its Chart.yaml) and checks the findings against the wants of every
// file of the chart, templates and values files, where the findings are
// mapped back to, and the text output against dir+".snap".
func RunChart(t *testing.T, dir string) []rule.Finding {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSettings(data)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	out, all := Lint(t, dir, s)
	byFile := map[string][]rule.Finding{}
	for _, f := range out.Findings {
		byFile[f.File] = append(byFile[f.File], f)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		wants, err := ParseWants(data)
		if err != nil {
			return fmt.Errorf("%s:%w", p, err)
		}
		Check(t, p, byFile[p], wants)
		delete(byFile, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for file, list := range byFile {
		for _, f := range list {
			t.Errorf("%s:%d:%d: unexpected finding outside the chart's files %s %q", file, f.Line, f.Column, f.Rule, f.Message)
		}
	}
	golden.Check(t, dir+".snap", Render(t, out, all))
	return out.Findings
}

// Check fails for each finding no want matches and each want no finding
// matches, at the fixture's file:line.
func Check(t testing.TB, file string, got []rule.Finding, wants []Want) {
	t.Helper()
	used := make([]bool, len(wants))
	for i := range got {
		f := &got[i]
		matched := false
		for j := range wants {
			if !used[j] && wants[j].matches(f) {
				used[j], matched = true, true
				break
			}
		}
		if !matched {
			t.Errorf("%s:%d:%d: unexpected finding %s@%d:%s %q", file, f.Line, f.Column, f.Rule, f.Column, f.Severity, f.Message)
		}
	}
	for j, w := range wants {
		if !used[j] {
			t.Errorf("%s:%d: expected a finding %s, got none%s", file, w.Line, w.Raw, onLine(got, w.Line))
		}
	}
}

func onLine(got []rule.Finding, line int) string {
	var s []string
	for _, f := range got {
		if f.Line == line {
			s = append(s, fmt.Sprintf("%s@%d:%s %q", f.Rule, f.Column, f.Severity, f.Message))
		}
	}
	if len(s) == 0 {
		return ""
	}
	return " (on that line: " + strings.Join(s, "; ") + ")"
}

// Render is the text format's output for a run, without colour and with
// no duration, as the snapshot stores it.
func Render(t testing.TB, out *validate.Outcome, all []*rule.Rule) []byte {
	t.Helper()
	f, err := report.Lookup("text")
	if err != nil {
		t.Fatal(err)
	}
	inputs := make([]report.Input, len(out.Inputs))
	for i, in := range out.Inputs {
		inputs[i] = report.Input{File: in.File, Objects: in.Objects}
	}
	var b bytes.Buffer
	rep := &report.Report{Findings: out.Findings, Files: out.Files, Objects: out.Objects, Unchecked: out.Unchecked, Rules: all, Inputs: inputs}
	if err := f.Format(&b, rep, report.Options{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// severalTargets is rule.Settings.KubeVersions for the targets of
// --kube-version, as kvet lint sets it: nil for one target.
func severalTargets(kvs []kubeversion.Version) []kubeversion.Version {
	if len(kvs) > 1 {
		return kvs
	}
	return nil
}
