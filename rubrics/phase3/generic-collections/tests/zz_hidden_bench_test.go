package coll_test

// Hidden benchmarks, run for the submission and for the reference solution
// in turn; the score is the ratio of their median ns/op.

import (
	"math/rand/v2"
	"testing"

	coll "example.com/generic-collections"
)

// BenchmarkHiddenSortedMap: one op builds a SortedMap[int, int] from 100k
// keys in a seeded random order, then looks every key up.
func BenchmarkHiddenSortedMap(b *testing.B) {
	keys := rand.New(rand.NewPCG(11, 0xbe7c)).Perm(100_000)
	b.ReportAllocs()
	for b.Loop() {
		m := coll.NewSortedMap[int, int]()
		for _, k := range keys {
			m.Put(k, k)
		}
		for _, k := range keys {
			if v, ok := m.Get(k); !ok || v != k {
				b.Fatalf("Get(%d) = (%d, %t) after Put(%d, %d)", k, v, ok, k, k)
			}
		}
		if m.Len() != len(keys) {
			b.Fatalf("Len() = %d after %d distinct Puts", m.Len(), len(keys))
		}
	}
}

// BenchmarkHiddenHeap: one op keeps a min-heap of 512 ints in steady state
// through 1M Push+Pop pairs, then drains it.
func BenchmarkHiddenHeap(b *testing.B) {
	r := rand.New(rand.NewPCG(12, 0xbe7c))
	initial := make([]int, 512)
	for i := range initial {
		initial[i] = r.IntN(1 << 30)
	}
	pushes := make([]int, 1_000_000)
	for i := range pushes {
		pushes[i] = r.IntN(1 << 30)
	}
	less := func(a, b int) bool { return a < b }
	b.ReportAllocs()
	for b.Loop() {
		h := coll.NewHeap(less, initial...)
		for _, x := range pushes {
			h.Push(x)
			if v, ok := h.Pop(); !ok || v > x {
				b.Fatalf("Pop() = (%d, %t) right after Push(%d), want a value <= %d", v, ok, x, x)
			}
		}
		prev := -1
		for h.Len() > 0 {
			v, _ := h.Pop()
			if v < prev {
				b.Fatalf("draining: Pop() = %d after %d", v, prev)
			}
			prev = v
		}
	}
}
