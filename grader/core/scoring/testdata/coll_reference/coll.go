// Package coll holds type-safe collections.
package coll

import (
	"cmp"
	"iter"
)

// Set is a set of comparable values.
type Set[T comparable] struct {
	items map[T]struct{}
}

// NewSet returns a set of items.
func NewSet[T comparable](items ...T) *Set[T] {
	s := &Set[T]{items: make(map[T]struct{}, len(items))}
	for _, v := range items {
		s.items[v] = struct{}{}
	}
	return s
}

// All yields the elements.
func (s *Set[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range s.items {
			if !yield(v) {
				return
			}
		}
	}
}

// Deque is a ring buffer.
type Deque[T any] struct {
	buf        []T
	head, size int
}

// SortedMap is an ordered map.
type SortedMap[K, V any] struct {
	cmp  func(a, b K) int
	root *node[K, V]
}

type node[K, V any] struct {
	key         K
	val         V
	left, right *node[K, V]
}

// NewSortedMap returns an empty map ordered by cmp.Compare.
func NewSortedMap[K cmp.Ordered, V any]() *SortedMap[K, V] {
	return &SortedMap[K, V]{cmp: cmp.Compare[K]}
}
