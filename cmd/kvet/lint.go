package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	flag "github.com/spf13/pflag"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/report"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// defaultKubeVersion is the newest Kubernetes minor whose API types kvet
// vendors (k8s.io/api v0.37 → 1.37).
const defaultKubeVersion = "1.37"

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
}

func runLint(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	var lf lintFlags
	fs := flag.NewFlagSet("kvet lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "Usage: kvet lint [flags] PATH...\n\nChecks Kubernetes manifests: files, folders (recursively: *.yaml, *.yml, *.json;\nhidden folders skipped) and - for stdin.\n\nFlags:\n%s", fs.FlagUsages())
	}
	fs.StringVarP(&lf.output, "output", "o", "text", "output format: "+strings.Join(report.Formats(), ", "))
	fs.StringVar(&lf.kubeVersion, "kube-version", defaultKubeVersion, "target Kubernetes version (MAJOR.MINOR)")
	fs.StringVar(&lf.failOn, "fail-on", "error", "exit 1 when a finding is at least this severe: error, warning or info")
	fs.BoolVar(&lf.noColor, "no-color", false, "never colour the output (NO_COLOR is honoured too)")
	fs.StringVar(&lf.stdinName, "stdin-filename", "<stdin>", "file name to use in findings for -")
	fs.IntVar(&lf.maxNodes, "max-nodes", 1_000_000, "most YAML nodes one document may expand to (aliases expanded)")
	fs.IntVar(&lf.maxDepth, "max-depth", 200, "deepest nesting allowed in a document")
	fs.Int64Var(&lf.maxFileSize, "max-file-size", 256<<20, "largest file read, in bytes")
	fs.IntVar(&lf.workers, "workers", 0, "files and objects processed at once (default: number of CPUs)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	usageErr := func(format string, a ...any) int {
		_, _ = fmt.Fprintf(stderr, "kvet lint: "+format+"\n", a...)
		return exitUsage
	}
	paths := fs.Args()
	if len(paths) == 0 {
		return usageErr("no paths given; try kvet lint . or kvet lint - < manifest.yaml")
	}
	formatter, err := report.Lookup(lf.output)
	if err != nil {
		return usageErr("%v", err)
	}
	failOn, err := rule.ParseSeverity(lf.failOn)
	if err != nil {
		return usageErr("--fail-on: %v", err)
	}
	major, minor, err := parseKubeVersion(lf.kubeVersion)
	if err != nil {
		return usageErr("--kube-version: %v", err)
	}

	start := time.Now()
	res := manifest.Load(paths, manifest.Options{
		Stdin: stdin, StdinName: lf.stdinName, Workers: lf.workers, MaxFileSize: lf.maxFileSize,
		Limits: manifest.Limits{MaxNodes: lf.maxNodes, MaxDepth: lf.maxDepth},
	})
	for _, e := range res.Errors {
		_, _ = fmt.Fprintf(stderr, "kvet: %v\n", e)
	}
	all := rules.All()
	findings := validate.Run(ctx, res, validate.Options{
		Rules:    all,
		Workers:  lf.workers,
		Settings: rule.Settings{KubeMajor: major, KubeMinor: minor},
	})
	rep := &report.Report{Findings: findings, Files: len(res.Sources), Objects: len(res.Objects), Duration: time.Since(start), Rules: all,
		Inputs: report.InputsOf(res), Version: kvetVersion()}
	color := tty && !lf.noColor && os.Getenv("NO_COLOR") == "" && lf.output == "text"
	if err := formatter.Format(stdout, rep, report.Options{Color: color}); err != nil {
		_, _ = fmt.Fprintf(stderr, "kvet: writing output: %v\n", err)
		return exitUsage
	}
	if len(res.Errors) > 0 {
		return exitUsage
	}
	for _, f := range findings {
		if f.Severity >= failOn {
			return exitFindings
		}
	}
	return exitOK
}

func parseKubeVersion(s string) (int, int, error) {
	t := strings.TrimPrefix(s, "v")
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, fmt.Errorf("invalid Kubernetes version %q: want MAJOR.MINOR such as 1.30", s)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || major != 1 || minor < 0 {
		return 0, 0, fmt.Errorf("invalid Kubernetes version %q: want MAJOR.MINOR such as 1.30", s)
	}
	return major, minor, nil
}
