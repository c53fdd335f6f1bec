package obs

import (
	"io"
	"net/http"
)

// Registry holds metric families. Its methods are safe for concurrent use.
type Registry struct{}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { panic("not implemented") }

// Counter registers (or returns the already registered) counter family name.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	panic("not implemented")
}

// Gauge registers (or returns the already registered) gauge family name.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	panic("not implemented")
}

// Histogram registers (or returns the already registered) histogram family
// name with the given bucket upper bounds (increasing; +Inf is implicit).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	panic("not implemented")
}

// WriteText writes every family in the Prometheus text exposition format.
func (r *Registry) WriteText(w io.Writer) error { panic("not implemented") }

// Handler serves WriteText's output with the exposition Content-Type.
func (r *Registry) Handler() http.Handler { panic("not implemented") }

// CounterVec is a counter family; With selects one series.
type CounterVec struct{}

// With returns the counter of the label values (one per label, in the order
// the labels were registered). It panics if their number is wrong.
func (v *CounterVec) With(values ...string) *Counter { panic("not implemented") }

// GaugeVec is a gauge family; With selects one series.
type GaugeVec struct{}

// With returns the gauge of the label values.
func (v *GaugeVec) With(values ...string) *Gauge { panic("not implemented") }

// HistogramVec is a histogram family; With selects one series.
type HistogramVec struct{}

// With returns the histogram of the label values.
func (v *HistogramVec) With(values ...string) *Histogram { panic("not implemented") }

// Counter is a value that only goes up.
type Counter struct{}

// Inc adds 1.
func (c *Counter) Inc() { panic("not implemented") }

// Add adds d; it panics if d is negative.
func (c *Counter) Add(d float64) { panic("not implemented") }

// Gauge is a value that goes up and down.
type Gauge struct{}

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { panic("not implemented") }

// Add adds d (which may be negative).
func (g *Gauge) Add(d float64) { panic("not implemented") }

// Histogram counts observations in buckets.
type Histogram struct{}

// Observe records v in the first bucket whose upper bound is >= v.
func (h *Histogram) Observe(v float64) { panic("not implemented") }
