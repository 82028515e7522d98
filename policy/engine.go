// Package policy runs Rego policies the way conftest does, on OPA's Go
// library: the policies are compiled once per run and every namespace gets a
// prepared query that is evaluated (concurrently, by the callers) for each
// input document.
//
// Differences with conftest, all deliberate:
//   - order is deterministic: modules are visited sorted by file name, rules
//     in source order, namespaces sorted for --all-namespaces;
//   - files ending in _test.rego are not loaded for evaluation (they are used
//     by Verify);
//   - http.send / net.lookup_ip_addr and opa.runtime are refused at compile
//     time unless AllowNet / AllowEnv are set.
package policy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/print"
	"github.com/open-policy-agent/opa/v1/version"
)

// Options configures Load.
type Options struct {
	// Paths are policy folders or .rego files on disk.
	Paths []string
	// FS, when set, is searched (from its root) for .rego files as well;
	// used for the embedded example policies (kvet verify --bundled).
	FS fs.FS
	// Namespaces to evaluate (default ["main"]); ignored with AllNamespaces.
	Namespaces    []string
	AllNamespaces bool
	// RegoVersion is "v0" or "v1" (default "v1").
	RegoVersion string
	// DataPaths are JSON/YAML files or folders merged under data, as conftest.
	DataPaths []string
	// Capabilities is an OPA capabilities JSON file (optional).
	Capabilities string
	// AllowNet lets policies call http.send and net.lookup_ip_addr.
	AllowNet bool
	// AllowEnv lets policies call opa.runtime (which exposes the environment).
	AllowEnv bool
	// Timeout bounds the evaluation of each namespace (policy) on one
	// input (0: none); a namespace that exceeds it is lost alone.
	Timeout time.Duration
	// MaxMemory is how much the heap may grow during one evaluation
	// (0: DefaultMaxMemory); a namespace that exceeds it is lost alone.
	MaxMemory int64
	// Strict enables the OPA compiler's strict mode.
	Strict bool
	// Trace collects evaluation traces (TracedResult.Traces, from EvalTraced);
	// namespaces are then evaluated one query each.
	Trace bool
	// ShowBuiltinErrors turns builtin errors into evaluation errors.
	ShowBuiltinErrors bool
	// PrintOutput receives print() output; nil discards it.
	PrintOutput io.Writer
	// CollectPrints returns print() output with each evaluation's results
	// (TracedResult.Prints) instead of writing it to PrintOutput, for
	// conftest's stdout format, which prints it before the results.
	CollectPrints bool
}

var (
	warningRegex = regexp.MustCompile("^warn(_[a-zA-Z0-9]+)*$")
	failureRegex = regexp.MustCompile("^(deny|violation)(_[a-zA-Z0-9]+)*$")
)

func isWarning(rule string) bool { return warningRegex.MatchString(rule) }
func isFailure(rule string) bool { return failureRegex.MatchString(rule) }

// IsRuleName reports whether name is a rule conftest evaluates
// (deny/violation/warn with optional _suffixes).
func IsRuleName(name string) bool { return isFailure(name) || isWarning(name) }

func removeRulePrefix(rule string) string {
	if rule == "violation" || rule == "deny" || rule == "warn" {
		return ""
	}
	rule = strings.TrimPrefix(rule, "violation_")
	rule = strings.TrimPrefix(rule, "deny_")
	rule = strings.TrimPrefix(rule, "warn_")
	return rule
}

type nsQuery struct {
	ns        string
	pkg       ast.Ref  // data.<ns>, as its modules declare it
	rules     []string // unique rule names, in deterministic order
	ruleCount int      // number of rule definitions (conftest's success padding)
	files     []string
	excQuery  []string   // conftest's exception query text per rule
	refs      []string   // data.<ns>.<rule> per rule
	query     string     // the refs, comma-separated (for results)
	pq        *prepared  // the namespace's own query (nil: no rules)
	own, all  []ruleVars // per rule, its variables in pq and in Engine.all
	// exceptions is false when nothing can define data.<ns>.exception
	// (no such rule or package, no such data): conftest's exception
	// counts are then left out of the query, a tenth of its cost.
	exceptions bool
}

// Engine holds compiled policies. It is safe for concurrent use.
type Engine struct {
	opts     Options
	modules  map[string]*ast.Module
	compiler *ast.Compiler
	store    storage.Store
	queries  []*nsQuery
	all      *prepared // every namespace at once
	allNS    []string
	runtime  *ast.Term

	mu      sync.RWMutex
	overlay map[string]any // extraData currently written to the store
	ovKeys  []string

	limitsMu  sync.Mutex
	limitErrs map[int]int    // by index in queries: inputs it exceeded its limits on
	lastLimit map[int]string // the last such error
	anySkip   atomic.Bool    // some namespace is no longer evaluated
}

// ParseRegoVersion converts "v0"/"v1" ("" means v1).
func ParseRegoVersion(s string) (ast.RegoVersion, error) {
	switch s {
	case "", "v1", "V1":
		return ast.RegoV1, nil
	case "v0", "V0":
		return ast.RegoV0, nil
	}
	return ast.RegoUndefined, fmt.Errorf("invalid Rego version: %s (want v0 or v1)", s)
}

// loadModules parses the .rego files of opts (tests included when withTests).
func loadModules(opts Options, withTests bool) (map[string]*ast.Module, error) {
	ver, err := ParseRegoVersion(opts.RegoVersion)
	if err != nil {
		return nil, err
	}
	filter := func(_ string, info fs.FileInfo, _ int) bool {
		if info.IsDir() {
			return false
		}
		if !strings.HasSuffix(info.Name(), ".rego") {
			return true
		}
		return !withTests && strings.HasSuffix(info.Name(), "_test.rego")
	}
	modules := map[string]*ast.Module{}
	if len(opts.Paths) > 0 {
		// OPA's loader follows symbolic links: one to / or into /proc
		// inside a policy folder would walk the filesystem, or read a
		// device or a FIFO for ever. Below the paths given, only regular
		// files and folders whose real path stays inside them are read.
		roots := realRoots(opts.Paths)
		base := filter
		filter = func(path string, info fs.FileInfo, depth int) bool {
			if depth > 0 && (!info.IsDir() && !info.Mode().IsRegular() || !inRoots(path, roots)) {
				return true
			}
			return base(path, info, depth)
		}
		for _, p := range opts.Paths {
			if _, err := os.Stat(p); err != nil {
				return nil, fmt.Errorf("policy path %s: %w", p, errors.Unwrap(err))
			}
		}
		res, err := loader.NewFileLoader().WithProcessAnnotation(true).WithRegoVersion(ver).Filtered(opts.Paths, filter)
		if err != nil {
			msg := FormatError(err)
			if ver == ast.RegoV1 && strings.Contains(msg, "keyword is required") {
				msg += "\n(policies written in Rego v0 syntax? pass --rego-version v0)"
			}
			return nil, fmt.Errorf("load policies: %s", msg)
		}
		for path, m := range res.Modules {
			if m.Name != "" {
				path = m.Name // the key has lost an absolute path's leading /
			}
			modules[filepath.ToSlash(filepath.Clean(path))] = m.Parsed
		}
	}
	if opts.FS != nil {
		res, err := loader.NewFileLoader().WithFS(opts.FS).WithProcessAnnotation(true).WithRegoVersion(ver).Filtered([]string{"."}, filter)
		if err != nil {
			return nil, fmt.Errorf("load embedded policies: %s", FormatError(err))
		}
		for path, m := range res.Modules {
			modules[path] = m.Parsed
		}
	}
	return modules, nil
}

// realRoots returns the real (symbolic links resolved) absolute paths.
func realRoots(paths []string) []string {
	var out []string
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				out = append(out, real)
			}
		}
	}
	return out
}

// inRoots reports whether path's real path is one of roots or inside one.
func inRoots(path string, roots []string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return false
	}
	for _, r := range roots {
		if real == r || strings.HasPrefix(real, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// capabilities returns the capabilities to compile with: the file given (or
// this OPA's), minus the builtins that are not allowed, plus kvet's mark
// (guard.go).
func capabilities(opts Options) (*ast.Capabilities, error) {
	var caps *ast.Capabilities
	if opts.Capabilities != "" {
		c, err := ast.LoadCapabilitiesFile(opts.Capabilities)
		if err != nil {
			return nil, fmt.Errorf("load capabilities: %w", err)
		}
		caps = c
	} else {
		caps = ast.CapabilitiesForThisVersion()
	}
	denied := deniedBuiltins(opts)
	out := *caps
	out.Builtins = nil
	for _, b := range caps.Builtins {
		if _, ok := denied[b.Name]; !ok {
			out.Builtins = append(out.Builtins, b)
		}
	}
	out.Builtins = append(out.Builtins, markDecl)
	return &out, nil
}

func newCompiler(opts Options, caps *ast.Capabilities) *ast.Compiler {
	return ast.NewCompiler().
		WithEnablePrintStatements(true).
		WithCapabilities(caps).
		WithStrict(opts.Strict)
}

// sortedPaths returns the module file names in order.
func sortedPaths(modules map[string]*ast.Module) []string {
	paths := make([]string, 0, len(modules))
	for p := range modules {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// problematicIf mirrors conftest: in Rego v1, `deny[msg] if {...}` (a
// ref head without contains) defines an object {msg: true}, not the set of
// messages it reads as, so it is refused with the fix. A rule with a plain
// name (`deny if {...}`, a boolean) is accepted, as conftest accepts it
// since 2024: its value is not a set of messages, so it counts as a pass.
func problematicIf(modules map[string]*ast.Module) error {
	for _, path := range sortedPaths(modules) {
		module := modules[path]
		for _, rule := range module.Rules {
			h := rule.Head
			if h == nil || h.Name != "" || h.Value == nil || len(h.Reference) == 0 {
				continue
			}
			name := h.Reference[0].Value.String()
			if IsRuleName(name) && h.Value.String() == "true" {
				return fmt.Errorf("%s:%d: rule %s is using 'if' keyword without 'contains' keyword (write `%s contains msg if`)", path, h.Location.Row, name, name)
			}
		}
	}
	return nil
}

// hasWildcard reports whether a namespace pattern has a glob metacharacter.
func hasWildcard(patterns []string) bool {
	for _, p := range patterns {
		if strings.ContainsAny(p, "*?[") {
			return true
		}
	}
	return false
}

// filterNamespaces returns the namespaces (in their order) that match at
// least one pattern, with path.Match as conftest (#1343): "." is an
// ordinary character, so "main.*" matches "main.gke" and "*" every one.
func filterNamespaces(namespaces, patterns []string) ([]string, error) {
	var out []string
	for _, ns := range namespaces {
		ok, err := MatchNamespace(patterns, ns)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, ns)
		}
	}
	return out, nil
}

// MatchNamespace reports whether the namespace (a package without "data.")
// matches one of the patterns, literal names or globs (path.Match, as
// conftest's --namespace).
func MatchNamespace(patterns []string, ns string) (bool, error) {
	for _, p := range patterns {
		ok, err := path.Match(p, ns)
		if err != nil {
			return false, fmt.Errorf("namespace pattern %q: %w", p, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func compile(ctx context.Context, opts Options, withTests bool) (map[string]*ast.Module, *ast.Compiler, *ast.Capabilities, error) {
	modules, err := loadModules(opts, withTests)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(modules) == 0 {
		where := slices.Clone(opts.Paths)
		if opts.FS != nil {
			where = append(where, "<embedded>")
		}
		return nil, nil, nil, fmt.Errorf("no policies found in %v", where)
	}
	if err := checkDenied(modules, opts); err != nil {
		return nil, nil, nil, err
	}
	caps, err := capabilities(opts)
	if err != nil {
		return nil, nil, nil, err
	}
	if withTests {
		return modules, nil, caps, nil
	}
	compiler := newCompiler(opts, caps)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, nil, nil, fmt.Errorf("compile policies:\n%s", FormatError(compiler.Errors))
	}
	if ver, _ := ParseRegoVersion(opts.RegoVersion); ver == ast.RegoV1 {
		if err := problematicIf(modules); err != nil {
			return nil, nil, nil, err
		}
	}
	return modules, compiler, caps, nil
}

// Load reads, checks and compiles the policies and data once, and prepares a
// query per namespace.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	modules, compiler, _, err := compile(ctx, opts, false)
	if err != nil {
		return nil, err
	}
	docs, err := LoadData(opts.DataPaths)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		opts:     opts,
		modules:  modules,
		compiler: compiler,
		store:    inmem.NewFromObject(docs), // writes (extraData) round-trip through JSON
	}
	if opts.AllowEnv {
		e.runtime = RuntimeTerm()
	}

	// Discover namespaces and rules (conftest's rules), deterministically.
	byNS := map[string]*nsQuery{}
	for _, path := range sortedPaths(modules) {
		m := modules[path]
		ns := strings.Replace(m.Package.Path.String(), "data.", "", 1)
		q := byNS[ns]
		if q == nil {
			q = &nsQuery{ns: ns, pkg: m.Package.Path}
			byNS[ns] = q
			e.allNS = append(e.allNS, ns)
		}
		if !slices.Contains(q.files, path) {
			q.files = append(q.files, path)
		}
		for _, r := range m.Rules {
			name := r.Head.Name.String()
			if !IsRuleName(name) {
				continue
			}
			q.ruleCount++
			if !slices.Contains(q.rules, name) {
				q.rules = append(q.rules, name)
			}
		}
	}
	sort.Strings(e.allNS)
	for _, q := range byNS {
		q.exceptions = definesException(modules, docs, q.pkg)
		q.describe()
	}

	namespaces := opts.Namespaces
	switch {
	case opts.AllNamespaces:
		namespaces = e.allNS
	case len(namespaces) == 0:
		namespaces = []string{"main"}
	case hasWildcard(namespaces):
		if namespaces, err = filterNamespaces(e.allNS, namespaces); err != nil {
			return nil, err
		}
	}
	for _, ns := range namespaces {
		q := byNS[ns]
		if q == nil {
			q = &nsQuery{ns: ns}
		}
		if err := e.prepare(ctx, q); err != nil {
			return nil, err
		}
		e.queries = append(e.queries, q)
	}
	if err := e.prepareAll(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// describe writes down, once, each rule's ref and conftest's exception
// query for it.
func (q *nsQuery) describe() {
	for _, rule := range q.rules {
		q.refs = append(q.refs, fmt.Sprintf("data.%s.%s", q.ns, rule))
		q.excQuery = append(q.excQuery, fmt.Sprintf("data.%s.exception[_][_] == %q", q.ns, removeRulePrefix(rule)))
	}
	q.query = strings.Join(q.refs, ", ")
}

// body returns, for every rule of the namespace, query expressions binding
// the rule's value (as a 0/1 element array, so undefined stays visible)
// and, where exceptions can exist, the number of solutions of conftest's
// exception query.
func (q *nsQuery) body(prefix string) []string {
	var body []string
	for i, ref := range q.refs {
		body = append(body, fmt.Sprintf("%sr%d := [__x | __x := %s]", prefix, i, ref))
		if q.exceptions {
			body = append(body, fmt.Sprintf("%se%d := count([1 | %s])", prefix, i, q.excQuery[i]))
		}
	}
	return body
}

// prepared is a query compiled once and evaluated with OPA's topdown
// directly. rego.PreparedEvalQuery.Eval does the same evaluation, but on
// every call it also builds an evaluation context and metrics, opens a
// goroutine to watch for cancellation, and copies every binding and
// expression value to JSON. Here only failures and warnings are converted.
type prepared struct {
	body ast.Body
	qc   ast.QueryCompiler
	vars map[string]ast.Var // a binding's name in the query text → in body
}

// ruleVars are the compiled query's variables for one rule: its value and,
// where exceptions can exist, conftest's exception count (else "").
type ruleVars struct{ value, exceptions ast.Var }

// ruleVars finds, once, the variables body(prefix) bound for q's rules.
func (p *prepared) ruleVars(q *nsQuery, prefix string) []ruleVars {
	name := func(kind string, i int) ast.Var {
		n := prefix + kind + strconv.Itoa(i)
		if v, ok := p.vars[n]; ok {
			return v
		}
		return ast.Var(n)
	}
	out := make([]ruleVars, len(q.rules))
	for i := range out {
		out[i].value = name("r", i)
		if q.exceptions {
			out[i].exceptions = name("e", i)
		}
	}
	return out
}

func (e *Engine) prepareQuery(ctx context.Context, body []string) (*prepared, error) {
	// The query text is the same in both Rego versions.
	parsed, err := ast.ParseBodyWithOpts(strings.Join(body, "; "), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, err
	}
	// As rego.PrepareForEval compiles a query.
	qc := e.compiler.QueryCompiler().
		WithContext(ast.NewQueryContext()).
		WithEnablePrintStatements(true).
		WithStrict(false)
	compiled, err := qc.Compile(parsed)
	if err != nil {
		return nil, err
	}
	p := &prepared{body: compiled, qc: qc, vars: map[string]ast.Var{}}
	for to, from := range qc.RewrittenVars() {
		p.vars[string(from)] = to
	}
	return p, ctx.Err()
}

// eval evaluates p on input, as rego.PreparedEvalQuery.Eval would with the
// engine's options, and returns the bindings of its one solution (nil when
// the query is undefined). ns is the namespace evaluated first. The
// evaluation is bounded by the timeout and the memory budget (guard.go);
// the returned run says which namespace was stopped and why. A run
// stopped by the memory watchdog while others ran is run again alone.
func (e *Engine) eval(ctx context.Context, p *prepared, input ast.Value, tracer topdown.QueryTracer, prints *[]string, ns int) (topdown.QueryResult, *run, error) {
	qr, r, err := e.evalOnce(ctx, p, input, tracer, prints, ns, false)
	if reason, _, _ := r.stopped(); reason == stopMemory && ctx.Err() == nil {
		if prints != nil {
			*prints = (*prints)[:0]
		}
		qr, r, err = e.evalOnce(ctx, p, input, tracer, prints, ns, true)
		if reason, _, _ := r.stopped(); reason == stopMemory {
			runtime.GC() // give back what it took before the next one runs
		}
	}
	return qr, r, err
}

func (e *Engine) budget() int64 {
	if e.opts.MaxMemory > 0 {
		return e.opts.MaxMemory
	}
	return DefaultMaxMemory
}

func (e *Engine) evalOnce(ctx context.Context, p *prepared, input ast.Value, tracer topdown.QueryTracer, prints *[]string, ns int, alone bool) (topdown.QueryResult, *run, error) {
	if alone {
		guard.solo.Lock()
		defer guard.solo.Unlock()
		guard.rebase()
	} else {
		guard.solo.RLock()
		defer guard.solo.RUnlock()
	}
	r := newRun(e.opts.Timeout, e.budget(), ns)
	guard.add(r)
	defer guard.remove(r)
	txn, err := e.store.NewTransaction(ctx)
	if err != nil {
		return nil, r, err
	}
	defer e.store.Abort(ctx, txn)
	defer context.AfterFunc(ctx, r.Cancel)()
	var builtinErrs []topdown.Error
	q := topdown.NewQuery(p.body).
		WithQueryCompiler(p.qc).
		WithCompiler(e.compiler).
		WithStore(e.store).
		WithTransaction(txn).
		WithInput(ast.NewTerm(input)).
		WithRuntime(e.runtime).
		WithMetrics(noMetrics).
		WithIndexing(true).
		WithEarlyExit(true).
		WithBuiltins(markBuiltins).
		WithCancel(r)
	switch {
	case prints != nil:
		q = q.WithPrintHook(collectHook{prints})
	case e.opts.PrintOutput != nil:
		q = q.WithPrintHook(printHook{w: e.opts.PrintOutput, mu: &printMu})
	}
	if e.opts.ShowBuiltinErrors {
		q = q.WithBuiltinErrorList(&builtinErrs)
	}
	if tracer != nil {
		q = q.WithQueryTracer(tracer)
	}
	var first topdown.QueryResult
	err = q.Iter(ctx, func(qr topdown.QueryResult) error {
		if first == nil {
			first = qr
		}
		return nil
	})
	if err != nil {
		return nil, r, err
	}
	if len(builtinErrs) > 0 {
		return nil, r, builtinError(builtinErrs)
	}
	return first, r, nil
}

// stopError describes why namespace q's evaluation stopped, or wraps err.
func (e *Engine) stopError(ctx context.Context, q *nsQuery, r *run, err error) error {
	reason, _, detail := r.stopped()
	where := fmt.Sprintf("namespace %s (%s)", q.ns, strings.Join(q.files, ", "))
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("evaluating %s: %w", where, ctx.Err())
	case reason == stopTimeout:
		return &LimitError{fmt.Sprintf("policy evaluation timed out after %s in %s", e.opts.Timeout, where)}
	case reason == stopMemory:
		return &LimitError{fmt.Sprintf("policy evaluation in %s went over the memory limit of %s (%s); stopped", where, sizeString(e.budget()), detail)}
	case reason == stopTooLarge:
		return &LimitError{fmt.Sprintf("policy evaluation in %s stopped: %s", where, detail)}
	}
	return fmt.Errorf("evaluating %s: %s", where, FormatError(err))
}

// LimitError is a namespace stopped by the timeout or the memory limit.
type LimitError struct{ msg string }

func (e *LimitError) Error() string { return e.msg }

// maxLimitErrors is how many inputs a namespace may exceed its limits on
// before it is no longer evaluated for the rest of the run: a policy that
// runs away on every object would otherwise cost the timeout or the
// memory limit (and a collection) once per object.
const maxLimitErrors = 3

// skipped returns the error for a namespace that is no longer evaluated,
// or nil.
func (e *Engine) skipped(i int) error {
	e.limitsMu.Lock()
	defer e.limitsMu.Unlock()
	if e.limitErrs[i] < maxLimitErrors {
		return nil
	}
	return &LimitError{fmt.Sprintf("%s; after %d such inputs, it is no longer evaluated in this run", e.lastLimit[i], maxLimitErrors)}
}

// countLimits counts the namespaces of out that exceeded their limits.
func (e *Engine) countLimits(out []TracedResult) {
	for i, r := range out {
		if r.Err == nil {
			continue
		}
		var le *LimitError
		if i < len(e.queries) && errors.As(r.Err, &le) {
			e.limitsMu.Lock()
			if e.limitErrs == nil {
				e.limitErrs, e.lastLimit = map[int]int{}, map[int]string{}
			}
			if e.limitErrs[i] < maxLimitErrors {
				e.limitErrs[i]++
				e.lastLimit[i] = le.msg
				if e.limitErrs[i] == maxLimitErrors {
					e.anySkip.Store(true)
				}
			}
			e.limitsMu.Unlock()
		}
	}
}

var noMetrics = metrics.NoOp()

// builtinError is the built-in errors of an evaluation, with
// Options.ShowBuiltinErrors.
type builtinError []topdown.Error

func (b builtinError) Error() string { return fmt.Sprintf("built-in error: %+v", []topdown.Error(b)) }

// prepare prepares the namespace's own query (used for tracing and to name
// the namespace that timed out).
func (e *Engine) prepare(ctx context.Context, q *nsQuery) error {
	if len(q.rules) == 0 {
		return nil
	}
	pq, err := e.prepareQuery(ctx, q.body(""))
	if err != nil {
		return fmt.Errorf("prepare namespace %s: %s", q.ns, FormatError(err))
	}
	q.pq = pq
	q.own = pq.ruleVars(q, "")
	return nil
}

// prepareAll prepares one query for every namespace, so rules shared by
// namespaces (helpers) are evaluated once per document.
func (e *Engine) prepareAll(ctx context.Context) error {
	var body []string
	prefix := func(i int) string { return fmt.Sprintf("n%d_", i) }
	for i, q := range e.queries {
		if q.pq != nil {
			// The mark starts the namespace's time (see guard.go).
			body = append(body, fmt.Sprintf("%s(%d)", markName, i))
			body = append(body, q.body(prefix(i))...)
		}
	}
	if len(body) == 0 {
		return nil
	}
	pq, err := e.prepareQuery(ctx, body)
	if err != nil {
		return fmt.Errorf("prepare query: %s", FormatError(err))
	}
	e.all = pq
	for i, q := range e.queries {
		if q.pq != nil {
			q.all = pq.ruleVars(q, prefix(i))
		}
	}
	return nil
}

// Namespaces returns the namespaces evaluated by Eval, in order.
func (e *Engine) Namespaces() []string {
	out := make([]string, len(e.queries))
	for i, q := range e.queries {
		out[i] = q.ns
	}
	return out
}

// AllNamespaces returns every package of the loaded policies, sorted.
func (e *Engine) AllNamespaces() []string { return slices.Clone(e.allNS) }

// Modules returns the parsed policy modules by file name.
func (e *Engine) Modules() map[string]*ast.Module { return e.modules }

// Compiler returns the compiler holding the policies.
func (e *Engine) Compiler() *ast.Compiler { return e.compiler }

// RuntimeTerm is the value of opa.runtime(): the environment, OPA's version.
func RuntimeTerm() *ast.Term {
	env := ast.NewObject()
	for _, pair := range os.Environ() {
		k, v, ok := strings.Cut(pair, "=")
		if ok {
			env.Insert(ast.StringTerm(k), ast.StringTerm(v))
		} else {
			env.Insert(ast.StringTerm(k), ast.NullTerm())
		}
	}
	obj := ast.NewObject()
	obj.Insert(ast.StringTerm("env"), ast.NewTerm(env))
	obj.Insert(ast.StringTerm("version"), ast.StringTerm(version.Version))
	obj.Insert(ast.StringTerm("commit"), ast.StringTerm(version.Vcs))
	return ast.NewTerm(obj)
}

// TracedResult is a NamespaceResult with the evaluation trace (Options.Trace).
type TracedResult struct {
	NamespaceResult
	Query  string
	Traces []string
	// Prints are the evaluation's print() lines ("file:line: message"),
	// with Options.CollectPrints. All namespaces are evaluated in one
	// query, so an evaluation's prints are all on its first namespace.
	Prints []string
}

// Eval evaluates every namespace against one input document. extraData is
// merged at the top of data for this evaluation (e.g. {"kvet": {"objects":
// ...}}); passing the same map again is free, a different map is written to
// the store once (evaluations with different maps are serialised). When a
// namespace could not be evaluated, the results of the others are still
// returned, with the error (see EvalTraced).
func (e *Engine) Eval(ctx context.Context, input any, extraData map[string]any) ([]NamespaceResult, error) {
	tr, err := e.EvalTraced(ctx, input, extraData)
	if tr == nil {
		return nil, err
	}
	out := make([]NamespaceResult, len(tr))
	for i := range tr {
		out[i] = tr[i].NamespaceResult
	}
	return out, err
}

// EvalTraced is Eval, also returning traces when Options.Trace is set.
// A namespace that times out, goes over the memory limit or fails has its
// NamespaceResult.Err set, and the error returned joins those errors; the
// other namespaces' results are complete.
func (e *Engine) EvalTraced(ctx context.Context, input any, extraData map[string]any) ([]TracedResult, error) {
	value, err := ast.InterfaceToValue(input)
	if err != nil {
		return nil, fmt.Errorf("convert input: %w", err)
	}
	unlock, err := e.useOverlay(ctx, extraData)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var out []TracedResult
	if e.all != nil && !e.opts.Trace && !e.anySkip.Load() {
		out, err = e.evalAll(ctx, value)
		if err != nil {
			return nil, err
		}
	} else {
		out = make([]TracedResult, 0, len(e.queries))
		for i, q := range e.queries {
			if err := e.skipped(i); err != nil {
				out = append(out, TracedResult{NamespaceResult: NamespaceResult{Namespace: q.ns, Err: err}})
				continue
			}
			out = append(out, e.evalNS(ctx, i, q, value))
		}
	}
	e.countLimits(out)
	var errs []error
	for _, r := range out {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return out, errors.Join(errs...)
}

// evalAll evaluates every namespace in one query. When one namespace is
// stopped (timeout, memory, error), it is reported, and the others are
// evaluated one by one, each with its own limits.
func (e *Engine) evalAll(ctx context.Context, input ast.Value) ([]TracedResult, error) {
	var prints []string
	var pp *[]string
	if e.opts.CollectPrints {
		pp = &prints
	}
	qr, r, err := e.eval(ctx, e.all, input, nil, pp, 0)
	if be := (builtinError{}); errors.As(err, &be) {
		return nil, err
	}
	out := make([]TracedResult, 0, len(e.queries))
	if err == nil {
		for _, q := range e.queries {
			res := TracedResult{NamespaceResult: NamespaceResult{Namespace: q.ns}}
			if q.pq != nil && qr != nil {
				if err := e.collect(&res, q, qr, q.all); err != nil {
					res.Err = err
				}
			}
			out = append(out, res)
		}
		if len(out) > 0 {
			out[0].Prints = prints
		}
		return out, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("evaluating policies: %w", ctx.Err())
	}
	failed := r.failed()
	for i, q := range e.queries {
		res := TracedResult{NamespaceResult: NamespaceResult{Namespace: q.ns}}
		switch {
		case q.pq == nil:
		case i == failed:
			res.Err = e.stopError(ctx, q, r, err)
		default:
			res = e.evalNS(ctx, i, q, input)
		}
		out = append(out, res) // a re-evaluated namespace has its own prints
	}
	return out, nil
}

// definesException reports whether data.<pkg>.exception may exist: a
// rule named exception in the package, a package at or below that path, or
// data documents there.
func definesException(modules map[string]*ast.Module, docs map[string]any, pkg ast.Ref) bool {
	exc := exceptionRef(pkg)
	for _, m := range modules {
		if m.Package.Path.HasPrefix(exc) {
			return true
		}
		if !m.Package.Path.Equal(pkg) {
			continue
		}
		for _, r := range m.Rules {
			if ref := r.Head.Ref(); len(ref) > 0 && ref[0].Value.Compare(ast.Var("exception")) == 0 {
				return true
			}
		}
	}
	return dataAt(docs, exc)
}

func exceptionRef(pkg ast.Ref) ast.Ref { return pkg.Append(ast.StringTerm("exception")) }

// dataAt reports whether docs has a value at ref (data.a.b), or may have:
// a ref with a non-string step counts as yes.
func dataAt(docs map[string]any, ref ast.Ref) bool {
	var cur any = docs
	for _, t := range ref[1:] {
		k, ok := t.Value.(ast.String)
		if !ok {
			return true
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[string(k)]; !ok {
			return false
		}
	}
	return true
}

func sameMap(a, b map[string]any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// useOverlay makes extraData the store's overlay and returns with a read lock
// held (released by the returned func).
func (e *Engine) useOverlay(ctx context.Context, extra map[string]any) (func(), error) {
	for {
		e.mu.RLock()
		if extra == nil || sameMap(e.overlay, extra) {
			return e.mu.RUnlock, nil
		}
		e.mu.RUnlock()
		e.mu.Lock()
		if !sameMap(e.overlay, extra) {
			if err := e.checkOverlay(extra); err != nil {
				e.mu.Unlock()
				return nil, err
			}
			if err := e.writeOverlay(ctx, extra); err != nil {
				e.mu.Unlock()
				return nil, err
			}
		}
		e.mu.Unlock()
	}
}

// checkOverlay refuses extra data that would define exceptions for a
// namespace whose query was prepared without them.
func (e *Engine) checkOverlay(extra map[string]any) error {
	for _, q := range e.queries {
		if q.pkg != nil && !q.exceptions && dataAt(extra, exceptionRef(q.pkg)) {
			return fmt.Errorf("extra data may not define data.%s.exception", q.ns)
		}
	}
	return nil
}

func (e *Engine) writeOverlay(ctx context.Context, extra map[string]any) error {
	txn, err := e.store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		return err
	}
	for _, k := range e.ovKeys {
		if _, ok := extra[k]; ok {
			continue
		}
		if err := e.store.Write(ctx, txn, storage.RemoveOp, storage.Path{k}, nil); err != nil && !storage.IsNotFound(err) {
			e.store.Abort(ctx, txn)
			return fmt.Errorf("remove data.%s: %w", k, err)
		}
	}
	e.ovKeys = e.ovKeys[:0]
	for k, v := range extra {
		if err := e.store.Write(ctx, txn, storage.AddOp, storage.Path{k}, v); err != nil {
			e.store.Abort(ctx, txn)
			return fmt.Errorf("write data.%s: %w", k, err)
		}
		e.ovKeys = append(e.ovKeys, k)
	}
	if err := e.store.Commit(ctx, txn); err != nil {
		return err
	}
	e.overlay = extra
	return nil
}

type printHook struct {
	w  io.Writer
	mu *sync.Mutex
}

var printMu sync.Mutex

// collectHook keeps one evaluation's print() lines.
type collectHook struct{ out *[]string }

func (c collectHook) Print(pctx print.Context, msg string) error {
	*c.out = append(*c.out, fmt.Sprintf("%v: %s", pctx.Location, msg))
	return nil
}

func (p printHook) Print(pctx print.Context, msg string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := fmt.Fprintf(p.w, "%v: %s\n", pctx.Location, msg)
	return err
}

func (e *Engine) evalNS(ctx context.Context, i int, q *nsQuery, input ast.Value) TracedResult {
	res := TracedResult{NamespaceResult: NamespaceResult{Namespace: q.ns}}
	if q.pq == nil {
		return res
	}
	var tracer *topdown.BufferTracer
	var qt topdown.QueryTracer
	if e.opts.Trace {
		tracer = topdown.NewBufferTracer()
		qt = tracer
	}
	var pp *[]string
	if e.opts.CollectPrints {
		pp = &res.Prints
	}
	qr, r, err := e.eval(ctx, q.pq, input, qt, pp, i)
	if be := (builtinError{}); errors.As(err, &be) {
		res.Err = err
		return res
	}
	if err != nil {
		res.Err = e.stopError(ctx, q, r, err)
		return res
	}
	if tracer != nil {
		var sb strings.Builder
		topdown.PrettyTrace(&sb, *tracer)
		for _, line := range strings.Split(sb.String(), "\n") {
			if line != "" {
				res.Traces = append(res.Traces, line)
			}
		}
	}
	if qr == nil {
		return res
	}
	if err := e.collect(&res, q, qr, q.own); err != nil {
		res.Err = err
	}
	return res
}

// collect applies conftest's counting to the bindings of one namespace,
// found at vars.
func (e *Engine) collect(res *TracedResult, q *nsQuery, qr topdown.QueryResult, vars []ruleVars) error {
	var successes int
	for i, rule := range q.rules {
		query := q.refs[i]
		nExc := 0
		if t := qr[vars[i].exceptions]; t != nil { // nil: the namespace has no exceptions
			if n, ok := t.Value.(ast.Number); ok {
				if v, ok := n.Int(); ok {
					nExc = v
				}
			}
		}
		for range nExc {
			res.Exceptions = append(res.Exceptions, Result{
				Namespace: q.ns, Rule: rule, Kind: KindException, Msg: q.excQuery[i],
			})
		}
		if nExc > 0 {
			continue
		}
		t := qr[vars[i].value]
		if t == nil {
			continue
		}
		vals, ok := t.Value.(*ast.Array)
		if !ok {
			continue
		}
		for j := range vals.Len() { // 0 (undefined) or 1 value
			var items []*ast.Term
			switch v := vals.Elem(j).Value.(type) {
			case ast.Set:
				items = v.Slice() // sorted, as rego's JSON of a set
			case *ast.Array:
				for k := range v.Len() {
					items = append(items, v.Elem(k))
				}
			}
			if len(items) == 0 {
				successes++
				continue
			}
			for _, t := range items {
				r, ok, err := resultOf(q.ns, rule, query, t.Value)
				if err != nil {
					return fmt.Errorf("namespace %s, rule %s: %w", q.ns, rule, err)
				}
				if !ok {
					continue
				}
				if r.Kind == KindFailure {
					res.Failures = append(res.Failures, r)
				} else {
					res.Warnings = append(res.Warnings, r)
				}
			}
		}
	}
	count := len(res.Failures) + len(res.Warnings) + len(res.Exceptions) + successes
	if count < q.ruleCount {
		successes += q.ruleCount - count
	}
	res.Successes = successes
	res.Query = q.query
	return nil
}

// UsesData reports whether any policy reads data.<key> (e.g. "conftest" for
// data.conftest.file).
func (e *Engine) UsesData(key string) bool {
	found := false
	for _, m := range e.compiler.Modules {
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if len(r) >= 2 && r[0].Equal(ast.DefaultRootDocument) {
				if s, ok := r[1].Value.(ast.String); ok && string(s) == key {
					found = true
				}
			}
			return found
		})
		if found {
			return true
		}
	}
	return false
}
