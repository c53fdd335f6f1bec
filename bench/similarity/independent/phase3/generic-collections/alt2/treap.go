package coll

import (
	"cmp"
	"iter"
	"math/rand/v2"
)

type tnode[K, V any] struct {
	key         K
	val         V
	prio        uint32
	left, right *tnode[K, V]
}

// SortedMap is a treap: a binary search tree balanced by random
// priorities.
type SortedMap[K, V any] struct {
	root    *tnode[K, V]
	count   int
	compare func(a, b K) int
}

func NewSortedMap[K cmp.Ordered, V any]() *SortedMap[K, V] {
	return &SortedMap[K, V]{compare: func(a, b K) int { return cmp.Compare(a, b) }}
}

func NewSortedMapFunc[K, V any](cmp func(a, b K) int) *SortedMap[K, V] {
	return &SortedMap[K, V]{compare: cmp}
}

func (m *SortedMap[K, V]) Len() int { return m.count }

func (m *SortedMap[K, V]) Get(k K) (v V, ok bool) {
	n := m.root
	for n != nil {
		switch c := m.compare(k, n.key); {
		case c < 0:
			n = n.left
		case c > 0:
			n = n.right
		default:
			return n.val, true
		}
	}
	return v, false
}

func rotRight[K, V any](n *tnode[K, V]) *tnode[K, V] {
	l := n.left
	n.left, l.right = l.right, n
	return l
}

func rotLeft[K, V any](n *tnode[K, V]) *tnode[K, V] {
	r := n.right
	n.right, r.left = r.left, n
	return r
}

func (m *SortedMap[K, V]) insert(n *tnode[K, V], k K, v V, old *V, replaced *bool) *tnode[K, V] {
	if n == nil {
		m.count++
		return &tnode[K, V]{key: k, val: v, prio: rand.Uint32()}
	}
	c := m.compare(k, n.key)
	if c == 0 {
		*old, *replaced = n.val, true
		n.val = v
		return n
	}
	if c < 0 {
		n.left = m.insert(n.left, k, v, old, replaced)
		if n.left.prio > n.prio {
			n = rotRight(n)
		}
	} else {
		n.right = m.insert(n.right, k, v, old, replaced)
		if n.right.prio > n.prio {
			n = rotLeft(n)
		}
	}
	return n
}

func (m *SortedMap[K, V]) Put(k K, v V) (old V, replaced bool) {
	m.root = m.insert(m.root, k, v, &old, &replaced)
	return old, replaced
}

func (m *SortedMap[K, V]) remove(n *tnode[K, V], k K, found *bool) *tnode[K, V] {
	if n == nil {
		return nil
	}
	if c := m.compare(k, n.key); c < 0 {
		n.left = m.remove(n.left, k, found)
		return n
	} else if c > 0 {
		n.right = m.remove(n.right, k, found)
		return n
	}
	*found = true
	if n.left == nil {
		return n.right
	}
	if n.right == nil {
		return n.left
	}
	if n.left.prio > n.right.prio {
		n = rotRight(n)
		n.right = m.remove(n.right, k, found)
	} else {
		n = rotLeft(n)
		n.left = m.remove(n.left, k, found)
	}
	return n
}

func (m *SortedMap[K, V]) Delete(k K) bool {
	found := false
	m.root = m.remove(m.root, k, &found)
	if found {
		m.count--
	}
	return found
}

func (m *SortedMap[K, V]) Floor(k K) (key K, val V, ok bool) {
	for n := m.root; n != nil; {
		if m.compare(n.key, k) <= 0 {
			key, val, ok = n.key, n.val, true
			n = n.right
		} else {
			n = n.left
		}
	}
	return
}

func (m *SortedMap[K, V]) walk(n *tnode[K, V], reverse bool, visit func(*tnode[K, V]) bool) bool {
	if n == nil {
		return true
	}
	first, second := n.left, n.right
	if reverse {
		first, second = second, first
	}
	return m.walk(first, reverse, visit) && visit(n) && m.walk(second, reverse, visit)
}

func (m *SortedMap[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		m.walk(m.root, false, func(n *tnode[K, V]) bool { return yield(n.key, n.val) })
	}
}

func (m *SortedMap[K, V]) Backward() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		m.walk(m.root, true, func(n *tnode[K, V]) bool { return yield(n.key, n.val) })
	}
}

func (m *SortedMap[K, V]) Range(lo, hi K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		m.walk(m.root, false, func(n *tnode[K, V]) bool {
			if m.compare(n.key, lo) < 0 {
				return true
			}
			if m.compare(n.key, hi) >= 0 {
				return false
			}
			return yield(n.key, n.val)
		})
	}
}
