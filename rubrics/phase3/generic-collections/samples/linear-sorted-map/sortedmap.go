package coll

import (
	"cmp"
	"iter"
)

// SortedMap is an ordered map backed by one sorted slice of entries, kept in
// order by a linear scan: correct, but every Put, Get and Delete is O(n).
type SortedMap[K, V any] struct {
	entries []entry[K, V]
	cmp     func(a, b K) int
}

type entry[K, V any] struct {
	key K
	val V
}

// NewSortedMap returns an empty map ordered by the natural order of K.
func NewSortedMap[K cmp.Ordered, V any]() *SortedMap[K, V] {
	return &SortedMap[K, V]{cmp: cmp.Compare[K]}
}

// NewSortedMapFunc returns an empty map ordered by cmp.
func NewSortedMapFunc[K, V any](cmp func(a, b K) int) *SortedMap[K, V] {
	return &SortedMap[K, V]{cmp: cmp}
}

// Len returns the number of keys.
func (m *SortedMap[K, V]) Len() int { return len(m.entries) }

// search returns the index of the first entry with key >= k, scanning from
// the start, and whether that entry's key is k.
func (m *SortedMap[K, V]) search(k K) (int, bool) {
	for i, e := range m.entries {
		if c := m.cmp(e.key, k); c >= 0 {
			return i, c == 0
		}
	}
	return len(m.entries), false
}

// Get returns the value stored under k.
func (m *SortedMap[K, V]) Get(k K) (v V, ok bool) {
	if i, found := m.search(k); found {
		return m.entries[i].val, true
	}
	return v, false
}

// Put stores v under k. If k was present it returns the previous value and
// replaced == true.
func (m *SortedMap[K, V]) Put(k K, v V) (old V, replaced bool) {
	i, found := m.search(k)
	if found {
		old, m.entries[i].val = m.entries[i].val, v
		return old, true
	}
	m.entries = append(m.entries, entry[K, V]{})
	copy(m.entries[i+1:], m.entries[i:])
	m.entries[i] = entry[K, V]{k, v}
	return old, false
}

// Delete removes k and reports whether it was present.
func (m *SortedMap[K, V]) Delete(k K) bool {
	i, found := m.search(k)
	if found {
		m.entries = append(m.entries[:i], m.entries[i+1:]...)
	}
	return found
}

// Floor returns the greatest key <= k and its value; ok is false if there
// is none.
func (m *SortedMap[K, V]) Floor(k K) (key K, val V, ok bool) {
	i, found := m.search(k)
	if found {
		return m.entries[i].key, m.entries[i].val, true
	}
	if i == 0 {
		return key, val, false
	}
	return m.entries[i-1].key, m.entries[i-1].val, true
}

// All yields every (key, value) pair in increasing key order.
func (m *SortedMap[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for _, e := range m.entries {
			if !yield(e.key, e.val) {
				return
			}
		}
	}
}

// Backward yields every (key, value) pair in decreasing key order.
func (m *SortedMap[K, V]) Backward() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for i := len(m.entries) - 1; i >= 0; i-- {
			if !yield(m.entries[i].key, m.entries[i].val) {
				return
			}
		}
	}
}

// Range yields the pairs with lo <= key < hi in increasing key order.
func (m *SortedMap[K, V]) Range(lo, hi K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.cmp(lo, hi) >= 0 {
			return
		}
		i, _ := m.search(lo)
		for ; i < len(m.entries) && m.cmp(m.entries[i].key, hi) < 0; i++ {
			if !yield(m.entries[i].key, m.entries[i].val) {
				return
			}
		}
	}
}
