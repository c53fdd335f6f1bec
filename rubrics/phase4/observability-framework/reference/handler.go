package obs

import (
	"context"
	"io"
	"log/slog"
	"slices"
)

// HandlerOptions configures NewJSONHandler.
type HandlerOptions struct {
	// Level is the minimum level logged; nil means slog.LevelInfo.
	Level slog.Leveler
	// Redact lists attribute keys whose values are replaced by "[REDACTED]".
	Redact []string
	// AddSource adds a "source" object (function, file, line) to each record.
	AddSource bool
}

// Redacted replaces the value of every attribute whose key is in
// HandlerOptions.Redact.
const Redacted = "[REDACTED]"

type jsonHandler struct {
	inner slog.Handler
}

// NewJSONHandler returns a handler that writes each record as one line of
// JSON to w, adds the attributes stored in the context with ContextWith and
// redacts the keys listed in o.Redact at any depth.
func NewJSONHandler(w io.Writer, o HandlerOptions) slog.Handler {
	redact := slices.Clone(o.Redact)
	opts := &slog.HandlerOptions{Level: o.Level, AddSource: o.AddSource}
	if len(redact) > 0 {
		opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			if slices.Contains(redact, a.Key) {
				a.Value = slog.StringValue(Redacted)
			}
			return a
		}
	}
	return &jsonHandler{inner: slog.NewJSONHandler(w, opts)}
}

func (h *jsonHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *jsonHandler) Handle(ctx context.Context, r slog.Record) error {
	if attrs := contextAttrs(ctx); len(attrs) > 0 {
		r = r.Clone()
		r.AddAttrs(attrs...)
	}
	return h.inner.Handle(ctx, r)
}

func (h *jsonHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &jsonHandler{inner: h.inner.WithAttrs(attrs)}
}

func (h *jsonHandler) WithGroup(name string) slog.Handler {
	return &jsonHandler{inner: h.inner.WithGroup(name)}
}
