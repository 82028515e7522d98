package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
)

// Builtins that reach the network or the environment, and the flag that
// allows them.
var (
	netBuiltins = []string{"http.send", "net.lookup_ip_addr"}
	envBuiltins = []string{"opa.runtime"}
)

func deniedBuiltins(opts Options) map[string]string {
	denied := map[string]string{}
	if !opts.AllowNet {
		for _, b := range netBuiltins {
			denied[b] = "pass --allow-net to let policies use the network"
		}
	}
	if !opts.AllowEnv {
		for _, b := range envBuiltins {
			denied[b] = "pass --allow-env to let policies read the environment"
		}
	}
	return denied
}

// checkDenied refuses, with file:line:col, every call of a builtin that is
// not allowed.
func checkDenied(modules map[string]*ast.Module, opts Options) error {
	denied := deniedBuiltins(opts)
	if len(denied) == 0 {
		return nil
	}
	var msgs []string
	seen := map[string]bool{}
	report := func(op string, loc *ast.Location, path string) {
		hint, ok := denied[op]
		if !ok {
			return
		}
		file, row, col := path, 0, 0
		if loc != nil {
			if loc.File != "" {
				file = loc.File
			}
			row, col = loc.Row, loc.Col
		}
		msg := fmt.Sprintf("%s:%d:%d: %s is disabled; %s", file, row, col, op, hint)
		if !seen[msg] {
			seen[msg] = true
			msgs = append(msgs, msg)
		}
	}
	for _, path := range sortedPaths(modules) {
		m := modules[path]
		ast.WalkExprs(m, func(x *ast.Expr) bool {
			if x.IsCall() {
				report(x.Operator().String(), x.Location, path)
			}
			return false
		})
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if call, ok := t.Value.(ast.Call); ok && len(call) > 0 {
				report(call[0].String(), t.Location, path)
			}
			return false
		})
	}
	if len(msgs) == 0 {
		return nil
	}
	sort.Strings(msgs)
	return errors.New(strings.Join(msgs, "\n"))
}

// FormatError renders OPA errors one per line as file:line:col: code: message.
func FormatError(err error) string {
	var lines []string
	var walk func(error)
	walk = func(err error) {
		var astErrs ast.Errors
		var astErr *ast.Error
		var loadErrs loader.Errors
		switch {
		case errors.As(err, &astErrs):
			for _, e := range astErrs {
				walk(e)
			}
		case errors.As(err, &loadErrs):
			for _, e := range loadErrs {
				walk(e)
			}
		case errors.As(err, &astErr):
			if astErr.Location != nil {
				lines = append(lines, fmt.Sprintf("%s:%d:%d: %s: %s", astErr.Location.File, astErr.Location.Row, astErr.Location.Col, astErr.Code, astErr.Message))
			} else {
				lines = append(lines, fmt.Sprintf("%s: %s", astErr.Code, astErr.Message))
			}
		default:
			lines = append(lines, err.Error())
		}
	}
	walk(err)
	return strings.Join(lines, "\n")
}
