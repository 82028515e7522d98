package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitEnv makes commits work on a machine without a git identity and keeps
// the user's and the system's git configuration out of the tests.
var gitEnv = []string{
	"GIT_AUTHOR_NAME=kvet test", "GIT_AUTHOR_EMAIL=test@kvet.invalid",
	"GIT_COMMITTER_NAME=kvet test", "GIT_COMMITTER_EMAIL=test@kvet.invalid",
	"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
}

// runIn runs a command in dir and returns its combined output and exit code.
func runIn(ctx context.Context, t *testing.T, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), gitEnv...), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out), 0
}

func mustRun(ctx context.Context, t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	out, code := runIn(ctx, t, dir, nil, name, args...)
	if code != 0 {
		t.Fatalf("%s %v: exit %d\n%s", name, args, code, out)
	}
	return out
}

// snapshotRepo commits the checkout's working tree as it is on disk (tracked
// files with their uncommitted changes, and new files git does not ignore)
// into a new git repository, and returns its path and commit. pre-commit
// fetches a hook repository at a commit, so this is how the hook of the
// working tree, not of the last commit, gets tested.
func snapshotRepo(ctx context.Context, t *testing.T, root string) (dir, sha string) {
	t.Helper()
	dir = t.TempDir()
	list := mustRun(ctx, t, root, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(strings.TrimSuffix(list, "\x00"), "\x00") {
		src, dst := filepath.Join(root, name), filepath.Join(dir, name)
		info, err := os.Lstat(src)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		} else if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, dst); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(ctx, t, dir, "git", "init", "-q")
	mustRun(ctx, t, dir, "git", "add", "-A")
	mustRun(ctx, t, dir, "git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "snapshot of the kvet working tree")
	return dir, strings.TrimSpace(mustRun(ctx, t, dir, "git", "rev-parse", "HEAD"))
}

const badJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  ttlSecondsAfterFinished: 600
  template:
    spec:
      restartPolicy: Always
      containers:
      - name: migrate
        image: busybox:1.36
`

// TestPreCommitHook uses .pre-commit-hooks.yaml as a user's repository
// would: pre-commit builds kvet with `go install ./...` (language: golang)
// and runs it on the repository's manifests.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the pre-commit hook test builds kvet in pre-commit's own environment")
	}
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("pre-commit is not on PATH (apt-get install pre-commit, or pip install pre-commit): skipping the hook's end-to-end test")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH: skipping the pre-commit hook test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	hookRepo, sha := snapshotRepo(ctx, t, root)

	work := t.TempDir()
	mustRun(ctx, t, work, "git", "init", "-q")
	write := func(name, data string) {
		t.Helper()
		path := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		mustRun(ctx, t, work, "git", "add", name)
	}
	write(".pre-commit-config.yaml", "repos:\n- repo: "+hookRepo+"\n  rev: "+sha+"\n  hooks:\n  - id: kvet\n")
	write("deploy/job.yaml", badJob)
	write("README.md", "not a manifest\n")

	// pre-commit builds the hook with GOPATH set to its own folder; the
	// module cache stays the machine's, so nothing is downloaded again.
	modCache := strings.TrimSpace(mustRun(ctx, t, root, "go", "env", "GOMODCACHE"))
	home := t.TempDir()
	env := []string{"PRE_COMMIT_HOME=" + home, "GOMODCACHE=" + modCache, "NO_COLOR=1"}
	preCommitRun := func() (string, int) {
		t.Helper()
		start := time.Now()
		out, code := runIn(ctx, t, work, env, preCommit, "run", "--all-files", "--color", "never")
		if ctx.Err() != nil {
			t.Fatalf("pre-commit run timed out:\n%s", out)
		}
		t.Logf("pre-commit run: exit %d in %v", code, time.Since(start).Round(time.Millisecond))
		return out, code
	}

	out, code := preCommitRun()
	if code == 0 {
		t.Fatalf("pre-commit passed a Job with restartPolicy: Always:\n%s", out)
	}
	for _, want := range []string{"kvet", "Failed", "error[job-restart-policy]", "deploy/job.yaml:9:22"} {
		if !strings.Contains(out, want) {
			t.Errorf("pre-commit output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, ".pre-commit-config.yaml") && strings.Contains(out, "invalid-object") {
		t.Errorf("the hook linted pre-commit's own config:\n%s", out)
	}
	// `go install ./...` in the hook repository installed cmd/kvet as kvet.
	bins, _ := filepath.Glob(filepath.Join(home, "*", "golangenv-*", "bin", "kvet"))
	if len(bins) != 1 {
		t.Fatalf("pre-commit's golang environment has no bin/kvet (found %v)", bins)
	}
	t.Logf("pre-commit output on the bad manifest:\n%s", out)

	// Adopting kvet: a baseline of today's findings (a hidden file, which
	// the hook does not take for a manifest), passed with args.
	cmd := exec.CommandContext(ctx, bins[0], "baseline", "deploy")
	cmd.Dir = work
	baseline, err := cmd.Output()
	if err != nil {
		t.Fatalf("kvet baseline: %v", err)
	}
	write(".kvet-baseline.json", string(baseline))
	write(".pre-commit-config.yaml", "repos:\n- repo: "+hookRepo+"\n  rev: "+sha+"\n  hooks:\n  - id: kvet\n    args: [--baseline, .kvet-baseline.json]\n")
	out, code = preCommitRun()
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Errorf("pre-commit with the baseline failed on the baselined Job: exit %d\n%s", code, out)
	}
	write("deploy/other.yaml", strings.Replace(badJob, "name: migrate\n", "name: other\n", 1))
	out, code = preCommitRun()
	if code == 0 || !strings.Contains(out, "deploy/other.yaml:9:22") || strings.Contains(out, "deploy/job.yaml:9:22") {
		t.Errorf("pre-commit with the baseline: exit %d, want a failure on the new Job only\n%s", code, out)
	}
	mustRun(ctx, t, work, "git", "rm", "-q", "-f", "deploy/other.yaml")

	// kvet-system: the kvet on PATH (here the one pre-commit built), not
	// built again.
	write(".pre-commit-config.yaml", "repos:\n- repo: "+hookRepo+"\n  rev: "+sha+"\n  hooks:\n  - id: kvet-system\n")
	env = append(env, "PATH="+filepath.Dir(bins[0])+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, code = preCommitRun()
	if code == 0 || !strings.Contains(out, "deploy/job.yaml:9:22") {
		t.Errorf("kvet-system hook: exit %d, want the Job's error\n%s", code, out)
	}
	env = env[:len(env)-1]
	write(".pre-commit-config.yaml", "repos:\n- repo: "+hookRepo+"\n  rev: "+sha+"\n  hooks:\n  - id: kvet\n    args: [--baseline, .kvet-baseline.json]\n")

	write("deploy/job.yaml", strings.Replace(badJob, "restartPolicy: Always", "restartPolicy: Never", 1))
	// A Helm chart: its Chart.yaml, values and templates are not
	// manifests; it is rendered and passes.
	write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n")
	write("charts/web/values.yaml", "image: nginx:1.27.0\npullPolicy: IfNotPresent\n")
	write("charts/web/templates/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  containers:\n    - name: web\n      image: {{ .Values.image }}\n      imagePullPolicy: {{ .Values.pullPolicy }}\n")
	out, code = preCommitRun()
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Errorf("pre-commit failed on a fixed manifest and a good chart: exit %d\n%s", code, out)
	}
	mustRun(ctx, t, work, "git", "commit", "-q", "-m", "chart")

	// A commit that changes only the values file re-renders the chart,
	// and the finding is at the values file's line.
	write("charts/web/values.yaml", "image: nginx:1.27.0\npullPolicy: Sometimes\n")
	start := time.Now()
	out, code = runIn(ctx, t, work, env, preCommit, "run", "--color", "never")
	t.Logf("pre-commit run (staged values.yaml): exit %d in %v", code, time.Since(start).Round(time.Millisecond))
	if code == 0 || !strings.Contains(out, "charts/web/values.yaml:2:13") || !strings.Contains(out, "error[api-not-supported]") {
		t.Errorf("a staged values file did not re-render its chart: exit %d\n%s", code, out)
	}
	write("charts/web/values.yaml", "image: nginx:1.27.0\npullPolicy: IfNotPresent\n") // as committed

	// kustomize, a base and two overlays, with the hook's default
	// settings: a commit that changes only a base file is linted through
	// both overlays. Built alone, the base's ClusterRoleBinding subject
	// has no namespace (the overlays set it): a false error.
	write("deploy/base/kustomization.yaml", "resources:\n- web.yaml\n- rbac.yaml\n")
	write("deploy/base/web.yaml", kustWeb)
	write("deploy/base/rbac.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: web-view\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: default\n")
	for _, env := range []string{"dev", "prod"} {
		write("deploy/overlays/"+env+"/kustomization.yaml", "namespace: "+env+"\nresources:\n- ../../base\n")
	}
	out, code = runIn(ctx, t, work, env, preCommit, "run", "--color", "never")
	if code != 0 {
		t.Errorf("pre-commit failed on a good base and overlays: exit %d\n%s", code, out)
	}
	mustRun(ctx, t, work, "git", "commit", "-q", "-m", "kustomize")
	write("deploy/base/web.yaml", strings.Replace(kustWeb, "IfNotPresent", "Sometimes", 1))
	out, code = runIn(ctx, t, work, env, preCommit, "run", "--color", "never")
	for _, want := range []string{"deploy/base/web.yaml:17:26", "seen in deploy/overlays/dev, deploy/overlays/prod"} {
		if code == 0 || !strings.Contains(out, want) {
			t.Errorf("a staged base file: exit %d, want %q\n%s", code, want, out)
		}
	}
	if strings.Contains(out, "api-required") {
		t.Errorf("a staged base file was built without its overlays:\n%s", out)
	}
}

const kustWeb = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        imagePullPolicy: IfNotPresent
        image: nginx:1.27.0
`
