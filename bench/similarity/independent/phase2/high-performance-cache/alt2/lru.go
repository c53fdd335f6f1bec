package cache

import (
	"context"
	"iter"
	"sync"
	"time"
)

type node[K comparable, V any] struct {
	k          K
	v          V
	deadline   int64 // unix nanos, 0 = none
	prev, next *node[K, V]
}

type bucket[K comparable, V any] struct {
	sync.RWMutex
	m          map[K]*node[K, V]
	head, tail *node[K, V] // head is the newest
	max        int
}

func (b *bucket[K, V]) unlink(n *node[K, V]) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		b.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		b.tail = n.prev
	}
	n.prev, n.next = nil, nil
}

func (b *bucket[K, V]) pushFront(n *node[K, V]) {
	n.next = b.head
	if b.head != nil {
		b.head.prev = n
	}
	b.head = n
	if b.tail == nil {
		b.tail = n
	}
}

type flight[V any] struct {
	wg  sync.WaitGroup
	v   V
	err error
}

// Cache is a concurrent LRU cache split in buckets by key hash.
type Cache[K comparable, V any] struct {
	buckets []*bucket[K, V]
	opts    Options[K, V]
	statsMu sync.Mutex
	stats   Stats
	fmu     sync.Mutex
	flights map[K]*flight[V]
	stop    chan struct{}
	once    sync.Once
}

// New creates a Cache from o.
func New[K comparable, V any](o Options[K, V]) *Cache[K, V] {
	if o.Shards <= 0 {
		o.Shards = 8
	}
	if o.Capacity <= 0 {
		o.Capacity = 1000
	}
	c := &Cache[K, V]{opts: o, flights: make(map[K]*flight[V]), stop: make(chan struct{})}
	per := max(1, o.Capacity/o.Shards)
	for range o.Shards {
		c.buckets = append(c.buckets, &bucket[K, V]{m: make(map[K]*node[K, V]), max: per})
	}
	return c
}

func (c *Cache[K, V]) bucketFor(k K) *bucket[K, V] {
	h := fnv(k)
	return c.buckets[h%uint32(len(c.buckets))]
}

func (c *Cache[K, V]) count(f func(*Stats)) {
	c.statsMu.Lock()
	f(&c.stats)
	c.statsMu.Unlock()
}

func (c *Cache[K, V]) evicted(k K, v V, why EvictReason) {
	if why == Capacity || why == Expired {
		c.count(func(s *Stats) { s.Evictions++ })
	}
	if cb := c.opts.OnEvict; cb != nil {
		cb(k, v, why)
	}
}

// Get looks k up.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	b := c.bucketFor(k)
	b.Lock()
	n := b.m[k]
	if n != nil && n.deadline != 0 && time.Now().UnixNano() >= n.deadline {
		b.unlink(n)
		delete(b.m, k)
		b.Unlock()
		c.evicted(n.k, n.v, Expired)
		n = nil
	} else {
		if n != nil {
			b.unlink(n)
			b.pushFront(n)
		}
		b.Unlock()
	}
	if n == nil {
		c.count(func(s *Stats) { s.Misses++ })
		var zero V
		return zero, false
	}
	c.count(func(s *Stats) { s.Hits++ })
	return n.v, true
}

// Set adds or replaces k.
func (c *Cache[K, V]) Set(k K, v V) { c.SetTTL(k, v, c.opts.TTL) }

// SetTTL adds or replaces k with its own time to live.
func (c *Cache[K, V]) SetTTL(k K, v V, ttl time.Duration) {
	var dl int64
	if ttl > 0 {
		dl = time.Now().Add(ttl).UnixNano()
	}
	b := c.bucketFor(k)
	b.Lock()
	old := b.m[k]
	var victim *node[K, V]
	if old != nil {
		b.unlink(old)
	} else if len(b.m) >= b.max && b.tail != nil {
		victim = b.tail
		b.unlink(victim)
		delete(b.m, victim.k)
	}
	n := &node[K, V]{k: k, v: v, deadline: dl}
	b.m[k] = n
	b.pushFront(n)
	b.Unlock()
	if old != nil {
		c.evicted(old.k, old.v, Replaced)
	}
	if victim != nil {
		c.evicted(victim.k, victim.v, Capacity)
	}
}

// Delete removes k.
func (c *Cache[K, V]) Delete(k K) bool {
	b := c.bucketFor(k)
	b.Lock()
	n, ok := b.m[k]
	if ok {
		b.unlink(n)
		delete(b.m, k)
	}
	b.Unlock()
	if ok {
		c.evicted(n.k, n.v, Deleted)
	}
	return ok
}

// GetOrLoad returns k's value, calling load at most once at a time per key.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	if v, ok := c.Get(k); ok {
		return v, nil
	}
	c.fmu.Lock()
	f, shared := c.flights[k]
	if !shared {
		f = &flight[V]{}
		f.wg.Add(1)
		c.flights[k] = f
	}
	c.fmu.Unlock()
	if !shared {
		go func() {
			defer f.wg.Done()
			f.v, f.err = load(context.WithoutCancel(ctx), k)
			c.count(func(s *Stats) { s.Loads++ })
			if f.err == nil {
				c.Set(k, f.v)
			}
			c.fmu.Lock()
			delete(c.flights, k)
			c.fmu.Unlock()
		}()
	}
	ready := make(chan struct{})
	go func() { f.wg.Wait(); close(ready) }()
	select {
	case <-ready:
		return f.v, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// Len is the number of stored entries.
func (c *Cache[K, V]) Len() (n int) {
	for _, b := range c.buckets {
		b.RLock()
		n += len(b.m)
		b.RUnlock()
	}
	return n
}

// Stats returns a copy of the counters.
func (c *Cache[K, V]) Stats() Stats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	return c.stats
}

// All iterates over unexpired entries, bucket by bucket.
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		now := time.Now().UnixNano()
		for _, b := range c.buckets {
			type kv struct {
				k K
				v V
			}
			var items []kv
			b.RLock()
			for n := b.head; n != nil; n = n.next {
				if n.deadline == 0 || n.deadline > now {
					items = append(items, kv{n.k, n.v})
				}
			}
			b.RUnlock()
			for _, it := range items {
				if !yield(it.k, it.v) {
					return
				}
			}
		}
	}
}

// Close stops the cache.
func (c *Cache[K, V]) Close() { c.once.Do(func() { close(c.stop) }) }
