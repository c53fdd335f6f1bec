package coll_test

// Hidden tests, group "Allocs": steady-state operations allocate nothing.
// testing.AllocsPerRun is deterministic here because nothing else runs in
// parallel; these tests are never run under -race.

import (
	"runtime/debug"
	"testing"

	coll "example.com/generic-collections"
)

// allocsCatch turns a panic of the code under test into a failure of the
// current test only.
func allocsCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

var allocsSink int

func TestHiddenAllocs_DequePushPop(t *testing.T) {
	defer allocsCatch(t)
	var d coll.Deque[int]
	for i := range 100 { // let the buffer grow first
		d.PushBack(i)
	}
	for range 100 {
		d.PopFront()
	}
	d.PushBack(1)
	d.PushBack(2)
	allocs := testing.AllocsPerRun(1000, func() {
		for i := range 16 {
			d.PushBack(i)
			d.PushFront(i)
		}
		for range 16 {
			v, _ := d.PopFront()
			w, _ := d.PopBack()
			allocsSink += v + w
		}
	})
	if allocs != 0 {
		t.Errorf("Deque with room for its elements: 16 x (PushBack + PushFront) then 16 x (PopFront + PopBack) made %v allocations, want 0 "+
			"(a ring buffer reuses its slots once it has grown)", allocs)
	}
}

func TestHiddenAllocs_SetHas(t *testing.T) {
	defer allocsCatch(t)
	items := make([]int, 1000)
	for i := range items {
		items[i] = i * 3
	}
	s := coll.NewSet(items...)
	allocs := testing.AllocsPerRun(100, func() {
		for i := range 3000 {
			if s.Has(i) {
				allocsSink++
			}
		}
	})
	if allocs != 0 {
		t.Errorf("3000 calls of Set[int].Has made %v allocations, want 0", allocs)
	}
}

func TestHiddenAllocs_SortedMapGet(t *testing.T) {
	defer allocsCatch(t)
	m := coll.NewSortedMap[int, int]()
	for i := range 10_000 {
		m.Put((i*7919)%10_000, i)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for k := -10; k < 10_010; k += 7 {
			if v, ok := m.Get(k); ok {
				allocsSink += v
			}
		}
	})
	if allocs != 0 {
		t.Errorf("1432 calls of SortedMap[int, int].Get on 10000 keys made %v allocations, want 0", allocs)
	}
}
