package cache

import (
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
