package cache_test

// Hidden tests, group Callbacks: OnEvict reasons and reentrancy, Stats
// counters, capacity split over shards, and the All iterator.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cache "example.com/high-performance-cache"
)

func TestHiddenCallbacks_Reasons(t *testing.T) {
	rec := &cbRecorder{}
	c := cache.New(cache.Options[string, int]{Capacity: 2, Shards: 1, OnEvict: rec.onEvict})
	defer c.Close()
	c.Set("a", 1)
	c.Set("b", 2)
	c.Set("a", 10) // Replaced; a is now the most recently used
	c.Set("c", 3)  // the shard is full: b, the least recently used, goes
	if !c.Delete("c") {
		t.Fatal("Delete(\"c\") of a live entry = false, want true")
	}
	if c.Delete("c") {
		t.Fatal("Delete(\"c\") a second time = true, want false")
	}
	if c.Delete("never-set") {
		t.Fatal("Delete of a key never set = true, want false")
	}
	c.SetTTL("a", 11, time.Hour) // Replaced
	c.Set("d", 4)
	// The loaded value evicts a, the least recently used, before GetOrLoad
	// returns.
	if v, err := c.GetOrLoad(context.Background(), "e", func(context.Context, string) (int, error) { return 5, nil }); v != 5 || err != nil {
		t.Fatalf("GetOrLoad(e) = (%d, %v), want (5, nil)", v, err)
	}
	want := []cbEvent{
		{"a", 1, cache.Replaced},
		{"b", 2, cache.Capacity},
		{"c", 3, cache.Deleted},
		{"a", 10, cache.Replaced},
		{"a", 11, cache.Capacity},
	}
	if got := rec.events(); !slices.Equal(got, want) {
		t.Fatalf("Options{Capacity: 2, Shards: 1}: Set(a,1) Set(b,2) Set(a,10) Set(c,3) Delete(c) Delete(c) Delete(never-set) SetTTL(a,11,1h) Set(d,4) GetOrLoad(e):\nOnEvict calls %v,\nwant          %v\n(OnEvict runs before the call that evicts returns; for a load, before GetOrLoad returns)", got, want)
	}
}

func TestHiddenCallbacks_OnEvictMayUseCache(t *testing.T) {
	var c *cache.Cache[string, int]
	var calls atomic.Int32
	c = cache.New(cache.Options[string, int]{Capacity: 2, Shards: 1, OnEvict: func(k string, v int, why cache.EvictReason) {
		c.Len()
		c.Get(k)
		c.Stats()
		calls.Add(1)
	}})
	defer c.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Set("a", 1)
		c.Set("b", 2)
		c.Set("a", 3) // Replaced
		c.Set("c", 4) // Capacity: b
		c.Delete("c") // Deleted
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Set/Delete never returned when OnEvict called Len, Get and Stats on the cache: OnEvict must be called after the cache's locks are released")
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("OnEvict called %d times, want 3 (Replaced, Capacity, Deleted)", n)
	}
}

func TestHiddenCallbacks_Stats(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Capacity: 2, Shards: 1})
	defer c.Close()
	ctx := context.Background()
	step := func(what string, want cache.Stats) {
		t.Helper()
		if got := c.Stats(); got != want {
			t.Fatalf("after %s: Stats() = %+v, want %+v", what, got, want)
		}
	}
	step("New", cache.Stats{})
	c.Get("a")
	step("Get(a) on an empty cache", cache.Stats{Misses: 1})
	c.Set("a", 1)
	c.Get("a")
	step("Set(a,1) Get(a)", cache.Stats{Hits: 1, Misses: 1})
	c.Set("b", 2)
	c.Set("c", 3)
	step("Set(b,2) Set(c,3), which evicts a", cache.Stats{Hits: 1, Misses: 1, Evictions: 1})
	c.Get("a")
	c.Delete("b")
	c.Set("c", 4)
	step("Get(a) Delete(b) Set(c,4) (deletes and replacements are not evictions)", cache.Stats{Hits: 1, Misses: 2, Evictions: 1})
	five := func(context.Context, string) (int, error) { return 5, nil }
	if v, err := c.GetOrLoad(ctx, "d", five); v != 5 || err != nil {
		t.Fatalf("GetOrLoad(d) = (%d, %v), want (5, nil)", v, err)
	}
	step("GetOrLoad(d), a miss that loads", cache.Stats{Hits: 1, Misses: 3, Evictions: 1, Loads: 1})
	if v, err := c.GetOrLoad(ctx, "d", five); v != 5 || err != nil {
		t.Fatalf("GetOrLoad(d) = (%d, %v), want (5, nil)", v, err)
	}
	step("GetOrLoad(d) again, a hit", cache.Stats{Hits: 2, Misses: 3, Evictions: 1, Loads: 1})
	if _, err := c.GetOrLoad(ctx, "e", func(context.Context, string) (int, error) { return 0, errors.New("no") }); err == nil {
		t.Fatal("GetOrLoad with a failing loader returned a nil error")
	}
	step("GetOrLoad(e) with a failing loader", cache.Stats{Hits: 2, Misses: 4, Evictions: 1, Loads: 2})
	c.Set("e", 6)
	step("Set(e,6), which evicts c", cache.Stats{Hits: 2, Misses: 4, Evictions: 2, Loads: 2})
	if n := c.Len(); n != 2 {
		t.Fatalf("Len() = %d, want 2", n)
	}
}

func TestHiddenCallbacks_CapacityIsSplitOverShards(t *testing.T) {
	var byReason [4]atomic.Int64
	c := cache.New(cache.Options[int, int]{Capacity: 1000, Shards: 4, OnEvict: func(k, v int, why cache.EvictReason) {
		if why >= 0 && int(why) < len(byReason) {
			byReason[why].Add(1)
		}
	}})
	defer c.Close()
	for i := range 10000 {
		c.Set(i, 2*i)
	}
	if n := c.Len(); n != 1000 {
		t.Fatalf("Options{Capacity: 1000, Shards: 4}: Len() after 10000 distinct Sets = %d, want 1000 (250 per shard)", n)
	}
	if n := byReason[cache.Capacity].Load(); n != 9000 {
		t.Fatalf("OnEvict(..., Capacity) called %d times for 10000 distinct Sets into a capacity of 1000, want 9000", n)
	}
	if st := c.Stats(); st.Evictions != 9000 {
		t.Fatalf("Stats().Evictions = %d, want 9000", st.Evictions)
	}
	seen := map[int]bool{}
	for k, v := range c.All() {
		if seen[k] {
			t.Fatalf("All() yielded key %d twice", k)
		}
		seen[k] = true
		if v != 2*k {
			t.Fatalf("All() yielded (%d, %d), want (%d, %d)", k, v, k, 2*k)
		}
	}
	if len(seen) != 1000 {
		t.Fatalf("All() yielded %d entries, want 1000", len(seen))
	}
}

func TestHiddenCallbacks_All(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Shards: 4})
	defer c.Close()
	for i := range 100 {
		c.Set(fmt.Sprint("k", i), i)
	}
	before := c.Stats()
	got := map[string]int{}
	for k, v := range c.All() {
		if _, dup := got[k]; dup {
			t.Fatalf("All() yielded %q twice", k)
		}
		got[k] = v
	}
	if len(got) != 100 {
		t.Fatalf("All() yielded %d entries after 100 Sets, want 100", len(got))
	}
	for i := range 100 {
		if k := fmt.Sprint("k", i); got[k] != i {
			t.Fatalf("All() yielded %q = %d, want %d", k, got[k], i)
		}
	}
	if after := c.Stats(); after != before {
		t.Fatalf("All() changed Stats() from %+v to %+v; iterating is neither a hit nor a miss", before, after)
	}

	n, err := cbTake(c.All(), 10)
	if err != nil || n != 10 {
		t.Fatalf("breaking out of a range over All() after 10 entries: %d entries, %v (All must stop when yield returns false)", n, err)
	}
	cbWithin(t, "Set and Get after breaking out of a range over All()", func() error {
		c.Set("after", 1)
		if v, ok := c.Get("after"); !ok || v != 1 {
			return fmt.Errorf("Get(\"after\") = (%d, %v), want (1, true)", v, ok)
		}
		return nil
	})
	cbWithin(t, "calling Get inside a range over All()", func() error {
		for k, v := range c.All() {
			if got, ok := c.Get(k); !ok || got != v {
				return fmt.Errorf("Get(%q) inside the loop = (%d, %v), want (%d, true)", k, got, ok, v)
			}
		}
		return nil
	})

	rec := &cbRecorder{}
	lru := cache.New(cache.Options[string, int]{Capacity: 3, Shards: 1, OnEvict: rec.onEvict})
	defer lru.Close()
	lru.Set("a", 1)
	lru.Set("b", 2)
	lru.Set("c", 3)
	for range lru.All() {
	}
	lru.Set("d", 4)
	if got, want := rec.events(), []cbEvent{{"a", 1, cache.Capacity}}; !slices.Equal(got, want) {
		t.Fatalf("Set(a) Set(b) Set(c), a full range over All(), Set(d) with Capacity 3: OnEvict calls %v, want %v (All does not change recency)", got, want)
	}
}

// cbTake ranges over seq and breaks after limit entries, reporting a panic
// (such as the runtime's "continued iteration") as an error.
func cbTake[K, V any](seq iter.Seq2[K, V], limit int) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	for range seq {
		n++
		if n == limit {
			break
		}
	}
	return n, nil
}

// cbWithin runs f on another goroutine and fails if it errs, panics or does
// not return within 2s (a lock kept by the iterator would block it).
func cbWithin(t *testing.T, what string, f func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v", r)
			}
		}()
		done <- f()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("%s: blocked for 2s; All must not hold a lock while the loop body runs", what)
	}
}

type cbEvent struct {
	Key    string
	Value  int
	Reason cache.EvictReason
}

func (e cbEvent) String() string {
	names := map[cache.EvictReason]string{cache.Capacity: "Capacity", cache.Expired: "Expired", cache.Deleted: "Deleted", cache.Replaced: "Replaced"}
	name, ok := names[e.Reason]
	if !ok {
		name = fmt.Sprintf("EvictReason(%d)", int(e.Reason))
	}
	return fmt.Sprintf("(%q, %d, %s)", e.Key, e.Value, name)
}

// cbRecorder collects OnEvict calls, which may come from any goroutine.
type cbRecorder struct {
	mu  sync.Mutex
	got []cbEvent
}

func (r *cbRecorder) onEvict(k string, v int, why cache.EvictReason) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, cbEvent{k, v, why})
}

func (r *cbRecorder) events() []cbEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}
