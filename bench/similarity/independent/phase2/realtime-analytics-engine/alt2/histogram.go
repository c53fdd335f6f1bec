package analytics

import "math"

// Histogram keeps counts in exponentially growing buckets, a sketch with a
// bounded relative error.
type Histogram struct {
	lnGamma float64
	offset  int      // bucket index of counts[0]
	counts  []uint64 // positive values
	negs    *Histogram
	zero    uint64
	n       uint64
}

// NewHistogram makes a Histogram with the given relative accuracy.
func NewHistogram(relErr float64) *Histogram {
	g := (1 + relErr) / (1 - relErr)
	return &Histogram{lnGamma: math.Log(g)}
}

func (h *Histogram) add(idx int, c uint64) {
	if len(h.counts) == 0 {
		h.offset = idx
	}
	if idx < h.offset {
		grow := make([]uint64, h.offset-idx)
		h.counts = append(grow, h.counts...)
		h.offset = idx
	}
	for idx-h.offset >= len(h.counts) {
		h.counts = append(h.counts, 0)
	}
	h.counts[idx-h.offset] += c
}

// Record counts v.
func (h *Histogram) Record(v float64) {
	h.n++
	if v == 0 {
		h.zero++
		return
	}
	if v < 0 {
		if h.negs == nil {
			h.negs = &Histogram{lnGamma: h.lnGamma}
		}
		h.negs.Record(-v)
		return
	}
	h.add(int(math.Ceil(math.Log(v)/h.lnGamma)), 1)
}

func (h *Histogram) mid(idx int) float64 {
	g := math.Exp(h.lnGamma)
	return math.Exp(float64(idx)*h.lnGamma) * 2 / (1 + g)
}

// Quantile estimates the value at quantile q in [0, 1].
func (h *Histogram) Quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	target := math.Floor(q * float64(h.n-1))
	acc := 0.0
	if h.negs != nil {
		for i := len(h.negs.counts) - 1; i >= 0; i-- {
			acc += float64(h.negs.counts[i])
			if acc > target {
				return -h.mid(i + h.negs.offset)
			}
		}
	}
	acc += float64(h.zero)
	if acc > target {
		return 0
	}
	for i, c := range h.counts {
		acc += float64(c)
		if acc > target {
			return h.mid(i + h.offset)
		}
	}
	return h.mid(len(h.counts) - 1 + h.offset)
}

// Merge adds the counts of o.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		if c > 0 {
			h.add(i+o.offset, c)
		}
	}
	if o.negs != nil {
		if h.negs == nil {
			h.negs = &Histogram{lnGamma: h.lnGamma}
		}
		h.negs.Merge(o.negs)
	}
	h.zero += o.zero
	h.n += o.n
}
