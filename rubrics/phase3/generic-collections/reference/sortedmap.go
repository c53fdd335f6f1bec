package coll

import (
	"cmp"
	"iter"
)

// SortedMap is an ordered map backed by an AVL tree. Keys are ordered by a
// comparison function: cmp(a, b) is negative when a < b, zero when a and b
// are the same key, and positive when a > b.
type SortedMap[K, V any] struct {
	root *node[K, V]
	cmp  func(a, b K) int
	n    int
}

type node[K, V any] struct {
	key         K
	val         V
	left, right *node[K, V]
	height      int
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
func (m *SortedMap[K, V]) Len() int { return m.n }

// Get returns the value stored under k.
func (m *SortedMap[K, V]) Get(k K) (v V, ok bool) {
	for n := m.root; n != nil; {
		switch c := m.cmp(k, n.key); {
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

// Put stores v under k. If k was present it returns the previous value and
// replaced == true.
func (m *SortedMap[K, V]) Put(k K, v V) (old V, replaced bool) {
	m.root = m.put(m.root, k, v, &old, &replaced)
	if !replaced {
		m.n++
	}
	return old, replaced
}

func (m *SortedMap[K, V]) put(n *node[K, V], k K, v V, old *V, replaced *bool) *node[K, V] {
	if n == nil {
		return &node[K, V]{key: k, val: v, height: 1}
	}
	switch c := m.cmp(k, n.key); {
	case c < 0:
		n.left = m.put(n.left, k, v, old, replaced)
	case c > 0:
		n.right = m.put(n.right, k, v, old, replaced)
	default:
		*old, n.val, *replaced = n.val, v, true
		return n
	}
	return rebalance(n)
}

// Delete removes k and reports whether it was present.
func (m *SortedMap[K, V]) Delete(k K) bool {
	var found bool
	m.root = m.delete(m.root, k, &found)
	if found {
		m.n--
	}
	return found
}

func (m *SortedMap[K, V]) delete(n *node[K, V], k K, found *bool) *node[K, V] {
	if n == nil {
		return nil
	}
	switch c := m.cmp(k, n.key); {
	case c < 0:
		n.left = m.delete(n.left, k, found)
	case c > 0:
		n.right = m.delete(n.right, k, found)
	default:
		*found = true
		if n.left == nil {
			return n.right
		}
		if n.right == nil {
			return n.left
		}
		// Replace n by its successor, the minimum of the right subtree.
		var succ *node[K, V]
		n.right = removeMin(n.right, &succ)
		succ.left, succ.right = n.left, n.right
		n = succ
	}
	return rebalance(n)
}

// removeMin unlinks the minimum node of the subtree n into *out and returns
// the rebalanced subtree.
func removeMin[K, V any](n *node[K, V], out **node[K, V]) *node[K, V] {
	if n.left == nil {
		*out = n
		return n.right
	}
	n.left = removeMin(n.left, out)
	return rebalance(n)
}

// Floor returns the greatest key <= k and its value; ok is false if there
// is none.
func (m *SortedMap[K, V]) Floor(k K) (key K, val V, ok bool) {
	var best *node[K, V]
	for n := m.root; n != nil; {
		c := m.cmp(k, n.key)
		if c == 0 {
			return n.key, n.val, true
		}
		if c < 0 {
			n = n.left
		} else {
			best, n = n, n.right
		}
	}
	if best == nil {
		return key, val, false
	}
	return best.key, best.val, true
}

// All yields every (key, value) pair in increasing key order.
func (m *SortedMap[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		m.root.ascend(yield)
	}
}

// Backward yields every (key, value) pair in decreasing key order.
func (m *SortedMap[K, V]) Backward() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		m.root.descend(yield)
	}
}

// Range yields the pairs with lo <= key < hi in increasing key order.
func (m *SortedMap[K, V]) Range(lo, hi K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.cmp(lo, hi) < 0 {
			m.ascendRange(m.root, lo, hi, yield)
		}
	}
}

// ascend, descend and ascendRange return false once yield has returned
// false, so that every caller up the recursion stops at once.
func (n *node[K, V]) ascend(yield func(K, V) bool) bool {
	return n == nil || n.left.ascend(yield) && yield(n.key, n.val) && n.right.ascend(yield)
}

func (n *node[K, V]) descend(yield func(K, V) bool) bool {
	return n == nil || n.right.descend(yield) && yield(n.key, n.val) && n.left.descend(yield)
}

func (m *SortedMap[K, V]) ascendRange(n *node[K, V], lo, hi K, yield func(K, V) bool) bool {
	if n == nil {
		return true
	}
	geLo := m.cmp(n.key, lo) >= 0
	ltHi := m.cmp(n.key, hi) < 0
	if geLo && !m.ascendRange(n.left, lo, hi, yield) {
		return false
	}
	if geLo && ltHi && !yield(n.key, n.val) {
		return false
	}
	return !ltHi || m.ascendRange(n.right, lo, hi, yield)
}

func height[K, V any](n *node[K, V]) int {
	if n == nil {
		return 0
	}
	return n.height
}

func fix[K, V any](n *node[K, V]) {
	n.height = 1 + max(height(n.left), height(n.right))
}

func rotateRight[K, V any](n *node[K, V]) *node[K, V] {
	l := n.left
	n.left, l.right = l.right, n
	fix(n)
	fix(l)
	return l
}

func rotateLeft[K, V any](n *node[K, V]) *node[K, V] {
	r := n.right
	n.right, r.left = r.left, n
	fix(n)
	fix(r)
	return r
}

// rebalance restores the AVL invariant at n, whose subtrees are balanced
// and differ in height by at most 2, and returns the new subtree root.
func rebalance[K, V any](n *node[K, V]) *node[K, V] {
	fix(n)
	switch b := height(n.left) - height(n.right); {
	case b > 1:
		if height(n.left.left) < height(n.left.right) {
			n.left = rotateLeft(n.left)
		}
		return rotateRight(n)
	case b < -1:
		if height(n.right.right) < height(n.right.left) {
			n.right = rotateRight(n.right)
		}
		return rotateLeft(n)
	}
	return n
}
