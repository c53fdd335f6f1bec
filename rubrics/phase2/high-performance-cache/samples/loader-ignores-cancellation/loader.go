package cache

import "context"

// flight is a load in progress. val and err are written before done is
// closed and read only after.
type flight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// GetOrLoad returns the live value of k or, on a miss, the result of
// load(ctx, k). Concurrent misses on one key share a single call of load,
// made by the first caller; the others wait for its result.
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
	if f, running := s.flights[k]; running {
		s.mu.Unlock()
		c.notify(gone)
		<-f.done
		return f.val, f.err
	}
	f := &flight[V]{done: make(chan struct{})}
	if s.flights == nil {
		s.flights = make(map[K]*flight[V])
	}
	s.flights[k] = f
	c.loads.Add(1)
	s.mu.Unlock()
	c.notify(gone)
	c.load(ctx, s, k, f, load)
	return f.val, f.err
}

// load runs one flight to completion and publishes its result.
func (c *Cache[K, V]) load(ctx context.Context, s *shard[K, V], k K, f *flight[V], load func(context.Context, K) (V, error)) {
	v, err := load(ctx, k)
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
	c.notify(gone)
	f.val, f.err = v, err
	close(f.done)
}
