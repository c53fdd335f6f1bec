package trace_test

// Hidden tests, group "Batching": the BatchProcessor exports at MaxBatch
// spans or at every Interval, drops rather than blocks when its queue is
// full, and Shutdown flushes. Every test runs on synctest's virtual clock,
// so export times are exact.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	trace "example.com/distributed-tracing"
)

func batBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, f)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("panic: %v (a deadlock report means that every goroutine of the test was blocked for ever: End or Shutdown blocked on a hung exporter, or the processor's goroutine still running after Shutdown)", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

// batExporter records every Export call: the virtual time since t0 and the
// span names. If gate is not nil, Export waits on it (ignoring its context)
// before returning.
type batExporter struct {
	t0   time.Time
	gate chan struct{}
	err  error

	mu    sync.Mutex
	calls []string // "5s: a b c"
}

func (e *batExporter) Export(_ context.Context, spans []trace.SpanData) error {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name
	}
	e.mu.Lock()
	e.calls = append(e.calls, fmt.Sprintf("%v: %s", time.Since(e.t0), strings.Join(names, " ")))
	e.mu.Unlock()
	if e.gate != nil {
		<-e.gate
	}
	return e.err
}

func (e *batExporter) got() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.calls, " | ")
}

func batCheck(t *testing.T, e *batExporter, when, want string) {
	t.Helper()
	if got := e.got(); got != want {
		t.Errorf("%s: the Export calls (virtual time since the start: span names) are\n\t%q\nwant\n\t%q", when, got, want)
	}
}

// batEnd starts and ends spans named prefix0, prefix1, ... at once.
func batEnd(tr *trace.Tracer, prefix string, from, to int) {
	for i := from; i < to; i++ {
		_, s := tr.Start(context.Background(), fmt.Sprintf("%s%d", prefix, i))
		s.End()
	}
}

func batNames(prefix string, from, to int) string {
	var b []string
	for i := from; i < to; i++ {
		b = append(b, fmt.Sprintf("%s%d", prefix, i))
	}
	return strings.Join(b, " ")
}

func batShutdown(t *testing.T, p *trace.BatchProcessor) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
}

func TestHiddenBatching_MaxBatchTriggers(t *testing.T) {
	batBubble(t, func(t *testing.T) {
		e := &batExporter{t0: time.Now()}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxQueue: 100, MaxBatch: 4, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		batEnd(tr, "s", 0, 10)
		synctest.Wait()
		batCheck(t, e, "after 10 spans with MaxBatch 4", "0s: s0 s1 s2 s3 | 0s: s4 s5 s6 s7")
		time.Sleep(time.Hour - time.Nanosecond)
		synctest.Wait()
		batCheck(t, e, "just before the Interval of 1h", "0s: s0 s1 s2 s3 | 0s: s4 s5 s6 s7")
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		batCheck(t, e, "at the Interval of 1h", "0s: s0 s1 s2 s3 | 0s: s4 s5 s6 s7 | 1h0m0s: s8 s9")
		batShutdown(t, p)
	})
}

func TestHiddenBatching_IntervalTriggers(t *testing.T) {
	batBubble(t, func(t *testing.T) {
		e := &batExporter{t0: time.Now()}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxQueue: 100, MaxBatch: 50, Interval: 5 * time.Second})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		batEnd(tr, "a", 0, 3)
		time.Sleep(4 * time.Second)
		synctest.Wait()
		batCheck(t, e, "4s after 3 spans with Interval 5s", "")
		time.Sleep(time.Second)
		synctest.Wait()
		batCheck(t, e, "at 5s", "5s: a0 a1 a2")
		time.Sleep(2 * time.Second)
		batEnd(tr, "b", 0, 2)
		time.Sleep(8 * time.Second) // to 15s; nothing queued at 15s
		synctest.Wait()
		batCheck(t, e, "at 15s (spans ended at 7s)", "5s: a0 a1 a2 | 10s: b0 b1")
		time.Sleep(30 * time.Second)
		synctest.Wait()
		batCheck(t, e, "at 45s with an empty queue since 10s (Export is never called with no span)", "5s: a0 a1 a2 | 10s: b0 b1")
		batShutdown(t, p)
		batCheck(t, e, "after Shutdown with an empty queue", "5s: a0 a1 a2 | 10s: b0 b1")
	})
}

func TestHiddenBatching_SizeAndInterval(t *testing.T) {
	batBubble(t, func(t *testing.T) {
		e := &batExporter{t0: time.Now()}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxQueue: 100, MaxBatch: 3, Interval: time.Second})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		batEnd(tr, "s", 0, 2)
		time.Sleep(time.Second)
		synctest.Wait()
		batCheck(t, e, "at 1s", "1s: s0 s1")
		batEnd(tr, "t", 0, 7)
		synctest.Wait()
		batCheck(t, e, "after 7 more spans with MaxBatch 3", "1s: s0 s1 | 1s: t0 t1 t2 | 1s: t3 t4 t5")
		time.Sleep(time.Second)
		synctest.Wait()
		batCheck(t, e, "at 2s", "1s: s0 s1 | 1s: t0 t1 t2 | 1s: t3 t4 t5 | 2s: t6")
		batShutdown(t, p)
	})
}

func TestHiddenBatching_Defaults(t *testing.T) {
	batBubble(t, func(t *testing.T) {
		gate := make(chan struct{})
		e := &batExporter{t0: time.Now(), gate: gate}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		batEnd(tr, "a", 0, 2)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		batCheck(t, e, "at 5s with the default options (Interval 5s)", "5s: a0 a1")
		gate <- struct{}{}
		synctest.Wait()         // the processor is idle again
		batEnd(tr, "b", 0, 512) // default MaxBatch 512: exported at once; the exporter then blocks
		synctest.Wait()
		e.mu.Lock()
		n := len(e.calls)
		e.mu.Unlock()
		if n != 2 {
			t.Errorf("after 512 spans with the default MaxBatch (512), Export was called %d times in all, want 2", n)
		}
		batEnd(tr, "c", 0, 3000) // default MaxQueue 2048: 952 dropped
		if d := p.Dropped(); d != 952 {
			t.Errorf("Dropped() = %d after 3000 spans with the exporter blocked and the default MaxQueue (2048), want 952", d)
		}
		close(gate)
		batShutdown(t, p)
	})
}

func TestHiddenBatching_BlockedExporterDrops(t *testing.T) {
	batBubble(t, func(t *testing.T) {
		gate := make(chan struct{})
		e := &batExporter{t0: time.Now(), gate: gate}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxQueue: 5, MaxBatch: 2, Interval: time.Second})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		batEnd(tr, "s", 0, 2)
		synctest.Wait() // the exporter now blocks with s0 s1
		t0 := time.Now()
		batEnd(tr, "s", 2, 12) // s2..s6 queued, s7..s11 dropped; End never blocks
		if d := p.Dropped(); d != 5 {
			t.Errorf("Dropped() = %d after 10 spans ended while the exporter blocks, with MaxQueue 5, want 5", d)
		}
		if took := time.Since(t0); took != 0 {
			t.Errorf("ending 10 spans took %v of virtual time while the exporter blocked, want 0: End never waits", took)
		}
		time.Sleep(3 * time.Second) // ticks while the exporter blocks
		close(gate)
		synctest.Wait()
		batShutdown(t, p)
		e.mu.Lock()
		var names []string
		for _, c := range e.calls {
			_, list, _ := strings.Cut(c, ": ")
			if n := len(strings.Fields(list)); n > 2 {
				t.Errorf("Export got %d spans in one call (%q), want at most MaxBatch (2)", n, c)
			}
			names = append(names, list)
		}
		e.mu.Unlock()
		if got, want := strings.Join(names, " "), batNames("s", 0, 7); got != want {
			t.Errorf("the spans exported, in order, are %q, want %q (the 5 queued ones follow the blocked batch; the overflow is dropped)", got, want)
		}
		if d := p.Dropped(); d != 5 {
			t.Errorf("Dropped() = %d at the end, want 5", d)
		}
	})
}

func TestHiddenBatching_ShutdownFlushes(t *testing.T) {
	batBubble(t, func(t *testing.T) {
		e := &batExporter{t0: time.Now()}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxQueue: 100, MaxBatch: 10, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		batEnd(tr, "s", 0, 7)
		time.Sleep(time.Minute)
		synctest.Wait()
		batCheck(t, e, "before Shutdown", "")
		t0 := time.Now()
		batShutdown(t, p)
		if took := time.Since(t0); took != 0 {
			t.Errorf("Shutdown took %v of virtual time, want 0: it exports the queue at once", took)
		}
		batCheck(t, e, "when Shutdown returns", "1m0s: s0 s1 s2 s3 s4 s5 s6")
		batEnd(tr, "late", 0, 1)
		if d := p.Dropped(); d != 1 {
			t.Errorf("Dropped() = %d after ending a span after Shutdown, want 1", d)
		}
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		batCheck(t, e, "2h after Shutdown", "1m0s: s0 s1 s2 s3 s4 s5 s6")
		if err := p.Shutdown(context.Background()); err != nil {
			t.Errorf("a second Shutdown = %v, want nil", err)
		}
	})
}

func TestHiddenBatching_ShutdownHangingExporter(t *testing.T) {
	batBubble(t, func(t *testing.T) {
		gate := make(chan struct{})
		e := &batExporter{t0: time.Now(), gate: gate}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxQueue: 100, MaxBatch: 1, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		batEnd(tr, "s", 0, 3)
		synctest.Wait() // Export(s0) hangs
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		t0 := time.Now()
		err := p.Shutdown(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown with a hung exporter and a 2s timeout = %v, want context.DeadlineExceeded", err)
		}
		if took := time.Since(t0); took != 2*time.Second {
			t.Errorf("Shutdown took %v of virtual time, want 2s (its context's deadline)", took)
		}
		close(gate) // the exporter returns; the processor's goroutine must end
		synctest.Wait()
		if n := strings.Count(e.got(), "|") + 1; n > 3 {
			t.Errorf("Export was called %d times for 3 spans", n)
		}
	})
}

func TestHiddenBatching_ExportErrorsIgnored(t *testing.T) {
	batBubble(t, func(t *testing.T) {
		e := &batExporter{t0: time.Now(), err: errors.New("collector unavailable")}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxQueue: 100, MaxBatch: 2, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		batEnd(tr, "s", 0, 5)
		synctest.Wait()
		batShutdown(t, p)
		batCheck(t, e, "with an exporter that always fails", "0s: s0 s1 | 0s: s2 s3 | 0s: s4")
		if d := p.Dropped(); d != 0 {
			t.Errorf("Dropped() = %d, want 0: a failed export is neither retried nor counted as dropped", d)
		}
	})
}
