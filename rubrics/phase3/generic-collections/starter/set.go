package coll

import "iter"

// Set is an unordered collection of distinct comparable values.
type Set[T comparable] struct {
	// TODO: your fields. Store elements with their own type T, never as any.
}

// NewSet returns a set holding items (duplicates are stored once).
func NewSet[T comparable](items ...T) *Set[T] {
	panic("not implemented")
}

// Add inserts v and reports whether it was not already present.
func (s *Set[T]) Add(v T) bool {
	panic("not implemented")
}

// Has reports whether v is in the set.
func (s *Set[T]) Has(v T) bool {
	panic("not implemented")
}

// Remove deletes v and reports whether it was present.
func (s *Set[T]) Remove(v T) bool {
	panic("not implemented")
}

// Len returns the number of elements.
func (s *Set[T]) Len() int {
	panic("not implemented")
}

// All yields every element exactly once, in no particular order.
func (s *Set[T]) All() iter.Seq[T] {
	panic("not implemented")
}

// Union returns a new set with the elements of a or b. Neither input is
// modified.
func Union[T comparable](a, b *Set[T]) *Set[T] {
	panic("not implemented")
}

// Intersect returns a new set with the elements of both a and b. Neither
// input is modified.
func Intersect[T comparable](a, b *Set[T]) *Set[T] {
	panic("not implemented")
}
