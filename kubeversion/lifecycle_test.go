package kubeversion

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Helpers that read facts from the Kubernetes modules named in go.mod, for
// cross-checking the hand-written tables. Test-only I/O.

// goModVersion returns the version go.mod selects for module (honouring a
// replace directive), or "".
func goModVersion(t *testing.T, module string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatalf("reading go.mod: %v", err)
	}
	defer f.Close()
	var required, replaced string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		switch {
		case len(fields) >= 4 && fields[0] == module && fields[1] == "=>":
			replaced = fields[3]
		case len(fields) >= 2 && fields[0] == module && strings.HasPrefix(fields[1], "v"):
			required = fields[1]
		}
	}
	if replaced != "" {
		return replaced
	}
	return required
}

var modCache = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// moduleDir returns the module cache directory of module at the version
// go.mod selects, or "" when it is not downloaded.
func moduleDir(t *testing.T, module string) string {
	t.Helper()
	v := goModVersion(t, module)
	if v == "" || modCache() == "" {
		return ""
	}
	dir := filepath.Join(modCache(), module+"@"+v)
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

type lifecycleTag struct{ deprecated, removed Version }

// lifecycleTags reads zz_generated.prerelease-lifecycle.go of the package
// serving apiVersion and returns the tags by kind. ok is false when that
// package is not available.
func lifecycleTags(t *testing.T, apiVersion string) (tags map[string]lifecycleTag, ok bool) {
	t.Helper()
	group, version, found := strings.Cut(apiVersion, "/")
	if !found {
		return nil, false
	}
	short, _, _ := strings.Cut(group, ".")
	var file string
	if group == "apiextensions.k8s.io" {
		dir := moduleDir(t, "k8s.io/apiextensions-apiserver")
		if dir == "" {
			return nil, false
		}
		file = filepath.Join(dir, "pkg", "apis", "apiextensions", version, "zz_generated.prerelease-lifecycle.go")
	} else {
		dir := moduleDir(t, "k8s.io/api")
		if dir == "" {
			return nil, false
		}
		file = filepath.Join(dir, short, version, "zz_generated.prerelease-lifecycle.go")
	}
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, false
	}
	tags = map[string]lifecycleTag{}
	for _, d := range f.Decls {
		fn, isFunc := d.(*ast.FuncDecl)
		if !isFunc || fn.Recv == nil || len(fn.Recv.List) != 1 || fn.Body == nil || len(fn.Body.List) != 1 {
			continue
		}
		star, isStar := fn.Recv.List[0].Type.(*ast.StarExpr)
		if !isStar {
			continue
		}
		kind := star.X.(*ast.Ident).Name
		ret, isRet := fn.Body.List[0].(*ast.ReturnStmt)
		if !isRet || len(ret.Results) != 2 {
			continue
		}
		major, err1 := intLit(ret.Results[0])
		minor, err2 := intLit(ret.Results[1])
		if err1 != nil || err2 != nil {
			continue
		}
		tag := tags[kind]
		switch fn.Name.Name {
		case "APILifecycleDeprecated":
			tag.deprecated = Version{major, minor}
		case "APILifecycleRemoved":
			tag.removed = Version{major, minor}
		default:
			continue
		}
		tags[kind] = tag
	}
	return tags, true
}

func intLit(e ast.Expr) (int, error) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.INT {
		return 0, strconv.ErrSyntax
	}
	return strconv.Atoi(lit.Value)
}
