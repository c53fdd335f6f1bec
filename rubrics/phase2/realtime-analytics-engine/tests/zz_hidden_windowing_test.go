package analytics_test

// Hidden tests, group Windowing (a file name ending in _windows_test.go
// would be a GOOS build constraint). Time is virtual: each test runs in a
// testing/synctest bubble, where time.Now starts at 2000-01-01 00:00:00 UTC
// (a multiple of every window used here) and time.Sleep moves the clock
// forward at once.

import (
	"math"
	"testing"
	"testing/synctest"
	"time"

	analytics "example.com/realtime-analytics-engine"
)

func TestHiddenWindowing_BoundaryGoesToLaterWindow(t *testing.T) {
	winBubble(t, func(t *testing.T) {
		e := analytics.NewEngine(analytics.Options{Window: 10 * time.Second, Retain: 10})
		t0 := time.Now()
		time.Sleep(30 * time.Second)
		for _, ev := range []struct {
			at time.Duration
			v  float64
		}{{10*time.Second - 1, 1}, {10 * time.Second, 2}, {20*time.Second - 1, 4}, {20 * time.Second, 8}} {
			e.Ingest(analytics.Event{Metric: "m", Key: "k", Value: ev.v, Time: t0.Add(ev.at)})
		}
		for _, c := range []struct {
			what     string
			from, to time.Duration
			want     analytics.Summary
		}{
			{"[t0, t0+10s): the event at t0+10s-1ns only", 0, 10 * time.Second, analytics.Summary{Count: 1, Sum: 1, Min: 1, Max: 1, Distinct: 1}},
			{"[t0+10s, t0+20s): the events at t0+10s and t0+20s-1ns", 10 * time.Second, 20 * time.Second, analytics.Summary{Count: 2, Sum: 6, Min: 2, Max: 4, Distinct: 1}},
			{"[t0+20s, t0+30s): the event at t0+20s", 20 * time.Second, 30 * time.Second, analytics.Summary{Count: 1, Sum: 8, Min: 8, Max: 8, Distinct: 1}},
			{"[t0+15s, t0+15s+1ns): overlaps the whole window [t0+10s, t0+20s)", 15 * time.Second, 15*time.Second + 1, analytics.Summary{Count: 2, Sum: 6, Min: 2, Max: 4, Distinct: 1}},
			{"[t0+10s-1ns, t0+10s): overlaps the window [t0, t0+10s) only", 10*time.Second - 1, 10 * time.Second, analytics.Summary{Count: 1, Sum: 1, Min: 1, Max: 1, Distinct: 1}},
			{"[t0+10s-1ns, t0+10s+1ns): overlaps the first two windows", 10*time.Second - 1, 10*time.Second + 1, analytics.Summary{Count: 3, Sum: 7, Min: 1, Max: 4, Distinct: 1}},
			{"[t0+20s, t0+20s): empty range", 20 * time.Second, 20 * time.Second, analytics.Summary{}},
			{"[t0+30s, t0+10s): from after to", 30 * time.Second, 10 * time.Second, analytics.Summary{}},
		} {
			if got := e.Query("m", t0.Add(c.from), t0.Add(c.to)); got != c.want {
				t.Errorf("Window 10s, events at t0+10s-1ns (1), t0+10s (2), t0+20s-1ns (4), t0+20s (8): Query over %s = %+v, want %+v", c.what, got, c.want)
			}
		}
	})
}

func TestHiddenWindowing_EvictsOldWindows(t *testing.T) {
	winBubble(t, func(t *testing.T) {
		e := analytics.NewEngine(analytics.Options{Window: 10 * time.Second, Retain: 3})
		t0 := time.Now()
		all := func() analytics.Summary { return e.Query("m", t0.Add(-time.Hour), t0.Add(time.Hour)) }
		e.Ingest(analytics.Event{Metric: "m", Key: "a", Value: 1, Time: t0})
		time.Sleep(10 * time.Second)
		e.Ingest(analytics.Event{Metric: "m", Key: "b", Value: 2, Time: t0.Add(10 * time.Second)})
		time.Sleep(10 * time.Second)
		e.Ingest(analytics.Event{Metric: "m", Key: "c", Value: 4, Time: t0.Add(20 * time.Second)})
		e.Ingest(analytics.Event{Metric: "m", Key: "c", Value: 4, Time: t0.Add(5 * time.Second)})
		if got, want := all(), (analytics.Summary{Count: 4, Sum: 11, Min: 1, Max: 4, Distinct: 3}); got != want {
			t.Fatalf("Retain 3, Window 10s, now t0+20s, events in the windows of t0 (two), t0+10s, t0+20s: Query = %+v, want %+v (the 3 windows are retained)", got, want)
		}
		time.Sleep(10 * time.Second)
		if got, want := all(), (analytics.Summary{Count: 2, Sum: 6, Min: 2, Max: 4, Distinct: 2}); got != want {
			t.Fatalf("Retain 3, Window 10s, now t0+30s: Query = %+v, want %+v (the window [t0, t0+10s) is evicted; [t0+10s, t0+20s), [t0+20s, t0+30s) and [t0+30s, t0+40s) are retained)", got, want)
		}
		e.Ingest(analytics.Event{Metric: "m", Key: "d", Value: 100, Time: t0.Add(9 * time.Second)})
		if got, want := all(), (analytics.Summary{Count: 2, Sum: 6, Min: 2, Max: 4, Distinct: 2}); got != want {
			t.Fatalf("now t0+30s, Retain 3: after Ingest of an event at t0+9s (an evicted window), Query = %+v, want %+v (the event must be dropped)", got, want)
		}
		if v, ok := e.Quantile("m", t0.Add(-time.Hour), t0.Add(time.Hour), 0); !ok || math.Abs(v-2) > 0.02 {
			t.Fatalf("now t0+30s: Quantile(q=0) = (%v, %v), want (≈2, true): the value 1 was in an evicted window", v, ok)
		}
		time.Sleep(20 * time.Second)
		if got := all(); got != (analytics.Summary{}) {
			t.Fatalf("now t0+50s, Retain 3, Window 10s (retained windows start at t0+30s): Query = %+v, want the zero Summary", got)
		}
		if v, ok := e.Quantile("m", t0.Add(-time.Hour), t0.Add(time.Hour), 0.5); ok {
			t.Fatalf("now t0+50s, every window with events evicted: Quantile = (%v, true), want ok false", v)
		}
	})
}

func TestHiddenWindowing_FutureEventsDropped(t *testing.T) {
	winBubble(t, func(t *testing.T) {
		e := analytics.NewEngine(analytics.Options{Window: 10 * time.Second, Retain: 10})
		t0 := time.Now()
		e.Ingest(analytics.Event{Metric: "m", Key: "a", Value: 1, Time: t0.Add(10*time.Second - 1)})
		e.Ingest(analytics.Event{Metric: "m", Key: "b", Value: 2, Time: t0.Add(10 * time.Second)})
		e.Ingest(analytics.Event{Metric: "m", Key: "c", Value: 4, Time: t0.Add(time.Hour)})
		time.Sleep(time.Minute)
		if got, want := e.Query("m", t0.Add(-time.Hour), t0.Add(2*time.Hour)), (analytics.Summary{Count: 1, Sum: 1, Min: 1, Max: 1, Distinct: 1}); got != want {
			t.Fatalf("events ingested at t0 (window [t0, t0+10s)) for t0+10s-1ns, t0+10s and t0+1h: Query a minute later = %+v, want %+v (events after the current window are dropped)", got, want)
		}
	})
}

func TestHiddenWindowing_Defaults(t *testing.T) {
	winBubble(t, func(t *testing.T) {
		e := analytics.NewEngine(analytics.Options{})
		t0 := time.Now()
		e.Ingest(analytics.Event{Metric: "m", Key: "a", Value: 1, Time: t0})
		time.Sleep(time.Minute - 1)
		e.Ingest(analytics.Event{Metric: "m", Key: "a", Value: 2, Time: time.Now()})
		time.Sleep(1)
		e.Ingest(analytics.Event{Metric: "m", Key: "a", Value: 4, Time: time.Now()})
		if got, want := e.Query("m", t0, t0.Add(time.Minute)), (analytics.Summary{Count: 2, Sum: 3, Min: 1, Max: 2, Distinct: 1}); got != want {
			t.Fatalf("Options{} (Window 1 minute): Query over [t0, t0+1m) with events at t0, t0+1m-1ns and t0+1m = %+v, want %+v", got, want)
		}
		if got, want := e.Query("m", t0.Add(time.Minute), t0.Add(2*time.Minute)), (analytics.Summary{Count: 1, Sum: 4, Min: 4, Max: 4, Distinct: 1}); got != want {
			t.Fatalf("Options{} (Window 1 minute): Query over [t0+1m, t0+2m) = %+v, want %+v", got, want)
		}
		time.Sleep(59*time.Minute - 1)
		if got := e.Query("m", t0, t0.Add(time.Minute)); got.Count != 2 {
			t.Fatalf("Options{} (Retain 60): Query of the window [t0, t0+1m) at t0+1h-1ns = %+v, want Count 2 (still one of the 60 retained windows)", got)
		}
		time.Sleep(1)
		if got := e.Query("m", t0, t0.Add(time.Minute)); got != (analytics.Summary{}) {
			t.Fatalf("Options{} (Retain 60): Query of the window [t0, t0+1m) at t0+1h = %+v, want the zero Summary (evicted)", got)
		}
		if got := e.Query("m", t0, t0.Add(2*time.Minute)); got.Count != 1 {
			t.Fatalf("Options{} (Retain 60): Query over [t0, t0+2m) at t0+1h = %+v, want Count 1 (the window [t0+1m, t0+2m) is retained)", got)
		}
	})
}

func TestHiddenWindowing_MetricsAreSeparate(t *testing.T) {
	winBubble(t, func(t *testing.T) {
		e := analytics.NewEngine(analytics.Options{Window: time.Second, Retain: 10})
		now := time.Now()
		for i, k := range []string{"alice", "bob", "carol", "bob", "alice"} {
			e.Ingest(analytics.Event{Metric: "latency", Key: k, Value: float64(i) - 2.5, Time: now})
		}
		e.Ingest(analytics.Event{Metric: "errors", Key: "dave", Value: 7, Time: now})
		from, to := now.Add(-time.Minute), now.Add(time.Minute)
		if got, want := e.Query("latency", from, to), (analytics.Summary{Count: 5, Sum: -2.5, Min: -2.5, Max: 1.5, Distinct: 3}); got != want {
			t.Errorf("Query(\"latency\") after 5 events (values -2.5..1.5, keys alice, bob, carol, bob, alice) = %+v, want %+v", got, want)
		}
		if got, want := e.Query("errors", from, to), (analytics.Summary{Count: 1, Sum: 7, Min: 7, Max: 7, Distinct: 1}); got != want {
			t.Errorf("Query(\"errors\") after 1 event = %+v, want %+v", got, want)
		}
		if got := e.Query("unknown", from, to); got != (analytics.Summary{}) {
			t.Errorf("Query of a metric never ingested = %+v, want the zero Summary", got)
		}
		if v, ok := e.Quantile("unknown", from, to, 0.5); ok {
			t.Errorf("Quantile of a metric never ingested = (%v, true), want ok false", v)
		}
		if v, ok := e.Quantile("errors", from, to, 0.5); !ok || math.Abs(v-7) > 0.07 {
			t.Errorf("Quantile(\"errors\", q=0.5) with the single value 7 = (%v, %v), want (7 within 1%%, true)", v, ok)
		}
	})
}

func TestHiddenWindowing_ReusedWindowStartsEmpty(t *testing.T) {
	winBubble(t, func(t *testing.T) {
		e := analytics.NewEngine(analytics.Options{Window: 10 * time.Second, Retain: 2})
		t0 := time.Now()
		for i := range 100 {
			e.Ingest(analytics.Event{Metric: "m", Key: string(rune('a' + i%20)), Value: 100, Time: t0})
		}
		time.Sleep(20 * time.Second)
		e.Ingest(analytics.Event{Metric: "m", Key: "z", Value: 1, Time: time.Now()})
		from, to := t0.Add(-time.Hour), t0.Add(time.Hour)
		if got, want := e.Query("m", from, to), (analytics.Summary{Count: 1, Sum: 1, Min: 1, Max: 1, Distinct: 1}); got != want {
			t.Fatalf("Retain 2: 100 events (value 100, 20 keys) at t0, then one (value 1, key z) at t0+20s: Query = %+v, want %+v (nothing of the evicted window may remain)", got, want)
		}
		if v, ok := e.Quantile("m", from, to, 1); !ok || math.Abs(v-1) > 0.01 {
			t.Fatalf("after the window of t0 was evicted: Quantile(q=1) = (%v, %v), want (≈1, true)", v, ok)
		}
	})
}

// winBubble runs f in a synctest bubble. A panic in f fails this test only;
// a real-time watchdog fails code that runs for ever.
func winBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("panic: %v", r)
				}
			}()
			f(t)
		})
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("synctest: %v: every goroutine of the test was blocked for ever (a call that never returns, or a goroutine of the engine still blocked at the end of the test)", v)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the test did not end within 60 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}
