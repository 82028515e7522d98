package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	flag "github.com/spf13/pflag"

	"github.com/kvetdev/kvet/baseline"
	"github.com/kvetdev/kvet/changes"
	"github.com/kvetdev/kvet/config"
	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/policy"
	"github.com/kvetdev/kvet/render/kustomize"
	"github.com/kvetdev/kvet/report"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
	"github.com/kvetdev/kvet/validate/crd"
)

// defaultKubeVersion is the newest Kubernetes minor whose API types kvet
// vendors (k8s.io/api v0.37 → 1.37).
var defaultKubeVersion = kubeversion.Latest().String()

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// lintFlags are kvet lint's flags as given (lintFlagSet defines them).
type lintFlags struct {
	output      string
	kubeVersion string
	failOn      string
	noColor     bool
	stdinName   string
	maxNodes    int
	maxDepth    int
	maxFileSize int64
	workers     int
	cpuProfile  string
	memProfile  string
	configPath  string
	enable      []string
	disable     []string
	policies    []string
	admission   []string
	crds        []string
	schemaLocs  []string
	requireSvc  bool
	requireRefs bool
	showIgnored bool
	regoVersion string
	allowNet    bool
	allowEnv    bool
	policyTime  time.Duration
	policyMem   int64
	allowOut    bool
	showConfig  bool
	// helm are the chart rendering flags, as helm template's.
	helm helmFlags
	// configDir is where the .kvet.yaml search starts when --config is
	// not given ("" for the current folder; kvet lsp's workspace root).
	configDir   string
	podSecurity string
	// kustomize builds
	kustRemote  bool
	kustTimeout time.Duration
	baseline    string
	showStale   bool
	newFromRev  string
}

// runLint is kvet lint in three steps: options (the flags, read by
// flagparse, and the configuration, resolved by lintOptionsOf: every usage
// error is found here), run (lintOptions.run: the lint, printing nothing
// but the live notes and progress on stderr), and present
// (lintOptions.present: the report and the exit code).
func runLint(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	var lf lintFlags
	fs := lintFlagSet(&lf)
	lintUsage := func(w io.Writer) {
		_, _ = fmt.Fprintf(w, "Usage: kvet lint [flags] PATH...\n\nChecks Kubernetes manifests: files, folders (recursively: *.yaml, *.yml, *.json;\nhidden folders skipped) and - for stdin.\n\nFlags:\n%s", fs.FlagUsages())
	}
	if code, done := flagparse.Parse(fs, args, lintUsage, stdout, stderr); done {
		return code
	}
	stop, err := startProfiles(lf.cpuProfile, lf.memProfile, stderr)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet lint: %v\n", err)
		return exitUsage
	}
	defer stop()
	opts, err := lintOptionsOf(ctx, &lf, fs, tty)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if opts.showConfig {
		showConfig(stdout, opts.cfg, opts.policyDirs)
		return exitOK
	}
	out := opts.run(ctx, stdin, stderr)
	if interrupted(ctx, stderr) {
		return exitInterrupted
	}
	return opts.present(out, stdout, stderr)
}

// lintFlagSet defines kvet lint's flags, all of them, on lf.
func lintFlagSet(lf *lintFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("kvet lint", flag.ContinueOnError)
	fs.StringVarP(&lf.output, "output", "o", "text", "output format: "+strings.Join(report.Formats(), ", "))
	fs.StringVar(&lf.kubeVersion, "kube-version", defaultKubeVersion, "target Kubernetes version (MAJOR.MINOR), or several separated by commas (1.29,1.31), checked at once")
	fs.StringVar(&lf.failOn, "fail-on", "error", "exit 1 when a finding is at least this severe: error, warning or info")
	fs.BoolVar(&lf.noColor, "no-color", false, "never colour the output (NO_COLOR is honoured too)")
	fs.StringVar(&lf.stdinName, "stdin-filename", "<stdin>", "file name to use in findings for -")
	fs.IntVar(&lf.maxNodes, "max-nodes", 1_000_000, "most YAML nodes one document may expand to (aliases expanded)")
	fs.IntVar(&lf.maxDepth, "max-depth", 200, "deepest nesting allowed in a document")
	fs.Int64Var(&lf.maxFileSize, "max-file-size", 256<<20, "largest file read, in bytes")
	fs.IntVar(&lf.workers, "workers", 0, "files and objects processed at once (default: number of CPUs)")
	fs.StringVar(&lf.configPath, "config", "", "configuration file (default: .kvet.yaml in the current folder or the nearest parent, up to the repository's root)")
	fs.StringSliceVar(&lf.enable, "enable", nil, "turn on rules or policy groups (security, reliability, ...); repeatable, comma-separated")
	fs.StringSliceVar(&lf.disable, "disable", nil, "turn off rules or policy groups; repeatable, comma-separated")
	fs.StringArrayVarP(&lf.policies, "policy", "p", nil, "folder of your own Rego policies to run too (repeatable)")
	fs.StringArrayVar(&lf.admission, "admission-policies", nil, "file or folder of ValidatingAdmissionPolicies and bindings to evaluate the manifests against, not linted (repeatable)")
	fs.StringArrayVar(&lf.crds, "crds", nil, "file or folder of CustomResourceDefinitions to check custom resources against, not linted themselves (repeatable)")
	fs.StringArrayVar(&lf.schemaLocs, "schema-location", nil, "kubeconform-style template of JSON schema files for custom resources without a CRD, e.g. 'catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json' (repeatable; an http(s) one is fetched and cached)")
	fs.StringVar(&lf.regoVersion, "rego-version", "v1", "Rego syntax of your policies: v1 (OPA 1.x) or v0")
	fs.BoolVar(&lf.allowNet, "allow-net", false, "let policies use the network (http.send, net.lookup_ip_addr)")
	fs.BoolVar(&lf.allowEnv, "allow-env", false, "let policies read the environment (opa.runtime)")
	fs.DurationVar(&lf.policyTime, "policy-timeout", 10*time.Second, "longest one policy (Rego package) may take on one object")
	fs.Int64Var(&lf.policyMem, "policy-max-memory", policy.DefaultMaxMemory>>20, "most memory, in MiB, one policy evaluation may use")
	fs.BoolVar(&lf.allowOut, "allow-outside-policies", false, "let the configuration's policies: name folders outside its repository")
	fs.BoolVar(&lf.showConfig, "show-config", false, "print the configuration file used, its root and policy folders, and exit")
	fs.BoolVar(&lf.requireSvc, "require-statefulset-service", false, "a StatefulSet's Service missing from the linted files is an error, not a warning")
	fs.BoolVar(&lf.requireRefs, "require-references", false, "the linted files are the whole application: an object defined in two files is an error")
	fs.StringVar(&lf.podSecurity, "pod-security", "", "Pod Security level enforced in namespaces whose labels set none: baseline|restricted[:v1.NN]")
	fs.BoolVar(&lf.showIgnored, "show-ignored", false, "also list the findings that ignore annotations and comments silenced")
	lf.helm.define(fs)
	fs.BoolVar(&lf.kustRemote, "kustomize-allow-remote", false, "let kustomize fetch remote bases and files (git repositories, URLs) named by kustomizations")
	fs.DurationVar(&lf.kustTimeout, "kustomize-timeout", 60*time.Second, "longest one kustomize build may take")
	fs.StringVar(&lf.baseline, "baseline", "", "do not report the findings in this baseline file (written by kvet baseline)")
	fs.BoolVar(&lf.showStale, "show-stale-baseline", false, "list the --baseline entries of the checked files that match no finding any more")
	fs.StringVar(&lf.newFromRev, "new-from-rev", "", "only report findings on lines changed since this git revision (and in files git does not track)")
	fs.StringVar(&lf.cpuProfile, "cpuprofile", "", "write a CPU profile to this file (for kvet's developers)")
	_ = fs.MarkHidden("cpuprofile")
	fs.StringVar(&lf.memProfile, "memprofile", "", "write an allocation profile to this file when done (for kvet's developers)")
	_ = fs.MarkHidden("memprofile")
	return fs
}

// lintOptions is a kvet lint run as its flags and configuration decide
// it, everything checked: the run and the presentation make no usage
// error.
type lintOptions struct {
	// start is when the run began: the report's duration counts the
	// policies' compilation.
	start time.Time
	paths []string
	// showConfig: print the configuration (cfg, policyDirs) and stop;
	// the other fields are not set.
	showConfig bool
	cfg        *config.Config
	policyDirs []string

	load   manifest.Options // without Stdin and Note, which the run sets
	kust   kustomize.Options
	check  validate.Options // without Progress, which the run sets
	output string           // the format's name (-o)

	format      report.Formatter
	color       bool
	showIgnored bool
	failOn      rule.Severity

	// baseline (--baseline, read from baselinePath) and changed
	// (--new-from-rev) filter the findings; nil when not asked.
	baseline     *baseline.File
	baselinePath string
	showStale    bool
	changed      *changes.Set
}

// lintOptionsOf resolves the parsed flags and the configuration into a
// run. Every usage error past pflag's (and --cpuprofile's) is found here,
// its error being the message as printed: a flag's value, the
// configuration, a policy that does not compile, a rule id that no rule
// or policy has. The policies are compiled here, since the rule ids are
// checked against theirs.
func lintOptionsOf(ctx context.Context, lf *lintFlags, fs *flag.FlagSet, tty bool) (*lintOptions, error) {
	o := &lintOptions{paths: fs.Args(), showConfig: lf.showConfig, output: lf.output, showIgnored: lf.showIgnored,
		baselinePath: lf.baseline, showStale: lf.showStale}
	usageErr := func(format string, a ...any) error {
		return fmt.Errorf("kvet lint: "+format, a...)
	}
	if len(o.paths) == 0 && !lf.showConfig {
		return nil, usageErr("no paths given; try kvet lint . or kvet lint - < manifest.yaml")
	}
	var err error
	if o.format, err = report.Lookup(lf.output); err != nil {
		return nil, usageErr("%v", err)
	}
	cfg, err := loadConfig(lf.configPath, lf.configDir)
	if err != nil {
		return nil, fmt.Errorf("kvet: invalid configuration:\n%w", err)
	}
	o.cfg = cfg
	cfg.Merge(lf.enable, lf.disable)
	failOn := lf.failOn
	if !fs.Changed("fail-on") && cfg.FailOn != "" {
		failOn = cfg.FailOn
	}
	if o.failOn, err = rule.ParseSeverity(failOn); err != nil {
		return nil, usageErr("--fail-on: %v", err)
	}
	kubeVersion := lf.kubeVersion
	if !fs.Changed("kube-version") && cfg.KubeVersion != "" {
		kubeVersion = cfg.KubeVersion
	}
	kvs, err := kubeversion.ParseTargets(kubeVersion)
	if err != nil {
		if !fs.Changed("kube-version") && cfg.KubeVersion != "" {
			return nil, usageErr("kubeVersion in %s: %v", cfg.Path, err)
		}
		return nil, usageErr("--kube-version: %v", err)
	}
	settings := rule.Settings{KubeVersion: kvs[0], MissingServiceIsError: lf.requireSvc, Complete: lf.requireRefs}
	if len(kvs) > 1 {
		settings.KubeVersions = kvs
	}
	if !fs.Changed("require-references") && cfg.RequireReferences != nil {
		settings.Complete = *cfg.RequireReferences
	}
	if !fs.Changed("require-statefulset-service") && cfg.RequireStatefulSetService != nil {
		settings.MissingServiceIsError = *cfg.RequireStatefulSetService
	}
	podSecurity, source := lf.podSecurity, "--pod-security"
	if !fs.Changed("pod-security") && cfg.PodSecurity != "" {
		podSecurity, source = cfg.PodSecurity, "podSecurity in "+filepath.Base(cfg.Path)
	}
	if podSecurity != "" {
		if _, err := rules.ParsePodSecurity(podSecurity); err != nil {
			if !fs.Changed("pod-security") {
				return nil, usageErr("podSecurity in %s: %v", cfg.Path, err)
			}
			return nil, usageErr("--pod-security: %v", err)
		}
	}
	settings.PodSecurity, settings.PodSecuritySource = rules.DefaultPodSecurity(podSecurity, source, cfg.On(securityGroup, ""))
	o.start = time.Now()
	all := rules.All()
	checkOf := checks(all)
	if lf.policyMem <= 0 || lf.policyMem > 1<<30 {
		return nil, usageErr("--policy-max-memory: %d MiB: give a positive number of MiB", lf.policyMem)
	}
	if o.policyDirs, err = policyDirs(cfg, lf.allowOut, lf.policies); err != nil {
		return nil, fmt.Errorf("kvet: invalid configuration:\n%w", err)
	}
	admissionPaths, err := cfg.AdmissionPolicyPaths(lf.allowOut)
	if err != nil {
		return nil, fmt.Errorf("kvet: invalid configuration:\n%w", err)
	}
	admissionPaths = append(admissionPaths, lf.admission...)
	if lf.showConfig {
		return o, nil
	}
	if lf.showStale && lf.baseline == "" {
		return nil, usageErr("--show-stale-baseline lists the entries of a baseline: give one with --baseline FILE")
	}
	if lf.baseline != "" {
		if o.baseline, err = baseline.Read(lf.baseline); err != nil {
			return nil, usageErr("--baseline: %v", err)
		}
	}
	if fs.Changed("new-from-rev") {
		if o.changed, err = changes.Since(ctx, ".", lf.newFromRev); err != nil {
			return nil, usageErr("%v", err)
		}
	}
	var pols *validate.Policies
	if len(o.policyDirs) > 0 {
		pols, err = validate.LoadPolicies(ctx, validate.PolicyOptions{
			Dirs: o.policyDirs, RegoVersion: lf.regoVersion, AllowNet: lf.allowNet, AllowEnv: lf.allowEnv,
			Timeout: lf.policyTime, MaxMemory: lf.policyMem << 20,
		})
		if err != nil {
			return nil, fmt.Errorf("kvet: %s", policy.FormatError(err))
		}
		budget.regoRun()
	}
	if err := checkRuleIDs(cfg, pols); err != nil {
		return nil, fmt.Errorf("kvet: %w", err)
	}
	o.load = manifest.Options{
		StdinName: lf.stdinName, MaxFileSize: lf.maxFileSize,
		Limits:  manifest.Limits{MaxNodes: lf.maxNodes, MaxDepth: lf.maxDepth},
		Exclude: cfg.Excluded, Read: budget.read,
		Renderers: lf.helm.renderers(cfg, kvs[0].String()), // the oldest target: a chart is rendered once
	}
	var contextObjs []*manifest.Object // loaded for the rules, not linted
	if len(admissionPaths) > 0 {
		ctxLoad := o.load
		ctxLoad.Exclude = nil
		if contextObjs, err = validate.LoadContext(admissionPaths, ctxLoad); err != nil {
			return nil, usageErr("--admission-policies: %v", err)
		}
	}
	o.kust = kustomize.Options{AllowRemote: lf.kustRemote, Timeout: lf.kustTimeout, MaxFileSize: lf.maxFileSize, Exclude: cfg.Excluded, KubeVersion: kvs[0].String()}
	crdPaths, err := cfg.CRDPaths(lf.allowOut)
	if err != nil {
		return nil, fmt.Errorf("kvet: invalid configuration:\n%w", err)
	}
	var crds []*manifest.Object
	if crdPaths = append(crdPaths, lf.crds...); len(crdPaths) > 0 {
		// CRDs given: their resources are to be checked.
		cfg.Merge([]string{"cr-validation"}, nil)
		crds, err = crd.Load(crdPaths, manifest.Options{MaxFileSize: lf.maxFileSize, Limits: o.load.Limits, Workers: lf.workers})
		if err != nil {
			return nil, usageErr("--crds: %v", err)
		}
	}
	schemaLocs := append(cfg.SchemaLocationTemplates(), lf.schemaLocs...)
	if len(schemaLocs) > 0 {
		if _, err := crd.NewCatalog(schemaLocs); err != nil {
			return nil, usageErr("--schema-location %v", err)
		}
		cfg.Merge([]string{"cr-validation"}, nil)
		settings.SchemaLocations = schemaLocs
		if dir, err := os.UserCacheDir(); err == nil {
			settings.SchemaCacheDir = filepath.Join(dir, "kvet", "schemas")
		}
		settings.SchemaKubeVersion = "master"
		if fs.Changed("kube-version") || cfg.KubeVersion != "" {
			settings.SchemaKubeVersion = "v" + kvs[0].String() + ".0"
		}
	}
	if cfg.On(checkOf("cr-validation"), "") || cfg.On(checkOf("crd-invalid"), "") {
		// CRDs and their compiled schemas stay in memory for the run:
		// under the small base the collector ran all the time (the
		// corpus took 25 s of CPU instead of 10).
		budget.regoRun()
	}
	o.check = validate.Options{
		Context:     append(contextObjs, crds...),
		Rules:       all,
		Workers:     lf.workers,
		NoSnippets:  !report.PrintsSnippets(lf.output),
		ListObjects: report.ListsObjects(lf.output),
		Settings:    settings,
		Policies:    pols,
		Enabled:     func(id string) bool { return cfg.On(checkOf(id), "") },
		Adjust: func(f *rule.Finding) bool {
			c := checkOf(f.Rule)
			if f.Policy {
				// The user's policy is on unless its id is turned off,
				// whatever a rule of that id does by default.
				c = config.Check{ID: f.Rule, DefaultOn: true}
			}
			if !cfg.On(c, f.File) {
				return false
			}
			f.Severity = cfg.SeverityFor(f.Rule, f.File, f.Severity)
			return true
		},
	}
	o.color = tty && !lf.noColor && os.Getenv("NO_COLOR") == "" && lf.output == "text"
	return o, nil
}

// checks returns how the configuration addresses each rule id (an id no
// rule has is a policy's, on by default).
func checks(all []*rule.Rule) func(id string) config.Check {
	byID := map[string]config.Check{}
	for _, r := range all {
		byID[r.ID] = config.Check{ID: r.ID, DefaultOn: r.DefaultOn(), Sets: r.Sets}
	}
	return func(id string) config.Check {
		if c, ok := byID[id]; ok {
			return c
		}
		return config.Check{ID: id, DefaultOn: true}
	}
}

// eagerFindings makes every run hold its findings as rule.Finding values
// from the start (validate.Options.Lazy off), for tests that compare.
var eagerFindings bool

// lintOutcome is what a run found, nothing of it printed yet.
type lintOutcome struct {
	report *report.Report
	// errors are the inputs that could not be read: printed before the
	// report, and the exit code is then 2.
	errors []error
	// stale are the baseline's entries that matched no finding, in the
	// files checked.
	stale []baseline.Entry
}

// run lints the paths. It prints nothing but what is live on stderr: the
// notes of the walk (a skipped link) and, on a terminal, the progress.
func (o *lintOptions) run(ctx context.Context, stdin io.Reader, stderr io.Writer) *lintOutcome {
	load := o.load
	load.Stdin = stdin
	load.Context = ctx
	load.Note = func(msg string) { _, _ = fmt.Fprintf(stderr, "kvet: note: %s\n", report.Printable(msg)) }
	check := o.check
	progressDone := make(chan struct{})
	progressStopped := make(chan struct{})
	if progressWanted(stderr, o.output) {
		check.Progress = &validate.Progress{}
		go func() {
			showProgress(stderr, check.Progress, time.Second, 200*time.Millisecond, progressDone)
			close(progressStopped)
		}()
	} else {
		close(progressStopped)
	}
	paths, ks := renderKustomize(o.paths, &load, &check, o.kust)
	// The findings stay in the engine's compact log and are made as the
	// format writes them, unless something needs them all at once.
	check.Lazy = !eagerFindings && o.baseline == nil && o.changed == nil
	out := validate.Lint(ctx, paths, load, check)
	more := ks.Findings(check.NoSnippets)
	if len(more) > 0 && out.List != nil {
		out.Findings, out.List = out.List.All(), nil
	}
	out.Findings = addFindings(out.Findings, more, check.Adjust)
	close(progressDone)
	<-progressStopped
	inputs := make([]report.Input, len(out.Inputs))
	for i, in := range out.Inputs {
		inputs[i] = report.Input{File: in.File, Objects: in.Objects}
	}
	rep := &report.Report{Findings: out.Findings, Files: out.Files, Objects: out.Objects, Unchecked: out.Unchecked, Duration: time.Since(o.start), Rules: check.Rules,
		Inputs: inputs, Version: kvetVersion()}
	if out.List != nil {
		rep.List = out.List
	}
	if o.showIgnored {
		rep.Ignored = out.Ignored
	}
	res := &lintOutcome{report: rep, errors: out.Errors}
	o.filter(res, inputs)
	return res
}

// filter leaves out of the report the findings in the baseline
// (--baseline) and those on lines unchanged since --new-from-rev. The
// findings left keep the fingerprints they have in an unfiltered run.
func (o *lintOptions) filter(res *lintOutcome, inputs []report.Input) {
	if o.baseline == nil && o.changed == nil {
		return
	}
	rep := res.report
	prints := report.Fingerprints(rep.Findings)
	kept := make([]int, 0, len(rep.Findings))
	if o.baseline != nil {
		checked := make(map[string]bool, len(inputs))
		for _, in := range inputs {
			checked[baseline.CleanPath(in.File)] = true
		}
		applied := o.baseline.Apply(baseline.Keys(rep.Findings), func(file string) bool {
			if checked[file] {
				return true
			}
			_, err := os.Stat(filepath.FromSlash(file))
			return errors.Is(err, fs.ErrNotExist) // a file deleted since
		})
		kept = applied.Kept
		rep.Baselined = applied.Matched
		res.stale = applied.Stale
	} else {
		for i := range rep.Findings {
			kept = append(kept, i)
		}
	}
	findings := make([]rule.Finding, 0, len(kept))
	keptPrints := make([]string, 0, len(kept))
	for _, i := range kept {
		f := rep.Findings[i]
		if o.changed != nil && !o.changed.Changed(f.File, f.Line) {
			rep.Unchanged++
			continue
		}
		findings = append(findings, f)
		keptPrints = append(keptPrints, prints[i])
	}
	rep.Findings, rep.Fingerprints = findings, keptPrints
}

// renderKustomize builds the kustomizations found under paths
// (render/kustomize) and sets the run up to lint what they build: their
// outputs join the inputs, the files they consume are not linted on their
// own (named ones are taken out of paths, walked ones excluded), and the
// findings on their outputs are mapped back to the files the user edits.
func renderKustomize(paths []string, load *manifest.Options, check *validate.Options, opts kustomize.Options) ([]string, *kustomize.Set) {
	ks := kustomize.Render(paths, opts)
	if len(ks.Builds) == 0 && len(ks.Problems) == 0 {
		return paths, ks
	}
	kept := make([]string, 0, len(paths))
	for _, p := range paths {
		if p != "-" && ks.Consumed(p) {
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				continue
			}
		}
		kept = append(kept, p)
	}
	load.Sources = append(load.Sources, ks.Sources()...)
	exclude := load.Exclude
	load.Exclude = func(p string) bool { return ks.Consumed(p) || exclude != nil && exclude(p) }
	remap := check.Remap
	check.Remap = func(fs []rule.Finding) []rule.Finding {
		if remap != nil {
			fs = remap(fs)
		}
		return ks.Remap(fs)
	}
	return kept, ks
}

// addFindings adds findings made outside the engine (a kustomization that
// does not build) to the run's, as the configuration has them (severity,
// rules off), in order.
func addFindings(fs, more []rule.Finding, adjust func(*rule.Finding) bool) []rule.Finding {
	if len(more) == 0 {
		return fs
	}
	for _, f := range more {
		if adjust == nil || adjust(&f) {
			fs = append(fs, f)
		}
	}
	validate.Sort(fs)
	return fs
}

// present prints the outcome (the inputs that could not be read on
// stderr, the report on stdout) and returns the exit code: 2 when an input
// could not be read or the report not written, 1 when a finding is at
// least as severe as --fail-on, 0 otherwise.
func (o *lintOptions) present(out *lintOutcome, stdout, stderr io.Writer) int {
	for _, e := range out.errors {
		_, _ = fmt.Fprintf(stderr, "kvet: %s\n", report.Printable(e.Error()))
	}
	o.presentStale(out.stale, stderr)
	if err := o.format.Format(stdout, out.report, report.Options{Color: o.color}); err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet: writing output: %v\n", err)
		return exitUsage
	}
	if len(out.errors) > 0 {
		return exitUsage
	}
	if out.report.Worst() >= o.failOn {
		return exitFindings
	}
	return exitOK
}

// presentStale lists the stale baseline entries on stderr with
// --show-stale-baseline, and otherwise says how many there are.
func (o *lintOptions) presentStale(stale []baseline.Entry, stderr io.Writer) {
	if len(stale) == 0 {
		return
	}
	name := report.Printable(o.baselinePath)
	if !o.showStale {
		_, _ = fmt.Fprintf(stderr, "kvet: note: %d entries of the baseline %s match no finding any more (fixed, or moved); --show-stale-baseline lists them, kvet baseline writes the file again\n", len(stale), name)
		return
	}
	_, _ = fmt.Fprintf(stderr, "kvet: %d entries of the baseline %s match no finding any more (fixed, or their file, object or field renamed); write the file again with kvet baseline to drop them:\n", len(stale), name)
	for _, e := range stale {
		where := e.Object
		if e.Path != "" {
			where += " " + e.Path
		}
		_, _ = fmt.Fprintf(stderr, "  %s: %s[%s] %s: %s\n", report.Printable(e.File), "stale", report.Printable(e.Rule), report.Printable(where), report.Printable(e.Message))
	}
}

// startProfiles starts the developers' profiles (--cpuprofile, and
// --memprofile, written when stop is called) before anything else, so
// that they cover the policies' compilation too.
func startProfiles(cpu, mem string, stderr io.Writer) (stop func(), err error) {
	stopCPU := func() {}
	if cpu != "" {
		if stopCPU, err = startCPUProfile(cpu); err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	if mem != "" {
		runtime.MemProfileRate = 64 << 10
	}
	return func() {
		if mem != "" {
			if err := writeMemProfile(mem); err != nil {
				_, _ = fmt.Fprintf(stderr, "kvet: --memprofile: %v\n", err)
			}
		}
		stopCPU()
	}, nil
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}

func writeMemProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC() // the profile is as of the last collection
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// loadConfig reads the configuration named by --config, or .kvet.yaml in
// dir (default the current folder) or its nearest parent; no file means
// the defaults.
func loadConfig(path, dir string) (*config.Config, error) {
	if dir == "" {
		dir = "."
	}
	if path == "" {
		path = config.Find(dir)
		if path == "" {
			return &config.Config{}, nil
		}
		return config.LoadFound(path)
	}
	return config.Load(path)
}
