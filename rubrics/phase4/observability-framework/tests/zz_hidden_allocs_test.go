package obs_test

// Hidden tests, group "Allocs": a bound counter's Inc, a bound histogram's
// Observe and a log call below the handler's level allocate nothing.
// testing.AllocsPerRun is deterministic here; never run under -race.

import (
	"context"
	"io"
	"log/slog"
	"runtime/debug"
	"testing"

	obs "example.com/observability-framework"
)

func allocCatch(t *testing.T) {
	if r := recover(); r != nil {
		t.Errorf("panic: %v\n%s", r, debug.Stack())
	}
}

func TestHiddenAllocs_CounterInc(t *testing.T) {
	defer allocCatch(t)
	c := obs.NewRegistry().Counter("c_total", "C.", "a").With("x")
	if n := testing.AllocsPerRun(1000, func() {
		c.Inc()
		c.Add(2)
	}); n != 0 {
		t.Errorf("Inc and Add(2) on a bound *Counter made %v allocations per run, want 0", n)
	}
}

func TestHiddenAllocs_HistogramObserve(t *testing.T) {
	defer allocCatch(t)
	h := obs.NewRegistry().Histogram("h", "H.", []float64{0.01, 0.1, 1, 10, 100}, "a").With("x")
	v := 0.0
	if n := testing.AllocsPerRun(10_000, func() {
		v += 0.37
		h.Observe(v)
	}); n != 0 {
		t.Errorf("Observe on a bound *Histogram made %v allocations per run, want 0", n)
	}
}

func TestHiddenAllocs_DisabledLog(t *testing.T) {
	defer allocCatch(t)
	h := obs.NewJSONHandler(io.Discard, obs.HandlerOptions{Level: slog.LevelWarn, Redact: []string{"a"}})
	if h.Enabled(context.Background(), slog.LevelInfo) {
		t.Errorf("Enabled(ctx, INFO) = true on a handler with Level WARN, want false")
	}
	log := slog.New(h)
	ctx := obs.ContextWith(context.Background(), slog.String("req", "r1"))
	if n := testing.AllocsPerRun(1000, func() {
		log.InfoContext(ctx, "below the level", "a", 1, "b", "two", "c", true, "d", 4, "e", 5, "f", 6, "g", 7)
	}); n != 0 {
		t.Errorf("an InfoContext call with 7 attributes on a handler at WARN made %v allocations per run, want 0 (Enabled must report false, so that slog builds no record)", n)
	}
}
