package coll

import "container/heap"

type adapter[T any] struct {
	items []T
	less  func(a, b T) bool
}

func (a *adapter[T]) Len() int           { return len(a.items) }
func (a *adapter[T]) Less(i, j int) bool { return a.less(a.items[i], a.items[j]) }
func (a *adapter[T]) Swap(i, j int)      { a.items[i], a.items[j] = a.items[j], a.items[i] }
func (a *adapter[T]) Push(x any)         { a.items = append(a.items, x.(T)) }
func (a *adapter[T]) Pop() any {
	last := a.items[len(a.items)-1]
	a.items = a.items[:len(a.items)-1]
	return last
}

// Heap is a priority queue on container/heap.
type Heap[T any] struct{ a *adapter[T] }

func NewHeap[T any](less func(a, b T) bool, items ...T) *Heap[T] {
	a := &adapter[T]{items: make([]T, len(items)), less: less}
	copy(a.items, items)
	heap.Init(a)
	return &Heap[T]{a: a}
}

func (h *Heap[T]) Len() int { return h.a.Len() }

func (h *Heap[T]) Push(v T) { heap.Push(h.a, v) }

func (h *Heap[T]) Peek() (v T, ok bool) {
	if h.a.Len() > 0 {
		v, ok = h.a.items[0], true
	}
	return
}

func (h *Heap[T]) Pop() (v T, ok bool) {
	if h.a.Len() == 0 {
		return
	}
	return heap.Pop(h.a).(T), true
}
