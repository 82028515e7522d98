package config

import (
	"github.com/kvetdev/kvet/rule"
)

// A Check is anything that can be turned on and off: a rule, or a
// policy's id.
type Check struct {
	ID string
	// DefaultOn is whether it runs when nothing says otherwise.
	DefaultOn bool
	// Sets are the other names that turn it on or off as a whole (a Go
	// rule's group, the peer linters whose checks it stands for).
	Sets []string
}

func contains(list []string, c Check) bool {
	for _, x := range list {
		if x == c.ID {
			return true
		}
		for _, s := range c.Sets {
			if x == s {
				return true
			}
		}
	}
	return false
}

// On reports whether check c is on for file ("" asks about the run as a
// whole: on for any file).
func (cfg *Config) On(c Check, file string) bool {
	on := c.DefaultOn
	if len(cfg.Only) > 0 {
		on = contains(cfg.Only, c)
	}
	if contains(cfg.Enable, c) {
		on = true
	}
	if contains(cfg.Disable, c) {
		on = false
	}
	for _, o := range cfg.Overrides {
		if file == "" {
			if contains(o.Enable, c) {
				on = true
			}
			continue
		}
		if !cfg.matchAny(o.Files, file) {
			continue
		}
		if contains(o.Enable, c) {
			on = true
		}
		if contains(o.Disable, c) {
			on = false
		}
	}
	if contains(cfg.flagEnable, c) {
		on = true
	}
	if contains(cfg.flagDisable, c) {
		on = false
	}
	return on
}

// SeverityFor returns the severity of a finding of rule id in file.
func (cfg *Config) SeverityFor(id, file string, def rule.Severity) rule.Severity {
	sev := def
	if s, ok := cfg.Severity[id]; ok {
		if v, err := rule.ParseSeverity(s); err == nil {
			sev = v
		}
	}
	for _, o := range cfg.Overrides {
		if s, ok := o.Severity[id]; ok && cfg.matchAny(o.Files, file) {
			if v, err := rule.ParseSeverity(s); err == nil {
				sev = v
			}
		}
	}
	return sev
}

func (cfg *Config) matchAny(globs []string, file string) bool {
	for _, g := range globs {
		if cfg.Match(g, file) {
			return true
		}
	}
	return false
}

// Merge applies command-line --enable and --disable over the file: they
// win over everything the file says, per-path overrides included.
func (cfg *Config) Merge(enable, disable []string) {
	cfg.flagEnable = append(cfg.flagEnable, enable...)
	cfg.flagDisable = append(cfg.flagDisable, disable...)
}
