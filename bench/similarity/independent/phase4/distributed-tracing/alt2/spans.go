package trace

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// SpanData is the record of an ended span.
type SpanData struct {
	Name    string
	Context SpanContext
	Parent  SpanID // zero for a root span
	Start   time.Time
	End     time.Time
	Attrs   map[string]any
	Err     error
}

// Exporter receives batches of spans.
type Exporter interface {
	Export(ctx context.Context, spans []SpanData) error
}

// Tracer creates spans.
type Tracer struct {
	bp   *BatchProcessor
	samp Sampler
	mu   sync.Mutex
	rnd  io.Reader
}

// NewTracer returns a Tracer.
func NewTracer(p *BatchProcessor, s Sampler, ids io.Reader) *Tracer {
	return &Tracer{bp: p, samp: s, rnd: ids}
}

func (t *Tracer) newID(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for zero := true; zero; {
		if _, err := io.ReadFull(t.rnd, b); err != nil {
			b[len(b)-1] = 1
		}
		for _, x := range b {
			zero = zero && x == 0
		}
	}
}

type ctxKey int

const (
	currentSpan ctxKey = iota
	incoming
)

// Span is an active span.
type Span struct {
	t      *Tracer
	lock   sync.Mutex
	done   bool
	record SpanData
}

// Start creates a child of the span in ctx, or a root span.
func (t *Tracer) Start(ctx context.Context, name string) (context.Context, *Span) {
	sp := &Span{t: t}
	sp.record.Name = name
	sp.record.Start = time.Now()
	sp.record.Attrs = make(map[string]any)
	parent, hasParent := SpanContext{}, false
	if cur := SpanFromContext(ctx); cur != nil {
		parent, hasParent = cur.Context(), true
	} else if in, ok := ctx.Value(incoming).(SpanContext); ok {
		parent, hasParent = in, true
	}
	if hasParent {
		sp.record.Context.TraceID = parent.TraceID
		sp.record.Parent = parent.SpanID
	} else {
		t.newID(sp.record.Context.TraceID[:])
	}
	t.newID(sp.record.Context.SpanID[:])
	s := t.samp
	if s == nil {
		s = ParentBased(nil)
	}
	sp.record.Context.Sampled = s.Sample(sp.record.Context.TraceID, parent, hasParent)
	return context.WithValue(ctx, currentSpan, sp), sp
}

// End ends the span.
func (s *Span) End() {
	if s == nil {
		return
	}
	s.lock.Lock()
	already := s.done
	s.done = true
	s.record.End = time.Now()
	rec := s.record
	s.lock.Unlock()
	if !already && rec.Context.Sampled && s.t.bp != nil {
		s.t.bp.add(rec)
	}
}

// SetAttr adds an attribute.
func (s *Span) SetAttr(k string, v any) {
	if s != nil {
		s.lock.Lock()
		if !s.done {
			s.record.Attrs[k] = v
		}
		s.lock.Unlock()
	}
}

// RecordError stores err.
func (s *Span) RecordError(err error) {
	if s != nil && err != nil {
		s.lock.Lock()
		if !s.done {
			s.record.Err = err
		}
		s.lock.Unlock()
	}
}

// Context returns the span context.
func (s *Span) Context() SpanContext {
	if s == nil {
		return SpanContext{}
	}
	return s.record.Context
}

// SpanFromContext returns ctx's span, or nil.
func SpanFromContext(ctx context.Context) *Span {
	if s, ok := ctx.Value(currentSpan).(*Span); ok {
		return s
	}
	return nil
}

// Middleware traces incoming requests.
func Middleware(t *Tracer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Traceparent"); h != "" {
			if sc, err := ParseTraceparent(h); err == nil {
				ctx = context.WithValue(ctx, incoming, sc)
			}
		}
		ctx, sp := t.Start(ctx, r.URL.Path)
		next.ServeHTTP(w, r.WithContext(ctx))
		sp.End()
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Transport traces outgoing requests and propagates the context.
func Transport(t *Tracer, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		ctx, sp := t.Start(r.Context(), "client "+r.URL.Host)
		r2 := r.Clone(ctx)
		r2.Header.Set("Traceparent", sp.Context().Traceparent())
		resp, err := base.RoundTrip(r2)
		sp.RecordError(err)
		sp.End()
		return resp, err
	})
}
