package coll

import (
	"iter"
	"maps"
)

// Set is an unordered collection of distinct comparable values.
// The zero value is an empty set ready to use.
type Set[T comparable] struct {
	m map[T]struct{}
}

// NewSet returns a set holding items (duplicates are stored once).
func NewSet[T comparable](items ...T) *Set[T] {
	s := &Set[T]{m: make(map[T]struct{}, len(items))}
	for _, v := range items {
		s.m[v] = struct{}{}
	}
	return s
}

// Add inserts v and reports whether it was not already present.
func (s *Set[T]) Add(v T) bool {
	if _, ok := s.m[v]; ok {
		return false
	}
	if s.m == nil {
		s.m = make(map[T]struct{})
	}
	s.m[v] = struct{}{}
	return true
}

// Has reports whether v is in the set.
func (s *Set[T]) Has(v T) bool {
	_, ok := s.m[v]
	return ok
}

// Remove deletes v and reports whether it was present.
func (s *Set[T]) Remove(v T) bool {
	if _, ok := s.m[v]; !ok {
		return false
	}
	delete(s.m, v)
	return true
}

// Len returns the number of elements.
func (s *Set[T]) Len() int { return len(s.m) }

// All yields every element once, in no particular order.
func (s *Set[T]) All() iter.Seq[T] {
	return maps.Keys(s.m)
}

// Union returns a new set with the elements of a or b. Neither input is
// modified.
func Union[T comparable](a, b *Set[T]) *Set[T] {
	u := &Set[T]{m: make(map[T]struct{}, a.Len()+b.Len())}
	maps.Copy(u.m, a.m)
	maps.Copy(u.m, b.m)
	return u
}

// Intersect returns a new set with the elements of both a and b. Neither
// input is modified.
func Intersect[T comparable](a, b *Set[T]) *Set[T] {
	if a.Len() > b.Len() {
		a, b = b, a
	}
	r := &Set[T]{m: make(map[T]struct{})}
	for v := range a.m {
		if _, ok := b.m[v]; ok {
			r.m[v] = struct{}{}
		}
	}
	return r
}
