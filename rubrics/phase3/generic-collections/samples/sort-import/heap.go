package coll

import "sort"

// Heap is a binary heap ordered by a less function: Pop and Peek return an
// element x such that less(y, x) is false for every other element y.
type Heap[T any] struct {
	items []T
	less  func(a, b T) bool
}

// NewHeap returns a heap ordered by less holding a copy of items. A sorted
// slice already has the heap property, so it just sorts the copy.
func NewHeap[T any](less func(a, b T) bool, items ...T) *Heap[T] {
	h := &Heap[T]{items: append([]T(nil), items...), less: less}
	sort.Slice(h.items, func(i, j int) bool { return less(h.items[i], h.items[j]) })
	return h
}

// Len returns the number of elements.
func (h *Heap[T]) Len() int { return len(h.items) }

// Push adds v.
func (h *Heap[T]) Push(v T) {
	h.items = append(h.items, v)
	h.up(len(h.items) - 1)
}

// Peek returns the least element without removing it; ok is false if the
// heap is empty.
func (h *Heap[T]) Peek() (v T, ok bool) {
	if len(h.items) == 0 {
		return v, false
	}
	return h.items[0], true
}

// Pop removes and returns the least element; ok is false if the heap is
// empty.
func (h *Heap[T]) Pop() (v T, ok bool) {
	n := len(h.items) - 1
	if n < 0 {
		return v, false
	}
	v = h.items[0]
	h.items[0] = h.items[n]
	var zero T
	h.items[n] = zero // drop the reference
	h.items = h.items[:n]
	h.down(0)
	return v, true
}

func (h *Heap[T]) up(i int) {
	x := h.items[i]
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(x, h.items[p]) {
			break
		}
		h.items[i] = h.items[p]
		i = p
	}
	h.items[i] = x
}

func (h *Heap[T]) down(i int) {
	n := len(h.items)
	if i >= n {
		return
	}
	x := h.items[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h.less(h.items[r], h.items[c]) {
			c = r
		}
		if !h.less(h.items[c], x) {
			break
		}
		h.items[i] = h.items[c]
		i = c
	}
	h.items[i] = x
}
