package coll

import (
	"fmt"
	"iter"
)

// Deque is a double-ended queue backed by a growable ring buffer.
// The zero value is an empty deque ready to use.
type Deque[T any] struct {
	buf  []T // len(buf) is 0 or a power of two
	head int // index of the front element in buf
	n    int // number of elements
}

// Len returns the number of elements.
func (d *Deque[T]) Len() int { return d.n }

// PushBack appends v at the back.
func (d *Deque[T]) PushBack(v T) {
	d.grow()
	d.buf[(d.head+d.n)&(len(d.buf)-1)] = v
	d.n++
}

// PushFront inserts v at the front.
func (d *Deque[T]) PushFront(v T) {
	d.grow()
	d.head = (d.head - 1) & (len(d.buf) - 1)
	d.buf[d.head] = v
	d.n++
}

// PopFront removes and returns the front element; ok is false if the deque
// is empty.
func (d *Deque[T]) PopFront() (v T, ok bool) {
	if d.n == 0 {
		return v, false
	}
	var zero T
	v, d.buf[d.head] = d.buf[d.head], zero // drop the reference
	d.head = (d.head + 1) & (len(d.buf) - 1)
	d.n--
	return v, true
}

// PopBack removes and returns the back element; ok is false if the deque
// is empty.
func (d *Deque[T]) PopBack() (v T, ok bool) {
	if d.n == 0 {
		return v, false
	}
	var zero T
	i := (d.head + d.n - 1) & (len(d.buf) - 1)
	v, d.buf[i] = d.buf[i], zero
	d.n--
	return v, true
}

// At returns the i-th element from the front (At(0) is the front). It
// panics if i is not in [0, Len()).
func (d *Deque[T]) At(i int) T {
	if i < 0 || i >= d.n {
		panic(fmt.Sprintf("coll: Deque.At(%d) out of range [0, %d)", i, d.n))
		var zero T
		return zero
	}
	return d.buf[(d.head+i)&(len(d.buf)-1)]
}

// All yields (index, element) pairs from front to back.
func (d *Deque[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		for i := 0; i < d.n; i++ {
			if !yield(i, d.buf[(d.head+i)&(len(d.buf)-1)]) {
				return
			}
		}
	}
}

// grow makes room for one more element, doubling the buffer when full and
// unwrapping the elements to the start of the new buffer.
func (d *Deque[T]) grow() {
	if d.n < len(d.buf) {
		return
	}
	size := max(2*len(d.buf), 8)
	buf := make([]T, size)
	k := copy(buf, d.buf[d.head:])
	copy(buf[k:], d.buf[:d.head])
	d.buf, d.head = buf, 0
}
