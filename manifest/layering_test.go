package manifest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDoesNotImportOPA: the loader does not depend on OPA, whose Rego
// view of an object lives with the Rego side (policy/input). go list
// -deps -test covers manifest's files, its tests and all they import.
func TestDoesNotImportOPA(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to list manifest's imports with: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-test", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps -test .: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 || !strings.Contains(string(out), "go.yaml.in/yaml/v3\n") {
		t.Fatalf("go list gave %d packages, without yaml.v3: %.200s", len(deps), out)
	}
	for _, p := range deps {
		if strings.HasPrefix(p, "github.com/open-policy-agent/") {
			t.Errorf("manifest depends on %s: a Rego view belongs in policy/input, not in the loader", p)
		}
	}
}
