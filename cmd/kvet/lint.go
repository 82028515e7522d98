package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	flag "github.com/spf13/pflag"

	"github.com/kvetdev/kvet/config"
	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/policy"
	"github.com/kvetdev/kvet/report"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// defaultKubeVersion is the newest Kubernetes minor whose API types kvet
// vendors (k8s.io/api v0.37 → 1.37).
var defaultKubeVersion = kubeversion.Latest().String()

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

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
	requireSvc  bool
	showIgnored bool
	regoVersion string
	allowNet    bool
	allowEnv    bool
	policyTime  time.Duration
	policyMem   int64
	allowOut    bool
	showConfig  bool
}

func runLint(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	var lf lintFlags
	fs := flag.NewFlagSet("kvet lint", flag.ContinueOnError)
	fs.StringVarP(&lf.output, "output", "o", "text", "output format: "+strings.Join(report.Formats(), ", "))
	fs.StringVar(&lf.kubeVersion, "kube-version", defaultKubeVersion, "target Kubernetes version (MAJOR.MINOR)")
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
	fs.StringVar(&lf.regoVersion, "rego-version", "v1", "Rego syntax of your policies: v1 (OPA 1.x) or v0")
	fs.BoolVar(&lf.allowNet, "allow-net", false, "let policies use the network (http.send, net.lookup_ip_addr)")
	fs.BoolVar(&lf.allowEnv, "allow-env", false, "let policies read the environment (opa.runtime)")
	fs.DurationVar(&lf.policyTime, "policy-timeout", 10*time.Second, "longest one policy (Rego package) may take on one object")
	fs.Int64Var(&lf.policyMem, "policy-max-memory", policy.DefaultMaxMemory>>20, "most memory, in MiB, one policy evaluation may use")
	fs.BoolVar(&lf.allowOut, "allow-outside-policies", false, "let the configuration's policies: name folders outside its repository")
	fs.BoolVar(&lf.showConfig, "show-config", false, "print the configuration file used, its root and policy folders, and exit")
	fs.BoolVar(&lf.requireSvc, "require-statefulset-service", false, "a StatefulSet's Service missing from the linted files is an error, not a warning")
	fs.BoolVar(&lf.showIgnored, "show-ignored", false, "also list the findings that ignore annotations and comments silenced")
	fs.StringVar(&lf.cpuProfile, "cpuprofile", "", "write a CPU profile to this file (for kvet's developers)")
	_ = fs.MarkHidden("cpuprofile")
	fs.StringVar(&lf.memProfile, "memprofile", "", "write an allocation profile to this file when done (for kvet's developers)")
	_ = fs.MarkHidden("memprofile")
	lintUsage := func(w io.Writer) {
		_, _ = fmt.Fprintf(w, "Usage: kvet lint [flags] PATH...\n\nChecks Kubernetes manifests: files, folders (recursively: *.yaml, *.yml, *.json;\nhidden folders skipped) and - for stdin.\n\nFlags:\n%s", fs.FlagUsages())
	}
	if code, done := flagparse.Parse(fs, args, lintUsage, stdout, stderr); done {
		return code
	}
	usageErr := func(format string, a ...any) int {
		_, _ = fmt.Fprintf(stderr, "kvet lint: "+format+"\n", a...)
		return exitUsage
	}
	paths := fs.Args()
	if len(paths) == 0 && !lf.showConfig {
		return usageErr("no paths given; try kvet lint . or kvet lint - < manifest.yaml")
	}
	formatter, err := report.Lookup(lf.output)
	if err != nil {
		return usageErr("%v", err)
	}
	cfg, err := loadConfig(lf.configPath)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet: invalid configuration:\n%v\n", err)
		return exitUsage
	}
	cfg.Merge(lf.enable, lf.disable)
	if !fs.Changed("fail-on") && cfg.FailOn != "" {
		lf.failOn = cfg.FailOn
	}
	if !fs.Changed("kube-version") && cfg.KubeVersion != "" {
		lf.kubeVersion = cfg.KubeVersion
	}
	failOn, err := rule.ParseSeverity(lf.failOn)
	if err != nil {
		return usageErr("--fail-on: %v", err)
	}
	kv, err := kubeversion.ParseTarget(lf.kubeVersion)
	if err != nil {
		if !fs.Changed("kube-version") && cfg.KubeVersion != "" {
			return usageErr("kubeVersion in %s: %v", cfg.Path, err)
		}
		return usageErr("--kube-version: %v", err)
	}
	settings := rule.Settings{KubeVersion: kv, MissingServiceIsError: lf.requireSvc}
	if !fs.Changed("require-statefulset-service") && cfg.RequireStatefulSetService != nil {
		settings.MissingServiceIsError = *cfg.RequireStatefulSetService
	}

	if lf.cpuProfile != "" {
		stop, err := startCPUProfile(lf.cpuProfile)
		if err != nil {
			return usageErr("--cpuprofile: %v", err)
		}
		defer stop()
	}
	if lf.memProfile != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			if err := writeMemProfile(lf.memProfile); err != nil {
				_, _ = fmt.Fprintf(stderr, "kvet: --memprofile: %v\n", err)
			}
		}()
	}
	start := time.Now()
	all := rules.All()
	checks := map[string]config.Check{}
	var bundled []string
	for _, r := range all {
		c := config.Check{ID: r.ID, Group: r.Group, DefaultOn: r.Group == "" || r.Group == "default"}
		checks[r.ID] = c
		if r.Group != "" && cfg.On(c, "") {
			bundled = append(bundled, rules.PolicyPackage(r.ID))
		}
	}
	var pols *validate.Policies
	if lf.policyMem <= 0 || lf.policyMem > 1<<30 {
		return usageErr("--policy-max-memory: %d MiB: give a positive number of MiB", lf.policyMem)
	}
	dirs, err := policyDirs(cfg, lf.allowOut, lf.policies)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet: invalid configuration:\n%v\n", err)
		return exitUsage
	}
	if lf.showConfig {
		showConfig(stdout, cfg, dirs)
		return exitOK
	}
	if len(bundled) > 0 || len(dirs) > 0 {
		pols, err = validate.LoadPolicies(ctx, validate.PolicyOptions{
			Bundled: bundled, Dirs: dirs, RegoVersion: lf.regoVersion, AllowNet: lf.allowNet, AllowEnv: lf.allowEnv,
			Timeout: lf.policyTime, MaxMemory: lf.policyMem << 20,
		})
		if err != nil {
			_, _ = fmt.Fprintf(stderr, "kvet: %s\n", policy.FormatError(err))
			return exitUsage
		}
	}
	if err := checkRuleIDs(cfg, pols); err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet: %v\n", err)
		return exitUsage
	}
	checkOf := func(id string) config.Check {
		if c, ok := checks[id]; ok {
			return c
		}
		return config.Check{ID: id, DefaultOn: true}
	}
	var progress *validate.Progress
	progressDone := make(chan struct{})
	progressStopped := make(chan struct{})
	if progressWanted(stderr, lf.output) {
		progress = &validate.Progress{}
		go func() {
			showProgress(stderr, progress, time.Second, 200*time.Millisecond, progressDone)
			close(progressStopped)
		}()
	} else {
		close(progressStopped)
	}
	out := validate.Lint(ctx, paths, manifest.Options{
		Stdin: stdin, StdinName: lf.stdinName, MaxFileSize: lf.maxFileSize,
		Limits:  manifest.Limits{MaxNodes: lf.maxNodes, MaxDepth: lf.maxDepth},
		Exclude: cfg.Excluded,
		Note:    func(msg string) { _, _ = fmt.Fprintf(stderr, "kvet: note: %s\n", report.Printable(msg)) },
	}, validate.Options{
		Rules:      all,
		Workers:    lf.workers,
		NoSnippets: !report.PrintsSnippets(lf.output),
		Settings:   settings,
		Policies:   pols,
		Progress:   progress,
		Enabled:    func(id string) bool { return cfg.On(checkOf(id), "") },
		Adjust: func(f *rule.Finding) bool {
			if !cfg.On(checkOf(f.Rule), f.File) {
				return false
			}
			f.Severity = cfg.SeverityFor(f.Rule, f.File, f.Severity)
			return true
		},
	})
	close(progressDone)
	<-progressStopped
	if interrupted(ctx, stderr) {
		return exitInterrupted
	}
	for _, e := range out.Errors {
		_, _ = fmt.Fprintf(stderr, "kvet: %s\n", report.Printable(e.Error()))
	}
	findings := out.Findings
	inputs := make([]report.Input, len(out.Inputs))
	for i, in := range out.Inputs {
		inputs[i] = report.Input{File: in.File, Objects: in.Objects}
	}
	rep := &report.Report{Findings: findings, Files: out.Files, Objects: out.Objects, Duration: time.Since(start), Rules: all,
		Inputs: inputs, Version: kvetVersion()}
	if lf.showIgnored {
		rep.Ignored = out.Ignored
	}
	color := tty && !lf.noColor && os.Getenv("NO_COLOR") == "" && lf.output == "text"
	if err := formatter.Format(stdout, rep, report.Options{Color: color}); err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet: writing output: %v\n", err)
		return exitUsage
	}
	if len(out.Errors) > 0 {
		return exitUsage
	}
	for _, f := range findings {
		if f.Severity >= failOn {
			return exitFindings
		}
	}
	return exitOK
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
// the current folder or its nearest parent; no file means the defaults.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		path = config.Find(".")
		if path == "" {
			return &config.Config{}, nil
		}
		return config.LoadFound(path)
	}
	return config.Load(path)
}
