package rules_test

import (
	"os"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/internal/golden"
	"github.com/kvetdev/kvet/rules"
)

const (
	tableBegin = "<!-- rules:begin -->\n"
	tableEnd   = "<!-- rules:end -->"
)

// TestReadmeTable fails when README.md's rule table is not the one the
// rules generate.
func TestReadmeTable(t *testing.T) {
	const path = "../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	before, rest, ok1 := strings.Cut(readme, tableBegin)
	table, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no %q ... %q markers", path, strings.TrimSpace(tableBegin), tableEnd)
	}
	want := rules.MarkdownTable()
	if table == want {
		return
	}
	if golden.Update() {
		if err := os.WriteFile(path, []byte(before+tableBegin+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's rule table is out of date; run go test ./rules -run TestReadmeTable -update\n--- README\n%s--- rules\n%s", table, want)
}

func TestMarkdownTable(t *testing.T) {
	table := rules.MarkdownTable()
	for _, r := range rules.All() {
		if !strings.Contains(table, "| `"+r.ID+"` | ") {
			t.Errorf("table lacks %s", r.ID)
		}
		if r.Summary() == "" {
			t.Errorf("rule %s has no summary (first line of its doc)", r.ID)
		}
	}
	if !strings.Contains(table, "| `job-restart-policy` | error | batch/v1/Job, batch/*/CronJob | ") {
		t.Errorf("unexpected job-restart-policy row:\n%s", table)
	}
}
