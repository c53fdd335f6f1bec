// Package coll implements a few generic containers.
package coll

import "iter"

// Deque is two stacks back to back: front holds the first elements
// reversed, back the rest in order.
type Deque[T any] struct {
	front, back []T
}

func (d *Deque[T]) Len() int { return len(d.front) + len(d.back) }

func (d *Deque[T]) PushBack(v T) { d.back = append(d.back, v) }

func (d *Deque[T]) PushFront(v T) { d.front = append(d.front, v) }

// rebalance moves half of one side to the empty other side.
func (d *Deque[T]) rebalance(toFront bool) {
	src, dst := &d.back, &d.front
	if !toFront {
		src, dst = &d.front, &d.back
	}
	n := len(*src)
	half := (n + 1) / 2
	moved := make([]T, 0, half)
	for i := half - 1; i >= 0; i-- {
		moved = append(moved, (*src)[i])
	}
	*dst = moved
	rest := make([]T, n-half)
	copy(rest, (*src)[half:])
	*src = rest
}

func (d *Deque[T]) PopFront() (v T, ok bool) {
	if d.Len() == 0 {
		return v, false
	}
	if len(d.front) == 0 {
		d.rebalance(true)
	}
	v = d.front[len(d.front)-1]
	d.front = d.front[:len(d.front)-1]
	return v, true
}

func (d *Deque[T]) PopBack() (v T, ok bool) {
	if d.Len() == 0 {
		return v, false
	}
	if len(d.back) == 0 {
		d.rebalance(false)
	}
	v = d.back[len(d.back)-1]
	d.back = d.back[:len(d.back)-1]
	return v, true
}

func (d *Deque[T]) At(i int) T {
	if i < len(d.front) {
		return d.front[len(d.front)-1-i]
	}
	return d.back[i-len(d.front)]
}

func (d *Deque[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		n := d.Len()
		for i := range n {
			if !yield(i, d.At(i)) {
				break
			}
		}
	}
}
