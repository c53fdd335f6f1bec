// Package analytics aggregates a stream of metric events into fixed time
// windows: count, sum, min, max, a quantile sketch and a distinct-key counter
// per metric and window.
package analytics

import (
	"sync"
	"time"
)

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
	window int64 // ns
	retain int64
	relErr float64
	prec   uint8

	mu     sync.RWMutex
	series map[string]*series
}

// series holds the windows of one metric in a ring: window n lives in slot
// n mod Retain.
type series struct {
	mu    sync.Mutex
	slots []*window
}

// NewEngine returns an empty engine.
func NewEngine(o Options) *Engine {
	if o.Window <= 0 {
		o.Window = time.Minute
	}
	if o.Retain <= 0 {
		o.Retain = 60
	}
	if !(o.RelErr > 0 && o.RelErr < 1) {
		o.RelErr = 0.01
	}
	if o.HLLPrecision == 0 {
		o.HLLPrecision = 14
	}
	NewHLL(o.HLLPrecision) // panics on a bad precision now rather than later
	return &Engine{
		window: int64(o.Window),
		retain: int64(o.Retain),
		relErr: o.RelErr,
		prec:   o.HLLPrecision,
		series: make(map[string]*series),
	}
}

// index returns the number of the window holding t: windows are the
// intervals [n*Window, (n+1)*Window) of Unix time.
func (e *Engine) index(t time.Time) int64 {
	ns := t.UnixNano()
	n := ns / e.window
	if ns%e.window < 0 {
		n--
	}
	return n
}

// retained returns the first and last windows an engine keeps now.
func (e *Engine) retained() (first, last int64) {
	last = e.index(time.Now())
	return last - e.retain + 1, last
}

// lookup returns the series of metric, creating it if create is set.
func (e *Engine) lookup(metric string, create bool) *series {
	e.mu.RLock()
	s := e.series[metric]
	e.mu.RUnlock()
	if s != nil || !create {
		return s
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s = e.series[metric]; s == nil {
		s = &series{slots: make([]*window, e.retain)}
		e.series[metric] = s
	}
	return s
}
