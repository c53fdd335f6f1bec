package coll

// Heap is a binary heap ordered by a less function: Pop and Peek return an
// element x such that less(y, x) is false for every other element y.
type Heap[T any] struct {
	// TODO: your fields.
}

// NewHeap returns a heap ordered by less holding items.
func NewHeap[T any](less func(a, b T) bool, items ...T) *Heap[T] {
	panic("not implemented")
}

// Len returns the number of elements.
func (h *Heap[T]) Len() int {
	panic("not implemented")
}

// Push adds v.
func (h *Heap[T]) Push(v T) {
	panic("not implemented")
}

// Peek returns the least element without removing it; ok is false if the
// heap is empty.
func (h *Heap[T]) Peek() (v T, ok bool) {
	panic("not implemented")
}

// Pop removes and returns the least element; ok is false if the heap is
// empty.
func (h *Heap[T]) Pop() (v T, ok bool) {
	panic("not implemented")
}
