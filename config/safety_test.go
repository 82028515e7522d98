package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestFindStopsAtRepositoryRoot: a .kvet.yaml above the repository (the
// folder with .git) is not used.
func TestFindStopsAtRepositoryRoot(t *testing.T) {
	dir := t.TempDir()
	mkdir(t, filepath.Join(dir, "repo", ".git"))
	mkdir(t, filepath.Join(dir, "repo", "a"))
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("policies: [\"/\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Find(filepath.Join(dir, "repo", "a")); got != "" {
		t.Errorf("Find = %q, want none: the file is above the repository", got)
	}
	if got := Find(dir); got != filepath.Join(dir, FileName) {
		t.Errorf("Find outside the repository = %q", got)
	}
	// A worktree's .git is a file.
	mkdir(t, filepath.Join(dir, "wt", "b"))
	if err := os.WriteFile(filepath.Join(dir, "wt", ".git"), []byte("gitdir: ../repo/.git\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Find(filepath.Join(dir, "wt", "b")); got != "" {
		t.Errorf("Find in a worktree = %q", got)
	}
}

// TestPolicyDirsStayInTheRepository: policies: paths are relative to the
// file; the filesystem's root, /proc and folders outside the repository
// are errors at their line.
func TestPolicyDirsStayInTheRepository(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	mkdir(t, filepath.Join(repo, ".git"))
	mkdir(t, filepath.Join(repo, "deploy", "policy"))
	mkdir(t, filepath.Join(dir, "elsewhere"))
	if err := os.Symlink(dir, filepath.Join(repo, "deploy", "up")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(repo, "deploy", FileName)
	c, err := Parse(path, []byte("policies:\n- policy\n- ../../elsewhere\n- /\n- /proc/self\n- up/elsewhere\n- ../deploy/./policy\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PolicyDirs(false)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		path + `:3:3: policies: "../../elsewhere" is outside the repository (` + repo + `)`,
		path + `:4:3: policies: "/" is the filesystem's root`,
		path + `:5:3: policies: "/proc/self" is in /proc, a system folder`,
		path + `:6:3: policies: "up/elsewhere" is outside the repository`,
		"pass --allow-outside-policies",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, `"policy"`) || strings.Contains(msg, "../deploy/./policy") || strings.Count(msg, "\n") != 3 {
		t.Errorf("folders inside the repository refused:\n%s", msg)
	}

	_, err = c.PolicyDirs(true)
	if err == nil || strings.Contains(err.Error(), "outside") || !strings.Contains(err.Error(), `"/" is the filesystem's root`) || !strings.Contains(err.Error(), "/proc") {
		t.Errorf("--allow-outside-policies: %v", err)
	}
	c, err = Parse(path, []byte("policies: [policy, ../deploy/policy]\n"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := c.PolicyDirs(false)
	if err != nil || len(dirs) != 2 || dirs[0] != filepath.Join(repo, "deploy", "policy") {
		t.Errorf("dirs = %q, %v", dirs, err)
	}
}

// TestUnknownRuleIDs: every place of the file that names rules, and the
// flags, refuse an id nothing knows, with its position and the closest id.
func TestUnknownRuleIDs(t *testing.T) {
	k := &Known{IDs: []string{"job-ttl", "image-pinned", "kvet_test.registry/warn", "company-registry"}, Groups: []string{"security", "reliability"}}
	c, err := Parse(".kvet.yaml", []byte("enable: [security, company-registry]\ndisable: [job-tll]\nonly: [image-pinned, reliabiliti]\nseverity:\n  imge-pinned: info\n  kvet_test.registry/warn: error\noverrides:\n- files: [\"x/**\"]\n  enable: [securty]\n  disable: [job-ttl]\n  severity: {company-registri: info}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckIDs(k)
	if err == nil {
		t.Fatal("no error")
	}
	want := strings.Join([]string{
		`.kvet.yaml:2:11: unknown rule "job-tll"; did you mean job-ttl?`,
		`.kvet.yaml:3:22: unknown rule "reliabiliti"; did you mean reliability?`,
		`.kvet.yaml:5:3: unknown rule "imge-pinned"; did you mean image-pinned?`,
		`.kvet.yaml:9:12: unknown rule "securty"; did you mean security?`,
		`.kvet.yaml:11:14: unknown rule "company-registri"; did you mean company-registry?`,
	}, "\n")
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	k.Open = true
	if err := c.CheckIDs(k); err != nil {
		t.Errorf("ids built at run time: %v", err)
	}
	k.Open = false

	c = &Config{}
	c.Merge([]string{"security"}, []string{"job-tll", "zzzz"})
	err = c.CheckIDs(k)
	if err == nil || err.Error() != "--disable: unknown rule \"job-tll\"; did you mean job-ttl?\n--disable: unknown rule \"zzzz\" (kvet rules lists the rules; groups: security, reliability)" {
		t.Errorf("flags: %v", err)
	}
}

// TestLoadRefusesDevicesAndHugeFiles: a .kvet.yaml linked to /dev/zero, or
// a FIFO, is refused without being read; so is one over MaxSize.
func TestLoadRefusesDevicesAndHugeFiles(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero", FileName)
	mkdir(t, filepath.Dir(zero))
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if Find(filepath.Dir(zero)) != zero {
		t.Fatal("Find does not see the link")
	}
	if _, err := Load(zero); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/zero: %v", err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load blocks on a FIFO")
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("exclude: []\n"+strings.Repeat("# padding\n", MaxSize/10+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big: %v", err)
	}
}

// TestLoadFoundRefusesLinksOutOfTheRepository: a .kvet.yaml that links out
// of its repository (to /proc/self/environ) is not read.
func TestLoadFoundRefusesLinksOutOfTheRepository(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	mkdir(t, filepath.Join(repo, ".git"))
	if err := os.Symlink("/proc/self/environ", filepath.Join(repo, FileName)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFound(Find(repo)); err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Errorf("err = %v", err)
	}
	if err := os.WriteFile(filepath.Join(repo, "real.yaml"), []byte("failOn: warning\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(repo, FileName)); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.yaml", filepath.Join(repo, FileName)); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadFound(Find(repo)); err != nil || c.FailOn != "warning" {
		t.Errorf("link inside: %v", err)
	}
}
