package cache_test

// Hidden tests, group Loader: GetOrLoad de-duplicates concurrent misses on
// one key, does not cache errors, lets each caller give up on its own
// context without cancelling the load for the others, and never holds a lock
// while the loader runs.
//
// These tests use real goroutines (not synctest): an implementation that
// waits on a sync.Mutex would never look "durably blocked" to synctest. A
// short pause lets the callers reach their waiting point before the loader is
// released; the expected results do not depend on it.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cache "example.com/high-performance-cache"
)

// ldPatience is how long a test waits for something that should happen at
// once before it fails.
const ldPatience = 2 * time.Second

// ldSettle lets goroutines that are about to call GetOrLoad reach it.
const ldSettle = 20 * time.Millisecond

type ldResult struct {
	v   int
	err error
}

func TestHiddenLoader_Dedup(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Capacity: 100})
	defer c.Close()
	gate := ldNewGate()
	defer gate.open()
	var calls atomic.Int32
	load := func(ctx context.Context, k string) (int, error) {
		calls.Add(1)
		gate.wait()
		return 42, nil
	}
	const n = 100
	results := make(chan ldResult, n)
	var ready sync.WaitGroup
	ready.Add(n)
	for range n {
		go func() {
			ready.Done()
			v, err := c.GetOrLoad(context.Background(), "k", load)
			results <- ldResult{v, err}
		}()
	}
	gate.waitEntered(t, "the loader was never called by 100 concurrent GetOrLoad(ctx, \"k\", load) on an empty cache")
	ready.Wait()
	time.Sleep(ldSettle)
	select {
	case r := <-results:
		t.Fatalf("a GetOrLoad call returned (%d, %v) while the loader was still running; callers must wait for it", r.v, r.err)
	default:
	}
	gate.open()
	for range n {
		r := ldRecv(t, results, "GetOrLoad after the loader returned")
		if r.v != 42 || r.err != nil {
			t.Fatalf("GetOrLoad = (%d, %v), want (42, nil), the loader's result", r.v, r.err)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("the loader ran %d times for 100 concurrent callers of one key, want 1", got)
	}
	if v, ok := c.Get("k"); !ok || v != 42 {
		t.Fatalf("Get(\"k\") after the load = (%d, %v), want (42, true): the loaded value must be stored", v, ok)
	}
	v, err := c.GetOrLoad(context.Background(), "k", func(context.Context, string) (int, error) {
		t.Error("GetOrLoad called the loader on a hit")
		return 0, nil
	})
	if v != 42 || err != nil {
		t.Fatalf("GetOrLoad on a hit = (%d, %v), want (42, nil)", v, err)
	}
	if st := c.Stats(); st.Loads != 1 {
		t.Fatalf("Stats().Loads = %d, want 1", st.Loads)
	}
}

func TestHiddenLoader_ErrorsAreNotCached(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Capacity: 100})
	defer c.Close()
	boom := errors.New("boom")
	gate := ldNewGate()
	defer gate.open()
	var calls atomic.Int32
	failing := func(ctx context.Context, k string) (int, error) {
		calls.Add(1)
		gate.wait()
		return 0, boom
	}
	const n = 10
	results := make(chan ldResult, n)
	var ready sync.WaitGroup
	ready.Add(n)
	for range n {
		go func() {
			ready.Done()
			v, err := c.GetOrLoad(context.Background(), "k", failing)
			results <- ldResult{v, err}
		}()
	}
	gate.waitEntered(t, "the loader was never called")
	ready.Wait()
	time.Sleep(ldSettle)
	gate.open()
	for range n {
		r := ldRecv(t, results, "GetOrLoad after the loader failed")
		if r.v != 0 || !errors.Is(r.err, boom) {
			t.Fatalf("GetOrLoad with a failing loader = (%d, %v), want (0, the loader's error)", r.v, r.err)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("a failing loader ran %d times for 10 concurrent callers, want 1", got)
	}
	if v, ok := c.Get("k"); ok {
		t.Fatalf("Get(\"k\") after a failed load = (%d, true), want a miss: errors are not cached", v)
	}
	called := false
	v, err := c.GetOrLoad(context.Background(), "k", func(context.Context, string) (int, error) {
		called = true
		return 7, nil
	})
	if !called || v != 7 || err != nil {
		t.Fatalf("GetOrLoad after a failed load = (%d, %v), loader called: %v; want (7, nil) from a new call of the loader", v, err, called)
	}
	if st := c.Stats(); st.Loads != 2 {
		t.Fatalf("Stats().Loads = %d, want 2", st.Loads)
	}
}

func TestHiddenLoader_CancelledWaiterLeavesLoad(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Capacity: 100})
	defer c.Close()
	gate := ldNewGate()
	defer gate.open()
	loadCtx := make(chan context.Context, 1)
	var calls atomic.Int32
	load := func(ctx context.Context, k string) (int, error) {
		if calls.Add(1) == 1 {
			loadCtx <- ctx
		}
		gate.wait()
		return 42, nil
	}
	first := ldGo(c, context.Background(), "k", load)
	lctx := ldRecv(t, loadCtx, "the loader was never called")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiter := ldGo(c, ctx, "k", load)
	time.Sleep(ldSettle)
	cancel()
	r := ldRecv(t, waiter, "GetOrLoad of a second caller whose context was cancelled while it waited for the load")
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("GetOrLoad of a caller whose context was cancelled = (%d, %v), want an error wrapping context.Canceled", r.v, r.err)
	}
	if lctx.Err() != nil {
		t.Fatalf("cancelling one waiting caller cancelled the context given to the loader (%v); the first caller still waits for it", lctx.Err())
	}
	gate.open()
	if r := ldRecv(t, first, "GetOrLoad of the first caller"); r.v != 42 || r.err != nil {
		t.Fatalf("GetOrLoad of the first caller = (%d, %v), want (42, nil)", r.v, r.err)
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("the loader ran %d times, want 1", got)
	}
}

func TestHiddenLoader_CancelledFirstCallerLeavesLoad(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Capacity: 100})
	defer c.Close()
	gate := ldNewGate()
	defer gate.open()
	loadCtx := make(chan context.Context, 1)
	var calls atomic.Int32
	load := func(ctx context.Context, k string) (int, error) {
		if calls.Add(1) == 1 {
			loadCtx <- ctx
		}
		gate.wait()
		return 42, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := ldGo(c, ctx, "k", load)
	lctx := ldRecv(t, loadCtx, "the loader was never called")
	second := ldGo(c, context.Background(), "k", load)
	time.Sleep(ldSettle)
	cancel()
	r := ldRecv(t, first, "GetOrLoad of the first caller, whose context was cancelled while the load was running")
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("GetOrLoad of the first caller after its context was cancelled = (%d, %v), want an error wrapping context.Canceled", r.v, r.err)
	}
	time.Sleep(ldSettle)
	if lctx.Err() != nil {
		t.Fatalf("cancelling the first caller cancelled the context given to the loader (%v); another caller still waits for the load", lctx.Err())
	}
	gate.open()
	if r := ldRecv(t, second, "GetOrLoad of the second caller"); r.v != 42 || r.err != nil {
		t.Fatalf("GetOrLoad of the second caller = (%d, %v), want (42, nil)", r.v, r.err)
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("the loader ran %d times, want 1", got)
	}
	if v, ok := c.Get("k"); !ok || v != 42 {
		t.Fatalf("Get(\"k\") after the load = (%d, %v), want (42, true)", v, ok)
	}
}

func TestHiddenLoader_OtherKeysDoNotWait(t *testing.T) {
	c := cache.New(cache.Options[string, int]{Capacity: 100, Shards: 1})
	defer c.Close()
	gate := ldNewGate()
	defer gate.open()
	slow := func(ctx context.Context, k string) (int, error) {
		gate.wait()
		return 1, nil
	}
	first := ldGo(c, context.Background(), "a", slow)
	gate.waitEntered(t, "the loader was never called")
	done := make(chan error, 1)
	go func() {
		v, err := c.GetOrLoad(context.Background(), "b", func(context.Context, string) (int, error) { return 2, nil })
		if v != 2 || err != nil {
			done <- fmt.Errorf("GetOrLoad(ctx, \"b\", load) = (%d, %v), want (2, nil)", v, err)
			return
		}
		c.Set("c", 3)
		if v, ok := c.Get("c"); !ok || v != 3 {
			done <- fmt.Errorf("Get(\"c\") after Set(c, 3) = (%d, %v), want (3, true)", v, ok)
			return
		}
		c.Len()
		c.Stats()
		done <- nil
	}()
	if err := ldRecv(t, done, "GetOrLoad(\"b\"), Set, Get, Len and Stats, on the same shard, while the load of \"a\" was running (is a lock held while the loader runs?)"); err != nil {
		t.Fatal(err)
	}
	gate.open()
	if r := ldRecv(t, first, "GetOrLoad(\"a\")"); r.v != 1 || r.err != nil {
		t.Fatalf("GetOrLoad(ctx, \"a\", load) = (%d, %v), want (1, nil)", r.v, r.err)
	}
}

// ldGo runs GetOrLoad on a new goroutine.
func ldGo(c *cache.Cache[string, int], ctx context.Context, k string, load func(context.Context, string) (int, error)) <-chan ldResult {
	out := make(chan ldResult, 1)
	go func() {
		v, err := c.GetOrLoad(ctx, k, load)
		out <- ldResult{v, err}
	}()
	return out
}

// ldRecv waits up to ldPatience for a value on ch.
func ldRecv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(ldPatience):
		t.Fatalf("%s: still blocked after %v", what, ldPatience)
		panic("unreachable")
	}
}

// ldGate blocks loaders until it is opened.
type ldGate struct {
	entered chan struct{} // closed by the first loader that waits
	enterMu sync.Once
	release chan struct{}
	closeMu sync.Once
}

func ldNewGate() *ldGate {
	return &ldGate{entered: make(chan struct{}), release: make(chan struct{})}
}

func (g *ldGate) wait() {
	g.enterMu.Do(func() { close(g.entered) })
	<-g.release
}

func (g *ldGate) waitEntered(t *testing.T, what string) {
	t.Helper()
	ldRecv(t, g.entered, what)
}

func (g *ldGate) open() {
	g.closeMu.Do(func() { close(g.release) })
}
