// Package cli implements `kvet test` (conftest-compatible policy testing)
// and `kvet verify` (Rego unit tests), as functions cmd/kvet dispatches to.
package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// applyConfig reads conftest.toml (or the file given with --config) and sets
// every flag named by a key that was not given on the command line.
func applyConfig(fs *pflag.FlagSet, path string, explicit bool) error {
	if path == "" {
		path = "conftest.toml"
	}
	if _, err := os.Stat(path); err != nil {
		if explicit {
			return fmt.Errorf("config file: %w", err)
		}
		return nil
	}
	var cfg map[string]any
	if _, err := toml.DecodeFile(path, &cfg); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	for key, val := range cfg {
		f := fs.Lookup(key)
		if f == nil || f.Changed {
			continue
		}
		var vals []string
		switch v := val.(type) {
		case []any:
			for _, e := range v {
				vals = append(vals, fmt.Sprint(e))
			}
		default:
			vals = []string{fmt.Sprint(v)}
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			if err := sv.Replace(vals); err != nil {
				return fmt.Errorf("config file %s: %s: %w", path, key, err)
			}
		} else {
			if err := f.Value.Set(strings.Join(vals, ",")); err != nil {
				return fmt.Errorf("config file %s: %s: %w", path, key, err)
			}
		}
	}
	return nil
}

func useColor(w io.Writer, noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Version is reported as the SARIF driver version.
var Version = "0.0.0-dev"

// InputRead, when set, is told the size of each input kvet test reads (the
// kvet command sizes its heap limit by the largest).
var InputRead func(size int)
