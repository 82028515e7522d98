package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionText: the tag, the commit (stamped by the release, or git's
// from the build info) and the Kubernetes versions.
func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-11-27T18:00:00Z"}, {Key: "vcs.modified", Value: "true"}},
		Deps:     []*debug.Module{{Path: "k8s.io/kubernetes", Version: "v1.37.2"}},
	}
	got := versionText("dev", "", "", bi)
	for _, want := range []string{
		"kvet dev\n",
		"commit:     abc123 (modified), 2026-11-27T18:00:00Z\n",
		"kubernetes: 1.37 (API server validation of k8s.io/kubernetes v1.37.2; --kube-version 1.16 to 1.37)\n",
		"go:         go",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("version text lacks %q:\n%s", want, got)
		}
	}
	// A release's stamped commit and date win over the build info's.
	got = versionText("v1.2.3", "def456", "2026-12-01T00:00:00Z", bi)
	if !strings.HasPrefix(got, "kvet v1.2.3\ncommit:     def456 (modified), 2026-12-01T00:00:00Z\n") {
		t.Errorf("stamped version:\n%s", got)
	}
	if got := versionText("v0.0.1-snapshot", "none", "0001-01-01T00:00:00Z", bi); !strings.Contains(got, "commit:     abc123 (modified), 2026-11-27T18:00:00Z\n") {
		t.Errorf("a snapshot's placeholder stamps:\n%s", got)
	}
	if got := versionText("dev", "", "", nil); !strings.Contains(got, "commit:     unknown") || !strings.Contains(got, "kubernetes: 1.37 (--kube-version") {
		t.Errorf("without build info:\n%s", got)
	}
}

// TestVersionOfTheBinary: the test binary of kvet is built from this
// checkout, so it names the k8s.io/kubernetes module compiled in.
func TestVersionOfTheBinary(t *testing.T) {
	r := kvet(t, "", "version")
	if r.code != 0 || !strings.Contains(r.stdout, "API server validation of k8s.io/kubernetes v1.37.2") {
		t.Errorf("kvet version: exit %d\n%s", r.code, r.stdout)
	}
}
