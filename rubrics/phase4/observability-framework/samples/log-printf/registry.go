package obs

import (
	"encoding/binary"
	"fmt"
	"log"
	"math"
	"slices"
	"sync"
)

// Registry holds metric families. Its methods are safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{families: make(map[string]*family)}
}

const (
	typeCounter   = "counter"
	typeGauge     = "gauge"
	typeHistogram = "histogram"
)

// family is one metric name with its series, keyed by their label values.
type family struct {
	name, help, typ string
	labels          []string
	buckets         []float64 // histograms only, increasing, without +Inf

	mu     sync.RWMutex
	series map[string]*series
}

// series is one set of label values; only the field of its family's type
// is used.
type series struct {
	values    []string
	counter   Counter
	gauge     Gauge
	histogram Histogram
}

// Counter registers (or returns the already registered) counter family name.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	return &CounterVec{f: r.register(name, help, typeCounter, labels, nil)}
}

// Gauge registers (or returns the already registered) gauge family name.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	return &GaugeVec{f: r.register(name, help, typeGauge, labels, nil)}
}

// Histogram registers (or returns the already registered) histogram family
// name with the given bucket upper bounds (increasing; +Inf is implicit).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	b := slices.Clone(buckets)
	if n := len(b); n > 0 && math.IsInf(b[n-1], 1) {
		b = b[:n-1]
	}
	for i := 1; i < len(b); i++ {
		if !(b[i-1] < b[i]) {
			panic(fmt.Sprintf("obs: histogram %q: buckets %v are not increasing", name, buckets))
		}
	}
	return &HistogramVec{f: r.register(name, help, typeHistogram, labels, b)}
}

func (r *Registry) register(name, help, typ string, labels []string, buckets []float64) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		if f.typ != typ || !slices.Equal(f.labels, labels) || !slices.Equal(f.buckets, buckets) {
			log.Printf("obs: conflicting registration of %q", name)
			panic(fmt.Sprintf("obs: metric %q is already registered as a %s with labels %q", name, f.typ, f.labels))
		}
		return f
	}
	f := &family{
		name:    name,
		help:    help,
		typ:     typ,
		labels:  slices.Clone(labels),
		buckets: buckets,
		series:  make(map[string]*series),
	}
	r.families[name] = f
	return f
}

// get returns the series of the label values, creating it on first use.
func (f *family) get(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("obs: metric %q: With got %d label values, want %d %q", f.name, len(values), len(f.labels), f.labels))
	}
	var buf [128]byte
	key := buf[:0]
	for _, v := range values {
		key = binary.AppendUvarint(key, uint64(len(v)))
		key = append(key, v...)
	}
	f.mu.RLock()
	s := f.series[string(key)]
	f.mu.RUnlock()
	if s != nil {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s = f.series[string(key)]; s != nil {
		return s
	}
	s = &series{values: slices.Clone(values)}
	if f.typ == typeHistogram {
		s.histogram.upper = f.buckets
		s.histogram.counts = make([]uint64Counter, len(f.buckets)+1)
	}
	f.series[string(key)] = s
	return s
}

// CounterVec is a counter family; With selects one series.
type CounterVec struct{ f *family }

// With returns the counter of the label values (one per label, in the order
// the labels were registered). It panics if their number is wrong.
func (v *CounterVec) With(values ...string) *Counter { return &v.f.get(values).counter }

// GaugeVec is a gauge family; With selects one series.
type GaugeVec struct{ f *family }

// With returns the gauge of the label values.
func (v *GaugeVec) With(values ...string) *Gauge { return &v.f.get(values).gauge }

// HistogramVec is a histogram family; With selects one series.
type HistogramVec struct{ f *family }

// With returns the histogram of the label values.
func (v *HistogramVec) With(values ...string) *Histogram { return &v.f.get(values).histogram }
