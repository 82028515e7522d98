// Package flagparse parses a subcommand's flags the same way for every kvet
// command: -h/--help prints the usage on stdout and succeeds; a bad flag
// prints pflag's message and a hint on stderr and is a usage error (exit 2).
package flagparse

import (
	"errors"
	"fmt"
	"io"

	flag "github.com/spf13/pflag"
)

// ExitUsage is the exit code of a usage error.
const ExitUsage = 2

// Parse parses args into fs. usage writes the command's help text. When it
// returns done, the command is over and code is its exit code: 0 after
// --help, ExitUsage after a bad flag.
func Parse(fs *flag.FlagSet, args []string, usage func(io.Writer), stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // pflag calls it on --help and some errors; we print below
	err := fs.Parse(args)
	if err == nil {
		return 0, false
	}
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		return 0, true
	}
	_, _ = fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", fs.Name(), err, fs.Name())
	return ExitUsage, true
}
