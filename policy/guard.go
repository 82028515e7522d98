package policy

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
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
// namespace calls markBuiltin before each namespace, which records which
// namespace runs (one atomic store), so a namespace that times out or runs
// out of memory is lost alone; the others are evaluated again, each on its
// own (recording their values in the query instead cost 57 allocations per
// evaluation, for a case that should not happen). The watchdog enforces the
// timeout too: a run whose namespace has not changed for longer than it is
// stopped, so an evaluation needs no timer of its own.

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

// run is the state of one evaluation. It is the evaluation's
// topdown.Cancel too, which is how builtins find it (BuiltinContext.Cancel).
type run struct {
	cancelled atomic.Bool
	timeout   time.Duration
	budget    int64
	ns        atomic.Int32 // index in Engine.queries of the namespace under evaluation

	// The watchdog's, under memGuard.mu.
	base   uint64    // the heap goal when the evaluation started
	slot   int       // index in memGuard.runs, -1 when not there
	seenNS int32     // the namespace it saw last
	since  time.Time // when it first saw it

	mu     sync.Mutex
	reason stopReason
	stopNS int
	detail string
}

func newRun(timeout time.Duration, budget int64, ns int) *run {
	r := &run{timeout: timeout, budget: budget}
	r.ns.Store(int32(ns))
	return r
}

// stop cancels the evaluation for reason, blaming the namespace under
// evaluation; the first reason wins.
func (r *run) stop(reason stopReason, detail string) {
	r.mu.Lock()
	if r.reason == running {
		r.reason, r.stopNS, r.detail = reason, int(r.ns.Load()), detail
	}
	r.mu.Unlock()
	r.Cancel()
}

// Cancel stops the evaluation (topdown.Cancel).
func (r *run) Cancel() { r.cancelled.Store(true) }

// Cancelled reports whether the evaluation was stopped (topdown.Cancel).
func (r *run) Cancelled() bool { return r.cancelled.Load() }

func (r *run) stopped() (stopReason, int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reason, r.stopNS, r.detail
}

// mark is called by the combined query before namespace ns.
func (r *run) mark(ns int) { r.ns.Store(int32(ns)) }

// failed is the namespace the evaluation was stopped in, or was in when it
// failed.
func (r *run) failed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reason != running {
		return r.stopNS
	}
	return int(r.ns.Load())
}

func runOf(bctx topdown.BuiltinContext) *run {
	r, _ := bctx.Cancel.(*run)
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
var guard = &memGuard{}

type memGuard struct {
	solo sync.RWMutex // held for reading by every evaluation, for writing by one run alone

	mu       sync.Mutex
	runs     []*run // in flight; run.slot is the index
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
	r.seenNS, r.since = r.ns.Load(), time.Now()
	r.slot = len(g.runs)
	g.runs = append(g.runs, r)
	g.mu.Unlock()
}

func (g *memGuard) remove(r *run) {
	g.mu.Lock()
	g.drop(r)
	g.mu.Unlock()
}

// drop takes r out of runs (under mu).
func (g *memGuard) drop(r *run) {
	if r.slot < 0 || r.slot >= len(g.runs) || g.runs[r.slot] != r {
		return
	}
	last := g.runs[len(g.runs)-1]
	g.runs[r.slot], last.slot = last, r.slot
	g.runs[len(g.runs)-1] = nil
	g.runs = g.runs[:len(g.runs)-1]
	r.slot = -1
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
		now := time.Now()
		for _, r := range slices.Clone(g.runs) {
			if ns := r.ns.Load(); ns != r.seenNS {
				r.seenNS, r.since = ns, now
			} else if r.timeout > 0 && now.Sub(r.since) > r.timeout {
				go r.stop(stopTimeout, "")
				g.drop(r)
				continue
			}
			r.base = min(r.base, goal)
			if objects > r.base && objects-r.base > uint64(r.budget) {
				g.trips.Add(1)
				go r.stop(stopMemory, fmt.Sprintf("the heap grew %s past what kvet held when it started", sizeString(int64(objects-r.base))))
				g.drop(r)
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

// smallValue is a result size no memory limit is below (the flag is in
// MiB): builtins building less are not checked further.
const smallValue = 1 << 19

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
			n := size(ops)
			if n <= smallValue {
				return orig(bctx, ops, iter) // the common case, at once
			}
			budget := int64(DefaultMaxMemory)
			r := runOf(bctx)
			if r != nil {
				budget = r.budget
			}
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
