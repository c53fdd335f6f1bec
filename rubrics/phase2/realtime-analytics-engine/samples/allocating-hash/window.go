package analytics

// window aggregates the events of one metric in window number n.
type window struct {
	n        int64
	count    uint64
	sum      float64
	min, max float64
	hll      *HLL
	hist     *Histogram
}

func newWindow(n int64, relErr float64, prec uint8) *window {
	return &window{n: n, hll: NewHLL(prec), hist: NewHistogram(relErr)}
}

// reset empties w for window n, keeping its memory.
func (w *window) reset(n int64) {
	w.n, w.count, w.sum, w.min, w.max = n, 0, 0, 0, 0
	w.hll.reset()
	w.hist.reset()
}

func (w *window) add(ev *Event) {
	if w.count == 0 {
		w.min, w.max = ev.Value, ev.Value
	}
	w.count++
	w.sum += ev.Value
	w.min = min(w.min, ev.Value)
	w.max = max(w.max, ev.Value)
	w.hll.Add([]byte(ev.Key))
	w.hist.Record(ev.Value)
}
