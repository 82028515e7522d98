package rules_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

// want is one expectation: a finding of rule on line, whose message
// matches re (when given).
type want struct {
	line int
	rule string
	re   *regexp.Regexp
	raw  string
}

var (
	wantComment = regexp.MustCompile(`#\s*want:\s*(.*)$`)
	wantItem    = regexp.MustCompile(`([a-z0-9][a-z0-9/_.-]*)(?:\s+"((?:[^"\\]|\\.)*)")?`)
)

// parseWants reads "# want: rule-id" and `# want: rule-id "regexp"`
// comments (several per line allowed, comma separated).
func parseWants(t *testing.T, path string) []want {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []want
	for i, line := range strings.Split(string(data), "\n") {
		m := wantComment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, item := range wantItem.FindAllStringSubmatch(m[1], -1) {
			w := want{line: i + 1, rule: item[1], raw: item[0]}
			if item[2] != "" {
				re, err := regexp.Compile(strings.ReplaceAll(item[2], `\"`, `"`))
				if err != nil {
					t.Fatalf("%s:%d: bad regexp in want: %v", path, i+1, err)
				}
				w.re = re
			}
			out = append(out, w)
		}
	}
	return out
}

// TestRules runs every rule on every file under testdata/<rule-id>/ and
// compares the findings with the files' "# want" comments: a finding
// without a want, or a want without a finding, fails.
func TestRules(t *testing.T) {
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{}
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "fuzz" { // fuzz: go test's corpus of crashers
			continue
		}
		files, _ := filepath.Glob(filepath.Join("testdata", d.Name(), "*.yaml"))
		for _, f := range files {
			t.Run(d.Name()+"/"+filepath.Base(f), func(t *testing.T) {
				got := lintFile(t, f)
				wants := parseWants(t, f)
				checkWants(t, f, got, wants)
				for _, w := range wants {
					tested[w.rule] = true
				}
			})
		}
		if rules.Lookup(d.Name()) == nil {
			t.Errorf("testdata/%s: no rule with that id", d.Name())
		}
	}
	for _, r := range rules.All() {
		if r.Group != "" {
			continue // a bundled Rego policy: its tests are Rego (kvet verify --bundled)
		}
		if why, ok := noFiringCase[r.ID]; ok {
			if why == "" {
				t.Errorf("%s: exempt without a reason", r.ID)
			}
			continue
		}
		if !tested[r.ID] {
			t.Errorf("rule %s has no firing case in testdata (a file with # want: %s)", r.ID, r.ID)
		}
	}
}

var kubeVersionHeader = regexp.MustCompile(`(?m)^# kube-version: (\S+)$`)

// lintFile runs every rule on one file. A "# kube-version: 1.NN" line sets
// the target version (default: the newest).
// noFiringCase lists the rules no manifest can make fire, and why.
var noFiringCase = map[string]string{
	"api-validation": "reports under the api-* ids, never its own",
	"api-internal":   "only when the embedded validation code fails; see TestAPIRuleForErrorType and validate/apiserver's panic tests",
	"internal-error": "only when a rule crashes or a policy fails; see validate's TestPanickingRuleBecomesInternalError and cmd/kvet/policy_test.go",
}

func lintFile(t *testing.T, path string) []rule.Finding {
	t.Helper()
	res := manifest.Load([]string{path}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	settings := rule.Settings{KubeVersion: kubeversion.Latest()}
	if m := kubeVersionHeader.FindSubmatch(res.Sources[0].Data); m != nil {
		v, err := kubeversion.Parse(string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		settings.KubeVersion = v
	}
	return validate.Run(context.Background(), res, validate.Options{Rules: rules.All(), Settings: settings})
}

func checkWants(t *testing.T, file string, got []rule.Finding, wants []want) {
	t.Helper()
	used := make([]bool, len(wants))
	for _, f := range got {
		matched := false
		for i, w := range wants {
			if used[i] || w.line != f.Line || w.rule != f.Rule {
				continue
			}
			if w.re != nil && !w.re.MatchString(f.Message) {
				continue
			}
			used[i], matched = true, true
			break
		}
		if !matched {
			t.Errorf("%s:%d:%d: unexpected finding %s: %s", file, f.Line, f.Column, f.Rule, f.Message)
		}
	}
	for i, w := range wants {
		if !used[i] {
			t.Errorf("%s:%d: expected a finding %s, got none%s", file, w.line, w.raw, otherFindings(got, w.line))
		}
	}
}

func otherFindings(got []rule.Finding, line int) string {
	var s []string
	for _, f := range got {
		if f.Line == line {
			s = append(s, fmt.Sprintf("%s: %s", f.Rule, f.Message))
		}
	}
	if len(s) == 0 {
		return ""
	}
	return " (on that line: " + strings.Join(s, "; ") + ")"
}
