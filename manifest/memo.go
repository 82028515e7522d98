package manifest

import "sync"

// A Memo is a value another package derives from an object and wants to
// build at most once per object, as Object.Raw is built: policy/input's
// Rego input value is one. The object keeps it until it is dropped, so
// the deriving package needs no table of objects (which would keep them
// alive) and manifest need not know the value's type. Make one Memo per
// kind of value, once (a package variable), with NewMemo.
type Memo[T any] struct {
	_ byte // distinct Memos have distinct addresses
}

// NewMemo returns a new kind of per-object value.
func NewMemo[T any]() *Memo[T] { return new(Memo[T]) }

// Get returns m's value for o: build(o) on the first call, and that same
// value on every later call, from any goroutine (a call made while
// another builds it waits for it).
func (m *Memo[T]) Get(o *Object, build func(*Object) T) T {
	e := o.memoEntry(m)
	e.once.Do(func() { e.value = build(o) })
	v, _ := e.value.(T)
	return v
}

// memo is one Memo's value for one object; an object's memos are a list
// (there is one kind of Memo today), added to without a lock.
type memo struct {
	key   any
	once  sync.Once
	value any
	next  *memo
}

// memoEntry returns o's entry for key, adding it if there is none.
func (o *Object) memoEntry(key any) *memo {
	for {
		head := o.memos.Load()
		for e := head; e != nil; e = e.next {
			if e.key == key {
				return e
			}
		}
		e := &memo{key: key, next: head}
		if o.memos.CompareAndSwap(head, e) {
			return e
		}
	}
}
