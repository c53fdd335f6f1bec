package cache

import (
	"context"
	"fmt"
)

// flight is a load in progress. val and err are written before done is
// closed and read only after.
type flight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// GetOrLoad returns the live value of k or, on a miss, the result of
// load(ctx, k). Concurrent misses on one key share a single call of load; a
// successful result is stored with the default TTL (unless a value was Set
// meanwhile), an error is returned to every waiting caller and not stored.
//
// The load runs on its own goroutine with the first caller's context values
// but not its cancellation: a caller whose ctx ends gets ctx.Err() at once,
// while the load goes on for the others (and fills the cache).
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	s := c.shardFor(k)
	s.mu.Lock()
	v, ok, gone := s.lookup(k, &c.clock)
	if ok {
		s.hits++
		s.mu.Unlock()
		return v, nil
	}
	s.misses++
	f, running := s.flights[k]
	if !running {
		f = &flight[V]{done: make(chan struct{})}
		if s.flights == nil {
			s.flights = make(map[K]*flight[V])
		}
		s.flights[k] = f
		c.loads.Add(1)
		go c.load(context.WithoutCancel(ctx), s, k, f, load)
	}
	s.mu.Unlock()
	c.notify(gone)

	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// load runs one flight to completion and publishes its result.
func (c *Cache[K, V]) load(ctx context.Context, s *shard[K, V], k K, f *flight[V], load func(context.Context, K) (V, error)) {
	v, err := callLoad(ctx, k, load)
	var gone eviction[K, V]
	s.mu.Lock()
	delete(s.flights, k)
	if err == nil {
		var exp int64
		if c.ttl > 0 {
			exp = c.clock.deadline(c.ttl)
		}
		gone = s.store(k, v, exp, &c.clock, true)
	}
	s.mu.Unlock()
	// Report the eviction before releasing the callers, so that OnEvict has
	// run when GetOrLoad returns, as for every other operation.
	c.notify(gone)
	f.val, f.err = v, err
	close(f.done)
}

// callLoad calls load, turning a panic into an error: a panic on the load's
// goroutine could not be recovered by any caller and would leave the
// waiters blocked.
func callLoad[K comparable, V any](ctx context.Context, k K, load func(context.Context, K) (V, error)) (v V, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cache: load panicked: %v", r)
		}
	}()
	return load(ctx, k)
}
