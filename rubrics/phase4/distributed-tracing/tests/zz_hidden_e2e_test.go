package trace_test

// Hidden tests, group "E2E": two services on loopback httptest servers, A
// calling B through Transport, both behind Middleware; an in-memory
// exporter collects the spans.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	trace "example.com/distributed-tracing"
	"go.uber.org/goleak"
)

// e2eRun runs f on a goroutine of its own, so that a panic, or a call that
// never returns, fails this test only.
func e2eRun(t *testing.T, f func()) {
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
	case <-time.After(30 * time.Second):
		t.Fatalf("the test did not end within 30 s: a request or Shutdown never returned")
	}
}

type e2eExporter struct {
	mu    sync.Mutex
	spans []trace.SpanData
}

func (e *e2eExporter) Export(_ context.Context, spans []trace.SpanData) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.spans = append(e.spans, spans...)
	return nil
}

// e2eSystem is service A (GET /a calls B's /b) and service B (GET /b starts
// a child span "b.work" and answers "ok"; GET /missing answers 404), each
// with its own tracer, sharing one processor.
type e2eSystem struct {
	exp      *e2eExporter
	proc     *trace.BatchProcessor
	a, b     *httptest.Server
	tr       *http.Transport // A's outgoing connections
	client   *http.Transport // the test's own client
	bHeaders chan string     // traceparent headers B received
	bCtx     chan trace.SpanContext
}

func e2eStart(t *testing.T, sampler trace.Sampler) *e2eSystem {
	t.Helper()
	s := &e2eSystem{
		exp:      &e2eExporter{},
		tr:       &http.Transport{},
		client:   &http.Transport{},
		bHeaders: make(chan string, 10),
		bCtx:     make(chan trace.SpanContext, 10),
	}
	s.proc = trace.NewBatchProcessor(s.exp, trace.BatchOptions{MaxQueue: 1000, MaxBatch: 100, Interval: time.Hour})
	ta := trace.NewTracer(s.proc, sampler, nil)
	tb := trace.NewTracer(s.proc, sampler, nil)
	muxB := http.NewServeMux()
	muxB.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) {
		s.bHeaders <- r.Header.Get("traceparent")
		s.bCtx <- trace.SpanFromContext(r.Context()).Context()
		_, sp := tb.Start(r.Context(), "b.work")
		sp.SetAttr("rows", 3)
		sp.End()
		io.WriteString(w, "ok")
	})
	muxB.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such thing", http.StatusNotFound)
	})
	s.b = httptest.NewServer(trace.Middleware(tb, muxB))
	clientA := &http.Client{Transport: trace.Transport(ta, s.tr)}
	s.a = httptest.NewServer(trace.Middleware(ta, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, s.b.URL+r.URL.Query().Get("to"), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp, err := clientA.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		w.WriteHeader(resp.StatusCode)
		w.Write(body)
	})))
	return s
}

func (s *e2eSystem) close() {
	s.a.Close()
	s.b.Close()
	s.tr.CloseIdleConnections()
	s.client.CloseIdleConnections()
}

// get sends GET A/a?to=path with an optional traceparent and returns the
// status code and body.
func (s *e2eSystem) get(t *testing.T, path, traceparent string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.a.URL+"/a?to="+path, nil)
	if traceparent != "" {
		req.Header.Set("traceparent", traceparent)
	}
	resp, err := (&http.Client{Transport: s.client, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET /a: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// spans shuts the processor down and returns the exported spans by name.
func (s *e2eSystem) spans(t *testing.T) map[string]trace.SpanData {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.proc.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v, want nil", err)
	}
	s.exp.mu.Lock()
	defer s.exp.mu.Unlock()
	m := make(map[string]trace.SpanData)
	for _, d := range s.exp.spans {
		if _, dup := m[d.Name]; dup {
			t.Errorf("two exported spans are named %q", d.Name)
		}
		m[d.Name] = d
	}
	return m
}

func e2eNeed(t *testing.T, m map[string]trace.SpanData, names ...string) bool {
	t.Helper()
	ok := true
	for _, n := range names {
		if _, found := m[n]; !found {
			t.Errorf("no exported span is named %q (exported: %v)", n, e2eNames(m))
			ok = false
		}
	}
	return ok
}

func e2eNames(m map[string]trace.SpanData) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	return out
}

func TestHiddenE2E_OneTrace(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e2eRun(t, func() {
		s := e2eStart(t, trace.AlwaysSample())
		defer s.close()
		if code, body := s.get(t, "/b", ""); code != 200 || body != "ok" {
			t.Errorf("GET /a?to=/b = %d %q, want 200 \"ok\"", code, body)
		}
		m := s.spans(t)
		if len(m) != 4 {
			t.Errorf("exported %d spans %v, want 4: \"GET /a\" (A's server span), \"HTTP GET\" (A's client span), \"GET /b\" (B's server span), \"b.work\"", len(m), e2eNames(m))
		}
		if !e2eNeed(t, m, "GET /a", "HTTP GET", "GET /b", "b.work") {
			return
		}
		srvA, cli, srvB, work := m["GET /a"], m["HTTP GET"], m["GET /b"], m["b.work"]
		tid := srvA.Context.TraceID
		for _, d := range []trace.SpanData{srvA, cli, srvB, work} {
			if d.Context.TraceID != tid || !d.Context.Sampled {
				t.Errorf("span %q has trace ID %x (Sampled %v), want %x like \"GET /a\" (sampled): every span of one request shares one trace", d.Name, d.Context.TraceID, d.Context.Sampled, tid)
			}
		}
		for _, c := range []struct {
			child, parent trace.SpanData
		}{{cli, srvA}, {srvB, cli}, {work, srvB}} {
			if c.child.Parent != c.parent.Context.SpanID {
				t.Errorf("span %q has the parent %x, want %x (span %q)", c.child.Name, c.child.Parent, c.parent.Context.SpanID, c.parent.Name)
			}
		}
		if srvA.Parent != (trace.SpanID{}) {
			t.Errorf("\"GET /a\" (no incoming traceparent) has the parent %x, want none (a root span)", srvA.Parent)
		}
		ids := map[trace.SpanID]bool{}
		for _, d := range m {
			ids[d.Context.SpanID] = true
		}
		if len(ids) != len(m) {
			t.Errorf("the %d spans have only %d distinct span IDs", len(m), len(ids))
		}
	})
}

func TestHiddenE2E_IncomingTraceparent(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e2eRun(t, func() {
		s := e2eStart(t, trace.ParentBased(trace.RatioSampler(0)))
		defer s.close()
		const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
		want, _ := trace.ParseTraceparent(tp)
		s.get(t, "/b", tp)
		m := s.spans(t)
		if !e2eNeed(t, m, "GET /a", "HTTP GET", "GET /b", "b.work") {
			return
		}
		if got := m["GET /a"]; got.Parent != want.SpanID || got.Context.TraceID != want.TraceID {
			t.Errorf("\"GET /a\" has trace ID %x and parent %x, want %x and %x from the incoming traceparent", got.Context.TraceID, got.Parent, want.TraceID, want.SpanID)
		}
		for n, d := range m {
			if d.Context.TraceID != want.TraceID || d.Context.Remote {
				t.Errorf("span %q has the context %+v, want the incoming trace ID %x and Remote false (it is a local span)", n, d.Context, want.TraceID)
			}
		}
		select {
		case h := <-s.bHeaders:
			if want := m["HTTP GET"].Context.Traceparent(); h != want {
				t.Errorf("B received traceparent %q, want %q (the client span's context)", h, want)
			}
		default:
			t.Error("B was never called")
		}
	})
}

func TestHiddenE2E_UnsampledStaysUnsampled(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e2eRun(t, func() {
		s := e2eStart(t, trace.ParentBased(trace.AlwaysSample()))
		defer s.close()
		const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
		want, _ := trace.ParseTraceparent(tp)
		if code, _ := s.get(t, "/b", tp); code != 200 {
			t.Errorf("GET /a?to=/b = %d, want 200", code)
		}
		select {
		case h := <-s.bHeaders:
			got, err := trace.ParseTraceparent(h)
			if err != nil || got.TraceID != want.TraceID || got.Sampled {
				t.Errorf("B received traceparent %q, want one with the trace ID %x and the flags 00 (unsampled stays unsampled downstream)", h, want.TraceID)
			}
		default:
			t.Error("B was never called")
		}
		if sc := <-s.bCtx; sc.TraceID != want.TraceID || sc.Sampled {
			t.Errorf("B's handler sees the span context %+v, want the trace ID %x, unsampled", sc, want.TraceID)
		}
		if m := s.spans(t); len(m) != 0 {
			t.Errorf("exported %v for an unsampled request, want nothing", e2eNames(m))
		}
	})
}

func TestHiddenE2E_NewTraceWithoutValidHeader(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e2eRun(t, func() {
		s := e2eStart(t, nil)
		defer s.close()
		s.get(t, "/b", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331")
		m := s.spans(t)
		if !e2eNeed(t, m, "GET /a", "GET /b") {
			return
		}
		a := m["GET /a"]
		if a.Parent != (trace.SpanID{}) || a.Context.TraceID == (trace.TraceID{}) || !a.Context.Sampled {
			t.Errorf("with an invalid traceparent (no flags), \"GET /a\" has the context %+v and parent %x; want a new sampled root span (the header is ignored)", a.Context, a.Parent)
		}
		if a.Context.TraceID == (trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}) {
			t.Errorf("\"GET /a\" took the trace ID of an invalid traceparent")
		}
		if b := m["GET /b"]; b.Context.TraceID != a.Context.TraceID {
			t.Errorf("\"GET /b\" has trace ID %x, want A's %x", b.Context.TraceID, a.Context.TraceID)
		}
	})
}

func TestHiddenE2E_Attributes(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e2eRun(t, func() {
		s := e2eStart(t, trace.AlwaysSample())
		defer s.close()
		if code, _ := s.get(t, "/missing", ""); code != 404 {
			t.Errorf("GET /a?to=/missing = %d, want 404", code)
		}
		m := s.spans(t)
		if !e2eNeed(t, m, "GET /a", "HTTP GET", "GET /missing") {
			return
		}
		for _, c := range []struct {
			span, key string
			want      any
		}{
			{"GET /missing", "http.method", "GET"},
			{"GET /missing", "http.path", "/missing"},
			{"GET /missing", "http.status_code", 404},
			{"GET /a", "http.status_code", 404},
			{"GET /a", "http.path", "/a"},
			{"HTTP GET", "http.method", "GET"},
			{"HTTP GET", "http.url", s.b.URL + "/missing"},
			{"HTTP GET", "http.status_code", 404},
		} {
			if got, ok := m[c.span].Attrs[c.key]; !ok || got != c.want {
				t.Errorf("span %q: Attrs[%q] = %#v (present: %v), want %#v", c.span, c.key, got, ok, c.want)
			}
		}
		s2 := e2eStart(t, trace.AlwaysSample())
		defer s2.close()
		s2.get(t, "/b", "")
		m2 := s2.spans(t)
		if e2eNeed(t, m2, "GET /b") {
			if got := m2["GET /b"].Attrs["http.status_code"]; got != 200 {
				t.Errorf("a handler that writes a body without WriteHeader: Attrs[\"http.status_code\"] = %#v, want 200", got)
			}
		}
	})
}

type e2eRoundTripper func(*http.Request) (*http.Response, error)

func (f e2eRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestHiddenE2E_TransportError(t *testing.T) {
	e2eRun(t, func() {
		exp := &e2eExporter{}
		p := trace.NewBatchProcessor(exp, trace.BatchOptions{MaxBatch: 100, Interval: time.Hour})
		tr := trace.NewTracer(p, trace.AlwaysSample(), nil)
		errDial := errors.New("dial tcp: connection refused")
		var seen string
		rt := trace.Transport(tr, e2eRoundTripper(func(r *http.Request) (*http.Response, error) {
			seen = r.Header.Get("traceparent")
			return nil, errDial
		}))
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/x", nil)
		resp, err := rt.RoundTrip(req)
		if resp != nil || !errors.Is(err, errDial) {
			t.Errorf("RoundTrip = %v, %v; want nil and the base transport's error", resp, err)
		}
		if h := req.Header.Get("traceparent"); h != "" {
			t.Errorf("RoundTrip set traceparent %q on the caller's request: a RoundTripper must not modify its request (send a clone)", h)
		}
		if err := p.Shutdown(context.Background()); err != nil {
			t.Fatalf("Shutdown = %v", err)
		}
		exp.mu.Lock()
		defer exp.mu.Unlock()
		if len(exp.spans) != 1 {
			t.Fatalf("exported %d spans, want 1 (the client span)", len(exp.spans))
		}
		d := exp.spans[0]
		if d.Name != "HTTP POST" || !errors.Is(d.Err, errDial) {
			t.Errorf("the client span is named %q with Err %v, want \"HTTP POST\" and the transport's error", d.Name, d.Err)
		}
		if want := d.Context.Traceparent(); seen != want {
			t.Errorf("the base transport received traceparent %q, want %q (the client span's context)", seen, want)
		}
		if _, ok := d.Attrs["http.status_code"]; ok {
			t.Errorf("a failed request's client span has an http.status_code attribute: %v", d.Attrs)
		}
	})
}

func TestHiddenE2E_TransportReplacesHeader(t *testing.T) {
	e2eRun(t, func() {
		tr := trace.NewTracer(nil, trace.AlwaysSample(), nil)
		var seen []string
		rt := trace.Transport(tr, e2eRoundTripper(func(r *http.Request) (*http.Response, error) {
			seen = r.Header.Values("traceparent")
			return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
		}))
		ctx, parent := tr.Start(context.Background(), "caller")
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://example.invalid/", nil)
		req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatalf("RoundTrip: %v", err)
		}
		if len(seen) != 1 {
			t.Fatalf("the base transport received %d traceparent headers %q, want 1", len(seen), seen)
		}
		got, err := trace.ParseTraceparent(seen[0])
		if err != nil || got.TraceID != parent.Context().TraceID || got.SpanID == parent.Context().SpanID || !got.Sampled {
			t.Errorf("the base transport received traceparent %q, want the client span's: trace ID %x of the caller's span, a new span ID, flags 01", seen[0], parent.Context().TraceID)
		}
		if h := req.Header.Get("traceparent"); h != "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" {
			t.Errorf("RoundTrip changed the caller's request header to %q", h)
		}
	})
}
