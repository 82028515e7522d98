package golden

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const importPath = "github.com/kvetdev/kvet/internal/golden"

// definesUpdate are the packages whose import defines -update: this one,
// and the fixture harness, which imports it.
var definesUpdate = map[string]bool{importPath: true, "github.com/kvetdev/kvet/internal/wanttest": true}

// TestEveryPackageImportsGolden fails when a package has tests but none
// of its test files imports this package: go test ./... -update would
// then fail there with "flag provided but not defined: -update".
func TestEveryPackageImportsGolden(t *testing.T) {
	root := "../.."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	imports := map[string]bool{} // folder with tests -> imports golden
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		if rel, _ := filepath.Rel(root, dir); definesUpdate["github.com/kvetdev/kvet/"+filepath.ToSlash(rel)] {
			return nil // the package itself defines the flag
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		found := imports[dir]
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); definesUpdate[p] {
				found = true
			}
		}
		imports[dir] = found
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 5 {
		t.Fatalf("found only %d test packages under %s; is the walk broken?", len(imports), root)
	}
	dirs := make([]string, 0, len(imports))
	for dir := range imports {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		if !imports[dir] {
			rel, _ := filepath.Rel(root, dir)
			t.Errorf("%s: no test file imports %s, so go test ./... -update fails there; add\n\timport _ %q\nto one of its _test.go files (or use golden.Check)", rel, importPath, importPath)
		}
	}
}

func TestCheckUpdateAndCompare(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	*update = true
	Check(t, path, []byte("a\nb\n"))
	*update = false
	Check(t, path, []byte("a\nb\n"))
	ft := &fakeT{TB: t}
	Check(ft, path, []byte("a\nc\n"))
	if !ft.failed || !strings.Contains(ft.msg, "first difference at line 2") || !strings.Contains(ft.msg, "- b") || !strings.Contains(ft.msg, "+ c") {
		t.Errorf("a different text: failed=%v, message %q", ft.failed, ft.msg)
	}
}

type fakeT struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, a ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, a...)
}
