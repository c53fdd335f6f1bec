package health_test

// Hidden tests, group "Cache": CacheTTL reuses a result, and callers that
// need a check while it is running share that one execution. On synctest's
// virtual clock.

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	health "example.com/health-check-service"
)

// cacheBubble: see tmoBubble in the Timeout group (each group compiles on
// its own).
func cacheBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, f)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("synctest: %v: every goroutine of the test was blocked for ever: a call that never returns, or goroutines of the Checker still waiting after the test ended (loops not stopped by their context, or a check still running)", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

// cacheCounted returns a check that takes d, fails when fail is set, and
// counts its executions.
func cacheCounted(d time.Duration, fail bool, n *atomic.Int32) func(context.Context) error {
	return func(ctx context.Context) error {
		n.Add(1)
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
		if fail {
			return errors.New("dependency unavailable")
		}
		return nil
	}
}

func cacheChecker(t *testing.T, regs ...health.Registration) *health.Checker {
	t.Helper()
	c := health.New()
	for _, r := range regs {
		r.Timeout = 5 * time.Second // the checks here take up to 2s
		if err := c.Register(r); err != nil {
			t.Fatalf("Register(%q) = %v, want nil", r.Name, err)
		}
	}
	return c
}

func cacheCount(t *testing.T, what string, n *atomic.Int32, want int32) {
	t.Helper()
	if got := n.Load(); got != want {
		t.Errorf("%s: the check has run %d times, want %d", what, got, want)
	}
}

func cacheSame(t *testing.T, what string, got, want health.Result) {
	t.Helper()
	if got.Status != want.Status || got.Error != want.Error || got.Duration != want.Duration || !got.CheckedAt.Equal(want.CheckedAt) {
		t.Errorf("%s: Result = %+v, want %+v", what, got, want)
	}
}

func TestHiddenCache_TTLReusesResult(t *testing.T) {
	cacheBubble(t, func(t *testing.T) {
		var n atomic.Int32
		c := cacheChecker(t, health.Registration{Name: "db", Check: cacheCounted(0, false, &n), CacheTTL: 30 * time.Second, Critical: true})
		t0 := time.Now()
		first := c.Run(context.Background()).Checks["db"]
		cacheSame(t, "first Run at t=0", first, health.Result{Status: health.Up, CheckedAt: t0})
		for _, at := range []time.Duration{0, 10 * time.Second, 29 * time.Second} {
			time.Sleep(t0.Add(at).Sub(time.Now()))
			rep := c.Run(context.Background())
			cacheSame(t, "Run at t="+at.String()+" (CacheTTL 30s)", rep.Checks["db"], first)
			cacheCount(t, "Run at t="+at.String()+" (CacheTTL 30s)", &n, 1)
		}
		time.Sleep(t0.Add(31 * time.Second).Sub(time.Now()))
		rep := c.Run(context.Background())
		cacheCount(t, "Run at t=31s (the result of t=0 is stale)", &n, 2)
		cacheSame(t, "Run at t=31s", rep.Checks["db"], health.Result{Status: health.Up, CheckedAt: t0.Add(31 * time.Second)})
	})
}

func TestHiddenCache_NoTTLRunsEveryTime(t *testing.T) {
	cacheBubble(t, func(t *testing.T) {
		var n atomic.Int32
		c := cacheChecker(t, health.Registration{Name: "db", Check: cacheCounted(0, false, &n)})
		for i := range 3 {
			c.Run(context.Background())
			cacheCount(t, "CacheTTL 0, after sequential Run calls", &n, int32(i+1))
		}
	})
}

func TestHiddenCache_FailuresAreCached(t *testing.T) {
	cacheBubble(t, func(t *testing.T) {
		var n atomic.Int32
		c := cacheChecker(t, health.Registration{Name: "db", Check: cacheCounted(time.Second, true, &n), CacheTTL: 30 * time.Second, Critical: true})
		t0 := time.Now()
		want := health.Result{Status: health.Down, Error: "dependency unavailable", Duration: time.Second, CheckedAt: t0.Add(time.Second)}
		for i := range 4 {
			rep := c.Run(context.Background())
			if rep.Status != health.Down {
				t.Errorf("Run %d: Report.Status = %q, want %q", i+1, rep.Status, health.Down)
			}
			cacheSame(t, "a failed result within its CacheTTL", rep.Checks["db"], want)
			time.Sleep(5 * time.Second)
		}
		cacheCount(t, "four Runs within the CacheTTL of a failure", &n, 1)
	})
}

// cacheConcurrent starts k Runs at once and returns their reports.
func cacheConcurrent(c *health.Checker, k int) []health.Report {
	reps := make([]health.Report, k)
	var wg sync.WaitGroup
	for i := range k {
		wg.Go(func() { reps[i] = c.Run(context.Background()) })
	}
	wg.Wait()
	return reps
}

func TestHiddenCache_ConcurrentRunsShare(t *testing.T) {
	cacheBubble(t, func(t *testing.T) {
		var n atomic.Int32
		c := cacheChecker(t, health.Registration{Name: "db", Check: cacheCounted(2*time.Second, false, &n), CacheTTL: 30 * time.Second})
		t0 := time.Now()
		reps := cacheConcurrent(c, 10)
		cacheCount(t, "10 concurrent Runs (CacheTTL 30s)", &n, 1)
		want := health.Result{Status: health.Up, Duration: 2 * time.Second, CheckedAt: t0.Add(2 * time.Second)}
		for _, rep := range reps {
			cacheSame(t, "each of 10 concurrent Runs", rep.Checks["db"], want)
		}
		if took := time.Since(t0); took != 2*time.Second {
			t.Errorf("10 concurrent Runs of a 2s check took %v of virtual time, want 2s", took)
		}
	})
}

func TestHiddenCache_ConcurrentRunsShareWithoutTTL(t *testing.T) {
	cacheBubble(t, func(t *testing.T) {
		var n atomic.Int32
		c := cacheChecker(t, health.Registration{Name: "db", Check: cacheCounted(2*time.Second, false, &n)})
		t0 := time.Now()
		reps := cacheConcurrent(c, 10)
		cacheCount(t, "10 concurrent Runs (CacheTTL 0: they still share the execution in progress)", &n, 1)
		want := health.Result{Status: health.Up, Duration: 2 * time.Second, CheckedAt: t0.Add(2 * time.Second)}
		for _, rep := range reps {
			cacheSame(t, "each of 10 concurrent Runs", rep.Checks["db"], want)
		}
		c.Run(context.Background())
		cacheCount(t, "one more Run after they returned (CacheTTL 0)", &n, 2)
	})
}

func TestHiddenCache_LateCallerJoins(t *testing.T) {
	cacheBubble(t, func(t *testing.T) {
		var n atomic.Int32
		c := cacheChecker(t, health.Registration{Name: "db", Check: cacheCounted(2*time.Second, false, &n)})
		t0 := time.Now()
		first := make(chan health.Report, 1)
		go func() { first <- c.Run(context.Background()) }()
		time.Sleep(time.Second)
		late := c.Run(context.Background())
		if took := time.Since(t0); took != 2*time.Second {
			t.Errorf("a Run started 1s into a 2s execution returned at t=%v, want t=2s (it waits for the execution in progress)", took)
		}
		early := <-first
		cacheCount(t, "a Run started while the check was running", &n, 1)
		want := health.Result{Status: health.Up, Duration: 2 * time.Second, CheckedAt: t0.Add(2 * time.Second)}
		cacheSame(t, "the first Run", early.Checks["db"], want)
		cacheSame(t, "the Run that joined 1s later", late.Checks["db"], want)
	})
}

func TestHiddenCache_PerCheckTTL(t *testing.T) {
	cacheBubble(t, func(t *testing.T) {
		var ten, none atomic.Int32
		c := cacheChecker(t,
			health.Registration{Name: "ten", Check: cacheCounted(0, false, &ten), CacheTTL: 10 * time.Second},
			health.Registration{Name: "none", Check: cacheCounted(0, false, &none)},
		)
		for _, d := range []time.Duration{0, 5 * time.Second, 6 * time.Second} { // t = 0, 5s, 11s
			time.Sleep(d)
			c.Run(context.Background())
		}
		cacheCount(t, "check with CacheTTL 10s, Runs at t=0, 5s, 11s", &ten, 2)
		cacheCount(t, "check with CacheTTL 0, Runs at t=0, 5s, 11s", &none, 3)
	})
}
