package obs

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

type family struct {
	name, help, kind string
	labels           []string
	buckets          []float64
	mu               sync.Mutex
	series           map[string]*series
}

type series struct {
	mu      sync.Mutex
	values  []string
	value   float64
	counts  []uint64
	sum     float64
	samples uint64
}

func (f *family) get(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("obs: %s wants %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.series[key]
	if s == nil {
		s = &series{values: append([]string(nil), values...), counts: make([]uint64, len(f.buckets))}
		f.series[key] = s
	}
	return s
}

// Registry holds metric families.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{families: map[string]*family{}} }

func (r *Registry) register(name, help, kind string, buckets []float64, labels []string) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		if f.kind != kind || len(f.labels) != len(labels) {
			panic("obs: metric " + name + " registered twice with different shapes")
		}
		return f
	}
	f := &family{name: name, help: help, kind: kind, labels: labels, buckets: buckets, series: map[string]*series{}}
	r.families[name] = f
	return f
}

// Counter registers a counter family.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	return &CounterVec{r.register(name, help, "counter", nil, labels)}
}

// Gauge registers a gauge family.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	return &GaugeVec{r.register(name, help, "gauge", nil, labels)}
}

// Histogram registers a histogram family with sorted upper bounds.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	b := append([]float64(nil), buckets...)
	sort.Float64s(b)
	return &HistogramVec{r.register(name, help, "histogram", b, labels)}
}

func fmtFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func labelText(names, values []string, extra ...string) string {
	var parts []string
	for i := range names {
		parts = append(parts, names[i]+"="+strconv.Quote(values[i]))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		parts = append(parts, extra[i]+"="+strconv.Quote(extra[i+1]))
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// WriteText writes every metric in the Prometheus text format.
func (r *Registry) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	r.mu.Lock()
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	r.mu.Unlock()
	sort.Strings(names)
	for _, n := range names {
		r.mu.Lock()
		f := r.families[n]
		r.mu.Unlock()
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", f.name, strings.ReplaceAll(f.help, "\n", `\n`), f.name, f.kind)
		f.mu.Lock()
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s := f.series[k]
			s.mu.Lock()
			if f.kind != "histogram" {
				fmt.Fprintf(bw, "%s%s %s\n", f.name, labelText(f.labels, s.values), fmtFloat(s.value))
			} else {
				var cum uint64
				for i, le := range f.buckets {
					cum += s.counts[i]
					fmt.Fprintf(bw, "%s_bucket%s %d\n", f.name, labelText(f.labels, s.values, "le", fmtFloat(le)), cum)
				}
				fmt.Fprintf(bw, "%s_bucket%s %d\n", f.name, labelText(f.labels, s.values, "le", "+Inf"), s.samples)
				fmt.Fprintf(bw, "%s_sum%s %s\n", f.name, labelText(f.labels, s.values), fmtFloat(s.sum))
				fmt.Fprintf(bw, "%s_count%s %d\n", f.name, labelText(f.labels, s.values), s.samples)
			}
			s.mu.Unlock()
		}
		f.mu.Unlock()
	}
	return bw.Flush()
}

// Handler serves WriteText.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		r.WriteText(w)
	})
}

// CounterVec is a counter family.
type CounterVec struct{ f *family }

// With returns the counter of these label values.
func (v *CounterVec) With(values ...string) *Counter { return &Counter{v.f.get(values)} }

// GaugeVec is a gauge family.
type GaugeVec struct{ f *family }

// With returns the gauge of these label values.
func (v *GaugeVec) With(values ...string) *Gauge { return &Gauge{v.f.get(values)} }

// HistogramVec is a histogram family.
type HistogramVec struct{ f *family }

// With returns the histogram of these label values.
func (v *HistogramVec) With(values ...string) *Histogram {
	return &Histogram{v.f.get(values), v.f.buckets}
}

// Counter only goes up.
type Counter struct{ s *series }

// Inc adds 1.
func (c *Counter) Inc() { c.Add(1) }

// Add adds d; a negative d panics.
func (c *Counter) Add(d float64) {
	if d < 0 {
		panic("obs: counter cannot decrease")
	}
	c.s.mu.Lock()
	c.s.value += d
	c.s.mu.Unlock()
}

// Gauge goes up and down.
type Gauge struct{ s *series }

// Set sets the value.
func (g *Gauge) Set(v float64) { g.s.mu.Lock(); g.s.value = v; g.s.mu.Unlock() }

// Add adds d.
func (g *Gauge) Add(d float64) { g.s.mu.Lock(); g.s.value += d; g.s.mu.Unlock() }

// Histogram counts observations in buckets.
type Histogram struct {
	s       *series
	buckets []float64
}

// Observe records v.
func (h *Histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.buckets, v)
	h.s.mu.Lock()
	if i < len(h.buckets) {
		h.s.counts[i]++
	}
	h.s.sum += v
	h.s.samples++
	h.s.mu.Unlock()
}
