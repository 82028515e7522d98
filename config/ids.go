package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kvetdev/kvet/manifest"
)

// Known is what rule ids and group names a run knows: built-in rules and
// their groups and sets, ids the engine emits, and the ids of
// the user's own policies (known once they are loaded).
type Known struct {
	IDs    []string
	Groups []string
	// Open is set when a user policy builds its ids at run time (an id
	// that is not a constant): an id that no rule declares may be one of
	// those, so it is not an error.
	Open bool
}

func (k *Known) has(id string) bool {
	for _, list := range [][]string{k.IDs, k.Groups} {
		for _, x := range list {
			if x == id {
				return true
			}
		}
	}
	return false
}

// unknown is the message for an id that is not known, with the closest
// known id or group.
func (k *Known) unknown(id string) string {
	msg := fmt.Sprintf("unknown rule %q", id)
	cands := append(append([]string(nil), k.IDs...), k.Groups...)
	if s := manifest.Suggest(id, cands); s != "" {
		return msg + "; did you mean " + s + "?"
	}
	return msg + " (kvet rules lists the rules; groups: " + strings.Join(k.Groups, ", ") + ")"
}

// CheckIDs reports every rule id or group that the file (enable, disable,
// only, severity, overrides) or the command line (--enable, --disable)
// names and k does not know: a misspelt id would silently do nothing. The
// file's are a *Error with each one's line and column.
func (c *Config) CheckIDs(k *Known) error {
	var probs []manifest.Problem
	var src *manifest.Source
	if c.src != nil {
		src = c.src
	} else {
		src = &manifest.Source{Path: c.Path}
	}
	check := func(path manifest.Path, id string, key bool) {
		if k.has(id) || k.Open {
			return
		}
		pos := manifest.Position{Line: 1, Column: 1}
		if c.src != nil {
			if loc, ok := locatePath(src, path); ok && loc.Exact {
				pos = loc.Value
				if key {
					pos = loc.Key
				}
			}
		}
		probs = append(probs, manifest.Problem{Code: "config", Source: src, Pos: pos, Path: path, Message: k.unknown(id)})
	}
	list := func(prefix manifest.Path, ids []string) {
		for i, id := range ids {
			check(prefix.Item(i), id, false)
		}
	}
	sev := func(prefix manifest.Path, m map[string]string) {
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			check(prefix.Field("severity").Field(id), id, true)
		}
	}
	root := manifest.Path{}
	list(root.Field("enable"), c.Enable)
	list(root.Field("disable"), c.Disable)
	list(root.Field("only"), c.Only)
	sev(root, c.Severity)
	for i, o := range c.Overrides {
		p := root.Field("overrides").Item(i)
		list(p.Field("enable"), o.Enable)
		list(p.Field("disable"), o.Disable)
		sev(p, o.Severity)
	}
	var flagErrs []string
	for _, f := range []struct {
		name string
		ids  []string
	}{{"--enable", c.flagEnable}, {"--disable", c.flagDisable}} {
		for _, id := range f.ids {
			if !k.has(id) && !k.Open {
				flagErrs = append(flagErrs, f.name+": "+k.unknown(id))
			}
		}
	}
	if len(flagErrs) > 0 {
		return &FlagError{Messages: flagErrs}
	}
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool { return probs[i].Pos.Line < probs[j].Pos.Line })
		return &Error{Problems: probs}
	}
	return nil
}

// FlagError is a command-line flag naming an unknown rule.
type FlagError struct{ Messages []string }

func (e *FlagError) Error() string { return strings.Join(e.Messages, "\n") }
