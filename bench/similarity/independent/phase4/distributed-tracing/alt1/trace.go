// Package trace is a small tracer with W3C traceparent propagation.
package trace

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// TraceID identifies a trace.
type TraceID [16]byte

// SpanID identifies a span.
type SpanID [8]byte

// SpanContext is what crosses process boundaries.
type SpanContext struct {
	TraceID TraceID
	SpanID  SpanID
	Sampled bool
	Remote  bool // parsed from a traceparent header
}

// ErrInvalidTraceparent is returned for a malformed header.
var ErrInvalidTraceparent = errors.New("trace: invalid traceparent")

func isLowerHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ParseTraceparent parses a traceparent header value.
func ParseTraceparent(h string) (SpanContext, error) {
	var sc SpanContext
	parts := strings.Split(h, "-")
	if len(parts) < 4 {
		return sc, ErrInvalidTraceparent
	}
	ver, tid, sid, flags := parts[0], parts[1], parts[2], parts[3]
	if len(ver) != 2 || !isLowerHex(ver) || ver == "ff" || (ver == "00" && len(parts) != 4) {
		return sc, ErrInvalidTraceparent
	}
	if len(tid) != 32 || len(sid) != 16 || len(flags) != 2 || !isLowerHex(tid+sid+flags) {
		return sc, ErrInvalidTraceparent
	}
	hex.Decode(sc.TraceID[:], []byte(tid))
	hex.Decode(sc.SpanID[:], []byte(sid))
	if sc.TraceID == (TraceID{}) || sc.SpanID == (SpanID{}) {
		return sc, ErrInvalidTraceparent
	}
	f, _ := hex.DecodeString(flags)
	sc.Sampled = f[0]&1 == 1
	sc.Remote = true
	return sc, nil
}

// Traceparent formats sc as a version 00 header value.
func (sc SpanContext) Traceparent() string {
	flags := "00"
	if sc.Sampled {
		flags = "01"
	}
	return fmt.Sprintf("00-%x-%x-%s", sc.TraceID[:], sc.SpanID[:], flags)
}

// SpanData is a finished span.
type SpanData struct {
	Name    string
	Context SpanContext
	Parent  SpanID // zero for a root span
	Start   time.Time
	End     time.Time
	Attrs   map[string]any
	Err     error
}

// Exporter sends finished spans somewhere.
type Exporter interface {
	Export(ctx context.Context, spans []SpanData) error
}

// Sampler decides whether a new span is recorded.
type Sampler interface {
	Sample(id TraceID, parent SpanContext, hasParent bool) bool
}

type samplerFunc func(id TraceID, parent SpanContext, hasParent bool) bool

func (f samplerFunc) Sample(id TraceID, parent SpanContext, hasParent bool) bool {
	return f(id, parent, hasParent)
}

// AlwaysSample records everything.
func AlwaysSample() Sampler {
	return samplerFunc(func(TraceID, SpanContext, bool) bool { return true })
}

// RatioSampler records the fraction f of traces, by trace ID.
func RatioSampler(f float64) Sampler {
	return samplerFunc(func(id TraceID, _ SpanContext, _ bool) bool {
		if f >= 1 {
			return true
		}
		if f <= 0 {
			return false
		}
		x := binary.BigEndian.Uint64(id[:8])
		return float64(x) < f*float64(1<<63)*2
	})
}

// ParentBased follows the parent, and root for root spans.
func ParentBased(root Sampler) Sampler {
	if root == nil {
		root = AlwaysSample()
	}
	return samplerFunc(func(id TraceID, parent SpanContext, hasParent bool) bool {
		if hasParent {
			return parent.Sampled
		}
		return root.Sample(id, parent, false)
	})
}

// Tracer starts spans.
type Tracer struct {
	proc    *BatchProcessor
	sampler Sampler
	idMu    sync.Mutex
	ids     io.Reader
}

// NewTracer makes a tracer; ids is the source of random IDs.
func NewTracer(p *BatchProcessor, s Sampler, ids io.Reader) *Tracer {
	if s == nil {
		s = ParentBased(AlwaysSample())
	}
	return &Tracer{proc: p, sampler: s, ids: ids}
}

func (t *Tracer) random(b []byte) {
	t.idMu.Lock()
	defer t.idMu.Unlock()
	for {
		io.ReadFull(t.ids, b)
		for _, x := range b {
			if x != 0 {
				return
			}
		}
	}
}

type spanKey struct{}
type remoteKey struct{}

// Start begins a span, child of the span (or remote context) in ctx.
func (t *Tracer) Start(ctx context.Context, name string) (context.Context, *Span) {
	var parent SpanContext
	has := false
	if p := SpanFromContext(ctx); p != nil {
		parent, has = p.data.Context, true
	} else if rc, ok := ctx.Value(remoteKey{}).(SpanContext); ok {
		parent, has = rc, true
	}
	s := &Span{tracer: t, data: SpanData{Name: name, Start: time.Now(), Attrs: map[string]any{}}}
	if has {
		s.data.Context.TraceID = parent.TraceID
		s.data.Parent = parent.SpanID
	} else {
		t.random(s.data.Context.TraceID[:])
	}
	t.random(s.data.Context.SpanID[:])
	s.data.Context.Sampled = t.sampler.Sample(s.data.Context.TraceID, parent, has)
	return context.WithValue(ctx, spanKey{}, s), s
}

// Span is a span in progress.
type Span struct {
	mu     sync.Mutex
	tracer *Tracer
	data   SpanData
	ended  bool
}

// End finishes the span (once) and hands it to the processor if sampled.
func (s *Span) End() {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.data.End = time.Now()
	d := s.data
	s.mu.Unlock()
	if d.Context.Sampled && s.tracer.proc != nil {
		s.tracer.proc.enqueue(d)
	}
}

// SetAttr sets an attribute.
func (s *Span) SetAttr(k string, v any) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.data.Attrs[k] = v
	}
}

// RecordError records err on the span.
func (s *Span) RecordError(err error) {
	if s == nil || err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.data.Err = err
	}
}

// Context returns the span's context.
func (s *Span) Context() SpanContext {
	if s == nil {
		return SpanContext{}
	}
	return s.data.Context
}

// SpanFromContext returns the current span of ctx, or nil.
func SpanFromContext(ctx context.Context) *Span {
	s, _ := ctx.Value(spanKey{}).(*Span)
	return s
}

// Middleware starts a server span per request, continuing the caller's
// trace from its traceparent header.
func Middleware(t *Tracer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if sc, err := ParseTraceparent(r.Header.Get("traceparent")); err == nil {
			ctx = context.WithValue(ctx, remoteKey{}, sc)
		}
		ctx, span := t.Start(ctx, r.Method+" "+r.URL.Path)
		defer span.End()
		span.SetAttr("http.method", r.Method)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type transport struct {
	t    *Tracer
	base http.RoundTripper
}

func (tr transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, span := tr.t.Start(req.Context(), "HTTP "+req.Method)
	defer span.End()
	out := req.Clone(ctx)
	out.Header.Set("traceparent", span.Context().Traceparent())
	resp, err := tr.base.RoundTrip(out)
	if err != nil {
		span.RecordError(err)
	} else {
		span.SetAttr("http.status_code", resp.StatusCode)
	}
	return resp, err
}

// Transport injects the current span's context into outgoing requests.
func Transport(t *Tracer, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return transport{t, base}
}
