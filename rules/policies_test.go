package rules_test

import (
	"io/fs"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/kvetdev/kvet/policies"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
)

// TestBundledPolicyResultsMatchMetadata: the id and severity a bundled
// policy writes in each deny/warn/violation result are those of its
// METADATA (custom.id, custom.severity), which the rule registry, kvet
// explain and the README's table show. A result without an id would be
// reported as <package>/deny; one whose severity disagrees would differ
// from what kvet explain says. (validate's TestFixtures checks the
// findings of a run too.)
func TestBundledPolicyResultsMatchMetadata(t *testing.T) {
	list, err := policies.List()
	if err != nil {
		t.Fatal(err)
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
