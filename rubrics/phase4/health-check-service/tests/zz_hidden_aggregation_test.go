package health_test

// Hidden tests, group "Aggregation": per-check results and the overall
// status (Up, Degraded, Down), panicking checks, Register's errors.

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	health "example.com/health-check-service"
	"go.uber.org/goleak"
)

// aggCatch turns a panic of the code under test into a failure of the
// current test only.
func aggCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic in the code under test: %v\n%s", r, debug.Stack())
	}
}

func aggOK(context.Context) error { return nil }

func aggFail(msg string) func(context.Context) error {
	return func(context.Context) error { return errors.New(msg) }
}

// aggRun registers regs on a new Checker and returns one Run's Report.
func aggRun(t *testing.T, regs ...health.Registration) health.Report {
	t.Helper()
	c := health.New()
	for _, r := range regs {
		if err := c.Register(r); err != nil {
			t.Fatalf("Register(%q) = %v, want nil", r.Name, err)
		}
	}
	return c.Run(context.Background())
}

// aggWant checks the report's overall status and, per check, its Status and
// Error.
func aggWant(t *testing.T, rep health.Report, status health.Status, checks map[string][2]string) {
	t.Helper()
	if rep.Status != status {
		t.Errorf("Report.Status = %q, want %q (report: %+v)", rep.Status, status, rep)
	}
	if len(rep.Checks) != len(checks) {
		t.Errorf("Report.Checks has %d entries, want %d (one per registered check): %+v", len(rep.Checks), len(checks), rep.Checks)
	}
	for name, want := range checks {
		got, ok := rep.Checks[name]
		if !ok {
			t.Errorf("Report.Checks has no entry %q", name)
			continue
		}
		if string(got.Status) != want[0] || got.Error != want[1] {
			t.Errorf("Checks[%q]: Status %q, Error %q; want Status %q, Error %q", name, got.Status, got.Error, want[0], want[1])
		}
	}
}

func TestHiddenAggregation_AllUp(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer aggCatch(t)
	rep := aggRun(t,
		health.Registration{Name: "db", Check: aggOK, Critical: true},
		health.Registration{Name: "cache", Check: aggOK},
		health.Registration{Name: "queue", Check: aggOK, Critical: true},
	)
	aggWant(t, rep, health.Up, map[string][2]string{"db": {"up", ""}, "cache": {"up", ""}, "queue": {"up", ""}})
}

func TestHiddenAggregation_NoChecks(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer aggCatch(t)
	rep := aggRun(t)
	aggWant(t, rep, health.Up, nil)
}

func TestHiddenAggregation_CriticalFailureIsDown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer aggCatch(t)
	wrapped := fmt.Errorf("db: ping: %w", errors.New("connection refused"))
	rep := aggRun(t,
		health.Registration{Name: "db", Check: func(context.Context) error { return wrapped }, Critical: true},
		health.Registration{Name: "cache", Check: aggOK},
	)
	aggWant(t, rep, health.Down, map[string][2]string{"db": {"down", "db: ping: connection refused"}, "cache": {"up", ""}})
}

func TestHiddenAggregation_NonCriticalFailureIsDegraded(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer aggCatch(t)
	rep := aggRun(t,
		health.Registration{Name: "db", Check: aggOK, Critical: true},
		health.Registration{Name: "cache", Check: aggFail("cache: miss storm")},
		health.Registration{Name: "search", Check: aggFail("search: unavailable")},
	)
	aggWant(t, rep, health.Degraded, map[string][2]string{
		"db": {"up", ""}, "cache": {"down", "cache: miss storm"}, "search": {"down", "search: unavailable"},
	})
}

func TestHiddenAggregation_CriticalWinsOverDegraded(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer aggCatch(t)
	rep := aggRun(t,
		health.Registration{Name: "cache", Check: aggFail("cache down")},
		health.Registration{Name: "db", Check: aggFail("db down"), Critical: true},
		health.Registration{Name: "queue", Check: aggOK, Critical: true},
	)
	aggWant(t, rep, health.Down, map[string][2]string{"cache": {"down", "cache down"}, "db": {"down", "db down"}, "queue": {"up", ""}})
}

func TestHiddenAggregation_Panic(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer aggCatch(t)
	c := health.New()
	for _, r := range []health.Registration{
		{Name: "boom", Check: func(context.Context) error { panic("boom") }, Critical: true},
		{Name: "err", Check: func(context.Context) error { panic(errors.New("nil map write")) }},
		{Name: "ok", Check: aggOK, Critical: true},
	} {
		if err := c.Register(r); err != nil {
			t.Fatalf("Register(%q) = %v, want nil", r.Name, err)
		}
	}
	for i := range 2 { // the process survives, and a second Run works as well
		rep := c.Run(context.Background())
		aggWant(t, rep, health.Down, map[string][2]string{
			"boom": {"down", "panic: boom"}, "err": {"down", "panic: nil map write"}, "ok": {"up", ""},
		})
		if t.Failed() {
			t.Fatalf("(Run number %d)", i+1)
		}
	}
	c2 := health.New()
	if err := c2.Register(health.Registration{Name: "boom", Check: func(context.Context) error { panic(42) }}); err != nil {
		t.Fatalf("Register = %v, want nil", err)
	}
	rep := c2.Run(context.Background())
	aggWant(t, rep, health.Degraded, map[string][2]string{"boom": {"down", "panic: 42"}})
	if got := rep.Checks["boom"].Error; !strings.HasPrefix(got, "panic: ") {
		t.Errorf("a panicking check's Error = %q, want it to start with \"panic: \"", got)
	}
}

type aggKey struct{}

func TestHiddenAggregation_ContextFromRun(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer aggCatch(t)
	c := health.New()
	var got any
	err := c.Register(health.Registration{Name: "ctx", Check: func(ctx context.Context) error {
		got = ctx.Value(aggKey{})
		return nil
	}})
	if err != nil {
		t.Fatalf("Register = %v, want nil", err)
	}
	c.Run(context.WithValue(context.Background(), aggKey{}, "from Run"))
	if got != "from Run" {
		t.Errorf("the check's context carries value %v for a key of Run's context, want %q: derive the check's context from Run's", got, "from Run")
	}
}

func TestHiddenAggregation_RegisterErrors(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer aggCatch(t)
	c := health.New()
	if err := c.Register(health.Registration{Name: "db", Check: aggOK, Critical: true}); err != nil {
		t.Fatalf("Register(valid %q) = %v, want nil", "db", err)
	}
	for _, tc := range []struct {
		what string
		reg  health.Registration
		want error
	}{
		{"an empty Name", health.Registration{Check: aggOK}, health.ErrInvalid},
		{"a nil Check", health.Registration{Name: "nil"}, health.ErrInvalid},
		{"a negative Timeout", health.Registration{Name: "t", Check: aggOK, Timeout: -1}, health.ErrInvalid},
		{"a negative CacheTTL", health.Registration{Name: "c", Check: aggOK, CacheTTL: -1}, health.ErrInvalid},
		{"a negative Interval", health.Registration{Name: "i", Check: aggOK, Interval: -1}, health.ErrInvalid},
		{"the Name of a registered check", health.Registration{Name: "db", Check: aggFail("second db")}, health.ErrDuplicate},
	} {
		err := c.Register(tc.reg)
		if !errors.Is(err, tc.want) {
			t.Errorf("Register with %s = %v, want an error wrapping %v (errors.Is)", tc.what, err, tc.want)
		}
	}
	rep := c.Run(context.Background())
	aggWant(t, rep, health.Up, map[string][2]string{"db": {"up", ""}})
}
