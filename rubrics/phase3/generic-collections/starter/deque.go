package coll

import "iter"

// Deque is a double-ended queue backed by a growable ring buffer.
// The zero value is an empty deque ready to use.
type Deque[T any] struct {
	// TODO: your fields (a ring buffer: a slice, a head index, a length).
}

// Len returns the number of elements.
func (d *Deque[T]) Len() int {
	panic("not implemented")
}

// PushBack appends v at the back.
func (d *Deque[T]) PushBack(v T) {
	panic("not implemented")
}

// PushFront inserts v at the front.
func (d *Deque[T]) PushFront(v T) {
	panic("not implemented")
}

// PopFront removes and returns the front element; ok is false if the deque
// is empty.
func (d *Deque[T]) PopFront() (v T, ok bool) {
	panic("not implemented")
}

// PopBack removes and returns the back element; ok is false if the deque
// is empty.
func (d *Deque[T]) PopBack() (v T, ok bool) {
	panic("not implemented")
}

// At returns the i-th element from the front (At(0) is the front). It
// panics if i is not in [0, Len()).
func (d *Deque[T]) At(i int) T {
	panic("not implemented")
}

// All yields (index, element) pairs from front to back.
func (d *Deque[T]) All() iter.Seq2[int, T] {
	panic("not implemented")
}
