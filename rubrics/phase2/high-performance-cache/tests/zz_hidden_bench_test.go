package cache_test

// Hidden benchmarks, compared with the reference solution (ratio of median
// ns/op, fixed -benchtime). Both use int keys and RunParallel, so they
// measure how well Get and Set scale over shards, not only their speed on
// one core.

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"

	cache "example.com/high-performance-cache"
)

// benchKeys is the number of keys stored before timing starts.
const benchKeys = 4096

// BenchmarkHiddenGetParallel: Get only, 90% hits.
func BenchmarkHiddenGetParallel(b *testing.B) {
	c := cache.New(cache.Options[int, int]{Capacity: 2 * benchKeys})
	defer c.Close()
	for i := range benchKeys {
		c.Set(i, i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]int, 1<<14)
	for i := range keys {
		if r.IntN(10) == 0 {
			keys[i] = benchKeys + r.IntN(benchKeys) // a miss
		} else {
			keys[i] = r.IntN(benchKeys)
		}
	}
	var worker atomic.Uint32
	runtime.GC() // start timing without the set-up's garbage
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(worker.Add(1)) * 4099
		for pb.Next() {
			c.Get(keys[i&(len(keys)-1)])
			i++
		}
	})
}

// BenchmarkHiddenReadWriteMix: 90% Get, 10% Set over a key space 25% larger
// than the capacity, so that some Sets evict.
func BenchmarkHiddenReadWriteMix(b *testing.B) {
	c := cache.New(cache.Options[int, int]{Capacity: benchKeys})
	defer c.Close()
	space := benchKeys + benchKeys/4
	for i := range benchKeys {
		c.Set(i, i)
	}
	r := rand.New(rand.NewPCG(3, 4))
	type op struct {
		key   int
		write bool
	}
	ops := make([]op, 1<<14)
	for i := range ops {
		ops[i] = op{key: r.IntN(space), write: r.IntN(10) == 0}
	}
	var worker atomic.Uint32
	runtime.GC() // start timing without the set-up's garbage
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(worker.Add(1)) * 4099
		for pb.Next() {
			o := ops[i&(len(ops)-1)]
			if o.write {
				c.Set(o.key, i)
			} else {
				c.Get(o.key)
			}
			i++
		}
	})
}
