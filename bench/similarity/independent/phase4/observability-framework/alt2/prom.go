package obs

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

type atomicFloat struct{ bits atomic.Uint64 }

func (a *atomicFloat) add(d float64) {
	for {
		old := a.bits.Load()
		if a.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}
func (a *atomicFloat) set(v float64) { a.bits.Store(math.Float64bits(v)) }
func (a *atomicFloat) get() float64  { return math.Float64frombits(a.bits.Load()) }

type metric interface {
	write(w io.Writer, name, labels string)
}

type vec struct {
	name, help, typ string
	labelNames      []string
	children        sync.Map // joined label values -> metric
	newChild        func() metric
}

func (v *vec) child(values []string) metric {
	if len(values) != len(v.labelNames) {
		panic("obs: wrong number of label values for " + v.name)
	}
	k := strings.Join(values, "\x00")
	if m, ok := v.children.Load(k); ok {
		return m.(metric)
	}
	m, _ := v.children.LoadOrStore(k, v.newChild())
	return m.(metric)
}

// Registry is a set of metric vectors.
type Registry struct {
	mu   sync.Mutex
	vecs []*vec
}

func NewRegistry() *Registry { return &Registry{} }

func (r *Registry) add(v *vec) *vec {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, old := range r.vecs {
		if old.name == v.name {
			return old
		}
	}
	r.vecs = append(r.vecs, v)
	return v
}

func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	v := r.add(&vec{name: name, help: help, typ: "counter", labelNames: labels, newChild: func() metric { return &Counter{} }})
	return &CounterVec{v}
}

func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	v := r.add(&vec{name: name, help: help, typ: "gauge", labelNames: labels, newChild: func() metric { return &Gauge{} }})
	return &GaugeVec{v}
}

func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	bs := slices.Sorted(slices.Values(buckets))
	v := r.add(&vec{name: name, help: help, typ: "histogram", labelNames: labels, newChild: func() metric {
		return &Histogram{bounds: bs, counts: make([]atomic.Uint64, len(bs)+1)}
	}})
	return &HistogramVec{v}
}

func renderLabels(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	pairs := make([]string, len(names))
	for i := range names {
		val := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(values[i])
		pairs[i] = fmt.Sprintf(`%s="%s"`, names[i], val)
	}
	return strings.Join(pairs, ",")
}

func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	vecs := slices.Clone(r.vecs)
	r.mu.Unlock()
	slices.SortFunc(vecs, func(a, b *vec) int { return strings.Compare(a.name, b.name) })
	for _, v := range vecs {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", v.name, v.help, v.name, v.typ); err != nil {
			return err
		}
		var keys []string
		v.children.Range(func(k, _ any) bool { keys = append(keys, k.(string)); return true })
		slices.Sort(keys)
		for _, k := range keys {
			m, _ := v.children.Load(k)
			var values []string
			if len(v.labelNames) > 0 {
				values = strings.Split(k, "\x00")
			}
			m.(metric).write(w, v.name, renderLabels(v.labelNames, values))
		}
	}
	return nil
}

func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = r.WriteText(w)
	})
}

type CounterVec struct{ v *vec }

func (cv *CounterVec) With(values ...string) *Counter { return cv.v.child(values).(*Counter) }

type GaugeVec struct{ v *vec }

func (gv *GaugeVec) With(values ...string) *Gauge { return gv.v.child(values).(*Gauge) }

type HistogramVec struct{ v *vec }

func (hv *HistogramVec) With(values ...string) *Histogram { return hv.v.child(values).(*Histogram) }

func num(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return fmt.Sprint(f)
}

func braces(labels string) string {
	if labels == "" {
		return ""
	}
	return "{" + labels + "}"
}

type Counter struct{ val atomicFloat }

func (c *Counter) Inc() { c.val.add(1) }
func (c *Counter) Add(d float64) {
	if d < 0 {
		panic("obs: negative counter increment")
	}
	c.val.add(d)
}
func (c *Counter) write(w io.Writer, name, labels string) {
	fmt.Fprintf(w, "%s%s %s\n", name, braces(labels), num(c.val.get()))
}

type Gauge struct{ val atomicFloat }

func (g *Gauge) Set(v float64) { g.val.set(v) }
func (g *Gauge) Add(d float64) { g.val.add(d) }
func (g *Gauge) write(w io.Writer, name, labels string) {
	fmt.Fprintf(w, "%s%s %s\n", name, braces(labels), num(g.val.get()))
}

type Histogram struct {
	bounds []float64
	counts []atomic.Uint64 // last one is +Inf
	sum    atomicFloat
	total  atomic.Uint64
}

func (h *Histogram) Observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v)
	h.counts[i].Add(1)
	h.sum.add(v)
	h.total.Add(1)
}

func (h *Histogram) write(w io.Writer, name, labels string) {
	sep := ""
	if labels != "" {
		sep = ","
	}
	var running uint64
	for i, b := range append(slices.Clone(h.bounds), math.Inf(1)) {
		running += h.counts[i].Load()
		fmt.Fprintf(w, "%s_bucket{%s%sle=\"%s\"} %d\n", name, labels, sep, num(b), running)
	}
	fmt.Fprintf(w, "%s_sum%s %s\n", name, braces(labels), num(h.sum.get()))
	fmt.Fprintf(w, "%s_count%s %d\n", name, braces(labels), h.total.Load())
}
