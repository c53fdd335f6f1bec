// Package cache is a generic in-memory LRU cache with per-entry TTL,
// eviction callbacks, statistics and a de-duplicating loader.
//
// Entries live in one slice in recency order (index 0 is the most recently
// used) behind one mutex. Simple and correct, but every lookup is a linear
// scan and every hit moves the entries before it.
package cache

import (
	"context"
	"iter"
	"sync"
	"time"
)

// EvictReason says why an entry left the cache.
type EvictReason int

const (
	Capacity EvictReason = iota
	Expired
	Deleted
	Replaced
)

// Options configure a Cache.
type Options[K comparable, V any] struct {
	Capacity, Shards int // Shards is accepted and ignored: one list for all
	TTL              time.Duration
	OnEvict          func(k K, v V, why EvictReason)
}

// Stats are the cache's counters since New.
type Stats struct{ Hits, Misses, Evictions, Loads uint64 }

type item[K comparable, V any] struct {
	key K
	val V
	exp time.Time // zero: never
}

type event[K comparable, V any] struct {
	key K
	val V
	why EvictReason
}

type call[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// Cache is an LRU cache. Its methods are safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	items []item[K, V]
	calls map[K]*call[V]
	stats Stats
	opts  Options[K, V]
}

// New returns an empty cache.
func New[K comparable, V any](o Options[K, V]) *Cache[K, V] {
	if o.Shards < 0 || o.Shards&(o.Shards-1) != 0 || o.Capacity < 0 {
		panic("cache: bad options")
	}
	return &Cache[K, V]{opts: o, calls: map[K]*call[V]{}}
}

func (c *Cache[K, V]) dead(i int, now time.Time) bool {
	exp := c.items[i].exp
	return !exp.IsZero() && !now.Before(exp)
}

// find returns the index of k, or -1.
func (c *Cache[K, V]) find(k K) int {
	for i := range c.items {
		if c.items[i].key == k {
			return i
		}
	}
	return -1
}

// toFront moves items[i] to index 0.
func (c *Cache[K, V]) toFront(i int) {
	it := c.items[i]
	copy(c.items[1:i+1], c.items[:i])
	c.items[0] = it
}

func (c *Cache[K, V]) removeAt(i int) item[K, V] {
	it := c.items[i]
	c.items = append(c.items[:i], c.items[i+1:]...)
	return it
}

// lookup finds the live entry of k and moves it to the front; an expired one
// is removed and returned in ev.
func (c *Cache[K, V]) lookup(k K) (v V, ok bool, ev []event[K, V]) {
	i := c.find(k)
	if i < 0 {
		return v, false, nil
	}
	if c.dead(i, time.Now()) {
		it := c.removeAt(i)
		c.stats.Evictions++
		return v, false, []event[K, V]{{it.key, it.val, Expired}}
	}
	c.toFront(i)
	return c.items[0].val, true, nil
}

func (c *Cache[K, V]) notify(evs []event[K, V]) {
	if c.opts.OnEvict == nil {
		return
	}
	for _, e := range evs {
		c.opts.OnEvict(e.key, e.val, e.why)
	}
}

// Get returns the live value of k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	v, ok, ev := c.lookup(k)
	if ok {
		c.stats.Hits++
	} else {
		c.stats.Misses++
	}
	c.mu.Unlock()
	c.notify(ev)
	return v, ok
}

// Set stores v for k with the default TTL.
func (c *Cache[K, V]) Set(k K, v V) { c.SetTTL(k, v, c.opts.TTL) }

// SetTTL stores v for k, expiring after ttl (never if ttl <= 0).
func (c *Cache[K, V]) SetTTL(k K, v V, ttl time.Duration) {
	c.mu.Lock()
	ev := c.store(k, v, ttl, false)
	c.mu.Unlock()
	c.notify(ev)
}

func (c *Cache[K, V]) store(k K, v V, ttl time.Duration, ifAbsent bool) []event[K, V] {
	now := time.Now()
	var exp time.Time
	if ttl > 0 {
		exp = now.Add(ttl)
	}
	if i := c.find(k); i >= 0 {
		why := Replaced
		if c.dead(i, now) {
			why = Expired
			c.stats.Evictions++
		} else if ifAbsent {
			return nil
		}
		old := c.items[i].val
		c.items[i].val, c.items[i].exp = v, exp
		c.toFront(i)
		if c.opts.OnEvict == nil {
			return nil
		}
		return []event[K, V]{{k, old, why}}
	}
	var ev []event[K, V]
	if c.opts.Capacity > 0 && len(c.items) >= c.opts.Capacity {
		last := len(c.items) - 1
		why := Capacity
		if c.dead(last, now) {
			why = Expired
		}
		it := c.removeAt(last)
		c.stats.Evictions++
		ev = []event[K, V]{{it.key, it.val, why}}
	}
	c.items = append(c.items, item[K, V]{})
	c.toFront(len(c.items) - 1)
	c.items[0] = item[K, V]{k, v, exp}
	return ev
}

// Delete removes k and reports whether it was live.
func (c *Cache[K, V]) Delete(k K) bool {
	c.mu.Lock()
	i := c.find(k)
	if i < 0 {
		c.mu.Unlock()
		return false
	}
	why := Deleted
	if c.dead(i, time.Now()) {
		why = Expired
		c.stats.Evictions++
	}
	it := c.removeAt(i)
	c.mu.Unlock()
	c.notify([]event[K, V]{{it.key, it.val, why}})
	return why == Deleted
}

// sweep removes the expired entries.
func (c *Cache[K, V]) sweep() []event[K, V] {
	now := time.Now()
	var ev []event[K, V]
	live := c.items[:0]
	for i := range c.items {
		if c.dead(i, now) {
			ev = append(ev, event[K, V]{c.items[i].key, c.items[i].val, Expired})
			c.stats.Evictions++
			continue
		}
		live = append(live, c.items[i])
	}
	clear(c.items[len(live):])
	c.items = live
	return ev
}

// GetOrLoad returns the live value of k or loads it, once for all
// concurrent callers.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	c.mu.Lock()
	v, ok, ev := c.lookup(k)
	if ok {
		c.stats.Hits++
		c.mu.Unlock()
		return v, nil
	}
	c.stats.Misses++
	cl, running := c.calls[k]
	if !running {
		cl = &call[V]{done: make(chan struct{})}
		c.calls[k] = cl
		c.stats.Loads++
		go c.run(context.WithoutCancel(ctx), k, cl, load)
	}
	c.mu.Unlock()
	c.notify(ev)
	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (c *Cache[K, V]) run(ctx context.Context, k K, cl *call[V], load func(context.Context, K) (V, error)) {
	v, err := load(ctx, k)
	c.mu.Lock()
	delete(c.calls, k)
	var ev []event[K, V]
	if err == nil {
		ev = c.store(k, v, c.opts.TTL, true)
	}
	c.mu.Unlock()
	c.notify(ev)
	cl.val, cl.err = v, err
	close(cl.done)
}

// Len returns the number of live entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	ev := c.sweep()
	n := len(c.items)
	c.mu.Unlock()
	c.notify(ev)
	return n
}

// Stats returns the counters.
func (c *Cache[K, V]) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// All yields the live entries, most recently used first.
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		c.mu.Lock()
		ev := c.sweep()
		snap := append([]item[K, V](nil), c.items...)
		c.mu.Unlock()
		c.notify(ev)
		for _, it := range snap {
			if !yield(it.key, it.val) {
				return
			}
		}
	}
}

// Close does nothing: the cache has no background goroutine.
func (c *Cache[K, V]) Close() {}
