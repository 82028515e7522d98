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

// The limit also leaves liveRoom above the live heap, read every 256
// files, up to liveRoomMax, never shrinking: a run whose kept data grows
// does not make the collector run ever more often.
func TestMemoryBudgetLiveHeap(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	oldLive := liveHeap
	defer func() { liveHeap = oldLive }()
	var m memoryBudget
	m.set() // the base; no file read yet
	for _, c := range []struct{ live, want int64 }{
		{10 << 20, 10<<20 + liveRoom},   // room above the live heap
		{300 << 20, 300<<20 + liveRoom}, // room above a bigger one
		{600 << 20, liveRoomMax},        // capped
		{100 << 20, liveRoomMax},        // never shrinks
	} {
		liveHeap = func() int64 { return c.live }
		for range 255 {
			m.read(1 << 10)
		}
		if got := debug.SetMemoryLimit(-1); got != memoryBase+2<<10 && c.live == 10<<20 {
			t.Errorf("live %d MiB after 255 files: limit %d, want the base and a 1 KiB file", c.live>>20, got)
		}
		m.read(1 << 10) // the 256th file reads the live heap
		want := max(c.want, memoryBase+2<<10)
		if got := debug.SetMemoryLimit(-1); got != want {
			t.Errorf("live %d MiB: limit %d, want %d", c.live>>20, got, want)
		}
	}
}
