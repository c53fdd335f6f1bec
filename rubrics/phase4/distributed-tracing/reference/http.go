package trace

import "net/http"

// Middleware traces every request in a server span, child of the
// request's traceparent header when it is valid.
func Middleware(t *Tracer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if sc, err := ParseTraceparent(r.Header.Get("traceparent")); err == nil {
			ctx = contextWithRemote(ctx, sc)
		}
		ctx, span := t.Start(ctx, r.Method+" "+r.URL.Path)
		span.SetAttr("http.method", r.Method)
		span.SetAttr("http.path", r.URL.Path)
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		defer func() {
			span.SetAttr("http.status_code", sw.code)
			span.End()
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Transport traces every request in a client span and sends its context
// in the traceparent header. base nil means http.DefaultTransport.
func Transport(t *Tracer, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{t: t, base: base}
}

type transport struct {
	t    *Tracer
	base http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, span := tr.t.Start(req.Context(), "HTTP "+req.Method)
	span.SetAttr("http.method", req.Method)
	span.SetAttr("http.url", req.URL.String())
	out := req.Clone(ctx)
	out.Header.Set("traceparent", span.Context().Traceparent())
	resp, err := tr.base.RoundTrip(out)
	if err != nil {
		span.RecordError(err)
	} else {
		span.SetAttr("http.status_code", resp.StatusCode)
	}
	span.End()
	return resp, err
}
