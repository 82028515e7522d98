package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kvetdev/kvet/config"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// policyDirs returns the configuration's policy folders (which may not
// leave its repository unless allowOutside) followed by the -p folders.
func policyDirs(cfg *config.Config, allowOutside bool, flagDirs []string) ([]string, error) {
	dirs, err := cfg.PolicyDirs(allowOutside)
	if err != nil {
		return nil, err
	}
	return append(dirs, flagDirs...), nil
}

// securityGroup is the retired Rego group "security", still a name
// --enable and the configuration accept: it makes restricted the default
// Pod Security level (rules.DefaultPodSecurity).
var securityGroup = config.Check{ID: "group:" + rules.SecurityGroup, Sets: []string{rules.SecurityGroup}}

// checkRuleIDs refuses rule ids and groups, in the configuration and in
// --enable/--disable, that no rule, policy group or loaded policy has.
func checkRuleIDs(cfg *config.Config, pols *validate.Policies) error {
	k := &config.Known{IDs: []string{rule.InternalError, rule.UnusedIgnore}, Groups: []string{rules.SecurityGroup}}
	for _, r := range rules.All() {
		k.IDs = append(k.IDs, r.ID)
		for _, s := range r.Sets {
			if !slices.Contains(k.Groups, s) {
				k.Groups = append(k.Groups, s)
			}
		}
	}
	ids, open := pols.UserIDs()
	k.IDs = append(k.IDs, ids...)
	k.Open = open
	err := cfg.CheckIDs(k)
	if cerr := (*config.Error)(nil); errors.As(err, &cerr) {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	if ferr := (*config.FlagError)(nil); errors.As(err, &ferr) {
		return errors.New(strings.Join(ferr.Messages, "\nkvet: "))
	}
	return err
}

// showConfig prints which configuration file the run uses (--show-config),
// its repository root and its policy folders.
func showConfig(w io.Writer, cfg *config.Config, dirs []string) {
	if cfg.Path == "" {
		_, _ = fmt.Fprintf(w, "config: none (no %s in this folder or its parents up to the repository's root; defaults)\n", config.FileName)
	} else {
		_, _ = fmt.Fprintf(w, "config: %s\nroot: %s\n", cfg.Path, cfg.Root())
	}
	for _, d := range dirs {
		_, _ = fmt.Fprintf(w, "policies: %s\n", d)
	}
}
