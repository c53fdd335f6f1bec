package obs

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
)

// atomicFloat is a float64 updated atomically through its bits.
type atomicFloat struct{ bits atomic.Uint64 }

func (a *atomicFloat) load() float64   { return math.Float64frombits(a.bits.Load()) }
func (a *atomicFloat) store(v float64) { a.bits.Store(math.Float64bits(v)) }

func (a *atomicFloat) add(d float64) {
	for {
		old := a.bits.Load()
		if a.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

type uint64Counter = atomic.Uint64

// Counter is a value that only goes up.
type Counter struct{ v atomicFloat }

// Inc adds 1.
func (c *Counter) Inc() { c.v.add(1) }

// Add adds d; it panics if d is negative.
func (c *Counter) Add(d float64) {
	if d < 0 {
		panic("obs: Counter.Add with a negative value")
	}
	c.v.add(d)
}

// Gauge is a value that goes up and down.
type Gauge struct {
	mu sync.Mutex
	v  float64
}

// Set sets the gauge to v. A single store needs no lock.
func (g *Gauge) Set(v float64) { g.v = v }

// Add adds d (which may be negative).
func (g *Gauge) Add(d float64) {
	g.mu.Lock()
	g.v += d
	g.mu.Unlock()
}

func (g *Gauge) load() float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.v
}

// Histogram counts observations in buckets.
type Histogram struct {
	upper  []float64       // bucket upper bounds, increasing
	counts []uint64Counter // per bucket (not cumulative); the last is +Inf
	count  atomic.Uint64
	sum    atomicFloat
}

// Observe records v in the first bucket whose upper bound is >= v.
func (h *Histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.upper, v)
	h.counts[i].Add(1)
	h.sum.add(v)
	h.count.Add(1)
}
