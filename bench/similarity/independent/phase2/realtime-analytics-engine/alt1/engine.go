// Package analytics aggregates events into time windows: counts, sums,
// extremes, quantiles and distinct keys.
package analytics

import (
	"math"
	"sync"
	"time"
)

// Event is one measurement.
type Event struct {
	Metric, Key string
	Value       float64
	Time        time.Time
}

// Options tune an Engine.
type Options struct {
	Window       time.Duration // length of a window; 0 → 1 minute
	Retain       int           // windows kept per metric, the current one included; 0 → 60
	RelErr       float64       // relative error of quantiles; 0 → 0.01
	HLLPrecision uint8         // precision of the distinct-key counters; 0 → 14
}

// Summary aggregates the events of a time range.
type Summary struct {
	Count         uint64
	Sum, Min, Max float64
	Distinct      uint64
}

type window struct {
	start    int64 // unix nanos, multiple of the window length
	count    uint64
	sum      float64
	min, max float64
	hist     *Histogram
	keys     *HLL
}

type series struct {
	windows map[int64]*window
	newest  int64
}

// Engine is safe for concurrent use.
type Engine struct {
	mu     sync.RWMutex
	opts   Options
	series map[string]*series
}

// NewEngine makes an engine.
func NewEngine(o Options) *Engine {
	if o.Window <= 0 {
		o.Window = time.Minute
	}
	if o.Retain <= 0 {
		o.Retain = 60
	}
	if o.RelErr <= 0 {
		o.RelErr = 0.01
	}
	if o.HLLPrecision == 0 {
		o.HLLPrecision = 14
	}
	return &Engine{opts: o, series: map[string]*series{}}
}

func (e *Engine) windowStart(t time.Time) int64 {
	n := t.UnixNano()
	w := int64(e.opts.Window)
	start := n - n%w
	if n%w < 0 {
		start -= w
	}
	return start
}

// Ingest adds ev to the window holding its time; events older than the
// retained windows are dropped.
func (e *Engine) Ingest(ev Event) {
	if math.IsNaN(ev.Value) {
		return
	}
	start := e.windowStart(ev.Time)
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.series[ev.Metric]
	if s == nil {
		s = &series{windows: map[int64]*window{}, newest: start}
		e.series[ev.Metric] = s
	}
	oldest := s.newest - int64(e.opts.Retain-1)*int64(e.opts.Window)
	if start < oldest {
		return
	}
	w := s.windows[start]
	if w == nil {
		w = &window{start: start, min: math.Inf(1), max: math.Inf(-1), hist: NewHistogram(e.opts.RelErr), keys: NewHLL(e.opts.HLLPrecision)}
		s.windows[start] = w
	}
	w.count++
	w.sum += ev.Value
	w.min = math.Min(w.min, ev.Value)
	w.max = math.Max(w.max, ev.Value)
	w.hist.Record(ev.Value)
	w.keys.Add([]byte(ev.Key))
	if start > s.newest {
		s.newest = start
		cut := s.newest - int64(e.opts.Retain-1)*int64(e.opts.Window)
		for ws := range s.windows {
			if ws < cut {
				delete(s.windows, ws)
			}
		}
	}
}

// covered returns the windows that lie in [from, to).
func (e *Engine) covered(metric string, from, to time.Time) []*window {
	s := e.series[metric]
	if s == nil {
		return nil
	}
	var ws []*window
	for start, w := range s.windows {
		if start >= e.windowStart(from) && start < to.UnixNano() {
			ws = append(ws, w)
		}
	}
	return ws
}

// Query summarises metric over the windows starting in [from, to).
func (e *Engine) Query(metric string, from, to time.Time) Summary {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var sum Summary
	keys := NewHLL(e.opts.HLLPrecision)
	for i, w := range e.covered(metric, from, to) {
		if i == 0 {
			sum.Min, sum.Max = w.min, w.max
		}
		sum.Count += w.count
		sum.Sum += w.sum
		sum.Min = math.Min(sum.Min, w.min)
		sum.Max = math.Max(sum.Max, w.max)
		keys.Merge(w.keys)
	}
	sum.Distinct = keys.Count()
	return sum
}

// Quantile estimates the q-quantile of metric's values in the range.
func (e *Engine) Quantile(metric string, from, to time.Time, q float64) (float64, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ws := e.covered(metric, from, to)
	if len(ws) == 0 || q < 0 || q > 1 {
		return 0, false
	}
	h := NewHistogram(e.opts.RelErr)
	for _, w := range ws {
		h.Merge(w.hist)
	}
	if h.total == 0 {
		return 0, false
	}
	return h.Quantile(q), true
}
