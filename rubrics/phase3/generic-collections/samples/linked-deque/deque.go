package coll

import (
	"fmt"
	"iter"
)

// Deque is a double-ended queue backed by a doubly linked list: every push
// allocates a node. The zero value is an empty deque ready to use.
type Deque[T any] struct {
	front, back *dnode[T]
	n           int
}

type dnode[T any] struct {
	val        T
	prev, next *dnode[T]
}

// Len returns the number of elements.
func (d *Deque[T]) Len() int { return d.n }

// PushBack appends v at the back.
func (d *Deque[T]) PushBack(v T) {
	nd := &dnode[T]{val: v, prev: d.back}
	if d.back == nil {
		d.front = nd
	} else {
		d.back.next = nd
	}
	d.back = nd
	d.n++
}

// PushFront inserts v at the front.
func (d *Deque[T]) PushFront(v T) {
	nd := &dnode[T]{val: v, next: d.front}
	if d.front == nil {
		d.back = nd
	} else {
		d.front.prev = nd
	}
	d.front = nd
	d.n++
}

// PopFront removes and returns the front element; ok is false if the deque
// is empty.
func (d *Deque[T]) PopFront() (v T, ok bool) {
	if d.n == 0 {
		return v, false
	}
	nd := d.front
	d.front = nd.next
	if d.front == nil {
		d.back = nil
	} else {
		d.front.prev = nil
	}
	d.n--
	return nd.val, true
}

// PopBack removes and returns the back element; ok is false if the deque
// is empty.
func (d *Deque[T]) PopBack() (v T, ok bool) {
	if d.n == 0 {
		return v, false
	}
	nd := d.back
	d.back = nd.prev
	if d.back == nil {
		d.front = nil
	} else {
		d.back.next = nil
	}
	d.n--
	return nd.val, true
}

// At returns the i-th element from the front (At(0) is the front). It
// panics if i is not in [0, Len()). It walks from the nearer end.
func (d *Deque[T]) At(i int) T {
	if i < 0 || i >= d.n {
		panic(fmt.Sprintf("coll: Deque.At(%d) out of range [0, %d)", i, d.n))
	}
	if i < d.n/2 {
		nd := d.front
		for ; i > 0; i-- {
			nd = nd.next
		}
		return nd.val
	}
	nd := d.back
	for j := d.n - 1; j > i; j-- {
		nd = nd.prev
	}
	return nd.val
}

// All yields (index, element) pairs from front to back.
func (d *Deque[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		i := 0
		for nd := d.front; nd != nil; nd = nd.next {
			if !yield(i, nd.val) {
				return
			}
			i++
		}
	}
}
