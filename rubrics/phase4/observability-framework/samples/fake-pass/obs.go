// Package obs provides the three pillars of observability for a service:
// structured JSON logs (a slog.Handler with context attributes and
// redaction), metrics (counters, gauges and histograms with labels, served
// in the Prometheus text exposition format) and structured errors.
//
// Every declaration below is a stub: replace the bodies (and add fields and
// files as you like), keeping the names and signatures.
package obs

import (
	"context"
	"io"
	"log/slog"
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

// NewJSONHandler returns a handler that writes each record as one line of
// JSON to w, adds the attributes stored in the context with ContextWith and
// redacts the keys listed in o.Redact at any depth.
func NewJSONHandler(w io.Writer, o HandlerOptions) slog.Handler {
	panic("not implemented")
}

// ContextWith returns a copy of ctx that carries attrs after the attributes
// ctx already carries.
func ContextWith(ctx context.Context, attrs ...slog.Attr) context.Context {
	panic("not implemented")
}
