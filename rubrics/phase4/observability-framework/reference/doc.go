// Package obs provides the three pillars of observability for a service:
// structured JSON logs (a slog.Handler with context attributes and
// redaction), metrics (counters, gauges and histograms with labels, served
// in the Prometheus text exposition format) and structured errors.
package obs
