package main

import (
	"context"
	"fmt"
	"io"

	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/lsp"
)

// runLSP is kvet lsp: a language server on stdin and stdout. It takes kvet
// lint's flags (--enable, --kube-version, -p, --config, ...); each
// workspace's .kvet.yaml is found from its root, as kvet lint finds it
// from the current folder.
func runLSP(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var lf lintFlags
	fs := lintFlagSet(&lf)
	fs.Init("kvet lsp", 0)
	verbose := fs.Bool("verbose", false, "log the workspace and each lint on stderr")
	usage := func(w io.Writer) {
		_, _ = fmt.Fprintf(w, "Usage: kvet lsp [flags]\n\nA Language Server Protocol server on stdin and stdout: editors show kvet lint's\nfindings as diagnostics while you type. Takes kvet lint's flags.\n\nFlags:\n%s", fs.FlagUsages())
	}
	if code, done := flagparse.Parse(fs, args, usage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		_, _ = fmt.Fprintf(stderr, "kvet lsp: takes no paths (the editor says which files are open); got %q\n", fs.Arg(0))
		return exitUsage
	}
	opts := lsp.Options{Version: kvetVersion(), Setup: func(root string) (*lsp.Checker, error) {
		// The flags again, with the workspace as the path: the
		// configuration is the workspace's.
		var wf lintFlags
		wfs := lintFlagSet(&wf)
		wfs.Bool("verbose", false, "")
		dir := root
		if dir == "" {
			dir = "."
		}
		if err := wfs.Parse(append(append([]string{}, args...), dir)); err != nil {
			return nil, err
		}
		wf.configDir = dir
		o, err := lintOptionsOf(ctx, &wf, wfs, false)
		if err != nil {
			return nil, err
		}
		return &lsp.Checker{Load: o.load, Check: o.check, Kustomize: &o.kust}, nil
	}}
	if *verbose {
		opts.Log = stderr
	}
	lsp.New(opts).Serve(ctx, stdio{stdin, stdout})
	return exitOK
}

// stdio is the server's connection: stdin and stdout.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }
