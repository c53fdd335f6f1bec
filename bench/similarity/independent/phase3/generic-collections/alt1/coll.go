// Package coll has generic collections and iterator helpers.
package coll

import (
	"cmp"
	"iter"
	"sort"
)

// Deque is a double-ended queue on a growable ring buffer.
type Deque[T any] struct {
	buf        []T
	head, size int
}

func (d *Deque[T]) grow() {
	nb := make([]T, max(8, 2*len(d.buf)))
	for i := 0; i < d.size; i++ {
		nb[i] = d.buf[(d.head+i)%len(d.buf)]
	}
	d.buf, d.head = nb, 0
}

// Len is the number of elements.
func (d *Deque[T]) Len() int { return d.size }

// PushBack appends v.
func (d *Deque[T]) PushBack(v T) {
	if d.size == len(d.buf) {
		d.grow()
	}
	d.buf[(d.head+d.size)%len(d.buf)] = v
	d.size++
}

// PushFront prepends v.
func (d *Deque[T]) PushFront(v T) {
	if d.size == len(d.buf) {
		d.grow()
	}
	d.head = (d.head - 1 + len(d.buf)) % len(d.buf)
	d.buf[d.head] = v
	d.size++
}

// PopFront removes the first element.
func (d *Deque[T]) PopFront() (v T, ok bool) {
	if d.size == 0 {
		return v, false
	}
	var zero T
	v, d.buf[d.head] = d.buf[d.head], zero
	d.head = (d.head + 1) % len(d.buf)
	d.size--
	return v, true
}

// PopBack removes the last element.
func (d *Deque[T]) PopBack() (v T, ok bool) {
	if d.size == 0 {
		return v, false
	}
	i := (d.head + d.size - 1) % len(d.buf)
	var zero T
	v, d.buf[i] = d.buf[i], zero
	d.size--
	return v, true
}

// At returns element i; it panics when i is out of range.
func (d *Deque[T]) At(i int) T {
	if i < 0 || i >= d.size {
		panic("coll: Deque index out of range")
	}
	return d.buf[(d.head+i)%len(d.buf)]
}

// All yields index and element, front to back.
func (d *Deque[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		for i := 0; i < d.size; i++ {
			if !yield(i, d.At(i)) {
				return
			}
		}
	}
}

// Heap is a binary min-heap ordered by less.
type Heap[T any] struct {
	data []T
	less func(a, b T) bool
}

// NewHeap builds a heap of items in linear time.
func NewHeap[T any](less func(a, b T) bool, items ...T) *Heap[T] {
	h := &Heap[T]{data: append([]T(nil), items...), less: less}
	for i := len(h.data)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
	return h
}

func (h *Heap[T]) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(h.data[i], h.data[p]) {
			break
		}
		h.data[i], h.data[p] = h.data[p], h.data[i]
		i = p
	}
}

func (h *Heap[T]) down(i int) {
	n := len(h.data)
	for {
		small := i
		if l := 2*i + 1; l < n && h.less(h.data[l], h.data[small]) {
			small = l
		}
		if r := 2*i + 2; r < n && h.less(h.data[r], h.data[small]) {
			small = r
		}
		if small == i {
			return
		}
		h.data[i], h.data[small] = h.data[small], h.data[i]
		i = small
	}
}

// Len is the number of elements.
func (h *Heap[T]) Len() int { return len(h.data) }

// Push adds v.
func (h *Heap[T]) Push(v T) {
	h.data = append(h.data, v)
	h.up(len(h.data) - 1)
}

// Peek returns the smallest element.
func (h *Heap[T]) Peek() (v T, ok bool) {
	if len(h.data) == 0 {
		return v, false
	}
	return h.data[0], true
}

// Pop removes the smallest element.
func (h *Heap[T]) Pop() (v T, ok bool) {
	if len(h.data) == 0 {
		return v, false
	}
	v = h.data[0]
	last := len(h.data) - 1
	h.data[0] = h.data[last]
	var zero T
	h.data[last] = zero
	h.data = h.data[:last]
	h.down(0)
	return v, true
}

// Set is an unordered set.
type Set[T comparable] struct{ m map[T]struct{} }

// NewSet makes a set of items.
func NewSet[T comparable](items ...T) *Set[T] {
	s := &Set[T]{m: make(map[T]struct{}, len(items))}
	for _, it := range items {
		s.m[it] = struct{}{}
	}
	return s
}

// Add inserts v and reports whether it was new.
func (s *Set[T]) Add(v T) bool {
	if s.m == nil {
		s.m = map[T]struct{}{}
	}
	if _, ok := s.m[v]; ok {
		return false
	}
	s.m[v] = struct{}{}
	return true
}

// Has reports membership.
func (s *Set[T]) Has(v T) bool { _, ok := s.m[v]; return ok }

// Remove deletes v and reports whether it was there.
func (s *Set[T]) Remove(v T) bool {
	_, ok := s.m[v]
	delete(s.m, v)
	return ok
}

// Len is the size of the set.
func (s *Set[T]) Len() int { return len(s.m) }

// All yields the elements in no particular order.
func (s *Set[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range s.m {
			if !yield(v) {
				return
			}
		}
	}
}

// Union returns a new set with the elements of both.
func Union[T comparable](a, b *Set[T]) *Set[T] {
	out := NewSet[T]()
	for v := range a.m {
		out.Add(v)
	}
	for v := range b.m {
		out.Add(v)
	}
	return out
}

// Intersect returns a new set with the common elements.
func Intersect[T comparable](a, b *Set[T]) *Set[T] {
	if a.Len() > b.Len() {
		a, b = b, a
	}
	out := NewSet[T]()
	for v := range a.m {
		if b.Has(v) {
			out.Add(v)
		}
	}
	return out
}

// SortedMap keeps its keys in order in a sorted slice.
type SortedMap[K, V any] struct {
	keys []K
	vals []V
	cmp  func(a, b K) int
}

// NewSortedMap orders keys with cmp.Compare.
func NewSortedMap[K cmp.Ordered, V any]() *SortedMap[K, V] {
	return NewSortedMapFunc[K, V](cmp.Compare[K])
}

// NewSortedMapFunc orders keys with the given comparison.
func NewSortedMapFunc[K, V any](cmp func(a, b K) int) *SortedMap[K, V] {
	return &SortedMap[K, V]{cmp: cmp}
}

func (m *SortedMap[K, V]) search(k K) (int, bool) {
	i := sort.Search(len(m.keys), func(i int) bool { return m.cmp(m.keys[i], k) >= 0 })
	return i, i < len(m.keys) && m.cmp(m.keys[i], k) == 0
}

// Len is the number of keys.
func (m *SortedMap[K, V]) Len() int { return len(m.keys) }

// Get returns the value of k.
func (m *SortedMap[K, V]) Get(k K) (v V, ok bool) {
	if i, found := m.search(k); found {
		return m.vals[i], true
	}
	return v, false
}

// Put sets k to v and returns the value it replaced.
func (m *SortedMap[K, V]) Put(k K, v V) (old V, replaced bool) {
	i, found := m.search(k)
	if found {
		old, m.vals[i] = m.vals[i], v
		return old, true
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	copy(m.keys[i+1:], m.keys[i:])
	copy(m.vals[i+1:], m.vals[i:])
	m.keys[i], m.vals[i] = k, v
	return old, false
}

// Delete removes k.
func (m *SortedMap[K, V]) Delete(k K) bool {
	i, found := m.search(k)
	if !found {
		return false
	}
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	return true
}

// Floor returns the greatest key <= k.
func (m *SortedMap[K, V]) Floor(k K) (key K, val V, ok bool) {
	i, found := m.search(k)
	if !found {
		i--
	}
	if i < 0 {
		return key, val, false
	}
	return m.keys[i], m.vals[i], true
}

// All yields the entries in ascending key order.
func (m *SortedMap[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for i := range m.keys {
			if !yield(m.keys[i], m.vals[i]) {
				return
			}
		}
	}
}

// Backward yields the entries in descending key order.
func (m *SortedMap[K, V]) Backward() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for i := len(m.keys) - 1; i >= 0; i-- {
			if !yield(m.keys[i], m.vals[i]) {
				return
			}
		}
	}
}

// Range yields the entries with lo <= key < hi.
func (m *SortedMap[K, V]) Range(lo, hi K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		i, _ := m.search(lo)
		for ; i < len(m.keys) && m.cmp(m.keys[i], hi) < 0; i++ {
			if !yield(m.keys[i], m.vals[i]) {
				return
			}
		}
	}
}

// Map applies f to each element.
func Map[T, U any](s iter.Seq[T], f func(T) U) iter.Seq[U] {
	return func(yield func(U) bool) {
		for v := range s {
			if !yield(f(v)) {
				return
			}
		}
	}
}

// Filter keeps the elements for which keep is true.
func Filter[T any](s iter.Seq[T], keep func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range s {
			if keep(v) && !yield(v) {
				return
			}
		}
	}
}

// Take yields at most n elements.
func Take[T any](s iter.Seq[T], n int) iter.Seq[T] {
	return func(yield func(T) bool) {
		if n <= 0 {
			return
		}
		count := 0
		for v := range s {
			if !yield(v) {
				return
			}
			count++
			if count == n {
				return
			}
		}
	}
}

// Zip pairs the elements of a and b until either ends.
func Zip[A, B any](a iter.Seq[A], b iter.Seq[B]) iter.Seq2[A, B] {
	return func(yield func(A, B) bool) {
		nextB, stop := iter.Pull(b)
		defer stop()
		for x := range a {
			y, ok := nextB()
			if !ok || !yield(x, y) {
				return
			}
		}
	}
}

// Reduce folds s into an accumulator.
func Reduce[T, A any](s iter.Seq[T], init A, f func(A, T) A) A {
	acc := init
	for v := range s {
		acc = f(acc, v)
	}
	return acc
}
