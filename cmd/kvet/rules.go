package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	flag "github.com/spf13/pflag"

	"github.com/kvetdev/kvet/internal/flagparse"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
)

// ruleInfo is one rule in `kvet rules -o json`.
type ruleInfo struct {
	ID       string        `json:"id"`
	Severity rule.Severity `json:"severity"`
	Kinds    []string      `json:"kinds"`
	Summary  string        `json:"summary"`
}

// runRules lists every rule: an aligned table, or a JSON array.
func runRules(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kvet rules", flag.ContinueOnError)
	output := fs.StringP("output", "o", "text", "output format: text or json")
	rulesUsage := func(w io.Writer) {
		_, _ = fmt.Fprintf(w, "Usage: kvet rules [-o text|json]\n\nLists every rule: id, severity, kinds and summary.\n\nFlags:\n%s", fs.FlagUsages())
	}
	if code, done := flagparse.Parse(fs, args, rulesUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		_, _ = fmt.Fprintf(stderr, "kvet rules: unexpected argument %s; kvet explain %s shows one rule\n", quote(fs.Arg(0)), fs.Arg(0))
		return exitUsage
	}
	all := rules.All()
	switch *output {
	case "json":
		out := make([]ruleInfo, 0, len(all))
		for _, r := range all {
			kinds := r.Kinds
			if kinds == nil {
				kinds = []string{}
			}
			out = append(out, ruleInfo{ID: r.ID, Severity: r.Severity, Kinds: kinds, Summary: r.Summary()})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			_, _ = fmt.Fprintf(stderr, "kvet rules: %v\n", err)
			return exitUsage
		}
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		_, _ = fmt.Fprintln(tw, "RULE\tSEVERITY\tAPPLIES TO\tSUMMARY")
		for _, r := range all {
			_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, rules.KindsText(r), r.Summary())
		}
		if err := tw.Flush(); err != nil {
			_, _ = fmt.Fprintf(stderr, "kvet rules: %v\n", err)
			return exitUsage
		}
	default:
		_, _ = fmt.Fprintf(stderr, "kvet rules: unknown output format %s: want text or json\n", quote(*output))
		return exitUsage
	}
	return exitOK
}

// runExplain prints one rule's documentation (markdown) under a header
// line with its id, severity and kinds.
func runExplain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		_, _ = io.WriteString(stdout, "Usage: kvet explain RULE-ID\n\nPrints a rule's documentation; kvet rules lists the rules.\n")
		return exitOK
	}
	if len(args) != 1 {
		_, _ = io.WriteString(stderr, "Usage: kvet explain RULE-ID (kvet rules lists them)\n")
		return exitUsage
	}
	id := args[0]
	r := rules.Lookup(id)
	if r == nil {
		msg := "kvet explain: unknown rule " + quote(id) + "; kvet rules lists them"
		if s := closestRule(id); s != "" {
			msg += "\ndid you mean " + quote(s) + "?"
		}
		_, _ = io.WriteString(stderr, msg+"\n")
		return exitUsage
	}
	_, _ = fmt.Fprintf(stdout, "# %s (%s; applies to %s)\n\n%s\n", r.ID, r.Severity, rules.KindsText(r), strings.TrimSpace(r.Doc))
	return exitOK
}

// closestRule returns the rule id closest to id (a typo, or a part of an
// id such as "restart-policy"), or "" when none is close enough.
func closestRule(id string) string {
	id = strings.ToLower(id)
	ids := make([]string, 0, len(rules.All()))
	for _, r := range rules.All() {
		ids = append(ids, r.ID)
	}
	best := manifest.Suggest(id, ids)
	if best != "" || len(id) < 4 {
		return best
	}
	for _, r := range ids {
		if strings.Contains(r, id) && (best == "" || len(r) < len(best)) {
			best = r
		}
	}
	return best
}
