package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	flag "github.com/spf13/pflag"

	"github.com/kvetdev/kvet/internal/golden"
	"github.com/kvetdev/kvet/internal/wanttest"
)

// TestFixturesMatchCLI runs the built kvet lint on every fixture of the
// # want harness (rules/testdata/<rule-id>/*.yaml, testdata/e2e/*.yaml),
// with the flags of the fixture's "# kvet:" lines, from the folder of the
// test that owns it: its output must be the fixture's snapshot, which
// that test holds to the harness's run through validate.Lint. So the
// harness reads the settings as the CLI does and shows what users see.
func TestFixturesMatchCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs kvet once per fixture; skipped with -short")
	}
	if golden.Update() {
		t.Skip("-update: ./rules and ./validate may be rewriting the snapshots")
	}
	for _, set := range []struct{ dir, glob string }{
		{"../../rules", "testdata/*/*.yaml"},
		{"../../validate", "../testdata/e2e/*.yaml"},
	} {
		files, err := filepath.Glob(filepath.Join(set.dir, set.glob))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures in %s/%s (%v)", set.dir, set.glob, err)
		}
		for _, abs := range files {
			rel, err := filepath.Rel(set.dir, abs)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(rel, func(t *testing.T) {
				data, err := os.ReadFile(abs)
				if err != nil {
					t.Fatal(err)
				}
				want, err := os.ReadFile(abs + ".snap")
				if err != nil {
					t.Fatalf("%v (go test %s -update writes the snapshot)", err, set.dir[3:])
				}
				args := append([]string{"lint", "--no-color"}, wanttest.SettingArgs(data)...)
				cmd := exec.Command(kvetBin, append(args, rel)...)
				cmd.Dir = set.dir
				cmd.Env = append(os.Environ(), "NO_COLOR=")
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				if err := cmd.Run(); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						t.Fatal(err)
					}
				}
				if errb.Len() > 0 {
					t.Errorf("stderr: %s", errb.String())
				}
				got := timing.ReplaceAllString(out.String(), "(TIME)")
				snap := timing.ReplaceAllString(string(want), "(TIME)")
				if got != snap {
					t.Errorf("kvet lint %v differs from %s.snap:\n%s", args[1:], abs, golden.Diff(snap, got))
				}
			})
		}
	}
}

// TestHarnessFlagsAreLintFlags: each flag a fixture's "# kvet:" line may
// set is a kvet lint flag of the same type and default.
func TestHarnessFlagsAreLintFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runLint(context.Background(), []string{"--help"}, strings.NewReader(""), &out, &errb, false); code != exitOK {
		t.Fatalf("kvet lint --help: exit %d, %s", code, errb.String())
	}
	help := strings.Split(out.String(), "\n")
	typeWord := map[string]string{"string": " string ", "stringSlice": " strings ", "stringArray": " stringArray ", "int": " int ", "bool": " "}
	n := 0
	wanttest.FlagSet(&wanttest.Settings{}).VisitAll(func(f *flag.Flag) {
		n++
		var line string
		for _, l := range help {
			if strings.Contains(l+" ", "--"+f.Name+" ") {
				line = l + " "
			}
		}
		if line == "" {
			t.Errorf("# kvet: --%s is not a kvet lint flag", f.Name)
			return
		}
		word, ok := typeWord[f.Value.Type()]
		if !ok {
			t.Fatalf("--%s: teach this test the type %s", f.Name, f.Value.Type())
		}
		if !strings.Contains(line, "--"+f.Name+word) {
			t.Errorf("# kvet: --%s is a %s; kvet lint's is not: %s", f.Name, f.Value.Type(), line)
		}
		def := ""
		switch f.Value.Type() {
		case "string":
			if f.DefValue != "" { // pflag prints no default for ""
				def = fmt.Sprintf("(default %q)", f.DefValue)
			}
		case "int":
			def = "(default " + f.DefValue + ")"
		}
		if def != "" && !strings.Contains(line, def) {
			t.Errorf("# kvet: --%s defaults to %s; kvet lint's does not: %s", f.Name, f.DefValue, line)
		}
	})
	if n < 6 {
		t.Errorf("only %d harness flags", n)
	}
}
