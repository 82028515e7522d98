package rules_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/policies"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// TestExamplePoliciesMatchRules: each example Rego policy of ../policies
// stands for the Go rule of its METADATA id: same severity and group, and
// the id and severity it writes in each deny/warn/violation result are
// those of its METADATA.
func TestExamplePoliciesMatchRules(t *testing.T) {
	list, err := policies.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("no example policies in ../policies")
	}
	for _, p := range list {
		r := rules.Lookup(p.ID)
		if r == nil {
			t.Errorf("%s: METADATA id %s is not a registered rule", p.File, p.ID)
			continue
		}
		metaSev, err := rule.ParsePolicySeverity(p.Severity)
		if err != nil || metaSev != r.Severity {
			t.Errorf("%s: METADATA severity %q (%v): rule %s has %s", p.File, p.Severity, err, r.ID, r.Severity)
		}
		if !slices.Contains(r.Sets, p.Group) || !r.Off {
			t.Errorf("%s: METADATA group %q: rule %s is in %v (off: %v)", p.File, p.Group, r.ID, r.Sets, r.Off)
		}
		src, err := fs.ReadFile(policies.FS, p.File)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ast.ParseModuleWithOpts(p.File, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		results := 0
		for _, ru := range m.Rules {
			name := ru.Head.Name.String()
			if len(ru.Head.Reference) > 0 {
				name = ru.Head.Reference[0].String()
			}
			if name != "deny" && name != "warn" && name != "violation" {
				continue
			}
			results++
			loc := ru.Location.String()
			var obj ast.Object
			if ru.Head.Key != nil {
				obj, _ = ru.Head.Key.Value.(ast.Object)
			}
			if obj == nil {
				t.Errorf("%s: a %s result that is not an object literal cannot carry the policy's id", loc, name)
				continue
			}
			for _, field := range []string{"id", "severity"} {
				var s ast.String
				isStr := false
				if v := obj.Get(ast.StringTerm(field)); v != nil {
					s, isStr = v.Value.(ast.String)
				}
				if !isStr {
					t.Errorf("%s: the result has no %q string; write %q, as the METADATA says", loc, field, map[string]string{"id": p.ID, "severity": p.Severity}[field])
					continue
				}
				switch field {
				case "id":
					if string(s) != p.ID {
						t.Errorf("%s: result id %q, METADATA id %q", loc, string(s), p.ID)
					}
				case "severity":
					if sev, err := rule.ParsePolicySeverity(string(s)); err != nil || sev != metaSev {
						t.Errorf("%s: result severity %q (%v), METADATA severity %q", loc, string(s), err, p.Severity)
					}
				}
			}
		}
		if results == 0 {
			t.Errorf("%s: no deny, warn or violation rule found", p.File)
		}
	}
}

// TestRegoExamplesAgree holds each Go rule that was a bundled Rego
// policy (container-resources, workload-probes, cronjob-history-limits,
// job-limits) to its Rego twin in ../policies, run as a user's policy
// folder: on the rules' testdata and on ../shared/corpus both report the
// same findings (file, line, column, rule, severity, message, help: the
// policy's METADATA custom.help). One difference is
// deliberate: the Rego matches objects by kind alone, so it also reports
// custom resources named like a workload kind (OpenKruise's
// apps.kruise.io StatefulSet and DaemonSet), whose fields are not the
// Kubernetes API's; the Go rules check the API's kinds only.
func TestRegoExamplesAgree(t *testing.T) {
	list, err := policies.List()
	if err != nil {
		t.Fatal(err)
	}
	var goRules []*rule.Rule
	help := map[string]string{}
	for _, p := range list {
		goRules = append(goRules, rules.Lookup(p.ID))
		help[p.ID] = p.Help
	}
	pols, err := validate.LoadPolicies(context.Background(), validate.PolicyOptions{Dirs: []string{"../policies"}})
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string][]string{"testdata": {"../testdata/e2e/reliability.yaml"}}
	for _, p := range list {
		sets["testdata"] = append(sets["testdata"], "testdata/"+p.ID)
	}
	const corpus = "../../shared/corpus"
	switch _, err := os.Stat(corpus); {
	case testing.Short():
		t.Log("-short: not comparing on the corpus")
	case err != nil:
		t.Logf("corpus not found at %s (a user's clone has no ../shared): comparing on the testdata only", corpus)
	default:
		sets["corpus"] = []string{corpus}
	}
	for name, paths := range sets {
		t.Run(name, func(t *testing.T) {
			key := func(f rule.Finding) string {
				return fmt.Sprintf("%s:%d:%d: %s[%s] %s (help: %s)", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message, f.Help)
			}
			customResource := map[string]bool{}
			findings := func(opts validate.Options) map[string]int {
				opts.Workers = 2
				out := validate.Lint(context.Background(), paths, manifest.Options{}, opts)
				got := map[string]int{}
				for _, f := range out.Findings {
					if _, ok := help[f.Rule]; !ok {
						continue
					}
					got[key(f)]++
					if group, _, ok := strings.Cut(f.Object.APIVersion, "/"); ok && !builtinGroups[group] {
						customResource[key(f)] = true
					}
					if f.Help != help[f.Rule] {
						t.Errorf("%s: help %q, the policy's METADATA says %q", key(f), f.Help, help[f.Rule])
					}
				}
				return got
			}
			fromGo := findings(validate.Options{Rules: goRules})
			fromRego := findings(validate.Options{Policies: pols})
			if len(fromGo) == 0 {
				t.Fatal("no finding: nothing was compared")
			}
			for k, n := range fromRego {
				if customResource[k] && fromGo[k] == 0 {
					continue
				}
				if fromGo[k] != n {
					t.Errorf("Rego, not Go (%d, %d): %s", n, fromGo[k], k)
				}
			}
			for k, n := range fromGo {
				if fromRego[k] != n {
					t.Errorf("Go, not Rego (%d, %d): %s", n, fromRego[k], k)
				}
			}
			t.Logf("%d findings agree; %d of the Rego's are on custom resources", len(fromGo), len(customResource))
		})
	}
}

// builtinGroups are the API groups of the kinds the Rego policies match
// by name (the core group is an apiVersion without a group).
var builtinGroups = map[string]bool{"apps": true, "batch": true, "extensions": true}
