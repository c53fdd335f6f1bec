package trace_test

// Hidden tests, group "Context": spans form trees through
// context.Context, record their name, times, attributes and error, end once,
// and the no-op and unsampled spans are safe and record nothing.

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	trace "example.com/distributed-tracing"
	"github.com/google/go-cmp/cmp"
)

// ctxBubble runs f in a synctest bubble, from a goroutine of its own so
// that a panic or a bubble whose goroutines all block for ever fails this
// test only. The real-time watchdog only fires for code that never stops.
func ctxBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		synctest.Test(t, f)
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("panic: %v (a deadlock report means that every goroutine of the test was blocked for ever: a call that never returns, or the processor's goroutine still running after Shutdown)", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the test did not end within 20 s of real time (on a virtual clock that needs no real time): some code runs for ever")
	}
}

type ctxExporter struct {
	mu    sync.Mutex
	spans []trace.SpanData
}

func (e *ctxExporter) Export(_ context.Context, spans []trace.SpanData) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.spans = append(e.spans, spans...)
	return nil
}

func (e *ctxExporter) all() []trace.SpanData {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]trace.SpanData(nil), e.spans...)
}

// ctxFlush shuts p down (flushing it) and returns what e received.
func ctxFlush(t *testing.T, p *trace.BatchProcessor, e *ctxExporter) []trace.SpanData {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v, want nil (the exporter returns at once)", err)
	}
	return e.all()
}

// ctxSeq returns a reader of the bytes 1, 2, 3, ... (wrapping at 255).
func ctxSeq() *bytes.Reader {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i%255 + 1)
	}
	return bytes.NewReader(b)
}

var ctxErrBoom = errors.New("boom")

func TestHiddenContext_EmptyContext(t *testing.T) {
	ctxBubble(t, func(t *testing.T) {
		s := trace.SpanFromContext(context.Background())
		if s == nil {
			t.Fatal("SpanFromContext(context.Background()) = nil, want a no-op span")
		}
		if sc := s.Context(); sc != (trace.SpanContext{}) {
			t.Errorf("the no-op span's Context() = %+v, want the zero SpanContext", sc)
		}
		s.SetAttr("k", "v")
		s.RecordError(ctxErrBoom)
		s.End()
		s.End()
		if sc := trace.SpanFromContext(context.WithValue(context.Background(), struct{}{}, 1)).Context(); sc != (trace.SpanContext{}) {
			t.Errorf("SpanFromContext of a context without a span has Context() %+v, want zero", sc)
		}
	})
}

func TestHiddenContext_ParentChild(t *testing.T) {
	ctxBubble(t, func(t *testing.T) {
		e := &ctxExporter{}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxBatch: 100, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), ctxSeq())
		t0 := time.Now()
		ctx, root := tr.Start(context.Background(), "root")
		if got := trace.SpanFromContext(ctx); got != root {
			t.Errorf("SpanFromContext(ctx returned by Start) is not the span Start returned")
		}
		time.Sleep(time.Second)
		cctx, child := tr.Start(ctx, "child")
		time.Sleep(2 * time.Second)
		_, grandchild := tr.Start(cctx, "grandchild")
		grandchild.SetAttr("n", 3)
		grandchild.SetAttr("n", 4)
		grandchild.SetAttr("s", "x")
		grandchild.RecordError(ctxErrBoom)
		grandchild.End()
		child.End()
		time.Sleep(time.Second)
		root.End()
		if got := trace.SpanFromContext(ctx); got != root {
			t.Errorf("Start of a child changed the span of the parent's context")
		}
		rc, cc, gc := root.Context(), child.Context(), grandchild.Context()
		zt := trace.SpanContext{
			TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
			SpanID:  trace.SpanID{17, 18, 19, 20, 21, 22, 23, 24}, Sampled: true,
		}
		if rc != zt {
			t.Errorf("root.Context() = %+v, want %+v (the trace ID is the first 16 bytes read from ids, the span ID the next 8)", rc, zt)
		}
		wantChild := trace.SpanContext{TraceID: zt.TraceID, SpanID: trace.SpanID{25, 26, 27, 28, 29, 30, 31, 32}, Sampled: true}
		if cc != wantChild {
			t.Errorf("child.Context() = %+v, want %+v (the parent's trace ID, and the next 8 bytes of ids as span ID)", cc, wantChild)
		}
		if gc.TraceID != zt.TraceID || gc.SpanID == cc.SpanID || gc.SpanID == rc.SpanID {
			t.Errorf("grandchild.Context() = %+v, want the trace ID %x and a span ID of its own", gc, zt.TraceID)
		}
		got := ctxFlush(t, p, e)
		want := []trace.SpanData{
			{Name: "grandchild", Context: gc, Parent: cc.SpanID, Start: t0.Add(3 * time.Second), End: t0.Add(3 * time.Second),
				Attrs: map[string]any{"n": 4, "s": "x"}, Err: ctxErrBoom},
			{Name: "child", Context: cc, Parent: rc.SpanID, Start: t0.Add(time.Second), End: t0.Add(3 * time.Second)},
			{Name: "root", Context: rc, Start: t0, End: t0.Add(4 * time.Second)},
		}
		opt := cmp.Comparer(func(a, b error) bool { return a == b })
		empty := cmp.Comparer(func(a, b map[string]any) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b) })
		if diff := cmp.Diff(want, got, opt, empty); diff != "" {
			t.Errorf("exported spans (in End order) differ (-want +got):\n%s", diff)
		}
	})
}

func TestHiddenContext_EndOnce(t *testing.T) {
	ctxBubble(t, func(t *testing.T) {
		e := &ctxExporter{}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxBatch: 100, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		t0 := time.Now()
		_, s := tr.Start(context.Background(), "once")
		s.SetAttr("before", true)
		time.Sleep(time.Second)
		s.End()
		time.Sleep(time.Second)
		s.SetAttr("after", true)
		s.RecordError(ctxErrBoom)
		s.End()
		got := ctxFlush(t, p, e)
		if len(got) != 1 {
			t.Fatalf("a span ended twice was exported %d times, want once", len(got))
		}
		d := got[0]
		if !d.End.Equal(t0.Add(time.Second)) || d.Err != nil || len(d.Attrs) != 1 || d.Attrs["before"] != true {
			t.Errorf("exported %+v; want End at the first End (%v), Attrs {before: true} and no Err: SetAttr, RecordError and End after End do nothing", d, t0.Add(time.Second))
		}
		if tr2 := trace.NewTracer(nil, trace.AlwaysSample(), nil); tr2 != nil {
			_, s2 := tr2.Start(context.Background(), "no processor")
			s2.End() // a tracer without a processor exports nothing and does not crash
		}
	})
}

func TestHiddenContext_UnsampledRoot(t *testing.T) {
	ctxBubble(t, func(t *testing.T) {
		e := &ctxExporter{}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxBatch: 1, Interval: time.Second})
		tr := trace.NewTracer(p, trace.RatioSampler(0), nil)
		ctx, s := tr.Start(context.Background(), "unsampled")
		sc := s.Context()
		if sc.Sampled || sc.Remote || sc.TraceID == (trace.TraceID{}) || sc.SpanID == (trace.SpanID{}) {
			t.Errorf("an unsampled root span has the context %+v, want non-zero IDs, Sampled false, Remote false (its IDs still propagate)", sc)
		}
		if got := trace.SpanFromContext(ctx).Context(); got != sc {
			t.Errorf("SpanFromContext(ctx of the unsampled root).Context() = %+v, want %+v", got, sc)
		}
		s.SetAttr("k", 1)
		s.RecordError(ctxErrBoom)
		s.End()
		time.Sleep(10 * time.Second)
		if got := ctxFlush(t, p, e); len(got) != 0 {
			t.Errorf("an unsampled span was exported: %+v", got)
		}
		if d := p.Dropped(); d != 0 {
			t.Errorf("Dropped() = %d after ending an unsampled span, want 0 (unsampled spans never reach the processor)", d)
		}
	})
}

func TestHiddenContext_UnsampledChildIsParent(t *testing.T) {
	ctxBubble(t, func(t *testing.T) {
		e := &ctxExporter{}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxBatch: 1, Interval: time.Second})
		never := trace.NewTracer(p, trace.RatioSampler(0), nil)
		follow := trace.NewTracer(p, trace.ParentBased(trace.AlwaysSample()), nil)
		ctx, root := never.Start(context.Background(), "root")
		cctx, child := follow.Start(ctx, "child")
		_, grandchild := follow.Start(cctx, "grandchild")
		for _, c := range []struct {
			name string
			sc   trace.SpanContext
		}{{"child", child.Context()}, {"grandchild", grandchild.Context()}, {"SpanFromContext(child ctx)", trace.SpanFromContext(cctx).Context()}} {
			if c.sc != root.Context() {
				t.Errorf("%s.Context() = %+v, want the unsampled parent's %+v: an unsampled child of an unsampled span is that span", c.name, c.sc, root.Context())
			}
		}
		grandchild.End()
		child.End()
		root.End()
		time.Sleep(10 * time.Second)
		if got := ctxFlush(t, p, e); len(got) != 0 {
			t.Errorf("unsampled spans were exported: %+v", got)
		}
	})
}

func TestHiddenContext_RemoteParentFromMiddleware(t *testing.T) {
	ctxBubble(t, func(t *testing.T) {
		e := &ctxExporter{}
		p := trace.NewBatchProcessor(e, trace.BatchOptions{MaxBatch: 100, Interval: time.Hour})
		tr := trace.NewTracer(p, nil, nil) // nil: ParentBased(AlwaysSample())
		for _, flags := range []string{"00", "01"} {
			var inner trace.SpanContext
			var server trace.SpanContext
			h := trace.Middleware(tr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				server = trace.SpanFromContext(r.Context()).Context()
				_, s := tr.Start(r.Context(), "inner")
				inner = s.Context()
				s.End()
			}))
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-"+flags)
			h.ServeHTTP(httptest.NewRecorder(), req)
			wantTrace := trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}
			if server.TraceID != wantTrace || inner.TraceID != wantTrace {
				t.Errorf("flags %s: the server span's trace ID is %x and its child's %x, want the incoming %x", flags, server.TraceID, inner.TraceID, wantTrace)
			}
			if sampled := flags == "01"; server.Sampled != sampled || inner.Sampled != sampled {
				t.Errorf("flags %s: Sampled is %v (server span) and %v (its child), want %v (nil sampler = ParentBased(AlwaysSample()))", flags, server.Sampled, inner.Sampled, sampled)
			}
		}
		got := ctxFlush(t, p, e)
		if len(got) != 2 {
			t.Fatalf("exported %d spans, want 2 (the server span and its child, from the sampled request only)", len(got))
		}
	})
}
