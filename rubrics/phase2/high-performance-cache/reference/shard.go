package cache

import "sync"

// entry is one cached value, linked into its shard's recency list.
type entry[K comparable, V any] struct {
	key        K
	val        V
	exp        int64 // expiry on the cache's clock; 0 means never
	prev, next *entry[K, V]
}

func (e *entry[K, V]) expired(now int64) bool {
	return e.exp != 0 && now >= e.exp
}

// eviction is an entry that left a shard, reported to OnEvict once the
// shard's lock is released. ok is false when nothing left.
type eviction[K comparable, V any] struct {
	key K
	val V
	why EvictReason
	ok  bool
}

// shard is an exact LRU: a map for lookups and a doubly linked list in
// recency order (head is the most recently used). Every field is guarded by
// mu.
type shard[K comparable, V any] struct {
	mu         sync.Mutex
	items      map[K]*entry[K, V]
	head, tail *entry[K, V]
	capacity   int // 0: unbounded
	withTTL    int // entries whose exp is not 0; sweeps skip shards without
	hits       uint64
	misses     uint64
	evictions  uint64
	flights    map[K]*flight[V] // loads in progress
	_          [64]byte         // keeps neighbouring shards off this cache line
}

func (s *shard[K, V]) init(capacity int) {
	s.capacity = capacity
	s.items = make(map[K]*entry[K, V], min(capacity, 1024))
}

// lookup returns the live value of k and makes it the most recently used. An
// expired entry is removed and returned as an eviction.
func (s *shard[K, V]) lookup(k K, clk *clock) (v V, ok bool, gone eviction[K, V]) {
	e, found := s.items[k]
	if !found {
		return v, false, gone
	}
	if e.exp != 0 && e.expired(clk.now()) {
		s.remove(e)
		s.evictions++
		return v, false, eviction[K, V]{e.key, e.val, Expired, true}
	}
	s.moveToFront(e)
	return e.val, true, gone
}

// store sets k to v with expiry exp and makes it the most recently used.
// With ifAbsent, a live entry for k is kept as it is. It returns the entry
// that left: the old value of k (Replaced, or Expired if it had expired) or
// the least recently used entry of a full shard (Capacity, or Expired).
func (s *shard[K, V]) store(k K, v V, exp int64, clk *clock, ifAbsent bool) eviction[K, V] {
	if e, found := s.items[k]; found {
		why := Replaced
		if e.exp != 0 && e.expired(clk.now()) {
			why = Expired
		} else if ifAbsent {
			return eviction[K, V]{}
		}
		old := e.val
		e.val = v
		s.setExp(e, exp)
		s.moveToFront(e)
		if why == Expired {
			s.evictions++
		}
		return eviction[K, V]{k, old, why, true}
	}
	var gone eviction[K, V]
	var e *entry[K, V]
	if s.capacity > 0 && len(s.items) >= s.capacity {
		e = s.tail
		gone = eviction[K, V]{e.key, e.val, Capacity, true}
		if e.exp != 0 && e.expired(clk.now()) {
			gone.why = Expired
		}
		s.remove(e)
		s.evictions++
		*e = entry[K, V]{} // reuse the node
	} else {
		e = new(entry[K, V])
	}
	e.key, e.val = k, v
	s.setExp(e, exp)
	s.items[k] = e
	s.pushFront(e)
	return gone
}

// delete removes k: reason Deleted if it was live, Expired if not.
func (s *shard[K, V]) delete(k K, clk *clock) eviction[K, V] {
	e, found := s.items[k]
	if !found {
		return eviction[K, V]{}
	}
	gone := eviction[K, V]{e.key, e.val, Deleted, true}
	if e.exp != 0 && e.expired(clk.now()) {
		gone.why = Expired
		s.evictions++
	}
	s.remove(e)
	return gone
}

// sweep removes every expired entry and appends it to gone.
func (s *shard[K, V]) sweep(clk *clock, gone []eviction[K, V]) []eviction[K, V] {
	if s.withTTL == 0 {
		return gone
	}
	now := clk.now()
	for e := s.head; e != nil; {
		next := e.next
		if e.expired(now) {
			s.remove(e)
			s.evictions++
			gone = append(gone, eviction[K, V]{e.key, e.val, Expired, true})
		}
		e = next
	}
	return gone
}

func (s *shard[K, V]) setExp(e *entry[K, V], exp int64) {
	if e.exp != 0 {
		s.withTTL--
	}
	if exp != 0 {
		s.withTTL++
	}
	e.exp = exp
}

// remove unlinks e and forgets its key.
func (s *shard[K, V]) remove(e *entry[K, V]) {
	s.unlink(e)
	delete(s.items, e.key)
	s.setExp(e, 0)
}

func (s *shard[K, V]) pushFront(e *entry[K, V]) {
	e.prev, e.next = nil, s.head
	if s.head != nil {
		s.head.prev = e
	} else {
		s.tail = e
	}
	s.head = e
}

func (s *shard[K, V]) unlink(e *entry[K, V]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (s *shard[K, V]) moveToFront(e *entry[K, V]) {
	if s.head == e {
		return
	}
	s.unlink(e)
	s.pushFront(e)
}
