// Command kvet lints and validates Kubernetes manifests.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"runtime/debug"

	policycli "github.com/kvetdev/kvet/policy/cli"
)

func main() {
	// kvet streams: its live heap is small, so the default GC target
	// collects very often. A higher one trades some memory (measured with
	// bench/run) for a fifth less CPU. GOGC still wins when set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// ... but not past a soft limit: 100,000 documents stay under 1 GiB.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(640 << 20)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stdout))
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

const usage = `kvet lints and validates Kubernetes manifests.

Usage:
  kvet lint [flags] PATH...   check manifests (files, folders, - for stdin)
  kvet rules [-o text|json]   list the rules
  kvet explain RULE-ID        print a rule's documentation
  kvet test [flags] PATH...   run Rego policies as conftest test does (drop-in)
  kvet verify [flags]         run the policies' Rego unit tests (test_* rules)
  kvet init                   write a commented starter .kvet.yaml
  kvet version                print the version

Run 'kvet lint --help' for the flags.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	if len(args) == 0 {
		_, _ = io.WriteString(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "lint":
		return runLint(ctx, args[1:], stdin, stdout, stderr, tty)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "explain":
		return runExplain(args[1:], stdout, stderr)
	case "test":
		policycli.Version = kvetVersion()
		return policycli.Test(ctx, args[1:], stdin, stdout, stderr)
	case "verify":
		return policycli.Verify(ctx, args[1:], stdin, stdout, stderr)
	case "init":
		return runInit(args[1:], stdout, stderr)
	case "version", "--version":
		return runVersion(stdout)
	case "help", "-h", "--help":
		_, _ = io.WriteString(stdout, usage)
		return exitOK
	}
	_, _ = io.WriteString(stderr, "kvet: unknown command "+quote(args[0])+"\n\n"+usage)
	return exitUsage
}

func quote(s string) string { return "\"" + s + "\"" }
