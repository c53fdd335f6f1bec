package cache_test

// Hidden tests, group TTL. Time is virtual: each test runs in a
// testing/synctest bubble, where time.Now and time.Sleep use a fake clock
// that jumps forward when every goroutine of the bubble is blocked. An
// entry stored at t with a TTL d is live while now < t+d.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	cache "example.com/high-performance-cache"
	"go.uber.org/goleak"
)

func TestHiddenTTL_ExpiresExactlyAtTTL(t *testing.T) {
	ttlBubble(t, func(t *testing.T) {
		rec := &ttlRecorder{}
		c := cache.New(cache.Options[string, int]{Capacity: 100, TTL: time.Second, OnEvict: rec.onEvict})
		defer c.Close()
		c.Set("a", 1)
		c.Set("b", 2)
		time.Sleep(time.Second - time.Nanosecond)
		if v, ok := c.Get("a"); !ok || v != 1 {
			t.Fatalf("Get(\"a\") 1ns before its TTL of 1s ended = (%d, %v), want (1, true)", v, ok)
		}
		time.Sleep(time.Nanosecond)
		if v, ok := c.Get("a"); ok {
			t.Fatalf("Get(\"a\") exactly 1s after Set with TTL 1s = (%d, true), want a miss (live while now < set time + TTL; a Get does not extend the TTL)", v)
		}
		if c.Delete("b") {
			t.Fatal("Delete(\"b\") exactly 1s after Set with TTL 1s = true, want false (the entry had expired)")
		}
		synctest.Wait()
		got := rec.events()
		slices.SortFunc(got, func(x, y ttlEvent) int { return strings.Compare(x.Key, y.Key) })
		if want := []ttlEvent{{"a", 1, cache.Expired}, {"b", 2, cache.Expired}}; !slices.Equal(got, want) {
			t.Fatalf("OnEvict calls (sorted by key): %v, want %v", got, want)
		}
		if st := c.Stats(); st.Hits != 1 || st.Misses != 1 || st.Evictions != 2 {
			t.Fatalf("Stats() = %+v, want Hits 1, Misses 1, Evictions 2 (expired entries count as evictions)", st)
		}
	})
}

func TestHiddenTTL_SetTTLOverridesDefault(t *testing.T) {
	ttlBubble(t, func(t *testing.T) {
		c := cache.New(cache.Options[string, int]{Capacity: 100, TTL: time.Second})
		defer c.Close()
		c.Set("default", 1)
		c.SetTTL("long", 2, 5*time.Second)
		c.SetTTL("zero", 3, 0)
		c.SetTTL("negative", 4, -time.Second)
		time.Sleep(time.Second)
		ttlWant(t, c, "after 1s", map[string]int{"long": 2, "zero": 3, "negative": 4}, "default")
		time.Sleep(4 * time.Second)
		ttlWant(t, c, "after 5s", map[string]int{"zero": 3, "negative": 4}, "default", "long")
		time.Sleep(time.Hour)
		ttlWant(t, c, "after 1h5s (SetTTL with ttl <= 0 never expires)", map[string]int{"zero": 3, "negative": 4})

		never := cache.New(cache.Options[string, int]{Capacity: 100})
		defer never.Close()
		never.Set("x", 1)
		time.Sleep(1000 * time.Hour)
		ttlWant(t, never, "Options.TTL 0, after 1000h", map[string]int{"x": 1})
	})
}

func TestHiddenTTL_SetRestartsTTL(t *testing.T) {
	ttlBubble(t, func(t *testing.T) {
		rec := &ttlRecorder{}
		c := cache.New(cache.Options[string, int]{Capacity: 100, TTL: time.Second, OnEvict: rec.onEvict})
		defer c.Close()
		c.Set("a", 1)
		time.Sleep(800 * time.Millisecond)
		c.Set("a", 2)
		time.Sleep(700 * time.Millisecond)
		ttlWant(t, c, "1.5s after Set(a, 1) and 0.7s after Set(a, 2), TTL 1s", map[string]int{"a": 2})
		time.Sleep(300 * time.Millisecond)
		ttlWant(t, c, "1s after Set(a, 2), TTL 1s", nil, "a")
		synctest.Wait()
		want := []ttlEvent{{"a", 1, cache.Replaced}, {"a", 2, cache.Expired}}
		if got := rec.events(); !slices.Equal(got, want) {
			t.Fatalf("OnEvict calls: %v, want %v", got, want)
		}
	})
}

func TestHiddenTTL_LenExcludesExpired(t *testing.T) {
	ttlBubble(t, func(t *testing.T) {
		c := cache.New(cache.Options[string, int]{Capacity: 1000, TTL: time.Second})
		defer c.Close()
		for i := range 10 {
			c.Set(fmt.Sprint("short", i), i)
		}
		for i := range 5 {
			c.SetTTL(fmt.Sprint("forever", i), i, 0)
		}
		if n := c.Len(); n != 15 {
			t.Fatalf("Len() right after 15 Sets = %d, want 15", n)
		}
		time.Sleep(time.Second)
		if n := c.Len(); n != 5 {
			t.Fatalf("Len() after 10 of 15 entries expired (and no Get) = %d, want 5", n)
		}
		if c.Delete("short0") {
			t.Fatal("Delete(\"short0\") of an expired entry = true, want false")
		}
		if !c.Delete("forever0") {
			t.Fatal("Delete(\"forever0\") of a live entry = false, want true")
		}
	})
}

func TestHiddenTTL_AllSkipsExpired(t *testing.T) {
	ttlBubble(t, func(t *testing.T) {
		c := cache.New(cache.Options[string, int]{Capacity: 1000, TTL: time.Second})
		defer c.Close()
		for i := range 20 {
			c.Set(fmt.Sprint("short", i), i)
		}
		c.SetTTL("forever", 1, 0)
		c.SetTTL("later", 2, 2*time.Second)
		time.Sleep(time.Second)
		got := map[string]int{}
		for k, v := range c.All() {
			got[k] = v
		}
		if want := map[string]int{"forever": 1, "later": 2}; !maps.Equal(got, want) {
			t.Fatalf("All() after 20 of 22 entries expired yields %v, want %v", got, want)
		}
	})
}

func TestHiddenTTL_OverwriteExpiredEntry(t *testing.T) {
	ttlBubble(t, func(t *testing.T) {
		rec := &ttlRecorder{}
		c := cache.New(cache.Options[string, int]{Capacity: 100, TTL: time.Second, OnEvict: rec.onEvict})
		defer c.Close()
		c.Set("a", 1)
		time.Sleep(time.Second)
		c.Set("a", 2)
		synctest.Wait()
		if got, want := rec.events(), []ttlEvent{{"a", 1, cache.Expired}}; !slices.Equal(got, want) {
			t.Fatalf("Set(a, 2) after the entry a=1 expired: OnEvict calls %v, want %v (the old entry had expired, it was not replaced)", got, want)
		}
		if v, ok := c.Get("a"); !ok || v != 2 {
			t.Fatalf("Get(\"a\") after Set(a, 2) = (%d, %v), want (2, true)", v, ok)
		}
		if st := c.Stats(); st.Evictions != 1 {
			t.Fatalf("Stats().Evictions = %d, want 1", st.Evictions)
		}
	})
}

func TestHiddenTTL_CloseStopsBackgroundWork(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	c := cache.New(cache.Options[string, int]{Capacity: 100, TTL: time.Minute})
	c.Set("a", 1)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(\"a\") right after Set(a, 1) with TTL 1m = (%d, %v), want (1, true)", v, ok)
	}
	c.Close()
	c.Close() // Close is idempotent
	goleak.VerifyNone(t, ignore)
}

// ttlBubble runs f in a synctest bubble and turns the bubble's deadlock
// panic (goroutines left blocked when f returns) into a test failure.
func ttlBubble(t *testing.T, f func(*testing.T)) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v: goroutines started by the cache were still blocked when the test ended, after Close: Close must stop every background goroutine", r)
		}
	}()
	synctest.Test(t, f)
}

// ttlWant checks that c holds exactly the live entries in want (through
// Get and Len) and misses every key in gone.
func ttlWant(t *testing.T, c *cache.Cache[string, int], when string, want map[string]int, gone ...string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if v, ok := c.Get(k); !ok || v != want[k] {
			t.Fatalf("%s: Get(%q) = (%d, %v), want (%d, true)", when, k, v, ok, want[k])
		}
	}
	for _, k := range gone {
		if v, ok := c.Get(k); ok {
			t.Fatalf("%s: Get(%q) = (%d, true), want a miss (expired)", when, k, v)
		}
	}
	if n := c.Len(); n != len(want) {
		t.Fatalf("%s: Len() = %d, want %d", when, n, len(want))
	}
}

type ttlEvent struct {
	Key    string
	Value  int
	Reason cache.EvictReason
}

func (e ttlEvent) String() string {
	return fmt.Sprintf("(%q, %d, %s)", e.Key, e.Value, ttlReason(e.Reason))
}

func ttlReason(r cache.EvictReason) string {
	switch r {
	case cache.Capacity:
		return "Capacity"
	case cache.Expired:
		return "Expired"
	case cache.Deleted:
		return "Deleted"
	case cache.Replaced:
		return "Replaced"
	}
	return fmt.Sprintf("EvictReason(%d)", int(r))
}

// ttlRecorder collects OnEvict calls, which may come from any goroutine.
type ttlRecorder struct {
	mu  sync.Mutex
	got []ttlEvent
}

func (r *ttlRecorder) onEvict(k string, v int, why cache.EvictReason) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, ttlEvent{k, v, why})
}

func (r *ttlRecorder) events() []ttlEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}
