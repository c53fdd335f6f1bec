package trace_test

// Hidden tests, group "Allocs": the unsampled path costs nothing. Measured
// with testing.AllocsPerRun (never under -race). The allocation criterion
// counts only when every test of the Context and Sampler groups passes.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	trace "example.com/distributed-tracing"
)

func allocsSafe(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("panic: %v", r)
		}
	}()
	f()
}

var allocsErr = errors.New("ignored")

func TestHiddenAllocs_UnsampledChild(t *testing.T) {
	allocsSafe(t, func() {
		ctx, root := trace.NewTracer(nil, trace.RatioSampler(0), nil).Start(context.Background(), "root")
		if root.Context().Sampled {
			t.Fatal("a root span of RatioSampler(0) is sampled")
		}
		tr := trace.NewTracer(nil, trace.ParentBased(trace.AlwaysSample()), nil)
		if a := testing.AllocsPerRun(1000, func() {
			_, s := tr.Start(ctx, "child")
			s.SetAttr("key", "value")
			s.RecordError(allocsErr)
			s.End()
		}); a != 0 {
			t.Fatalf("Start+SetAttr+RecordError+End of an unsampled child of an unsampled span: %v allocations per call, want 0 (return the parent's context and span instead of new ones)", a)
		}
	})
}

func TestHiddenAllocs_UnsampledGrandchild(t *testing.T) {
	allocsSafe(t, func() {
		tr := trace.NewTracer(nil, trace.ParentBased(trace.RatioSampler(0)), nil)
		ctx, _ := tr.Start(context.Background(), "root")
		ctx, _ = tr.Start(ctx, "child")
		if a := testing.AllocsPerRun(1000, func() {
			c1, s1 := tr.Start(ctx, "grandchild")
			_, s2 := tr.Start(c1, "great-grandchild")
			s2.End()
			s1.End()
		}); a != 0 {
			t.Fatalf("two nested unsampled Starts+Ends: %v allocations per call, want 0", a)
		}
	})
}

func TestHiddenAllocs_UnsampledRemoteParent(t *testing.T) {
	allocsSafe(t, func() {
		tr := trace.NewTracer(nil, nil, nil)
		var ctx context.Context
		h := trace.Middleware(tr, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { ctx = r.Context() }))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")
		h.ServeHTTP(httptest.NewRecorder(), req)
		if ctx == nil {
			t.Fatal("Middleware did not call its handler")
		}
		if a := testing.AllocsPerRun(1000, func() {
			_, s := tr.Start(ctx, "work")
			s.End()
		}); a != 0 {
			t.Fatalf("Start+End under an unsampled remote parent (traceparent flags 00): %v allocations per call, want 0", a)
		}
	})
}

func TestHiddenAllocs_NoopSpan(t *testing.T) {
	allocsSafe(t, func() {
		ctx := context.Background()
		if a := testing.AllocsPerRun(1000, func() {
			s := trace.SpanFromContext(ctx)
			s.SetAttr("key", "value")
			s.RecordError(allocsErr)
			_ = s.Context()
			s.End()
		}); a != 0 {
			t.Fatalf("SpanFromContext on an empty context and the no-op span's methods: %v allocations per call, want 0 (return one shared no-op span)", a)
		}
	})
}
