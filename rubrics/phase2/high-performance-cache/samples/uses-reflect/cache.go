// Package cache is a sharded, generic, in-memory LRU cache with per-entry
// TTL, eviction callbacks, statistics and a de-duplicating loader.
//
// Keys are spread over shards by hash/maphash.Comparable; each shard is an
// exact LRU (a map plus an intrusive doubly linked list) behind its own
// mutex, so operations on different shards never contend. Expired entries
// are removed lazily: by the operation that finds them, and by Len and All,
// which sweep the shards that hold entries with a TTL. The cache starts no
// background goroutine except one per running load.
//
// OnEvict is never called while a shard lock is held, so it may use the
// cache.
package cache

import (
	"hash/maphash"
	"iter"
	"math"
	"reflect"
	"strconv"
	"sync/atomic"
	"time"
)

// EvictReason says why an entry left the cache.
type EvictReason int

const (
	// Capacity: the least recently used entry of a full shard made room for
	// a new key.
	Capacity EvictReason = iota
	// Expired: the entry's TTL had passed.
	Expired
	// Deleted: Delete removed the entry.
	Deleted
	// Replaced: Set or SetTTL stored a new value for the key.
	Replaced
)

// String returns the name of the reason.
func (r EvictReason) String() string {
	switch r {
	case Capacity:
		return "Capacity"
	case Expired:
		return "Expired"
	case Deleted:
		return "Deleted"
	case Replaced:
		return "Replaced"
	}
	return "EvictReason(" + strconv.Itoa(int(r)) + ")"
}

// Options configure a Cache.
type Options[K comparable, V any] struct {
	// Capacity is the total number of entries, split evenly over the shards
	// (each holds at most ceil(Capacity/Shards)); 0 means unbounded.
	// Shards is the number of shards, a power of two; 0 means 16.
	Capacity, Shards int
	// TTL is the lifetime of entries stored by Set; 0 means they never
	// expire.
	TTL time.Duration
	// OnEvict, if not nil, is called synchronously for every entry that
	// leaves the cache, without any lock of the cache held.
	OnEvict func(k K, v V, why EvictReason)
}

// Stats are the cache's counters since New.
type Stats struct{ Hits, Misses, Evictions, Loads uint64 }

// Cache is a sharded LRU cache. Its methods are safe for concurrent use.
type Cache[K comparable, V any] struct {
	seed    maphash.Seed
	mask    uint64
	shards  []shard[K, V]
	ttl     time.Duration
	onEvict func(K, V, EvictReason)
	clock   clock
	loads   atomic.Uint64
}

// New returns an empty cache. It panics if Capacity is negative or Shards is
// not a power of two.
func New[K comparable, V any](o Options[K, V]) *Cache[K, V] {
	if o.Capacity < 0 {
		panic("cache: negative Capacity")
	}
	n := o.Shards
	if n == 0 {
		n = 16
	}
	if n < 0 || n&(n-1) != 0 {
		panic("cache: Shards must be a power of two, got " + strconv.Itoa(o.Shards) +
			" (Cache[" + reflect.TypeFor[K]().String() + ", " + reflect.TypeFor[V]().String() + "])")
	}
	perShard := 0
	if o.Capacity > 0 {
		perShard = (o.Capacity + n - 1) / n
	}
	c := &Cache[K, V]{
		seed:    maphash.MakeSeed(),
		mask:    uint64(n - 1),
		shards:  make([]shard[K, V], n),
		ttl:     o.TTL,
		onEvict: o.OnEvict,
		clock:   clock{start: time.Now()},
	}
	for i := range c.shards {
		c.shards[i].init(perShard)
	}
	return c
}

// Get returns the value stored for k and whether there was a live entry. A
// hit makes the entry the most recently used of its shard; it does not
// extend its TTL.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	s := c.shardFor(k)
	s.mu.Lock()
	v, ok, gone := s.lookup(k, &c.clock)
	if ok {
		s.hits++
	} else {
		s.misses++
	}
	s.mu.Unlock()
	c.notify(gone)
	return v, ok
}

// Set stores v for k with the default TTL of the Options.
func (c *Cache[K, V]) Set(k K, v V) {
	c.set(k, v, c.ttl)
}

// SetTTL stores v for k, expiring after ttl; ttl <= 0 means never.
func (c *Cache[K, V]) SetTTL(k K, v V, ttl time.Duration) {
	c.set(k, v, ttl)
}

func (c *Cache[K, V]) set(k K, v V, ttl time.Duration) {
	var exp int64
	if ttl > 0 {
		exp = c.clock.deadline(ttl)
	}
	s := c.shardFor(k)
	s.mu.Lock()
	gone := s.store(k, v, exp, &c.clock, false)
	s.mu.Unlock()
	c.notify(gone)
}

// Delete removes k and reports whether a live entry was removed (reason
// Deleted). An expired entry is removed with reason Expired and Delete
// returns false.
func (c *Cache[K, V]) Delete(k K) bool {
	s := c.shardFor(k)
	s.mu.Lock()
	gone := s.delete(k, &c.clock)
	s.mu.Unlock()
	c.notify(gone)
	return gone.ok && gone.why == Deleted
}

// Len returns the number of live entries; expired ones are removed first.
func (c *Cache[K, V]) Len() int {
	n := 0
	var gone []eviction[K, V]
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		gone = s.sweep(&c.clock, gone[:0])
		n += len(s.items)
		s.mu.Unlock()
		c.notifyAll(gone)
	}
	return n
}

// Stats returns a snapshot of the counters.
func (c *Cache[K, V]) Stats() Stats {
	st := Stats{Loads: c.loads.Load()}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		st.Hits += s.hits
		st.Misses += s.misses
		st.Evictions += s.evictions
		s.mu.Unlock()
	}
	return st
}

// All returns an iterator over the live entries, shard by shard, most
// recently used first within a shard. Each shard is copied under its lock
// and yielded without it, so the loop body may use the cache. All changes
// neither recency nor statistics (except by evicting expired entries).
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		var live []entryKV[K, V]
		var gone []eviction[K, V]
		for i := range c.shards {
			s := &c.shards[i]
			s.mu.Lock()
			gone = s.sweep(&c.clock, gone[:0])
			live = live[:0]
			for e := s.head; e != nil; e = e.next {
				live = append(live, entryKV[K, V]{e.key, e.val})
			}
			s.mu.Unlock()
			c.notifyAll(gone)
			for _, p := range live {
				if !yield(p.k, p.v) {
					return
				}
			}
		}
	}
}

// Close releases the cache's background resources. This implementation has
// none besides running loads, which finish on their own; Close is safe to
// call more than once.
func (c *Cache[K, V]) Close() {}

func (c *Cache[K, V]) shardFor(k K) *shard[K, V] {
	if c.mask == 0 {
		return &c.shards[0]
	}
	return &c.shards[maphash.Comparable(c.seed, k)&c.mask]
}

// clock measures expiry times as monotonic nanoseconds since New, so that
// changes of the wall clock do not expire or revive entries.
type clock struct{ start time.Time }

func (k *clock) now() int64 {
	return int64(time.Since(k.start))
}

// deadline returns the expiry time of an entry stored now with ttl > 0.
func (k *clock) deadline(ttl time.Duration) int64 {
	now := k.now()
	if exp := now + int64(ttl); exp > now {
		return exp
	}
	return math.MaxInt64
}

func (c *Cache[K, V]) notify(ev eviction[K, V]) {
	if ev.ok && c.onEvict != nil {
		c.onEvict(ev.key, ev.val, ev.why)
	}
}

func (c *Cache[K, V]) notifyAll(evs []eviction[K, V]) {
	for _, ev := range evs {
		c.notify(ev)
	}
}

type entryKV[K comparable, V any] struct {
	k K
	v V
}
