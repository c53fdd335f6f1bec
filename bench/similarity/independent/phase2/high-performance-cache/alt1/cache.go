package cache

import (
	"container/list"
	"context"
	"hash/maphash"
	"iter"
	"sync"
	"sync/atomic"
	"time"
)

type item[K comparable, V any] struct {
	key     K
	val     V
	expires time.Time // zero: never
}

type shard[K comparable, V any] struct {
	mu    sync.Mutex
	index map[K]*list.Element
	lru   *list.List // front = most recently used
	cap   int
}

type call[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// Cache is a sharded LRU cache with optional expiry.
type Cache[K comparable, V any] struct {
	shards  []*shard[K, V]
	seed    maphash.Seed
	ttl     time.Duration
	onEvict func(K, V, EvictReason)

	hits, misses, evictions, loads atomic.Uint64

	loadMu   sync.Mutex
	inflight map[K]*call[V]
}

// New makes a cache.
func New[K comparable, V any](o Options[K, V]) *Cache[K, V] {
	n := o.Shards
	if n < 1 {
		n = 16
	}
	capacity := o.Capacity
	if capacity < 1 {
		capacity = 1024
	}
	per := (capacity + n - 1) / n
	c := &Cache[K, V]{seed: maphash.MakeSeed(), ttl: o.TTL, onEvict: o.OnEvict, inflight: map[K]*call[V]{}}
	for i := 0; i < n; i++ {
		c.shards = append(c.shards, &shard[K, V]{index: map[K]*list.Element{}, lru: list.New(), cap: per})
	}
	return c
}

func (c *Cache[K, V]) pick(k K) *shard[K, V] {
	return c.shards[maphash.Comparable(c.seed, k)%uint64(len(c.shards))]
}

func (c *Cache[K, V]) notify(evicted []item[K, V], why EvictReason) {
	for _, it := range evicted {
		if why == Capacity || why == Expired {
			c.evictions.Add(1)
		}
		if c.onEvict != nil {
			c.onEvict(it.key, it.val, why)
		}
	}
}

// Get returns the value of k if present and not expired.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	s := c.pick(k)
	s.mu.Lock()
	el, ok := s.index[k]
	if ok {
		it := el.Value.(*item[K, V])
		if !it.expires.IsZero() && time.Now().After(it.expires) {
			s.lru.Remove(el)
			delete(s.index, k)
			s.mu.Unlock()
			c.misses.Add(1)
			c.notify([]item[K, V]{*it}, Expired)
			var zero V
			return zero, false
		}
		s.lru.MoveToFront(el)
		v := it.val
		s.mu.Unlock()
		c.hits.Add(1)
		return v, true
	}
	s.mu.Unlock()
	c.misses.Add(1)
	var zero V
	return zero, false
}

// Set stores v under k with the cache's TTL.
func (c *Cache[K, V]) Set(k K, v V) { c.SetTTL(k, v, c.ttl) }

// SetTTL stores v under k, expiring after ttl (<= 0: never).
func (c *Cache[K, V]) SetTTL(k K, v V, ttl time.Duration) {
	var exp time.Time
	if ttl > 0 {
		exp = time.Now().Add(ttl)
	}
	s := c.pick(k)
	s.mu.Lock()
	var replaced, evicted []item[K, V]
	if el, ok := s.index[k]; ok {
		it := el.Value.(*item[K, V])
		replaced = append(replaced, *it)
		it.val, it.expires = v, exp
		s.lru.MoveToFront(el)
	} else {
		s.index[k] = s.lru.PushFront(&item[K, V]{key: k, val: v, expires: exp})
		for s.lru.Len() > s.cap {
			last := s.lru.Back()
			it := s.lru.Remove(last).(*item[K, V])
			delete(s.index, it.key)
			evicted = append(evicted, *it)
		}
	}
	s.mu.Unlock()
	c.notify(replaced, Replaced)
	c.notify(evicted, Capacity)
}

// Delete removes k and reports whether it was there.
func (c *Cache[K, V]) Delete(k K) bool {
	s := c.pick(k)
	s.mu.Lock()
	el, ok := s.index[k]
	if !ok {
		s.mu.Unlock()
		return false
	}
	it := s.lru.Remove(el).(*item[K, V])
	delete(s.index, k)
	s.mu.Unlock()
	c.notify([]item[K, V]{*it}, Deleted)
	return true
}

// GetOrLoad returns the cached value or loads it once for all concurrent
// callers.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	if v, ok := c.Get(k); ok {
		return v, nil
	}
	c.loadMu.Lock()
	cl, running := c.inflight[k]
	if !running {
		cl = &call[V]{done: make(chan struct{})}
		c.inflight[k] = cl
		c.loadMu.Unlock()
		go func() {
			cl.val, cl.err = load(context.WithoutCancel(ctx), k)
			c.loads.Add(1)
			if cl.err == nil {
				c.Set(k, cl.val)
			}
			c.loadMu.Lock()
			delete(c.inflight, k)
			c.loadMu.Unlock()
			close(cl.done)
		}()
	} else {
		c.loadMu.Unlock()
	}
	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// Len counts the entries, expired ones included.
func (c *Cache[K, V]) Len() int {
	total := 0
	for _, s := range c.shards {
		s.mu.Lock()
		total += s.lru.Len()
		s.mu.Unlock()
	}
	return total
}

// Stats returns the counters.
func (c *Cache[K, V]) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load(), Loads: c.loads.Load()}
}

// All yields a snapshot of the live entries.
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		now := time.Now()
		for _, s := range c.shards {
			s.mu.Lock()
			var snap []item[K, V]
			for el := s.lru.Front(); el != nil; el = el.Next() {
				it := el.Value.(*item[K, V])
				if it.expires.IsZero() || now.Before(it.expires) {
					snap = append(snap, *it)
				}
			}
			s.mu.Unlock()
			for _, it := range snap {
				if !yield(it.key, it.val) {
					return
				}
			}
		}
	}
}

// Close releases the cache.
func (c *Cache[K, V]) Close() {}
