package cache_test

// Hidden tests, group Race: concurrent stress of every method, run under
// -race for the race criterion. They also check the invariants that must hold
// whatever the interleaving: Get returns only values stored for its key,
// every lookup is counted once as a hit or a miss, Len stays within the
// capacity, and Loads counts every call of a loader; once the workers have
// stopped, values read back and the counters are exact. (Exact eviction counts
// are checked elsewhere, without real time: a janitor may still be evicting
// here when the workers stop.)

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cache "example.com/high-performance-cache"
)

func TestHiddenRace_MixedOperations(t *testing.T) {
	const (
		capacity = 128
		keys     = 256
		workers  = 4
		ops      = 3000
	)
	var byReason [4]atomic.Int64
	var reported atomic.Bool
	c := cache.New(cache.Options[int, int]{Capacity: capacity, Shards: 4, OnEvict: func(k, v int, why cache.EvictReason) {
		if v/10 != k && !reported.Swap(true) {
			t.Errorf("OnEvict(%d, %d, %d): the value was never stored for that key", k, v, int(why))
		}
		if why < 0 || int(why) >= len(byReason) {
			if !reported.Swap(true) {
				t.Errorf("OnEvict(%d, %d, %d): unknown reason", k, v, int(why))
			}
			return
		}
		byReason[why].Add(1)
	}})
	defer c.Close()
	var lookups atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			defer raceRecover(t)
			r := rand.New(rand.NewPCG(uint64(w), 42))
			load := func(_ context.Context, k int) (int, error) { return k*10 + 2, nil }
			for range ops {
				k := r.IntN(keys)
				switch p := r.IntN(100); {
				case p < 40:
					lookups.Add(1)
					if v, ok := c.Get(k); ok && v/10 != k {
						t.Errorf("Get(%d) = %d, a value never stored for that key", k, v)
						return
					}
				case p < 60:
					c.Set(k, k*10)
				case p < 65:
					c.SetTTL(k, k*10+1, time.Duration(r.IntN(50))*time.Microsecond)
				case p < 75:
					c.Delete(k)
				case p < 85:
					lookups.Add(1)
					if v, err := c.GetOrLoad(context.Background(), k, load); err != nil || v/10 != k {
						t.Errorf("GetOrLoad(%d) = (%d, %v), want a value stored for that key", k, v, err)
						return
					}
				case p < 90:
					if n := c.Len(); n < 0 || n > capacity {
						t.Errorf("Len() = %d with Capacity %d", n, capacity)
						return
					}
				case p < 95:
					c.Stats()
				default:
					n := 0
					for k, v := range c.All() {
						if v/10 != k {
							t.Errorf("All() yielded (%d, %d), a value never stored for that key", k, v)
							return
						}
						if n++; n == 5 {
							break
						}
					}
				}
			}
		})
	}
	wg.Wait()
	if n := c.Len(); n > capacity {
		t.Errorf("Len() = %d with Capacity %d", n, capacity)
	}
	st := c.Stats()
	if got, want := st.Hits+st.Misses, uint64(lookups.Load()); got != want {
		t.Errorf("Stats() Hits+Misses = %d, want %d, the number of Get and GetOrLoad calls", got, want)
	}
	if byReason[cache.Capacity].Load() == 0 {
		t.Errorf("OnEvict never saw a Capacity eviction, though %d workers stored %d keys in a cache of capacity %d", workers, keys, capacity)
	}
	if st.Loads == 0 {
		t.Errorf("Stats().Loads = 0 after GetOrLoad calls on missing keys")
	}
	if st.Evictions < uint64(byReason[cache.Capacity].Load()) {
		t.Errorf("Stats().Evictions = %d, but OnEvict saw %d Capacity evictions", st.Evictions, byReason[cache.Capacity].Load())
	}

	// The workers have stopped: values read back and the counters are exact.
	before := c.Stats()
	for k := range 8 {
		c.Set(k, k*10)
		if v, ok := c.Get(k); !ok || v != k*10 {
			t.Fatalf("after the workers stopped: Get(%d) right after Set(%d, %d) = (%d, %v), want (%d, true)", k, k, k*10, v, ok, k*10)
		}
		if !c.Delete(k) {
			t.Fatalf("after the workers stopped: Delete(%d) right after Set(%d, %d) = false, want true", k, k, k*10)
		}
		if v, ok := c.Get(k); ok {
			t.Fatalf("after the workers stopped: Get(%d) right after Delete(%d) = (%d, true), want a miss", k, k, v)
		}
	}
	after := c.Stats()
	if after.Hits-before.Hits != 8 || after.Misses-before.Misses != 8 || after.Loads != before.Loads {
		t.Fatalf("after the workers stopped, 8 Get hits and 8 Get misses changed Stats() from %+v to %+v; want Hits +8, Misses +8, Loads unchanged", before, after)
	}
}

func TestHiddenRace_Loader(t *testing.T) {
	const (
		workers = 8
		ops     = 300
	)
	c := cache.New(cache.Options[int, int]{Capacity: 64, Shards: 2})
	defer c.Close()
	errNoLoad := errors.New("cannot load a multiple of 4")
	var calls, lookups atomic.Int64
	load := func(_ context.Context, k int) (int, error) {
		calls.Add(1)
		time.Sleep(10 * time.Microsecond)
		if k%4 == 0 {
			return 0, errNoLoad
		}
		return k * 10, nil
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			defer raceRecover(t)
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range ops {
				k := r.IntN(16)
				if r.IntN(5) == 0 {
					c.Delete(k)
					continue
				}
				lookups.Add(1)
				v, err := c.GetOrLoad(context.Background(), k, load)
				if k%4 == 0 && !errors.Is(err, errNoLoad) {
					t.Errorf("GetOrLoad(%d) = (%d, %v), want the loader's error", k, v, err)
					return
				}
				if k%4 != 0 && (err != nil || v != k*10) {
					t.Errorf("GetOrLoad(%d) = (%d, %v), want (%d, nil)", k, v, err, k*10)
					return
				}
			}
		})
	}
	wg.Wait()
	st := c.Stats()
	if got, want := st.Loads, uint64(calls.Load()); got != want {
		t.Errorf("Stats().Loads = %d, but the loader was called %d times", got, want)
	}
	if got, want := st.Hits+st.Misses, uint64(lookups.Load()); got != want {
		t.Errorf("Stats() Hits+Misses = %d, want %d, the number of GetOrLoad calls", got, want)
	}

	// The workers have stopped: successful loads are stored, errors are not,
	// and a hit does not call the loader. 16 keys fit in the capacity.
	for k := range 16 {
		v, err := c.GetOrLoad(context.Background(), k, load)
		if k%4 == 0 {
			if !errors.Is(err, errNoLoad) {
				t.Fatalf("after the workers stopped: GetOrLoad(%d) = (%d, %v), want the loader's error", k, v, err)
			}
			if v, ok := c.Get(k); ok {
				t.Fatalf("after the workers stopped: Get(%d) after a failed load = (%d, true), want a miss (errors are not cached)", k, v)
			}
			continue
		}
		if err != nil || v != k*10 {
			t.Fatalf("after the workers stopped: GetOrLoad(%d) = (%d, %v), want (%d, nil)", k, v, err, k*10)
		}
		before := calls.Load()
		if v, err := c.GetOrLoad(context.Background(), k, load); err != nil || v != k*10 {
			t.Fatalf("after the workers stopped: GetOrLoad(%d) a second time = (%d, %v), want (%d, nil)", k, v, err, k*10)
		}
		if v, ok := c.Get(k); !ok || v != k*10 {
			t.Fatalf("after the workers stopped: Get(%d) after a successful GetOrLoad = (%d, %v), want (%d, true)", k, v, ok, k*10)
		}
		if n := calls.Load() - before; n != 0 {
			t.Fatalf("after the workers stopped: GetOrLoad(%d) on a hit called the loader %d times, want 0", k, n)
		}
	}
	if got, want := c.Stats().Loads, uint64(calls.Load()); got != want {
		t.Fatalf("after the workers stopped: Stats().Loads = %d, but the loader was called %d times", got, want)
	}
}

// raceRecover reports a panic of a worker goroutine as a failure, instead of
// letting it end the whole test binary.
func raceRecover(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic in a worker goroutine: %v", r)
	}
}
