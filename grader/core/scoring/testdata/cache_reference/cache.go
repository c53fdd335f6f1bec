// Package cache is a sharded LRU cache (a reference-like skeleton).
package cache

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// EvictReason says why an entry left the cache.
type EvictReason int

// Options configures a cache.
type Options[K comparable, V any] struct {
	Capacity, Shards int
	TTL              time.Duration
	OnEvict          func(k K, v V, why EvictReason)
}

// Cache is a sharded LRU cache.
type Cache[K comparable, V any] struct {
	seed   maphash.Seed
	shards []shard[K, V]
}

type shard[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]V
	loads   map[K]*call[V]
}

type call[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// New returns an empty cache.
func New[K comparable, V any](o Options[K, V]) *Cache[K, V] {
	return &Cache[K, V]{seed: maphash.MakeSeed()}
}

// Get returns the value of k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	var zero V
	return zero, false
}

// GetOrLoad returns the value of k, loading it once for concurrent callers.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	return load(ctx, k)
}
