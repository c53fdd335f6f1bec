package coll

// Heap is a priority queue ordered by a less function. This one keeps its
// elements in an unsorted slice: Push is O(1), but Peek and Pop scan every
// element, O(n).
type Heap[T any] struct {
	items []T
	less  func(a, b T) bool
}

// NewHeap returns a heap ordered by less holding a copy of items.
func NewHeap[T any](less func(a, b T) bool, items ...T) *Heap[T] {
	return &Heap[T]{items: append([]T(nil), items...), less: less}
}

// Len returns the number of elements.
func (h *Heap[T]) Len() int { return len(h.items) }

// Push adds v.
func (h *Heap[T]) Push(v T) { h.items = append(h.items, v) }

// Peek returns the least element without removing it; ok is false if the
// heap is empty.
func (h *Heap[T]) Peek() (v T, ok bool) {
	if len(h.items) == 0 {
		return v, false
	}
	return h.items[h.least()], true
}

// Pop removes and returns the least element; ok is false if the heap is
// empty.
func (h *Heap[T]) Pop() (v T, ok bool) {
	if len(h.items) == 0 {
		return v, false
	}
	i, n := h.least(), len(h.items)-1
	v = h.items[i]
	h.items[i] = h.items[n]
	var zero T
	h.items[n] = zero
	h.items = h.items[:n]
	return v, true
}

// least returns the index of the least element by a linear scan.
func (h *Heap[T]) least() int {
	best := 0
	for i := 1; i < len(h.items); i++ {
		if h.less(h.items[i], h.items[best]) {
			best = i
		}
	}
	return best
}
