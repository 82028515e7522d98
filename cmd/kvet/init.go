package main

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"

	flag "github.com/spf13/pflag"

	"github.com/kvetdev/kvet/config"
	"github.com/kvetdev/kvet/internal/flagparse"
)

// starterConfig is what kvet init writes: every key, commented.
const starterConfig = `# kvet configuration (https://github.com/kvetdev/kvet#configuration).
# It adds to kvet's defaults; command-line flags override it.

# Target Kubernetes version: deprecated APIs and too-new fields are checked
# against it (default: the newest kvet knows).
# kubeVersion: "1.30"

# Lowest severity that makes kvet lint exit 1: error, warning or info.
failOn: error

# Rules, groups (security, reliability, rbac, networking) and peer sets
# (kube-score, kube-linter, polaris) to turn on or off. "kvet rules" lists
# them.
enable: []
# enable: [security, reliability]
disable: []
# disable: [job-ttl]

# Run only these rules and groups:
# only: [api-validation, job-restart-policy]

# Change a rule's severity.
severity: {}
# severity:
#   statefulset-pvc-retention: error

# Paths skipped when walking folders (** matches any folders).
exclude: []
# exclude: ["charts/**/templates/**", "**/kustomization.yaml"]

# Folders of your own Rego policies (conftest style) to run with kvet lint.
policies: []

# A StatefulSet whose Service is not among the linted files is an error.
# requireStatefulSetService: true

# Pod Security level enforced in namespaces whose labels set none (the
# enforce/warn/audit labels of Namespaces always count): baseline or
# restricted, optionally :v1.NN. "enable: [security]" means restricted.
# podSecurity: baseline

# Stricter (or looser) rules for some paths.
overrides: []
# overrides:
#   - files: ["prod/**"]
#     enable: [reliability]
#     severity:
#       job-ttl: warning
`

func runInit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kvet init", flag.ContinueOnError)
	force := fs.Bool("force", false, "overwrite an existing "+config.FileName)
	initUsage := func(w io.Writer) {
		_, _ = fmt.Fprintf(w, "Usage: kvet init [--force] [FILE]\n\nWrites a commented starter %s (or FILE).\n\nFlags:\n%s", config.FileName, fs.FlagUsages())
	}
	if code, done := flagparse.Parse(fs, args, initUsage, stdout, stderr); done {
		return code
	}
	path := config.FileName
	if fs.NArg() > 0 {
		path = fs.Arg(0)
	}
	if _, err := os.Stat(path); err == nil && !*force {
		fmt.Fprintf(stderr, "kvet init: %s exists; pass --force to overwrite it\n", path)
		return exitUsage
	} else if err != nil && !errors.Is(err, iofs.ErrNotExist) {
		fmt.Fprintf(stderr, "kvet init: %v\n", err)
		return exitUsage
	}
	if err := os.WriteFile(path, []byte(starterConfig), 0o644); err != nil {
		fmt.Fprintf(stderr, "kvet init: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return exitOK
}
