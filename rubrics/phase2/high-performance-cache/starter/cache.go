// Package cache is a sharded, generic, in-memory LRU cache with per-entry
// TTL, eviction callbacks, statistics and a de-duplicating loader.
//
// This is the starter: the exported API is complete and compiles, but every
// method is a stub. Replace the stubs; keep the names and signatures. See
// README.md for the full contract.
package cache

import (
	"context"
	"iter"
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
	// TODO: shards (each with its own lock, map and recency list), the
	// maphash seed, options, counters.
}

// New returns an empty cache. It panics if Capacity is negative or Shards is
// not a power of two.
func New[K comparable, V any](o Options[K, V]) *Cache[K, V] {
	// TODO
	return &Cache[K, V]{}
}

// Get returns the value stored for k and whether there was a live entry. A
// hit makes the entry the most recently used of its shard; it does not
// extend its TTL. It must not allocate.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	// TODO
	var zero V
	return zero, false
}

// Set stores v for k with the default TTL of the Options. Overwriting an
// existing key must not allocate.
func (c *Cache[K, V]) Set(k K, v V) {
	// TODO
}

// SetTTL stores v for k, expiring after ttl; ttl <= 0 means never.
func (c *Cache[K, V]) SetTTL(k K, v V, ttl time.Duration) {
	// TODO
}

// Delete removes k and reports whether a live entry was removed (reason
// Deleted). An expired entry is removed with reason Expired and Delete
// returns false.
func (c *Cache[K, V]) Delete(k K) bool {
	// TODO
	return false
}

// GetOrLoad returns the live value of k or, on a miss, the result of
// load(ctx, k). Concurrent misses on one key share a single call of load; a
// successful result is stored with the default TTL before GetOrLoad returns,
// an error is returned to every waiting caller and not stored. A caller
// whose ctx ends gets ctx.Err() at once, without cancelling the load for the
// other callers.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	// TODO
	var zero V
	return zero, nil
}

// Len returns the number of live entries (expired ones are not counted).
func (c *Cache[K, V]) Len() int {
	// TODO
	return 0
}

// Stats returns a snapshot of the counters. It must not allocate.
func (c *Cache[K, V]) Stats() Stats {
	// TODO
	return Stats{}
}

// All returns an iterator over the live entries (expired ones are skipped).
// It holds no lock while the loop body runs and changes neither recency nor
// statistics.
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		// TODO
	}
}

// Close stops the cache's background goroutines, if it has any. It is safe
// to call more than once.
func (c *Cache[K, V]) Close() {
	// TODO
}
