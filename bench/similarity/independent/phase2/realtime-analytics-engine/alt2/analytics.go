// Package analytics is an in-memory windowed analytics engine.
package analytics

import (
	"math"
	"sync"
	"time"
)

// Event is one data point.
type Event struct {
	Metric, Key string
	Value       float64
	Time        time.Time
}

// Options for NewEngine.
type Options struct {
	Window       time.Duration // length of a window; 0 → 1 minute
	Retain       int           // windows kept per metric, the current one included; 0 → 60
	RelErr       float64       // relative error of quantiles; 0 → 0.01
	HLLPrecision uint8         // precision of the distinct-key counters; 0 → 14
}

// Summary of a query.
type Summary struct {
	Count         uint64
	Sum, Min, Max float64
	Distinct      uint64
}

type bin struct {
	id    int64 // window number
	stats Summary
	q     *Histogram
	uniq  *HLL
}

// ring keeps the last Retain windows of a metric, indexed by id % Retain.
type ring struct {
	slots []*bin
	last  int64
}

// Engine aggregates events per metric and window.
type Engine struct {
	lock    sync.Mutex
	width   time.Duration
	keep    int
	relErr  float64
	prec    uint8
	metrics map[string]*ring
}

// NewEngine returns an Engine with defaults for the zero options.
func NewEngine(o Options) *Engine {
	e := &Engine{width: o.Window, keep: o.Retain, relErr: o.RelErr, prec: o.HLLPrecision, metrics: map[string]*ring{}}
	if e.width == 0 {
		e.width = time.Minute
	}
	if e.keep == 0 {
		e.keep = 60
	}
	if e.relErr == 0 {
		e.relErr = 0.01
	}
	if e.prec == 0 {
		e.prec = 14
	}
	return e
}

func (e *Engine) windowOf(t time.Time) int64 {
	ns := t.UnixNano()
	w := int64(e.width)
	if ns < 0 {
		return (ns - w + 1) / w
	}
	return ns / w
}

// Ingest records an event.
func (e *Engine) Ingest(ev Event) {
	id := e.windowOf(ev.Time)
	e.lock.Lock()
	defer e.lock.Unlock()
	r, ok := e.metrics[ev.Metric]
	if !ok {
		r = &ring{slots: make([]*bin, e.keep), last: id}
		e.metrics[ev.Metric] = r
	}
	if id > r.last {
		r.last = id
	}
	if id <= r.last-int64(e.keep) {
		return // too old
	}
	slot := int(((id % int64(e.keep)) + int64(e.keep)) % int64(e.keep))
	b := r.slots[slot]
	if b == nil || b.id != id {
		b = &bin{id: id, q: NewHistogram(e.relErr), uniq: NewHLL(e.prec)}
		b.stats.Min, b.stats.Max = math.Inf(1), math.Inf(-1)
		r.slots[slot] = b
	}
	b.stats.Count++
	b.stats.Sum += ev.Value
	if ev.Value < b.stats.Min {
		b.stats.Min = ev.Value
	}
	if ev.Value > b.stats.Max {
		b.stats.Max = ev.Value
	}
	b.q.Record(ev.Value)
	b.uniq.Add([]byte(ev.Key))
}

func (e *Engine) bins(metric string, from, to time.Time) []*bin {
	r := e.metrics[metric]
	if r == nil {
		return nil
	}
	lo, hi := e.windowOf(from), e.windowOf(to.Add(-1))
	var out []*bin
	for _, b := range r.slots {
		if b != nil && b.id >= lo && b.id <= hi && b.id > r.last-int64(e.keep) {
			out = append(out, b)
		}
	}
	return out
}

// Query returns the summary of [from, to).
func (e *Engine) Query(metric string, from, to time.Time) Summary {
	e.lock.Lock()
	defer e.lock.Unlock()
	bs := e.bins(metric, from, to)
	if len(bs) == 0 {
		return Summary{}
	}
	res := Summary{Min: math.Inf(1), Max: math.Inf(-1)}
	u := NewHLL(e.prec)
	for _, b := range bs {
		res.Count += b.stats.Count
		res.Sum += b.stats.Sum
		res.Min = min(res.Min, b.stats.Min)
		res.Max = max(res.Max, b.stats.Max)
		_ = u.Merge(b.uniq)
	}
	res.Distinct = u.Count()
	return res
}

// Quantile returns the q-quantile of [from, to), false when it is empty.
func (e *Engine) Quantile(metric string, from, to time.Time, q float64) (float64, bool) {
	e.lock.Lock()
	defer e.lock.Unlock()
	merged := NewHistogram(e.relErr)
	for _, b := range e.bins(metric, from, to) {
		merged.Merge(b.q)
	}
	if merged.n == 0 {
		return 0, false
	}
	return merged.Quantile(q), true
}
