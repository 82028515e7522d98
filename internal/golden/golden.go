// Package golden holds kvet's one -update flag and the comparison every
// golden-file test uses: go test ./... -update rewrites every golden file
// and snapshot of the module.
//
// Every test package imports this package (with a blank import when it
// has no golden files), so that the test binary of every package defines
// -update; TestEveryPackageImportsGolden keeps it so.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update is the -update flag. Tests read it through Update.
var update = flag.Bool("update", false, "rewrite golden files and snapshots instead of comparing with them")

// Update reports whether -update was given.
func Update() bool { return *update }

// Check compares got with the file at path, byte for byte. Under -update
// it writes got to path instead (creating its folder). The failure names
// the file, shows both texts and says how to rewrite it.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if Update() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test %s -update creates it)", err, pkgArg())
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the output (go test %s -update rewrites it):\n%s", path, pkgArg(), Diff(string(want), string(got)))
	}
}

// pkgArg is the package argument to suggest in messages: the test runs in
// its package's folder.
func pkgArg() string {
	wd, err := os.Getwd()
	if err != nil {
		return "./..."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		if filepath.Dir(dir) == dir {
			return "./..."
		}
	}
}

// Diff shows where two texts first differ, line by line: the lines before
// it as context, then the rest of each text (at most 40 lines each).
func Diff(want, got string) string {
	wl, gl := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d\n", i+1)
	for j := max(0, i-3); j < i; j++ {
		fmt.Fprintf(&b, "  %s", ensureNL(wl[j]))
	}
	for _, s := range []struct {
		sign  string
		lines []string
	}{{"-", wl}, {"+", gl}} {
		for j := i; j < len(s.lines) && j < i+40; j++ {
			if s.lines[j] == "" {
				continue
			}
			fmt.Fprintf(&b, "%s %s", s.sign, ensureNL(s.lines[j]))
		}
	}
	return b.String()
}

func ensureNL(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\\ no newline at end\n"
}
