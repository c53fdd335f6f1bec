package health_test

// Hidden tests, group "Background": Start runs checks with an Interval at
// once and then every Interval until its context ends, OnChange hooks fire
// once per transition. On synctest's virtual clock.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	health "example.com/health-check-service"
)

// bgBubble runs f in a synctest bubble, from a goroutine of its own so that
// a bubble whose goroutines all block for ever (synctest panics then) fails
// this test only. f's stuck(msg) ends the test at once with msg: it is
// called by a check that runs after the Checker's context was cancelled,
// and it then blocks that check for ever on a channel from outside the
// bubble, which freezes the bubble's clock, so that background loops that
// never stop do not run for ever.
func bgBubble(t *testing.T, f func(t *testing.T, stuck func(msg string))) {
	t.Helper()
	done := make(chan any, 1)
	escape := make(chan string, 1)
	never := make(chan struct{})
	stuck := func(msg string) {
		select {
		case escape <- msg:
		default:
		}
		<-never
	}
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, func(t *testing.T) { f(t, stuck) })
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("synctest: %v: every goroutine of the test was blocked for ever: a call that never returns, or goroutines of the Checker still waiting after the test ended (loops not stopped by their context, or a check still running)", v)
		}
	case msg := <-escape:
		t.Fatal(msg)
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

// bgDep is a fake dependency: its check counts executions, fails while down
// is set, and calls stuck when it runs after the test stopped the Checker.
type bgDep struct {
	runs    atomic.Int32
	down    atomic.Bool
	stopped atomic.Bool
	stuck   func(string)
}

func (d *bgDep) check(ctx context.Context) error {
	if d.stopped.Load() {
		d.stuck("a check ran after the context given to Start was cancelled: the background loops must stop when it ends")
	}
	d.runs.Add(1)
	if d.down.Load() {
		return errors.New("dependency down")
	}
	return nil
}

func bgChecker(t *testing.T, regs ...health.Registration) *health.Checker {
	t.Helper()
	c := health.New()
	for _, r := range regs {
		if err := c.Register(r); err != nil {
			t.Fatalf("Register(%q) = %v, want nil", r.Name, err)
		}
	}
	return c
}

// bgAt sleeps until t0+d.
func bgAt(t0 time.Time, d time.Duration) {
	time.Sleep(t0.Add(d).Sub(time.Now()))
	synctest.Wait()
}

func bgRuns(t *testing.T, what string, d *bgDep, want int32) {
	t.Helper()
	if got := d.runs.Load(); got != want {
		t.Errorf("%s: the check has run %d times, want %d", what, got, want)
	}
}

func TestHiddenBackground_RunsAtStartAndEveryInterval(t *testing.T) {
	bgBubble(t, func(t *testing.T, stuck func(string)) {
		d := &bgDep{stuck: stuck}
		c := bgChecker(t, health.Registration{Name: "db", Check: d.check, Interval: 10 * time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		t0 := time.Now()
		c.Start(ctx)
		if took := time.Since(t0); took != 0 {
			t.Errorf("Start took %v of virtual time, want 0: it starts the loops and returns at once", took)
		}
		synctest.Wait()
		bgRuns(t, "just after Start (Interval 10s)", d, 1)
		for i, at := range []time.Duration{9 * time.Second, 10 * time.Second, 25 * time.Second, 35 * time.Second} {
			bgAt(t0, at)
			bgRuns(t, fmt.Sprintf("at t=%v (Interval 10s: runs at t=0, 10s, 20s, 30s, ...)", at), d, []int32{1, 2, 3, 4}[i])
		}
		cancel()
		synctest.Wait()
		d.stopped.Store(true)
	})
}

func TestHiddenBackground_OnlyIntervalChecks(t *testing.T) {
	bgBubble(t, func(t *testing.T, stuck func(string)) {
		every, demand := &bgDep{stuck: stuck}, &bgDep{stuck: stuck}
		c := bgChecker(t,
			health.Registration{Name: "every", Check: every.check, Interval: time.Minute},
			health.Registration{Name: "demand", Check: demand.check},
		)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		t0 := time.Now()
		c.Start(ctx)
		bgAt(t0, 150*time.Second)
		bgRuns(t, "check with Interval 1m, 150s after Start", every, 3)
		bgRuns(t, "check with Interval 0 (on demand only), 150s after Start", demand, 0)
		cancel()
		synctest.Wait()
		every.stopped.Store(true)
		demand.stopped.Store(true)
	})
}

func TestHiddenBackground_StopsOnCancel(t *testing.T) {
	bgBubble(t, func(t *testing.T, stuck func(string)) {
		a, b := &bgDep{stuck: stuck}, &bgDep{stuck: stuck}
		c := bgChecker(t,
			health.Registration{Name: "a", Check: a.check, Interval: 10 * time.Second},
			health.Registration{Name: "b", Check: b.check, Interval: 7 * time.Second, Critical: true},
		)
		ctx, cancel := context.WithCancel(context.Background())
		t0 := time.Now()
		c.Start(ctx)
		bgAt(t0, 25*time.Second)
		bgRuns(t, "check a (Interval 10s) at t=25s", a, 3)
		bgRuns(t, "check b (Interval 7s) at t=25s", b, 4)
		cancel()
		synctest.Wait()
		a.stopped.Store(true)
		b.stopped.Store(true)
		time.Sleep(time.Hour) // a loop still running calls stuck here
		synctest.Wait()
	})
}

func TestHiddenBackground_RunServesLatest(t *testing.T) {
	bgBubble(t, func(t *testing.T, stuck func(string)) {
		d := &bgDep{stuck: stuck}
		c := bgChecker(t, health.Registration{Name: "db", Check: d.check, Interval: 10 * time.Second, CacheTTL: 10 * time.Second, Critical: true})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		t0 := time.Now()
		c.Start(ctx)
		bgAt(t0, 15*time.Second) // runs at 0 and 10s
		d.down.Store(true)
		bgAt(t0, 22*time.Second) // and at 20s, failing
		rep := c.Run(context.Background())
		bgRuns(t, "a Run at t=22s, 2s after the background run of t=20s (CacheTTL 10s)", d, 3)
		got := rep.Checks["db"]
		if rep.Status != health.Down || got.Status != health.Down || got.Error != "dependency down" || !got.CheckedAt.Equal(t0.Add(20*time.Second)) {
			t.Errorf("Run at t=22s = %+v, want Status %q with the background result of t=20s: {Status down, Error \"dependency down\", CheckedAt %v}", rep, health.Down, t0.Add(20*time.Second).UTC())
		}
		cancel()
		synctest.Wait()
		d.stopped.Store(true)
	})
}

type bgEvent struct {
	hook     int
	name     string
	from, to health.Status
}

func TestHiddenBackground_OnChangeTransitions(t *testing.T) {
	bgBubble(t, func(t *testing.T, stuck func(string)) {
		d := &bgDep{stuck: stuck}
		c := bgChecker(t, health.Registration{Name: "db", Check: d.check, Interval: 10 * time.Second, Critical: true})
		var (
			mu     sync.Mutex
			events []bgEvent
		)
		for hook := range 2 {
			c.OnChange(func(name string, from, to health.Status) {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, bgEvent{hook, name, from, to})
			})
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		t0 := time.Now()
		c.Start(ctx)
		bgAt(t0, 15*time.Second) // up at 0 and 10s
		d.down.Store(true)
		bgAt(t0, 45*time.Second) // down at 20s, 30s, 40s
		d.down.Store(false)
		bgAt(t0, 55*time.Second) // up at 50s
		cancel()
		synctest.Wait()
		d.stopped.Store(true)
		mu.Lock()
		defer mu.Unlock()
		var want []bgEvent
		for _, tr := range [][2]health.Status{{"", health.Up}, {health.Up, health.Down}, {health.Down, health.Up}} {
			for hook := range 2 {
				want = append(want, bgEvent{hook, "db", tr[0], tr[1]})
			}
		}
		if !slices.Equal(events, want) {
			t.Errorf("OnChange calls (hook index, name, from, to) = %v\nwant %v\n(runs: up at 0s and 10s, down at 20s, 30s, 40s, up at 50s; each transition calls every hook once, in registration order)", events, want)
		}
	})
}

func TestHiddenBackground_OnChangeFromRun(t *testing.T) {
	bgBubble(t, func(t *testing.T, stuck func(string)) {
		d := &bgDep{stuck: stuck}
		d.down.Store(true)
		c := bgChecker(t, health.Registration{Name: "cache", Check: d.check})
		var events []bgEvent // hooks run before Run returns: no lock needed
		c.OnChange(func(name string, from, to health.Status) {
			events = append(events, bgEvent{0, name, from, to})
		})
		c.Run(context.Background())
		c.Run(context.Background())
		d.down.Store(false)
		c.Run(context.Background())
		want := []bgEvent{{0, "cache", "", health.Down}, {0, "cache", health.Down, health.Up}}
		if !slices.Equal(events, want) {
			t.Errorf("OnChange calls after Runs failing, failing, passing = %v, want %v (a check's own status changes, not the overall status; hooks are called before Run returns)", events, want)
		}
	})
}
