package cache_test

// Hidden tests, group Model: with one shard the cache must behave exactly
// like a textbook LRU (container/list plus a map) over thousands of seeded
// random operations: the same Get results, Delete results, Len, contents
// and the same sequence of Capacity evictions seen through OnEvict.

import (
	"container/list"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	cache "example.com/high-performance-cache"
)

func TestHiddenModel_IntKeys(t *testing.T) {
	keys := make([]int, 100)
	for i := range keys {
		keys[i] = i * 7
	}
	modelRun(t, 64, keys, 10000, 1)
}

func TestHiddenModel_StringKeys(t *testing.T) {
	keys := make([]string, 300)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%03d", i)
	}
	modelRun(t, 200, keys, 10000, 2)
}

func TestHiddenModel_CapacityOne(t *testing.T) {
	modelRun(t, 1, []int{1, 2, 3, 4}, 3000, 3)
}

func TestHiddenModel_Unbounded(t *testing.T) {
	keys := make([]int, 500)
	for i := range keys {
		keys[i] = i
	}
	modelRun(t, 0, keys, 5000, 4)
}

// modelRun drives a one-shard cache and the model with the same seeded
// operations and stops at the first difference.
func modelRun[K comparable](t *testing.T, capacity int, keys []K, ops int, seed uint64) {
	t.Helper()
	var evicted []modelPair[K]
	c := cache.New(cache.Options[K, int]{
		Capacity: capacity,
		Shards:   1,
		OnEvict: func(k K, v int, why cache.EvictReason) {
			if why == cache.Capacity {
				evicted = append(evicted, modelPair[K]{k, v})
			}
		},
	})
	defer c.Close()
	m := newModelLRU[K](capacity)
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var history []string
	done := 0
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("Options{Capacity: %d, Shards: 1}, operation %d; the last operations were:\n  %s\n%s",
			capacity, done, strings.Join(history, "\n  "), fmt.Sprintf(format, args...))
	}
	for i := range ops {
		done = i + 1
		k := keys[r.IntN(len(keys))]
		switch p := r.IntN(100); {
		case p < 45:
			history = modelAppend(history, fmt.Sprintf("Get(%v)", k))
			v, ok := c.Get(k)
			wv, wok := m.get(k)
			if v != wv || ok != wok {
				fail("Get(%v) = (%v, %v), want (%v, %v)", k, v, ok, wv, wok)
			}
		case p < 85:
			history = modelAppend(history, fmt.Sprintf("Set(%v, %d)", k, i))
			c.Set(k, i)
			m.set(k, i)
		case p < 95:
			history = modelAppend(history, fmt.Sprintf("Delete(%v)", k))
			if got, want := c.Delete(k), m.delete(k); got != want {
				fail("Delete(%v) = %v, want %v", k, got, want)
			}
		default:
			history = modelAppend(history, "Len()")
			if got, want := c.Len(), m.ll.Len(); got != want {
				fail("Len() = %d, want %d", got, want)
			}
		}
		if len(evicted) != len(m.evicted) || (len(evicted) > 0 && evicted[len(evicted)-1] != m.evicted[len(m.evicted)-1]) {
			fail("OnEvict(..., Capacity) calls so far: %d, last %v; want %d, last %v (the least recently used entry is evicted, synchronously, when a full shard gets a new key)",
				len(evicted), modelLast(evicted), len(m.evicted), modelLast(m.evicted))
		}
		if i%1000 == 999 {
			got := map[K]int{}
			for k, v := range c.All() {
				got[k] = v
			}
			if want := m.contents(); !maps.Equal(got, want) {
				fail("All() yields %d entries, want %d: %s", len(got), len(want), modelDiff(got, want))
			}
		}
	}
}

func modelAppend(h []string, op string) []string {
	const keep = 12
	if len(h) == keep {
		h = append(h[:0], h[1:]...)
	}
	return append(h, op)
}

func modelLast[K comparable](p []modelPair[K]) any {
	if len(p) == 0 {
		return "none"
	}
	return p[len(p)-1]
}

// modelDiff describes up to a few differences between two contents.
func modelDiff[K comparable](got, want map[K]int) string {
	var d []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			d = append(d, fmt.Sprintf("missing %v=%d", k, w))
		} else if g != w {
			d = append(d, fmt.Sprintf("%v=%d, want %d", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			d = append(d, fmt.Sprintf("unexpected %v=%d", k, g))
		}
	}
	if len(d) > 5 {
		d = append(d[:5], fmt.Sprintf("and %d more", len(d)-5))
	}
	return strings.Join(d, "; ")
}

type modelPair[K comparable] struct {
	Key   K
	Value int
}

// modelLRU is the reference behaviour: front of ll is the most recently
// used entry.
type modelLRU[K comparable] struct {
	capacity int
	ll       *list.List
	items    map[K]*list.Element
	evicted  []modelPair[K]
}

func newModelLRU[K comparable](capacity int) *modelLRU[K] {
	return &modelLRU[K]{capacity: capacity, ll: list.New(), items: map[K]*list.Element{}}
}

func (m *modelLRU[K]) get(k K) (int, bool) {
	el, ok := m.items[k]
	if !ok {
		return 0, false
	}
	m.ll.MoveToFront(el)
	return el.Value.(*modelPair[K]).Value, true
}

func (m *modelLRU[K]) set(k K, v int) {
	if el, ok := m.items[k]; ok {
		el.Value.(*modelPair[K]).Value = v
		m.ll.MoveToFront(el)
		return
	}
	if m.capacity > 0 && m.ll.Len() >= m.capacity {
		last := m.ll.Back()
		p := last.Value.(*modelPair[K])
		m.evicted = append(m.evicted, *p)
		delete(m.items, p.Key)
		m.ll.Remove(last)
	}
	m.items[k] = m.ll.PushFront(&modelPair[K]{k, v})
}

func (m *modelLRU[K]) delete(k K) bool {
	el, ok := m.items[k]
	if !ok {
		return false
	}
	delete(m.items, k)
	m.ll.Remove(el)
	return true
}

func (m *modelLRU[K]) contents() map[K]int {
	out := map[K]int{}
	for k, el := range m.items {
		out[k] = el.Value.(*modelPair[K]).Value
	}
	return out
}
