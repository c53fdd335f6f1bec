package analytics_test

// Hidden tests, group Concurrent: many goroutines ingest and query at once.
// Values are integers, so Count and Sum must be exact. These tests also run
// under -race for the race criterion. Virtual time (testing/synctest): the
// clock moves only when every goroutine is blocked.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	analytics "example.com/realtime-analytics-engine"
)

type conTotals struct {
	count         uint64
	sum, min, max float64
}

func conCheck(t *testing.T, e *analytics.Engine, metric string, from, to time.Time, want conTotals, distinct int) {
	t.Helper()
	got := e.Query(metric, from, to)
	d := math.Abs(float64(got.Distinct) - float64(distinct))
	if got.Count != want.count || got.Sum != want.sum || got.Min != want.min || got.Max != want.max || d > 0.02*float64(distinct) {
		t.Errorf("after the goroutines stopped: Query(%q) = %+v, want Count %d, Sum %v, Min %v, Max %v, Distinct %d (within 2%%)", metric, got, want.count, want.sum, want.min, want.max, distinct)
	}
}

func TestHiddenConcurrent_ExactCountAndSum(t *testing.T) {
	conBubble(t, func(t *testing.T) {
		const (
			workers = 8
			each    = 10_000
			metrics = 4
			keys    = 3000
		)
		e := analytics.NewEngine(analytics.Options{Window: time.Second, Retain: 10})
		t0 := time.Now()
		time.Sleep(5 * time.Second)
		from, to := t0.Add(-time.Minute), t0.Add(time.Minute)
		var want [metrics]conTotals
		var mu sync.Mutex
		stop := make(chan struct{})
		var readers, wg sync.WaitGroup
		for m := range 2 {
			readers.Go(func() {
				defer conRecover(t)
				metric := fmt.Sprint("metric-", m)
				var last uint64
				for range 200 {
					s := e.Query(metric, from, to)
					if s.Count < last {
						t.Errorf("concurrent Query(%q): Count went down from %d to %d while events were only added", metric, last, s.Count)
						return
					}
					if s.Count > 0 && (s.Min > s.Max || s.Min < 1 || s.Max > 1000) {
						t.Errorf("concurrent Query(%q) = %+v: Min/Max outside the values ingested (1..1000)", metric, s)
						return
					}
					last = s.Count
					e.Quantile(metric, from, to, 0.5)
					select {
					case <-stop:
						return
					default:
						runtime.Gosched()
					}
				}
			})
		}
		for w := range workers {
			wg.Go(func() {
				defer conRecover(t)
				r := rand.New(rand.NewPCG(uint64(w), 3))
				var mine [metrics]conTotals
				for i := range each {
					m := i % metrics
					v := float64(1 + r.IntN(1000))
					e.Ingest(analytics.Event{
						Metric: fmt.Sprint("metric-", m),
						Key:    fmt.Sprint("key-", r.IntN(keys)),
						Value:  v,
						Time:   t0.Add(time.Duration(r.IntN(5)) * time.Second),
					})
					tot := &mine[m]
					if tot.count == 0 || v < tot.min {
						tot.min = v
					}
					if tot.count == 0 || v > tot.max {
						tot.max = v
					}
					tot.count++
					tot.sum += v
				}
				mu.Lock()
				defer mu.Unlock()
				for m := range metrics {
					if want[m].count == 0 || mine[m].min < want[m].min {
						want[m].min = mine[m].min
					}
					if want[m].count == 0 || mine[m].max > want[m].max {
						want[m].max = mine[m].max
					}
					want[m].count += mine[m].count
					want[m].sum += mine[m].sum
				}
			})
		}
		wg.Wait()
		close(stop)
		readers.Wait()
		for m := range metrics {
			conCheck(t, e, fmt.Sprint("metric-", m), from, to, want[m], keys)
		}
	})
}

func TestHiddenConcurrent_NewMetricsAtOnce(t *testing.T) {
	conBubble(t, func(t *testing.T) {
		const (
			workers = 8
			metrics = 200
			rounds  = 5
		)
		e := analytics.NewEngine(analytics.Options{Window: time.Minute, Retain: 5})
		now := time.Now()
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				defer conRecover(t)
				for range rounds {
					for m := range metrics {
						e.Ingest(analytics.Event{Metric: fmt.Sprint("new-", (m+w*25)%metrics), Key: fmt.Sprint("w", w), Value: 2, Time: now})
					}
				}
			})
		}
		wg.Wait()
		for m := range metrics {
			want := analytics.Summary{Count: workers * rounds, Sum: 2 * workers * rounds, Min: 2, Max: 2, Distinct: workers}
			if got := e.Query(fmt.Sprint("new-", m), now.Add(-time.Hour), now.Add(time.Hour)); got != want {
				t.Fatalf("%d goroutines each ingested %d events into each of %d new metrics at once: Query(%q) = %+v, want %+v (events lost when two goroutines create a metric at once?)", workers, rounds, metrics, fmt.Sprint("new-", m), got, want)
			}
		}
	})
}

func TestHiddenConcurrent_WindowsRotateUnderLoad(t *testing.T) {
	conBubble(t, func(t *testing.T) {
		const (
			workers = 8
			rounds  = 8
			each    = 500
		)
		e := analytics.NewEngine(analytics.Options{Window: time.Second, Retain: 3})
		t0 := time.Now()
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				defer conRecover(t)
				for range rounds {
					now := time.Now().Add(time.Second / 2) // mid-window
					for i := range each {
						e.Ingest(analytics.Event{Metric: "rot", Key: fmt.Sprint("k", i%100), Value: float64(w + 1), Time: now})
					}
					e.Query("rot", t0, now.Add(time.Second))
					time.Sleep(time.Second)
				}
			})
		}
		wg.Wait()
		// now = t0+8s: the retained windows are those of t0+6s..t0+8s; the
		// last two rounds ingested into t0+6s and t0+7s.
		from, to := t0, t0.Add(time.Hour)
		want := analytics.Summary{Count: 2 * workers * each, Sum: 2 * each * workers * (workers + 1) / 2, Min: 1, Max: workers, Distinct: 100}
		if got := e.Query("rot", from, to); got != want {
			t.Fatalf("%d goroutines ingesting %d events a second for %d s, Retain 3: Query at t0+%ds = %+v, want %+v (the last two rounds, nothing of the evicted windows)", workers, each, rounds, rounds, got, want)
		}
	})
}

func conRecover(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic in a goroutine: %v", r)
	}
}

func conBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, func(t *testing.T) {
			defer conRecover(t)
			f(t)
		})
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("synctest: %v: every goroutine of the test was blocked for ever", v)
		}
	case <-time.After(120 * time.Second):
		t.Fatalf("the test did not end within 120 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}
