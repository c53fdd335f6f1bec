package health_test

// Hidden tests, group "Race": many goroutines use one Checker at once (Run,
// the HTTP handlers, SetDraining, OnChange, background loops). They score
// nothing by themselves; the race criterion runs them under -race. They
// check that the work gets done, so that a stub cannot pass them.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	health "example.com/health-check-service"
	"go.uber.org/goleak"
)

func raceChecker(t *testing.T, regs ...health.Registration) *health.Checker {
	t.Helper()
	c := health.New()
	for _, r := range regs {
		if err := c.Register(r); err != nil {
			t.Fatalf("Register(%q) = %v, want nil", r.Name, err)
		}
	}
	return c
}

func TestHiddenRace_ConcurrentUse(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var flips, cachedRuns atomic.Int32
	c := raceChecker(t,
		health.Registration{Name: "db", Check: func(context.Context) error { return nil }, Critical: true},
		health.Registration{Name: "flaky", Check: func(context.Context) error {
			if flips.Add(1)%2 == 0 {
				return errors.New("flaky")
			}
			return nil
		}},
		health.Registration{Name: "cached", CacheTTL: time.Hour, Check: func(context.Context) error {
			cachedRuns.Add(1)
			return nil
		}},
	)
	var changes atomic.Int32
	c.OnChange(func(string, health.Status, health.Status) { changes.Add(1) })
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []string
	)
	fail := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 5 {
			errs = append(errs, msg)
		}
	}
	for range 4 {
		wg.Go(func() {
			for range 100 {
				rep := c.Run(context.Background())
				if len(rep.Checks) != 3 || rep.Checks["db"].Status != health.Up || (rep.Status != health.Up && rep.Status != health.Degraded) {
					fail("Run returned an unexpected report (want 3 checks, db up, overall up or degraded)")
				}
			}
		})
	}
	for i := range 2 {
		wg.Go(func() {
			for j := range 50 {
				c.SetDraining(i == 0 && j%2 == 0)
				rec := httptest.NewRecorder()
				c.ReadyHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
				var rep health.Report
				if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil || (rec.Code != 200 && rec.Code != 503) {
					fail("GET /readyz answered " + rec.Body.String())
				}
				c.OnChange(func(string, health.Status, health.Status) {})
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		t.Error(e)
	}
	if n := cachedRuns.Load(); n < 1 {
		t.Errorf("a check with CacheTTL 1h never ran")
	}
	if changes.Load() < 3 {
		t.Errorf("OnChange was called %d times, want at least 3 (first results, then flaky flipping)", changes.Load())
	}
}

func TestHiddenRace_BackgroundAndRuns(t *testing.T) {
	var runs [3]atomic.Int32
	var regs []health.Registration
	for i, name := range []string{"a", "b", "c"} {
		regs = append(regs, health.Registration{Name: name, Interval: time.Millisecond, CacheTTL: time.Millisecond, Check: func(context.Context) error {
			if runs[i].Add(1)%3 == 0 {
				return errors.New("every third run fails")
			}
			return nil
		}})
	}
	c := raceChecker(t, regs...)
	var changes atomic.Int32
	c.OnChange(func(string, health.Status, health.Status) { changes.Add(1) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 100 {
				if rep := c.Run(context.Background()); len(rep.Checks) != 3 {
					t.Errorf("Run returned %d checks, want 3", len(rep.Checks))
					return
				}
			}
		})
	}
	wg.Wait()
	for i := range runs {
		if runs[i].Load() == 0 {
			t.Errorf("check %d never ran", i)
		}
	}
	if changes.Load() < 3 {
		t.Errorf("OnChange was called %d times, want at least 3 (the first result of each check)", changes.Load())
	}
}
