package rules_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kvetdev/kvet/config"
	"github.com/kvetdev/kvet/internal/golden"
	"github.com/kvetdev/kvet/rules"
)

// TestPeerChecksNameRules fails when the peer table names a rule kvet
// does not have (the Pod Security Standards rule may come later).
func TestPeerChecksNameRules(t *testing.T) {
	seen := map[string]bool{}
	for _, pc := range rules.PeerChecks {
		key := pc.Peer + "/" + pc.Check
		if seen[key] {
			t.Errorf("%s is in the table twice", key)
		}
		seen[key] = true
		if len(pc.Rules) == 0 && pc.Note == "" {
			t.Errorf("%s maps to no rule and says not why", key)
		}
		for _, id := range pc.Rules {
			if rules.Lookup(id) == nil && id != rules.PodSecurityRule {
				t.Errorf("%s maps to %q, which is no rule", key, id)
			}
		}
	}
}

// TestPeerSets checks that --enable <peer> turns on exactly the rules of
// that peer's default checks, and that a group turns on its Go rules.
func TestPeerSets(t *testing.T) {
	on := func(set string) []string {
		cfg := &config.Config{}
		cfg.Merge([]string{set}, nil)
		var ids []string
		for _, r := range rules.All() {
			if !r.DefaultOn() && cfg.On(config.Check{ID: r.ID, DefaultOn: r.DefaultOn(), Sets: r.Sets}, "") {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	ks := on(rules.KubeScore)
	for _, id := range []string{"pdb-missing", "network-policy-missing", "container-cpu-limit", "probes-identical", "container-resources", "workload-probes"} {
		if !slices.Contains(ks, id) {
			t.Errorf("--enable kube-score does not turn on %s (on: %v)", id, ks)
		}
	}
	if slices.Contains(ks, "rbac-wildcard") {
		t.Errorf("--enable kube-score turns on rbac-wildcard, which no kube-score check maps to")
	}
	kl := on(rules.KubeLinter)
	for _, id := range []string{"pdb-missing", "rbac-wildcard", "rolling-update"} {
		if slices.Contains(kl, id) {
			t.Errorf("--enable kube-linter turns on %s, which maps only to checks kube-linter does not run by default", id)
		}
	}
	if !slices.Contains(kl, "docker-socket") || !slices.Contains(kl, "read-only-root-filesystem") {
		t.Errorf("--enable kube-linter misses its defaults: %v", kl)
	}
	rbac := on("rbac")
	if !slices.Equal(rbac, []string{"rbac-cluster-admin", "rbac-create-pods", "rbac-pod-exec", "rbac-secrets-access", "rbac-wildcard"}) {
		t.Errorf("--enable rbac: %v", rbac)
	}
}

// TestReadmePeerTable fails when README.md's peer table is not the one
// rules.PeerChecks generates.
func TestReadmePeerTable(t *testing.T) {
	const path, begin, end = "../README.md", "<!-- peers:begin -->\n", "<!-- peers:end -->"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(data), begin)
	table, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no %q ... %q markers", path, strings.TrimSpace(begin), end)
	}
	want := rules.PeerTable()
	if table == want {
		return
	}
	if golden.Update() {
		if err := os.WriteFile(path, []byte(before+begin+want+end+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's peer table is out of date; run go test ./rules -run TestReadmePeerTable -update")
}
