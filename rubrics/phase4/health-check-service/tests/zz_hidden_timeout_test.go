package health_test

// Hidden tests, group "Timeout": checks run in parallel, each under its own
// timeout, on synctest's virtual clock (time.Now starts at
// 2000-01-01T00:00:00Z in a bubble and only moves when every goroutine of
// the bubble is blocked, so durations are exact).

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	health "example.com/health-check-service"
)

// tmoBubble runs f in a synctest bubble, from a goroutine of its own so
// that a bubble whose goroutines all block for ever (synctest panics then)
// fails this test only. The real-time watchdog only ever fires for code
// that keeps running for ever.
func tmoBubble(t *testing.T, f func(t *testing.T)) {
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

// tmoSleep returns a check that takes d (honouring its context).
func tmoSleep(d time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		select {
		case <-time.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func tmoChecker(t *testing.T, regs ...health.Registration) *health.Checker {
	t.Helper()
	c := health.New()
	for _, r := range regs {
		if err := c.Register(r); err != nil {
			t.Fatalf("Register(%q) = %v, want nil", r.Name, err)
		}
	}
	return c
}

// tmoResult compares one check's result with the expected one.
func tmoResult(t *testing.T, rep health.Report, name string, status health.Status, errText string, dur time.Duration, at time.Time) {
	t.Helper()
	got, ok := rep.Checks[name]
	if !ok {
		t.Errorf("Report.Checks has no entry %q: %+v", name, rep.Checks)
		return
	}
	if got.Status != status || got.Error != errText || got.Duration != dur || !got.CheckedAt.Equal(at) {
		t.Errorf("Checks[%q] = {Status %q, Error %q, Duration %v, CheckedAt %v}, want {Status %q, Error %q, Duration %v, CheckedAt %v}",
			name, got.Status, got.Error, got.Duration, got.CheckedAt.UTC(), status, errText, dur, at.UTC())
	}
}

func TestHiddenTimeout_MaxNotSum(t *testing.T) {
	tmoBubble(t, func(t *testing.T) {
		c := tmoChecker(t,
			health.Registration{Name: "fast", Check: tmoSleep(time.Second), Timeout: 5 * time.Second, Critical: true},
			health.Registration{Name: "medium", Check: tmoSleep(2 * time.Second), Timeout: 5 * time.Second, Critical: true},
			health.Registration{Name: "slow", Check: tmoSleep(10 * time.Second), Timeout: 5 * time.Second, Critical: true},
		)
		t0 := time.Now()
		rep := c.Run(context.Background())
		if took := time.Since(t0); took != 5*time.Second {
			t.Errorf("Run took %v of virtual time, want exactly 5s: checks of 1s, 2s and 10s with a 5s timeout run in parallel, and the 10s one is cut at 5s", took)
		}
		if rep.Status != health.Down {
			t.Errorf("Report.Status = %q, want %q (the critical 10s check timed out)", rep.Status, health.Down)
		}
		tmoResult(t, rep, "fast", health.Up, "", time.Second, t0.Add(time.Second))
		tmoResult(t, rep, "medium", health.Up, "", 2*time.Second, t0.Add(2*time.Second))
		tmoResult(t, rep, "slow", health.Down, context.DeadlineExceeded.Error(), 5*time.Second, t0.Add(5*time.Second))
	})
}

func TestHiddenTimeout_IgnoresContext(t *testing.T) {
	tmoBubble(t, func(t *testing.T) {
		c := tmoChecker(t,
			health.Registration{Name: "stubborn", Timeout: 2 * time.Second, Critical: true, Check: func(context.Context) error {
				time.Sleep(time.Hour) // ignores its context
				return nil
			}},
			health.Registration{Name: "ok", Check: tmoSleep(time.Second), Timeout: 5 * time.Second},
		)
		t0 := time.Now()
		rep := c.Run(context.Background())
		if took := time.Since(t0); took != 2*time.Second {
			t.Errorf("Run took %v of virtual time, want exactly 2s: a check that ignores its context must not hold Run past its 2s timeout", took)
		}
		tmoResult(t, rep, "stubborn", health.Down, context.DeadlineExceeded.Error(), 2*time.Second, t0.Add(2*time.Second))
		tmoResult(t, rep, "ok", health.Up, "", time.Second, t0.Add(time.Second))
		time.Sleep(2 * time.Hour) // the abandoned check returns
		synctest.Wait()
	})
}

func TestHiddenTimeout_DefaultOneSecond(t *testing.T) {
	tmoBubble(t, func(t *testing.T) {
		c := tmoChecker(t, health.Registration{Name: "blocked", Critical: true, Check: func(ctx context.Context) error {
			<-ctx.Done()
			return fmt.Errorf("blocked: %w", ctx.Err())
		}})
		t0 := time.Now()
		rep := c.Run(context.Background())
		if took := time.Since(t0); took != time.Second {
			t.Errorf("Run took %v of virtual time, want exactly 1s: Timeout 0 means the default timeout of 1s", took)
		}
		got := rep.Checks["blocked"]
		if got.Status != health.Down || got.Duration != time.Second {
			t.Errorf("Checks[%q] = %+v, want Status %q and Duration 1s", "blocked", got, health.Down)
		}
		if got.Error != context.DeadlineExceeded.Error() && got.Error != "blocked: "+context.DeadlineExceeded.Error() {
			t.Errorf("Checks[%q].Error = %q, want %q", "blocked", got.Error, context.DeadlineExceeded.Error())
		}
	})
}

func TestHiddenTimeout_ContextDeadline(t *testing.T) {
	tmoBubble(t, func(t *testing.T) {
		type seen struct {
			deadline time.Time
			ok       bool
			err      error
		}
		saw := make(chan seen, 1)
		c := tmoChecker(t, health.Registration{Name: "dl", Timeout: 3 * time.Second, Check: func(ctx context.Context) error {
			deadline, ok := ctx.Deadline()
			<-ctx.Done()
			saw <- seen{deadline, ok, ctx.Err()}
			return ctx.Err()
		}})
		t0 := time.Now()
		c.Run(context.Background())
		synctest.Wait() // let the check see its context end
		var s seen
		select {
		case s = <-saw:
		default:
			t.Fatalf("Run returned but the check's context has not ended: it must be cancelled at the deadline (the check waits on <-ctx.Done())")
		}
		if !s.ok || !s.deadline.Equal(t0.Add(3*time.Second)) {
			t.Errorf("the check's ctx.Deadline() = %v, %v; want %v, true (the start of the check + its 3s Timeout)", s.deadline.UTC(), s.ok, t0.Add(3*time.Second).UTC())
		}
		if !errors.Is(s.err, context.DeadlineExceeded) {
			t.Errorf("the check's context ended with %v, want context.DeadlineExceeded", s.err)
		}
	})
}

func TestHiddenTimeout_PerCheckTimeouts(t *testing.T) {
	tmoBubble(t, func(t *testing.T) {
		c := tmoChecker(t,
			health.Registration{Name: "short", Timeout: time.Second, Check: tmoSleep(time.Hour)},
			health.Registration{Name: "long", Timeout: 4 * time.Second, Critical: true, Check: tmoSleep(3 * time.Second)},
		)
		t0 := time.Now()
		rep := c.Run(context.Background())
		if took := time.Since(t0); took != 3*time.Second {
			t.Errorf("Run took %v of virtual time, want exactly 3s (short is cut at its 1s timeout, long needs 3s of its 4s)", took)
		}
		if rep.Status != health.Degraded {
			t.Errorf("Report.Status = %q, want %q (only the non-critical check timed out)", rep.Status, health.Degraded)
		}
		tmoResult(t, rep, "short", health.Down, context.DeadlineExceeded.Error(), time.Second, t0.Add(time.Second))
		tmoResult(t, rep, "long", health.Up, "", 3*time.Second, t0.Add(3*time.Second))
	})
}

func TestHiddenTimeout_AllRunAtOnce(t *testing.T) {
	tmoBubble(t, func(t *testing.T) {
		const n = 6
		var arrived atomic.Int32
		all := make(chan struct{})
		barrier := func(ctx context.Context) error {
			if arrived.Add(1) == n {
				close(all)
			}
			select {
			case <-all:
				return nil
			case <-ctx.Done():
				return fmt.Errorf("only %d of the %d checks were running at the same time", arrived.Load(), n)
			}
		}
		var regs []health.Registration
		for i := range n {
			regs = append(regs, health.Registration{Name: fmt.Sprintf("c%d", i), Check: barrier, Critical: true})
		}
		c := tmoChecker(t, regs...)
		t0 := time.Now()
		rep := c.Run(context.Background())
		if got := arrived.Load(); got != n {
			t.Errorf("%d of the %d checks were run, want all", got, n)
		}
		if rep.Status != health.Up || time.Since(t0) != 0 {
			t.Errorf("Run = %+v after %v of virtual time; want every check Up at once: %d checks that each wait until all %d have started must all run concurrently", rep, time.Since(t0), n, n)
		}
	})
}
