package analytics

import "time"

// each calls f for every retained window of metric that overlaps
// [from, to), with the series locked.
func (e *Engine) each(metric string, from, to time.Time, f func(*window)) {
	if !from.Before(to) {
		return
	}
	s := e.lookup(metric, false)
	if s == nil {
		return
	}
	first, last := e.retained()
	first = max(first, e.index(from))
	last = min(last, e.index(to.Add(-1)))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.slots {
		if w != nil && w.count > 0 && w.n >= first && w.n <= last {
			f(w)
		}
	}
}

// Query merges the retained windows of metric that overlap [from, to).
func (e *Engine) Query(metric string, from, to time.Time) Summary {
	var sum Summary
	var hll *HLL
	e.each(metric, from, to, func(w *window) {
		if sum.Count == 0 {
			sum.Min, sum.Max = w.min, w.max
			hll = NewHLL(e.prec)
		}
		sum.Count += w.count
		sum.Sum += w.sum
		sum.Min = min(sum.Min, w.min)
		sum.Max = max(sum.Max, w.max)
		_ = hll.Merge(w.hll) // same precision
	})
	if hll != nil {
		sum.Distinct = hll.Count()
	}
	return sum
}

// Quantile estimates the q-quantile of the values of the retained windows
// of metric that overlap [from, to); ok is false when there is none.
func (e *Engine) Quantile(metric string, from, to time.Time, q float64) (float64, bool) {
	h := NewHistogram(e.relErr)
	e.each(metric, from, to, func(w *window) { h.Merge(w.hist) })
	if h.count == 0 {
		return 0, false
	}
	return h.Quantile(q), true
}
