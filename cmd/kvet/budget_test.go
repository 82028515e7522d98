package main

import (
	"runtime/debug"
	"testing"
)

// The heap limit is the base for small files and grows to make room for
// the largest file read, never shrinking.
func TestMemoryBudget(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	var m memoryBudget
	for _, c := range []struct{ read, want int64 }{
		{0, memoryBase},
		{1 << 20, memoryBase + 2<<20},
		{100 << 20, memoryBase + 200<<20},
		{10 << 20, memoryBase + 200<<20}, // a smaller file later: unchanged
	} {
		m.read(int(c.read))
		if got := debug.SetMemoryLimit(-1); got != c.want {
			t.Errorf("after a %d-byte file: limit %d, want %d", c.read, got, c.want)
		}
	}
	m.regoRun() // a run that evaluates Rego keeps more alive
	if got := debug.SetMemoryLimit(-1); got != memoryBaseRego {
		t.Errorf("after regoRun: limit %d, want the Rego base %d (it has room for a 100 MiB file)", got, memoryBaseRego)
	}
	m.read(300 << 20) // a bigger file than the Rego base has room for
	if got := debug.SetMemoryLimit(-1); got != memoryBase+600<<20 {
		t.Errorf("after a 300 MiB file: limit %d, want %d", got, memoryBase+600<<20)
	}
	var none *memoryBudget // GOMEMLIMIT set: the budget is off
	none.read(1 << 30)
	none.regoRun()
	if got := debug.SetMemoryLimit(-1); got != memoryBase+600<<20 {
		t.Errorf("a nil budget changed the limit to %d", got)
	}
}
