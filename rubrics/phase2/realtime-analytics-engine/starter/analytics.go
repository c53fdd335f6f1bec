// Package analytics aggregates a stream of metric events into fixed time
// windows: count, sum, min, max, a quantile sketch and a distinct-key counter
// per metric and window. See README.md for every rule.
package analytics

import "time"

// Event is one measurement of Metric, made for Key (a user, a host...) at
// Time.
type Event struct {
	Metric, Key string
	Value       float64
	Time        time.Time
}

// Options configure an Engine; zero fields take their defaults.
type Options struct {
	Window       time.Duration // length of a window; 0 → 1 minute
	Retain       int           // windows kept per metric, the current one included; 0 → 60
	RelErr       float64       // relative error of quantiles; 0 → 0.01
	HLLPrecision uint8         // precision of the distinct-key counters; 0 → 14
}

// Summary aggregates the events of a query.
type Summary struct {
	Count         uint64
	Sum, Min, Max float64
	Distinct      uint64
}

// Engine holds the retained windows of every metric. It is safe for
// concurrent use.
type Engine struct {
	// TODO
}

// NewEngine returns an empty engine.
func NewEngine(o Options) *Engine {
	return &Engine{}
}

// Ingest adds ev to the window of its metric that holds ev.Time. Events
// outside the retained windows (too old, or in the future) are dropped.
func (e *Engine) Ingest(ev Event) {
	// TODO
}

// Query merges the retained windows of metric that overlap [from, to).
func (e *Engine) Query(metric string, from, to time.Time) Summary {
	return Summary{} // TODO
}

// Quantile estimates the q-quantile of the values of the retained windows
// of metric that overlap [from, to); ok is false when there is none.
func (e *Engine) Quantile(metric string, from, to time.Time, q float64) (float64, bool) {
	return 0, false // TODO
}
