package policy

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/types"
)

// Limits of one evaluation. Go cannot recover from running out of memory,
// so a policy that allocates without bound must be stopped before it
// does, in two ways:
//
//   - builtins that can build a value much larger than their operands in
//     one call (concat, sprintf, replace, regex.replace, strings.replace_n,
//     numbers.range, ...) check the size of their result first, and halt the
//     evaluation when it is over the budget;
//   - a watchdog samples the heap (runtime/metrics, no stop-the-world) every
//     few milliseconds while evaluations run, and cancels them when the
//     heap has grown by more than the budget. Which evaluation allocated is
//     not known when several run at once, so a cancelled one is run again
//     alone (the others wait); only if it goes over the budget alone is it
//     reported.
//
// Timeouts are per namespace (policy): the combined query of every
// namespace calls markBuiltin before each namespace, which restarts the
// timer and records which namespace runs, so a namespace that times out or
// runs out of memory is lost alone (the others are evaluated again, each
// on its own: recording their values in the query costs 5% of the time of
// every evaluation, for a case that should not happen).

// DefaultMaxMemory is the memory budget of an evaluation when
// Options.MaxMemory is 0.
const DefaultMaxMemory = 1 << 30

type stopReason int32

const (
	running stopReason = iota
	stopTimeout
	stopMemory
	stopTooLarge // a builtin refused to build a value over the budget
)

// run is the state of one evaluation.
type run struct {
	cancel  topdown.Cancel
	timeout time.Duration
	budget  int64
	timer   *time.Timer
	base    uint64 // the heap goal when the evaluation started (memGuard)

	mu     sync.Mutex
	ns     int // index in Engine.queries of the namespace under evaluation
	reason stopReason
	stopNS int
	detail string
}

type runKey struct{}

func newRun(timeout time.Duration, budget int64, ns int) *run {
	r := &run{cancel: topdown.NewCancel(), timeout: timeout, budget: budget, ns: ns}
	if timeout > 0 {
		r.timer = time.AfterFunc(timeout, func() { r.stop(stopTimeout, "") })
	}
	return r
}

// stop cancels the evaluation for reason, blaming the namespace under
// evaluation; the first reason wins.
func (r *run) stop(reason stopReason, detail string) {
	r.mu.Lock()
	if r.reason == running {
		r.reason, r.stopNS, r.detail = reason, r.ns, detail
	}
	r.mu.Unlock()
	r.cancel.Cancel()
}

func (r *run) done() {
	if r.timer != nil {
		r.timer.Stop()
	}
}

func (r *run) stopped() (stopReason, int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reason, r.stopNS, r.detail
}

// mark is called by the combined query before namespace ns.
func (r *run) mark(ns int) {
	r.mu.Lock()
	r.ns = ns
	r.mu.Unlock()
	if r.timer != nil {
		r.timer.Reset(r.timeout)
	}
}

// failed is the namespace the evaluation was stopped in, or was in when it
// failed.
func (r *run) failed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reason != running {
		return r.stopNS
	}
	return r.ns
}

func runOf(bctx topdown.BuiltinContext) *run {
	if bctx.Context == nil {
		return nil
	}
	r, _ := bctx.Context.Value(runKey{}).(*run)
	return r
}

// markBuiltin is __kvet_mark(ns), always true.
const markName = "__kvet_mark"

var markDecl = &ast.Builtin{
	Name: markName,
	Decl: types.NewFunction(types.Args(types.N), types.B),
}

var markBuiltin = &topdown.Builtin{
	Decl: markDecl,
	Func: func(bctx topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
		if r := runOf(bctx); r != nil {
			ns, _ := ops[0].Value.(ast.Number).Int()
			r.mark(ns)
		}
		return iter(ast.InternedTerm(true))
	},
}

var markBuiltins = map[string]*topdown.Builtin{markName: markBuiltin}

// guard is the process's memory watchdog: the heap is one for every
// engine.
var guard = &memGuard{runs: map[*run]struct{}{}}

type memGuard struct {
	solo sync.RWMutex // held for reading by every evaluation, for writing by one run alone

	mu       sync.Mutex
	runs     map[*run]struct{}
	watching bool
	base     uint64 // the heap goal at the last sample
	trips    atomic.Int64
}

const watchEvery = 5 * time.Millisecond

var heapSamples = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}

// readHeap returns the bytes of heap objects (live and not yet collected),
// the live heap at the last collection, and the heap the collector lets
// that grow to before it runs again (goal; with GOGC=off, nothing is
// collected: the objects now).
func readHeap() (objects, live, goal uint64) {
	s := make([]metrics.Sample, len(heapSamples))
	copy(s, heapSamples)
	metrics.Read(s)
	v := [3]uint64{}
	for i := range s {
		if s[i].Value.Kind() == metrics.KindUint64 {
			v[i] = s[i].Value.Uint64()
		}
	}
	objects, live = v[0], v[1]
	goal = objects
	if gogc := v[2]; gogc <= 1<<20 {
		goal = live + live/100*gogc
	}
	return objects, live, goal
}

func (g *memGuard) add(r *run) {
	g.mu.Lock()
	if !g.watching {
		g.watching = true
		_, _, g.base = readHeap()
		go g.watch()
	}
	r.base = g.base
	g.runs[r] = struct{}{}
	g.mu.Unlock()
}

func (g *memGuard) remove(r *run) {
	g.mu.Lock()
	delete(g.runs, r)
	g.mu.Unlock()
}

// used is how much the heap grew since r started (see watch).
func (g *memGuard) used(r *run) uint64 {
	objects, _, _ := readHeap()
	g.mu.Lock()
	defer g.mu.Unlock()
	if objects > r.base {
		return objects - r.base
	}
	return 0
}

// rebase takes the heap goal after a collection now as the base.
func (g *memGuard) rebase() {
	runtime.GC()
	_, _, goal := readHeap()
	g.mu.Lock()
	g.base = goal
	g.mu.Unlock()
}

func (g *memGuard) watch() {
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	for range t.C {
		objects, _, goal := readHeap()
		g.mu.Lock()
		if len(g.runs) == 0 {
			g.watching = false
			g.mu.Unlock()
			return
		}
		// A run is charged with the growth of the heap since its lowest
		// point while it ran: its own allocations, and those of the
		// goroutines that ran meanwhile (hence the re-run alone). Its
		// base falls when a collection frees garbage that was there when
		// it started (another evaluation stopped for memory).
		for r := range g.runs {
			r.base = min(r.base, goal)
			if objects > r.base && objects-r.base > uint64(r.budget) {
				g.trips.Add(1)
				go r.stop(stopMemory, fmt.Sprintf("the heap grew %s past what kvet held when it started", sizeString(int64(objects-r.base))))
				delete(g.runs, r)
			}
		}
		g.base = goal
		g.mu.Unlock()
	}
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Size checks of the builtins that can build a value much larger than their
// operands in one call. Each returns the (over-)estimated size of the
// result in bytes.
var sizeChecks = map[string]func(ops []*ast.Term) int64{
	"concat": func(ops []*ast.Term) int64 {
		return sum(ops[1], strLen(ops[0]), strLen)
	},
	"sprintf": func(ops []*ast.Term) int64 {
		return strLen(ops[0]) + widths(ops[0]) + sum(ops[1], 0, valueSize)
	},
	"replace": func(ops []*ast.Term) int64 {
		return replaced(strLen(ops[0]), strLen(ops[1]), strLen(ops[2]))
	},
	"strings.replace_n": func(ops []*ast.Term) int64 {
		s := strLen(ops[1])
		n := s
		if obj, ok := ops[0].Value.(ast.Object); ok {
			obj.Foreach(func(k, v *ast.Term) { n = addSat(n, replaced(s, strLen(k), strLen(v))-s) })
		}
		return n
	},
	"regex.replace": func(ops []*ast.Term) int64 {
		return replaced(strLen(ops[0]), 0, strLen(ops[2]))
	},
	"numbers.range":      func(ops []*ast.Term) int64 { return rangeSize(ops[0], ops[1], nil) },
	"numbers.range_step": func(ops []*ast.Term) int64 { return rangeSize(ops[0], ops[1], ops[2]) },
}

const maxSize = int64(1) << 62

func addSat(a, b int64) int64 {
	if a > maxSize-b {
		return maxSize
	}
	return a + b
}

func mulSat(a, b int64) int64 {
	if a != 0 && b > maxSize/a {
		return maxSize
	}
	return a * b
}

func strLen(t *ast.Term) int64 {
	if s, ok := t.Value.(ast.String); ok {
		return int64(len(s))
	}
	return 0
}

// sum adds up size(x)+extra for each x of an array or set. (Arrays, the
// common case, are walked without a closure: this runs on every sprintf.)
func sum(t *ast.Term, extra int64, size func(*ast.Term) int64) int64 {
	var n int64
	switch v := t.Value.(type) {
	case *ast.Array:
		for i := range v.Len() {
			n = addSat(n, size(v.Elem(i))+extra)
		}
	case ast.Set:
		return sumSet(v, extra, size)
	}
	return n
}

func sumSet(v ast.Set, extra int64, size func(*ast.Term) int64) int64 {
	var n int64
	v.Foreach(func(x *ast.Term) { n = addSat(n, size(x)+extra) })
	return n
}

// valueSize is a string's length, and a guess for anything else.
func valueSize(t *ast.Term) int64 {
	if s, ok := t.Value.(ast.String); ok {
		return int64(len(s))
	}
	return 32
}

// widths adds up the numbers in a format string (%1000000d pads to a
// million characters).
func widths(t *ast.Term) int64 {
	s, _ := t.Value.(ast.String)
	var total, cur int64
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			cur = addSat(mulSat(cur, 10), int64(c-'0'))
			continue
		}
		total, cur = addSat(total, cur), 0
	}
	return addSat(total, cur)
}

// replaced bounds the length of s with every match of old (length o; 0:
// between every byte) replaced by new (length n).
func replaced(s, o, n int64) int64 {
	matches := s + 1
	if o > 0 {
		matches = s / o
	}
	return addSat(s, mulSat(matches, n))
}

// rangeSize is the size of numbers.range's array: a term per element.
func rangeSize(a, b, step *ast.Term) int64 {
	x, ok1 := a.Value.(ast.Number)
	y, ok2 := b.Value.(ast.Number)
	if !ok1 || !ok2 {
		return 0
	}
	xi, ok1 := x.Int64()
	yi, ok2 := y.Int64()
	if !ok1 || !ok2 {
		return maxSize // beyond int64: too large in any case
	}
	n := yi - xi
	if n < 0 {
		n = -n
	}
	if n < 0 { // overflow
		return maxSize
	}
	if step != nil {
		if s, ok := step.Value.(ast.Number); ok {
			if si, ok := s.Int64(); ok && si > 1 {
				n /= si
			}
		}
	}
	return mulSat(n+1, 48)
}

func init() {
	for name, size := range sizeChecks {
		orig := topdown.GetBuiltin(name)
		if orig == nil {
			continue
		}
		topdown.RegisterBuiltinFunc(name, func(bctx topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
			budget := int64(DefaultMaxMemory)
			r := runOf(bctx)
			if r != nil {
				budget = r.budget
			}
			n := size(ops)
			over := n > budget
			if !over && r != nil && n > budget/8 {
				// A large value: it must also fit in what the run has
				// left (several would pass one by one between samples).
				over = guard.used(r)+uint64(n) > uint64(budget)
			}
			if over {
				msg := fmt.Sprintf("%s would build a value of about %s, more than the memory limit of an evaluation (%s) allows", name, sizeString(n), sizeString(budget))
				if bctx.Location != nil {
					msg = fmt.Sprintf("%s:%d:%d: %s", bctx.Location.File, bctx.Location.Row, bctx.Location.Col, msg)
				}
				if r != nil {
					r.stop(stopTooLarge, msg)
				}
				return topdown.Halt{Err: fmt.Errorf("%s", msg)}
			}
			return orig(bctx, ops, iter)
		})
	}
}

// withRun returns ctx carrying r, for the builtins.
func withRun(ctx context.Context, r *run) context.Context {
	return context.WithValue(ctx, runKey{}, r)
}
