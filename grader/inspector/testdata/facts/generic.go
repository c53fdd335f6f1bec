package facts

import "sync"

// Any is an alias of the empty interface.
type Any = interface{}

// Set stores its elements in a typed map.
type Set[T comparable] struct {
	items map[T]struct{}
}

// NewSet returns a set of items.
func NewSet[T comparable](items ...T) *Set[T] {
	s := &Set[T]{items: map[T]struct{}{}}
	for _, v := range items {
		s.Add(v)
	}
	return s
}

// Add adds v.
func (s *Set[T]) Add(v T) bool {
	_, ok := s.items[v]
	s.items[v] = struct{}{}
	return !ok
}

// Cache holds fields of every shape.
type Cache[K comparable, V any] struct {
	mu     sync.Mutex
	shards []shard[K, V]
	loose  any
	legacy interface{}
	boxed  []*any
	byKey  map[any]V
	alias  Any
	ch     chan interface{}
	inner  struct {
		payload [2]any
	}
	sync.Locker
	method interface{ M() }
}

type shard[K comparable, V any] struct {
	m    map[K]V
	last V
}

// Get looks k up.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	var zero V
	return zero, false
}

// Len is declared on a value receiver.
func (c Cache[K, V]) Len() int { return 0 }

func (c *Cache[K, V]) evict() {}

type hidden struct{}

// Exported is a method of an unexported type.
func (hidden) Exported() {}

func local() {
	type box struct{ v any }
	_ = box{}
}
