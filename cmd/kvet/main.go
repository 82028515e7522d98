// Command kvet lints and validates Kubernetes manifests.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"time"

	policycli "github.com/kvetdev/kvet/policy/cli"
)

func main() {
	// kvet streams: its live heap is small, so the default GC target
	// collects very often. A higher one trades some memory (measured with
	// bench/run) for a fifth less CPU. GOGC still wins when set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// ... but not past a soft limit, which grows with the largest file
	// read (see memoryBudget).
	if os.Getenv("GOMEMLIMIT") == "" {
		budget = &memoryBudget{}
		budget.read(0)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go stopOnSignal(sigs, cancel, hardStopAfter)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stdout))
	os.Exit(code)
}

// hardStopAfter is how long kvet may take to wind down after SIGINT or
// SIGTERM before it exits anyway (a read blocked on a terminal or a pipe
// does not see the cancellation).
const hardStopAfter = 5 * time.Second

// stopOnSignal cancels the run on the first SIGINT or SIGTERM; the run then
// ends without a report (see interrupted). A second signal, or a run that
// has not ended after grace, exits at once.
func stopOnSignal(sigs <-chan os.Signal, cancel context.CancelFunc, grace time.Duration) {
	<-sigs
	cancel()
	select {
	case <-sigs:
	case <-time.After(grace):
	}
	_, _ = io.WriteString(os.Stderr, "kvet: interrupted\n")
	os.Exit(exitInterrupted)
}

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	// exitInterrupted is the shell's code for a process ended by SIGINT
	// (128+2): a run stopped by Ctrl-C or a CI cancellation prints no
	// report, so nothing partial can pass for a complete one.
	exitInterrupted = 130
)

// interrupted reports whether ctx was cancelled by a signal, and if so says
// so on stderr.
func interrupted(ctx context.Context, stderr io.Writer) bool {
	if ctx.Err() == nil {
		return false
	}
	_, _ = io.WriteString(stderr, "kvet: interrupted\n")
	return true
}

const usage = `kvet lints and validates Kubernetes manifests.

Usage:
  kvet lint [flags] PATH...   check manifests (files, folders, - for stdin)
  kvet baseline PATH... > F   write the findings as a baseline (kvet lint --baseline F)
  kvet rules [-o text|json]   list the rules
  kvet explain RULE-ID        print a rule's documentation
  kvet test [flags] PATH...   run Rego policies as conftest test does (drop-in)
  kvet verify [flags]         run the policies' Rego unit tests (test_* rules)
  kvet fix [flags] PATH...    apply the fixes kvet is sure of (--diff to preview)
  kvet lsp [lint flags]       a language server on stdin/stdout, for editors
  kvet init                   write a commented starter .kvet.yaml
  kvet version                print the version

Run 'kvet lint --help' for the flags.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	if len(args) == 0 {
		_, _ = io.WriteString(stderr, usage)
		return exitUsage
	}
	args = hoistGlobalFlags(args)
	switch args[0] {
	case "lint":
		return runLint(ctx, args[1:], stdin, stdout, stderr, tty)
	case "baseline":
		return runBaseline(ctx, args[1:], stdin, stdout, stderr)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "explain":
		return runExplain(args[1:], stdout, stderr)
	case "test":
		policycli.Version = kvetVersion()
		policycli.InputRead = budget.read
		budget.regoRun()
		code := policycli.Test(ctx, args[1:], stdin, stdout, stderr)
		if interrupted(ctx, stderr) {
			return exitInterrupted
		}
		return code
	case "verify":
		code := policycli.Verify(ctx, args[1:], stdin, stdout, stderr)
		if interrupted(ctx, stderr) {
			return exitInterrupted
		}
		return code
	case "init":
		return runInit(args[1:], stdout, stderr)
	case "fix":
		return runFix(ctx, args[1:], stdin, stdout, stderr, tty)
	case "lsp":
		return runLSP(ctx, args[1:], stdin, stdout, stderr)
	case "version", "--version":
		return runVersion(stdout)
	case "help", "-h", "--help":
		_, _ = io.WriteString(stdout, usage)
		return exitOK
	}
	_, _ = io.WriteString(stderr, "kvet: unknown command "+quote(args[0])+"\n\n"+usage)
	return exitUsage
}

// valueFlags are the flags given before the subcommand that take a value
// (conftest's persistent -c/--config-file: `kvet -c conftest.toml test`).
var valueFlags = map[string]bool{"-c": true, "--config": true, "--config-file": true}

// hoistGlobalFlags moves flags written before the subcommand to just
// after it, where the subcommand's flag set reads them, as cobra reads
// conftest's persistent flags: `kvet -c conftest.toml test x.yaml` is
// `kvet test -c conftest.toml x.yaml`. Without a subcommand after them,
// args are returned as they are.
func hoistGlobalFlags(args []string) []string {
	switch args[0] {
	case "-h", "--help", "--version":
		return args
	}
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" {
		if valueFlags[args[i]] {
			i++
		}
		i++
	}
	if i == 0 || i >= len(args) {
		return args
	}
	out := make([]string, 0, len(args))
	out = append(out, args[i])
	out = append(out, args[:i]...)
	return append(out, args[i+1:]...)
}

func quote(s string) string { return "\"" + s + "\"" }

// budget is the process's memoryBudget; nil when GOMEMLIMIT is set.
var budget *memoryBudget

// memoryBudget keeps the Go heap's soft limit (debug.SetMemoryLimit) at a
// base plus twice the largest file read so far. With GOGC at 400 the heap
// may grow to five times the live data; the limit caps that.
//
// A run of the built-in checks reads many small files and keeps little
// alive: a base of 200 MiB held it (80,000 documents in 4,000 files
// peaked at 249 MB of RSS instead of 507-530 MB under the former fixed 640
// MiB, for 3-9% more CPU) until the checks of CRDs, admission policies and
// Pod Security and the prescan's kept files raised the live heap in flight
// to 90-160 MB: at 200 MiB the 100,000-document set then collected 317
// times, 57 s of CPU against 37 s at 320 MiB (peak RSS 352 -> 404 MB).
// A run that evaluates Rego keeps far more alive (OPA's allocations,
// each object's input value, three to four times the findings), and there 200 MiB made the collector run all the time (100,000
// documents with the groups' former bundled Rego: 27 s of CPU became 46 s), so such a
// run has the former 640 MiB. One big file is live as a whole while its
// documents stream (a 229 MB file of 50,000 documents), and a limit without
// room for it makes the collector run without end (2.3 times the CPU at 256
// MiB), hence the margin of twice its size above the base (or the Rego
// base, when that is more: 640 + 2x229 MiB let one 229 MB file with every
// group reach 1,110 MiB of RSS, against 675 with 200 + 2x229).
//
// What the checks keep to the end (the summaries of workloads and
// Services, the index, the compact findings) grows with the documents, so
// a fixed limit makes the collector run ever more often as a run goes on:
// at 100,000 documents a live heap of about 250 MB under a 320 MiB limit
// took 52 s of CPU against 34 s with a 640 MiB limit (RSS 462 -> 713 MB).
// So the limit also leaves liveRoom above the live heap of the last
// collection (runtime/metrics, read every 256 files), up to liveRoomMax:
// a heap that grows with the run keeps its room, and a small one keeps
// the base. 100,000 documents: default 52 -> 36 s of CPU (RSS 462 -> 520
// MB), every group 108 -> 39 s (714 -> 906 MB).
type memoryBudget struct {
	mu      sync.Mutex
	base    int64
	largest int
	live    int64 // the live heap and its room, when last read
	files   int
}

// liveRoom is the room the limit leaves above the live heap. The
// collector's work per cycle follows the live heap (what it marks), and
// the cycles follow the bytes allocated over the room, so a room that
// shrinks as the kept data grows makes a run cost more than in proportion
// to its documents. It was twice the live heap and at least 200 MiB above
// it, up to 800 MiB: on bench/gen's 100,000 documents with every group on,
// a live heap of 450 MB (half of it the findings) then had 180 MB of room
// at the end, 81 collections, about 10 s of the run's 42-45 s of CPU in
// the collector, its write barriers and assists (GOMEMLIMIT=1000MiB: 35
// s; 1500MiB: 29 s). Once the findings log stored its texts once, the
// live heap fell to about 300 MB and, with twice it, so did the room: 38
// -> 44 s. 512 MiB of room up to 1 GiB, measured against that in
// interleaved runs: 32-37 s, peak RSS 966-976 MB (every group), default
// 26-27 s at 830 MB; the corpus 331 -> 363 MB, 10k 367 -> 437 MB.
// (Three or four times the live heap, up to 1.5 GiB: 35-40 s at 1.2-1.6
// GB.)
const liveRoom = 512 << 20

// liveRoomMax caps the limit that the live heap's room asks for, so that a
// run's peak stays near 1 GiB (the collector then works harder instead).
const liveRoomMax = 1024 << 20

// liveHeap is the live heap of the last collection (a variable for tests).
var liveHeap = func() int64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(sample[0].Value.Uint64())
}

const (
	memoryBase     = 320 << 20
	memoryBaseRego = 640 << 20
)

// regoRun gives the run the base of a run that evaluates Rego policies.
func (m *memoryBudget) regoRun() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.base = memoryBaseRego
	m.mu.Unlock()
	m.set()
}

func (m *memoryBudget) set() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.base == 0 {
		m.base = memoryBase
	}
	// The file's room comes on top of the small base only: a Rego run's
	// base already has room for a file of up to 220 MiB.
	debug.SetMemoryLimit(max(m.base, memoryBase+2*int64(m.largest), m.live))
}

// readLive updates the room the live heap asks for; it reports whether
// the limit should grow. Called with m.mu held.
func (m *memoryBudget) readLive() bool {
	live := liveHeap()
	room := min(live+liveRoom, liveRoomMax)
	if room <= m.live {
		return false
	}
	m.live = room
	return true
}

// read is told the size of each input read (manifest.Options.Read).
func (m *memoryBudget) read(size int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	grew := size > m.largest
	if grew {
		m.largest = size
	}
	if m.files++; m.files%256 == 0 && m.readLive() {
		grew = true
	}
	m.mu.Unlock()
	if grew || size == 0 {
		m.set()
	}
}
