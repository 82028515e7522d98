package rules

import (
	"strings"

	"github.com/kvetdev/kvet/rule"
)

// KindsText describes what a rule applies to: its kinds, comma separated,
// or "all".
func KindsText(r *rule.Rule) string {
	kinds := "all"
	if len(r.Kinds) > 0 {
		kinds = strings.Join(r.Kinds, ", ")
	}
	switch g := groupOf(r); {
	case r.Off && g != "":
		kinds += " (group " + g + ", off unless enabled)"
	case r.Off:
		kinds += " (off unless enabled)"
	}
	return kinds
}

// MarkdownTable is the README's rule table (between <!-- rules:begin -->
// and <!-- rules:end -->): one row per rule, from the rules themselves.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| rule | severity | applies to | summary |\n|---|---|---|---|\n")
	for _, r := range All() {
		b.WriteString("| `" + r.ID + "` | " + r.Severity.String() + " | " + mdCell(KindsText(r)) + " | " + mdCell(r.Summary()) + " |\n")
	}
	return b.String()
}

// mdCell keeps text inside one table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
