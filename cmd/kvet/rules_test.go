package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRulesCommand(t *testing.T) {
	r := kvet(t, "", "rules", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var list []struct {
		ID       string   `json:"id"`
		Severity string   `json:"severity"`
		Kinds    []string `json:"kinds"`
		Summary  string   `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	found := false
	for _, ru := range list {
		if ru.ID == "" || ru.Summary == "" || ru.Kinds == nil {
			t.Errorf("incomplete rule: %+v", ru)
		}
		if ru.ID == "job-restart-policy" {
			found = true
			if ru.Severity != "error" || len(ru.Kinds) == 0 {
				t.Errorf("job-restart-policy: %+v", ru)
			}
		}
	}
	if !found {
		t.Error("job-restart-policy not listed")
	}

	r = kvet(t, "", "rules")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != len(list)+1 || !strings.HasPrefix(lines[0], "RULE ") {
		t.Fatalf("text table: exit %d\n%s", r.code, r.stdout)
	}
	// Aligned: the severity column starts at the same offset on every line.
	col := strings.Index(lines[0], "SEVERITY")
	for _, l := range lines[1:] {
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("not aligned at column %d: %q", col, l)
		}
	}

	if r := kvet(t, "", "rules", "-o", "yaml"); r.code != 2 || !strings.Contains(r.stderr, "unknown output format") {
		t.Errorf("rules -o yaml: exit %d %q", r.code, r.stderr)
	}
}

func TestExplain(t *testing.T) {
	r := kvet(t, "", "explain", "job-restart-policy")
	if r.code != 0 || !strings.Contains(r.stdout, "## Why is this bad?") ||
		!strings.HasPrefix(r.stdout, "# job-restart-policy (error; applies to batch/v1/Job, batch/*/CronJob)\n") {
		t.Errorf("explain: exit %d\n%s", r.code, r.stdout)
	}
	for _, c := range []struct {
		id, stderr string
	}{
		{"no-such-rule", `kvet explain: unknown rule "no-such-rule"; kvet rules lists them` + "\n"},
		{"job-restart-polcy", `did you mean "job-restart-policy"?`},
		{"restart-policy", `did you mean "job-restart-policy"?`},
		{"Duplicate-Key", `did you mean "duplicate-key"?`},
	} {
		r := kvet(t, "", "explain", c.id)
		if r.code != 2 || !strings.Contains(r.stderr, c.stderr) || r.stdout != "" {
			t.Errorf("explain %s: exit %d, stderr %q; want exit 2 and %q", c.id, r.code, r.stderr, c.stderr)
		}
	}
	if r := kvet(t, "", "explain"); r.code != 2 {
		t.Errorf("explain without id: exit %d", r.code)
	}
}
