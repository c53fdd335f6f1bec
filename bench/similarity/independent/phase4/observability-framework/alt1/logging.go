package obs

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// HandlerOptions configure NewJSONHandler.
type HandlerOptions struct {
	Level     slog.Leveler
	Redact    []string
	AddSource bool
}

type ctxAttrsKey struct{}

// ContextWith returns ctx carrying attrs, added to every record logged
// with it.
func ContextWith(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(ctxAttrsKey{}).([]slog.Attr)
	return context.WithValue(ctx, ctxAttrsKey{}, append(slices.Clip(prev), attrs...))
}

type jsonHandler struct {
	mu     *sync.Mutex
	w      io.Writer
	opts   HandlerOptions
	attrs  []slog.Attr
	groups []string
}

// NewJSONHandler writes one JSON object per record, with redacted keys.
func NewJSONHandler(w io.Writer, o HandlerOptions) slog.Handler {
	if o.Level == nil {
		o.Level = slog.LevelInfo
	}
	return &jsonHandler{mu: &sync.Mutex{}, w: w, opts: o}
}

func (h *jsonHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.opts.Level.Level()
}

func (h *jsonHandler) redacted(key string) bool {
	for _, r := range h.opts.Redact {
		if strings.EqualFold(r, key) {
			return true
		}
	}
	return false
}

func (h *jsonHandler) value(v slog.Value) any {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		m := map[string]any{}
		for _, a := range v.Group() {
			h.put(m, a)
		}
		return m
	case slog.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	case slog.KindDuration:
		return v.Duration().String()
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return err.Error()
		}
	}
	return v.Any()
}

func (h *jsonHandler) put(m map[string]any, a slog.Attr) {
	if a.Equal(slog.Attr{}) {
		return
	}
	if h.redacted(a.Key) {
		m[a.Key] = "[REDACTED]"
		return
	}
	if a.Value.Kind() == slog.KindGroup && a.Key == "" {
		for _, g := range a.Value.Group() {
			h.put(m, g)
		}
		return
	}
	m[a.Key] = h.value(a.Value)
}

func (h *jsonHandler) Handle(ctx context.Context, r slog.Record) error {
	root := map[string]any{
		"time":  r.Time.Format(time.RFC3339Nano),
		"level": r.Level.String(),
		"msg":   r.Message,
	}
	if h.opts.AddSource && r.PC != 0 {
		f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		root["source"] = map[string]any{"function": f.Function, "file": f.File, "line": f.Line}
	}
	target := root
	for _, g := range h.groups {
		sub := map[string]any{}
		target[g] = sub
		target = sub
	}
	ctxAttrs, _ := ctx.Value(ctxAttrsKey{}).([]slog.Attr)
	for _, a := range ctxAttrs {
		h.put(root, a)
	}
	for _, a := range h.attrs {
		h.put(target, a)
	}
	r.Attrs(func(a slog.Attr) bool {
		h.put(target, a)
		return true
	})
	line, err := json.Marshal(root)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err = h.w.Write(append(line, '\n'))
	return err
}

func (h *jsonHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(slices.Clip(h.attrs), attrs...)
	return &c
}

func (h *jsonHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.groups = append(slices.Clip(h.groups), name)
	return &c
}
