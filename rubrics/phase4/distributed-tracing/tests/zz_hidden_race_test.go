package trace_test

// Hidden tests, group "Race": many goroutines start, annotate and end spans
// on shared tracers and one processor, and concurrent requests cross the
// Middleware and Transport. They score nothing by themselves; the race
// criterion runs them under -race. They check that the work gets done, so
// that a stub cannot pass them.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	trace "example.com/distributed-tracing"
	"go.uber.org/goleak"
)

func raceRun(t *testing.T, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("panic: %v", v)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the test did not end within 60 s: a call never returned")
	}
}

type raceExporter struct {
	mu    sync.Mutex
	spans []trace.SpanData
}

func (e *raceExporter) Export(_ context.Context, spans []trace.SpanData) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.spans = append(e.spans, spans...)
	return nil
}

func raceShutdown(t *testing.T, p *trace.BatchProcessor) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v, want nil", err)
	}
}

func TestHiddenRace_ConcurrentSpans(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	raceRun(t, func() {
		exp := &raceExporter{}
		p := trace.NewBatchProcessor(exp, trace.BatchOptions{MaxQueue: 10000, MaxBatch: 16, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Go(func() { // readers of Dropped while spans end
			for {
				select {
				case <-stop:
					return
				default:
					_ = p.Dropped()
				}
			}
		})
		var workers sync.WaitGroup
		for g := range 6 {
			workers.Go(func() {
				for i := range 100 {
					ctx, root := tr.Start(context.Background(), fmt.Sprintf("root-%d-%d", g, i))
					_, child := tr.Start(ctx, "child")
					child.SetAttr("i", i)
					child.End()
					root.SetAttr("g", g)
					root.End()
				}
			})
		}
		workers.Wait()
		close(stop)
		wg.Wait()
		raceShutdown(t, p)
		exp.mu.Lock()
		defer exp.mu.Unlock()
		if len(exp.spans) != 1200 || p.Dropped() != 0 {
			t.Errorf("exported %d spans (Dropped %d), want 1200 and 0: 6 goroutines ended 200 spans each, MaxQueue 10000", len(exp.spans), p.Dropped())
		}
	})
}

func TestHiddenRace_SharedSpan(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	raceRun(t, func() {
		exp := &raceExporter{}
		p := trace.NewBatchProcessor(exp, trace.BatchOptions{MaxBatch: 100, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		_, s := tr.Start(context.Background(), "shared")
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 50 {
					s.SetAttr(fmt.Sprintf("k%d", g), i)
					s.RecordError(fmt.Errorf("e%d", g))
					_ = s.Context()
				}
			})
		}
		wg.Wait()
		for range 4 {
			wg.Go(s.End)
		}
		wg.Wait()
		raceShutdown(t, p)
		exp.mu.Lock()
		defer exp.mu.Unlock()
		if len(exp.spans) != 1 {
			t.Fatalf("a span ended by 4 goroutines at once was exported %d times, want once", len(exp.spans))
		}
		if d := exp.spans[0]; len(d.Attrs) != 8 || d.Attrs["k3"] != 49 || d.Err == nil {
			t.Errorf("the shared span was exported with Attrs %v and Err %v, want k0..k7 = 49 and an error", d.Attrs, d.Err)
		}
	})
}

func TestHiddenRace_ConcurrentRequests(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	raceRun(t, func() {
		exp := &raceExporter{}
		p := trace.NewBatchProcessor(exp, trace.BatchOptions{MaxQueue: 1000, MaxBatch: 8, Interval: time.Hour})
		tr := trace.NewTracer(p, nil, nil)
		b := httptest.NewServer(trace.Middleware(tr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "b")
		})))
		defer b.Close()
		bt := &http.Transport{}
		defer bt.CloseIdleConnections()
		client := &http.Client{Transport: trace.Transport(tr, bt)}
		a := httptest.NewServer(trace.Middleware(tr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, b.URL+"/b", nil)
			resp, err := client.Do(req)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			io.Copy(w, resp.Body)
			resp.Body.Close()
		})))
		defer a.Close()
		ct := &http.Transport{}
		defer ct.CloseIdleConnections()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 4 {
			wg.Go(func() {
				for range 5 {
					resp, err := (&http.Client{Transport: ct, Timeout: 20 * time.Second}).Get(a.URL + "/a")
					if err != nil {
						errs <- err
						continue
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if string(body) != "b" {
						errs <- fmt.Errorf("GET /a answered %q, want %q", body, "b")
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("request: %v", err)
		}
		a.Close()
		b.Close()
		raceShutdown(t, p)
		exp.mu.Lock()
		defer exp.mu.Unlock()
		traces := map[trace.TraceID]int{}
		for _, d := range exp.spans {
			traces[d.Context.TraceID]++
		}
		if len(exp.spans) != 60 || len(traces) != 20 {
			t.Errorf("exported %d spans in %d traces, want 60 in 20 (20 requests A -> B, 3 spans each)", len(exp.spans), len(traces))
		}
		for id, n := range traces {
			if n != 3 {
				t.Errorf("trace %x has %d spans, want 3", id, n)
				break
			}
		}
	})
}
