package trace_test

// Hidden tests, group "Sampler": AlwaysSample, RatioSampler (decided from
// the upper 8 bytes of the trace ID), ParentBased, and the tracer's use of
// its sampler.

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"testing"

	trace "example.com/distributed-tracing"
)

// smpSafe runs f, turning a panic into a failure of this test only.
func smpSafe(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("panic: %v", r)
		}
	}()
	f()
}

// smpID returns a trace ID whose upper 8 bytes are hi and lower 8 are lo.
func smpID(hi, lo uint64) trace.TraceID {
	var id trace.TraceID
	binary.BigEndian.PutUint64(id[:8], hi)
	binary.BigEndian.PutUint64(id[8:], lo)
	return id
}

func smpSample(s trace.Sampler, id trace.TraceID) bool {
	return s.Sample(id, trace.SpanContext{}, false)
}

func TestHiddenSampler_AlwaysSample(t *testing.T) {
	smpSafe(t, func() {
		s := trace.AlwaysSample()
		if s == nil {
			t.Fatal("AlwaysSample() = nil")
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range 100 {
			id := smpID(rng.Uint64(), rng.Uint64())
			parent := trace.SpanContext{TraceID: id, SpanID: trace.SpanID{7: 1}, Sampled: false}
			if !s.Sample(id, parent, i%2 == 0) {
				t.Fatalf("AlwaysSample().Sample(%x, parent unsampled, hasParent %v) = false, want true", id, i%2 == 0)
			}
		}
	})
}

func TestHiddenSampler_RatioZeroAndOne(t *testing.T) {
	smpSafe(t, func() {
		ids := []trace.TraceID{smpID(0, 1), smpID(1, 0), smpID(1<<63, 5), smpID(^uint64(0), ^uint64(0)), smpID(^uint64(0)-1, 0)}
		for _, f := range []float64{0, -0.5} {
			for _, id := range ids {
				if smpSample(trace.RatioSampler(f), id) {
					t.Errorf("RatioSampler(%v).Sample(%x) = true, want false: a ratio <= 0 samples nothing", f, id)
				}
			}
		}
		for _, f := range []float64{1, 1.5} {
			for _, id := range ids {
				if !smpSample(trace.RatioSampler(f), id) {
					t.Errorf("RatioSampler(%v).Sample(%x) = false, want true: a ratio >= 1 samples everything", f, id)
				}
			}
		}
	})
}

func TestHiddenSampler_RatioUpperBytes(t *testing.T) {
	smpSafe(t, func() {
		s := trace.RatioSampler(0.25) // threshold 2^62 = 0x4000000000000000
		for _, tc := range []struct {
			hi, lo uint64
			want   bool
		}{
			{0, 0xffffffffffffffff, true},
			{0x3fffffffffffffff, 0, true},
			{0x3fffffffffffffff, 0xffffffffffffffff, true},
			{0x4000000000000000, 0, false},
			{0x4000000000000000, 1, false},
			{0xffffffffffffffff, 0, false},
			{0x1234, 0x9999, true},
			{0x8000000000000000, 0x1234, false},
		} {
			id := smpID(tc.hi, tc.lo)
			for range 3 {
				if got := smpSample(s, id); got != tc.want {
					t.Errorf("RatioSampler(0.25).Sample(%x) = %v, want %v: sampled iff the upper 8 bytes, big-endian, are < 0.25 * 2^64 = 0x4000000000000000 (the lower 8 bytes do not matter)", id, got, tc.want)
					break
				}
			}
		}
		// The parent does not matter to a RatioSampler.
		id := smpID(0x8000000000000000, 0)
		if s.Sample(id, trace.SpanContext{TraceID: id, SpanID: trace.SpanID{7: 1}, Sampled: true}, true) {
			t.Errorf("RatioSampler(0.25).Sample(%x, sampled parent, true) = true, want false: RatioSampler ignores the parent (ParentBased is the one that follows it)", id)
		}
	})
}

func TestHiddenSampler_RatioObserved(t *testing.T) {
	smpSafe(t, func() {
		for _, f := range []float64{0.01, 0.1, 0.5, 0.9} {
			s := trace.RatioSampler(f)
			rng := rand.New(rand.NewPCG(42, uint64(f*1000)))
			const n = 100_000
			hits := 0
			for range n {
				if smpSample(s, smpID(rng.Uint64(), rng.Uint64())) {
					hits++
				}
			}
			if got := float64(hits) / n; got < f-0.01 || got > f+0.01 {
				t.Errorf("RatioSampler(%v) sampled %d of %d random trace IDs (%.4f), want %v ± 0.01", f, hits, n, got, f)
			}
		}
	})
}

// smpRecorder records the calls of Sample.
type smpRecorder struct {
	mu       sync.Mutex
	decision bool
	calls    []smpCall
}

type smpCall struct {
	id        trace.TraceID
	parent    trace.SpanContext
	hasParent bool
}

func (r *smpRecorder) Sample(id trace.TraceID, parent trace.SpanContext, hasParent bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, smpCall{id, parent, hasParent})
	return r.decision
}

func TestHiddenSampler_ParentBased(t *testing.T) {
	smpSafe(t, func() {
		never := &smpRecorder{decision: false}
		always := &smpRecorder{decision: true}
		id := smpID(7, 7)
		sampledParent := trace.SpanContext{TraceID: id, SpanID: trace.SpanID{7: 9}, Sampled: true, Remote: true}
		unsampledParent := trace.SpanContext{TraceID: id, SpanID: trace.SpanID{7: 9}, Remote: true}
		if !trace.ParentBased(never).Sample(id, sampledParent, true) {
			t.Error("ParentBased(never).Sample with a sampled parent = false, want true (it follows the parent)")
		}
		if trace.ParentBased(always).Sample(id, unsampledParent, true) {
			t.Error("ParentBased(always).Sample with an unsampled parent = true, want false (it follows the parent)")
		}
		if len(never.calls)+len(always.calls) != 0 {
			t.Errorf("ParentBased called its root sampler %d times for spans with a parent, want 0", len(never.calls)+len(always.calls))
		}
		if !trace.ParentBased(always).Sample(id, trace.SpanContext{}, false) {
			t.Error("ParentBased(always).Sample without a parent = false, want true (the root sampler decides)")
		}
		if trace.ParentBased(never).Sample(id, trace.SpanContext{}, false) {
			t.Error("ParentBased(never).Sample without a parent = true, want false (the root sampler decides)")
		}
		if len(always.calls) != 1 || always.calls[0].id != id || always.calls[0].hasParent {
			t.Errorf("ParentBased's root sampler got the calls %+v, want one call with the trace ID %x and hasParent false", always.calls, id)
		}
		s := trace.ParentBased(trace.RatioSampler(0.5))
		if !s.Sample(smpID(1, 0), trace.SpanContext{}, false) || s.Sample(smpID(1<<63, 0), trace.SpanContext{}, false) {
			t.Error("ParentBased(RatioSampler(0.5)) does not follow RatioSampler(0.5) for root spans (ids 0x0000000000000001... and 0x8000000000000000...)")
		}
	})
}

func TestHiddenSampler_TracerAsksSampler(t *testing.T) {
	smpSafe(t, func() {
		rec := &smpRecorder{decision: true}
		tr := trace.NewTracer(nil, rec, nil)
		ctx, root := tr.Start(context.Background(), "root")
		_, child := tr.Start(ctx, "child")
		rc := root.Context()
		if len(rec.calls) != 2 {
			t.Fatalf("the sampler was called %d times for one root and one child span, want 2", len(rec.calls))
		}
		if c := rec.calls[0]; c.hasParent || c.id != rc.TraceID {
			t.Errorf("the root span's Sample call had id %x, hasParent %v; want the root's new trace ID %x and hasParent false", c.id, c.hasParent, rc.TraceID)
		}
		if c := rec.calls[1]; !c.hasParent || c.id != rc.TraceID || c.parent != rc {
			t.Errorf("the child span's Sample call had id %x, parent %+v, hasParent %v; want the trace ID %x, the root's context %+v and hasParent true", c.id, c.parent, c.hasParent, rc.TraceID, rc)
		}
		if !rc.Sampled || !child.Context().Sampled {
			t.Errorf("spans the sampler sampled have Sampled %v and %v, want true", rc.Sampled, child.Context().Sampled)
		}
		rec.decision = false
		_, other := tr.Start(context.Background(), "other")
		if oc := other.Context(); oc.Sampled || oc.TraceID == (trace.TraceID{}) || oc.SpanID == (trace.SpanID{}) {
			t.Errorf("a root span the sampler did not sample has the context %+v, want Sampled false with non-zero IDs", oc)
		}
	})
}
