package manifest

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestMemo: a Memo's value is built once per object, also when goroutines
// ask for it at once; each Memo and each object has its own.
func TestMemo(t *testing.T) {
	a, b := &Object{Name: "a"}, &Object{Name: "b"}
	m1, m2 := NewMemo[string](), NewMemo[string]()
	var builds atomic.Int32
	build := func(suffix string) func(*Object) string {
		return func(o *Object) string {
			builds.Add(1)
			return o.Name + suffix
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := m1.Get(a, build("1")); got != "a1" {
				t.Errorf("m1 of a = %q", got)
			}
			if got := m2.Get(a, build("2")); got != "a2" {
				t.Errorf("m2 of a = %q", got)
			}
		}()
	}
	wg.Wait()
	if got := m1.Get(b, build("1")); got != "b1" {
		t.Errorf("m1 of b = %q", got)
	}
	if n := builds.Load(); n != 3 {
		t.Errorf("%d builds, want 3 (two Memos of a, one of b)", n)
	}
}
