package cache_test

// Hidden tests, group Allocs: the hot paths must not allocate. Measured with
// testing.AllocsPerRun (never under -race).

import (
	"fmt"
	"testing"

	cache "example.com/high-performance-cache"
)

func TestHiddenAllocs_GetHitStringKey(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Capacity: 1024})
	defer c.Close()
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = fmt.Sprintf("user:%d", i)
		c.Set(keys[i], i)
	}
	allocsHits(t, c, keys)
	i := 0
	if a := testing.AllocsPerRun(1000, func() { c.Get(keys[i%len(keys)]); i++ }); a != 0 {
		t.Fatalf("Get hit with string keys: %v allocations per call, want 0 (is the key converted to any, fmt-formatted or copied to hash it?)", a)
	}
}

func TestHiddenAllocs_GetHitIntKey(t *testing.T) {
	c := cache.New(cache.Options[int, int]{Capacity: 1024})
	defer c.Close()
	keys := make([]int, 256)
	for i := range keys {
		keys[i] = 100000 + 977*i
		c.Set(keys[i], i)
	}
	allocsHits(t, c, keys)
	i := 0
	if a := testing.AllocsPerRun(1000, func() { c.Get(keys[i%len(keys)]); i++ }); a != 0 {
		t.Fatalf("Get hit with int keys: %v allocations per call, want 0 (is the key converted to any or formatted to hash it?)", a)
	}
}

func TestHiddenAllocs_SetOverwrite(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Capacity: 1024})
	defer c.Close()
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = fmt.Sprintf("user:%d", i)
		c.Set(keys[i], i)
	}
	i := 0
	if a := testing.AllocsPerRun(1000, func() { c.Set(keys[i%len(keys)], i); i++ }); a != 0 {
		t.Fatalf("Set of an existing key: %v allocations per call, want 0 (update the entry in place rather than allocating a new one)", a)
	}
	want := make([]int, len(keys))
	for j := range want {
		want[j] = j
	}
	c2 := cache.New(cache.Options[string, int]{Capacity: 1024})
	defer c2.Close()
	for j, k := range keys {
		c2.Set(k, -1)
		c2.Set(k, j)
	}
	allocsHits(t, c2, keys)
}

func TestHiddenAllocs_Stats(t *testing.T) {
	c := cache.New(cache.Options[int, int]{Capacity: 1024})
	defer c.Close()
	for i := range 100 {
		c.Set(i, i)
		c.Get(i)
	}
	if st := c.Stats(); st.Hits != 100 {
		t.Fatalf("Stats().Hits after 100 Get hits = %d, want 100", st.Hits)
	}
	if a := testing.AllocsPerRun(1000, func() { c.Stats() }); a != 0 {
		t.Fatalf("Stats(): %v allocations per call, want 0", a)
	}
}

// allocsHits checks that keys[i] holds i, so the measured calls are hits.
func allocsHits[K comparable](t *testing.T, c *cache.Cache[K, int], keys []K) {
	t.Helper()
	for i, k := range keys {
		if v, ok := c.Get(k); !ok || v != i {
			t.Fatalf("Get(%v) = (%d, %v) after Set(%v, %d), want (%d, true)", k, v, ok, k, i, i)
		}
	}
}
