package trace

import (
	"context"
	"crypto/rand"
	"io"
	"sync"
	"time"
)

// SpanData is what a sampled span hands to the exporter when it ends.
type SpanData struct {
	Name    string
	Context SpanContext
	Parent  SpanID // zero for a root span
	Start   time.Time
	End     time.Time
	Attrs   map[string]any
	Err     error
}

// Tracer starts spans. It is safe for concurrent use.
type Tracer struct {
	p       *BatchProcessor
	sampler Sampler
	mu      sync.Mutex // guards ids
	ids     io.Reader
}

// NewTracer returns a tracer that hands its sampled spans to p (nil: they
// are not exported), decides with s (nil: ParentBased(AlwaysSample())) and
// reads its IDs from ids (nil: crypto/rand).
func NewTracer(p *BatchProcessor, s Sampler, ids io.Reader) *Tracer {
	if s == nil {
		s = ParentBased(AlwaysSample())
	}
	if ids == nil {
		ids = rand.Reader
	}
	return &Tracer{p: p, sampler: s, ids: ids}
}

func (t *Tracer) read(b []byte) {
	t.mu.Lock()
	_, err := io.ReadFull(t.ids, b)
	t.mu.Unlock()
	if err != nil {
		rand.Read(b)
	}
}

// newTraceID reads a trace ID from ids (in a function of its own so that
// the buffer escapes only for root spans).
func (t *Tracer) newTraceID() (id TraceID) {
	t.read(id[:])
	return id
}

// Start starts a span named name, child of the span in ctx if any, and
// returns a context holding it. The child of an unsampled parent that the
// sampler does not sample is the parent itself: Start returns ctx and the
// parent's span unchanged, without allocating.
func (t *Tracer) Start(ctx context.Context, name string) (context.Context, *Span) {
	ps := SpanFromContext(ctx)
	parent := ps.sc
	hasParent := parent.valid()
	tid := parent.TraceID
	if !hasParent {
		tid = t.newTraceID()
	}
	sampled := t.sampler.Sample(tid, parent, hasParent)
	if !sampled && hasParent && !parent.Sampled {
		return ctx, ps
	}
	s := &Span{sc: SpanContext{TraceID: tid, Sampled: sampled}}
	t.read(s.sc.SpanID[:])
	if sampled {
		s.recording = true
		s.p = t.p
		s.data = SpanData{Name: name, Parent: parent.SpanID, Start: time.Now()}
	}
	return context.WithValue(ctx, ctxKey{}, s), s
}

// Span is one timed operation. Its methods are safe for concurrent use; on
// an unsampled (non-recording) span they do nothing.
type Span struct {
	sc        SpanContext
	recording bool
	p         *BatchProcessor

	mu    sync.Mutex
	ended bool
	data  SpanData
}

// End ends the span and hands it to the processor, once; later calls and
// later SetAttr/RecordError do nothing.
func (s *Span) End() {
	if s == nil || !s.recording || s.ended { // fast path: already ended
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	d := s.data
	s.mu.Unlock()
	d.Context = s.sc
	d.End = time.Now()
	if s.p != nil {
		s.p.enqueue(d)
	}
}

// SetAttr sets the attribute k to v (the last value wins).
func (s *Span) SetAttr(k string, v any) {
	if s == nil || !s.recording {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	if s.data.Attrs == nil {
		s.data.Attrs = make(map[string]any)
	}
	s.data.Attrs[k] = v
}

// RecordError records err as the span's error (the last non-nil one wins).
func (s *Span) RecordError(err error) {
	if s == nil || !s.recording || err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.data.Err = err
	}
}

// Context returns the span's SpanContext (zero for the no-op span).
func (s *Span) Context() SpanContext {
	if s == nil {
		return SpanContext{}
	}
	return s.sc
}

type ctxKey struct{}

// noop is the span of a context that holds none.
var noop = &Span{}

// SpanFromContext returns the span in ctx, or a no-op span: never nil.
func SpanFromContext(ctx context.Context) *Span {
	if ctx != nil {
		if s, ok := ctx.Value(ctxKey{}).(*Span); ok && s != nil {
			return s
		}
	}
	return noop
}

// contextWithRemote returns ctx holding a non-recording span for sc.
func contextWithRemote(ctx context.Context, sc SpanContext) context.Context {
	return context.WithValue(ctx, ctxKey{}, &Span{sc: sc})
}
