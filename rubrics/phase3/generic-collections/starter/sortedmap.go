package coll

import (
	"cmp"
	"iter"
)

// SortedMap is an ordered map (a balanced search tree or a skip list). Keys
// are ordered by a comparison function: cmp(a, b) is negative when a < b,
// zero when a and b are the same key, and positive when a > b.
type SortedMap[K, V any] struct {
	// TODO: your fields.
}

// NewSortedMap returns an empty map ordered by the natural order of K.
func NewSortedMap[K cmp.Ordered, V any]() *SortedMap[K, V] {
	panic("not implemented")
}

// NewSortedMapFunc returns an empty map ordered by cmp.
func NewSortedMapFunc[K, V any](cmp func(a, b K) int) *SortedMap[K, V] {
	panic("not implemented")
}

// Len returns the number of keys.
func (m *SortedMap[K, V]) Len() int {
	panic("not implemented")
}

// Get returns the value stored under k.
func (m *SortedMap[K, V]) Get(k K) (v V, ok bool) {
	panic("not implemented")
}

// Put stores v under k. If k was present it returns the previous value and
// replaced == true.
func (m *SortedMap[K, V]) Put(k K, v V) (old V, replaced bool) {
	panic("not implemented")
}

// Delete removes k and reports whether it was present.
func (m *SortedMap[K, V]) Delete(k K) bool {
	panic("not implemented")
}

// Floor returns the greatest key <= k and its value; ok is false if there
// is none.
func (m *SortedMap[K, V]) Floor(k K) (key K, val V, ok bool) {
	panic("not implemented")
}

// All yields every (key, value) pair in increasing key order.
func (m *SortedMap[K, V]) All() iter.Seq2[K, V] {
	panic("not implemented")
}

// Backward yields every (key, value) pair in decreasing key order.
func (m *SortedMap[K, V]) Backward() iter.Seq2[K, V] {
	panic("not implemented")
}

// Range yields the pairs with lo <= key < hi in increasing key order
// (nothing if lo >= hi).
func (m *SortedMap[K, V]) Range(lo, hi K) iter.Seq2[K, V] {
	panic("not implemented")
}
