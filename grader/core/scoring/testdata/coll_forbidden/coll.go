// Package coll stores elements as any and sorts with package sort.
package coll

import (
	"container/list"
	"sort"
)

// Set is a set of values.
type Set[T comparable] struct {
	items map[any]struct{}
}

// Deque is backed by a list of any.
type Deque[T any] struct {
	l   *list.List
	buf []interface{}
}

// Heap is a binary heap.
type Heap[T any] struct {
	data []T
	less func(a, b T) bool
}

// Sorted returns the heap's elements in order.
func (h *Heap[T]) Sorted() []T {
	out := append([]T(nil), h.data...)
	sort.Slice(out, func(i, j int) bool { return h.less(out[i], out[j]) })
	return out
}
