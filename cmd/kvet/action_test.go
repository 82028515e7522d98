package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// actionSpec is the part of action.yml the test reads.
type actionSpec struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID         string            `yaml:"id"`
	Name       string            `yaml:"name"`
	If         string            `yaml:"if"`
	Uses       string            `yaml:"uses"`
	With       map[string]string `yaml:"with"`
	Shell      string            `yaml:"shell"`
	Run        string            `yaml:"run"`
	WorkingDir string            `yaml:"working-directory"`
	Env        map[string]string `yaml:"env"`
}

// runner plays the GitHub runner for action.yml's bash steps: it evaluates
// the few expressions the action uses and gives each step the environment
// the runner would.
type runner struct {
	t          *testing.T
	spec       actionSpec
	actionPath string   // the action's checkout: this repository
	workspace  string   // the user's checkout: the step's working directory
	temp       string   // RUNNER_TEMP
	env        []string // more of the runner's environment (GITHUB_EVENT_PATH, ...)
}

var expr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

func (r *runner) eval(s string, inputs map[string]string) string {
	return expr.ReplaceAllStringFunc(s, func(m string) string {
		e := expr.FindStringSubmatch(m)[1]
		switch {
		case e == "runner.temp":
			return r.temp
		case e == "github.action_path":
			return r.actionPath
		case strings.HasPrefix(e, "inputs."):
			name := strings.TrimPrefix(e, "inputs.")
			in, ok := r.spec.Inputs[name]
			if !ok {
				r.t.Fatalf("action.yml uses undeclared input %q", name)
			}
			if v, ok := inputs[name]; ok {
				return v
			}
			return in.Default
		}
		r.t.Fatalf("action.yml: the test does not know the expression %q", m)
		return ""
	})
}

func (r *runner) step(id string) actionStep {
	for _, s := range r.spec.Runs.Steps {
		if s.ID == id || s.Name == id {
			return s
		}
	}
	r.t.Fatalf("action.yml has no step %q", id)
	return actionStep{}
}

type stepResult struct {
	stdout, stderr, summary string
	outputs                 map[string]string
	code                    int
}

// run runs a bash step of action.yml with the given inputs.
func (r *runner) run(s actionStep, inputs map[string]string) stepResult {
	r.t.Helper()
	if s.Shell != "bash" {
		r.t.Fatalf("step %q: shell %q, want bash", s.Name, s.Shell)
	}
	for name := range inputs {
		if _, ok := r.spec.Inputs[name]; !ok {
			r.t.Fatalf("the test sets input %q that action.yml does not declare", name)
		}
	}
	dir := r.t.TempDir()
	summary, outputs := filepath.Join(dir, "summary.md"), filepath.Join(dir, "output")
	for _, f := range []string{summary, outputs} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	// bash -e as the runner runs `shell: bash` steps.
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", r.eval(s.Run, inputs))
	cmd.Dir = r.workspace
	if s.WorkingDir != "" {
		cmd.Dir = r.eval(s.WorkingDir, inputs)
	}
	cmd.Env = append(os.Environ(),
		"GITHUB_ACTIONS=true", "CI=true",
		"GITHUB_WORKSPACE="+r.workspace, "GITHUB_ACTION_PATH="+r.actionPath,
		"RUNNER_TEMP="+r.temp, "GITHUB_STEP_SUMMARY="+summary, "GITHUB_OUTPUT="+outputs,
		"GITHUB_EVENT_PATH=", "GITHUB_BASE_REF=")
	cmd.Env = append(cmd.Env, r.env...)
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+r.eval(v, inputs))
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	res := stepResult{outputs: map[string]string{}}
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	res.stdout, res.stderr = out.String(), errb.String()
	data, err := os.ReadFile(summary)
	if err != nil {
		r.t.Fatal(err)
	}
	res.summary = string(data)
	data, err = os.ReadFile(outputs)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			res.outputs[k] = v
		}
	}
	return res
}

func loadAction(t *testing.T) *runner {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{t: t, actionPath: root, workspace: root, temp: t.TempDir()}
	if err := yaml.Unmarshal(data, &r.spec); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if r.spec.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using = %q, want composite", r.spec.Runs.Using)
	}
	return r
}

// TestActionDefinition checks action.yml's wiring without running it.
func TestActionDefinition(t *testing.T) {
	r := loadAction(t)
	for name, def := range map[string]string{"paths": ".", "config": "", "kube-version": "", "fail-on": "error", "sarif-file": "", "baseline": "", "new-from-rev": ""} {
		in, ok := r.spec.Inputs[name]
		if !ok || in.Default != def {
			t.Errorf("input %q: declared %v, default %q; want default %q", name, ok, in.Default, def)
		}
	}
	setup := r.spec.Runs.Steps[0]
	if !strings.HasPrefix(setup.Uses, "actions/setup-go@") || setup.With["go-version-file"] != "${{ github.action_path }}/go.mod" {
		t.Errorf("first step must set up Go from the action's go.mod: %+v", setup)
	}
	// kvet-version: a released kvet is downloaded instead of Go being set
	// up and kvet built.
	for name, cond := range map[string]string{
		"Set up Go for kvet": "inputs.kvet-version == ''", "Build kvet": "inputs.kvet-version == ''", "Download kvet": "inputs.kvet-version != ''",
	} {
		if got := r.step(name).If; got != cond {
			t.Errorf("step %q runs if %q, want %q", name, got, cond)
		}
	}
	kvetStep := r.step("kvet")
	for name := range r.spec.Inputs {
		env := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if kvetStep.Env[env] != "${{ inputs."+name+" }}" {
			t.Errorf("the kvet step does not pass input %q as %s: %q", name, env, kvetStep.Env[env])
		}
	}
	script := filepath.Join(r.actionPath, "scripts", "action.sh")
	if !strings.Contains(kvetStep.Run, "$GITHUB_ACTION_PATH/scripts/action.sh") {
		t.Errorf("the kvet step does not run %s: %q", script, kvetStep.Run)
	}
	if _, err := os.Stat(script); err != nil {
		t.Error(err)
	}
	for name, out := range r.spec.Outputs {
		if out.Value != "${{ steps.kvet.outputs."+name+" }}" {
			t.Errorf("output %q = %q, want the kvet step's output of that name", name, out.Value)
		}
	}
}

// TestActionFlags checks how the inputs become kvet's flags, with a stand-in
// kvet that records its arguments (so that --config can be checked whether
// or not this kvet has it).
func TestActionFlags(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not on PATH")
	}
	r := loadAction(t)
	stub := "#!/bin/sh\nprintf '%s\\n' \"$*\" >>\"$(dirname \"$0\")/args.log\"\n" +
		"case \" $* \" in *' -o json '*) echo '{\"findings\": [], \"summary\": {\"files\": 0, \"objects\": 0, \"errors\": 0, \"warnings\": 0, \"infos\": 0}}';; esac\n"
	if err := os.WriteFile(filepath.Join(r.temp, "kvet"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		inputs map[string]string
		flags  string
	}{
		{map[string]string{}, "--no-color --fail-on error -o github -- ."},
		{map[string]string{"paths": "deploy/\n  more/dir  base.yaml\n", "config": "ci/.kvet.yaml", "kube-version": "1.30", "fail-on": "warning"},
			"--no-color --fail-on warning --config ci/.kvet.yaml --kube-version 1.30 -o github -- deploy/ more/dir base.yaml"},
		{map[string]string{"paths": "*.yaml"}, "--no-color --fail-on error -o github -- *.yaml"},
		{map[string]string{"baseline": ".kvet-baseline.json", "new-from-rev": "origin/main"},
			"--no-color --fail-on error --baseline .kvet-baseline.json --new-from-rev origin/main -o github -- ."},
		// pr-base: the event's base commit, else origin/GITHUB_BASE_REF,
		// else (not a pull request) no filter.
		{map[string]string{"new-from-rev": "pr-base", "event": `{"pull_request": {"base": {"sha": "0123abc"}}}`},
			"--no-color --fail-on error --new-from-rev 0123abc -o github -- ."},
		{map[string]string{"new-from-rev": "pr-base", "event": `{"pull_request": {}}`, "base-ref": "main"},
			"--no-color --fail-on error --new-from-rev origin/main -o github -- ."},
		{map[string]string{"new-from-rev": "pr-base", "event": `{"push": {}}`},
			"--no-color --fail-on error -o github -- ."},
	} {
		r.env = nil
		if ev, ok := c.inputs["event"]; ok {
			event := filepath.Join(t.TempDir(), "event.json")
			if err := os.WriteFile(event, []byte(ev), 0o644); err != nil {
				t.Fatal(err)
			}
			r.env = append(r.env, "GITHUB_EVENT_PATH="+event, "GITHUB_BASE_REF="+c.inputs["base-ref"])
			delete(c.inputs, "event")
			delete(c.inputs, "base-ref")
		}
		log := filepath.Join(r.temp, "args.log")
		_ = os.Remove(log)
		res := r.run(r.step("kvet"), c.inputs)
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		calls := strings.Split(strings.TrimSpace(string(data)), "\n")
		if res.code != 0 || len(calls) == 0 || calls[0] != "lint "+c.flags {
			t.Errorf("inputs %v: exit %d, kvet ran as %q; want first %q\n%s", c.inputs, res.code, calls, "lint "+c.flags, res.stderr)
		}
		if len(calls) != 2 || !strings.Contains(calls[1], " -o json ") {
			t.Errorf("inputs %v: want a github run and a json run, got %q", c.inputs, calls)
		}
	}
}

// TestAction builds kvet with the action's build step and runs its kvet
// step for real against testdata manifests, as the runner would.
func TestAction(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the action test builds kvet with the action's build step")
	}
	for _, tool := range []string{"bash", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH (apt-get install %s): skipping the GitHub Action's test", tool, tool)
		}
	}
	r := loadAction(t)
	start := time.Now()
	if res := r.run(r.step("Build kvet"), nil); res.code != 0 {
		t.Fatalf("build step: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	t.Logf("build step: %v", time.Since(start).Round(time.Millisecond))
	kvetStep := r.step("kvet")

	t.Run("errors", func(t *testing.T) {
		sarif := filepath.Join(t.TempDir(), "results", "kvet.sarif")
		res := r.run(kvetStep, map[string]string{"paths": "testdata/lint/mistakes.yaml", "sarif-file": sarif})
		if res.code != 1 {
			t.Errorf("exit %d, want 1\n%s", res.code, res.stderr)
		}
		for _, want := range []string{
			"::error file=testdata/lint/mistakes.yaml,line=11,col=22,title=kvet(job-restart-policy)::restartPolicy is Always",
			"::error file=testdata/lint/mistakes.yaml,line=7,col=3,title=kvet(unknown-field)::",
			"::notice file=testdata/lint/mistakes.yaml,line=6,col=1,title=kvet(job-ttl)::",
		} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("annotations lack %q:\n%s", want, res.stdout)
			}
		}
		for _, want := range []string{
			"## kvet\n", ":x: Findings at or above `error`.",
			"1 file, 2 objects: **5 errors**, 0 warnings, 1 info.",
			"| error | 5 |", "| warning | 0 |", "| info | 1 |",
			"| rule | severity | findings |",
			"| `invalid-type` | error | 2 |\n| `cronjob-schedule` | error | 1 |\n| `job-restart-policy` | error | 1 |\n| `unknown-field` | error | 1 |\n| `job-ttl` | info | 1 |\n",
			"| error | `testdata/lint/mistakes.yaml:11` | `job-restart-policy` | restartPolicy is Always; a Job's pods must end, so it must be Never or OnFailure |",
			"| info | `testdata/lint/mistakes.yaml:6` | `job-ttl` |",
		} {
			if !strings.Contains(res.summary, want) {
				t.Errorf("summary lacks %q:\n%s", want, res.summary)
			}
		}
		for k, v := range map[string]string{"errors": "5", "warnings": "0", "infos": "1", "exit-code": "1", "sarif-file": sarif} {
			if res.outputs[k] != v {
				t.Errorf("output %s = %q, want %q (all: %v)", k, res.outputs[k], v, res.outputs)
			}
		}
		data, err := os.ReadFile(sarif)
		if err != nil {
			t.Fatal(err)
		}
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
					Level  string `json:"level"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(data, &log); err != nil {
			t.Fatalf("SARIF does not parse: %v", err)
		}
		if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != 6 {
			t.Errorf("SARIF: version %q, %d runs, want 2.1.0 with one run of 6 results", log.Version, len(log.Runs))
		}
	})

	t.Run("clean", func(t *testing.T) {
		res := r.run(kvetStep, map[string]string{"paths": "testdata/lint/clean.yaml"})
		if res.code != 0 || strings.Contains(res.stdout, "::") {
			t.Errorf("exit %d, want 0 and no annotations:\n%s%s", res.code, res.stdout, res.stderr)
		}
		if !strings.Contains(res.summary, ":white_check_mark: No findings at or above `error`.") ||
			!strings.Contains(res.summary, "1 file, 1 object: **0 errors**, 0 warnings, 0 info.") ||
			strings.Contains(res.summary, "Findings by rule") {
			t.Errorf("summary of a clean run:\n%s", res.summary)
		}
		if res.outputs["errors"] != "0" || res.outputs["exit-code"] != "0" {
			t.Errorf("outputs %v", res.outputs)
		}
		if _, ok := res.outputs["sarif-file"]; ok {
			t.Errorf("sarif-file output without the input: %v", res.outputs)
		}
	})

	t.Run("fail-on", func(t *testing.T) {
		paths := "testdata/lint/clean.yaml\ntestdata/action/warning.yaml\n"
		res := r.run(kvetStep, map[string]string{"paths": paths})
		if res.code != 0 || !strings.Contains(res.stdout, "::warning file=testdata/action/warning.yaml,line=") {
			t.Errorf("a warning under fail-on error: exit %d, want 0 with a warning annotation\n%s%s", res.code, res.stdout, res.stderr)
		}
		if !strings.Contains(res.summary, "| `statefulset-pvc-retention` | warning | 1 |") {
			t.Errorf("summary:\n%s", res.summary)
		}
		res = r.run(kvetStep, map[string]string{"paths": paths, "fail-on": "warning"})
		if res.code != 1 || !strings.Contains(res.summary, ":x: Findings at or above `warning`.") {
			t.Errorf("a warning under fail-on warning: exit %d, want 1\n%s", res.code, res.summary)
		}
	})

	t.Run("top 20", func(t *testing.T) {
		var b strings.Builder
		for i := range 25 {
			b.WriteString(strings.Replace(badJob, "name: migrate\n", fmt.Sprintf("name: job-%d\n", i), 1) + "---\n")
		}
		file := filepath.Join(t.TempDir(), "many|jobs.yaml")
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		res := r.run(kvetStep, map[string]string{"paths": file})
		if res.code != 1 || !strings.Contains(res.summary, "| `job-restart-policy` | error | 25 |") ||
			!strings.Contains(res.summary, "The first 20 of 25 findings") {
			t.Errorf("exit %d; summary:\n%s", res.code, res.summary)
		}
		if n := strings.Count(res.summary, "| error | `"); n != 20 {
			t.Errorf("%d top findings, want 20:\n%s", n, res.summary)
		}
		if !strings.Contains(res.summary, `many\|jobs.yaml:9`+"`") {
			t.Errorf("| in a file name not escaped:\n%s", res.summary)
		}
	})

	t.Run("unreadable input", func(t *testing.T) {
		res := r.run(kvetStep, map[string]string{"paths": "testdata/lint/mistakes.yaml does-not-exist.yaml"})
		if res.code != 2 || !strings.Contains(res.stderr, "does-not-exist.yaml") ||
			!strings.Contains(res.stdout, "kvet(job-restart-policy)") ||
			!strings.Contains(res.summary, ":x: kvet exited 2") || !strings.Contains(res.summary, "| error | 5 |") {
			t.Errorf("exit %d, want 2 with the readable file's findings\nstdout:\n%s\nstderr:\n%s\nsummary:\n%s", res.code, res.stdout, res.stderr, res.summary)
		}
	})

	t.Run("bad flag", func(t *testing.T) {
		sarif := filepath.Join(t.TempDir(), "kvet.sarif")
		res := r.run(kvetStep, map[string]string{"fail-on": "loud", "sarif-file": sarif})
		if res.code != 2 || !strings.Contains(res.summary, "kvet could not check the manifests (exit 2)") {
			t.Errorf("exit %d, want 2; summary:\n%s", res.code, res.summary)
		}
		if _, err := os.Stat(sarif); err == nil || res.outputs["sarif-file"] != "" {
			t.Errorf("an empty SARIF file was left for upload-sarif (output %q)", res.outputs["sarif-file"])
		}
	})

	t.Run("baseline and new-from-rev", func(t *testing.T) {
		if _, err := exec.LookPath("git"); err != nil {
			t.Skip("git is not on PATH")
		}
		ws := t.TempDir()
		repo := *r
		repo.workspace = ws
		git := func(args ...string) {
			t.Helper()
			cmd := exec.Command("git", args...)
			cmd.Dir = ws
			cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
				"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		write(t, filepath.Join(ws, "deploy", "job.yaml"), threeFindingsJob)
		git("init", "-q")
		git("add", ".")
		git("commit", "-qm", "base")
		base := exec.Command("git", "rev-parse", "HEAD")
		base.Dir = ws
		sha, err := base.Output()
		if err != nil {
			t.Fatal(err)
		}
		// The pull request changes the image (still untagged).
		write(t, filepath.Join(ws, "deploy", "job.yaml"), strings.Replace(threeFindingsJob, "image: busybox", "image: alpine", 1))
		event := filepath.Join(t.TempDir(), "event.json")
		write(t, event, `{"pull_request": {"base": {"sha": "`+strings.TrimSpace(string(sha))+`"}}}`)
		repo.env = []string{"GITHUB_EVENT_PATH=" + event}
		res := repo.run(kvetStep, map[string]string{"paths": "deploy", "new-from-rev": "pr-base"})
		if res.code != 0 || strings.Count(res.stdout, "\n") != 1 || !strings.Contains(res.stdout, "::warning file=deploy/job.yaml,line=8,col=37,title=kvet(image-pinned)::") {
			t.Errorf("new-from-rev pr-base: exit %d, want 0 and only the changed line's warning\n%s%s", res.code, res.stdout, res.stderr)
		}
		if !strings.Contains(res.summary, "**0 errors**, 1 warning, 0 info.") {
			t.Errorf("summary:\n%s", res.summary)
		}

		// A baseline of the old findings: the changed image is the same
		// finding (same rule, object and field), so nothing is reported.
		bl := exec.Command(filepath.Join(r.temp, "kvet"), "baseline", "deploy")
		bl.Dir = ws
		data, err := bl.Output()
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(ws, ".kvet-baseline.json"), string(data))
		repo.env = nil
		res = repo.run(kvetStep, map[string]string{"paths": "deploy", "baseline": ".kvet-baseline.json", "fail-on": "info"})
		if res.code != 0 || strings.Contains(res.stdout, "::") || res.outputs["errors"] != "0" {
			t.Errorf("baseline: exit %d, want 0 and no annotations\n%s%s", res.code, res.stdout, res.stderr)
		}
	})

	t.Run("released binary", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			t.Skip("curl is not on PATH")
		}
		bin, err := os.ReadFile(filepath.Join(r.temp, "kvet"))
		if err != nil {
			t.Fatal(err)
		}
		archiveOf := func(v string) string { return fmt.Sprintf("kvet_%s_%s_%s.tar.gz", v, runtime.GOOS, runtime.GOARCH) }
		archive, tampered := archiveOf("9.9.9"), archiveOf("9.9.8")
		var tgz bytes.Buffer
		gz := gzip.NewWriter(&tgz)
		tw := tar.NewWriter(gz)
		if err := tw.WriteHeader(&tar.Header{Name: "kvet", Mode: 0o755, Size: int64(len(bin))}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(bin)
		_ = tw.Close()
		_ = gz.Close()
		sum := sha256.Sum256(tgz.Bytes())
		checksums := hex.EncodeToString(sum[:]) + "  " + archive + "\n"
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			switch req.URL.Path {
			case "/v9.9.9/" + archive:
				_, _ = w.Write(tgz.Bytes())
			case "/v9.9.9/checksums.txt":
				_, _ = io.WriteString(w, checksums)
			case "/v9.9.8/" + tampered:
				_, _ = w.Write(append([]byte("tampered"), tgz.Bytes()...))
			case "/v9.9.8/checksums.txt":
				_, _ = io.WriteString(w, strings.Replace(checksums, archive, tampered, 1))
			default:
				http.NotFound(w, req)
			}
		}))
		defer srv.Close()

		rel := *r
		rel.temp = t.TempDir()
		rel.env = []string{"KVET_RELEASES_URL=" + srv.URL}
		res := rel.run(rel.step("Download kvet"), map[string]string{"kvet-version": "v9.9.9"})
		if res.code != 0 || !strings.HasPrefix(res.stdout, "kvet ") {
			t.Fatalf("download step: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		res = rel.run(kvetStep, map[string]string{"paths": "testdata/lint/mistakes.yaml", "kvet-version": "v9.9.9"})
		if res.code != 1 || !strings.Contains(res.stdout, "title=kvet(job-restart-policy)") {
			t.Errorf("the downloaded kvet: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		for version, want := range map[string]string{
			"v9.9.8":    "does not match the release's checksums.txt",
			"v1.0.0":    "could not download",
			"v1;rm -rf": "must be a release tag",
		} {
			res := rel.run(rel.step("Download kvet"), map[string]string{"kvet-version": version})
			if res.code != 2 || !strings.Contains(res.stdout, want) {
				t.Errorf("kvet-version %s: exit %d, want 2 and %q\n%s%s", version, res.code, want, res.stdout, res.stderr)
			}
		}
	})

	t.Run("markdown injection", func(t *testing.T) {
		dir := t.TempDir()
		name := filepath.Join(dir, "a`b[x](e)|c.yaml")
		pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: \"![img](http://evil.example/p.png) <img src=x>\"\n"
		if err := os.WriteFile(name, []byte(pod), 0o644); err != nil {
			t.Fatal(err)
		}
		res := r.run(kvetStep, map[string]string{"paths": name, "fail-on": "warning"})
		if res.code != 1 {
			t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
		}
		_, message, _ := strings.Cut(res.summary, "| `image-pinned` | container")
		if live := regexp.MustCompile(`(^|[^\\])(!\[|\[|<img)`).FindString(message); message == "" || live != "" {
			t.Errorf("the message cell holds live Markdown %q:\n%s", live, res.summary)
		}
		for _, want := range []string{"`` " + dir + "/a`b[x](e)\\|c.yaml:7 ``", `\!\[img\](http://evil.example/p.png) \<img src=x\>`} {
			if !strings.Contains(res.summary, want) {
				t.Errorf("summary lacks %q:\n%s", want, res.summary)
			}
		}

		res = r.run(kvetStep, map[string]string{"paths": "testdata/lint/clean.yaml", "sarif-file": filepath.Join(t.TempDir(), "x.sarif") + "\nerrors=0"})
		if res.code != 2 || res.outputs["errors"] != "" || !strings.Contains(res.stdout, "sarif-file input must be a single path") {
			t.Errorf("a sarif-file with a line break: exit %d, outputs %v, stdout %q; want exit 2 and no output lines", res.code, res.outputs, res.stdout)
		}
	})
}
