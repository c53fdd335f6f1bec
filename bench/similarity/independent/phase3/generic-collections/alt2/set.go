package coll

import (
	"iter"
	"maps"
)

type Set[T comparable] struct {
	items map[T]bool
}

func NewSet[T comparable](items ...T) *Set[T] {
	s := &Set[T]{items: map[T]bool{}}
	for _, x := range items {
		s.Add(x)
	}
	return s
}

func (s *Set[T]) Add(v T) bool {
	if s.items == nil {
		s.items = map[T]bool{}
	}
	added := !s.items[v]
	s.items[v] = true
	return added
}

func (s *Set[T]) Has(v T) bool { return s.items[v] }

func (s *Set[T]) Remove(v T) bool {
	was := s.items[v]
	delete(s.items, v)
	return was
}

func (s *Set[T]) Len() int { return len(s.items) }

func (s *Set[T]) All() iter.Seq[T] { return maps.Keys(s.items) }

func Union[T comparable](a, b *Set[T]) *Set[T] {
	u := &Set[T]{items: maps.Clone(a.items)}
	if u.items == nil {
		u.items = map[T]bool{}
	}
	maps.Copy(u.items, b.items)
	return u
}

func Intersect[T comparable](a, b *Set[T]) *Set[T] {
	r := NewSet[T]()
	for x := range a.items {
		if b.items[x] {
			r.items[x] = true
		}
	}
	return r
}
